// This file is given: it needs no editing.

package httpd

import (
	"errors"
	"io"
	"log"
	"net"
	"strconv"
	"sync"
	"time"
)

// Server serves HTTP/1.x on the connections of a listener, each in a
// goroutine of its own. It is lesson 5's server made ready for
// production: it stops gracefully (Shutdown, Close), it bounds how
// long and how much a client may take (the timeouts and limits
// below), and it logs every response. shutdown.go holds the parts you
// write; conn.go serves one connection.
type Server struct {
	// Handler answers every request.
	Handler Handler

	// Limits bound the request line (414) and the header section (431).
	Limits Limits
	// MaxBodyBytes bounds a request body: a longer one is answered
	// 413 Content Too Large. Zero means 1 MiB.
	MaxBodyBytes int64
	// MaxConns bounds the connections open at once. One more is
	// answered 503 Service Unavailable at once, and closed. Zero
	// means no cap.
	MaxConns int

	// One timeout per phase of a connection (see setDeadlines).
	//
	// ReadHeaderTimeout bounds the wait for a request's header: from
	// the connection's start for the first request, from its first
	// byte for the next ones. Zero means 10 seconds.
	ReadHeaderTimeout time.Duration
	// ReadBodyTimeout bounds the reading of a request's body, from the
	// end of its header. Zero means 30 seconds.
	ReadBodyTimeout time.Duration
	// WriteTimeout bounds the response, from the end of the request's
	// header to the response's last byte. Zero means 30 seconds.
	WriteTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection. Zero means 60 seconds.
	IdleTimeout time.Duration

	// ConnState, if not nil, is called each time a connection enters a
	// state: StateNew from Serve's goroutine, the others from the
	// connection's. A refused connection never gets a state.
	ConnState func(net.Conn, ConnState)
	// AccessLog, if not nil, receives one line per response (see
	// logAccess).
	AccessLog io.Writer
	// ErrorLog receives handler panics and failed connections; nil
	// means the log package's standard logger.
	ErrorLog *log.Logger

	track tracker    // listeners, connections, hooks: see shutdown.go
	logMu sync.Mutex // one AccessLog line at a time
}

// ConnState is the state of a connection, as the server tracks it.
type ConnState int

const (
	// StateNew: accepted, and no byte of a request has come yet.
	StateNew ConnState = iota
	// StateActive: a request is being read, served or answered.
	StateActive
	// StateIdle: between two requests, waiting for the next one.
	StateIdle
	// StateClosed: closed, and forgotten by the server.
	StateClosed
)

func (s ConnState) String() string {
	switch s {
	case StateNew:
		return "new"
	case StateActive:
		return "active"
	case StateIdle:
		return "idle"
	case StateClosed:
		return "closed"
	}
	return "ConnState(" + strconv.Itoa(int(s)) + ")"
}

// ErrServerClosed is returned by Serve once Shutdown or Close has been
// called.
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
// until Shutdown or Close, and then returns ErrServerClosed. A
// connection the server has no room for (MaxConns) gets a 503. Serve
// returns only once those refusals are over.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(ln, true) {
		ln.Close()
		return ErrServerClosed
	}
	var refusals sync.WaitGroup
	defer s.trackListener(ln, false)
	defer refusals.Wait()
	var delay time.Duration // back-off after a failed Accept
	for {
		rwc, err := ln.Accept()
		if err != nil {
			if s.shuttingDown() {
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
		c := newConn(s, rwc)
		switch {
		case s.setState(c, StateNew):
			go c.serve()
		case s.shuttingDown():
			// Accepted as the listener closed: as good as refused.
			rwc.Close()
		default:
			refusals.Go(c.refuseBusy)
		}
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

func (s *Server) readHeaderTimeout() time.Duration {
	return orDefault(s.ReadHeaderTimeout, 10*time.Second)
}

func (s *Server) readBodyTimeout() time.Duration {
	return orDefault(s.ReadBodyTimeout, 30*time.Second)
}

func (s *Server) writeTimeout() time.Duration {
	return orDefault(s.WriteTimeout, 30*time.Second)
}

func (s *Server) idleTimeout() time.Duration {
	return orDefault(s.IdleTimeout, 60*time.Second)
}

func (s *Server) maxBodyBytes() int64 {
	if s.MaxBodyBytes > 0 {
		return s.MaxBodyBytes
	}
	return 1 << 20
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// ClfTime is the time format of the access log (Common Log Format).
const ClfTime = "02/Jan/2006:15:04:05 -0700"

// logAccess writes one line for a response to AccessLog: the Common
// Log Format followed by the time taken in microseconds, which is
// `%h %l %u %t "%r" %>s %b %D` in Apache's LogFormat:
//
//	127.0.0.1 - - [21/Nov/2025:20:53:01 +0000] "GET /a HTTP/1.1" 200 5 312
//
// %h is the client's IP address. %t is start, when the request's
// header had been read. %r is the request line, quoted as by
// strconv.Quote, or "-" when there is no request (req is nil: it
// could not be read, or the connection was refused). %>s is the
// status; %b the body bytes sent, "-" for none; %D the microseconds
// from start to the end of the response.
func (s *Server) logAccess(remote string, req *Request, w *response,
	start time.Time) {
	if s.AccessLog == nil {
		return
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	b := make([]byte, 0, 128)
	b = append(b, host...)
	b = append(b, " - - ["...)
	b = start.AppendFormat(b, ClfTime)
	b = append(b, "] "...)
	if req == nil {
		b = append(b, `"-"`...)
	} else {
		b = strconv.AppendQuote(b,
			req.Method+" "+req.Target+" "+req.Proto)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	sent := w.written
	if w.req.Method == "HEAD" || !statusHasBody(w.status) {
		sent = 0
	}
	if sent == 0 {
		b = append(b, '-')
	} else {
		b = strconv.AppendInt(b, sent, 10)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, time.Since(start).Microseconds(), 10)
	b = append(b, '\n')
	s.logMu.Lock()
	s.AccessLog.Write(b)
	s.logMu.Unlock()
}
