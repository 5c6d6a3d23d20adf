#!/usr/bin/env python3
"""flood.py: a WSGI app that never reads its input and writes a lot.

It answers ?kib=N kibibytes (1024 by default) of "flood\n" lines
without reading a byte of the request body. A server that writes the
whole body to the script's stdin before it reads the script's stdout
deadlocks here: both pipes fill up, and each side waits for the other.
"""
import warnings
from urllib.parse import parse_qs
from wsgiref.handlers import CGIHandler
from wsgiref.validate import validator


def app(environ, start_response):
    q = parse_qs(environ.get("QUERY_STRING", ""))
    kib = min(int(q.get("kib", ["1024"])[0]), 64 << 10)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return (b"flood\n" * 10923 for _ in range(kib // 64))


if __name__ == "__main__":
    warnings.simplefilter("error")
    CGIHandler().run(validator(app))
