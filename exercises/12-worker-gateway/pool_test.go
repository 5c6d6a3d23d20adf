// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/12-worker-gateway"
	"socket2gateway/exercises/internal/conformance"
	"socket2gateway/exercises/internal/wire"
)

func TestServesApp(t *testing.T) {
	g := startGateway(t, httpd.Config{Workers: 2})
	pids := g.pool.Workers()
	assert.NotEqual(t, pids[0], pids[1], "Workers() of a pool of 2: "+
		"want two processes")

	t.Run("two requests on one connection", func(t *testing.T) {
		c := wire.Dial(t, g.addr)
		for range 2 {
			pid := pidOf(t, c)
			assert.Contains(t, pids, pid, "GET /pid: the app ran in "+
				"process %d, which is not one of Workers() %v",
				pid, pids)
		}
	})
	t.Run("a header the app sets reaches the client", func(t *testing.T) {
		r := request(t, g.addr, get("/pid"))
		if wire.ExpectStatus(t, r, 200) {
			wire.ExpectHeader(t, r, "X-Worker-Pid",
				strings.TrimSpace(string(r.Body)))
			wire.ExpectHeader(t, r, "Content-Type", "text/plain")
		}
	})
	t.Run("both workers serve", func(t *testing.T) {
		// Two requests at once: one waits in the app until the
		// other arrives, so each needs a worker of its own.
		go1 := tempFile(t, "go")
		c1 := dialRaw(t, g.addr)
		require.NoError(t, c1.send(get("/stream?go="+go1)))
		require.True(t, c1.readUntil("first\n", wire.Timeout),
			"GET /stream: no first chunk in %v; received %q",
			wire.Timeout, c1.got.String())
		c2 := wire.Dial(t, g.addr)
		pid := pidOf(t, c2)
		assert.Contains(t, pids, pid, "GET /pid while the other "+
			"worker is busy")
		require.NoError(t, os.WriteFile(go1, []byte("go"), 0o644))
		assert.True(t, c1.readUntil("second\n", wire.Timeout),
			"GET /stream: no second chunk; received %q",
			c1.got.String())
	})
}

func TestEnviron(t *testing.T) {
	environ := func(t *testing.T, addr, raw string) map[string]any {
		t.Helper()
		r := request(t, addr, raw)
		if !wire.ExpectStatus(t, r, 200) {
			return nil
		}
		env := map[string]any{}
		require.NoError(t, json.Unmarshal(r.Body, &env),
			"the environ the app saw, as JSON: %q", r.Body)
		return env
	}
	g := startGateway(t, httpd.Config{Workers: 2})
	env := environ(t, g.addr, "POST /environ/a%20b/%C3%A9?x=1&y=%20 "+
		"HTTP/1.1\r\nHost: example.com:8080\r\n"+
		"Content-Type: text/plain\r\nContent-Length: 3\r\n"+
		"X-Multi: a\r\nX-Multi: b\r\nX_Under: sneaky\r\n\r\nabc")
	if env == nil {
		return
	}
	tests := []struct {
		key  string
		want any // nil: must be absent
	}{
		{"REQUEST_METHOD", "POST"},
		{"SCRIPT_NAME", ""},
		// PEP 3333: bytes as latin-1, so é (C3 A9) is "Ã©".
		{"PATH_INFO", "/environ/a b/\u00c3\u00a9"},
		{"QUERY_STRING", "x=1&y=%20"},
		{"SERVER_NAME", "example.com"},
		{"SERVER_PORT", "8080"},
		{"SERVER_PROTOCOL", "HTTP/1.1"},
		{"CONTENT_TYPE", "text/plain"},
		{"CONTENT_LENGTH", "3"},
		{"HTTP_CONTENT_TYPE", nil},
		{"HTTP_CONTENT_LENGTH", nil},
		{"HTTP_HOST", "example.com:8080"},
		{"HTTP_X_MULTI", "a,b"},
		{"HTTP_X_UNDER", nil},
		{"wsgi.url_scheme", "http"},
		{"wsgi.version", []any{1.0, 0.0}},
		{"wsgi.multiprocess", true},
		{"wsgi.multithread", false},
		{"wsgi.run_once", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := env[tt.key]
			if tt.want == nil {
				assert.False(t, ok, "environ[%q] = %#v, want no such "+
					"key", tt.key, got)
				return
			}
			assert.Equal(t, tt.want, got, "environ[%q]", tt.key)
		})
	}
	t.Run("REMOTE_ADDR", func(t *testing.T) {
		assert.Equal(t, "127.0.0.1", env["REMOTE_ADDR"])
	})
	t.Run("wsgi.multiprocess is false with one worker", func(t *testing.T) {
		g1 := startGateway(t, httpd.Config{Workers: 1})
		env := environ(t, g1.addr, get("/environ"))
		assert.Equal(t, false, env["wsgi.multiprocess"],
			"wsgi.multiprocess with 1 worker")
	})
}

