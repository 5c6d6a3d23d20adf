// This file is given: it needs no editing.

package httpd

import (
	"context"
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// listenInherit listens on addr and returns the listening socket as a
// file to pass to workers in ExtraFiles, and its address.
//
// (*net.TCPListener).File would give a file too, but exec calls its
// Fd method, and that puts the socket in blocking mode. The flag
// belongs to the socket, shared by every process that holds it: a
// worker blocked in accept(2) would never see its listener closed,
// and could not stop. A plain duplicate stays non-blocking.
func listenInherit(addr string) (*os.File, net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close() // the duplicate keeps the socket open
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		return nil, nil, err
	}
	fd, derr := -1, error(nil)
	err = rc.Control(func(s uintptr) {
		fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("dup listener: %w", err)
	}
	return os.NewFile(uintptr(fd), "listener"), ln.Addr(), nil
}

// reusePort sets SO_REUSEPORT on a socket before it is bound: every
// socket bound to the port with it, by the same user, shares the port,
// and the kernel spreads new connections over those that listen, by a
// hash of the client's address and port (socket(7)).
func reusePort(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET,
			unix.SO_REUSEPORT, 1)
	})
	if err != nil {
		return err
	}
	return serr
}

// listenReusePort is a worker's own listener on addr, in reuseport
// mode: one socket per process, all bound to the same port.
func listenReusePort(addr string) (net.Listener, error) {
	lc := net.ListenConfig{Control: reusePort}
	return lc.Listen(context.Background(), "tcp", addr)
}

// reservePort binds a SO_REUSEPORT socket to addr (port 0 picks a
// free port) and does not listen on it: it holds the port for the
// master's whole life, even when every worker is down, and it takes no
// connection, since the kernel only hands them to listening sockets.
// Close releases it.
func reservePort(addr string) (*os.File, net.Addr, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	family, sa := unix.AF_INET, unix.Sockaddr(nil)
	if ip4 := ta.IP.To4(); ip4 != nil || ta.IP == nil {
		s := &unix.SockaddrInet4{Port: ta.Port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		family = unix.AF_INET6
		s := &unix.SockaddrInet6{Port: ta.Port}
		copy(s.Addr[:], ta.IP.To16())
		sa = s
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "reserved port")
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT,
		1); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("setsockopt SO_REUSEPORT: %w", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("bind %s: %w", addr, err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("getsockname: %w", err)
	}
	switch got := got.(type) {
	case *unix.SockaddrInet4:
		return f, &net.TCPAddr{IP: net.IP(got.Addr[:]), Port: got.Port}, nil
	case *unix.SockaddrInet6:
		return f, &net.TCPAddr{IP: net.IP(got.Addr[:]), Port: got.Port}, nil
	}
	f.Close()
	return nil, nil, fmt.Errorf("getsockname: unexpected %T", got)
}
