// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/13-graceful-shutdown"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) == "1" {
		os.Exit(worker())
	}
	wire.Lesson = 13
	os.Exit(m.Run())
}

// noLeaks checks, when the test ends, that no goroutine outlives it.
func noLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// server is a server under test.
type server struct {
	*httpd.Server
	addr   string  // 127.0.0.1:PORT
	states *states // every state its connections entered
	served chan struct{}
	// serveErr is what Serve returned; read it after <-served.
	serveErr error
}

// start serves h on 127.0.0.1 and a free port until the test ends.
// Every timeout is a minute, so that no test meets one by chance;
// options change the server before it starts. The server's log goes
// to the test's log.
func start(t *testing.T, h httpd.Handler,
	options ...func(*httpd.Server)) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listen on 127.0.0.1:0")
	st := newStates()
	s := &server{
		Server: &httpd.Server{
			Handler:           h,
			ReadHeaderTimeout: time.Minute,
			ReadBodyTimeout:   time.Minute,
			WriteTimeout:      time.Minute,
			IdleTimeout:       time.Minute,
			ConnState:         st.record,
			ErrorLog:          log.New(testLog{t}, "server: ", 0),
		},
		addr:   ln.Addr().String(),
		states: st,
		served: make(chan struct{}),
	}
	for _, o := range options {
		o(s.Server)
	}
	go func() {
		s.serveErr = s.Serve(ln)
		close(s.served)
	}()
	t.Cleanup(func() {
		closed := make(chan struct{})
		go func() {
			s.Close()
			close(closed)
		}()
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Error("Close did not return within 10s")
		}
		ln.Close() // in case Close did not
		select {
		case <-s.served:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after Close")
		}
	})
	return s
}

// startHolding starts a server with a fresh handler, and releases
// the requests the handler holds before the server closes.
func startHolding(t *testing.T,
	options ...func(*httpd.Server)) (*server, *handler) {
	t.Helper()
	h := newHandler()
	s := start(t, h, options...)
	t.Cleanup(h.releaseAll) // runs before the server's cleanup
	return s, h
}

// shutdown calls s.Shutdown with a context that ends after grace,
// and returns the channel its error comes on.
func (s *server) shutdown(grace time.Duration) <-chan error {
	result := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		result <- s.Shutdown(ctx)
	}()
	return result
}

// waitServed waits until Serve has returned, which Shutdown makes it
// do as it closes the listener, and checks what it returned.
func (s *server) waitServed(t *testing.T) {
	t.Helper()
	select {
	case <-s.served:
		require.ErrorIs(t, s.serveErr, httpd.ErrServerClosed,
			"Serve's error once Shutdown has begun")
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still runs 5s after Shutdown began: the " +
			"listener is still open")
	}
}

// returned waits up to d for err from Shutdown. ok is false if none
// came.
func returned(result <-chan error, d time.Duration) (err error, ok bool) {
	select {
	case err := <-result:
		return err, true
	case <-time.After(d):
		return nil, false
	}
}

