// This file is given: it needs no editing.

// Command serve is lesson 6's server: it serves a folder with
// FileServer, over the keep-alive server of lesson 5, until it gets
// SIGINT (Ctrl-C) or SIGTERM. `tutor run 6` builds and starts it.
//
// Usage:
//
//	serve [-addr HOST:PORT] [-root DIR]
//
// -addr is where to listen (default 127.0.0.1 and a free port). -root
// is the folder to serve; by default the small site of the lesson,
// exercises/06-serving-files/public. The first line on stdout is
// "listening on HOST:PORT".
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	httpd "socket2gateway/exercises/06-serving-files"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("serve: ")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	root := flag.String("root", "", "folder to serve (default: the "+
		"lesson's site, exercises/06-serving-files/public)")
	flag.Parse()
	if err := run(*addr, *root); err != nil {
		log.Fatal(err)
	}
}

func run(addr, dir string) error {
	if dir == "" {
		var err error
		if dir, err = bundledSite(); err != nil {
			return err
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &httpd.Server{Handler: httpd.FileServer(root)}
	// Catch the signals before saying "listening": whoever reads that
	// line may stop the server at once.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	fmt.Printf("listening on %s\n", ln.Addr())
	abs, _ := filepath.Abs(dir)
	log.Printf("serving %s", abs)

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

// bundledSite finds the lesson's site, from the workbook's root (where
// tutor runs the server), from exercises/ or from the lesson's folder.
func bundledSite() (string, error) {
	for _, dir := range []string{
		"exercises/06-serving-files/public",
		"06-serving-files/public",
		"public",
	} {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir, nil
		}
	}
	return "", errors.New("the lesson's site was not found: " +
		"say which folder to serve with -root DIR")
}
