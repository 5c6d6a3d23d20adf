// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/11-cgi"
	"socket2gateway/exercises/internal/wire"
)

func TestFindScript(t *testing.T) {
	// A root with a folder and a file that is not executable.
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "folder"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "plain.txt"),
		[]byte("not a script\n"), 0o644))
	s := start(t, func(c *httpd.CGI) { c.Root = root })
	tests := []struct {
		name, target string
		code         int
	}{
		{"a script that does not exist", "/cgi-bin/nope.py", 404},
		{"no script name", "/cgi-bin/", 404},
		{"the prefix alone", "/cgi-bin", 404},
		{"a path outside the prefix", "/index.html", 404},
		{"a path that only starts like the prefix", "/cgi-binx/plain.txt", 404},
		{"a file that is not executable", "/cgi-bin/plain.txt", 403},
		{"a folder", "/cgi-bin/folder", 403},
		{"a folder, with a path after it", "/cgi-bin/folder/x", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire.ExpectStatus(t, s.do(t, get(tt.target)), tt.code)
		})
	}
}

func TestHello(t *testing.T) {
	needPython(t)
	s := start(t)
	mark := s.log.mark()
	c := wire.Dial(t, s.addr)
	for _, target := range []string{"/cgi-bin/hello.py", "/cgi-bin/hello.py?again"} {
		c.Send(get(target))
		r := c.ReadResponse()
		if !wire.ExpectStatus(t, r, 200) {
			return
		}
		wire.ExpectHeader(t, r, "Content-Type", "text/plain; charset=utf-8")
		assert.True(t, strings.HasPrefix(string(r.Body), "Hello world!\n"),
			"GET %s: the body should start with \"Hello world!\\n\": %q",
			target, r.Body)
		assert.NotContains(t, r.Header, "Status", "GET %s: the script's "+
			"Status field is for the server: it must not reach the "+
			"client as a field: %q", target, r.Raw)
	}
	assert.NotContains(t, s.log.since(mark), "Traceback",
		"the script failed: see its traceback in the server's log")
}

func TestScriptNameAndPathInfo(t *testing.T) {
	needPython(t)
	bin := start(t)
	atRoot := start(t, func(c *httpd.CGI) { c.Prefix, c.Script = "", "environ.py" })
	atApp := start(t, func(c *httpd.CGI) { c.Prefix, c.Script = "/app", "environ.py" })
	tests := []struct {
		name       string
		s          *server
		target     string
		script     string
		pathInfo   string
		query      string
		wantStatus int // 0: 200 and the variables
	}{
		{"the script alone", bin, "/cgi-bin/environ.py",
			"/cgi-bin/environ.py", "", "", 0},
		{"a slash after it", bin, "/cgi-bin/environ.py/",
			"/cgi-bin/environ.py", "/", "", 0},
		{"a path after it", bin, "/cgi-bin/environ.py/a/b",
			"/cgi-bin/environ.py", "/a/b", "", 0},
		{"PATH_INFO is decoded and has no query", bin,
			"/cgi-bin/environ.py/a%20b/%C3%A9?x=%20",
			"/cgi-bin/environ.py", "/a b/é", "x=%20", 0},
		{"one script at the site's root: SCRIPT_NAME is empty", atRoot,
			"/", "", "/", "", 0},
		{"one script at the root, a deeper path", atRoot,
			"/any/path?q", "", "/any/path", "q", 0},
		{"one script mounted at /app", atApp, "/app", "/app", "", "", 0},
		{"one script at /app, a path after it", atApp, "/app/x",
			"/app", "/x", "", 0},
		{"/apple is not under /app", atApp, "/apple", "", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := get(tt.target)
			if tt.wantStatus != 0 {
				wire.ExpectStatus(t, tt.s.do(t, raw), tt.wantStatus)
				return
			}
			env := tt.s.environ(t, raw)
			expectVars(t, env, raw, map[string]string{
				"SCRIPT_NAME":  tt.script,
				"PATH_INFO":    tt.pathInfo,
				"QUERY_STRING": tt.query,
			})
		})
	}
}

