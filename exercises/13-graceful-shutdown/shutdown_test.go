// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/13-graceful-shutdown"
	"socket2gateway/exercises/internal/wire"
)

func TestConnStates(t *testing.T) {
	noLeaks(t)
	const (
		N = httpd.StateNew
		A = httpd.StateActive
		I = httpd.StateIdle
		C = httpd.StateClosed
	)
	tests := []struct {
		name string
		talk func(t *testing.T, c *wire.Conn)
		want []httpd.ConnState
	}{
		{"two requests, then the client closes",
			func(t *testing.T, c *wire.Conn) {
				c.Send(get("/1"))
				mustStatus(t, c.ReadResponse(), 200)
				c.Send(get("/2"))
				mustStatus(t, c.ReadResponse(), 200)
				c.Close()
			}, []httpd.ConnState{N, A, I, A, I, C}},
		{"one request with Connection: close",
			func(t *testing.T, c *wire.Conn) {
				c.Send("GET /1 HTTP/1.1\r\nHost: x\r\n" +
					"Connection: close\r\n\r\n")
				mustStatus(t, c.ReadResponse(), 200)
				if !wire.ExpectClosed(t, c) {
					t.FailNow()
				}
			}, []httpd.ConnState{N, A, C}},
		{"two pipelined requests: no idle between them",
			func(t *testing.T, c *wire.Conn) {
				c.Send(get("/1") + get("/2"))
				mustStatus(t, c.ReadResponse(), 200)
				mustStatus(t, c.ReadResponse(), 200)
				c.Close()
			}, []httpd.ConnState{N, A, I, C}},
		{"a client that sends nothing",
			func(t *testing.T, c *wire.Conn) {
				c.CloseWrite()
				if !wire.ExpectClosed(t, c) {
					t.FailNow()
				}
			}, []httpd.ConnState{N, C}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, newHandler())
			tt.talk(t, wire.Dial(t, s.addr))
			s.states.waitCount(t, C, 1)
			assert.Equal(t, [][]httpd.ConnState{tt.want}, s.states.all(),
				"the states of the connection, through Server.ConnState")
		})
	}
}

func TestShutdownInFlight(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		name, path, body string
		// kept: the header had left before the shutdown, so it
		// could not say Connection: close.
		kept bool
	}{
		{"a request in flight", "/hold", "held", false},
		{"a response half sent", "/stream", "first last", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, h := startHolding(t)
			k := hold(t, s, h, tt.path)
			result := s.shutdown(10 * time.Second)
			s.waitServed(t)
			notYet(t, result, "a request was in flight")

			h.releaseAll()
			k.wait(t)
			if msg := k.lastResponse(tt.body, tt.kept); msg != "" {
				t.Errorf("the request in flight: %s\n%v", msg, k)
			}
			err, ok := returned(result, 5*time.Second)
			require.True(t, ok, "Shutdown did not return 5s after "+
				"the last request")
			assert.NoError(t, err, "Shutdown")
		})
	}
}

func TestShutdownClosesIdle(t *testing.T) {
	noLeaks(t)
	s, h := startHolding(t)
	busy := hold(t, s, h, "/hold")

	idle := send(dial(t, s.addr), get("/quick"), nil)
	select {
	case <-idle.answered:
	case <-time.After(5 * time.Second):
		t.Fatal("no response to GET /quick within 5s")
	}
	require.Nil(t, idle.err, "GET /quick: %v", idle.err)
	require.Equal(t, 200, idle.resp.StatusCode, "GET /quick")
	s.states.waitState(t, idle.conn, httpd.StateIdle)

	result := s.shutdown(10 * time.Second)
	// The idle connection closes now, while /hold is in flight: not
	// after the idle timeout (a minute), not at the end.
	idle.wait(t)
	assert.True(t, idle.closed && idle.extra == 0,
		"the idle connection, once Shutdown began: want a close and "+
			"nothing else\n%v", idle)
	notYet(t, result, "a request was in flight")

	h.releaseAll()
	if msg := busy.wait(t).lastResponse("held", false); msg != "" {
		t.Errorf("the request in flight: %s\n%v", msg, busy)
	}
	err, ok := returned(result, 5*time.Second)
	require.True(t, ok, "Shutdown did not return")
	assert.NoError(t, err, "Shutdown")
}

