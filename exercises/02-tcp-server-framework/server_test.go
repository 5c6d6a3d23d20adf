// Don't change the tests: tutor check runs them as they are.

package socketserver_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	socketserver "socket2gateway/exercises/02-tcp-server-framework"
)

// wait bounds everything that should happen: a test that waits this
// long has found a server that hangs.
const wait = 5 * time.Second

func TestEchoTCP(t *testing.T) {
	noLeaks(t)
	srv := newTCPServer(t, socketserver.Echo)
	run := serve(t, srv)

	// One server, a new client per row, served one after another.
	tests := []struct {
		name string
		send string
	}{
		{"a line", "hello\n"},
		{"no final newline", "ping"},
		{"bytes that are not text", "\x00\xff\r\n"},
		{"nothing at all", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dial(t, "tcp", srv.Addr().String())
			got, err := talk(t, run, conn, tt.send)
			assert.NoError(t, err, "sent %q over tcp", tt.send)
			assert.Equal(t, tt.send, got,
				"sent %q over tcp, the echo differs", tt.send)
		})
	}
}

func TestEchoUnix(t *testing.T) {
	noLeaks(t)
	path := filepath.Join(t.TempDir(), "echo.sock")
	srv, err := socketserver.NewUnixServer(path, socketserver.Echo)
	require.NoError(t, err, "NewUnixServer(%q)", path)
	t.Cleanup(func() { _ = srv.Close() })
	run := serve(t, srv)

	send := "hello over a unix socket\n"
	conn := dial(t, "unix", path)
	got, err := talk(t, run, conn, send)
	assert.NoError(t, err, "sent %q over %s", send, path)
	assert.Equal(t, send, got, "sent %q over %s", send, path)

	if !shutdown(t, srv, "Shutdown", srv.Shutdown) {
		t.FailNow()
	}
	assert.NoError(t, srv.Close(), "Close of the unix server")
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist,
		"after Close, the socket file %s should be gone", path)
}

func TestVerifyRequestRejects(t *testing.T) {
	noLeaks(t)
	var rec recorder
	srv := newTCPServer(t, rec.newHandler)
	var (
		mu   sync.Mutex
		seen []string // the clients VerifyRequest was asked about
	)
	srv.VerifyRequest = func(conn net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, conn.RemoteAddr().String())
		return len(seen) > 1 // no to the first client only
	}
	run := serve(t, srv)

	bad := dial(t, "tcp", srv.Addr().String())
	send := "let me in\n"
	got, err := talk(t, run, bad, send)
	assert.Empty(t, got, "a rejected client sent %q and got an answer",
		send)
	assert.False(t, errors.Is(err, os.ErrDeadlineExceeded),
		"a rejected client sent %q: its connection should be closed "+
			"at once, but reading timed out", send)

	good := dial(t, "tcp", srv.Addr().String())
	send = "hello\n"
	got, err = talk(t, run, good, send)
	assert.NoError(t, err, "the client after the rejected one sent %q",
		send)
	assert.Equal(t, send, got,
		"the client after the rejected one sent %q", send)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{addr(bad), addr(good)}, seen,
		"VerifyRequest should be asked about each client, in order")
	assert.Equal(t, rec.expect(good), rec.get(),
		"only the accepted client should reach the handler")
}

func TestHandlerFailureIsReported(t *testing.T) {
	tests := []struct {
		name  string
		send  string
		check func(t *testing.T, err error)
	}{
		{"Handle panics", "panic\n", func(t *testing.T, err error) {
			var pe *socketserver.PanicError
			if assert.ErrorAs(t, err, &pe,
				"HandleError should get a *PanicError") {
				assert.Equal(t, "handler exploded", pe.Value,
					"the PanicError should hold the panic value")
			}
		}},
		{"Handle returns an error", "fail\n", func(t *testing.T, err error) {
			assert.ErrorIs(t, err, errFail,
				"HandleError should get the error Handle returned")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			var rec recorder
			srv := newTCPServer(t, rec.newHandler)
			type report struct {
				addr net.Addr
				err  error
			}
			reports := make(chan report, 10)
			srv.HandleError = func(addr net.Addr, err error) {
				reports <- report{addr, err}
			}
			run := serve(t, srv)

			bad := dial(t, "tcp", srv.Addr().String())
			got, err := talk(t, run, bad, tt.send)
			assert.NoError(t, err, "sent %q", tt.send)
			assert.Empty(t, got, "sent %q", tt.send)
			select {
			case r := <-reports:
				if assert.NotNil(t, r.addr, "HandleError's address") {
					assert.Equal(t, addr(bad), r.addr.String(),
						"HandleError should get the client's address")
				}
				tt.check(t, r.err)
			case <-run.done:
				t.Fatalf("ServeForever returned %v: a handler that got "+
					"%q should not stop the server", run.err, tt.send)
			case <-time.After(wait):
				t.Fatalf("HandleError was not called within %v after "+
					"the handler got %q", wait, tt.send)
			}

			good := dial(t, "tcp", srv.Addr().String())
			send := "still there?\n"
			got, err = talk(t, run, good, send)
			assert.NoError(t, err, "the next client sent %q", send)
			assert.Equal(t, send, got, "the next client sent %q", send)

			want := append(rec.expect(bad), rec.expect(good)...)
			assert.Equal(t, want, rec.get(), "after the handler got %q, "+
				"Finish should still run and the next client be served",
				tt.send)
			assert.Empty(t, reports,
				"HandleError should be called once, for the failure")
		})
	}
}

