# testdata/testapp.py: the WSGI app the tests run in the workers.
#
# It keeps the conformance handler's contract
# (exercises/internal/conformance/responses.go): POST /echo, GET /big,
# /empty (204), /notmod (304), anything else 200 after reading the
# body. The other paths each show one behaviour; a test names files
# in the query (?marker=PATH), so that the app can tell the test what
# happened and the test can tell the app when to go on.
import json
import os
import signal
import sys
import time
from urllib.parse import parse_qs

BIG = b"0123456789abcdef" * (128 * 1024 // 16)


def query(environ):
    q = parse_qs(environ.get("QUERY_STRING", ""))
    return {k: v[0] for k, v in q.items()}


def wait_for(path, limit=10.0):
    """Wait until path exists, for at most limit seconds."""
    end = time.monotonic() + limit
    while not os.path.exists(path) and time.monotonic() < end:
        time.sleep(0.01)


def touch(path, text="x"):
    with open(path, "w") as f:
        f.write(text)


def text(start_response, body, status="200 OK", headers=()):
    start_response(status, [("Content-Type", "text/plain")]
                   + list(headers))
    return [body]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    q = query(environ)
    handler = ROUTES.get(path)
    if path.startswith("/environ"):
        handler = environ_json
    if handler is not None:
        return handler(environ, start_response, q)
    # The conformance contract: read the whole body, answer 200.
    environ["wsgi.input"].read()
    return text(start_response, b"ok\n")


def pid(environ, start_response, q):
    n = os.getpid()
    return text(start_response, b"%d\n" % n,
                headers=[("X-Worker-Pid", str(n))])


def echo(environ, start_response, q):
    inp = environ["wsgi.input"]
    n = int(environ.get("CONTENT_LENGTH") or 0)
    if q.get("read") == "lines":
        body = b"".join(iter(inp.readline, b""))
    else:
        body = inp.read(n + 100)  # asks for more than there is
    after = inp.read()  # the end: nothing more
    headers = [("X-After-End", str(len(after)))]
    return text(start_response, body, headers=headers)


def environ_json(environ, start_response, q):
    out = {}
    for k, v in environ.items():
        if isinstance(v, (str, bool, int)):
            out[k] = v
        elif k == "wsgi.version":
            out[k] = list(v)
    body = json.dumps(out, sort_keys=True).encode("ascii")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def big(environ, start_response, q):
    return text(start_response, BIG)


def empty(environ, start_response, q):
    start_response("204 No Content", [])
    return []


def notmod(environ, start_response, q):
    start_response("304 Not Modified", [])
    return []


def stream(environ, start_response, q):
    """One chunk, then wait for the test's go-ahead, then another."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"first\n"
    wait_for(q["go"])
    yield b"second\n"


class Forever:
    """A body that goes on for 10 s, and notes when it is closed."""

    def __init__(self, marker):
        self.marker = marker
        self.n = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.n += 1
        if self.n > 500:
            raise StopIteration
        time.sleep(0.02)
        return b"chunk %d\n" % self.n

    def close(self):
        touch(self.marker, "closed after %d chunks" % self.n)


def forever(environ, start_response, q):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return Forever(q["marker"])


def fail_before(environ, start_response, q):
    raise RuntimeError("secret-before: failed before the headers")


def fail_mid(environ, start_response, q):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"x" * 8192
    raise RuntimeError("secret-mid: the app failed mid-body")


class Closing:
    """A body that fails mid-way and notes that it was closed."""

    def __init__(self, marker):
        self.marker = marker
        self.sent = False

    def __iter__(self):
        return self

    def __next__(self):
        if not self.sent:
            self.sent = True
            return b"y" * 8192
        raise ValueError("secret-closing: failed mid-body")

    def close(self):
        touch(self.marker, "closed")


def fail_mid_close(environ, start_response, q):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return Closing(q["marker"])


BAD_HEADERS = {
    "crlf": ("200 OK", [("X-Bad", "a\r\nSet-Cookie: stolen=1")]),
    "lf": ("200 OK", [("X-Bad", "a\nSet-Cookie: stolen=1")]),
    "nul": ("200 OK", [("X-Bad", "a\x00b")]),
    "name": ("200 OK", [("X Bad", "a")]),
    "hop": ("200 OK", [("Connection", "close")]),
    "te": ("200 OK", [("Transfer-Encoding", "chunked")]),
    "status": ("200OK", []),
    "status-crlf": ("200 OK\r\nSet-Cookie: stolen=1", []),
    "status-1xx": ("100 Continue", []),
    "bytes": ("200 OK", [(b"X-Bytes", b"a")]),
}


def bad_header(environ, start_response, q):
    status, headers = BAD_HEADERS[q["kind"]]
    start_response(status, headers)
    return [b"this body must never be sent\n"]


def twice(environ, start_response, q):
    start_response("200 OK", [("Content-Type", "text/plain")])
    start_response("201 Created", [("Content-Type", "text/plain")])
    return [b"this body must never be sent\n"]


def replaced(environ, start_response, q):
    """start_response again with exc_info, before any byte: allowed."""
    start_response("200 OK", [("X-First", "1")])
    try:
        raise KeyError("secret-replaced")
    except KeyError:
        start_response("503 Service Unavailable",
                       [("Content-Type", "text/plain")], sys.exc_info())
    return [b"replaced\n"]


def die(environ, start_response, q):
    os.kill(os.getpid(), signal.SIGKILL)


def die_mid(environ, start_response, q):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"z" * 8192
    os.kill(os.getpid(), signal.SIGKILL)


def sleep(environ, start_response, q):
    if "marker" in q:
        touch(q["marker"])
    time.sleep(min(float(q.get("ms", "0")), 30000) / 1000)
    return text(start_response, b"slept\n")


def print_route(environ, start_response, q):
    print("printed by the app")
    environ["wsgi.errors"].write("written to wsgi.errors\n")
    return text(start_response, b"see the log\n")


ROUTES = {
    "/pid": pid,
    "/echo": echo,
    "/big": big,
    "/empty": empty,
    "/notmod": notmod,
    "/stream": stream,
    "/forever": forever,
    "/fail-before": fail_before,
    "/fail-mid": fail_mid,
    "/fail-mid-close": fail_mid_close,
    "/bad-header": bad_header,
    "/twice": twice,
    "/replaced": replaced,
    "/die": die,
    "/die-mid": die_mid,
    "/sleep": sleep,
    "/print": print_route,
}
