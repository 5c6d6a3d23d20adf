#!/usr/bin/env python3
"""raw.py: a plain CGI script whose output is its input.

It copies the request body to stdout byte for byte, so a client
writes the script's whole answer, header block included:

    curl --data-binary $'Status: 404 Not Found\nContent-Type: \
text/plain\n\nnope\n' http://127.0.0.1:8080/cgi-bin/raw.py

?exit=N makes it exit with status N afterwards, and it says on stderr
how many bytes it copied.
"""
import os
import sys
from urllib.parse import parse_qs

q = parse_qs(os.environ.get("QUERY_STRING", ""))
data = sys.stdin.buffer.read()
sys.stdout.buffer.write(data)
sys.stdout.buffer.flush()
code = int(q.get("exit", ["0"])[0])
print("raw.py: copied %d bytes, exiting with status %d"
      % (len(data), code), file=sys.stderr)
sys.exit(code)
