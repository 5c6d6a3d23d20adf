// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/05-persistent-connections"
	"socket2gateway/exercises/internal/conformance"
	"socket2gateway/exercises/internal/wire"
)

// paths is the handler of most tests.
func paths() httpd.Handler {
	return httpd.HandlerFunc(func(w httpd.ResponseWriter, r *httpd.Request) {
		switch r.Path {
		case "/echo":
			b, err := io.ReadAll(r.Body)
			if err != nil {
				httpd.Error(w, 400, err.Error())
				return
			}
			w.Write(b)
		case "/ignore": // never reads the body
			io.WriteString(w, "ignored")
		case "/bye":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		case "/big":
			w.Write([]byte(conformance.BigBody))
		case "/tagged": // a field and a body the next answer must not keep
			w.Header().Set("X-Tag", "first")
			io.WriteString(w, "tagged, and longer than the next body")
		default:
			io.WriteString(w, "hello from "+r.Path)
		}
	})
}

// expectOpen checks that a response does not announce a close.
func expectOpen(t *testing.T, r *wire.Response) {
	t.Helper()
	assert.NotContains(t, r.Header.Values("Connection"), "close",
		"the response says Connection: close, want the connection "+
			"kept open: %q", r.Raw)
}

func TestTwoRequestsOneConnection(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, first, second, body string
	}{
		{"HTTP/1.1 keeps the connection by default",
			get("/one"), get("/two"), "hello from /two"},
		{"after a request with a body",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none",
			get("/two"), "hello from /two"},
		{"HTTP/1.0 with Connection: keep-alive",
			"GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			"GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			"hello from /two"},
		{"the second response keeps nothing of the first",
			get("/tagged"), get("/two"), "hello from /two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(tt.first)
			r := c.ReadResponse()
			wire.ExpectStatus(t, r, 200)
			expectOpen(t, r)
			if strings.Contains(tt.first, "HTTP/1.0") {
				wire.ExpectHeader(t, r, "Connection", "keep-alive")
			}
			c.Send(tt.second)
			r = c.ReadResponse()
			wire.ExpectStatus(t, r, 200)
			wire.ExpectBody(t, r, tt.body)
			assert.Empty(t, r.Header.Values("X-Tag"),
				"the second response has the first one's X-Tag field")
		})
	}
}

func TestPipelining(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	c := wire.Dial(t, addr)
	// Five requests in one write, answered one after another.
	c.Send(get("/1") +
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo" +
		get("/big") +
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" +
		"\r\n4\r\nfour\r\n0\r\n\r\n" +
		"HEAD /5 HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET /6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	wire.ExpectBody(t, c.ReadResponse(), "hello from /1")
	wire.ExpectBody(t, c.ReadResponse(), "two")
	r := c.ReadResponse()
	assert.True(t, string(r.Body) == conformance.BigBody,
		"GET /big: %d bytes, want %d", len(r.Body), len(conformance.BigBody))
	wire.ExpectBody(t, c.ReadResponse(), "four")
	wire.ExpectStatus(t, c.ReadHeadResponse(), 200)
	wire.ExpectBody(t, c.ReadResponse(), "hello from /6")
	wire.ExpectClosed(t, c)
}

func TestConnectionClose(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, first, last string
	}{
		{"the client sends Connection: close", get("/1"),
			"GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
		{"an HTTP/1.0 request without keep-alive",
			"GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			"GET /2 HTTP/1.0\r\n\r\n"},
		{"the handler sets Connection: close", get("/1"), get("/bye")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(tt.first)
			expectOpen(t, c.ReadResponse())
			// The last request, and one behind it that must never
			// be answered.
			c.Send(tt.last + get("/never"))
			r := c.ReadResponse()
			wire.ExpectStatus(t, r, 200)
			wire.ExpectHeader(t, r, "Connection", "close")
			wire.ExpectClosed(t, c)
		})
	}
}

func TestExpectContinue(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths(), func(s *httpd.Server) {
		s.WriteTimeout = 2 * time.Second
	})

	t.Run("100 Continue when the handler reads the body", func(t *testing.T) {
		c := wire.Dial(t, addr)
		c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n" +
			"Expect: 100-continue\r\n\r\n")
		r := c.ReadResponse()
		if wire.ExpectStatus(t, r, 100) {
			wire.ExpectBytes(t, "HTTP/1.1 100 Continue\r\n\r\n", string(r.Raw))
		}
		c.Send("hello")
		r = c.ReadResponse()
		wire.ExpectBody(t, r, "hello")
		expectOpen(t, r)
		c.Send(get("/after"))
		wire.ExpectBody(t, c.ReadResponse(), "hello from /after")
	})
	t.Run("no 100 when the handler never reads", func(t *testing.T) {
		c := wire.Dial(t, addr)
		c.Send("POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n" +
			"Expect: 100-continue\r\n\r\n")
		r := c.ReadResponse()
		wire.ExpectStatus(t, r, 200)
		// The body may still come, or not: the server cannot tell
		// where the next request starts, so it closes.
		wire.ExpectHeader(t, r, "Connection", "close")
		wire.ExpectClosed(t, c)
	})
}

