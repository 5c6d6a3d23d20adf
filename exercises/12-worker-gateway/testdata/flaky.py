# testdata/flaky.py: an app that loads while the file named by
# FLAKY_BROKEN does not exist; while it does, the worker exits at
# once, as soon as it starts to load the app (status 3). Each
# try to load it appends a line to the file named by FLAKY_LOG: when
# the process started, and now, in seconds since boot (so the wait
# between a failure and the next try does not count Python's start).
import os
import time


def started():
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


with open(os.environ["FLAKY_LOG"], "a") as log:
    log.write("%.3f %.3f\n" % (started(),
                               time.clock_gettime(time.CLOCK_BOOTTIME)))

if os.path.exists(os.environ["FLAKY_BROKEN"]):
    os._exit(3)


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"loaded\n"]