func TestRequestBody(t *testing.T) {
	g := startGateway(t, httpd.Config{})
	big := strings.Repeat("0123456789abcdef", 3<<20/16)
	tests := []struct {
		name, send, want string
	}{
		{"Content-Length",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n" +
				"\r\nhello world", "hello world"},
		{"chunked: the worker learns its length",
			"POST /echo HTTP/1.1\r\nHost: x\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"},
		{"readline",
			"POST /echo?read=lines HTTP/1.1\r\nHost: x\r\n" +
				"Content-Length: 8\r\n\r\none\ntwo\n", "one\ntwo\n"},
		{"3 MiB",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
				strconv.Itoa(len(big)) + "\r\n\r\n" + big, big},
		{"none", "POST /echo HTTP/1.1\r\nHost: x\r\n" +
			"Content-Length: 0\r\n\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(t, g.addr, tt.send)
			if !wire.ExpectStatus(t, r, 200) {
				return
			}
			if string(r.Body) != tt.want {
				t.Errorf("the app read a body of %d bytes, want "+
					"%d:\n%s", len(r.Body), len(tt.want),
					wire.Diff(abbrev(tt.want), abbrev(string(r.Body))))
			}
			// read(n + 100) stopped at CONTENT_LENGTH, and the
			// read after it found the end.
			wire.ExpectHeader(t, r, "X-After-End", "0")
		})
	}
	t.Run("Expect: 100-continue", func(t *testing.T) {
		c := wire.Dial(t, g.addr)
		c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5" +
			"\r\nExpect: 100-continue\r\n\r\n")
		wire.ExpectStatus(t, c.ReadResponse(), 100)
		c.Send("hello")
		r := c.ReadResponse()
		if wire.ExpectStatus(t, r, 200) {
			wire.ExpectBody(t, r, "hello")
		}
	})
}

func TestStreaming(t *testing.T) {
	g := startGateway(t, httpd.Config{})
	goAhead := tempFile(t, "go")
	c := dialRaw(t, g.addr)
	require.NoError(t, c.send(get("/stream?go="+goAhead)))
	// The app yields "first\n", then waits for goAhead before it
	// yields "second\n": the first chunk must reach us meanwhile.
	if !c.readUntil("first\n", streamWait) {
		t.Fatalf("GET /stream: the app yielded \"first\\n\" and waits "+
			"for it to reach the client, but after %v the client "+
			"has %q. Send each chunk to the client before asking the "+
			"app for the next (PEP 3333, Buffering and Streaming).",
			streamWait, c.got.String())
	}
	assert.NotContains(t, c.got.String(), "second",
		"the second chunk came before the app was told to go on")
	require.NoError(t, os.WriteFile(goAhead, []byte("go"), 0o644))
	assert.True(t, c.readUntil("0\r\n\r\n", wire.Timeout),
		"GET /stream: want the second chunk and the end of the body; "+
			"received %q", c.got.String())
	assert.Contains(t, c.got.String(), "second\n")
}

