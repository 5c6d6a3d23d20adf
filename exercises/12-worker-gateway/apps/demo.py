# apps/demo.py: the app `tutor run 12` serves by default.
#
#   /         a greeting, with the worker's pid
#   /environ  the environ the worker built, one key a line
#   /stream   five lines, half a second apart (try curl -N)
#   /error    fails before its first byte: a 500 page
#   /fail     fails mid-body: the response is cut short
#   /crash    the worker dies: a 502, and a new worker
import os
import time


def app(environ, start_response):
    path = environ["PATH_INFO"]
    route = ROUTES.get(path)
    if route is None:
        start_response("404 Not Found",
                       [("Content-Type", "text/plain")])
        return [b"no such page: try / /environ /stream /error "
                b"/fail /crash\n"]
    return route(environ, start_response)


def index(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello from worker %d\n" % os.getpid()]


def show_environ(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    lines = ["%s = %r\n" % (k, environ[k]) for k in sorted(environ)]
    return ["".join(lines).encode("latin-1", "replace")]


def stream(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    for i in range(5):
        yield b"line %d from worker %d\n" % (i, os.getpid())
        time.sleep(0.5)


def error(environ, start_response):
    raise RuntimeError("this app fails before its first byte")


def fail(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"the first half of the body...\n"
    raise RuntimeError("this app fails mid-body")


def crash(environ, start_response):
    os._exit(1)


ROUTES = {
    "/": index,
    "/environ": show_environ,
    "/stream": stream,
    "/error": error,
    "/fail": fail,
    "/crash": crash,
}