func TestDotDot(t *testing.T) {
	needPython(t)
	s := start(t)
	for _, target := range []string{
		"/cgi-bin/environ.py/../../../etc/passwd",
		"/cgi-bin/environ.py/%2e%2e/%2E%2E/etc/passwd",
		"/cgi-bin/environ.py/a/..",
		"/cgi-bin/environ.py/a/../../x",
		"/cgi-bin/../cgi-bin/environ.py",
	} {
		t.Run(target, func(t *testing.T) {
			// Refused (400), or cleaned before the script sees it:
			// never a PATH_INFO with a ".." segment.
			c := wire.Dial(t, s.addr)
			c.Send(get(target))
			r := c.ReadResponse()
			if r.Status == 400 || r.Status == 404 {
				return
			}
			wire.ExpectStatus(t, r, 400)
		})
	}
	t.Run("dots that are not a .. segment are a name", func(t *testing.T) {
		raw := get("/cgi-bin/environ.py/a..b/...c/..d")
		env := s.environ(t, raw)
		expectVars(t, env, raw, map[string]string{
			"PATH_INFO": "/a..b/...c/..d"})
	})
}

func TestMetaVariables(t *testing.T) {
	needPython(t)
	s := start(t)
	tests := []struct {
		name string
		raw  string
		want map[string]string
	}{
		{"a GET with a query",
			"GET /cgi-bin/environ.py/p?x=1&y=%20 HTTP/1.1\r\n" +
				"Host: example.com:8080\r\n\r\n",
			map[string]string{
				"GATEWAY_INTERFACE": "CGI/1.1",
				"SERVER_NAME":       "example.com",
				"SERVER_PORT":       s.port,
				"SERVER_PROTOCOL":   "HTTP/1.1",
				"REQUEST_METHOD":    "GET",
				"QUERY_STRING":      "x=1&y=%20",
				"REMOTE_ADDR":       "127.0.0.1",
				"CONTENT_LENGTH":    "-",
				"CONTENT_TYPE":      "-",
			}},
		{"no query: QUERY_STRING is set, and empty",
			get("/cgi-bin/environ.py"),
			map[string]string{"QUERY_STRING": "", "SERVER_NAME": "x"}},
		{"an HTTP/1.0 request without Host",
			"GET /cgi-bin/environ.py HTTP/1.0\r\n\r\n",
			map[string]string{
				"SERVER_NAME":     "127.0.0.1",
				"SERVER_PORT":     s.port,
				"SERVER_PROTOCOL": "HTTP/1.0",
			}},
		{"a DELETE",
			"DELETE /cgi-bin/environ.py HTTP/1.1\r\nHost: x\r\n\r\n",
			map[string]string{"REQUEST_METHOD": "DELETE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := s.environ(t, tt.raw)
			expectVars(t, env, tt.raw, tt.want)
			assert.NotEmpty(t, env["SERVER_SOFTWARE"],
				"SERVER_SOFTWARE, for %q", tt.raw)
		})
	}
}

func TestHeaderVariables(t *testing.T) {
	needPython(t)
	s := start(t)
	raw := "POST /cgi-bin/environ.py HTTP/1.1\r\nHost: example.com\r\n" +
		"User-Agent: test/1.0\r\nX-Custom-Header: 42\r\n" +
		"Accept: text/plain\r\nAccept: text/html\r\n" +
		"Authorization: Basic c2VjcmV0\r\n" +
		"Proxy-Authorization: Basic cHJveHk=\r\n" +
		"Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
	env := s.environ(t, raw)
	expectVars(t, env, raw, map[string]string{
		"HTTP_HOST":                "example.com",
		"HTTP_USER_AGENT":          "test/1.0",
		"HTTP_X_CUSTOM_HEADER":     "42",
		"HTTP_ACCEPT":              "text/plain, text/html",
		"CONTENT_TYPE":             "text/plain",
		"CONTENT_LENGTH":           "5",
		"HTTP_CONTENT_TYPE":        "-",
		"HTTP_CONTENT_LENGTH":      "-",
		"HTTP_AUTHORIZATION":       "-",
		"HTTP_PROXY_AUTHORIZATION": "-",
	})
	noValueHolds(t, env, "c2VjcmV0", raw)
	noValueHolds(t, env, "cHJveHk=", raw)
}

