// This file is given: it needs no editing.

// Command serve runs lesson 13's server; `tutor run 13` starts it.
//
//	serve [-addr HOST:PORT] [-grace DURATION] [-max-conns N]
//
// It listens on addr (by default 127.0.0.1 and a free port), prints
// "listening on HOST:PORT" as its first line, then one access log line
// per response. On SIGINT (Ctrl-C) or SIGTERM it shuts down
// gracefully: it waits up to grace for the requests in flight, prints
// a summary, and exits with status 0, or 1 if it had to close
// connections by force. A second signal stops it at once.
//
//	GET  /            a line of text
//	GET  /slow?ms=N   a line after N milliseconds (at most 60000)
//	POST /echo        the body back (1 MiB at most: 413 beyond)
//	GET  /pid         the server's process id, to signal it:
//	                  kill -INT $(curl -s http://HOST:PORT/pid)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	httpd "socket2gateway/exercises/13-graceful-shutdown"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	grace := flag.Duration("grace", 5*time.Second,
		"how long a shutdown waits for requests in flight")
	maxConns := flag.Int("max-conns", 100,
		"connections open at once; one more gets a 503")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	// The first SIGINT or SIGTERM ends ctx; stop() then restores the
	// default, so that a second one kills the process. They are caught
	// before "listening": whoever reads that line may stop us at once.
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Printf("listening on %s\n", ln.Addr())

	var open, served atomic.Int64
	srv := &httpd.Server{
		Handler:   demo(&served),
		MaxConns:  *maxConns,
		AccessLog: os.Stdout,
		ConnState: func(_ net.Conn, st httpd.ConnState) {
			switch st {
			case httpd.StateNew:
				open.Add(1)
			case httpd.StateClosed:
				open.Add(-1)
			}
		},
	}
	srv.RegisterOnShutdown(func(context.Context) {
		fmt.Println("shutdown hooks: nothing to stop in this lesson")
	})

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case <-ctx.Done():
		stop()
	case err := <-done:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}

	began := time.Now()
	fmt.Printf("shutting down: open connections %d, grace %v\n",
		open.Load(), *grace)
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	err = srv.Shutdown(sctx)
	if e := <-done; !errors.Is(e, httpd.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "serve:", e)
	}
	took := time.Since(began).Round(time.Millisecond)
	if err != nil {
		fmt.Printf("stopped after %v; requests served: %d; %v\n",
			took, served.Load(), err)
		os.Exit(1)
	}
	fmt.Printf("stopped after %v; requests served: %d; none cut\n",
		took, served.Load())
}

// demo is the server's handler; served counts the requests it
// answered.
func demo(served *atomic.Int64) httpd.Handler {
	routes := map[string]httpd.Methods{
		"/":     {"GET": hello},
		"/slow": {"GET": slow},
		"/echo": {"POST": echo},
		"/pid":  {"GET": pid},
	}
	return httpd.HandlerFunc(func(w httpd.ResponseWriter,
		r *httpd.Request) {
		defer served.Add(1)
		h, ok := routes[r.Path]
		if !ok {
			httpd.Error(w, 404, "Try /, /slow?ms=2000, /echo or /pid.")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func hello(w httpd.ResponseWriter, r *httpd.Request) {
	io.WriteString(w, "Hello from lesson 13. Try /slow?ms=3000.\n")
}

func slow(w httpd.ResponseWriter, r *httpd.Request) {
	q, _ := url.ParseQuery(r.RawQuery)
	ms, err := strconv.Atoi(q.Get("ms"))
	if err != nil || ms < 0 || ms > 60000 {
		httpd.Error(w, 400, "Give ms, milliseconds up to 60000.")
		return
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	fmt.Fprintf(w, "Answered after %d ms.\n", ms)
}

func echo(w httpd.ResponseWriter, r *httpd.Request) {
	b, err := io.ReadAll(r.Body)
	var se *httpd.StatusError
	switch {
	case errors.As(err, &se):
		httpd.Error(w, se.Code, se.Reason)
	case err != nil:
		httpd.Error(w, 400, "The body could not be read.")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	}
}

func pid(w httpd.ResponseWriter, r *httpd.Request) {
	fmt.Fprintln(w, os.Getpid())
}
