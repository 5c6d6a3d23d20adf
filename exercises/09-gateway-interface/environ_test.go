// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	gateway "socket2gateway/exercises/09-gateway-interface"
	"socket2gateway/exercises/internal/wire"
)

// environs serves an app that records the environ of every request
// and answers "ok". ask sends raw, reads the response and returns the
// environ the app got (nil if it was not called).
func environs(t *testing.T) (addr string, ask func(t *testing.T, raw string) *gateway.Environ) {
	t.Helper()
	seen := make(chan *gateway.Environ, 1)
	app := gateway.AppFunc(func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		record(seen, env)
		if _, err := start("200 OK", text, nil); err != nil {
			return nil, err
		}
		return gateway.List([]byte("ok")), nil
	})
	addr, _ = serve(t, app)
	return addr, func(t *testing.T, raw string) *gateway.Environ {
		t.Helper()
		select { // what an earlier, failed request left behind
		case <-seen:
		default:
		}
		c := wire.Dial(t, addr)
		c.Send(raw)
		c.ReadResponse()
		env, _ := received(t, seen, "environ")
		return env
	}
}

// expectVars checks env.Vars against want; "" wants the variable
// absent or empty.
func expectVars(t *testing.T, raw string, env *gateway.Environ,
	want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, ok := env.Vars[k]
		if v == "" {
			assert.Empty(t, got, "%s should be absent or empty "+
				"for %q", k, raw)
			continue
		}
		assert.True(t, ok, "%s is missing for %q", k, raw)
		assert.Equal(t, v, got, "%s for %q", k, raw)
	}
}

// expectRules checks what PEP 3333 asks of every environ.
func expectRules(t *testing.T, raw string, env *gateway.Environ) {
	t.Helper()
	for _, k := range []string{"REQUEST_METHOD", "SERVER_NAME",
		"SERVER_PORT", "SERVER_PROTOCOL"} {
		assert.NotEmpty(t, env.Vars[k], "%s for %q", k, raw)
	}
	script, path := env.Vars["SCRIPT_NAME"], env.Vars["PATH_INFO"]
	assert.NotEqual(t, "/", script, "SCRIPT_NAME is never \"/\" "+
		"(the root is \"\"), for %q", raw)
	if script != "" {
		assert.True(t, strings.HasPrefix(script, "/"),
			"SCRIPT_NAME %q: empty or starting with /, for %q", script, raw)
	}
	if path != "" {
		assert.True(t, strings.HasPrefix(path, "/"),
			"PATH_INFO %q: empty or starting with /, for %q", path, raw)
	}
	_, ok := env.Vars["QUERY_STRING"]
	assert.True(t, ok, "QUERY_STRING must always be present, for %q", raw)
}

func TestEnviron(t *testing.T) {
	addr, ask := environs(t)
	_, port, _ := net.SplitHostPort(addr)
	tests := []struct {
		name string
		send string
		want map[string]string
	}{
		{"GET /", get("/"), map[string]string{
			"REQUEST_METHOD": "GET", "SCRIPT_NAME": "",
			"PATH_INFO": "/", "QUERY_STRING": "",
			"SERVER_NAME": "127.0.0.1", "SERVER_PORT": port,
			"SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
			"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_URI": "/",
		}},
		{"the path is percent-decoded, the query is as sent",
			get("/a%20b/%C3%A9?x=1&y=%20"), map[string]string{
				"PATH_INFO": "/a b/é", "QUERY_STRING": "x=1&y=%20",
				"REQUEST_URI": "/a%20b/%C3%A9?x=1&y=%20",
			}},
		{"an encoded ? belongs to the path",
			get("/why%3F?because"), map[string]string{
				"PATH_INFO": "/why?", "QUERY_STRING": "because",
			}},
		{"HTTP/1.0 and another method",
			"DELETE /items/7 HTTP/1.0\r\n\r\n", map[string]string{
				"REQUEST_METHOD": "DELETE", "PATH_INFO": "/items/7",
				"SERVER_PROTOCOL": "HTTP/1.0",
			}},
		{"OPTIONS * has no path",
			"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", map[string]string{
				"REQUEST_METHOD": "OPTIONS", "PATH_INFO": "",
				"QUERY_STRING": "",
			}},
		{"an absolute-form target",
			get("http://example.com/p?q=1"), map[string]string{
				"PATH_INFO": "/p", "QUERY_STRING": "q=1",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := ask(t, tt.send)
			if env == nil {
				return
			}
			expectRules(t, tt.send, env)
			expectVars(t, tt.send, env, tt.want)
		})
	}
}

func TestEnvironHeaders(t *testing.T) {
	_, ask := environs(t)
	tests := []struct {
		name   string
		send   string
		want   map[string]string
		absent []string
	}{
		{"Content-Type and Content-Length keep names of their own",
			"POST /form HTTP/1.1\r\nHost: x\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\n" +
				"Content-Length: 5\r\n\r\nhello",
			map[string]string{
				"CONTENT_TYPE":   "application/x-www-form-urlencoded",
				"CONTENT_LENGTH": "5",
			},
			[]string{"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"}},
		{"no body: no content type, no content length",
			get("/"),
			map[string]string{"CONTENT_TYPE": "", "CONTENT_LENGTH": ""},
			[]string{"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"}},
		{"a chunked body has no content length",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" +
				"\r\n5\r\nhello\r\n0\r\n\r\n",
			map[string]string{"CONTENT_LENGTH": ""},
			[]string{"HTTP_CONTENT_LENGTH"}},
		{"other fields: HTTP and the name in upper case, dashes as underscores",
			"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t/1\r\n" +
				"x-lower-case: v\r\n\r\n",
			map[string]string{
				"HTTP_HOST": "example.com", "HTTP_USER_AGENT": "t/1",
				"HTTP_X_LOWER_CASE": "v",
			}, nil},
		{"a repeated field, its values joined with ,",
			"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n" +
				"X-Tag: a\r\nAccept: text/plain\r\n\r\n",
			map[string]string{
				"HTTP_ACCEPT": "text/html,text/plain", "HTTP_X_TAG": "a",
			}, nil},
		{"a name with an underscore is dropped: it could pass for X-User",
			"GET / HTTP/1.1\r\nHost: x\r\nX-User: alice\r\n" +
				"X_User: mallory\r\nX_Role: admin\r\n\r\n",
			map[string]string{"HTTP_X_USER": "alice"},
			[]string{"HTTP_X_ROLE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := ask(t, tt.send)
			if env == nil {
				return
			}
			expectVars(t, tt.send, env, tt.want)
			for _, k := range tt.absent {
				_, ok := env.Vars[k]
				assert.False(t, ok, "%s should not exist for %q", k,
					tt.send)
			}
		})
	}
}

func TestGatewayKeys(t *testing.T) {
	t.Run("version, scheme, streams and serving model", func(t *testing.T) {
		_, ask := environs(t)
		env := ask(t, get("/"))
		if env == nil {
			return
		}
		assert.Equal(t, [2]int{1, 0}, env.Version, "Version")
		assert.Equal(t, "http", env.URLScheme, "URLScheme")
		assert.NotNil(t, env.Input, "Input")
		assert.NotNil(t, env.Errors, "Errors")
		assert.True(t, env.Multithread, "Multithread: httpd serves "+
			"each connection in a goroutine of its own")
		assert.False(t, env.Multiprocess, "Multiprocess: one process")
		assert.False(t, env.RunOnce, "RunOnce: the process lives on")
	})
	t.Run("what the app writes to Errors goes to the server's log",
		func(t *testing.T) {
			app := gateway.AppFunc(func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				if env.Errors != nil {
					fmt.Fprintln(env.Errors, "app: cache miss for /x")
				}
				start("200 OK", text, nil)
				return gateway.List([]byte("ok")), nil
			})
			addr, logs := serve(t, app)
			c := wire.Dial(t, addr)
			c.Send(get("/x"))
			if !wire.ExpectStatus(t, c.ReadResponse(), 200) {
				return
			}
			assert.True(t, waitLog(logs, "app: cache miss for /x"),
				"the server's log lacks what the app wrote to "+
					"Errors; it has:\n%s", logs)
		})
	t.Run("Multithread is true: two calls run at once", func(t *testing.T) {
		// The first request waits in the app for the second: a
		// server that runs one call at a time never lets it in.
		var calls atomic.Int32
		second := make(chan struct{})
		met := make(chan bool, 1)
		app := gateway.AppFunc(func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			if calls.Add(1) == 1 {
				select {
				case <-second:
					record(met, true)
				case <-time.After(patience):
					record(met, false)
				}
			} else {
				close(second)
			}
			start("200 OK", text, nil)
			return gateway.List([]byte("ok")), nil
		})
		addr, _ := serve(t, app)
		first := wire.Dial(t, addr)
		first.Send(get("/first"))
		other := wire.Dial(t, addr)
		other.Send(get("/second"))
		wire.ExpectStatus(t, other.ReadResponse(), 200)
		wire.ExpectStatus(t, first.ReadResponse(), 200)
		if ok, called := received(t, met, "meeting report"); called {
			assert.True(t, ok, "the second call did not start while "+
				"the first was running: Multithread would be a lie")
		}
	})
}

// inputApp answers with what it read from Input, the way the request
// path says, each read or line followed by "|".
func inputApp() gateway.App {
	return gateway.AppFunc(func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		var out bytes.Buffer
		in := env.Input
		var err error
		switch env.Vars["PATH_INFO"] {
		case "/read": // read()
			var b []byte
			b, err = io.ReadAll(in)
			out.Write(b)
		case "/read3": // read(3), again and again
			p := make([]byte, 3)
			for err == nil {
				var n int
				n, err = in.Read(p)
				if n > 0 {
					fmt.Fprintf(&out, "%s|", p[:n])
				}
			}
		case "/lines": // readline() until the end
			for err == nil {
				var line []byte
				line, err = in.ReadLine()
				if line != nil {
					fmt.Fprintf(&out, "%s|", line)
				}
			}
		case "/mixed": // readline(), then read()
			var line, rest []byte
			line, err = in.ReadLine()
			if err == nil {
				rest, err = io.ReadAll(in)
			}
			fmt.Fprintf(&out, "%s|%s", line, rest)
		}
		if err == io.EOF {
			err = nil
		}
		if err != nil {
			return nil, err
		}
		start("200 OK", text, nil)
		return gateway.List(out.Bytes()), nil
	})
}

func TestInput(t *testing.T) {
	addr, _ := serve(t, inputApp())
	is := func(want string) func(*testing.T, string) {
		return func(t *testing.T, got string) {
			t.Helper()
			wire.ExpectBytes(t, want, got)
		}
	}
	long := strings.Repeat("a", 70000) + "\n"
	medium := strings.Repeat("m", 10000) + "\n"
	tests := []struct {
		name  string
		send  string
		check func(t *testing.T, body string)
	}{
		{"read() returns the body", post("/read", "hello world"),
			is("hello world")},
		{"read(3) gives at most 3 bytes at a time",
			post("/read3", "hello world"),
			func(t *testing.T, got string) {
				expectPieces(t, got, "hello world", 3)
			}},
		{"readline() keeps the line's end; the last may lack one",
			post("/lines", "one\ntwo\r\nthree"),
			is("one\n|two\r\n|three|")},
		{"readline() then read()",
			post("/mixed", "first\nrest of it"),
			is("first\n|rest of it")},
		{"a chunked body, decoded",
			"POST /read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " +
				"chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
			is("hello world")},
		{"no body: an empty read", get("/read"), is("")},
		{"a line of 10000 bytes whole, one over 64 KiB in pieces",
			post("/lines", medium+long),
			func(t *testing.T, got string) {
				pieces := strings.Split(strings.TrimSuffix(got, "|"),
					"|")
				assert.Equal(t, medium, pieces[0], "the first line, "+
					"10001 bytes, should come whole")
				assert.Greater(t, len(pieces), 2, "a line of 70001 "+
					"bytes should come in pieces of at most 64 KiB")
				for _, p := range pieces {
					assert.LessOrEqual(t, len(p), 64<<10, "a piece "+
						"of %d bytes: at most 64 KiB at once", len(p))
				}
				assert.Equal(t, medium+long, strings.Join(pieces, ""),
					"the lines and pieces should add up to the body")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(tt.send)
			r := c.ReadResponse()
			if wire.ExpectStatus(t, r, 200) {
				tt.check(t, string(r.Body))
			}
		})
	}
	t.Run("reads stop at CONTENT_LENGTH: the next request is intact",
		func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(post("/read", "hello") + post("/read", "again"))
			wire.ExpectBody(t, c.ReadResponse(), "hello")
			wire.ExpectBody(t, c.ReadResponse(), "again")
		})
}

// expectPieces checks that got is want cut in pieces of at most max
// bytes, each followed by "|".
func expectPieces(t *testing.T, got, want string, max int) {
	t.Helper()
	pieces := strings.Split(strings.TrimSuffix(got, "|"), "|")
	assert.Equal(t, want, strings.Join(pieces, ""), "the reads, "+
		"joined, should be the body; got %q", got)
	for _, p := range pieces {
		assert.LessOrEqual(t, len(p), max, "a read of %d bytes into "+
			"a buffer of %d: %q", len(p), max, got)
	}
}
