// This file is given: it needs no editing.

// Command serve runs lesson 4's server; `tutor run 4` starts it.
//
//	serve [-addr HOST:PORT]
//
// It listens on addr (by default 127.0.0.1 and a free port), prints
// "listening on HOST:PORT" as its first line, and serves the demo
// handler until SIGINT (Ctrl-C) or SIGTERM, then exits with status 0.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	httpd "socket2gateway/exercises/04-writing-a-response"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()

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

	srv := &httpd.Server{Handler: httpd.Demo()}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case <-stop:
		srv.Close()
		<-done
		fmt.Println("stopped")
	case err := <-done:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
