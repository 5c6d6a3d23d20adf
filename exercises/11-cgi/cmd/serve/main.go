// This file is given: it needs no editing.

// Command serve runs lesson 11's CGI server; `tutor run 11` starts it.
//
//	serve [-addr HOST:PORT] [-root DIR] [-timeout DURATION]
//
// It serves the executable files of root under /cgi-bin/ (by default
// the lesson's scripts, exercises/11-cgi/testdata/cgi-bin), listens
// on addr (by default 127.0.0.1 and a free port), and prints
// "listening on HOST:PORT" as its first line. On SIGINT (Ctrl-C) or
// SIGTERM it kills every running script, stops, and exits with
// status 0.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	httpd "socket2gateway/exercises/11-cgi"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	root := flag.String("root", defaultRoot(),
		"folder of the scripts, served under /cgi-bin/")
	timeout := flag.Duration("timeout", 30*time.Second,
		"time limit of a script")
	flag.Parse()

	dir, err := filepath.Abs(*root)
	if err == nil {
		_, err = os.ReadDir(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve: -root:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	// Catch the signals before saying "listening": whoever reads that
	// line may stop the server at once.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	fmt.Printf("listening on %s\n", ln.Addr())
	fmt.Printf("serving the scripts of %s under /cgi-bin/\n", dir)

	cgi := &httpd.CGI{
		Root:    dir,
		Prefix:  "/cgi-bin",
		Addr:    ln.Addr().String(),
		Timeout: *timeout,
	}
	srv := &httpd.Server{Handler: cgi, WriteTimeout: *timeout + time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case <-stop:
		cgi.Close() // first: the server's Close waits for requests
		srv.Close()
		<-done
		fmt.Println("stopped")
	case err := <-done:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

// defaultRoot returns the lesson's scripts folder, as seen from the
// workbook's root (where tutor runs the server), the exercises folder
// or the lesson's own.
func defaultRoot() string {
	for _, dir := range []string{
		"exercises/11-cgi/testdata/cgi-bin",
		"11-cgi/testdata/cgi-bin",
		"testdata/cgi-bin",
	} {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
	}
	return "exercises/11-cgi/testdata/cgi-bin"
}
