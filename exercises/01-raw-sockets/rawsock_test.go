// Don't change the tests: tutor check runs them as they are.

package rawsock

import (
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestListenPortZero(t *testing.T) {
	l := listen(t)

	addr := l.Addr()
	assert.NotZero(t, addr.Port(),
		"Listen(%q): Addr must report the port the kernel picked",
		"127.0.0.1:0")
	assert.Equal(t, netip.MustParseAddr("127.0.0.1"), addr.Addr(),
		"Listen(%q): Addr must report the address bound", "127.0.0.1:0")
	assert.GreaterOrEqual(t, l.FD(), 0, "FD of an open Listener")

	// The port is real: a client can connect to it even before anyone
	// calls Accept, since the kernel queues the connection.
	c, err := net.DialTimeout("tcp", addr.String(), timeout)
	if assert.NoError(t, err, "connecting to the address Addr reported") {
		c.Close()
	}
}

func TestSocketsAreCloseOnExec(t *testing.T) {
	l := listen(t)
	dial(t, l.Addr())
	fd, _ := accept(t, l)
	t.Cleanup(func() { unix.Close(fd) })

	for _, tc := range []struct {
		name string
		fd   int
	}{
		{"listening socket", l.FD()},
		{"accepted socket", fd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flags, err := unix.FcntlInt(uintptr(tc.fd), unix.F_GETFD, 0)
			require.NoError(t, err, "fcntl(%d, F_GETFD)", tc.fd)
			assert.NotZero(t, flags&unix.FD_CLOEXEC,
				"fd %d has no FD_CLOEXEC: use unix.SOCK_CLOEXEC", tc.fd)
		})
	}
}

func TestAcceptReturnsClient(t *testing.T) {
	l := listen(t)
	c := dial(t, l.Addr())
	fd, peer := accept(t, l)
	t.Cleanup(func() { unix.Close(fd) })

	assert.Equal(t, localAddr(c), peer,
		"Accept must return the address of the client that connected")

	// A deadline on the raw socket, so a read never hangs the test.
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	require.NoError(t, err, "fd %d from Accept must be a socket", fd)

	ping := []byte("ping\r\n")
	_, err = c.Write(ping)
	require.NoError(t, err)
	buf := make([]byte, 64)
	n, err := unix.Read(fd, buf)
	if assert.NoError(t, err, "reading the accepted fd after the client sent %q", ping) {
		assert.Equal(t, string(ping), string(buf[:n]),
			"the client sent %q", ping)
	}

	pong := []byte("pong\r\n")
	if assert.NoError(t, SendAll(fd, pong), "SendAll(fd, %q)", pong) {
		got := make([]byte, len(pong))
		_, err := io.ReadFull(c, got)
		assert.NoError(t, err, "client reading %q", pong)
		assert.Equal(t, string(pong), string(got), "the server sent %q", pong)
	}
}

func TestWriteAllShortWrites(t *testing.T) {
	payload := []byte("hello, raw sockets\r\n")
	for _, tc := range []struct {
		name    string
		payload []byte
		max     int           // bytes written per call at most
		fail    map[int]error // call number -> error
		want    string        // what reaches the fake
		wantErr error
		calls   int // how many calls WriteAll makes, when not 0
	}{
		{
			name: "3 bytes per call", payload: payload, max: 3,
			want: string(payload),
		},
		{
			name: "EINTR before any byte", payload: payload, max: 3,
			fail: map[int]error{1: unix.EINTR},
			want: string(payload),
		},
		{
			name: "EINTR halfway", payload: payload, max: 3,
			fail: map[int]error{4: unix.EINTR},
			want: string(payload),
		},
		{
			name: "another error stops it", payload: payload, max: 3,
			fail: map[int]error{3: unix.EPIPE},
			want: "hello,", wantErr: unix.EPIPE, calls: 3,
		},
		{
			name: "nothing written, no error", payload: payload, max: 0,
			want: "", wantErr: io.ErrShortWrite, calls: 1,
		},
		{
			name: "empty payload", payload: []byte{}, max: 3,
			want: "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeWrite{max: tc.max, fail: tc.fail}
			err := writeAll(f.write, tc.payload)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr,
					"WriteAll of %q, calls that fail: %v",
					tc.payload, tc.fail)
			} else {
				assert.NoError(t, err, "WriteAll of %q, calls that fail: %v",
					tc.payload, tc.fail)
			}
			assert.Equal(t, tc.want, string(f.got),
				"WriteAll of %q, at most %d bytes per call",
				tc.payload, tc.max)
			if tc.calls != 0 {
				assert.Equal(t, tc.calls, f.calls,
					"calls to write for %q", tc.payload)
			}
		})
	}
}

