// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"log"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/05-persistent-connections"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 5
	os.Exit(m.Run())
}

// noLeaks checks, when the test ends, that no goroutine outlives it:
// the server's Close must end every connection's goroutine.
func noLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// start serves h on 127.0.0.1 and a free port until the test ends, and
// returns the address. The server's log goes to the test's log. The
// timeouts are short, so that tests can wait for them; options change
// the server before it starts.
func start(t *testing.T, h httpd.Handler, options ...func(*httpd.Server)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listen on 127.0.0.1:0")
	srv := &httpd.Server{
		Handler:           h,
		ReadHeaderTimeout: 2 * time.Second,
		IdleTimeout:       2 * time.Second,
		ErrorLog:          log.New(testLog{t}, "server: ", 0),
	}
	for _, o := range options {
		o(srv)
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
