// This file is given: it needs no editing. It serves one request per
// connection, then closes; lesson 5 turns it into a loop.

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
	srv  *Server
	rwc  net.Conn
	br   *bufio.Reader // reads from the conn itself, to see rerr
	bw   *bufio.Writer // writes to rwc
	rerr error         // the first error reading rwc
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

// serveConn serves one request on rwc, then closes it.
func (s *Server) serveConn(rwc net.Conn) {
	c := &conn{srv: s, rwc: rwc}
	c.br = bufio.NewReaderSize(c, 4096)
	c.bw = bufio.NewWriterSize(rwc, 8192)

	rwc.SetReadDeadline(time.Now().Add(s.readHeaderTimeout()))
	req, err := ReadRequest(c.br, s.Limits)
	if err != nil {
		c.refuse(err)
		return
	}
	req.RemoteAddr = rwc.RemoteAddr().String()
	rwc.SetDeadline(s.writeDeadline()) // body, handler and response

	w := newResponse(c.bw, req)
	w.close = true // one request per connection
	if !c.serve(w, req) {
		rwc.Close()
		return
	}
	c.closeGracefully()
}

// serve runs the handler and completes its response. It returns
// false when the connection must be dropped at once: the handler
// panicked after part of its response had left, or the response
// could not be sent whole.
func (c *conn) serve(w *response, req *Request) bool {
	if c.runHandler(w, req) {
		if w.committed {
			return false // the client must see the response fail
		}
		w = newResponse(c.bw, req)
		w.close = true
		Error(w, 500, "The server failed to answer this request.")
	}
	if err := w.finish(); err != nil {
		c.srv.logf("httpd: %s %s %s: %v", req.RemoteAddr, req.Method,
			req.Target, err)
		return false
	}
	return true
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
// status, then closes the connection. It sends nothing when the
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
