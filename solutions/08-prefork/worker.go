// This file is given: it needs no editing.

package httpd

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// WorkerEnv names the environment variable that makes Main a worker
// instead of the master. Its value says where the worker's socket is:
//
//	fd:3                 fd 3 is the master's listener, inherited
//	reuseport:HOST:PORT  the worker opens its own, with SO_REUSEPORT
const WorkerEnv = "PREFORK_WORKER"

// WorkerPIDHeader is the field of every response that names the worker
// process that served it. The body says it too.
const WorkerPIDHeader = "X-Worker-Pid"

// bootError is the exit status of a worker that could not start, as
// gunicorn's WORKER_BOOT_ERROR.
const bootError = 3

// workerConfig is what a worker takes from its flags.
type workerConfig struct {
	listen string // the value of WorkerEnv
	conns  int    // connections served at once; 0 means no limit
	crash  bool   // exit at once with bootError (-crash)
}

// runWorker is a worker's life: get the socket, serve it, and on
// SIGTERM stop accepting, finish the requests in flight and return 0.
// It returns early, with bootError, when it cannot start.
//
// SIGINT is ignored: Ctrl-C reaches every process in the terminal's
// process group, workers included, and it is the master that decides
// how they stop. A worker whose master died (its parent changed, as
// gunicorn's workers check) stops as if told to.
func runWorker(cfg workerConfig, stderr io.Writer) int {
	pid, ppid := os.Getpid(), os.Getppid()
	logger := log.New(stderr, fmt.Sprintf("worker %d: ", pid), 0)
	if cfg.crash {
		logger.Print("exiting at start-up, as -crash asks")
		return bootError
	}
	signal.Ignore(os.Interrupt)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)

	ln, err := workerListener(cfg.listen)
	if err != nil {
		logger.Print(err)
		return bootError
	}
	logger.Printf("serving %s", cfg.listen)
	w := &worker{srv: &Server{ErrorLog: logger}}
	w.srv.Handler = w.handle(pidHandler(pid))
	if cfg.conns > 0 {
		w.sem = make(chan struct{}, cfg.conns)
	}
	served := make(chan error, 1)
	go func() { served <- w.serve(ln) }()

	orphan := time.NewTicker(500 * time.Millisecond)
	defer orphan.Stop()
	for {
		select {
		case <-term:
			w.shutdown(ln)
			<-served
			return 0
		case <-orphan.C:
			if os.Getppid() != ppid {
				logger.Print("the master is gone; stopping")
				w.shutdown(ln)
				<-served
				return 0
			}
		case err := <-served:
			logger.Print(err)
			return 1
		}
	}
}

// workerListener returns the listener that spec (the value of
// WorkerEnv) names.
func workerListener(spec string) (net.Listener, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	switch kind {
	case "fd":
		n, err := strconv.Atoi(arg)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: not a descriptor", WorkerEnv,
				spec)
		}
		// The master put the socket at this number (ExtraFiles).
		// Without it, the number is free, and the Go runtime may
		// have opened a file of its own there: look before you
		// touch it.
		on, err := unix.GetsockoptInt(n, unix.SOL_SOCKET,
			unix.SO_ACCEPTCONN)
		if err != nil || on != 1 {
			return nil, fmt.Errorf("fd %d is not a listening socket "+
				"(did the master pass it in ExtraFiles?)", n)
		}
		// FileListener makes a listener of a copy; the original is
		// closed, so only one descriptor of it stays open here.
		f := os.NewFile(uintptr(n), "listener")
		defer f.Close()
		return net.FileListener(f)
	case "reuseport":
		return listenReusePort(arg)
	}
	return nil, fmt.Errorf("%s=%q: want fd:N or reuseport:HOST:PORT",
		WorkerEnv, spec)
}

// pidHandler answers every request with the worker's PID, in the
// WorkerPIDHeader field and in the body. With a query ms=N it first
// waits N milliseconds (at most 10 s): a request that stays in flight.
//
// GET /crash kills the worker as a bug would: a goroutine the handler
// started panics, no recover can catch it, and the process dies.
func pidHandler(pid int) Handler {
	id := strconv.Itoa(pid)
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		if r.Path == "/crash" {
			go func() { panic("GET /crash: a bug in a goroutine") }()
			time.Sleep(time.Second) // the process dies before this
		}
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		q, _ := url.ParseQuery(r.RawQuery)
		if ms, err := strconv.Atoi(q.Get("ms")); err == nil {
			time.Sleep(time.Duration(min(max(ms, 0), 10000)) *
				time.Millisecond)
		}
		w.Header().Set(WorkerPIDHeader, id)
		fmt.Fprintf(w, "served by worker %s\n", id)
	})
}

