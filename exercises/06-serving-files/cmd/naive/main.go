// This file is given: it needs no editing.

// Command naive is a file server written the way most first attempts
// are, kept to show lesson 6's failures for real. Don't copy it.
//
// It makes a temporary folder, serves DIR/www on 127.0.0.1 and puts
// secrets where a request must never reach them:
//
//	DIR/secret.txt              outside the root
//	DIR/www-private/secret.txt  outside, in a folder named like it
//	DIR/www/link-out            a symbolic link to ../secret.txt
//
// By default it joins the request's path to the root and opens the
// result. With -check it also refuses a result that does not start
// with the root, a check that looks right and is not. It removes the
// folder when it stops (Ctrl-C).
//
//	go run ./06-serving-files/cmd/naive [-check] [-addr HOST:PORT]
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	httpd "socket2gateway/exercises/06-serving-files"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("naive: ")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	check := flag.Bool("check", false, "refuse paths that do not "+
		"start with the root (strings.HasPrefix)")
	flag.Parse()
	if err := run(*addr, *check); err != nil {
		log.Fatal(err)
	}
}

func run(addr string, check bool) error {
	dir, err := os.MkdirTemp("", "naive-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "www")
	if err := makeSite(dir); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &httpd.Server{Handler: naive(root, check)}
	fmt.Printf("listening on %s\n", ln.Addr())
	log.Printf("serving %s (check: %t)", root, check)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-stop:
		srv.Close()
		<-done
		return nil
	case err := <-done:
		return err
	}
}

// naive returns the handler this command is named for.
func naive(root string, check bool) httpd.Handler {
	return httpd.HandlerFunc(func(w httpd.ResponseWriter, r *httpd.Request) {
		p := filepath.Join(root, r.Path) // Join cleans "..": out we go
		if check && !strings.HasPrefix(p, root) {
			httpd.Error(w, 403, "Nice try.")
			return
		}
		f, err := os.Open(p) // follows any symbolic link
		if err != nil {
			httpd.Error(w, 404, "File not found.")
			return
		}
		defer f.Close()
		io.Copy(w, f)
	})
}

func makeSite(dir string) error {
	files := map[string]string{
		"www/index.html": "<!DOCTYPE html>\n<p>The naive server.</p>\n",
		"www/hello.txt":  "hello, world\n",
		"secret.txt":     "password: hunter2 (from DIR/secret.txt)\n",
		"www-private/secret.txt": "api key: 0xC0FFEE " +
			"(from DIR/www-private/secret.txt)\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return os.Symlink("../secret.txt", filepath.Join(dir, "www", "link-out"))
}
