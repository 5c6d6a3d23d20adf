#!/usr/bin/env bash
# bench/python/run.sh: hello.py, a hello-world WSGI app, served side by
# side in one run by
#   wsgiref    Python's wsgiref.simple_server (one process, one thread)
#   gunicorn   gunicorn's sync workers, -w 2
#   gateway    lesson 12's gateway (the reference solution), -workers 2
# each loaded in turn by the same wrk on 127.0.0.1. gunicorn's sync
# workers close every connection (they do not keep connections alive),
# so the gateway is measured twice: with keep-alive, and with every
# request on a new connection (wrk -H 'Connection: close'), like the
# other two.
#
#   bench/python/run.sh                 # wrk -t2 -c50 -d5s, 1 round
#   DURATION=10s CONNS=100 ROUNDS=3 bench/python/run.sh
#
# Needs python3, go, wrk and gunicorn (apt-get install wrk gunicorn).
# With ROUNDS > 1 the servers take turns and the median is reported.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
duration=${DURATION:-5s}
conns=${CONNS:-50}
threads=${THREADS:-2}
rounds=${ROUNDS:-1}
slug=12-worker-gateway

for tool in python3 go wrk; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
done
gunicorn=(gunicorn)
if ! command -v gunicorn >/dev/null; then
	if /usr/bin/python3 -c 'import gunicorn' 2>/dev/null; then
		gunicorn=(/usr/bin/python3 -m gunicorn)
	else
		echo "run.sh: gunicorn is missing (apt-get install gunicorn)" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d /tmp/bench-python-XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The gateway: the solution, built as `tutor run 12 --solution` does.
python3 - "$root" "$slug" "$tmp/overlay.json" <<'PY'
import json, os, sys
root, slug, out = sys.argv[1:]
ex = os.path.join(root, "exercises", slug)
so = os.path.join(root, "solutions", slug)
rep = {}
for base, _, files in os.walk(so):
    for f in files:
        if f.endswith(".go") and not f.endswith("_test.go"):
            rel = os.path.relpath(os.path.join(base, f), so)
            rep[os.path.join(ex, rel)] = os.path.join(base, f)
json.dump({"Replace": rep}, open(out, "w"))
PY
(cd "$root/exercises" && go build -overlay "$tmp/overlay.json" \
	-o "$tmp/gateway" "./$slug/cmd/serve")

freeport() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME: starts a server, waits until it answers, sets url.
start() {
	local port
	port=$(freeport)
	url="http://127.0.0.1:$port/"
	case $1 in
	wsgiref)
		(cd "$here" && exec python3 wsgiref_server.py "$port") \
			2>"$tmp/$1.log" &
		;;
	gunicorn)
		"${gunicorn[@]}" -w 2 -k sync -b "127.0.0.1:$port" \
			--chdir "$here" hello:app 2>"$tmp/$1.log" &
		;;
	gateway | gateway-close)
		"$tmp/gateway" -addr "127.0.0.1:$port" -workers 2 \
			-app "$here/hello.py:app" >/dev/null 2>"$tmp/$1.log" &
		;;
	esac
	server=$!
	pids+=("$server")
	for _ in $(seq 100); do
		if curl -sf "$url" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "run.sh: $1 did not answer at $url" >&2
	cat "$tmp/$1.log" >&2
	exit 1
}

stop() {
	kill -TERM "$server"
	wait "$server" 2>/dev/null || true
}

# measure NAME: one wrk run against NAME; prints "rps p50 p99 errors".
measure() {
	local extra=()
	[ "$1" = gateway-close ] && extra=(-H 'Connection: close')
	start "$1"
	wrk --latency -t "$threads" -c "$conns" -d "$duration" \
		"${extra[@]}" "$url" >"$tmp/$1.wrk"
	stop
	python3 - "$tmp/$1.wrk" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
def ms(p):
    m = re.search(r"^\s+%s%%\s+([0-9.]+)(us|ms|s)\s*$" % p, out, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v * {"us": 0.001, "ms": 1, "s": 1000}[u]
errs = sum(int(x) for x in re.findall(
    r"(?:connect|read|write|timeout) (\d+)", out))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
errs += int(m.group(1)) if m else 0
print("%.0f %.2f %.2f %d" % (rps, ms(50), ms(99), errs))
PY
}

servers=(wsgiref gunicorn gateway-close gateway)
echo "hello.py, wrk -t$threads -c$conns -d$duration, $(nproc) CPUs," \
	"$(python3 --version), gunicorn $("${gunicorn[@]}" --version 2>&1 | awk '{print $NF}' | tr -d ')')"
for round in $(seq "$rounds"); do
	for s in "${servers[@]}"; do
		r=$(measure "$s")
		echo "$s $r" >>"$tmp/results"
		read -r rps p50 p99 errs <<<"$r"
		printf '  %-14s %8s req/s  p50 %7s ms  p99 %7s ms  errors %s\n' \
			"$s" "$rps" "$p50" "$p99" "$errs"
	done
done
python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, errs = line.split()
    rows.setdefault(name, []).append((float(rps), float(p50), float(p99)))
med = {}
for name, rs in rows.items():
    rs.sort()
    med[name] = rs[len(rs) // 2]
print("median of each (by req/s):")
for name in ("wsgiref", "gunicorn", "gateway-close", "gateway"):
    rps, p50, p99 = med[name]
    print("  %-14s %8.0f req/s  p99 %7.2f ms" % (name, rps, p99))
w, g = med["wsgiref"][0], med["gunicorn"][0]
for name in ("gateway", "gateway-close"):
    r = med[name][0]
    print("%-14s %5.1fx wsgiref, %4.1fx gunicorn (req/s)" % (
        name, r / w, r / g))
PY