func TestServeOneSendsBytesThenEOF(t *testing.T) {
	for _, tc := range []struct {
		name     string
		greeting []byte
	}{
		{"greeting", []byte("hello from a raw socket\r\n")},
		{"binary", []byte("\x00\xff\r\n\x00end")},
		{"empty", []byte{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listen(t)
			c, done := serveOne(t, l, tc.greeting, timeout)

			got, err := io.ReadAll(c)
			assert.NoError(t, waitServed(t, done), "ServeOne(%q)",
				tc.greeting)
			assert.NoError(t, err,
				"reading to EOF after ServeOne sent %q: "+
					"did it close the connection?", tc.greeting)
			assert.Equal(t, string(tc.greeting), string(got),
				"ServeOne sent %q", tc.greeting)
		})
	}
}

func TestLargePayloadSlowReader(t *testing.T) {
	l := listen(t)
	payload := make([]byte, 8<<20)
	rand.NewChaCha8([32]byte{1}).Read(payload)
	want := sha256.Sum256(payload)

	c, done := serveOne(t, l, payload, 10*time.Second)
	require.NoError(t, c.SetReadBuffer(64<<10))

	// Read slowly, so the server's socket buffer fills up and its
	// writes have to wait for room.
	var got []byte
	buf := make([]byte, 64<<10)
	var err error
	for {
		var n int
		n, err = c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	assert.NoError(t, waitServed(t, done), "ServeOne of %d bytes",
		len(payload))
	assert.ErrorIs(t, err, io.EOF, "reading %d bytes, then EOF",
		len(payload))
	assert.Equal(t, len(payload), len(got), "bytes received")
	assert.Equal(t, want, sha256.Sum256(got),
		"sha256 of the %d bytes received", len(got))
}

func TestSecondListenFailsEADDRINUSE(t *testing.T) {
	l := listen(t)
	addr := l.Addr().String()

	l2, err := Listen(addr)
	if l2 != nil {
		t.Cleanup(func() { l2.Close() })
	}
	assert.ErrorIs(t, err, unix.EADDRINUSE,
		"Listen(%q) while another Listener listens there", addr)
	assert.Nil(t, l2, "Listen(%q) must return a nil Listener on error",
		addr)
}

func TestListenAgainAfterClose(t *testing.T) {
	l := listen(t)
	addr := l.Addr()

	// Serve one client. The server closes first, so its side of the
	// connection stays in TIME_WAIT once the client closes too.
	greeting := []byte("bye\r\n")
	c, done := serveOne(t, l, greeting, timeout)
	got, err := io.ReadAll(c)
	require.NoError(t, waitServed(t, done), "ServeOne(%q)", greeting)
	require.NoError(t, err, "reading to EOF after ServeOne sent %q",
		greeting)
	require.Equal(t, string(greeting), string(got))
	require.NoError(t, c.Close())

	if _, err := os.Stat("/proc/net/tcp"); err == nil {
		require.Eventually(t, func() bool {
			ok, _ := inTimeWait(addr.Port())
			return ok
		}, timeout, 10*time.Millisecond,
			"the server's end of the connection on port %d should be "+
				"in TIME_WAIT", addr.Port())
	} else {
		t.Logf("no /proc/net/tcp: cannot check for TIME_WAIT: %v", err)
	}

	require.NoError(t, l.Close(), "Close")
	l2, err := Listen(addr.String())
	if l2 != nil {
		t.Cleanup(func() { l2.Close() })
	}
	assert.NoError(t, err, "Listen(%q) right after Close, with a "+
		"connection in TIME_WAIT on that port", addr)
}

func TestNoFDLeaks(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skipf("this test counts the entries of /proc/self/fd, "+
			"which this system lacks: %v", err)
	}
	// The first network connection makes the runtime open its poller;
	// do that before counting.
	warm, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	warm.Close()
	before := openFDs(t)

	l, err := Listen("127.0.0.1:0")
	require.NoError(t, err, "Listen(%q)", "127.0.0.1:0")
	addr := l.Addr()

	// A Listen that fails must close the socket it made.
	l2, err := Listen(addr.String())
	assert.ErrorIs(t, err, unix.EADDRINUSE, "a second Listen(%q)", addr)
	if l2 != nil {
		l2.Close()
	}

	// ServeOne must close the connection it accepted.
	greeting := []byte("bye\r\n")
	c, done := serveOne(t, l, greeting, timeout)
	_, err = io.ReadAll(c)
	c.Close()
	assert.NoError(t, waitServed(t, done), "ServeOne(%q)", greeting)
	assert.NoError(t, err, "reading to EOF after ServeOne sent %q",
		greeting)

	// Close closes once: the second call must not close anything.
	assert.NoError(t, l.Close(), "Close")
	assert.NoError(t, l.Close(), "a second Close")
	assert.Equal(t, -1, l.FD(), "FD after Close")

	after := openFDs(t)
	assert.Empty(t, fdDiff(after, before),
		"descriptors left open by Listen, Accept or ServeOne")
	assert.Empty(t, fdDiff(before, after),
		"descriptors the test did not open were closed")
}
