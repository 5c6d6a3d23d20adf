# apps/hello.py: the smallest WSGI app. Serve it with
#   tutor run 12 --app apps/hello.py:app --workers 2
import os


def app(environ, start_response):
    body = b"Hello from worker %d\n" % os.getpid()
    start_response("200 OK", [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ])
    return [body]
