// This file is given: it needs no editing.

package httpd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"time"
)

// conn is the server's side of one connection.
type conn struct {
	srv    *Server
	rwc    net.Conn
	remote string        // the client's address, for Request.RemoteAddr
	br     *bufio.Reader // reads from the conn itself, to see rerr
	bw     *bufio.Writer // writes to rwc
	rerr   error         // the first error reading rwc
}

func newConn(s *Server, rwc net.Conn) *conn {
	c := &conn{srv: s, rwc: rwc, remote: rwc.RemoteAddr().String()}
	c.br = bufio.NewReaderSize(c, 4096)
	c.bw = bufio.NewWriterSize(rwc, 8192)
	return c
}

// Read reads from the network and remembers the first error, so the
// server can tell a timeout from a malformed request.
func (c *conn) Read(p []byte) (int, error) {
	n, err := c.rwc.Read(p)
	if err != nil && c.rerr == nil {
		c.rerr = err
	}
	return n, err
}

// phase is a stretch of a connection's life that has a timeout of its
// own (see setDeadlines in shutdown.go).
type phase int

const (
	// phaseNew: a new connection waits for its first request, and
	// reads its header.
	phaseNew phase = iota
	// phaseIdle: a kept-alive connection waits for the first byte of
	// its next request.
	phaseIdle
	// phaseHeader: that next request's header is read.
	phaseHeader
	// phaseBody: the header has been read; the body is read, the
	// handler runs, the response is written.
	phaseBody
)

// serve serves requests on c, one after another, until the client or
// the server ends the connection: lesson 5's loop, which now tells the
// server each change of state, sets the deadlines of each phase, and
// closes after the response in flight once the server shuts down.
func (c *conn) serve() {
	s := c.srv
	defer s.setState(c, StateClosed)
	c.setDeadlines(phaseNew)
	for n := 0; ; n++ {
		if c.br.Buffered() == 0 {
			// Wait for the first byte of a request. An idle
			// connection is closed, without a word, when the
			// server shuts down or nothing comes in time.
			if n > 0 {
				if !s.setState(c, StateIdle) {
					c.rwc.Close()
					return
				}
				c.setDeadlines(phaseIdle)
			}
			if _, err := c.br.Peek(1); err != nil {
				c.rwc.Close()
				return
			}
			if !s.setState(c, StateActive) {
				c.rwc.Close()
				return
			}
		}
		if n > 0 {
			c.setDeadlines(phaseHeader)
		}
		req, err := ReadRequest(c.br, s.Limits)
		if err != nil {
			c.refuse(err)
			return
		}
		req.RemoteAddr = c.remote
		start := time.Now()
		c.setDeadlines(phaseBody)

		w := newResponse(c.bw, req)
		// Once the server shuts down, the response in flight is
		// the connection's last, and says so.
		w.close = !req.KeepAlive() || s.shuttingDown()
		ok := c.respond(w, req)
		s.logAccess(c.remote, req, w, start)
		if !ok {
			c.rwc.Close() // abort: the client sees a broken response
			return
		}
		if w.close || s.shuttingDown() {
			c.closeGracefully()
			return
		}
	}
}

// respond runs the handler, or answers 413 for a body over the limit,
// and completes the response, so that the connection is ready for the
// next request. It returns false when the connection must be dropped
// at once: the handler panicked after part of its response had left,
// or the response could not be sent whole.
func (c *conn) respond(w *response, req *Request) bool {
	limitErr := c.srv.limitBody(req)
	body := &body{c: c, r: req.Body, w: w, done: req.ContentLength == 0,
		expect: req.ExpectsContinue() && req.ContentLength != 0}
	req.Body = body
	var se *StatusError
	switch {
	case errors.As(limitErr, &se):
		// Refused before a byte of the body is read: the rest of the
		// connection is that body, so it closes.
		w.close = true
		Error(w, se.Code, se.Reason)
	case c.runHandler(w, req):
		if w.committed {
			return false
		}
		*w = *newResponse(c.bw, req)
		w.close = true
		Error(w, 500, "The server failed to answer this request.")
	}
	// A shutdown that began while the handler ran makes this the
	// connection's last response: say so, if the header is still
	// here.
	if c.srv.shuttingDown() {
		w.close = true
	}
	// The next request starts after this body: what the handler left
	// unread must be discarded, or the connection closed. Decide it
	// before the header leaves, so the response can say so.
	if !w.close && !w.committed && !c.discardBody(body) {
		w.close = true
	}
	if err := w.finish(); err != nil {
		c.srv.logf("httpd: %s %s %s: %v", req.RemoteAddr, req.Method,
			req.Target, err)
		return false
	}
	if !w.close && !c.discardBody(body) {
		w.close = true // the header had left: close without a word
	}
	return true
}

// maxDiscard bounds the unread body the server reads and throws away
// to keep a connection; beyond it, closing is cheaper.
const maxDiscard = 256 << 10

