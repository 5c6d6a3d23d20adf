// This file is given: it needs no editing.

// Command serve runs lesson 10's stack of apps on the gateway server
// of lesson 9; `tutor run 10` starts it.
//
//	serve [-addr HOST:PORT]
//
// It listens on addr (by default 127.0.0.1 and a free port), prints
// "listening on HOST:PORT" as its first line, and serves, each app
// checked by Validate, the whole under Validate too:
//
//	/hello/NAME    "Hello, NAME!" and the URLs wsgiref.util rebuilds
//	/env/...       the environ (lesson 9's demo): see SCRIPT_NAME
//	/numbered/...  the same demo through NumberLines; try
//	               /numbered/stream with curl -N
//	/broken        an app that sends a hop-by-hop field: a 500, and
//	               the validator's line in the log (stderr)
//
// Anything else is a 404. It stops on SIGINT (Ctrl-C) or SIGTERM, and
// then exits with status 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	gateway "socket2gateway/exercises/10-middleware"
	"socket2gateway/exercises/10-middleware/httpd"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()

	v := gateway.Validate
	app := v(gateway.Mount(map[string]gateway.App{
		"/hello":    v(hello()),
		"/env":      v(gateway.Demo()),
		"/numbered": v(gateway.NumberLines(gateway.Demo())),
		"/broken":   v(broken()),
	}))
	srv, err := gateway.MakeServer(*addr, app)
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	// Catch the signals before saying "listening": whoever reads that
	// line may stop the server at once.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
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

// hello greets the first segment of its PATH_INFO, which it shifts
// to SCRIPT_NAME, and shows the URLs of the request.
func hello() gateway.App {
	return gateway.AppFunc(func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		name, ok := gateway.ShiftPathInfo(env)
		if !ok || name == "" {
			name = "World"
		}
		_, err := start("200 OK", [][2]string{
			{"Content-Type", "text/plain; charset=utf-8"},
		}, nil)
		if err != nil {
			return nil, err
		}
		return gateway.List(fmt.Appendf(nil, "Hello, %s!\n\n"+
			"SCRIPT_NAME      %q\nPATH_INFO        %q\n"+
			"application_uri  %s\nrequest_uri      %s\n",
			name, env.Vars["SCRIPT_NAME"], env.Vars["PATH_INFO"],
			gateway.ApplicationURI(env),
			gateway.RequestURI(env, true))), nil
	})
}

// broken breaks a rule: Connection is the server's field.
func broken() gateway.App {
	return gateway.AppFunc(func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		_, err := start("200 OK", [][2]string{
			{"Content-Type", "text/plain"}, {"Connection", "close"},
		}, nil)
		if err != nil {
			return nil, err
		}
		return gateway.List([]byte("you should not see this\n")), nil
	})
}
