// This file is given: it needs no editing.

package before

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
	w      *response     // the last response, reused by nextResponse
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

// serveConn serves requests on rwc, one after another, until the
// client or the server ends the connection: the handle() loop of
// Python's BaseHTTPRequestHandler, with close_connection as w.close.
func (s *Server) serveConn(rwc net.Conn) {
	c := &conn{srv: s, rwc: rwc, remote: rwc.RemoteAddr().String()}
	c.br = bufio.NewReaderSize(c, 4096)
	c.bw = bufio.NewWriterSize(rwc, 8192)

	for n := 0; ; n++ {
		// Idle: wait for the first byte of the next request. A
		// client that sends nothing in time is closed silently. A
		// pipelined request is already here.
		if c.br.Buffered() == 0 {
			wait := s.idleTimeout()
			if n == 0 {
				wait = s.readHeaderTimeout()
			}
			rwc.SetReadDeadline(time.Now().Add(wait))
			if _, err := c.br.Peek(1); err != nil {
				rwc.Close()
				return
			}
		}
		// Reading the header: it must be complete in time, however
		// slowly its bytes come.
		rwc.SetReadDeadline(time.Now().Add(s.readHeaderTimeout()))
		req, err := ReadRequest(c.br, s.Limits)
		if err != nil {
			c.refuse(err)
			return
		}
		req.RemoteAddr = c.remote
		// The body, the handler and the response: WriteTimeout.
		if d := s.writeDeadline(); !d.IsZero() {
			rwc.SetDeadline(d)
		} else if req.ContentLength != 0 {
			// No limit: lift the header's deadline off the body. A
			// request without a body reads nothing more before the
			// next one, which sets a deadline of its own.
			rwc.SetReadDeadline(d)
		}

		w := c.nextResponse(req)
		w.close = !req.KeepAlive()
		if !c.serve(w, req) {
			rwc.Close() // abort: the client sees a broken response
			return
		}
		if w.close {
			c.closeGracefully()
			return
		}
	}
}

// nextResponse returns the response to req. It reuses the previous
// response on the connection, with its header map and body buffer
// emptied, so that a kept-alive connection does not allocate them
// again for every request. That is safe because a handler must not
// use its ResponseWriter once it has returned.
func (c *conn) nextResponse(req *Request) *response {
	if c.w == nil {
		c.w = newResponse(c.bw, req)
		return c.w
	}
	clear(c.w.header)
	*c.w = response{bw: c.bw, req: req, header: c.w.header, length: -1,
		body: c.w.body[:0]}
	return c.w
}

// serve runs the handler and completes its response, so that the
// connection is ready for the next request. It returns false when the
// connection must be dropped at once: the handler panicked after part
// of its response had left, or the response could not be sent whole.
func (c *conn) serve(w *response, req *Request) bool {
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
func (c *conn) discardBody(b *body) bool {
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
	// The request could not be read, so there is none to answer:
	// the error page goes to a stand-in GET.
	req := &Request{Method: "GET", Proto: "HTTP/1.1", Major: 1,
		Minor: 1, Header: Header{}}
	w := newResponse(c.bw, req)
	w.close = true
	Error(w, code, reason)
	c.rwc.SetWriteDeadline(time.Now().Add(errorWriteTimeout))
	if w.finish() != nil {
		c.rwc.Close()
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
func (c *conn) closeGracefully() {
	if cw, ok := c.rwc.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() == nil {
			c.rwc.SetReadDeadline(time.Now().Add(lingerTimeout))
			io.CopyN(io.Discard, c.rwc, 256<<10)
		}
	}
	c.rwc.Close()
}
