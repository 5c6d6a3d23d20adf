// addr.go is given: it needs no editing.

package rawsock

import (
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// parseAddr turns "127.0.0.1:8080" into the socket address bind(2)
// takes. It accepts only an IPv4 address and a port: no host names to
// look up and no IPv6, so every step stays a plain system call.
func parseAddr(addr string) (*unix.SockaddrInet4, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("rawsock: address %q: %w", addr, err)
	}
	if !ap.Addr().Is4() {
		return nil, fmt.Errorf("rawsock: address %q is not IPv4", addr)
	}
	return &unix.SockaddrInet4{
		Port: int(ap.Port()),
		Addr: ap.Addr().As4(),
	}, nil
}

// addrPort turns a socket address that getsockname(2) or accept(2)
// returned back into an address and port.
func addrPort(sa unix.Sockaddr) (netip.AddrPort, error) {
	sa4, ok := sa.(*unix.SockaddrInet4)
	if !ok {
		return netip.AddrPort{}, fmt.Errorf(
			"rawsock: unexpected socket address %T", sa)
	}
	ip := netip.AddrFrom4(sa4.Addr)
	return netip.AddrPortFrom(ip, uint16(sa4.Port)), nil
}
