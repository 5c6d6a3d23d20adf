// This file needs no editing: it is given, and the same in the solution.

package socketserver

import (
	"fmt"
	"io"
	"net"
)

// Handler serves one client connection. It mirrors Python's
// socketserver.BaseRequestHandler: the server makes a fresh Handler for
// every connection it accepts, by calling Server.NewHandler, then calls
// Setup, Handle and Finish, in that order, in one goroutine.
//
// Finish runs whenever Setup returned nil, even when Handle returns an
// error or panics. When Setup fails, neither Handle nor Finish runs. An
// error or a panic from any of the three is passed to the server's
// HandleError.
//
// The connection belongs to the server: it closes it after Finish (or
// after a failed Setup). A Handler need not close it, and must not use
// it once Finish has returned.
type Handler interface {
	Setup() error
	Handle() error
	Finish()
}

// BaseHandler is a Handler that does nothing. Embed it in your own
// handler type to get Setup and Finish for free, the way a Python class
// subclasses BaseRequestHandler and overrides only handle().
type BaseHandler struct {
	// Conn is the client connection, Python's self.request. Its
	// RemoteAddr is the client's address, self.client_address.
	Conn net.Conn
}

// Setup does nothing and returns nil.
func (BaseHandler) Setup() error { return nil }

// Handle does nothing and returns nil.
func (BaseHandler) Handle() error { return nil }

// Finish does nothing.
func (BaseHandler) Finish() {}

// Echo makes the Handler of an echo server; pass it as a Server's
// NewHandler. Its Handle writes back every byte the client sends until
// the client closes its side of the connection.
func Echo(conn net.Conn) Handler {
	return &echoHandler{BaseHandler{Conn: conn}}
}

type echoHandler struct{ BaseHandler }

func (h *echoHandler) Handle() error {
	_, err := io.Copy(h.Conn, h.Conn)
	return err
}

// PanicError is the error HandleError receives when a Handler panics.
type PanicError struct {
	Value any    // the value the handler passed to panic
	Stack []byte // the stack of the goroutine where it panicked
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("socketserver: handler panicked: %v", e.Value)
}

// Unwrap returns the panic value if it is an error, so errors.Is and
// errors.As see through a PanicError.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
