// This file is given: it needs no editing.

package httpd

import "errors"

// Abort ends the response w so that the client can tell it is broken:
// what was written so far is sent, then the connection closes without
// the rest. A chunked body lacks its last chunk, a body with a
// Content-Length is short of it; a response whose header had not left
// yet is not sent at all. That is how a server says "the app failed
// mid-body" (PEP 3333): a well-framed short body would look like
// success.
//
// The handler should return soon after; nothing it writes to w after
// Abort reaches the client. The connection logs err when it closes.
//
// Lesson 5's server has no such call: a handler cannot reach the
// connection. Abort makes the response's writer fail with err, so that
// finishing the response fails, and a response that cannot be finished
// closes its connection (conn.go, serve).
func Abort(w ResponseWriter, err error) {
	if err == nil {
		err = errors.New("gateway: response aborted")
	}
	r, ok := w.(*response)
	if !ok {
		panic("httpd: Abort needs the server's own ResponseWriter")
	}
	r.bw.Flush()
	r.bw.Reset(failingWriter{err})
	r.close = true
}

// failingWriter fails every write with its error.
type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }
