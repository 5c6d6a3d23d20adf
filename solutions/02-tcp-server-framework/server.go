// Package socketserver is a small framework for stream servers, a Go
// mirror of Python's socketserver module
// (https://docs.python.org/3/library/socketserver.html). A Server
// accepts clients on a TCP or Unix socket and serves them one at a
// time, each with a fresh Handler.
package socketserver

import (
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"
)

// ErrServerClosed is returned by ServeForever and HandleRequest once
// Shutdown has been called.
var ErrServerClosed = errors.New("socketserver: server closed")

// Server accepts clients on a listening socket and serves them one at
// a time: it mirrors Python's BaseServer, and NewTCPServer and
// NewUnixServer mirror TCPServer and UnixStreamServer.
//
// Set the fields before calling ServeForever or HandleRequest, and do
// not change them while either runs. The hooks run in the goroutine
// that serves; they must not panic and must not call Shutdown.
type Server struct {
	// NewHandler makes the Handler for one client connection, like the
	// RequestHandlerClass Python instantiates per request. Required.
	NewHandler func(conn net.Conn) Handler

	// Timeout bounds how long HandleRequest waits for a client; when
	// it passes with no client, HandleRequest calls HandleTimeout.
	// Zero waits forever. ServeForever ignores it. Mirrors timeout.
	Timeout time.Duration

	// VerifyRequest, if set, is asked about every accepted client
	// before it is served. When it returns false the server closes the
	// connection and no Handler is made. Mirrors verify_request; nil
	// accepts every client.
	VerifyRequest func(conn net.Conn) bool

	// HandleError, if set, is called with the client's address and the
	// error when a Handler fails or panics (the error is then a
	// *PanicError). It runs after the handler's Finish and before the
	// connection is closed. Mirrors handle_error; nil logs the error.
	HandleError func(addr net.Addr, err error)

	// HandleTimeout, if set, is called when HandleRequest's Timeout
	// passes with no client. Mirrors handle_timeout; nil does nothing.
	HandleTimeout func()

	ln listener

	closeOnce sync.Once
	closeErr  error // set once, by Close

	mu sync.Mutex
	// quit is closed by the first Shutdown; it never reopens.
	quit chan struct{}
	// serving is closed when the running ServeForever returns; nil
	// when none runs. Guarded by mu.
	serving chan struct{}
}

// listener is what a Server needs of its socket: a net.Listener whose
// Accept can be interrupted with a deadline. *net.TCPListener and
// *net.UnixListener are both.
type listener interface {
	net.Listener
	SetDeadline(t time.Time) error
}

// NewTCPServer listens on the TCP address addr ("127.0.0.1:0" picks a
// free port; see Addr) and returns a Server that makes its handlers
// with newHandler. Like Python's TCPServer, it binds and listens at
// once; serving starts with ServeForever or HandleRequest. The caller
// must Close the server.
func NewTCPServer(
	addr string, newHandler func(net.Conn) Handler,
) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("socketserver: %w", err)
	}
	return newServer(ln.(*net.TCPListener), newHandler), nil
}

// NewUnixServer listens on a Unix stream socket at path, like Python's
// UnixStreamServer. The socket file must not exist yet; Close removes
// it. The caller must Close the server.
func NewUnixServer(
	path string, newHandler func(net.Conn) Handler,
) (*Server, error) {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("socketserver: %w", err)
	}
	return newServer(ln.(*net.UnixListener), newHandler), nil
}

func newServer(ln listener, newHandler func(net.Conn) Handler) *Server {
	return &Server{
		NewHandler: newHandler,
		ln:         ln,
		quit:       make(chan struct{}),
	}
}

// Addr returns the address the server listens on, Python's
// server_address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// ServeForever accepts and serves clients, one at a time, until
// Shutdown is called; then it returns ErrServerClosed. It returns
// another error only when the listener fails for good (for example
// when Close is called without Shutdown). Mirrors serve_forever, but
// needs no poll interval: Shutdown wakes the blocked Accept itself.
// Only one ServeForever may run at a time.
func (s *Server) ServeForever() error {
	s.mu.Lock()
	if s.serving != nil {
		s.mu.Unlock()
		return errors.New("socketserver: ServeForever is already running")
	}
	serving := make(chan struct{})
	s.serving = serving
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.serving = nil
		s.mu.Unlock()
		close(serving) // Shutdown may return now
	}()

	var backoff time.Duration
	for {
		conn, err := s.getRequest(time.Time{})
		if errors.Is(err, ErrServerClosed) ||
			errors.Is(err, net.ErrClosed) {
			return err
		}
		if err != nil {
			// Out of file descriptors, say: wait, then try again.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			log.Printf("socketserver: accept: %v; retrying in %v",
				err, backoff)
			select {
			case <-s.quit:
				return ErrServerClosed
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		s.handle(conn)
	}
}