func TestShutdownRefusesNew(t *testing.T) {
	noLeaks(t)
	s, h := startHolding(t)
	hold(t, s, h, "/hold")
	result := s.shutdown(10 * time.Second)
	s.waitServed(t)

	for i := range 3 {
		c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
		if err == nil {
			c.Close()
		}
		assert.ErrorIs(t, err, syscall.ECONNREFUSED,
			"connection %d, dialled after Shutdown began", i+1)
	}

	// A server that shut down does not serve again.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	assert.ErrorIs(t, s.Serve(ln), httpd.ErrServerClosed,
		"Serve after Shutdown")
	_, err = net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED,
		"Serve after Shutdown must close the listener it was given")

	h.releaseAll()
	err, ok := returned(result, 5*time.Second)
	require.True(t, ok, "Shutdown did not return")
	assert.NoError(t, err, "Shutdown")
}

func TestShutdownAnswersLateRequest(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		name, before, after string
		state               httpd.ConnState
	}{
		{"a connection whose first request comes during the shutdown",
			"", get("/late"), httpd.StateNew},
		{"a request half sent when the shutdown begins",
			"GET /late HTTP/1.1\r\nHo", "st: x\r\n\r\n", httpd.StateActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, h := startHolding(t)
			busy := hold(t, s, h, "/hold")
			k := send(dial(t, s.addr), tt.before, nil)
			s.states.waitState(t, k.conn, tt.state)

			result := s.shutdown(10 * time.Second)
			s.waitServed(t)
			k.write(t, tt.after)
			k.wait(t)
			if msg := k.lastResponse("hello from /late", false); msg != "" {
				t.Errorf("the late request: %s (net/http drops it; "+
					"the rule says: answer it)\n%v", msg, k)
			}

			h.releaseAll()
			busy.wait(t)
			err, ok := returned(result, 5*time.Second)
			require.True(t, ok, "Shutdown did not return")
			assert.NoError(t, err, "Shutdown")
		})
	}
}

func TestShutdownDeadline(t *testing.T) {
	noLeaks(t)
	s, h := startHolding(t)
	held := []*call{hold(t, s, h, "/hold"), hold(t, s, h, "/hold")}
	fresh := dial(t, s.addr)
	s.states.waitState(t, fresh, httpd.StateNew)

	const grace = 300 * time.Millisecond
	began := time.Now()
	err, ok := returned(s.shutdown(grace), 5*time.Second)
	took := time.Since(began)
	require.True(t, ok, "Shutdown did not return 5s after its "+
		"deadline of %v", grace)
	assert.GreaterOrEqual(t, took, grace, "Shutdown returned before "+
		"its deadline")
	require.Error(t, err, "Shutdown, whose deadline passed with 3 "+
		"connections open")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "3 connections closed by force")

	for i, k := range held {
		k.wait(t)
		assert.True(t, k.resp == nil && k.got.Len() == 0 && k.closed,
			"request %d in flight, closed by force: want nothing "+
				"but a close\n%v", i+1, k)
	}
	fresh.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, fresh)
	assert.True(t, n == 0 && (err == nil ||
		errors.Is(err, syscall.ECONNRESET)),
		"the new connection, closed by force: %d bytes, then %v", n, err)
}

func TestShutdownTwice(t *testing.T) {
	noLeaks(t)
	t.Run("one call after the other", func(t *testing.T) {
		s, h := startHolding(t)
		var hooks atomic.Int32
		s.RegisterOnShutdown(func(context.Context) { hooks.Add(1) })
		hold(t, s, h, "/hold")
		first := s.shutdown(10 * time.Second)
		s.waitServed(t)
		h.releaseAll()
		err, ok := returned(first, 5*time.Second)
		require.True(t, ok, "the first Shutdown did not return")
		assert.NoError(t, err, "the first Shutdown")
		err, ok = returned(s.shutdown(10*time.Second), 5*time.Second)
		require.True(t, ok, "the second Shutdown did not return")
		assert.NoError(t, err, "the second Shutdown")
		assert.Equal(t, int32(1), hooks.Load(), "times the hook ran")
	})
	t.Run("ten calls at once", func(t *testing.T) {
		s, h := startHolding(t)
		var hooks atomic.Int32
		s.RegisterOnShutdown(func(context.Context) { hooks.Add(1) })
		hold(t, s, h, "/hold")
		var results []<-chan error
		for range 10 {
			results = append(results, s.shutdown(10*time.Second))
		}
		s.waitServed(t)
		for _, r := range results {
			notYet(t, r, "a request was in flight")
		}
		h.releaseAll()
		for i, r := range results {
			err, ok := returned(r, 5*time.Second)
			require.True(t, ok, "Shutdown %d did not return", i+1)
			assert.NoError(t, err, "Shutdown %d", i+1)
		}
		assert.Equal(t, int32(1), hooks.Load(), "times the hook ran")
	})
	t.Run("Close, Shutdown, Close", func(t *testing.T) {
		s := start(t, newHandler())
		var hooks atomic.Int32
		s.RegisterOnShutdown(func(context.Context) { hooks.Add(1) })
		assert.NoError(t, s.Close(), "the first Close")
		err, ok := returned(s.shutdown(10*time.Second), 5*time.Second)
		require.True(t, ok, "Shutdown after Close did not return")
		assert.NoError(t, err, "Shutdown after Close")
		assert.NoError(t, s.Close(), "the second Close")
		assert.Equal(t, int32(1), hooks.Load(), "times the hook ran")
	})
}

// workerProc is a child process, a stand-in for a gateway's worker.
type workerProc struct {
	*exec.Cmd
	waiting atomic.Bool // stop has called Wait
}

// startWorker starts a worker and returns once it is ready for
// SIGTERM. It is killed and reaped when the test ends, if the test has
// not done it.
func startWorker(t *testing.T) *workerProc {
	t.Helper()
	w := &workerProc{Cmd: exec.Command(os.Args[0], "-test.run=^$")}
	w.Env = append(os.Environ(), workerEnv+"=1")
	out, err := w.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, w.Start(), "start the worker process")
	t.Cleanup(func() {
		w.Process.Kill()
		if !w.waiting.Load() {
			w.Wait()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "the worker's first line")
	require.Equal(t, "ready\n", line, "the worker's first line")
	return w
}

// stop is the hook of TestShutdownHooks: it asks the worker to stop
// (SIGTERM), kills it if ctx is done or ends first, and reaps it
// (Wait), so that no zombie is left.
func (w *workerProc) stop(ctx context.Context) error {
	if ctx.Err() == nil {
		w.Process.Signal(syscall.SIGTERM)
	} else {
		w.Process.Kill()
	}
	w.waiting.Store(true)
	waited := make(chan error, 1)
	go func() { waited <- w.Wait() }()
	select {
	case err := <-waited:
		return err
	case <-ctx.Done():
		w.Process.Kill()
		return <-waited
	}
}

func TestShutdownHooks(t *testing.T) {
	noLeaks(t)
	tests := []struct {
		name string
		stop func(t *testing.T, s *server, h *handler)
		// graceful: the hook's ctx was not done, so the worker
		// got SIGTERM and exited 0.
		graceful bool
	}{
		{"Shutdown: after the request in flight, with time to spare",
			func(t *testing.T, s *server, h *handler) {
				hold(t, s, h, "/hold")
				result := s.shutdown(10 * time.Second)
				s.waitServed(t)
				notYet(t, result, "a request was in flight")
				h.releaseAll()
				err, ok := returned(result, 10*time.Second)
				require.True(t, ok, "Shutdown did not return")
				assert.NoError(t, err, "Shutdown")
			}, true},
		{"Close: at once, with a context already done",
			func(t *testing.T, s *server, h *handler) {
				assert.NoError(t, s.Close(), "Close")
			}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, h := startHolding(t)
			w := startWorker(t)
			type report struct {
				afterRequests bool  // every /hold had returned
				together      bool  // the other hook ran meanwhile
				ctxDone       bool  // ctx was done when it began
				waitErr       error // the worker's exit
			}
			reports := make(chan report, 1)
			other := make(chan struct{})
			s.RegisterOnShutdown(func(ctx context.Context) {
				r := report{ctxDone: ctx.Err() != nil,
					afterRequests: h.holding.Load() == 0}
				select {
				case <-other:
					r.together = true
				case <-time.After(5 * time.Second):
				}
				r.waitErr = w.stop(ctx)
				reports <- r
			})
			var once sync.Once // a hook run twice must not panic
			s.RegisterOnShutdown(func(context.Context) {
				once.Do(func() { close(other) })
			})

			tt.stop(t, s, h)
			// The hook must be over by now: Shutdown and Close wait.
			var r report
			select {
			case r = <-reports:
			default:
				t.Fatal("Shutdown or Close returned before its hook " +
					"was over (or without running it)")
			}
			assert.True(t, r.afterRequests, "the hook ran before the "+
				"request in flight had finished")
			assert.True(t, r.together, "the hooks did not run at "+
				"the same time")
			assert.Equal(t, !tt.graceful, r.ctxDone,
				"whether the hook's ctx was done when it began")
			if tt.graceful {
				assert.NoError(t, r.waitErr, "the worker's exit, "+
					"after SIGTERM")
			}
			// Reaped: no zombie is left under that process id.
			err := syscall.Kill(w.Process.Pid, 0)
			assert.ErrorIs(t, err, syscall.ESRCH, "the worker's "+
				"process id %d still exists", w.Process.Pid)
		})
	}
}

