// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/13-graceful-shutdown"
	"socket2gateway/exercises/internal/wire"
)

func TestConnectionCap(t *testing.T) {
	noLeaks(t)
	s := start(t, newHandler(), func(s *httpd.Server) { s.MaxConns = 2 })

	// Two connections, kept alive: the server is full.
	first := wire.Dial(t, s.addr)
	first.Send(get("/1"))
	mustStatus(t, first.ReadResponse(), 200)
	second := wire.Dial(t, s.addr)
	second.Send(get("/2"))
	mustStatus(t, second.ReadResponse(), 200)

	// The third is told so at once, before it sends anything.
	third := wire.Dial(t, s.addr)
	r := third.ReadResponse()
	wire.ExpectStatus(t, r, 503)
	wire.ExpectHeader(t, r, "Retry-After", "1")
	wire.ExpectHeader(t, r, "Connection", "close")
	wire.ExpectClosed(t, third)
	assert.Equal(t, 2, s.states.count(httpd.StateNew),
		"connections with a state: a refused one has none")

	// Once one closes, there is room again.
	first.Close()
	s.states.waitCount(t, httpd.StateClosed, 1)
	fourth := wire.Dial(t, s.addr)
	fourth.Send(get("/4"))
	r = fourth.ReadResponse()
	wire.ExpectStatus(t, r, 200)
	wire.ExpectBody(t, r, "hello from /4")
}

func TestTimeouts(t *testing.T) {
	noLeaks(t)
	const short = 250 * time.Millisecond
	tests := []struct {
		name string
		set  func(s *httpd.Server)
		talk func(t *testing.T, s *server, h *handler)
	}{
		{"ReadHeaderTimeout: a first request that never comes",
			func(s *httpd.Server) { s.ReadHeaderTimeout = short },
			func(t *testing.T, s *server, h *handler) {
				c := wire.Dial(t, s.addr)
				wire.ExpectClosed(t, c)
			}},
		{"ReadHeaderTimeout: a header that stops halfway",
			func(s *httpd.Server) { s.ReadHeaderTimeout = short },
			func(t *testing.T, s *server, h *handler) {
				c := wire.Dial(t, s.addr)
				c.Send("GET / HTTP/1.1\r\nHost: x\r\n")
				wire.ExpectStatus(t, c.ReadResponse(), 408)
				wire.ExpectClosed(t, c)
			}},
		{"IdleTimeout: no second request",
			func(s *httpd.Server) { s.IdleTimeout = short },
			func(t *testing.T, s *server, h *handler) {
				c := wire.Dial(t, s.addr)
				c.Send(get("/1"))
				mustStatus(t, c.ReadResponse(), 200)
				wire.ExpectClosed(t, c)
			}},
		{"ReadHeaderTimeout: a second header that stops halfway",
			func(s *httpd.Server) { s.ReadHeaderTimeout = short },
			func(t *testing.T, s *server, h *handler) {
				c := wire.Dial(t, s.addr)
				c.Send(get("/1"))
				mustStatus(t, c.ReadResponse(), 200)
				c.Send("GET /2 HTTP/1.1\r\n")
				wire.ExpectStatus(t, c.ReadResponse(), 408)
				wire.ExpectClosed(t, c)
			}},
		{"ReadBodyTimeout: a body that stops halfway",
			func(s *httpd.Server) { s.ReadBodyTimeout = short },
			func(t *testing.T, s *server, h *handler) {
				c := wire.Dial(t, s.addr)
				c.Send("POST /echo HTTP/1.1\r\nHost: x\r\n" +
					"Content-Length: 10\r\n\r\nabc")
				wire.ExpectStatus(t, c.ReadResponse(), 408)
				wire.ExpectClosed(t, c)
			}},
		{"WriteTimeout: a client that reads nothing",
			func(s *httpd.Server) { s.WriteTimeout = short },
			func(t *testing.T, s *server, h *handler) {
				c := dial(t, s.addr)
				_, err := io.WriteString(c, get("/flood"))
				require.NoError(t, err)
				// Read the status, then nothing more.
				status := make([]byte, len("HTTP/1.1 200"))
				_, err = io.ReadFull(c, status)
				require.NoError(t, err, "read the status")
				require.Equal(t, "HTTP/1.1 200", string(status),
					"GET /flood")
				select {
				case err := <-h.flooded:
					assert.ErrorIs(t, err, os.ErrDeadlineExceeded,
						"what stopped the handler's writes")
				case <-time.After(5 * time.Second):
					t.Fatal("the handler still writes, 5s later")
				}
				s.states.waitCount(t, httpd.StateClosed, 1)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler()
			s := start(t, h, tt.set)
			began := time.Now()
			tt.talk(t, s, h)
			if !t.Failed() {
				assert.GreaterOrEqual(t, time.Since(began), short,
					"the connection was cut before its timeout")
			}
		})
	}
}

func TestSizeLimits(t *testing.T) {
	noLeaks(t)
	s := start(t, newHandler(), func(s *httpd.Server) {
		s.MaxBodyBytes = 16
		s.Limits.MaxHeaderBytes = 1024
	})
	post := func(framing, body string) string {
		return "POST /echo HTTP/1.1\r\nHost: x\r\n" + framing +
			"\r\n\r\n" + body
	}
	chunked := "Transfer-Encoding: chunked"
	tests := []struct {
		name, raw string
		status    int
		body      string // for a 200
	}{
		{"a header section over MaxHeaderBytes: 431",
			"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " +
				strings.Repeat("b", 1100) + "\r\n\r\n", 431, ""},
		{"a Content-Length over MaxBodyBytes: 413",
			post("Content-Length: 17", strings.Repeat("x", 17)),
			413, ""},
		{"a chunked body over MaxBodyBytes: 413",
			post(chunked, "a\r\n0123456789\r\n7\r\nabcdefg\r\n0\r\n\r\n"),
			413, ""},
		{"a Content-Length of MaxBodyBytes: 200",
			post("Content-Length: 16", "0123456789abcdef"),
			200, "0123456789abcdef"},
		{"a chunked body of MaxBodyBytes: 200",
			post(chunked, "a\r\n0123456789\r\n6\r\nabcdef\r\n0\r\n\r\n"),
			200, "0123456789abcdef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, s.addr)
			c.Send(tt.raw)
			r := c.ReadResponse()
			if !wire.ExpectStatus(t, r, tt.status) {
				return
			}
			if tt.status == 200 {
				wire.ExpectBody(t, r, tt.body)
				return
			}
			// The rest of the body is still on its way: the
			// connection must close.
			wire.ExpectHeader(t, r, "Connection", "close")
			wire.ExpectClosed(t, c)
		})
	}
}

// lines is an io.Writer that passes each line written to it on to a
// channel, for the access log.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line != "" {
			l <- line
		}
	}
	return len(p), nil
}

func TestAccessLog(t *testing.T) {
	noLeaks(t)
	log := make(lines, 100)
	s := start(t, newHandler(), func(s *httpd.Server) { s.AccessLog = log })
	began := time.Now()

	c := wire.Dial(t, s.addr)
	bad := wire.Dial(t, s.addr)
	tests := []struct {
		name string
		c    *wire.Conn
		raw  string
		want string // the line, with TIME and µs for what changes
		head bool
		// minµs is the least time the request takes.
		minµs int
	}{
		{"GET", c, get("/a?b=1"),
			`"GET /a?b=1 HTTP/1.1" 200 13 µs`, false, 0},
		{"HEAD sends no body", c, "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n",
			`"HEAD /a HTTP/1.1" 200 - µs`, true, 0},
		{"POST", c, "POST /echo HTTP/1.1\r\nHost: x\r\n" +
			"Content-Length: 3\r\n\r\nabc",
			`"POST /echo HTTP/1.1" 200 3 µs`, false, 0},
		{"a slow request", c, get("/sleep"),
			`"GET /sleep HTTP/1.1" 200 5 µs`, false, 50000},
		{"a request that cannot be read: no request line", bad,
			"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
			`"-" 400 LENGTH µs`, false, 0},
	}
	stamp := regexp.MustCompile(`^127\.0\.0\.1 - - \[([^]]*)\] (.*) ` +
		`(\d+)\n$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.Send(tt.raw)
			var r *wire.Response
			if tt.head {
				r = tt.c.ReadHeadResponse()
			} else {
				r = tt.c.ReadResponse()
			}
			var line string
			select {
			case line = <-log:
			case <-time.After(5 * time.Second):
				t.Fatalf("no access log line for %q within 5s", tt.raw)
			}
			m := stamp.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("access log line %q, want the form\n"+
					"127.0.0.1 - - [02/Jan/2006:15:04:05 -0700] %s",
					line, tt.want)
			}
			when, err := time.Parse(httpd.ClfTime, m[1])
			if assert.NoError(t, err, "the time in %q", line) {
				assert.WithinRange(t, when,
					began.Truncate(time.Second), time.Now(),
					"the time in %q", line)
			}
			µs, _ := strconv.Atoi(m[3])
			assert.GreaterOrEqual(t, µs, tt.minµs,
				"the microseconds at the end of %q", line)
			want := strings.Replace(tt.want, "LENGTH",
				r.Header.Get("Content-Length"), 1)
			assert.Equal(t, want, m[2]+" µs",
				"the access log line %q, for %q", line, tt.raw)
		})
	}
	select {
	case line := <-log:
		t.Errorf("one line too many in the access log: %q", line)
	default:
	}
}