func TestHandleTimeout(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		client  bool // a client connects before HandleRequest
		fires   int32
	}{
		{"no client comes", 100 * time.Millisecond, false, 1},
		{"a client comes in time", 3 * time.Second, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			var rec recorder
			srv := newTCPServer(t, rec.newHandler)
			srv.Timeout = tt.timeout
			var fired atomic.Int32
			srv.HandleTimeout = func() { fired.Add(1) }

			send := "on time\n"
			var conn net.Conn
			if tt.client {
				conn = dial(t, "tcp", srv.Addr().String())
				_, err := io.WriteString(conn, send)
				require.NoError(t, err, "sending %q", send)
				require.NoError(t, closeWrite(conn))
			}

			start := time.Now()
			var err error
			ok := returnsWithin(wait, func() { err = srv.HandleRequest() })
			require.True(t, ok, "HandleRequest with Timeout %v did not "+
				"return within %v", tt.timeout, wait)
			took := time.Since(start)
			require.NoError(t, err, "HandleRequest with Timeout %v",
				tt.timeout)
			assert.Equal(t, tt.fires, fired.Load(),
				"HandleTimeout calls, with Timeout %v", tt.timeout)
			if !tt.client {
				assert.GreaterOrEqual(t, took, tt.timeout,
					"HandleRequest returned before its Timeout")
				assert.Empty(t, rec.get(),
					"no client came, yet a handler ran")
				return
			}
			got, err := io.ReadAll(conn)
			assert.NoError(t, err, "reading the answer to %q", send)
			assert.Equal(t, send, string(got),
				"HandleRequest should serve the waiting client")
		})
	}
}

func TestShutdownWaitsForServeForever(t *testing.T) {
	noLeaks(t)
	var rec recorder
	srv := newTCPServer(t, rec.newHandler)
	run := serve(t, srv)

	// A client the handler is busy with: it reads until we close
	// our side.
	busy := dial(t, "tcp", srv.Addr().String())
	waitFor(t, run, "the handler to start Handle", func() bool {
		return len(rec.get()) == 2 // setup, handle
	})

	// Two Shutdowns at the same time.
	var returned [2]chan struct{}
	for i := range returned {
		returned[i] = make(chan struct{})
		go func() {
			srv.Shutdown()
			close(returned[i])
		}()
	}
	for i := range returned {
		select {
		case <-returned[i]:
			t.Fatal("Shutdown returned before ServeForever did")
		case <-time.After(300 * time.Millisecond):
		}
	}

	require.NoError(t, closeWrite(busy), "ending the busy client")
	for i := range returned {
		select {
		case <-returned[i]:
			assert.Equal(t, rec.expect(busy), rec.get(),
				"when Shutdown returns, the last client is done")
		case <-time.After(wait):
			t.Fatalf("Shutdown did not return within %v after the "+
				"last client was done", wait)
		}
	}
	stopped(t, run)

	// The listener is still open (Close closes it): a new client can
	// connect, but the stopped loop must not serve it.
	late := dial(t, "tcp", srv.Addr().String())
	_, err := io.WriteString(late, "anyone?\n")
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, rec.expect(busy), rec.get(),
		"a client that came after Shutdown was served")
}

func TestShutdownTwice(t *testing.T) {
	tests := []struct {
		name     string
		together bool
	}{
		{"one after the other", false},
		{"at the same time", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			srv := newTCPServer(t, socketserver.Echo)
			run := serve(t, srv)
			conn := dial(t, "tcp", srv.Addr().String())
			send := "before shutdown\n"
			got, err := talk(t, run, conn, send)
			require.NoError(t, err, "sent %q", send)
			require.Equal(t, send, got, "sent %q", send)

			if tt.together {
				shutdown(t, srv, "two Shutdowns at the same time",
					func() {
						var wg sync.WaitGroup
						wg.Go(srv.Shutdown)
						wg.Go(srv.Shutdown)
						wg.Wait()
					})
			} else if shutdown(t, srv, "the first Shutdown", srv.Shutdown) {
				shutdown(t, srv, "the second Shutdown", srv.Shutdown)
			}
			stopped(t, run)
		})
	}
}

// noLeaks makes the test fail if it leaves goroutines behind. Call it
// first: cleanups run last-in first-out, so it checks after the rest.
func noLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

