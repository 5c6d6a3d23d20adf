// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"bufio"
	"errors"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	gateway "socket2gateway/exercises/10-middleware"
	"socket2gateway/exercises/10-middleware/httpd"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 10 // failures show how to replay against `tutor run 10`
	goleak.VerifyTestMain(m)
}

// patience is how long a test app waits for the test to do something
// before it gives up: shorter than wire.Timeout, so a middleware that
// holds a chunk back fails instead of hanging.
const patience = 3 * time.Second

// logBuffer collects the server's log; goroutines share it.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve serves app with lesson 9's gateway server on a free port of
// 127.0.0.1 until the test ends, and returns its address and its log.
// The log is shown when the test fails.
func serve(t *testing.T, app gateway.App) (string, *logBuffer) {
	t.Helper()
	srv, err := gateway.MakeServer("127.0.0.1:0", app)
	require.NoError(t, err, "MakeServer(\"127.0.0.1:0\", app)")
	logs := &logBuffer{}
	srv.ErrorLog = log.New(logs, "", 0)
	srv.ReadHeaderTimeout = 2 * time.Second
	done := make(chan error, 1)
	go func() { done <- srv.ServeForever() }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, httpd.ErrServerClosed,
				"ServeForever after Close")
		case <-time.After(wire.Timeout):
			t.Errorf("ServeForever did not return within %v of Close",
				wire.Timeout)
		}
		if t.Failed() && logs.String() != "" {
			t.Logf("the server's log:\n%s", logs)
		}
	})
	return srv.Addr().String(), logs
}

// waitLog waits until the log contains s, and reports whether it
// did: a server may log a failure after the client has seen it.
func waitLog(logs *logBuffer, s string) bool {
	end := time.Now().Add(patience)
	for !strings.Contains(logs.String(), s) {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// get returns a GET request for target, on HTTP/1.1.
func get(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"
}

// post returns a POST of body, by Content-Length, to target.
func post(target, body string) string {
	return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// text is a start_response header list for a plain-text body.
var text = [][2]string{{"Content-Type", "text/plain"}}

// appFunc is the type of a test app.
type appFunc = func(env *gateway.Environ,
	start gateway.StartResponse) (gateway.Body, error)

// replying returns an app that starts "200 OK" and returns body.
func replying(body func() gateway.Body) gateway.App {
	return gateway.AppFunc(func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		if _, err := start("200 OK", text, nil); err != nil {
			return nil, err
		}
		return body(), nil
	})
}

// chunks is a streaming Body: it returns its chunks one by one, then
// io.EOF, and it is not a *gateway.ListBody. A chunk that is an error
// fails the body there; a func is called, and what it returns is the
// chunk.
type chunks struct {
	items []any
	i     int
}

func streaming(items ...any) *chunks { return &chunks{items: items} }

func (c *chunks) Next() ([]byte, error) {
	if c.i == len(c.items) {
		return nil, io.EOF
	}
	item := c.items[c.i]
	c.i++
	switch v := item.(type) {
	case string:
		return []byte(v), nil
	case error:
		return nil, v
	case func() ([]byte, error):
		return v()
	}
	panic("chunks: unexpected item")
}

func (c *chunks) Close() error { return nil }

// ticks is a body that never ends: a line every 10 ms (for 10 s at
// most, so a server that never stops asking cannot hang the test).
func ticks() gateway.Body {
	var items []any
	for i := 0; i < 1000; i++ {
		items = append(items, func() ([]byte, error) {
			time.Sleep(10 * time.Millisecond)
			return []byte("tick\n"), nil
		})
	}
	return streaming(items...)
}

// countedBody counts the calls of Close.
type countedBody struct {
	gateway.Body
	n      atomic.Int32
	closed chan struct{} // closed by the first Close
}

func counted(b gateway.Body) *countedBody {
	return &countedBody{Body: b, closed: make(chan struct{})}
}

func (c *countedBody) Close() error {
	if c.n.Add(1) == 1 {
		close(c.closed)
	}
	return c.Body.Close()
}

// errApp is the error test apps fail with.
var errApp = errors.New("test app: the database went away")

// record sends v on ch without blocking.
func record[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

// received returns what the app recorded on ch, or fails the test:
// the app was not called.
func received[T any](t *testing.T, ch chan T, what string) (T, bool) {
	t.Helper()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(200 * time.Millisecond):
		var zero T
		t.Errorf("the app was not called: it sent no %s", what)
		return zero, false
	}
}

// rawConn is a connection that reads a response piece by piece, to
// see a streamed body arrive while the app is still running.
type rawConn struct {
	t   *testing.T
	nc  net.Conn
	br  *bufio.Reader
	got strings.Builder
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, wire.Timeout)
	require.NoError(t, err, "dial %s", addr)
	nc.SetDeadline(time.Now().Add(wire.Timeout))
	t.Cleanup(func() { nc.Close() })
	c := &rawConn{t: t, nc: nc}
	c.br = bufio.NewReader(io.TeeReader(nc, &c.got))
	return c
}

func (c *rawConn) send(raw string) {
	c.t.Helper()
	_, err := io.WriteString(c.nc, raw)
	require.NoError(c.t, err, "sending %q", raw)
}

// line reads one line, "\r\n" cut off.
func (c *rawConn) line(what string) string {
	c.t.Helper()
	s, err := c.br.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading %s: %v\nreceived so far: %q", what, err,
			c.got.String())
	}
	return strings.TrimSuffix(s, "\r\n")
}

// header reads a status line and header section and returns them.
func (c *rawConn) header() string {
	c.t.Helper()
	var b strings.Builder
	for {
		l := c.line("the header")
		if l == "" {
			return b.String()
		}
		b.WriteString(l + "\n")
	}
}

// chunk reads one chunk of a chunked body and returns its data ("" for
// the last chunk).
func (c *rawConn) chunk() string {
	c.t.Helper()
	size := c.line("a chunk size")
	n, err := strconv.ParseInt(size, 16, 32)
	if err != nil {
		c.t.Fatalf("bad chunk size line %q\nreceived so far: %q", size,
			c.got.String())
	}
	if n == 0 {
		c.line("the end of the body")
		return ""
	}
	data := make([]byte, n+2)
	if _, err := io.ReadFull(c.br, data); err != nil {
		c.t.Fatalf("reading a chunk of %d bytes: %v\nreceived so far: "+
			"%q", n, err, c.got.String())
	}
	return string(data[:n])
}

// expectChunked reads the header and checks it is a 200 with a
// chunked body; it reports whether it is.
func (c *rawConn) expectChunked() bool {
	c.t.Helper()
	h := c.header()
	if !strings.HasPrefix(h, "HTTP/1.1 200 ") ||
		!strings.Contains(h, "Transfer-Encoding: chunked") {
		c.t.Errorf("want a 200 with a chunked body, got:\n%s", h)
		return false
	}
	return true
}
