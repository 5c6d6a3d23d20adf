// This file is given: it needs no editing.

// Command serve runs lesson 12's gateway: a WSGI app in a pool of
// Python workers behind lesson 5's server. `tutor run 12` starts it.
//
//	serve [-addr HOST:PORT] [-app FILE.py:CALLABLE | MODULE:CALLABLE]
//	      [-workers N] [-max-requests N] [-graceful-timeout D]
//
// -app defaults to apps/demo.py:app. A relative FILE is looked for
// from the current folder (the workbook's root under `tutor run`),
// then from the lesson's folder, exercises/12-worker-gateway; a MODULE
// is imported from the current folder.
//
// It starts the workers, listens on addr (by default 127.0.0.1 and a
// free port), prints "listening on HOST:PORT" as its first line, and
// serves until SIGINT (Ctrl-C) or SIGTERM. Then it stops gracefully:
// no new connections, requests in flight finish (for at most
// -graceful-timeout), every worker is stopped and reaped, and it exits
// with status 0. As gunicorn's arbiter does, SIGTTIN adds a worker
// and SIGTTOU removes one:
//
//	kill -TTIN <pid of serve>
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	httpd "socket2gateway/exercises/12-worker-gateway"
)

// lessonDir is where relative app files are looked for second.
const lessonDir = "exercises/12-worker-gateway"

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	app := flag.String("app", "apps/demo.py:app",
		"the WSGI app: FILE.py:CALLABLE or MODULE:CALLABLE")
	workers := flag.Int("workers", 2, "worker processes")
	maxRequests := flag.Int("max-requests", 0,
		"replace a worker after this many requests (0: never)")
	graceful := flag.Duration("graceful-timeout", 30*time.Second,
		"how long requests in flight may take to finish on stop")
	flag.Parse()

	logger := log.New(os.Stderr, "", log.LstdFlags)
	pool, err := httpd.New(httpd.Config{
		App:         resolveApp(*app),
		Workers:     *workers,
		MaxRequests: *maxRequests,
		ErrorLog:    logger,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		pool.Close()
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	// Catch the signals before saying "listening": whoever reads that
	// line may stop the server at once.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGTTIN,
		syscall.SIGTTOU)
	fmt.Printf("listening on %s\n", ln.Addr())
	logger.Printf("serve: %s with %d workers %v (pid %d)", *app,
		*workers, pool.Workers(), os.Getpid())

	srv := &httpd.Server{Handler: pool, ErrorLog: logger}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	n := *workers
	for {
		select {
		case s := <-sig:
			switch s {
			case syscall.SIGTTIN, syscall.SIGTTOU:
				want := n + 1
				if s == syscall.SIGTTOU {
					want = n - 1
				}
				if err := pool.Scale(want); err != nil {
					logger.Printf("serve: %v", err)
					continue
				}
				n = want
				logger.Printf("serve: %d workers", n)
				continue
			}
			// Stop: no new connections; requests in flight
			// finish; then the workers stop and the rest of the
			// connections close.
			logger.Printf("serve: stopping (%v)", s)
			ln.Close()
			ctx, cancel := context.WithTimeout(
				context.Background(), *graceful)
			if err := pool.Shutdown(ctx); err != nil {
				logger.Printf("serve: workers killed: %v", err)
			}
			cancel()
			srv.Close()
			<-done
			fmt.Println("stopped")
			return
		case err := <-done:
			pool.Close()
			fmt.Fprintln(os.Stderr, "serve:", err)
			os.Exit(1)
		}
	}
}

// resolveApp makes a relative FILE.py of spec absolute, looking in
// the current folder, then in lessonDir. A MODULE:CALLABLE stays as
// it is.
func resolveApp(spec string) string {
	target, name, ok := cutLast(spec, ":")
	if !ok {
		target, name = spec, ""
	}
	if !strings.HasSuffix(target, ".py") &&
		!strings.ContainsRune(target, filepath.Separator) {
		return spec
	}
	path := target
	if _, err := os.Stat(path); err != nil && !filepath.IsAbs(path) {
		if _, err := os.Stat(filepath.Join(lessonDir, path)); err == nil {
			path = filepath.Join(lessonDir, path)
		}
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if !ok {
		return path
	}
	return path + ":" + name
}

// cutLast cuts s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
