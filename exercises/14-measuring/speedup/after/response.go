// This file is given: it needs no editing.

package after

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
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
	status    int    // final status code; 0 until WriteHeader
	length    int64  // Content-Length the handler declared, or -1
	written   int64  // body bytes the handler has written
	body      []byte // body held back until the header is sent
	committed bool   // status line and header are in bw
	chunked   bool   // the body is sent with the chunked coding
	scratch   [64]byte
}

// newResponse returns the response to req, to be written to bw.
func newResponse(bw *bufio.Writer, req *Request) *response {
	return &response{bw: bw, req: req, header: Header{}, length: -1}
}

func (w *response) Header() Header { return w.header }

func (w *response) WriteHeader(code int) {
	if code < 100 || code > 599 {
		panic(fmt.Sprintf("httpd: invalid status code %d", code))
	}
	if w.status != 0 || w.committed {
		return // only the first final status counts
	}
	if code < 200 {
		w.writeInterim(code)
		return
	}
	w.status = code
	if cl := w.header.Get("Content-Length"); cl != "" {
		n, err := strconv.ParseInt(cl, 10, 64)
		if err != nil || n < 0 {
			w.header.Del("Content-Length")
		} else {
			w.length = n
		}
	}
}

// writeInterim sends a 1xx response at once: a status line and an
// empty line. HTTP/1.0 clients do not know 1xx (RFC 9110 §15.2).
func (w *response) writeInterim(code int) {
	if !w.req.atLeast11() {
		return
	}
	w.writeStatusLine(code)
	w.bw.WriteString("\r\n")
	w.bw.Flush()
}

func (w *response) Write(p []byte) (int, error) {
	return w.write(p, "")
}

// WriteString is Write for a string. io.WriteString calls it, which
// spares a handler that writes strings a copy of each into a []byte.
func (w *response) WriteString(s string) (int, error) {
	return w.write(nil, s)
}

// write appends p or s (one of them is empty) to the body.
func (w *response) write(p []byte, s string) (int, error) {
	if w.status == 0 {
		w.WriteHeader(200)
	}
	if !statusHasBody(w.status) {
		return 0, ErrBodyNotAllowed
	}
	n := len(p) + len(s)
	if w.length >= 0 && w.written+int64(n) > w.length {
		return 0, ErrContentLength
	}
	w.written += int64(n)
	if w.req.Method == "HEAD" {
		return n, nil // counted for Content-Length, never sent
	}
	if !w.committed {
		if len(w.body)+n <= bufferSize {
			w.body = append(append(w.body, p...), s...)
			return n, nil
		}
		w.commit(false)
	}
	if s != "" {
		p = []byte(s) // send takes bytes; next to a write, a copy is cheap
	}
	if err := w.send(w.body, p); err != nil {
		return 0, err
	}
	w.body = w.body[:0]
	return n, nil
}

func (w *response) Flush() error {
	if w.status == 0 {
		w.WriteHeader(200)
	}
	if !w.committed {
		w.commit(false)
	}
	if err := w.send(w.body, nil); err != nil {
		return err
	}
	w.body = w.body[:0]
	return w.bw.Flush()
}

// finish completes the response once the handler has returned: it
// sends the header if the handler never did (now the length is
// known), the body held back, the last chunk, and flushes. A body
// shorter than its declared Content-Length cannot be repaired: the
// connection must close.
func (w *response) finish() error {
	if w.status == 0 {
		w.WriteHeader(200)
	}
	if !w.committed {
		w.commit(true)
	}
	if err := w.send(w.body, nil); err != nil {
		return err
	}
	w.body = w.body[:0]
	if w.chunked {
		w.bw.WriteString("0\r\n\r\n")
	}
	short := w.length >= 0 && w.written < w.length &&
		w.req.Method != "HEAD" && statusHasBody(w.status)
	if short {
		w.close = true
	}
	if err := w.bw.Flush(); err != nil {
		return err
	}
	if short {
		return fmt.Errorf("httpd: body is %d bytes short of its "+
			"Content-Length", w.length-w.written)
	}
	return nil
}

