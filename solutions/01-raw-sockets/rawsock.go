// Package rawsock is a TCP server built from bare system calls: socket,
// setsockopt, bind, listen, getsockname, accept, write and close. They
// are the calls Python's socket module makes for you, one per method.
//
// This is the reference solution of lesson 1
// (lessons/01-raw-sockets.md).
package rawsock

import (
	"errors"
	"fmt"
	"io"
	"net/netip"

	"golang.org/x/sys/unix"
)

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
	sa, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(unix.AF_INET,
		unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("rawsock: socket: %w", err)
	}
	fail := func(op string, err error) (*Listener, error) {
		unix.Close(fd)
		return nil, fmt.Errorf("rawsock: %s %s: %w", op, addr, err)
	}
	err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if err != nil {
		return fail("setsockopt SO_REUSEADDR", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	if err := unix.Listen(fd, Backlog); err != nil {
		return fail("listen", err)
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	ap, err := addrPort(bound)
	if err != nil {
		return fail("getsockname", err)
	}
	return &Listener{fd: fd, addr: ap}, nil
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
	for {
		fd, sa, err := unix.Accept4(l.fd, unix.SOCK_CLOEXEC)
		if errors.Is(err, unix.EINTR) ||
			errors.Is(err, unix.ECONNABORTED) {
			continue
		}
		if err != nil {
			return -1, netip.AddrPort{},
				fmt.Errorf("rawsock: accept: %w", err)
		}
		peer, err := addrPort(sa)
		if err != nil {
			unix.Close(fd)
			return -1, netip.AddrPort{}, err
		}
		return fd, peer, nil
	}
}

// Close closes the listening socket. Connections already accepted stay
// open. Calling Close again does nothing and returns nil: it must never
// close the same number twice, since by then the number may name
// another file.
func (l *Listener) Close() error {
	if l.fd < 0 {
		return nil
	}
	fd := l.fd
	l.fd = -1
	if err := unix.Close(fd); err != nil {
		return fmt.Errorf("rawsock: close: %w", err)
	}
	return nil
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
	for len(b) > 0 {
		n, err := write(b)
		if n > 0 {
			b = b[n:]
		}
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return fmt.Errorf("rawsock: write: %w", err)
		case n <= 0:
			return fmt.Errorf("rawsock: write: %w", io.ErrShortWrite)
		}
	}
	return nil
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
	fd, _, err := l.Accept()
	if err != nil {
		return err
	}
	err = SendAll(fd, greeting)
	if cerr := unix.Close(fd); cerr != nil && err == nil {
		err = fmt.Errorf("rawsock: close: %w", cerr)
	}
	return err
}
