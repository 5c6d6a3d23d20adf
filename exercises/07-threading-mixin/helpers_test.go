// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/07-threading-mixin"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 7
	os.Exit(m.Run())
}

// noLeaks checks, when the test ends, that no goroutine outlives it:
// every goroutine a strategy starts must end once the server is closed
// (goroutines that do not wait for Close get a second or two).
func noLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// start serves h with strategy on 127.0.0.1 and a free port until the
// test ends, and returns the address and the server. Options change
// the server before it starts. When the test ends, a gate handler is
// opened, then the server is closed: a Close that takes more than 10
// seconds fails the test.
func start(t *testing.T, strategy httpd.Strategy, h httpd.Handler,
	options ...func(*httpd.Server)) (string, *httpd.Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listen on 127.0.0.1:0")
	logs := &testLog{t: t}
	srv := &httpd.Server{
		Handler:           h,
		Strategy:          strategy,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       10 * time.Second,
		ErrorLog:          log.New(logs, "server: ", 0),
	}
	for _, o := range options {
		o(srv)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if g, ok := h.(*gate); ok {
			g.Open()
		}
		closed := make(chan struct{})
		go func() {
			srv.Close()
			<-served
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Errorf("the server's Close did not return in 10s: a " +
				"strategy's Close waits for something that never ends")
		}
		logs.stop()
	})
	return ln.Addr().String(), srv
}

// testLog writes the server's log lines to the test's log, until the
// test ends.
type testLog struct {
	t       *testing.T
	mu      sync.Mutex
	stopped bool // guarded by mu
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (l *testLog) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// get returns a GET request for path, on HTTP/1.1 (keep-alive).
func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"
}