// discardBody reads and drops what is left of the body, at most
// maxDiscard bytes, and reports whether the body has been read to its
// end, so the connection can serve another request.
func (c *conn) discardBody(b *body) bool {
	if b.done {
		return true
	}
	if b.failed || b.expect && !b.asked {
		// A body that failed (too slow, too long, malformed) has
		// no known end. One the client holds back until it gets
		// "100 Continue" may come or not (RFC 9110 §10.1.1).
		return false
	}
	c.rwc.SetReadDeadline(time.Now().Add(c.srv.readHeaderTimeout()))
	io.CopyN(io.Discard, b, maxDiscard)
	if !b.done {
		// Exactly maxDiscard bytes may have been the whole body:
		// one more read finds out.
		b.Read(nil)
	}
	return b.done
}

// body is a request body as the handler sees it. It sends "100
// Continue" when the handler first reads a body that the client holds
// back until told, notes when the body has been read to its end, and
// turns a read that ran out of time into a 408 *StatusError.
type body struct {
	c      *conn
	r      io.Reader
	w      *response
	expect bool // the client sent "Expect: 100-continue"
	asked  bool // the handler has read (or tried to)
	done   bool // r returned io.EOF
	failed bool // r returned another error
}

func (b *body) Read(p []byte) (int, error) {
	if b.expect && !b.asked && b.w.status == 0 {
		// Once a final status is chosen, a 100 would be a lie.
		b.w.WriteHeader(100)
	}
	b.asked = true
	n, err := b.r.Read(p)
	switch {
	case err == nil:
	case err == io.EOF:
		b.done = true
	default:
		b.failed = true
		var ne net.Error
		if errors.As(b.c.rerr, &ne) && ne.Timeout() {
			err = statusErrorf(408, "the body took too long to arrive")
		}
	}
	return n, err
}

// runHandler calls the handler, and reports whether it panicked. One
// failing request must not take the server down: the panic is logged,
// as Python's handle_error prints the traceback.
func (c *conn) runHandler(w *response, req *Request) (panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			c.srv.logf("httpd: panic serving %s %s %s: %v\n%s",
				req.RemoteAddr, req.Method, req.Target, p, debug.Stack())
			panicked = true
		}
	}()
	c.srv.Handler.ServeHTTP(w, req)
	return false
}

// standIn is the request an error page answers when there is none:
// one that could not be read, or a connection refused before reading.
func standIn() *Request {
	return &Request{Method: "GET", Proto: "HTTP/1.1", Major: 1,
		Minor: 1, Header: Header{}}
}

// refuse answers a request that could not be read with its error
// status, then closes the connection: after a bad request nothing
// that follows on the connection can be trusted, so a request
// pipelined behind it is never answered. It sends nothing when the
// client closed or the network failed.
func (c *conn) refuse(err error) {
	var se *StatusError
	var ne net.Error
	code, reason := 0, ""
	switch {
	case err == io.EOF:
		// The client closed before sending a request.
	case errors.As(c.rerr, &ne) && ne.Timeout():
		code, reason = 408, "The request took too long to arrive."
	case c.rerr != nil && c.rerr != io.EOF:
		// The network failed: nobody is listening.
	case errors.As(err, &se):
		code, reason = se.Code, se.Reason
	}
	if code == 0 {
		c.rwc.Close()
		return
	}
	c.closeWith(code, reason)
}

// refuseBusy answers a connection the server has no room for: a 503
// with Retry-After, at once, before reading anything, then a close.
func (c *conn) refuseBusy() {
	c.closeWith(503, "The server is busy. Try again in a second.")
}

// closeWith sends an error response to no request in particular, logs
// it, and closes the connection.
func (c *conn) closeWith(code int, reason string) {
	start := time.Now()
	w := newResponse(c.bw, standIn())
	w.close = true
	if code == 503 {
		w.Header().Set("Retry-After", "1")
	}
	Error(w, code, reason)
	c.rwc.SetWriteDeadline(time.Now().Add(errorWriteTimeout))
	err := w.finish()
	c.srv.logAccess(c.remote, nil, w, start)
	if err != nil {
		c.rwc.Close()
		return
	}
	c.closeGracefully()
}

// errorWriteTimeout bounds the sending of an error response.
const errorWriteTimeout = time.Second

// lingerTimeout bounds how long closeGracefully waits for the client.
const lingerTimeout = 500 * time.Millisecond

// closeGracefully closes the connection so that the client can read
// the whole response. Closing a socket that still holds unread input
// makes the kernel send a reset, and a reset can destroy the response
// before the client reads it (RFC 9112 §9.6). So it shuts down the
// sending side first (the client reads the end of the response), then
// discards what the client still sends, briefly, and closes.
func (c *conn) closeGracefully() {
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() == nil {
			c.rwc.SetReadDeadline(time.Now().Add(lingerTimeout))
			io.CopyN(io.Discard, c.rwc, 256<<10)
		}
	}
	c.rwc.Close()
}
