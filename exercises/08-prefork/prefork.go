// This file is given: it needs no editing.

package httpd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// Main is the whole program of cmd/prefork, master and worker in one
// binary, since Go cannot fork: the master runs this same executable
// again, with the same arguments, for each worker, and sets WorkerEnv
// in the worker's environment. It returns the exit status.
//
//	prefork [-addr HOST:PORT] [-workers N] [-mode inherit|reuseport]
//	        [-conns N] [-graceful-timeout D] [-crash]
//
// The master listens on addr (127.0.0.1 and a free port by default)
// and prints "listening on HOST:PORT" as its first line. In inherit
// mode the workers inherit its listening socket as fd 3; in reuseport
// mode it only reserves the port, and each worker listens on it with
// SO_REUSEPORT. Then Master.Run keeps the workers running until SIGINT
// or SIGTERM, stops and reaps them, and Main returns 0; or 1 if Run
// failed.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prefork", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	workers := fs.Int("workers", 3, "worker processes to keep running")
	mode := fs.String("mode", "inherit", "how the workers share the "+
		"port: inherit (the master's socket, as fd 3) or reuseport "+
		"(a socket each, with SO_REUSEPORT)")
	conns := fs.Int("conns", 0, "connections a worker serves at once: "+
		"1 accepts, serves, then accepts again; 0 means no limit")
	grace := fs.Duration("graceful-timeout", 10*time.Second,
		"how long a stop waits for workers before SIGKILL")
	crash := fs.Bool("crash", false, "workers exit at once (to watch "+
		"the master back off)")
	if err := fs.Parse(args); err != nil {
		return 2
	}

	if spec := os.Getenv(WorkerEnv); spec != "" {
		return runWorker(workerConfig{listen: spec, conns: *conns,
			crash: *crash}, stderr)
	}

	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "prefork:", err)
		return 1
	}
	var (
		files []*os.File // for every worker, from fd 3 on
		spec  string     // WorkerEnv for every worker
		where net.Addr
	)
	switch *mode {
	case "inherit":
		var f *os.File
		f, where, err = listenInherit(*addr)
		if err == nil {
			defer f.Close()
			files, spec = []*os.File{f}, "fd:3"
		}
	case "reuseport":
		var f *os.File
		f, where, err = reservePort(*addr)
		if err == nil {
			defer f.Close()
			spec = "reuseport:" + where.String()
		}
	default:
		err = fmt.Errorf("-mode %q: want inherit or reuseport", *mode)
	}
	if err != nil {
		fmt.Fprintln(stderr, "prefork:", err)
		return 1
	}
	// Catch the signals before saying "listening": whoever reads that
	// line may stop the server at once.
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stdout, "listening on %s\n", where)

	m := &Master{
		Workers: *workers,
		Files:   files,
		Command: func() *exec.Cmd {
			cmd := exec.Command(exe, args...)
			cmd.Env = append(os.Environ(), WorkerEnv+"="+spec)
			cmd.Stdout, cmd.Stderr = stderr, stderr
			return cmd
		},
		StopTimeout: *grace,
		Log:         log.New(stderr, "master: ", 0),
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "prefork:", err)
		return 1
	}
	if ctx.Err() == nil {
		fmt.Fprintln(stderr, "prefork:", errors.New("Run returned "+
			"before a signal told it to stop"))
		return 1
	}
	return 0
}