func TestAppErrors(t *testing.T) {
	g := startGateway(t, httpd.Config{})
	tests := []struct {
		name, target string
		status       int
		log          []string // in the server's log
	}{
		{"an exception before the headers", "/fail-before", 500,
			[]string{"Traceback", "RuntimeError: secret-before"}},
		{"start_response twice without exc_info", "/twice", 500,
			[]string{"Traceback", "second time without exc_info"}},
		{"start_response again with exc_info, before any byte",
			"/replaced", 503, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(t, g.addr, get(tt.target))
			wire.ExpectStatus(t, r, tt.status)
			for _, w := range []string{"secret", "Traceback", "never"} {
				if strings.Contains(string(r.Raw), w) {
					t.Errorf("the client received %q: a traceback or "+
						"the app's failed body leaked to it\n%s", w,
						r.Conn().Transcript(nil))
				}
			}
			if tt.log != nil {
				g.log.waitLog(t, tt.log...)
			}
		})
	}
	t.Run("print and wsgi.errors go to the log", func(t *testing.T) {
		r := request(t, g.addr, get("/print"))
		if wire.ExpectStatus(t, r, 200) {
			wire.ExpectBody(t, r, "see the log\n")
		}
		g.log.waitLog(t, "printed by the app", "written to wsgi.errors")
	})
	t.Run("the worker serves on", func(t *testing.T) {
		c := wire.Dial(t, g.addr)
		assert.Equal(t, g.pool.Workers(), []int{pidOf(t, c)},
			"an app that fails must not cost a worker")
	})
}

func TestHeaderRules(t *testing.T) {
	g := startGateway(t, httpd.Config{})
	tests := []struct{ kind, log string }{
		{"crlf", "control character"},
		{"lf", "control character"},
		{"nul", "control character"},
		{"name", "not a token"},
		{"hop", "hop-by-hop"},
		{"te", "hop-by-hop"},
		{"status", "not 'NNN Reason'"},
		{"status-crlf", "not 'NNN Reason'"},
		{"status-1xx", "not 'NNN Reason'"},
		{"bytes", "must be str"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			r := request(t, g.addr, get("/bad-header?kind="+tt.kind))
			wire.ExpectStatus(t, r, 500)
			for _, w := range []string{"stolen", "Set-Cookie",
				"X-Bad", "never"} {
				if strings.Contains(string(r.Raw), w) {
					t.Errorf("the response holds %q: the app's "+
						"header went through\n%s", w,
						r.Conn().Transcript(nil))
				}
			}
			g.log.waitLog(t, tt.log)
		})
	}
}

func TestAppFailsMidBody(t *testing.T) {
	g := startGateway(t, httpd.Config{})
	t.Run("the response is cut, the traceback logged", func(t *testing.T) {
		c := dialRaw(t, g.addr)
		require.NoError(t, c.send(get("/fail-mid")))
		expectCut(t, c, strings.Repeat("x", 8192))
		assert.NotContains(t, c.got.String(), "secret",
			"the traceback leaked to the client")
		g.log.waitLog(t, "Traceback", "secret-mid")
	})
	t.Run("the app's close runs", func(t *testing.T) {
		marker := tempFile(t, "closed")
		c := dialRaw(t, g.addr)
		require.NoError(t, c.send(get("/fail-mid-close?marker="+marker)))
		expectCut(t, c, strings.Repeat("y", 8192))
		_, ok := waitFile(marker)
		assert.True(t, ok, "the app's close() did not run within %v "+
			"of its failure", bound)
	})
	t.Run("the worker serves on", func(t *testing.T) {
		c := wire.Dial(t, g.addr)
		assert.Equal(t, g.pool.Workers(), []int{pidOf(t, c)})
	})
}

func TestClientGoesAway(t *testing.T) {
	g := startGateway(t, httpd.Config{})
	before := g.pool.Workers()
	marker := tempFile(t, "closed")
	c := dialRaw(t, g.addr)
	require.NoError(t, c.send(get("/forever?marker="+marker)))
	// The app yields a chunk every 20 ms for 10 s. We read two, and
	// hang up.
	require.True(t, c.readUntil("chunk 2\n", wire.Timeout),
		"GET /forever: no chunk 2 within %v; received %q",
		wire.Timeout, c.got.String())
	c.nc.Close()

	got, ok := waitFile(marker)
	if !ok {
		t.Fatalf("the client left, but after %v the app's close() "+
			"has not run: the worker must be told (an A frame), so "+
			"that it stops iterating and closes the app's body", bound)
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(got, "closed after "))
	assert.Less(t, n, 400, "close() ran after %d chunks: was the app "+
		"left to run to its end?", n)

	c2 := wire.Dial(t, g.addr)
	assert.Equal(t, before, []int{pidOf(t, c2)}, "after the abort the "+
		"same worker serves the next request: it was told, not killed")
}

