// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/03-reading-a-request"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 3 // failures show how to replay against `tutor run 3`
	goleak.VerifyTestMain(m)
}

// startServer starts the lesson's server (server.go) on a free port of
// 127.0.0.1 and returns its address. It is stopped when the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- httpd.Serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve returned %v after Close, want nil", err)
			}
		case <-time.After(wire.Timeout):
			t.Errorf("Serve did not return within %v of Close", wire.Timeout)
		}
	})
	return ln.Addr().String()
}

// pipelined follows every request the server must refuse: it must
// never be answered.
const pipelined = "GET /pipelined HTTP/1.1\r\nHost: x\r\n\r\n"

// expectRefused sends raw with a good request pipelined behind it, and
// checks that the server answers one of codes and closes the
// connection without answering the second request.
func expectRefused(t *testing.T, addr, raw string, codes ...int) {
	t.Helper()
	c := wire.Dial(t, addr)
	c.Send(raw + pipelined)
	if wire.ExpectStatus(t, c.ReadResponse(), codes[0], codes[1:]...) {
		wire.ExpectClosed(t, c)
	}
}

// expectSummary sends raw and checks that the server answers 200 with
// the summary want (see Summary in server.go).
func expectSummary(t *testing.T, addr, raw, want string) {
	t.Helper()
	c := wire.Dial(t, addr)
	c.Send(raw)
	r := c.ReadResponse()
	if wire.ExpectStatus(t, r, 200) {
		wire.ExpectBody(t, r, want)
	}
}

// expectStatus sends raw and checks the status of the answer.
func expectStatus(t *testing.T, addr, raw string, code int) {
	t.Helper()
	c := wire.Dial(t, addr)
	c.Send(raw)
	wire.ExpectStatus(t, c.ReadResponse(), code)
}