// HandleRequest waits for one client and serves it. When Timeout is
// set and passes first, it calls HandleTimeout and returns nil. Mirrors
// handle_request. It must not be called while ServeForever runs.
func (s *Server) HandleRequest() error {
	var deadline time.Time
	if s.Timeout > 0 {
		deadline = time.Now().Add(s.Timeout)
	}
	conn, err := s.getRequest(deadline)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		s.handleTimeout()
		return nil
	}
	if err != nil {
		return err
	}
	s.handle(conn)
	return nil
}

// Shutdown stops ServeForever and returns once it has returned. A
// client being served is served to the end first. Shutdown may be
// called more than once, from any goroutine but a Handler or a hook
// (it would wait for itself). It is final: ServeForever and
// HandleRequest return ErrServerClosed afterwards. It does not close
// the listener; Close does. Mirrors shutdown.
func (s *Server) Shutdown() {
	s.mu.Lock()
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	// A deadline in the past makes a blocked Accept return at once.
	_ = s.ln.SetDeadline(time.Unix(1, 0))
	serving := s.serving
	s.mu.Unlock()
	if serving != nil {
		<-serving
	}
}

// Close closes the listener (removing a Unix socket's file). Calling it
// again returns the first call's result. Call Shutdown first to stop a
// running ServeForever. Mirrors server_close.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.ln.Close() })
	return s.closeErr
}

// getRequest accepts the next client, waiting until deadline (zero: no
// deadline). Mirrors get_request.
func (s *Server) getRequest(deadline time.Time) (net.Conn, error) {
	// Under mu, so Shutdown cannot slip its past deadline in between
	// our check of quit and our SetDeadline, which would erase it.
	s.mu.Lock()
	select {
	case <-s.quit:
		s.mu.Unlock()
		return nil, ErrServerClosed
	default:
	}
	err := s.ln.SetDeadline(deadline)
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("socketserver: %w", err)
	}
	conn, err := s.ln.Accept()
	if err != nil {
		select {
		case <-s.quit:
			return nil, ErrServerClosed
		default:
		}
		return nil, fmt.Errorf("socketserver: %w", err)
	}
	return conn, nil
}

// handle serves one accepted client, or closes it unserved when
// VerifyRequest says no. Mirrors _handle_request_noblock.
func (s *Server) handle(conn net.Conn) {
	if !s.verifyRequest(conn) {
		s.shutdownRequest(conn)
		return
	}
	s.processRequest(conn)
}

// verifyRequest mirrors verify_request.
func (s *Server) verifyRequest(conn net.Conn) bool {
	return s.VerifyRequest == nil || s.VerifyRequest(conn)
}

// processRequest serves conn to the end, reports a failure and closes
// conn. Mirrors process_request: this is the synchronous version, which
// lesson 7's threading mixin replaces.
func (s *Server) processRequest(conn net.Conn) {
	defer s.shutdownRequest(conn)
	if err := s.finishRequest(conn); err != nil {
		s.handleError(conn.RemoteAddr(), err)
	}
}

// finishRequest makes a Handler for conn and runs Setup, Handle and
// Finish. A panic is recovered and returned as a *PanicError. Mirrors
// finish_request and BaseRequestHandler.__init__.
func (s *Server) finishRequest(conn net.Conn) (err error) {
	defer func() {
		if v := recover(); v != nil {
			stack := debug.Stack()
			err = &PanicError{Value: v, Stack: stack}
		}
	}()
	h := s.NewHandler(conn)
	if err := h.Setup(); err != nil {
		return err
	}
	defer h.Finish() // runs before the recover above: deferred later
	return h.Handle()
}

// shutdownRequest closes a client connection. Mirrors shutdown_request.
func (s *Server) shutdownRequest(conn net.Conn) {
	_ = conn.Close()
}

// handleError mirrors handle_error.
func (s *Server) handleError(addr net.Addr, err error) {
	if s.HandleError != nil {
		s.HandleError(addr, err)
		return
	}
	log.Printf("socketserver: error serving %v: %v", addr, err)
	var pe *PanicError
	if errors.As(err, &pe) {
		log.Printf("%s", pe.Stack)
	}
}

// handleTimeout mirrors handle_timeout.
func (s *Server) handleTimeout() {
	if s.HandleTimeout != nil {
		s.HandleTimeout()
	}
}
