// This file is given: it needs no editing.

package httpd

import (
	"errors"
	"log"
	"net"
	"sync"
	"time"
)

// Server serves HTTP/1.x on the connections of a listener, each in a
// goroutine of its own (lesson 7 compares other ways). serveConn, in
// conn.go, serves one connection.
type Server struct {
	// Handler answers every request.
	Handler Handler
	// Limits bound the request line and the header section.
	Limits Limits
	// ReadHeaderTimeout bounds the wait for a request line and header:
	// from the connection's start, or from the first byte of a request
	// after the first. Zero means 10 seconds.
	ReadHeaderTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection. Zero means 60 seconds.
	IdleTimeout time.Duration
	// WriteTimeout bounds the time from the end of a request's header
	// to the end of its response, reading the body included. Zero
	// means no limit.
	WriteTimeout time.Duration
	// ErrorLog receives handler panics and failed connections; nil
	// means the log package's standard logger.
	ErrorLog *log.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{} // guarded by mu
	conns     map[net.Conn]struct{}     // guarded by mu
	closed    bool                      // guarded by mu
	wg        sync.WaitGroup            // Serve loops and connections
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("httpd: server closed")

// ListenAndServe listens on the TCP address addr and serves it.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln and serves each in a new goroutine,
// until Close. It closes ln, and returns ErrServerClosed after Close.
func (s *Server) Serve(ln net.Listener) error {
	if !s.track(ln, nil) {
		ln.Close()
		return ErrServerClosed
	}
	defer s.wg.Done()
	var delay time.Duration // back-off after a failed Accept
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() ||
				errors.Is(err, net.ErrClosed) {
				ln.Close()
				return err
			}
			// Out of file descriptors, or a client that left while
			// queued: wait a little and go on.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.logf("httpd: accept: %v; retrying in %v", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if !s.track(nil, c) {
			c.Close()
			return ErrServerClosed
		}
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.serveConn(c)
		}()
	}
}

// Close stops the server: it closes every listener and connection,
// then waits for Serve and the connections' goroutines to return. It
// is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var err error
	for ln := range s.listeners {
		if e := ln.Close(); e != nil && err == nil {
			err = e
		}
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// track registers a listener or a connection, and counts it in wg. It
// returns false when the server is closed.
func (s *Server) track(ln net.Listener, c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
		s.conns = map[net.Conn]struct{}{}
	}
	if ln != nil {
		s.listeners[ln] = struct{}{}
	}
	if c != nil {
		s.conns[c] = struct{}{}
	}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

func (s *Server) readHeaderTimeout() time.Duration {
	if s.ReadHeaderTimeout > 0 {
		return s.ReadHeaderTimeout
	}
	return 10 * time.Second
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return 60 * time.Second
}

// writeDeadline returns the deadline for a response started now, or
// the zero time (no deadline) when WriteTimeout is zero.
func (s *Server) writeDeadline() time.Time {
	if s.WriteTimeout > 0 {
		return time.Now().Add(s.WriteTimeout)
	}
	return time.Time{}
}
