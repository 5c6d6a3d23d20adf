// This file is given: it needs no editing.

// Command serve runs lesson 9's gateway server; `tutor run 9` starts
// it.
//
//	serve [-addr HOST:PORT] [-app demo|hello|conformance]
//
// It listens on addr (by default 127.0.0.1 and a free port), prints
// "listening on HOST:PORT" as its first line, and serves the app: demo
// (the default) prints the environ of each request, hello answers
// "Hello, World!" (the benchmark's app), conformance is the app of the
// conformance suite. It stops on SIGINT (Ctrl-C) or SIGTERM, and then
// exits with status 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	gateway "socket2gateway/exercises/09-gateway-interface"
	"socket2gateway/exercises/09-gateway-interface/httpd"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	name := flag.String("app", "demo", "app to serve: demo, hello "+
		"or conformance")
	flag.Parse()

	apps := map[string]func() gateway.App{
		"demo":        gateway.Demo,
		"hello":       gateway.Hello,
		"conformance": gateway.Conformance,
	}
	app, ok := apps[*name]
	if !ok {
		fmt.Fprintf(os.Stderr, "serve: no app %q\n", *name)
		os.Exit(2)
	}
	// Catch the signals before saying where we listen: whoever
	// reads that line may stop us at once.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	srv, err := gateway.MakeServer(*addr, app())
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", srv.Addr())

	done := make(chan error, 1)
	go func() { done <- srv.ServeForever() }()

	select {
	case <-stop:
		srv.Close()
		if err := <-done; !errors.Is(err, httpd.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "serve:", err)
			os.Exit(1)
		}
	case err := <-done:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
