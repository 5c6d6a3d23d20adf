# This file is given: it needs no editing.
"""worker.py: a persistent WSGI worker for lesson 12's gateway.

    python3 -u worker.py FILE.py:CALLABLE
    python3 -u worker.py MODULE:CALLABLE

The Go server starts it, and it serves one request after another, for
as long as the server keeps fd 3 open. It uses the standard library
only.

Descriptors:
    fd 3     frames from the server (requests)
    fd 4     frames to the server (responses)
    fd 1, 2  the server's log: tracebacks, wsgi.errors, print()

A frame is one byte of kind, four bytes of length (big-endian) and
that many bytes of payload:

    server -> worker
      Q  a request: the environ, a JSON object
      B  request body bytes (any number of B frames)
      E  the end of the request: now the app runs
      A  abort: the client went away; stop the response (close the
         app's iterable) and answer E
    worker -> server
      R  ready: the app is loaded (once, first)
      S  start: "NNN Reason\\r\\nName: value\\r\\n..." in latin-1
      B  response body bytes
      E  the end of the response
      X  error: the app failed. Before S the server answers 500;
         after S it aborts the response. Payload: one line for the
         log. At start-up, X means the app could not be loaded.

Every Q gets exactly one E or X back, so both sides stay in step: an
A that arrives after the response ended is ignored.

The worker enforces PEP 3333 and the workbook's header rules itself,
whatever the app does: a status "NNN Reason" (200 to 599), header
names that are tokens, no control characters (CR, LF, NUL, ...) in
names or values, no hop-by-hop headers, one start_response unless
exc_info is given, and headers held back until the first non-empty
body chunk. A failing app's traceback goes to stderr, the server's
log; the client only ever sees a plain 500 page.
"""

import importlib
import importlib.util
import io
import json
import os
import re
import select
import signal
import struct
import sys
import tempfile
import traceback

REQUESTS, RESPONSES = 3, 4
HEADER = struct.Struct(">cI")
MAX_FRAME = 16 << 20
# Bodies up to this size stay in memory; larger ones go to a file.
SPOOL = 1 << 20

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
STATUS = re.compile(r"[2-5][0-9][0-9] [^\x00-\x08\x0a-\x1f\x7f]*\Z")
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# RFC 9110 §7.6.1, and the names wsgiref.util.is_hop_by_hop knows.
HOP_BY_HOP = frozenset((
    "connection", "keep-alive", "proxy-authenticate",
    "proxy-authorization", "te", "trailer", "trailers",
    "transfer-encoding", "upgrade",
))

BOOT_ERROR = 3  # exit status of a worker that cannot load the app

# json.loads, minus the work it does to guess the encoding.
DECODE = json.JSONDecoder().raw_decode


class Channel:
    """Frames over two pipes: read from fd 3, written to fd 4."""

    def __init__(self, rfd, wfd):
        self.rfd, self.wfd = rfd, wfd
        self.buf = bytearray()

    def _fill(self, n):
        while len(self.buf) < n:
            data = os.read(self.rfd, 65536)
            if not data:
                raise EOFError
            self.buf += data

    def read(self):
        """Return the next frame as (kind, payload); EOFError at the
        end (the server closed fd 3: time to go)."""
        self._fill(5)
        kind, n = HEADER.unpack_from(self.buf)
        if n > MAX_FRAME:
            raise ValueError("frame of %d bytes" % n)
        self._fill(5 + n)
        payload = bytes(self.buf[5:5 + n])
        del self.buf[:5 + n]
        return kind, payload

    def pending(self):
        """Report whether a frame waits, without blocking."""
        if self.buf:
            return True
        ready, _, _ = select.select([self.rfd], [], [], 0)
        return bool(ready)

    def send(self, *frames):
        """Write frames, each (kind, payload), in one write."""
        out = bytearray()
        for kind, payload in frames:
            out += HEADER.pack(kind, len(payload))
            out += payload
        view = memoryview(out)
        while view:
            n = os.write(self.wfd, view)
            view = view[n:]


