// This file is given: it needs no editing.

package httpd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"strconv"
	"time"
)

// Conn is one client connection, as a Strategy sees it. Lesson 5's
// connection loop is cut here into two steps, so that a strategy can
// put a worker between them:
//
//	for c.Next() && c.Handle() {
//	}
//
// Next waits for the next request and reads its header, however long
// the client takes; Handle runs the handler and sends the response.
// Each closes the connection before it returns false. Reject answers
// the request Next read with 503 instead of handling it, and closes.
//
// A Conn is used by one goroutine at a time. It may move to another
// goroutine between two calls, through something that orders them (a
// channel, a mutex), never during one.
type Conn struct {
	srv    *Server
	rwc    net.Conn
	remote string        // the client's address, for Request.RemoteAddr
	br     *bufio.Reader // reads from rwc, through readRecorder
	bw     *bufio.Writer // writes to rwc
	rerr   error         // the first error reading rwc
	served int           // requests read so far
	req    *Request      // the request Next read, until it is answered
	closed bool          // Close was called
	w      *response     // the last response, reused by nextResponse

	// waiting is true while Next waits for a request: Close wakes
	// such a read. Guarded by srv.mu.
	waiting bool
}

// newConn wraps a connection the accept loop accepted, and registers
// it. It returns nil when the server is closed.
func (s *Server) newConn(rwc net.Conn) *Conn {
	c := &Conn{srv: s, rwc: rwc, remote: rwc.RemoteAddr().String()}
	c.br = bufio.NewReaderSize(readRecorder{c}, 4096)
	c.bw = bufio.NewWriterSize(rwc, 8192)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.conns[c] = struct{}{}
	return c
}

// readRecorder reads from the network and remembers the first error,
// so the server can tell a timeout from a malformed request.
type readRecorder struct{ c *Conn }

func (r readRecorder) Read(p []byte) (int, error) {
	n, err := r.c.rwc.Read(p)
	if err != nil && r.c.rerr == nil {
		r.c.rerr = err
	}
	return n, err
}

// RemoteAddr returns the client's address ("127.0.0.1:50123").
func (c *Conn) RemoteAddr() string { return c.remote }

// Next waits for the next request on the connection and reads its
// line and header: Python's handle_one_request up to parse_request.
// It waits at most ReadHeaderTimeout for the first request and
// IdleTimeout for the next ones, and the header must then arrive
// within ReadHeaderTimeout. It returns true with a request to Handle
// (or Reject). It returns false when there is none: the client closed
// or took too long, the request was malformed (it has been answered
// with its error status), or the server is closing. The connection is
// closed then.
func (c *Conn) Next() bool {
	if c.closed {
		return false
	}
	if c.req != nil {
		// A request was read and never answered: nothing that
		// follows on the connection can be trusted.
		c.srv.logf("httpd: %s: Next called before the request was "+
			"handled or rejected", c.remote)
		c.Close()
		return false
	}
	// Idle: wait for the first byte of the next request. A client
	// that sends nothing in time is closed silently. A pipelined
	// request is already here.
	if c.br.Buffered() == 0 {
		wait := c.srv.idleTimeout()
		if c.served == 0 {
			wait = c.srv.readHeaderTimeout()
		}
		if !c.wait(wait) {
			c.Close()
			return false
		}
		if _, err := c.br.Peek(1); err != nil {
			c.Close()
			return false
		}
	}
	// Reading the header: it must be complete in time, however
	// slowly its bytes come.
	if !c.wait(c.srv.readHeaderTimeout()) {
		c.Close()
		return false
	}
	req, err := ReadRequest(c.br, c.srv.Limits)
	c.busy()
	if err != nil {
		if c.srv.isClosed() {
			c.Close() // woken by Close: say nothing
			return false
		}
		c.refuse(err)
		return false
	}
	req.RemoteAddr = c.remote
	c.req = req
	c.served++
	return true
}

// wait marks the connection as waiting for a request, which Close may
// interrupt, and gives the read a deadline d from now. It returns false
// when the server is closed.
func (c *Conn) wait(d time.Duration) bool {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if c.srv.closed {
		return false
	}
	c.waiting = true
	c.rwc.SetReadDeadline(time.Now().Add(d))
	return true
}

// busy marks the connection as no longer waiting: Close leaves it to
// finish its request. The body and the response get WriteTimeout.
func (c *Conn) busy() {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	c.waiting = false
	if d := c.srv.writeDeadline(); d.IsZero() {
		c.rwc.SetReadDeadline(d)
	} else {
		c.rwc.SetDeadline(d)
	}
}

// Handle answers the request Next read: it runs the server's Handler
// and sends the response, the handler's body-reading included. It
// returns true when the connection stays open for the next request,
// false when it has been closed: the request or the response asked
// for it, the response could not be sent, or the server is closing.
func (c *Conn) Handle() bool {
	req := c.req
	if req == nil || c.closed {
		c.srv.logf("httpd: %s: Handle called without a request "+
			"from Next", c.remote)
		c.Close()
		return false
	}
	c.req = nil
	w := c.nextResponse(req)
	w.close = !req.KeepAlive() || c.srv.isClosed()
	if !c.serve(w, req) {
		c.Close() // abort: the client sees a broken response
		return false
	}
	if w.close {
		c.closeGracefully()
		return false
	}
	return true
}

