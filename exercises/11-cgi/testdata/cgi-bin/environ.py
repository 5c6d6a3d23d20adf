#!/usr/bin/env python3
"""environ.py: a WSGI app that answers with its environ, as JSON.

Every string variable of the environ (the CGI meta-variables and
whatever else the server passed) and, under "body", the request body
it read from wsgi.input: exactly CONTENT_LENGTH bytes, as PEP 3333
says. It runs through CGIHandler and the validator, like hello.py.
"""
import json
import warnings
from wsgiref.handlers import CGIHandler
from wsgiref.validate import validator


def app(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    out = {k: v for k, v in environ.items() if isinstance(v, str)}
    out["body"] = body.decode("latin-1")
    data = json.dumps(out, indent=1, sort_keys=True).encode() + b"\n"
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(data)))])
    return [data]


if __name__ == "__main__":
    warnings.simplefilter("error")
    CGIHandler().run(validator(app))
