// This file is given: it needs no editing.

package httpd

import "errors"

// ErrAborted is what the connection's writer returns once a response
// was aborted; the server logs it with the request and closes.
var ErrAborted = errors.New("httpd: response aborted by its handler")

// Abort ends the response w for a handler that failed half-way, so
// that the client can tell the response is not complete. w must be
// the ResponseWriter the server gave the handler, and the handler must
// return after Abort without using w again.
//
// If the status line has not left yet, the response becomes a 500
// error page and the connection closes after it. If it has left, the
// bytes already written are sent, nothing more is (no last chunk of a
// chunked body), and the connection closes: the client sees a body
// shorter than its Content-Length, or chunks without their end.
func Abort(w ResponseWriter) {
	r, ok := w.(*response)
	if !ok {
		panic("httpd: Abort of a ResponseWriter the server did not make")
	}
	if !r.committed {
		*r = response{bw: r.bw, req: r.req, header: Header{},
			length: -1, close: true}
		Error(r, 500, "The server failed to answer this request.")
		return
	}
	r.bw.Flush() // what was written before the failure still goes
	r.bw.Reset(abortedWriter{})
}

// abortedWriter fails every write, so the response's end never leaves.
type abortedWriter struct{}

func (abortedWriter) Write([]byte) (int, error) { return 0, ErrAborted }