// gate is the handler of most tests. GET /block waits at the gate
// until the test opens it (or 10 s pass); any other path goes straight
// through. Both answer 200 and "ok PATH\n". The gate counts the
// handlers running now, the most that ever ran at once, and those
// waiting at it.
type gate struct {
	open    chan struct{}
	once    sync.Once
	running atomic.Int64
	most    atomic.Int64 // the high-water mark of running
	waiting atomic.Int64
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

// Open lets every handler through, now and from now on.
func (g *gate) Open() { g.once.Do(func() { close(g.open) }) }

func (g *gate) ServeHTTP(w httpd.ResponseWriter, r *httpd.Request) {
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for m := g.most.Load(); n > m; m = g.most.Load() {
		if g.most.CompareAndSwap(m, n) {
			break
		}
	}
	if r.Path == "/block" {
		g.waiting.Add(1)
		select {
		case <-g.open:
		case <-time.After(10 * time.Second):
		}
		g.waiting.Add(-1)
	}
	io.WriteString(w, "ok "+r.Path+"\n")
}

// waitFor waits, at most 5 s, until n handlers wait at the gate. It
// fails the test at once if one of watch is answered or closed
// meanwhile: a server that closes connections never gets there.
func (g *gate) waitFor(t *testing.T, n int64, why string,
	watch ...*conn) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for g.waiting.Load() != n {
		for _, c := range watch {
			select {
			case r := <-c.replies:
				t.Fatalf("%s: waiting for %d handlers at /block, %s "+
					"got %s, after sending %q", why, n, c.name, r,
					c.lastSent())
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: after 5s, %d handlers wait at /block, "+
				"want %d", why, g.waiting.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// conn is a client connection of a test that juggles several: a
// goroutine reads its responses as they come, so the test can wait
// for any of them with a bound.
type conn struct {
	name    string // "connection 3"
	nc      net.Conn
	sent    []string   // requests sent, for messages
	replies chan reply // each response, then the error that ended
}

// reply is one response read on a conn, or the error that ended it.
type reply struct {
	status int
	header http.Header // without Connection: see close
	close  bool        // the response said "Connection: close"
	body   string
	err    error
}

func (r reply) String() string {
	switch {
	case r.err == io.EOF:
		return "no answer: the server closed the connection"
	case errors.Is(r.err, syscall.ECONNRESET):
		return "no answer: the server reset the connection"
	case r.err != nil:
		return fmt.Sprintf("no answer: %v", r.err)
	}
	return fmt.Sprintf("%d %q", r.status, r.body)
}

// open opens n connections to addr, one after another, so the server
// has them all in its listen queue before anything is sent. Each is
// closed when the test ends; none lives longer than 30 s.
func open(t *testing.T, addr string, n int) []*conn {
	t.Helper()
	cs := make([]*conn, n)
	for i := range cs {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err, "opening connection %d to %s", i+1, addr)
		nc.SetDeadline(time.Now().Add(30 * time.Second))
		c := &conn{name: fmt.Sprintf("connection %d", i+1), nc: nc,
			replies: make(chan reply, 16)}
		done := make(chan struct{})
		go c.read(done)
		t.Cleanup(func() {
			nc.Close()
			<-done
		})
		cs[i] = c
	}
	return cs
}

// read reads responses until the connection ends.
func (c *conn) read(done chan struct{}) {
	defer close(done)
	br := bufio.NewReader(c.nc)
	for {
		var r reply
		resp, err := http.ReadResponse(br, nil)
		if err == nil {
			var b []byte
			b, err = io.ReadAll(resp.Body)
			r = reply{status: resp.StatusCode, header: resp.Header,
				close: resp.Close, body: string(b)}
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			r = reply{err: err}
		}
		select {
		case c.replies <- r:
		default: // the test stopped listening
			return
		}
		if err != nil {
			return
		}
	}
}

// send writes raw on the connection.
func (c *conn) send(t *testing.T, raw string) {
	t.Helper()
	c.sent = append(c.sent, raw)
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := io.WriteString(c.nc, raw)
	require.NoError(t, err, "sending %q on %s: the server closed it?",
		raw, c.name)
}

func (c *conn) lastSent() string {
	if len(c.sent) == 0 {
		return ""
	}
	return c.sent[len(c.sent)-1]
}

// await returns the next reply, or ok false if none came by deadline.
func (c *conn) await(deadline time.Time) (r reply, ok bool) {
	select {
	case r := <-c.replies: // already here, even past the deadline
		return r, true
	default:
	}
	select {
	case r := <-c.replies:
		return r, true
	case <-time.After(time.Until(deadline)):
		return reply{}, false
	}
}

// answer waits at most wait for the next response, and stops the test
// if none comes or the server closes the connection.
func (c *conn) answer(t *testing.T, wait time.Duration) reply {
	t.Helper()
	r, ok := c.await(time.Now().Add(wait))
	switch {
	case !ok:
		t.Fatalf("%s: no answer in %v to %q", c.name, wait, c.lastSent())
	case r.err != nil:
		t.Fatalf("%s: %s, after sending %q", c.name, r, c.lastSent())
	}
	return r
}

// expectEnd checks that the server closes the connection, within
// wait, without sending anything more.
func (c *conn) expectEnd(t *testing.T, wait time.Duration, why string) bool {
	t.Helper()
	r, ok := c.await(time.Now().Add(wait))
	switch {
	case !ok:
		t.Errorf("%s: still open after %v, want it closed: %s",
			c.name, wait, why)
		return false
	case r.err == nil:
		t.Errorf("%s: got %s, want the connection closed: %s",
			c.name, r, why)
		return false
	}
	return true
}

// silent waits for wait and checks that none of cs got a response in
// that time: why says why none should have.
func silent(t *testing.T, wait time.Duration, why string, cs ...*conn) {
	t.Helper()
	time.Sleep(wait)
	for _, c := range cs {
		select {
		case r := <-c.replies:
			t.Errorf("%s got %s to %q within %v, want nothing yet: %s",
				c.name, r, c.lastSent(), wait, why)
		default:
		}
	}
}

// first waits at most wait for the first of cs to get a reply, and
// returns it.
func first(t *testing.T, wait time.Duration, cs ...*conn) (*conn, reply) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		for _, c := range cs {
			select {
			case r := <-c.replies:
				return c, r
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("none of %d connections got an answer in %v",
				len(cs), wait)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
