#!/usr/bin/env python3
"""slow.py: a plain CGI script that never finishes in time.

It starts a child (sleep 60) that inherits its stdout, then sleeps
itself: only killing the whole process group ends both and closes the
pipe. It writes nothing to stdout. Its pid and its child's go to
stderr, and to the file $PIDFILE when that is set (the tests use it).
"""
import os
import subprocess
import sys
import time

child = subprocess.Popen(["sleep", "60"])
pids = "%d\n%d\n" % (os.getpid(), child.pid)
if os.environ.get("PIDFILE"):
    with open(os.environ["PIDFILE"] + ".tmp", "w") as f:
        f.write(pids)
    os.rename(os.environ["PIDFILE"] + ".tmp", os.environ["PIDFILE"])
print("slow.py: pid %d, child %d" % (os.getpid(), child.pid),
      file=sys.stderr, flush=True)
time.sleep(60)
