// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"log"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/04-writing-a-response"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 4
	os.Exit(m.Run())
}

// noLeaks checks, when the test ends, that no goroutine outlives it:
// the server's Close must end every connection's goroutine.
func noLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// start serves h on 127.0.0.1 and a free port until the test ends, and
// returns the address. The server's log goes to the test's log.
func start(t *testing.T, h httpd.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listen on 127.0.0.1:0")
	return serve(t, ln, h)
}

func serve(t *testing.T, ln net.Listener, h httpd.Handler) string {
	t.Helper()
	srv := &httpd.Server{
		Handler:  h,
		ErrorLog: log.New(testLog{t}, "server: ", 0),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// testLog writes the server's log lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// countingListener counts the Write calls the server makes on every
// connection it accepts: one Write is one system call, and usually one
// TCP segment.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{TCPConn: c.(*net.TCPConn), writes: l.writes}, nil
}

type countingConn struct {
	*net.TCPConn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.TCPConn.Write(p)
}

// get returns a GET request for path, on HTTP/1.1.
func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"
}

// header returns the header section of a raw response, or all of it
// when it has no end.
func header(raw string) string {
	h, _, _ := strings.Cut(raw, "\r\n\r\n")
	return h + "\r\n"
}

// after returns what follows the header section of a raw response.
func after(raw string) string {
	_, b, _ := strings.Cut(raw, "\r\n\r\n")
	return b
}
