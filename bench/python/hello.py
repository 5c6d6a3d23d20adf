# bench/python/hello.py: the app every server of the comparison runs.
def app(environ, start_response):
    body = b"Hello, World!\n"
    start_response("200 OK", [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ])
    return [body]
