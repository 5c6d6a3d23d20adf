// This file is given: it needs no editing.

// Command serve runs lesson 7's server; `tutor run 7` starts it, and
// passes on the flags it does not know itself:
//
//	serve [-addr HOST:PORT] [-strategy sync|perconn|pool]
//	      [-workers N] [-queue N]
//
// It listens on addr (by default 127.0.0.1 and a free port), prints
// "listening on HOST:PORT" as its first line, and serves the demo
// handler (GET / and GET /slow?ms=N) with the strategy chosen, a pool
// of 16 workers and a queue of 64 by default, until SIGINT (Ctrl-C)
// or SIGTERM. Then it closes the server, which waits for requests in
// flight, and exits with status 0; a second Ctrl-C stops it at once.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	httpd "socket2gateway/exercises/07-threading-mixin"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	name := flag.String("strategy", "pool",
		"how connections are served: sync, perconn or pool")
	workers := flag.Int("workers", 16, "workers of the pool")
	queue := flag.Int("queue", 64, "requests the pool queues")
	flag.Parse()

	var strategy httpd.Strategy
	var about string
	switch *name {
	case "sync":
		strategy, about = httpd.Sync(), "sync (one connection at a time)"
	case "perconn":
		strategy = httpd.PerConn(true)
		about = "perconn (a goroutine per connection)"
	case "pool":
		strategy = httpd.Pool(*workers, *queue)
		about = fmt.Sprintf("pool of %d workers, queue of %d",
			*workers, *queue)
	default:
		fmt.Fprintf(os.Stderr, "serve: -strategy %q: want sync, "+
			"perconn or pool\n", *name)
		os.Exit(2)
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

	srv := &httpd.Server{Handler: httpd.Demo(about), Strategy: strategy}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case <-stop:
		signal.Stop(stop) // a second Ctrl-C stops it at once
		fmt.Println("stopping: waiting for the requests in flight")
		srv.Close()
		<-done
		fmt.Println("stopped")
	case err := <-done:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