func TestUnreadBody(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, body string
	}{
		{"a body by Content-Length",
			"Content-Length: 10\r\n\r\n0123456789"},
		{"a chunked body",
			"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is skipped", func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send("POST /ignore HTTP/1.1\r\nHost: x\r\n" + tt.body +
				get("/next"))
			r := c.ReadResponse()
			wire.ExpectBody(t, r, "ignored")
			expectOpen(t, r)
			wire.ExpectBody(t, c.ReadResponse(), "hello from /next")
		})
	}

	t.Run("a long body closes the connection", func(t *testing.T) {
		// 1 MiB announced, 300 KiB sent: more than a server should
		// read for nothing.
		c := wire.Dial(t, addr)
		c.Send("POST /ignore HTTP/1.1\r\nHost: x\r\n" +
			"Content-Length: 1048576\r\n\r\n" +
			strings.Repeat("x", 300<<10))
		r := c.ReadResponse()
		wire.ExpectBody(t, r, "ignored")
		wire.ExpectHeader(t, r, "Connection", "close")
		wire.ExpectClosed(t, c)
	})
}

func TestBadRequestCloses(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, bad string
		status    int
	}{
		{"a malformed header", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
		{"Content-Length with Transfer-Encoding",
			"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"a malformed chunk in the body",
			"POST /echo HTTP/1.1\r\nHost: x\r\n" +
				"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
			400},
		{"an unsupported version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(get("/good") + tt.bad + get("/never"))
			r := c.ReadResponse()
			wire.ExpectBody(t, r, "hello from /good")
			expectOpen(t, r)
			r = c.ReadResponse()
			wire.ExpectStatus(t, r, tt.status)
			wire.ExpectHeader(t, r, "Connection", "close")
			wire.ExpectClosed(t, c)
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths(), func(s *httpd.Server) {
		s.IdleTimeout = time.Second
	})
	c := wire.Dial(t, addr)
	c.Send(get("/1"))
	expectOpen(t, c.ReadResponse())

	// Idle for less than the timeout: the connection still serves.
	time.Sleep(100 * time.Millisecond)
	c.Send(get("/2"))
	wire.ExpectBody(t, c.ReadResponse(), "hello from /2")

	// Idle for longer: the server closes it, without a word.
	begin := time.Now()
	if wire.ExpectClosed(t, c) {
		assert.Less(t, time.Since(begin), wire.Timeout-time.Second,
			"the idle connection closed after %v, want about 1s",
			time.Since(begin))
	}
}

func TestReadHeaderTimeout(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths(), func(s *httpd.Server) {
		s.ReadHeaderTimeout = 300 * time.Millisecond
	})
	tests := []struct {
		name, first string // a request sent whole before dribbling
		want        string // what the dribbler receives
	}{
		{"a dribbled first request gets 408", "",
			"HTTP/1.1 408 Request Timeout\r\n"},
		{"a dribbled second request gets 408", get("/first"),
			"HTTP/1.1 200 OK\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := net.DialTimeout("tcp", addr, wire.Timeout)
			require.NoError(t, err, "dial %s", addr)
			t.Cleanup(func() { nc.Close() })
			if tt.first != "" {
				nc.SetWriteDeadline(time.Now().Add(wire.Timeout))
				_, err := io.WriteString(nc, tt.first)
				require.NoError(t, err, "send %q", tt.first)
			}
			begin := time.Now()
			stop := dribble(nc, "GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: "+
				strings.Repeat("a", 200))

			// Meanwhile, another client is served as usual.
			other := wire.Dial(t, addr)
			for _, p := range []string{"/a", "/b", "/c"} {
				other.Send(get(p))
				wire.ExpectBody(t, other.ReadResponse(), "hello from "+p)
			}

			// The dribbler is cut off: its answer, then EOF.
			nc.SetReadDeadline(time.Now().Add(wire.Timeout))
			got, err := io.ReadAll(nc)
			stop()
			took := time.Since(begin)
			assert.True(t, err == nil || errors.Is(err, net.ErrClosed) ||
				strings.Contains(err.Error(), "reset"),
				"reading the dribbler's answer: %v, after %q", err, got)
			assert.Less(t, took, 3*time.Second,
				"a client sending a byte every 50ms kept the server "+
					"for %v, with ReadHeaderTimeout 300ms", took)
			assert.True(t, strings.HasPrefix(string(got), tt.want),
				"received %q, want it to start with %q", got, tt.want)
			assert.Contains(t, string(got), "HTTP/1.1 408 ",
				"received %q, want a 408 for the dribbled request", got)
		})
	}

	t.Run("a client that sends nothing is closed", func(t *testing.T) {
		nc, err := net.DialTimeout("tcp", addr, wire.Timeout)
		require.NoError(t, err, "dial %s", addr)
		t.Cleanup(func() { nc.Close() })
		begin := time.Now()
		nc.SetReadDeadline(time.Now().Add(wire.Timeout))
		got, err := io.ReadAll(nc)
		assert.NoError(t, err, "want the server to close the connection")
		assert.Empty(t, string(got), "nothing was asked: nothing to answer")
		assert.Less(t, time.Since(begin), 3*time.Second)
	})
}

