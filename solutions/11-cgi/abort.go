// This file is given: it needs no editing.

package httpd

// abortResponse cuts the current response short, and never returns.
// Call it from a handler whose response has already begun (its header
// was flushed) when the rest of the response cannot be sent: the
// client must be able to tell that what it got is incomplete, and a
// well-framed short body would look like success.
//
// It panics. The server's runHandler (conn.go) recovers, logs the
// panic, and, because the header has left, closes the connection at
// once: no last chunk, or fewer bytes than Content-Length said. A
// handler that calls it before anything was sent gets a 500 page
// instead. Deferred calls run as the panic unwinds, so clean up there.
func abortResponse(reason string) {
	panic(abortError(reason))
}

// abortError is the value abortResponse panics with.
type abortError string

func (e abortError) Error() string {
	return "httpd: response aborted: " + string(e)
}