func TestHttpoxy(t *testing.T) {
	needPython(t)
	s := start(t)
	for _, name := range []string{"Proxy", "proxy", "PROXY"} {
		t.Run(name, func(t *testing.T) {
			raw := "GET /cgi-bin/environ.py HTTP/1.1\r\nHost: x\r\n" +
				name + ": http://127.0.0.1:9/\r\n\r\n"
			env := s.environ(t, raw)
			expectVars(t, env, raw, map[string]string{"HTTP_PROXY": "-"})
			noValueHolds(t, env, "127.0.0.1:9", raw)
		})
	}
}

func TestHeaderNameCollision(t *testing.T) {
	needPython(t)
	s := start(t)
	tests := []struct {
		name, fields, want string // want "-": HTTP_X_FOO unset
	}{
		{"X-Foo, then X_Foo", "X-Foo: good\r\nX_Foo: evil\r\n", "good"},
		{"X_Foo, then X-Foo", "X_Foo: evil\r\nX-Foo: good\r\n", "good"},
		{"X-Foo twice, and X_Foo", "X-Foo: a\r\nX_Foo: evil\r\n" +
			"X-Foo: b\r\n", "a, b"},
		{"X_Foo alone", "X_Foo: evil\r\n", "-"},
		{"x_foo in lower case", "x_foo: evil\r\n", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "GET /cgi-bin/environ.py HTTP/1.1\r\nHost: x\r\n" +
				tt.fields + "\r\n"
			env := s.environ(t, raw)
			expectVars(t, env, raw, map[string]string{"HTTP_X_FOO": tt.want})
			noValueHolds(t, env, "evil", raw)
		})
	}
}

func TestWSGIValidator(t *testing.T) {
	needPython(t)
	s := start(t)
	atRoot := start(t, func(c *httpd.CGI) { c.Prefix, c.Script = "", "hello.py" })
	tests := []struct {
		name string
		s    *server
		raw  string
	}{
		{"GET", s, get("/cgi-bin/hello.py")},
		{"GET with PATH_INFO and a query", s,
			get("/cgi-bin/hello.py/extra?x=1")},
		{"POST a form: Content-Type and Content-Length", s,
			"POST /cgi-bin/hello.py HTTP/1.1\r\nHost: x\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\n" +
				"Content-Length: 11\r\n\r\nname=gopher"},
		{"POST a chunked body", s,
			"POST /cgi-bin/environ.py HTTP/1.1\r\nHost: x\r\n" +
				"Content-Type: text/plain\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n0\r\n\r\n"},
		{"HEAD", s, "HEAD /cgi-bin/hello.py HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"HTTP/1.0 without Host", s, "GET /cgi-bin/hello.py HTTP/1.0\r\n\r\n"},
		{"a streamed body", s, get("/cgi-bin/stream.py?n=2&ms=0")},
		{"mounted at the site's root", atRoot, get("/")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := tt.s.log.mark()
			c := wire.Dial(t, tt.s.addr)
			c.Send(tt.raw)
			var r *wire.Response
			if strings.HasPrefix(tt.raw, "HEAD") {
				r = c.ReadHeadResponse()
			} else {
				r = c.ReadResponse()
			}
			wire.ExpectStatus(t, r, 200)
			logged := tt.s.log.since(mark)
			for _, bad := range []string{"Traceback", "AssertionError",
				"Warning"} {
				assert.NotContains(t, logged, bad, "wsgiref.validate "+
					"refused what the server gave the app, for %q; the "+
					"server's log has the traceback", tt.raw)
			}
		})
	}
}