// dribble writes s to nc one byte every 50ms, in a goroutine, until
// it is done, a write fails or stop is called. stop waits for the
// goroutine to end.
func dribble(nc net.Conn, s string) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; i < len(s); i++ {
			nc.SetWriteDeadline(time.Now().Add(wire.Timeout))
			if _, err := nc.Write([]byte{s[i]}); err != nil {
				return
			}
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

func TestHeaderSizeLimit(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths(), func(s *httpd.Server) {
		s.Limits.MaxHeaderBytes = 1024
	})
	c := wire.Dial(t, addr)
	c.Send(get("/small"))
	expectOpen(t, c.ReadResponse())
	c.Send("GET /large HTTP/1.1\r\nHost: x\r\nX-Large: " +
		strings.Repeat("a", 2048) + "\r\n\r\n" + get("/never"))
	r := c.ReadResponse()
	wire.ExpectStatus(t, r, 431)
	wire.ExpectHeader(t, r, "Connection", "close")
	wire.ExpectClosed(t, c)
}

func TestConformance(t *testing.T) {
	noLeaks(t)
	conformance.Run(t, func(t *testing.T) string {
		return start(t, httpd.Conformance(), func(s *httpd.Server) {
			s.IdleTimeout = 300 * time.Millisecond
			s.WriteTimeout = 2 * time.Second
		})
	}, conformance.Framing, conformance.Responses, conformance.KeepAlive)
}