def load(spec):
    """Import the app named by FILE.py:CALLABLE or MODULE:CALLABLE
    (the callable defaults to "application", as gunicorn's does)."""
    target, sep, name = spec.rpartition(":")
    if not sep:
        target, name = spec, "application"
    if target.endswith(".py") or os.sep in target:
        path = os.path.abspath(target)
        sys.path.insert(0, os.path.dirname(path))
        modname = "__wsgi_app__"
        found = importlib.util.spec_from_file_location(modname, path)
        if found is None:
            raise ImportError("cannot load %r" % target)
        module = importlib.util.module_from_spec(found)
        sys.modules[modname] = module
        found.loader.exec_module(module)
    else:
        sys.path.insert(0, os.getcwd())
        module = importlib.import_module(target)
    app = module
    for part in name.split("."):
        app = getattr(app, part)
    if not callable(app):
        raise TypeError("%s is not callable" % spec)
    return app


class Aborted(Exception):
    """The server told us that the client went away."""


class Response:
    """One response: start_response, write, and the frames they send."""

    def __init__(self, chan):
        self.chan = chan
        self.status = None
        self.headers = None
        self.sent = False  # the S frame has left

    def start_response(self, status, headers, exc_info=None):
        if exc_info:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError(
                "start_response called a second time without exc_info")
        check(status, headers)
        self.status, self.headers = status, headers
        return self.write

    def start_frame(self):
        if self.status is None:
            raise AssertionError(
                "the app returned a body before calling start_response")
        lines = [self.status]
        lines.extend(n + ": " + v for n, v in self.headers)
        self.sent = True
        return (b"S", "\r\n".join(lines).encode("latin-1"))

    def write(self, data):
        """The write() callable, and each chunk of the body: the
        bytes reach the server before write returns."""
        if type(data) is not bytes:
            raise TypeError("body chunks must be bytes, not %s"
                            % type(data).__name__)
        if not data:
            return
        if self.sent:
            self.chan.send((b"B", data))
        else:
            self.chan.send(self.start_frame(), (b"B", data))

    def end(self):
        if self.sent:
            self.chan.send((b"E", b""))
        else:
            self.chan.send(self.start_frame(), (b"E", b""))


# Headers that passed check. Apps send the same few over and over, so
# each is checked once (a bounded number of them).
CHECKED = set()


def check(status, headers):
    """Raise if status or headers break PEP 3333 or the workbook's
    rules: CR or LF could forge headers (response splitting), and
    hop-by-hop headers belong to the server."""
    if type(status) is not str:
        raise TypeError("status must be a str, not %s"
                        % type(status).__name__)
    if not STATUS.match(status):
        raise ValueError("status %r is not 'NNN Reason' with NNN "
                         "from 200 to 599" % status)
    if type(headers) is not list:
        raise TypeError("headers must be a list, not %s"
                        % type(headers).__name__)
    for item in headers:
        if type(item) is not tuple or len(item) != 2:
            raise TypeError("header %r is not a (name, value) tuple"
                            % (item,))
        if item in CHECKED:
            continue
        name, value = item
        if type(name) is not str or type(value) is not str:
            raise TypeError("header %r: name and value must be str"
                            % (item,))
        if not TOKEN.match(name):
            raise ValueError("header name %r is not a token" % name)
        if CONTROL.search(value):
            raise ValueError("header %s: control character in value %r"
                             % (name, value))
        if name.lower() in HOP_BY_HOP:
            raise ValueError("hop-by-hop header %r: the server "
                             "decides the connection's framing" % name)
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError("header %s: value %r is not latin-1"
                             % (name, value)) from None
        if len(CHECKED) < 1024:
            CHECKED.add(item)