func TestShutdownLosesNothing(t *testing.T) {
	noLeaks(t)
	const inFlight, late, refused = 200, 20, 10
	s, h := startHolding(t)
	finished := make(chan *call, inFlight+late)

	// 200 requests reach the handler, which holds them.
	var held []*call
	for i := range inFlight {
		c := dial(t, s.addr)
		held = append(held, send(c, get(fmt.Sprintf("/hold?i=%d", i)),
			finished))
	}
	for n := 0; n < inFlight; {
		select {
		case <-h.arrived:
			n++
		case k := <-finished:
			t.Fatalf("a request was answered before the handler "+
				"let it go:\n%v", k)
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d requests reached the handler in 10s",
				n, inFlight)
		}
	}
	// 20 more connections are accepted, with no request yet.
	var lateConns []net.Conn
	for range late {
		lateConns = append(lateConns, dial(t, s.addr))
	}
	s.states.waitCount(t, httpd.StateNew, inFlight+late)

	result := s.shutdown(30 * time.Second)
	s.waitServed(t)

	// New connections are refused, cleanly.
	nRefused := 0
	for range refused {
		c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			nRefused++
		case err == nil:
			c.Close()
			t.Errorf("a connection dialled after Shutdown began " +
				"was accepted")
		default:
			t.Errorf("dialling after Shutdown began: %v, want "+
				"connection refused", err)
		}
	}

	// The late requests are answered now, before the held ones.
	var all []*call
	for i, c := range lateConns {
		all = append(all, send(c, get(fmt.Sprintf("/late%d", i)),
			finished))
	}
	for range late {
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Fatal("the late requests were not all answered in 10s")
		}
	}
	notYet(t, result, "200 requests were in flight")

	h.releaseAll()
	for range inFlight {
		select {
		case <-finished:
		case <-time.After(15 * time.Second):
			t.Fatal("the held requests were not all answered in 15s")
		}
	}
	err, ok := returned(result, 10*time.Second)
	require.True(t, ok, "Shutdown did not return")
	assert.NoError(t, err, "Shutdown")

	nOK, lost := 0, 0
	for i, k := range append(all, held...) {
		body := "held"
		if i < late {
			body = fmt.Sprintf("hello from /late%d", i)
		}
		if msg := k.lastResponse(body, false); msg != "" {
			if lost < 3 {
				t.Errorf("a lost request: %s\n%v", msg, k)
			}
			lost++
			continue
		}
		nOK++
	}
	assert.Equal(t, inFlight+late, nOK, "whole responses, each with "+
		"Connection: close and a close")
	assert.Equal(t, 0, lost, "requests lost")
	assert.Equal(t, refused, nRefused, "new connections refused")
}
