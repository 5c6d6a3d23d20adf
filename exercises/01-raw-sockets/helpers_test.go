// Don't change the tests: tutor check runs them as they are.

package rawsock

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// timeout bounds every wait in these tests, so that a server that never
// answers makes a test fail instead of hang.
const timeout = 3 * time.Second

// listen calls Listen on 127.0.0.1 with a port the kernel picks, and
// closes the Listener when the test ends.
func listen(t *testing.T) *Listener {
	t.Helper()
	l, err := Listen("127.0.0.1:0")
	require.NoError(t, err, "Listen(%q)", "127.0.0.1:0")
	require.NotNil(t, l, "Listen(%q) returned no error but a nil Listener",
		"127.0.0.1:0")
	t.Cleanup(func() { l.Close() })
	return l
}

// dial connects a client to addr with a deadline, and closes it when
// the test ends.
func dial(t *testing.T, addr netip.AddrPort) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr.String(), timeout)
	require.NoError(t, err, "connecting to %s", addr)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(timeout)))
	return c.(*net.TCPConn)
}

// serveOne connects a client to l, closed when the test ends, and runs
// ServeOne(l, greeting) in a goroutine. The client's reads have a
// deadline of wait. Once ServeOne returns, they get two more seconds
// (the server has closed its end, so the rest of the bytes and EOF are
// on their way), or none if ServeOne failed. ServeOne's error arrives
// on the channel; read it with waitServed.
func serveOne(t *testing.T, l *Listener, greeting []byte,
	wait time.Duration) (*net.TCPConn, <-chan error) {
	t.Helper()
	c := dial(t, l.Addr())
	require.NoError(t, c.SetDeadline(time.Now().Add(wait)))
	done := make(chan error, 1)
	go func() {
		err := ServeOne(l, greeting)
		more := 2 * time.Second
		if err != nil {
			more = 0
		}
		c.SetReadDeadline(time.Now().Add(more))
		done <- err
	}()
	return c, done
}

// waitServed returns what ServeOne returned, or an error if it is still
// running after timeout.
func waitServed(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("ServeOne still running after %v", timeout)
	}
}

// accept calls l.Accept, giving up after timeout.
func accept(t *testing.T, l *Listener) (int, netip.AddrPort) {
	t.Helper()
	type result struct {
		fd   int
		peer netip.AddrPort
		err  error
	}
	res := make(chan result, 1)
	go func() {
		fd, peer, err := l.Accept()
		res <- result{fd, peer, err}
	}()
	select {
	case r := <-res:
		require.NoError(t, r.err, "Accept with a client waiting")
		return r.fd, r.peer
	case <-time.After(timeout):
		require.FailNow(t, "Accept did not return",
			"a client connected to %s, but Accept still waits after %v",
			l.Addr(), timeout)
		return -1, netip.AddrPort{}
	}
}

// localAddr returns the client's own address, as an IPv4 AddrPort.
func localAddr(c net.Conn) netip.AddrPort {
	ap := c.LocalAddr().(*net.TCPAddr).AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// openFDs lists this process's open file descriptors: number -> what
// it is ("socket:[1234]", "/dev/null", ...).
func openFDs(t *testing.T) map[int]string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	fds := make(map[int]string)
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil {
			continue // the descriptor ReadDir used, closed by now
		}
		fds[n] = target
	}
	return fds
}

// fdDiff lists the descriptors in a that are not in b, one per line.
func fdDiff(a, b map[int]string) string {
	var lines []string
	for n, target := range a {
		if _, ok := b[n]; !ok {
			lines = append(lines, fmt.Sprintf("fd %d: %s", n, target))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// inTimeWait reports whether /proc/net/tcp lists a connection in
// TIME_WAIT (state 06) whose local port is port: one that the server
// side closed first.
func inTimeWait(port uint16) (bool, error) {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return false, err
	}
	want := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 3 && strings.HasSuffix(f[1], want) && f[3] == "06" {
			return true, nil
		}
	}
	return false, nil
}

// errFakeLoop stops a WriteAll that keeps calling a fake write.
var errFakeLoop = errors.New("fake write: called 10000 times, giving up")

// fakeWrite is a WriteFunc as stingy as the kernel may be: each call
// writes at most max bytes, and the calls listed in fail return their
// error and -1 instead of writing.
type fakeWrite struct {
	max   int
	fail  map[int]error // call number (from 1) -> its error
	calls int
	got   []byte
}

func (f *fakeWrite) write(p []byte) (int, error) {
	f.calls++
	if f.calls >= 10000 {
		return -1, errFakeLoop
	}
	if err, ok := f.fail[f.calls]; ok {
		return -1, err
	}
	n := min(len(p), f.max)
	f.got = append(f.got, p[:n]...)
	return n, nil
}

// writeAll calls WriteAll, turning a panic into an error.
func writeAll(write WriteFunc, b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("WriteAll panicked: %v", r)
		}
	}()
	return WriteAll(write, b)
}
