package httpd

import (
	"bufio"
	"errors"
)

// Handler responds to one request: it is the do_GET of Python's
// BaseHTTPRequestHandler turned into an interface. The server calls
// ServeHTTP once per request, and the response is complete when it
// returns: the ResponseWriter must not be used after that.
type Handler interface {
	ServeHTTP(w ResponseWriter, r *Request)
}

// HandlerFunc lets an ordinary function be a Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w ResponseWriter, r *Request) { f(w, r) }

// ResponseWriter builds a response. Python's handler writes its
// response as it goes (send_response, send_header, end_headers, then
// wfile.write); a ResponseWriter holds the status line and the header
// back until it knows how the body will be framed.
type ResponseWriter interface {
	// Header returns the header fields to send. Changes made after
	// the header was sent (see Flush) have no effect.
	Header() Header
	// WriteHeader sets the status code. Only the first call of a final
	// code (200 to 599) counts. A 1xx code sends an interim response
	// at once (to HTTP/1.1 clients only); the final one follows.
	WriteHeader(code int)
	// Write appends p to the body, after WriteHeader(200) if no status
	// was set. For HEAD the bytes are counted but never sent; for 204
	// and 304 it returns ErrBodyNotAllowed.
	Write(p []byte) (int, error)
	// Flush sends the status line, the header and the body written so
	// far, now. The length is then unknown: the rest of the body is
	// chunked (HTTP/1.1) or ends when the connection closes (1.0).
	Flush() error
}

// ErrBodyNotAllowed is returned by Write for a status that has no
// body: 204 No Content and 304 Not Modified (RFC 9110 §15.3.5,
// §15.4.5).
var ErrBodyNotAllowed = errors.New("httpd: this status has no body")

// ErrContentLength is returned by Write when the body would outgrow
// the Content-Length the handler declared.
var ErrContentLength = errors.New(
	"httpd: body longer than the declared Content-Length")

// bufferSize is how much body a response holds back before it sends
// the header. A handler that writes less and returns gets a
// Content-Length; one that writes more gets a chunked body.
const bufferSize = 4096

// serverName is the Server field of every response.
const serverName = "socket2gateway-httpd"

// TimeFormat is the format of the Date field (RFC 9110 §5.6.7).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// response is the ResponseWriter of one request. The connection makes
// it with newResponse, runs the handler, then calls finish.
type response struct {
	bw  *bufio.Writer // the connection's writer; finish flushes it
	req *Request
	// close is true when the connection closes after this response,
	// so the response says "Connection: close". The connection sets it
	// before the handler runs; the response sets it too when its
	// framing needs it. The connection reads it after finish.
	close bool

	header    Header
	committed bool // status line and header are in bw

	// TODO: add what you need to remember: the status, the length
	// the handler declared, the bytes written, the body held back
	// (at most bufferSize), whether the body is chunked.
}

// newResponse returns the response to req, to be written to bw.
func newResponse(bw *bufio.Writer, req *Request) *response {
	return &response{bw: bw, req: req, header: Header{}}
}

func (w *response) Header() Header { return w.header }

func (w *response) WriteHeader(code int) {
	// TODO: remember the first final status (200-599); read a
	// Content-Length the handler set. A 1xx goes out at once, as a
	// status line and an empty line, to HTTP/1.1 clients only.
}

func (w *response) Write(p []byte) (int, error) {
	// TODO: WriteHeader(200) if no status yet. No body for 204 and
	// 304 (ErrBodyNotAllowed); for HEAD, count p and drop it. Hold
	// the body back while it fits in bufferSize; when it outgrows it,
	// commit the header and send the body (as chunks on HTTP/1.1).
	return len(p), nil
}

func (w *response) Flush() error {
	// TODO: commit the header now, send what is held back, and flush
	// bw.
	return nil
}

// finish completes the response once the handler has returned: it
// sends the header if the handler never did (now the length is
// known), the body held back, the last chunk, and flushes. A body
// shorter than its declared Content-Length cannot be repaired: the
// connection must close.
func (w *response) finish() error {
	// TODO: write the status line, the header (Date, Server,
	// Content-Type, Content-Length or Transfer-Encoding, Connection),
	// the empty line and the body into bw, then flush it: a small
	// response leaves in one write.
	return nil
}

// Methods dispatches a request to the handler of its method, the way
// BaseHTTPRequestHandler calls do_GET for GET and do_POST for POST.
// HEAD falls back to the GET handler, with the body dropped. A method
// without a handler is answered 501 Not Implemented, as Python does.
type Methods map[string]HandlerFunc

func (m Methods) ServeHTTP(w ResponseWriter, r *Request) {
	// TODO: call the method's handler; HEAD falls back to GET; 501
	// for the rest, with Error.
}

// Error replies with code and a short HTML page that says msg, like
// Python's send_error. It replaces any Content-Length the handler set,
// and it must be called before anything else was written. The writer
// drops the page for HEAD, 204 and 304.
func Error(w ResponseWriter, code int, msg string) {
	// TODO: Content-Type text/html;charset=utf-8, the status, and a
	// page with the code, its reason and msg (HTML-escaped).
}