def read_request(chan, payload):
    """Read the rest of a request after its Q frame: the body frames
    and E. Return the environ, or None if the server sent A."""
    environ = DECODE(payload.decode("utf-8"))[0]
    body = None
    size = 0
    while True:
        kind, data = chan.read()
        if kind == b"B":
            if body is None:
                body = tempfile.SpooledTemporaryFile(SPOOL)
            body.write(data)
            size += len(data)
        elif kind == b"E":
            break
        elif kind == b"A":
            return None
        else:
            raise ValueError("frame %r in a request" % kind)
    if body is None:
        body = io.BytesIO()
    else:
        body.seek(0)
    # A chunked request body has no length; now we know it. Reads
    # stop at CONTENT_LENGTH: the body is exactly that long.
    if size and not environ.get("CONTENT_LENGTH"):
        environ["CONTENT_LENGTH"] = str(size)
    environ["wsgi.input"] = body
    environ["wsgi.errors"] = sys.stderr
    environ["wsgi.version"] = (1, 0)
    environ.setdefault("wsgi.url_scheme", "http")
    environ.setdefault("wsgi.multiprocess", False)
    # One request at a time, in the main thread, for the worker's life.
    environ["wsgi.multithread"] = False
    environ["wsgi.run_once"] = False
    return environ


def run_app(app, environ, chan):
    """Run the app for one request and send its response. A failure
    is logged with its traceback and reported with an X frame."""
    resp = Response(chan)
    result = None
    try:
        result = app(environ, resp.start_response)
        if type(result) is list and resp.status is not None:
            # The whole body is here: one write for all of it.
            frames = []
            for data in result:
                if type(data) is not bytes:
                    raise TypeError("body chunks must be bytes, not %s"
                                    % type(data).__name__)
                if data:
                    if not resp.sent:
                        frames.append(resp.start_frame())
                    frames.append((b"B", data))
            if not resp.sent:
                frames.append(resp.start_frame())
            frames.append((b"E", b""))
            chan.send(*frames)
            return
        for data in result:
            resp.write(data)
            if data and chan.pending():
                kind, _ = chan.read()
                if kind == b"A":
                    raise Aborted
                raise ValueError("frame %r during a response" % kind)
        resp.end()
    except Aborted:
        chan.send((b"E", b""))
    except Exception as e:
        print("error serving %s %s:" % (
            environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")),
            file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        chan.send((b"X", last_line(e).encode("utf-8")))
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            try:
                close()
            except Exception:
                print("error closing the body of %s %s:" % (
                    environ.get("REQUEST_METHOD"),
                    environ.get("PATH_INFO")), file=sys.stderr)
                traceback.print_exc(file=sys.stderr)


def last_line(e):
    """The last line of the exception's report: "NameError: ..."."""
    lines = traceback.format_exception_only(type(e), e)
    return "".join(lines).strip().splitlines()[-1]


def serve(app, chan):
    """Serve requests until the server closes fd 3."""
    while True:
        try:
            kind, payload = chan.read()
        except EOFError:
            return
        if kind == b"A":
            continue  # the response it meant had already ended
        if kind != b"Q":
            raise ValueError("frame %r where a request starts" % kind)
        environ = read_request(chan, payload)
        if environ is None:
            chan.send((b"E", b""))
            continue
        run_app(app, environ, chan)


def main():
    # Ctrl-C is for the server, which decides how workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if len(sys.argv) != 2:
        print("usage: worker.py FILE.py:CALLABLE | MODULE:CALLABLE",
              file=sys.stderr)
        return 2
    chan = Channel(REQUESTS, RESPONSES)
    try:
        app = load(sys.argv[1])
    except BaseException as e:
        traceback.print_exc(file=sys.stderr)
        chan.send((b"X", ("cannot load %s: %s" % (
            sys.argv[1], last_line(e))).encode("utf-8")))
        return BOOT_ERROR
    chan.send((b"R", b""))
    serve(app, chan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