func newTCPServer(
	t *testing.T, h func(net.Conn) socketserver.Handler,
) *socketserver.Server {
	t.Helper()
	srv, err := socketserver.NewTCPServer("127.0.0.1:0", h)
	require.NoError(t, err, "NewTCPServer(%q)", "127.0.0.1:0")
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// running is a ServeForever running in its own goroutine.
type running struct {
	done chan struct{} // closed when ServeForever has returned
	err  error         // what it returned; read it after done
}

// serve runs srv.ServeForever in a goroutine; a cleanup shuts it down.
func serve(t *testing.T, srv *socketserver.Server) *running {
	t.Helper()
	run := &running{done: make(chan struct{})}
	go func() {
		run.err = srv.ServeForever()
		close(run.done)
	}()
	t.Cleanup(func() {
		if shutdown(t, srv, "Shutdown", srv.Shutdown) {
			returned(t, run)
		}
	})
	return run
}

// hung is set once a Shutdown or ServeForever failed to stop in time.
// Later tests then wait only briefly, so a server that hangs costs one
// long wait, not one per test.
var hung atomic.Bool

func patience() time.Duration {
	if hung.Load() {
		return 200 * time.Millisecond
	}
	return wait
}

// shutdown runs stop, which calls srv.Shutdown, and reports whether it
// returned in time. If not, it closes srv to wake what is stuck.
func shutdown(
	t *testing.T, srv *socketserver.Server, what string, stop func(),
) bool {
	t.Helper()
	d := patience()
	if returnsWithin(d, stop) {
		return true
	}
	hung.Store(true)
	t.Errorf("%s did not return within %v", what, d)
	_ = srv.Close()
	return false
}

// returned reports whether ServeForever has returned, soon after a
// Shutdown returned.
func returned(t *testing.T, run *running) bool {
	t.Helper()
	d := patience()
	select {
	case <-run.done:
		return true
	case <-time.After(d):
		hung.Store(true)
		t.Errorf("Shutdown returned, but ServeForever still runs %v "+
			"later", d)
		return false
	}
}

// stopped checks that ServeForever has returned ErrServerClosed, after
// a Shutdown returned.
func stopped(t *testing.T, run *running) {
	t.Helper()
	if returned(t, run) {
		assert.ErrorIs(t, run.err, socketserver.ErrServerClosed,
			"what ServeForever returns after Shutdown")
	}
}

// dial connects to the server; the connection gives up after wait.
func dial(t *testing.T, network, address string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout(network, address, wait)
	require.NoError(t, err, "connecting to %s", address)
	require.NoError(t, conn.SetDeadline(time.Now().Add(wait)))
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// talk sends msg, closes the sending side of conn and returns what the
// server sent back until it closed the connection. The test stops at
// once if ServeForever returns before that.
func talk(t *testing.T, run *running, conn net.Conn, msg string) (
	string, error,
) {
	t.Helper()
	type answer struct {
		got []byte
		err error
	}
	answers := make(chan answer, 1)
	go func() {
		_, err := io.WriteString(conn, msg)
		if err == nil {
			err = closeWrite(conn)
		}
		got, rerr := io.ReadAll(conn)
		if err == nil {
			err = rerr
		}
		answers <- answer{got, err}
	}()
	select {
	case a := <-answers:
		return string(a.got), a.err
	case <-run.done:
		t.Fatalf("ServeForever returned %v before answering %q",
			run.err, msg)
		return "", nil
	}
}

// waitFor polls cond until it holds; the test stops if ServeForever
// returns first or after wait.
func waitFor(t *testing.T, run *running, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(wait)
	for !cond() {
		select {
		case <-run.done:
			t.Fatalf("ServeForever returned %v while we waited for %s",
				run.err, what)
		case <-timeout:
			t.Fatalf("waited %v for %s", wait, what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// returnsWithin runs f in a goroutine and reports whether it returned
// within d.
func returnsWithin(d time.Duration, f func()) bool {
	done := make(chan struct{})
	go func() {
		f()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func closeWrite(conn net.Conn) error {
	return conn.(interface{ CloseWrite() error }).CloseWrite()
}

// addr is the client's address as the server sees it.
func addr(client net.Conn) string { return client.LocalAddr().String() }

var errFail = errors.New("the handler failed on purpose")

// recorder makes handlers that log their calls ("setup ADDR", "handle
// ADDR", "finish ADDR"), echo what they read until EOF, and panic or
// fail when what they read is "panic\n" or "fail\n".
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) newHandler(conn net.Conn) socketserver.Handler {
	return &recordingHandler{conn: conn, rec: r}
}

func (r *recorder) add(call string, conn net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s %s", call, conn.RemoteAddr()))
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// expect returns the calls serving client should log.
func (r *recorder) expect(client net.Conn) []string {
	a := addr(client)
	return []string{"setup " + a, "handle " + a, "finish " + a}
}

type recordingHandler struct {
	conn net.Conn
	rec  *recorder
}

func (h *recordingHandler) Setup() error {
	h.rec.add("setup", h.conn)
	return nil
}

func (h *recordingHandler) Handle() error {
	h.rec.add("handle", h.conn)
	data, err := io.ReadAll(h.conn)
	if err != nil {
		return err
	}
	switch string(data) {
	case "panic\n":
		panic("handler exploded")
	case "fail\n":
		return errFail
	}
	_, err = h.conn.Write(data)
	return err
}

func (h *recordingHandler) Finish() { h.rec.add("finish", h.conn) }
