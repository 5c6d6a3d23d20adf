#!/usr/bin/env python3
"""hello.py: the WSGI demo app of Python's standard library, as CGI.

wsgiref.simple_server.demo_app says "Hello world!" and lists its
environ. It runs unmodified: wsgiref.handlers.CGIHandler turns the
CGI request (environment variables, stdin) into a WSGI call, and
wsgiref.validate.validator checks both sides of that call. Any
warning the validator gives is made an error, so a server that breaks
the rules gets a 500 and a traceback in its log.
"""
import warnings
from wsgiref.handlers import CGIHandler
from wsgiref.simple_server import demo_app
from wsgiref.validate import validator

if __name__ == "__main__":
    warnings.simplefilter("error")
    CGIHandler().run(validator(demo_app))
