// This file is given: it needs no editing.

// Command prefork runs lesson 8's prefork server; `tutor run 8` starts
// it. One binary is both the master and its workers:
//
//	prefork [-addr HOST:PORT] [-workers N] [-mode inherit|reuseport]
//	        [-conns N] [-graceful-timeout D] [-crash]
//
// The master prints "listening on HOST:PORT" as its first line, starts
// the workers (this same program, run again with PREFORK_WORKER set),
// keeps them running, and on SIGINT (Ctrl-C) or SIGTERM stops and
// reaps them all, then exits with status 0. Every response names the
// worker that served it, in the X-Worker-Pid field and in the body.
// See httpd.Main for the flags.
package main

import (
	"os"

	httpd "socket2gateway/exercises/08-prefork"
)

func main() {
	os.Exit(httpd.Main(os.Args[1:], os.Stdout, os.Stderr))
}
