// This file is given: it needs no editing.

package httpd

import (
	"errors"
	"log"
	"net"
	"sync"
	"time"
)

// Server serves HTTP/1.x on the connections of a listener. Its accept
// loop hands every connection to its Strategy, which decides where the
// connection's requests are served: socketserver's BaseServer, with
// the mixin as a field.
type Server struct {
	// Handler answers every request.
	Handler Handler
	// Strategy serves the connections the accept loop hands it. Nil
	// means Sync(), like a socketserver.TCPServer without a mixin.
	Strategy Strategy
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
	conns     map[*Conn]struct{}        // guarded by mu
	closed    bool                      // guarded by mu
	loops     sync.WaitGroup            // running Serve loops
	closeOnce sync.Once                 // the work of Close
	closeErr  error                     // set by closeOnce
}

// Strategy decides where the connections of a server are served: it
// is the part of socketserver that a mixin overrides (process_request
// and server_close). strategy.go has three: Sync, PerConn and Pool.
type Strategy interface {
	// Serve is the server's process_request: the accept loop calls it
	// with every connection it accepts, and accepts the next one when
	// Serve returns. The strategy owns c from then on: it serves c's
	// requests (Next, then Handle or Reject, until one returns false
	// or closes c) there and then, or in another goroutine.
	Serve(c *Conn)
	// Close is the strategy's part of server_close. The server calls
	// it once, after its accept loops have returned, so Serve is never
	// called again; by then every connection waiting for a request
	// has been told to close, and the requests still running will
	// close theirs when they are answered. Close returns when the work
	// the strategy waits for is done: the requests in flight, or
	// nothing. A goroutine the strategy started must end in the end.
	Close()
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

// Serve accepts connections on ln and hands each to the strategy,
// until Close. With Sync, the strategy serves the connection before
// Serve accepts the next one. Serve closes ln, and returns
// ErrServerClosed after Close.
func (s *Server) Serve(ln net.Listener) error {
	strategy, ok := s.start(ln)
	if !ok {
		ln.Close()
		return ErrServerClosed
	}
	defer s.loops.Done()
	var delay time.Duration // back-off after a failed Accept
	for {
		rwc, err := ln.Accept()
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
		c := s.newConn(rwc)
		if c == nil {
			rwc.Close()
			return ErrServerClosed
		}
		strategy.Serve(c) // process_request
	}
}

// Close stops the server, in this order: it closes the listeners,
// and every connection waiting for a request (a request that is being
// handled goes on, and its response says "Connection: close"); it
// waits for the Serve loops to return; then it calls the strategy's
// Close, once, which waits for the requests in flight or not. It is
// safe to call more than once: a second call waits for the first.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		for ln := range s.listeners {
			if e := ln.Close(); e != nil && s.closeErr == nil {
				s.closeErr = e
			}
		}
		for c := range s.conns {
			if c.waiting {
				// Wake the read: Next sees the server closed.
				c.rwc.SetReadDeadline(aLongTimeAgo)
			}
		}
		strategy := s.Strategy
		s.mu.Unlock()
		s.loops.Wait()
		if strategy != nil {
			strategy.Close()
		}
	})
	return s.closeErr
}

// aLongTimeAgo is a deadline in the past: a read waiting on a
// connection returns at once with a timeout.
var aLongTimeAgo = time.Unix(1, 0)

// start registers a listener and a Serve loop, choosing the strategy
// when the first loop starts. It returns false when the server is
// closed.
func (s *Server) start(ln net.Listener) (Strategy, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
		s.conns = map[*Conn]struct{}{}
	}
	if s.Strategy == nil {
		s.Strategy = Sync()
	}
	s.listeners[ln] = struct{}{}
	s.loops.Add(1)
	return s.Strategy, true
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
