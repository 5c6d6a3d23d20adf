// This file is given: it needs no editing.

// Command load loads one URL of a server on 127.0.0.1 with the load
// generator of lesson 14 (your load.go) and prints what it measured:
//
//	cd exercises
//	go run ./14-measuring/cmd/load -url http://127.0.0.1:8005/hello \
//	    -c 50 -d 5s
//
// -c workers (50), each on a keep-alive connection of its own, send a
// request, wait for the whole response and send the next, for -d (5
// s). -timeout (5 s) bounds one request. -H 'Name: value' adds a
// field to every request, and may be given more than once; -browser
// adds the fields a browser sends (load.BrowserHeader). Ctrl-C
// ends the run early, and what was measured until then is printed.
//
// It prints requests per second, the 50th, 90th and 99th percentiles
// of the latency (nearest rank), the slowest request, and the failed
// requests by kind. With -json it prints one line, a JSON object
// (`tutor bench` reads it):
//
//	{"requests":N,"seconds":S,"rps":R,"p50_ms":P,"p90_ms":P,
//	 "p99_ms":P,"max_ms":P,"errors":{"early_close":N,"timeout":N,
//	 "bad_status":N,"refused":N}}
//
// requests counts the successful requests (a complete 2xx response),
// seconds is the measured window, rps is requests / seconds, the _ms
// figures are latencies of the successful requests in milliseconds
// (0 when there is none), and errors counts the failed requests by
// kind: early_close (the connection ended before a complete
// response), timeout (no complete response within -timeout),
// bad_status (a status other than 2xx, or an answer that is not HTTP)
// and refused (no connection could be made). A request still in
// flight when the run ends counts nowhere.
//
// The exit status is 0 when the run took place (errors or not), 1 if
// it could not start, 2 for a bad flag. Only loopback addresses are
// accepted: 127.0.0.1, [::1].
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	load "socket2gateway/exercises/14-measuring"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "the `URL` to load: http://127.0.0.1:PORT/...")
	c := fs.Int("c", 50, "workers, each on a connection of its own")
	d := fs.Duration("d", 5*time.Second, "how long to load")
	timeout := fs.Duration("timeout", load.DefaultTimeout,
		"how long one request may take")
	asJSON := fs.Bool("json", false, "print one JSON object")
	browser := fs.Bool("browser", false, "send the fields a browser "+
		"sends (load.BrowserHeader), then the -H fields")
	var header fields
	fs.Var(&header, "H", "a header `field` for every request, "+
		"'Name: value' (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *url == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: load -url http://127.0.0.1:PORT/ "+
			"[-c 50] [-d 5s] [-timeout 5s] [-browser] [-H 'Name: value'] "+
			"[-json]")
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *browser {
		header = append(slices.Clone(load.BrowserHeader), header...)
	}
	cfg := load.Config{URL: *url, Concurrency: *c, Duration: *d,
		Timeout: *timeout, Header: header}
	if !*asJSON {
		fmt.Fprintf(stdout, "%s: %d connections for %v\n", *url, *c, *d)
	}
	r, err := load.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	s := r.Summary()
	if *asJSON {
		b, err := json.Marshal(s)
		if err != nil {
			fmt.Fprintln(stderr, "load:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	fmt.Fprintf(stdout, "  %d requests in %.2f s: %.0f req/s\n",
		s.Requests, s.Seconds, s.RPS)
	fmt.Fprintf(stdout, "  latency p50 %.2f ms  p90 %.2f ms  "+
		"p99 %.2f ms  max %.2f ms\n", s.P50, s.P90, s.P99, s.Max)
	e := s.Errors
	if e.Total() == 0 {
		fmt.Fprintln(stdout, "  errors: none")
	} else {
		fmt.Fprintf(stdout, "  errors: %d early close, %d timeout, "+
			"%d bad status, %d refused\n", e.EarlyClose, e.Timeout,
			e.BadStatus, e.Refused)
	}
	return 0
}

// fields is a flag that may be given more than once.
type fields []string

func (f *fields) String() string { return strings.Join(*f, ", ") }

func (f *fields) Set(v string) error {
	*f = append(*f, v)
	return nil
}