func TestWorkerDies(t *testing.T) {
	g := startGateway(t, httpd.Config{Workers: 2})
	// replaced waits until the pool has two workers again, none of
	// them dead, and checks that dead was reaped.
	replaced := func(t *testing.T, dead int) {
		t.Helper()
		ok := eventuallyWithin(bootBound, func() bool {
			w := g.pool.Workers()
			return len(w) == 2 && !slices.Contains(w, dead) &&
				isChild(w[0]) && isChild(w[1])
		})
		if !ok {
			t.Errorf("worker %d died; after %v Workers() is %v, want "+
				"two live workers, %d not among them", dead,
				bootBound, g.pool.Workers(), dead)
		}
		expectReaped(t, "the dead worker", dead)
		c := wire.Dial(t, g.addr)
		for range 3 {
			pidOf(t, c)
		}
	}
	t.Run("before it answers: 502", func(t *testing.T) {
		before := g.pool.Workers()
		r := request(t, g.addr, get("/die"))
		wire.ExpectStatus(t, r, 502)
		replaced(t, deadAmong(t, before))
	})
	t.Run("mid-body: the response is cut", func(t *testing.T) {
		before := g.pool.Workers()
		c := dialRaw(t, g.addr)
		require.NoError(t, c.send(get("/die-mid")))
		expectCut(t, c, strings.Repeat("z", 8192))
		replaced(t, deadAmong(t, before))
	})
	t.Run("killed while idle", func(t *testing.T) {
		before := g.pool.Workers()
		require.Len(t, before, 2, "Workers()")
		require.NoError(t, syscall.Kill(before[0], syscall.SIGKILL))
		replaced(t, before[0])
	})
}

// deadAmong waits until one of pids is no longer a live child
// process, and returns it.
func deadAmong(t *testing.T, pids []int) int {
	t.Helper()
	dead := 0
	eventually(func() bool {
		for _, pid := range pids {
			if !isChild(pid) {
				dead = pid
			}
		}
		return dead != 0
	})
	if dead == 0 {
		t.Fatalf("no worker of %v died within %v", pids, bound)
	}
	return dead
}

func TestAppThatCannotLoad(t *testing.T) {
	needPython(t)
	tests := []struct {
		name string
		cfg  httpd.Config
		want []string // in New's error
	}{
		{"an exception at import",
			httpd.Config{App: "testdata/broken.py:app", Workers: 2},
			[]string{"NameError", "undefined_name_at_import"}},
		{"no such callable",
			httpd.Config{App: "testdata/testapp.py:nosuch"},
			[]string{"AttributeError", "nosuch"}},
		{"no such module",
			httpd.Config{App: "no_such_module_anywhere:app"},
			[]string{"ModuleNotFoundError", "no_such_module_anywhere"}},
		{"no such interpreter",
			httpd.Config{App: testApp, Python: "/nonexistent/python3"},
			[]string{"/nonexistent/python3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lb := newLogBuffer(t)
			tt.cfg.ErrorLog = newLogger(lb)
			before := children()
			start := time.Now()
			pool, err := httpd.New(tt.cfg)
			took := time.Since(start)
			if pool != nil {
				pool.Close()
			}
			expectNoChildren(t, "after New failed", before)
			if !assert.Error(t, err, "httpd.New(%+v)", tt.cfg) {
				return
			}
			assert.Nil(t, pool, "New failed, so it returns no pool")
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w, "New's error "+
					"should say why the worker could not start")
			}
			assert.Less(t, took, 10*time.Second, "New took %v to fail",
				took)
		})
	}
}