// notYet checks that Shutdown has not returned: something is still in
// flight. It gives Shutdown a tenth of a second to return too early.
func notYet(t *testing.T, result <-chan error, what string) {
	t.Helper()
	if err, ok := returned(result, 100*time.Millisecond); ok {
		t.Fatalf("Shutdown returned (%v) while %s", err, what)
	}
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

// mustStatus checks a response's status and stops the test when it
// is wrong: what follows would make no sense.
func mustStatus(t *testing.T, r *wire.Response, code int) {
	t.Helper()
	if !wire.ExpectStatus(t, r, code) {
		t.FailNow()
	}
}

// handler is the tests' handler:
//
//	/hold     waits until the test releases it, then "held"
//	/stream   sends "first " at once, waits to be released, then
//	          "last"
//	/echo     the body back; a body that fails gets its status
//	/flood    writes until a write fails, and reports the error
//	/sleep    waits 50 ms, then "slept"
//	anything else: "hello from PATH"
type handler struct {
	arrived chan string   // each /hold and /stream, as it comes
	release chan struct{} // closed to release them all
	once    sync.Once
	flooded chan error // the error that stopped /flood
	// holding counts the /hold and /stream requests in the handler.
	holding atomic.Int32
}

func newHandler() *handler {
	return &handler{
		arrived: make(chan string, 1000),
		release: make(chan struct{}),
		flooded: make(chan error, 10),
	}
}

func (h *handler) releaseAll() { h.once.Do(func() { close(h.release) }) }

func (h *handler) ServeHTTP(w httpd.ResponseWriter, r *httpd.Request) {
	switch r.Path {
	case "/hold":
		h.holding.Add(1)
		defer h.holding.Add(-1)
		h.arrived <- r.Target
		<-h.release
		io.WriteString(w, "held")
	case "/stream":
		h.holding.Add(1)
		defer h.holding.Add(-1)
		io.WriteString(w, "first ")
		w.Flush()
		h.arrived <- r.Target
		<-h.release
		io.WriteString(w, "last")
	case "/echo":
		b, err := io.ReadAll(r.Body)
		var se *httpd.StatusError
		switch {
		case errors.As(err, &se):
			httpd.Error(w, se.Code, se.Reason)
		case err != nil:
			httpd.Error(w, 400, err.Error())
		default:
			w.Write(b)
		}
	case "/flood":
		piece := bytes.Repeat([]byte("flood "), 64<<10/6)
		var err error
		for n := 0; err == nil && n < 1<<30; n += len(piece) {
			_, err = w.Write(piece)
		}
		h.flooded <- err
	case "/sleep":
		time.Sleep(50 * time.Millisecond)
		io.WriteString(w, "slept")
	default:
		io.WriteString(w, "hello from "+r.Path)
	}
}

// states records the states that the server's connections enter,
// through Server.ConnState, by client address.
type states struct {
	mu      sync.Mutex
	byConn  map[string][]httpd.ConnState // guarded by mu
	order   []string                     // client addresses, as seen
	changed chan struct{}                // closed at each change
}

func newStates() *states {
	return &states{byConn: map[string][]httpd.ConnState{},
		changed: make(chan struct{})}
}

func (s *states) record(c net.Conn, st httpd.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := c.RemoteAddr().String()
	if _, ok := s.byConn[k]; !ok {
		s.order = append(s.order, k)
	}
	s.byConn[k] = append(s.byConn[k], st)
	close(s.changed)
	s.changed = make(chan struct{})
}

// all returns each connection's states, in the order the connections
// came.
func (s *states) all() [][]httpd.ConnState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]httpd.ConnState
	for _, k := range s.order {
		out = append(out, append([]httpd.ConnState(nil), s.byConn[k]...))
	}
	return out
}

// count returns how many times a connection entered st.
func (s *states) count(st httpd.ConnState) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.countLocked(st)
}

func (s *states) countLocked(st httpd.ConnState) int {
	n := 0
	for _, sts := range s.byConn {
		for _, x := range sts {
			if x == st {
				n++
			}
		}
	}
	return n
}

// waitCount waits until connections have entered st n times.
func (s *states) waitCount(t *testing.T, st httpd.ConnState, n int) {
	t.Helper()
	s.waitFor(t, fmt.Sprintf("%d connections %v", n, st),
		func() bool { return s.countLocked(st) >= n })
}

// waitState waits until the connection c (the client's side) has
// entered st.
func (s *states) waitState(t *testing.T, c net.Conn, st httpd.ConnState) {
	t.Helper()
	k := c.LocalAddr().String()
	s.waitFor(t, fmt.Sprintf("the connection from %s %v", k, st),
		func() bool {
			sts := s.byConn[k]
			return len(sts) > 0 && sts[len(sts)-1] == st
		})
}

// waitFor waits up to 5 seconds for cond, which runs with s.mu held.
// Call it from the test's goroutine.
func (s *states) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		s.mu.Lock()
		ok, changed := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("waited 5s for %s (through Server.ConnState); "+
				"the states seen: %v", what, s.all())
		}
	}
}

// dial connects to addr from the test's goroutine. Every read and
// write on the connection must be over within 10 seconds; it is closed
// when the test ends.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err, "connect to the server at %s", addr)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// call is a request sent on a connection, whose answer is read in the
// background, so that the test can hold it in flight.
type call struct {
	conn     net.Conn
	sent     string
	answered chan struct{}  // closed once the response has come
	done     chan struct{}  // closed once the connection has ended
	notify   chan<- *call   // if not nil, gets the call when done
	got      bytes.Buffer   // every byte received (read after done)
	resp     *http.Response // the response, nil if none came whole
	body     string         // its body
	err      error          // why no whole response came
	after    error          // how the connection ended, if not closed
	closed   bool           // the server closed after the response
	extra    int            // bytes after the response
	writeErr error          // the request could not be sent
}