// nextResponse returns the response to req, reusing the previous one
// on the connection with its header map and body buffer emptied, as
// lesson 5's server does: a handler must not use its ResponseWriter
// once it has returned.
func (c *Conn) nextResponse(req *Request) *response {
	if c.w == nil {
		c.w = newResponse(c.bw, req)
		return c.w
	}
	clear(c.w.header)
	*c.w = response{bw: c.bw, req: req, header: c.w.header, length: -1,
		body: c.w.body[:0]}
	return c.w
}

// Reject answers the request Next read with 503 Service Unavailable
// and a Retry-After field of retryAfter, in whole seconds (rounded
// up), instead of handling it; then it closes the connection. It is
// how a server says "too busy, come back later" (RFC 9110 §15.6.4).
func (c *Conn) Reject(retryAfter time.Duration) {
	req := c.req
	if req == nil || c.closed {
		c.Close()
		return
	}
	c.req = nil
	w := newResponse(c.bw, req)
	w.close = true
	secs := (max(retryAfter, 0) + time.Second - 1) / time.Second
	w.Header().Set("Retry-After", strconv.Itoa(int(secs)))
	Error(w, 503, "The server is too busy. Try again later.")
	c.rwc.SetWriteDeadline(time.Now().Add(errorWriteTimeout))
	if w.finish() != nil {
		c.Close()
		return
	}
	c.closeGracefully()
}

// Close closes the connection at once, without a word to the client.
// It is safe to call more than once.
func (c *Conn) Close() {
	if c.closed {
		return
	}
	c.closed = true
	c.req = nil
	c.rwc.Close()
	c.srv.mu.Lock()
	delete(c.srv.conns, c)
	c.srv.mu.Unlock()
}

// serve runs the handler and completes its response, so that the
// connection is ready for the next request. It returns false when the
// connection must be dropped at once: the handler panicked after part
// of its response had left, or the response could not be sent whole.
func (c *Conn) serve(w *response, req *Request) bool {
	body := &body{r: req.Body, w: w, done: req.ContentLength == 0,
		expect: req.ExpectsContinue() && req.ContentLength != 0}
	req.Body = body
	if c.runHandler(w, req) {
		if w.committed {
			return false
		}
		w = newResponse(c.bw, req)
		w.close = true
		Error(w, 500, "The server failed to answer this request.")
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
func (c *Conn) discardBody(b *body) bool {
	if b.done {
		return true
	}
	if b.expect && !b.asked {
		// The client waits for "100 Continue" before it sends the
		// body, and never got it: it may send the body or not, so
		// nothing that follows can be trusted (RFC 9110 §10.1.1).
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
// back until told, and it notes when the body has been read to its
// end.
type body struct {
	r      io.Reader
	w      *response
	expect bool // the client sent "Expect: 100-continue"
	asked  bool // the handler has read (or tried to)
	done   bool // r returned io.EOF
}

func (b *body) Read(p []byte) (int, error) {
	if b.expect && !b.asked && b.w.status == 0 {
		// Once a final status is chosen, a 100 would be a lie.
		b.w.WriteHeader(100)
	}
	b.asked = true
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.done = true
	}
	return n, err
}

// runHandler calls the handler, and reports whether it panicked. One
// failing request must not take the server down: the panic is logged,
// as Python's handle_error prints the traceback.
func (c *Conn) runHandler(w *response, req *Request) (panicked bool) {
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

// refuse answers a request that could not be read with its error
// status, then closes the connection: after a bad request nothing
// that follows on the connection can be trusted, so a request
// pipelined behind it is never answered. It sends nothing when the
// client closed or the network failed.
func (c *Conn) refuse(err error) {
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
		c.Close()
		return
	}
	// The request could not be read, so there is none to answer:
	// the error page goes to a stand-in GET.
	req := &Request{Method: "GET", Proto: "HTTP/1.1", Major: 1,
		Minor: 1, Header: Header{}}
	w := newResponse(c.bw, req)
	w.close = true
	Error(w, code, reason)
	c.rwc.SetWriteDeadline(time.Now().Add(errorWriteTimeout))
	if w.finish() != nil {
		c.Close()
		return
	}
	c.closeGracefully()
}

// errorWriteTimeout bounds the sending of an error response.
const errorWriteTimeout = 5 * time.Second

// lingerTimeout bounds how long closeGracefully waits for the client.
const lingerTimeout = 500 * time.Millisecond

// closeGracefully closes the connection so that the client can read
// the whole response. Closing a socket that still holds unread input
// makes the kernel send a reset, and a reset can destroy the response
// before the client reads it (RFC 9112 §9.6). So it shuts down the
// sending side first (the client reads the end of the response), then
// discards what the client still sends, briefly, and closes.
func (c *Conn) closeGracefully() {
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() == nil {
			c.rwc.SetReadDeadline(time.Now().Add(lingerTimeout))
			io.CopyN(io.Discard, c.rwc, 256<<10)
		}
	}
	c.Close()
}
