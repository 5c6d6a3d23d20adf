# bench/python/wsgiref_server.py PORT: hello.py under Python's own
# wsgiref.simple_server, without its per-request log line (printing
# it would only slow wsgiref down).
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

from hello import app


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


make_server("127.0.0.1", int(sys.argv[1]), app,
            handler_class=Quiet).serve_forever()