// send writes raw on c, and reads the response, then waits for the
// server to close the connection, in the background.
func send(c net.Conn, raw string, notify chan<- *call) *call {
	k := &call{conn: c, sent: raw, answered: make(chan struct{}),
		done: make(chan struct{}), notify: notify}
	if _, err := io.WriteString(c, raw); err != nil {
		k.writeErr = err
	}
	go k.read()
	return k
}

// write sends more of the request.
func (k *call) write(t *testing.T, raw string) {
	t.Helper()
	k.sent += raw
	_, err := io.WriteString(k.conn, raw)
	require.NoError(t, err, "send %q", raw)
}

func (k *call) read() {
	defer func() {
		close(k.done)
		if k.notify != nil {
			k.notify <- k
		}
	}()
	br := bufio.NewReader(io.TeeReader(k.conn, &k.got))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		k.err = err
		k.closed = k.got.Len() == 0 && closedErr(err)
		close(k.answered)
		return
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		k.err = err
		close(k.answered)
		return
	}
	k.resp, k.body = resp, string(b)
	close(k.answered)
	n, err := io.Copy(io.Discard, br)
	k.extra = int(n)
	if err == nil || closedErr(err) {
		k.closed = true
	} else {
		k.after = err
	}
}

// closedErr reports whether err from a read means that the server
// closed the connection.
func closedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET)
}

// wait waits until the connection has ended.
func (k *call) wait(t *testing.T) *call {
	t.Helper()
	select {
	case <-k.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("no end to the connection in 15s\n%v", k)
	}
	return k
}

// String shows what was sent and received; call it after done.
func (k *call) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent:     %q\n", k.sent)
	fmt.Fprintf(&b, "received: %q", k.got.String())
	switch {
	case k.writeErr != nil:
		fmt.Fprintf(&b, "\nsending failed: %v", k.writeErr)
	case k.closed:
		b.WriteString("\nthen the server closed the connection")
	case k.err != nil:
		fmt.Fprintf(&b, "\nthen: %v", k.err)
	case k.after != nil:
		fmt.Fprintf(&b, "\nthen: %v", k.after)
	}
	return b.String()
}

// lastResponse reports what is wrong with a finished call that should
// have had a whole 200 response with body, marked "Connection: close"
// unless kept is true, and then the server's close; "" when nothing.
func (k *call) lastResponse(body string, kept bool) string {
	switch {
	case k.resp == nil:
		return "no whole response"
	case k.resp.StatusCode != 200:
		return fmt.Sprintf("status %d, want 200", k.resp.StatusCode)
	case k.body != body:
		return fmt.Sprintf("body %q, want %q", k.body, body)
	case !kept && !k.resp.Close: // net/http's "Connection: close"
		return "no Connection: close in the last response"
	case k.extra > 0:
		return fmt.Sprintf("%d bytes after the response", k.extra)
	case !k.closed:
		return "the connection did not end with a close"
	}
	return ""
}

// hold sends a GET for path (/hold or /stream) on a connection of its
// own and returns once the handler has the request. It stops the test
// at once if the server answers first.
func hold(t *testing.T, s *server, h *handler, path string) *call {
	t.Helper()
	k := send(dial(t, s.addr), get(path), nil)
	select {
	case <-h.arrived:
	case <-k.done:
		t.Fatalf("the server answered before the handler had the "+
			"request:\n%v", k)
	case <-time.After(5 * time.Second):
		t.Fatalf("the handler did not get %s within 5s", path)
	}
	return k
}

// workerEnv, set to 1, makes the test binary run worker instead of
// the tests.
const workerEnv = "HTTPD_TEST_WORKER"

// worker is the child process of TestShutdownHooks, a stand-in for a
// gateway's worker: it says "ready", waits for SIGTERM and exits 0;
// after a minute without a signal it gives up with status 3.
func worker() int {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	fmt.Println("ready")
	select {
	case <-stop:
		return 0
	case <-time.After(time.Minute):
		return 3
	}
}
