#!/usr/bin/env python3
"""Write the golden values of lesson 10's tests: what Python's own
wsgiref.util answers for each case. The test reads
shift_path_info.json, and where python3 exists it runs this script
again and compares, so the committed values cannot drift.

    python3 golden.py > shift_path_info.json

Go strings are bytes; a WSGI environ holds each byte as one character
(PEP 3333: "bytes as latin-1"). So every value is encoded to UTF-8 and
decoded as latin-1 on the way in, and the other way on the way out.
"""

import json
import sys
from wsgiref import util


def to_wsgi(s):
    return s.encode("utf-8").decode("latin-1")


def from_wsgi(s):
    return s.encode("latin-1").decode("utf-8")


# (SCRIPT_NAME, PATH_INFO); None: the variable is absent.
SHIFT = [
    ("", ""),
    ("", None),
    (None, "/a"),
    ("", "/"),
    ("", "/a"),
    ("", "/a/"),
    ("", "/a/b"),
    ("", "/a/b/"),
    ("", "//a"),
    ("", "/a//b"),
    ("", "/a/b//"),
    ("", "/./a"),
    ("", "/a/./b"),
    ("", "/."),
    ("", "/a/."),
    ("", "/.."),
    ("", "/../a"),
    ("", "/a/../b"),
    ("", "/a/.."),
    ("", "/hello world/x"),
    ("", "/caf\u00e9/men\u00fc"),
    ("/x", ""),
    ("/x", "/"),
    ("/x", "/a"),
    ("/x", "/a/b"),
    ("/x", "/a/"),
    ("/x", "//a"),
    ("/x", "/../b"),
    ("/x", "/."),
    ("/x/", "/a"),
    ("/x/", "/"),
    ("/x/y", "/z"),
    ("/", "/a"),
    ("/", "/"),
]

HOSTS = [
    # (url_scheme, HTTP_HOST, SERVER_NAME, SERVER_PORT)
    ("http", None, "example.com", "80"),
    ("http", None, "example.com", "8080"),
    ("https", None, "example.com", "443"),
    ("https", None, "example.com", "80"),
    ("http", "example.org:8000", "127.0.0.1", "8000"),
    ("http", "", "127.0.0.1", "8000"),
]

PATHS = [
    # (SCRIPT_NAME, PATH_INFO, QUERY_STRING)
    ("", "", ""),
    ("", "/", ""),
    (None, None, None),
    ("", "/a/b", "x=1&y=2"),
    ("/app", "", ""),
    ("/app", "/", "q"),
    ("/app", "/a b/c", ""),
    ("/my app", "/x", ""),
    ("", "/a;b=c,d", ""),
    ("", "/50%/?#", ""),
    ("", "/~user/a_b-c.d", ""),
    ("", "/caf\u00e9", "\u00e9=1"),
]


def environ(**kw):
    return {k: to_wsgi(v) for k, v in kw.items() if v is not None}


def shift_cases():
    out = []
    for script, path in SHIFT:
        env = environ(SCRIPT_NAME=script, PATH_INFO=path)
        before = {k: from_wsgi(v) for k, v in env.items()}
        name = util.shift_path_info(env)
        out.append({
            "environ": before,
            "name": None if name is None else from_wsgi(name),
            "script_name": from_wsgi(env["SCRIPT_NAME"])
            if "SCRIPT_NAME" in env else None,
            "path_info": from_wsgi(env["PATH_INFO"])
            if "PATH_INFO" in env else None,
        })
    return out


def uri_cases():
    out = []
    for scheme, host, name, port in HOSTS:
        for script, path, query in PATHS:
            env = environ(HTTP_HOST=host, SERVER_NAME=name,
                          SERVER_PORT=port, SCRIPT_NAME=script,
                          PATH_INFO=path, QUERY_STRING=query)
            env["wsgi.url_scheme"] = scheme
            vars = {k: from_wsgi(v) for k, v in env.items()
                    if not k.startswith("wsgi.")}
            out.append({
                "environ": vars,
                "url_scheme": scheme,
                "application_uri": from_wsgi(util.application_uri(env)),
                "request_uri": from_wsgi(util.request_uri(env)),
                "request_uri_no_query":
                    from_wsgi(util.request_uri(env, False)),
            })
    return out


json.dump({
    "python": "%d.%d" % sys.version_info[:2],
    "shift_path_info": shift_cases(),
    "uri": uri_cases(),
}, sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
sys.stdout.write("\n")
