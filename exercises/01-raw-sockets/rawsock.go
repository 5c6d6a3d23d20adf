// Package rawsock is a TCP server built from bare system calls: socket,
// setsockopt, bind, listen, getsockname, accept, write and close. They
// are the calls Python's socket module makes for you, one per method.
//
// This is the exercise of lesson 1 (lessons/01-raw-sockets.md). Fill in
// every function marked TODO, then run `tutor check 1`.
package rawsock

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"
)

var errNotImplemented = errors.New("rawsock: not implemented")

// Backlog is how many connections the kernel may queue, finished but
// not yet accepted, for a listening socket: the argument of listen(2).
const Backlog = 128

// Listener is a TCP socket listening on an IPv4 address. It is a bare
// file descriptor: it is not safe for use by several goroutines at
// once, and Close must not run while Accept waits in another goroutine.
type Listener struct {
	fd   int            // the listening socket; -1 once closed
	addr netip.AddrPort // the address the socket is bound to
}

// Listen opens a TCP socket listening on addr, an IPv4 "ip:port" such
// as "127.0.0.1:0". Port 0 asks the kernel to pick a free port; Addr
// tells which one it picked.
//
// Listen makes the socket with socket(2), close-on-exec, sets
// SO_REUSEADDR (so it can bind a port that still has connections in
// TIME_WAIT), then calls bind(2), listen(2) with Backlog, and
// getsockname(2). The errors of those calls are wrapped, so
// errors.Is(err, unix.EADDRINUSE) reports a port already taken. On
// error, Listen closes the socket it made and returns a nil Listener.
// The caller closes the Listener.
func Listen(addr string) (*Listener, error) {
	// TODO: parse addr with parseAddr (in addr.go), then make, set up,
	// bind and listen on a socket. Close it if a step fails.
	return nil, errNotImplemented
}

// FD returns the listening socket's file descriptor, or -1 once the
// Listener is closed. The Listener still owns it: do not close it.
func (l *Listener) FD() int { return l.fd }

// Addr returns the address the socket is bound to, with the port the
// kernel picked when Listen was asked for port 0.
func (l *Listener) Addr() netip.AddrPort { return l.addr }

// Accept waits for a client to connect, with accept4(2), and returns
// the connected socket, close-on-exec, and the client's address. It
// tries again when the call is interrupted (EINTR) or when a queued
// connection was aborted before it was accepted (ECONNABORTED). The
// caller owns the returned file descriptor and must close it.
func (l *Listener) Accept() (fd int, peer netip.AddrPort, err error) {
	// TODO: accept a connection and turn its address with addrPort.
	return -1, netip.AddrPort{}, errNotImplemented
}

// Close closes the listening socket. Connections already accepted stay
// open. Calling Close again does nothing and returns nil: it must never
// close the same number twice, since by then the number may name
// another file.
func (l *Listener) Close() error {
	// TODO: close the socket once, and remember that it is closed.
	return errNotImplemented
}

// WriteFunc writes some of p, as write(2) does: it returns how many
// bytes it wrote, which may be fewer than len(p), and an error. On
// error n may be -1, as unix.Write returns it.
type WriteFunc func(p []byte) (n int, err error)

// WriteAll calls write until every byte of b is written, each call
// with the bytes not yet written, like Python's socket.sendall. It
// calls again when write was interrupted (unix.EINTR). It stops at the
// first other error and returns it wrapped; a call that writes nothing
// and returns no error is reported as io.ErrShortWrite. Writing an
// empty b succeeds.
func WriteAll(write WriteFunc, b []byte) error {
	// TODO: one call may write only part of b, or fail with EINTR
	// before writing anything. Loop until all of b is written.
	_, err := write(b)
	return err
}

// SendAll writes all of b to the connected socket fd with write(2),
// through WriteAll. It does not close fd.
func SendAll(fd int, b []byte) error {
	return WriteAll(func(p []byte) (int, error) {
		return unix.Write(fd, p)
	}, b)
}

// ServeOne accepts one client from l, sends it greeting with SendAll
// and closes the connection, so the client reads greeting and then
// end of file. ServeOne does not close l. It returns the first error
// of accepting, sending or closing.
func ServeOne(l *Listener, greeting []byte) error {
	// TODO: accept, send, close: the server closes first.
	return errNotImplemented
}
