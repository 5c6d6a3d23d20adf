#!/usr/bin/env python3
"""stream.py: a WSGI app whose body comes a piece at a time.

GET: "tick 0" to "tick N-1", one line each, MS milliseconds apart
(?n=5&ms=300 by default). POST: "tick 0", then each line of the
request body echoed as soon as it arrives, so a client can check that
every piece reaches it before the app makes the next. The app sets no
Content-Length: the server must frame the body itself.
"""
import time
import warnings
from urllib.parse import parse_qs
from wsgiref.handlers import CGIHandler
from wsgiref.validate import validator


def app(environ, start_response):
    q = parse_qs(environ.get("QUERY_STRING", ""))
    n = min(int(q.get("n", ["5"])[0]), 100)
    ms = min(int(q.get("ms", ["300"])[0]), 2000)
    start_response("200 OK", [("Content-Type", "text/plain")])
    if environ["REQUEST_METHOD"] == "POST":
        return echo(environ["wsgi.input"])
    return ticks(n, ms)


def ticks(n, ms):
    for i in range(n):
        if i:
            time.sleep(ms / 1000)
        yield b"tick %d\n" % i


def echo(stdin):
    yield b"tick 0\n"
    while True:
        line = stdin.readline()
        if not line:
            return
        yield b"echo " + line


if __name__ == "__main__":
    warnings.simplefilter("error")
    CGIHandler().run(validator(app))