func TestCrashLoop(t *testing.T) {
	needPython(t)
	tries := tempFile(t, "tries")
	broken := tempFile(t, "broken")
	t.Setenv("FLAKY_LOG", tries)
	t.Setenv("FLAKY_BROKEN", broken)
	g := startGateway(t, httpd.Config{App: "testdata/flaky.py:app",
		QueueTimeout: 300 * time.Millisecond})

	// From now on the app cannot load; the worker dies.
	require.NoError(t, os.WriteFile(broken, []byte("x"), 0o644))
	victim := g.pool.Workers()[0]
	require.NoError(t, syscall.Kill(victim, syscall.SIGKILL))
	expectReaped(t, "the killed worker", victim)

	// Each try to start a worker appends a line to tries: when its
	// process started, and when the app failed to load.
	type try struct{ started, failed float64 }
	read := func() []try {
		b, _ := os.ReadFile(tries)
		var ts []try
		for _, line := range strings.Split(string(b), "\n") {
			var tr try
			if _, err := fmt.Sscan(line, &tr.started,
				&tr.failed); err == nil {
				ts = append(ts, tr)
			}
		}
		return ts
	}
	// The first load, then five tries after the kill.
	var ts []try
	ok := eventuallyWithin(bootBound, func() bool {
		ts = read()
		return len(ts) >= 6
	})
	require.True(t, ok, "after the worker died, the pool tried %d "+
		"times in %v to start another; want it to keep trying",
		max(len(ts)-1, 0), bootBound)
	// Fixed: the next try succeeds, and the pool serves again. Until
	// then, a request finds no worker: 503 after QueueTimeout.
	require.NoError(t, os.Remove(broken))
	gap := ts[5].started - ts[4].failed
	assert.GreaterOrEqual(t, gap, 0.35, "the 4th try failed, and "+
		"the 5th started %.3f s later: a worker that cannot start is "+
		"retried at once, a crash loop. Wait longer after each "+
		"failure in a row (0.1 s, 0.2 s, 0.4 s, 0.8 s, ...); the "+
		"tries (started, failed, in seconds since boot): %v", gap, ts)
	r := request(t, g.addr, get("/"))
	wire.ExpectStatus(t, r, 503)

	ok = eventuallyWithin(bootBound, func() bool {
		return len(g.pool.Workers()) == 1
	})
	assert.True(t, ok, "the app loads again, but after %v the pool "+
		"has no worker: %v", bootBound, g.pool.Workers())
	r = request(t, g.addr, get("/"))
	if wire.ExpectStatus(t, r, 200) {
		wire.ExpectBody(t, r, "loaded\n")
	}
}

func TestMaxRequests(t *testing.T) {
	g := startGateway(t, httpd.Config{MaxRequests: 3})
	first := g.pool.Workers()
	c := wire.Dial(t, g.addr)
	for i := range 3 {
		assert.Equal(t, first, []int{pidOf(t, c)}, "request %d of 3",
			i+1)
	}
	// The fourth request goes to a fresh worker; none fails.
	next := pidOf(t, c)
	assert.NotEqual(t, first[0], next, "the 4th request: worker %d "+
		"has served 3 (MaxRequests), want a new one", first[0])
	assert.Equal(t, []int{next}, g.pool.Workers())
	expectReaped(t, "the recycled worker", first...)
	g.log.waitLog(t, strconv.Itoa(first[0]))
}

func TestScale(t *testing.T) {
	g := startGateway(t, httpd.Config{Workers: 1})
	multiprocess := func(t *testing.T) any {
		t.Helper()
		r := request(t, g.addr, get("/environ"))
		env := map[string]any{}
		if wire.ExpectStatus(t, r, 200) {
			json.Unmarshal(r.Body, &env)
		}
		return env["wsgi.multiprocess"]
	}

	require.NoError(t, g.pool.Scale(3), "Scale(3)")
	three := g.pool.Workers()
	require.Len(t, three, 3, "Workers() right after Scale(3)")
	for _, pid := range three {
		assert.True(t, isChild(pid), "worker %s", describe(pid))
	}
	assert.Equal(t, true, multiprocess(t), "wsgi.multiprocess with 3")

	// Down to 1 while one worker is busy: the idle ones stop, the
	// busy one finishes its request.
	marker := tempFile(t, "started")
	c := dialRaw(t, g.addr)
	require.NoError(t, c.send(get("/sleep?ms=500&marker="+marker)))
	_, ok := waitFile(marker)
	require.True(t, ok, "GET /sleep did not start")
	require.NoError(t, g.pool.Scale(1), "Scale(1)")
	assert.True(t, c.readUntil("slept\n", wire.Timeout),
		"the request in flight during Scale(1): received %q",
		c.got.String())
	ok = eventually(func() bool { return len(g.pool.Workers()) == 1 })
	assert.True(t, ok, "after Scale(1), Workers() is %v",
		g.pool.Workers())
	var gone []int
	for _, pid := range three {
		if !slices.Contains(g.pool.Workers(), pid) {
			gone = append(gone, pid)
		}
	}
	assert.Len(t, gone, 2, "Scale(1) from %v", three)
	expectReaped(t, "workers removed by Scale(1)", gone...)
	assert.Equal(t, false, multiprocess(t), "wsgi.multiprocess with 1")

	t.Run("out of range", func(t *testing.T) {
		assert.Error(t, g.pool.Scale(0), "Scale(0)")
		assert.Error(t, g.pool.Scale(httpd.MaxWorkers+1), "Scale(%d)",
			httpd.MaxWorkers+1)
		assert.Len(t, g.pool.Workers(), 1)
	})
}