// commit chooses how the body is framed (RFC 9112 §6.3) and writes the
// status line and the header to bw. final is true when the handler has
// returned, so the whole body is known.
func (w *response) commit(final bool) {
	w.committed = true
	// The names below are constants in canonical form, so commit uses
	// the map itself: Header's methods canonicalise every name they
	// are given, and this runs for every response.
	h := w.header
	delete(h, "Transfer-Encoding") // the server chooses the framing
	var length int64 = -1          // computed Content-Length, if any
	switch {
	case !statusHasBody(w.status):
		// 204 and 304 end at the empty line. A 204 must not have a
		// Content-Length (RFC 9110 §8.6); a 304 may keep the one
		// the handler set, which describes the GET response.
		if w.status == 204 {
			delete(h, "Content-Length")
		}
	case w.length >= 0:
		// The handler declared the length: trust it.
	case final:
		// For HEAD, written counts what a GET would have sent.
		length = w.written
	case w.req.Method == "HEAD":
		// No body follows, so nothing needs framing.
	case w.req.atLeast11():
		w.chunked = true
	default:
		// An HTTP/1.0 client knows no chunks: the body ends when
		// the connection closes.
		w.close = true
	}
	if _, ok := h["Connection"]; ok {
		if h.HasToken("Connection", "close") {
			w.close = true
		}
		delete(h, "Connection") // the server says it, from w.close
	}
	hasBody := w.written > 0 && statusHasBody(w.status)

	bw := w.bw
	w.writeStatusLine(w.status)
	if _, ok := h["Date"]; !ok {
		bw.WriteString("Date: ")
		bw.Write(appendDate(w.scratch[:0], time.Now()))
		bw.WriteString("\r\n")
	}
	if _, ok := h["Server"]; !ok {
		bw.WriteString("Server: " + serverName + "\r\n")
	}
	if _, ok := h["Content-Type"]; hasBody && !ok {
		bw.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	}
	writeFields(bw, h)
	if length >= 0 {
		bw.WriteString("Content-Length: ")
		bw.Write(strconv.AppendInt(w.scratch[:0], length, 10))
		bw.WriteString("\r\n")
	}
	if w.chunked {
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	}
	switch {
	case w.close:
		bw.WriteString("Connection: close\r\n")
	case !w.req.atLeast11():
		// HTTP/1.0 closes by default: say that we will not.
		bw.WriteString("Connection: keep-alive\r\n")
	}
	bw.WriteString("\r\n")
}

// TimeFormat is the format of the Date field (RFC 9110 §5.6.7).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// date caches the Date field of the current second: formatting a time
// costs more than writing all the rest of a small response's header.
var date atomic.Pointer[cachedDate]

type cachedDate struct {
	unix  int64  // the second it is for
	value []byte // that second, formatted
}

// appendDate appends now, as a Date field's value, to b.
func appendDate(b []byte, now time.Time) []byte {
	d := date.Load()
	if d == nil || d.unix != now.Unix() {
		d = &cachedDate{now.Unix(), now.UTC().AppendFormat(nil, TimeFormat)}
		date.Store(d)
	}
	return append(b, d.value...)
}

func (w *response) writeStatusLine(code int) {
	b := append(w.scratch[:0], "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, StatusText(code)...)
	b = append(b, "\r\n"...)
	w.bw.Write(b)
}

// writeFields writes the fields of h sorted by name, one line per
// value. A CR or LF in a value would end the field early and let a
// value forge fields of its own, so they become spaces.
func writeFields(bw *bufio.Writer, h Header) {
	var names [16]string
	keys := names[:0]
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !isToken(k) {
			// Not a field name (RFC 9110 §5.1): written as it is, a
			// CR or LF in it would split the response. Drop it.
			continue
		}
		for _, v := range h[k] {
			if strings.IndexByte(v, '\r') >= 0 ||
				strings.IndexByte(v, '\n') >= 0 {
				v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
			}
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
}

// send writes body bytes a then b, framed as the header said: as one
// chunk when the body is chunked, as they are otherwise.
func (w *response) send(a, b []byte) error {
	n := len(a) + len(b)
	if n == 0 {
		return nil
	}
	bw := w.bw
	if w.chunked {
		bw.Write(strconv.AppendInt(w.scratch[:0], int64(n), 16))
		bw.WriteString("\r\n")
	}
	bw.Write(a)
	bw.Write(b)
	if w.chunked {
		bw.WriteString("\r\n")
	}
	// bufio.Writer keeps its first error and returns it from then on.
	_, err := bw.Write(nil)
	return err
}

// statusHasBody reports whether a response with this final status can
// have a body: every status but 204 and 304 (1xx are never final here).
func statusHasBody(code int) bool {
	return code != 204 && code != 304
}

// atLeast11 reports whether the request is HTTP/1.1 or later.
func (r *Request) atLeast11() bool {
	return r.Major > 1 || r.Major == 1 && r.Minor >= 1
}

// Methods dispatches a request to the handler of its method, the way
// BaseHTTPRequestHandler calls do_GET for GET and do_POST for POST.
// HEAD falls back to the GET handler, with the body dropped. A method
// without a handler is answered 501 Not Implemented, as Python does.
type Methods map[string]HandlerFunc

func (m Methods) ServeHTTP(w ResponseWriter, r *Request) {
	h, ok := m[r.Method]
	if !ok && r.Method == "HEAD" {
		h, ok = m["GET"]
	}
	if !ok {
		Error(w, 501, fmt.Sprintf("Unsupported method ('%s')", r.Method))
		return
	}
	h(w, r)
}

// Error replies with code and a short HTML page that says msg, like
// Python's send_error. It replaces any Content-Length the handler set,
// and it must be called before anything else was written. The writer
// drops the page for HEAD, 204 and 304.
func Error(w ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(code)
	if !statusHasBody(code) {
		return
	}
	fmt.Fprintf(w, errorPage, code, html.EscapeString(StatusText(code)),
		html.EscapeString(msg))
}

// errorPage is Python's DEFAULT_ERROR_MESSAGE, shortened.
const errorPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Error response</title></head>
<body>
<h1>Error response</h1>
<p>Error code: %d %s</p>
<p>Message: %s</p>
</body>
</html>
`