// worker serves one listener with the lesson 5 server's serveConn. It
// keeps count of its connections, so it can stop gracefully.
type worker struct {
	srv *Server
	// sem holds a token per connection being served. A worker with a
	// full sem does not call Accept: another process takes the next
	// client. nil means no limit (a goroutine per connection).
	sem chan struct{}

	mu       sync.Mutex
	conns    map[string]*trackedConn // by client address; guarded by mu
	stopping bool                    // guarded by mu
	wg       sync.WaitGroup          // one per connection
}

// serve accepts connections and serves each in a goroutine, holding a
// token of sem while it does, until the listener is closed.
func (w *worker) serve(ln net.Listener) error {
	var delay time.Duration
	for {
		if w.sem != nil {
			w.sem <- struct{}{}
		}
		c, err := ln.Accept()
		if err != nil {
			if w.sem != nil {
				<-w.sem
			}
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Out of descriptors, or a client that left while
			// queued: wait a little and go on.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		tc := w.track(c)
		if tc == nil { // stopping: c is closed
			if w.sem != nil {
				<-w.sem
			}
			continue
		}
		go func() {
			defer w.wg.Done()
			w.srv.serveConn(tc)
			w.untrack(tc)
			if w.sem != nil {
				<-w.sem
			}
		}()
	}
}

// handle wraps the worker's handler: it notes when a request has been
// answered, and on a stopping worker it closes the connection after
// the response.
func (w *worker) handle(h Handler) Handler {
	return HandlerFunc(func(rw ResponseWriter, r *Request) {
		w.mu.Lock()
		if tc := w.conns[r.RemoteAddr]; tc != nil {
			tc.idle, tc.answered = false, false
		}
		w.mu.Unlock()
		defer func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if tc := w.conns[r.RemoteAddr]; tc != nil {
				tc.answered = true
			}
			if w.stopping {
				rw.Header().Set("Connection", "close")
			}
		}()
		h.ServeHTTP(rw, r)
	})
}

// track wraps and registers a new connection, and counts it in wg. It
// returns nil, having closed c, when the worker is stopping: no Add
// may follow shutdown's Wait.
func (w *worker) track(c net.Conn) *trackedConn {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopping {
		c.Close()
		return nil
	}
	w.wg.Add(1)
	if w.conns == nil {
		w.conns = map[string]*trackedConn{}
	}
	tc := &trackedConn{Conn: c, w: w, idle: true}
	w.conns[c.RemoteAddr().String()] = tc
	return tc
}

func (w *worker) untrack(tc *trackedConn) {
	w.mu.Lock()
	delete(w.conns, tc.RemoteAddr().String())
	w.mu.Unlock()
}

// shutdown stops accepting, closes the connections that wait for a
// request, and waits for the others to finish theirs: each answers
// with "Connection: close" and ends. It does not give up: the master
// sends SIGKILL to a worker that takes too long.
func (w *worker) shutdown(ln net.Listener) {
	ln.Close()
	w.mu.Lock()
	w.stopping = true
	for _, tc := range w.conns {
		if tc.idle {
			tc.Conn.Close()
		}
	}
	w.mu.Unlock()
	w.wg.Wait()
}

// trackedConn is a connection that knows whether a request is in
// flight on it. It is idle from the first read after a response until
// a byte of the next request arrives (and idle when new).
type trackedConn struct {
	net.Conn
	w *worker
	// idle and answered are guarded by w.mu. answered is set when a
	// handler returns; the next read finds the connection idle.
	idle, answered bool
}

func (c *trackedConn) Read(p []byte) (int, error) {
	c.w.mu.Lock()
	if c.answered {
		c.idle, c.answered = true, false
	}
	if c.idle && c.w.stopping {
		c.w.mu.Unlock()
		return 0, io.EOF // no new request on a stopping worker
	}
	c.w.mu.Unlock()
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.w.mu.Lock()
		c.idle = false
		c.w.mu.Unlock()
	}
	return n, err
}

// CloseWrite lets serveConn close gracefully through the wrapper.
func (c *trackedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}