func TestGracefulShutdown(t *testing.T) {
	needPython(t)
	t.Run("requests in flight finish", func(t *testing.T) {
		g := startGateway(t, httpd.Config{Workers: 2})
		pids := g.pool.Workers()
		marker := tempFile(t, "started")
		c := dialRaw(t, g.addr)
		require.NoError(t, c.send(get("/sleep?ms=800&marker="+marker)))
		_, ok := waitFile(marker)
		require.True(t, ok, "GET /sleep did not start")

		stopped := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(),
				10*time.Second)
			defer cancel()
			stopped <- g.pool.Shutdown(ctx)
		}()
		// New requests are turned away once Shutdown has begun.
		var last int
		ok = eventually(func() bool {
			last = request(t, g.addr, get("/pid")).Status
			return last == 503
		})
		assert.True(t, ok, "during Shutdown GET /pid got %d, want 503",
			last)
		assert.True(t, c.readUntil("slept\n", wire.Timeout),
			"the request in flight: received %q", c.got.String())
		assert.True(t, strings.HasPrefix(c.got.String(),
			"HTTP/1.1 200 "), "the request in flight: received %q",
			c.got.String())
		select {
		case err := <-stopped:
			assert.NoError(t, err, "Shutdown")
		case <-time.After(bound):
			t.Fatalf("Shutdown has not returned %v after the last "+
				"request ended", bound)
		}
		expectReaped(t, "after Shutdown", pids...)
		assert.Empty(t, g.pool.Workers(), "Workers() after Shutdown")
		assert.NoError(t, g.pool.Shutdown(context.Background()),
			"Shutdown again")
	})
	t.Run("past the deadline, workers are killed", func(t *testing.T) {
		g := startGateway(t, httpd.Config{Workers: 1})
		pids := g.pool.Workers()
		marker := tempFile(t, "started")
		c := dialRaw(t, g.addr)
		require.NoError(t, c.send(get("/sleep?ms=20000&marker="+marker)))
		_, ok := waitFile(marker)
		require.True(t, ok, "GET /sleep did not start")

		ctx, cancel := context.WithTimeout(context.Background(),
			300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := g.pool.Shutdown(ctx)
		took := time.Since(start)
		assert.ErrorIs(t, err, context.DeadlineExceeded,
			"Shutdown with a request that outlasts its context")
		assert.Less(t, took, 3*time.Second, "Shutdown took %v with a "+
			"300 ms deadline", took)
		expectReaped(t, "after Shutdown", pids...)
		c.readToEnd(wire.Timeout)
		assert.True(t, strings.HasPrefix(c.got.String(),
			"HTTP/1.1 502 "), "the request whose worker was killed: "+
			"received %q", c.got.String())
	})
}

func TestConformance(t *testing.T) {
	needPython(t)
	lb := newLogBuffer(t)
	pool := startPool(t, httpd.Config{Workers: 2}, lb)
	conformance.Run(t, func(t *testing.T) string {
		return serve(t, pool, newLogBuffer(t), func(s *httpd.Server) {
			s.IdleTimeout = 300 * time.Millisecond
			s.WriteTimeout = 2 * time.Second
		})
	}, conformance.Framing, conformance.Responses, conformance.KeepAlive)
}
