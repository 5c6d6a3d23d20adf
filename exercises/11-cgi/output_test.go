// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/exercises/internal/wire"
)

func TestScriptHeader(t *testing.T) {
	needPython(t)
	s := start(t)
	tests := []struct {
		name, output string
		code         int
		fields       map[string]string
		body         string
	}{
		{"lines end in LF", "Content-Type: text/plain\n\nhello",
			200, map[string]string{"Content-Type": "text/plain"}, "hello"},
		{"lines end in CRLF", "Content-Type: text/plain\r\n\r\nhello",
			200, map[string]string{"Content-Type": "text/plain"}, "hello"},
		{"Status sets the code",
			"Status: 404 Not Found\nContent-Type: text/plain\n\nnope",
			404, nil, "nope"},
		{"Status without a reason",
			"Status: 201\nContent-Type: text/plain\n\nmade", 201, nil, "made"},
		{"other fields reach the client",
			"Content-Type: text/html\nX-Answer: 42\nCache-Control: " +
				"no-store\n\n<p>hi</p>",
			200, map[string]string{"X-Answer": "42",
				"Cache-Control": "no-store"}, "<p>hi</p>"},
		{"a header block and no body",
			"Content-Type: text/plain\n\n", 200,
			map[string]string{"Content-Length": "0"}, ""},
		{"204 needs no Content-Type", "Status: 204 No Content\n\n",
			204, nil, ""},
		{"a document without Content-Type is refused",
			"X-Answer: 42\n\nhello", 502, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, script("", tt.output))
			if !wire.ExpectStatus(t, r, tt.code) || tt.code == 502 {
				return
			}
			for k, v := range tt.fields {
				wire.ExpectHeader(t, r, k, v)
			}
			wire.ExpectBody(t, r, tt.body)
			assert.NotContains(t, r.Header, "Status",
				"the Status field is for the server, not the client: %q",
				r.Raw)
		})
	}
	t.Run("repeated fields stay repeated", func(t *testing.T) {
		r := s.do(t, script("", "Content-Type: text/plain\n"+
			"Set-Cookie: a=1\nSet-Cookie: b=2\n\nok"))
		wire.ExpectStatus(t, r, 200)
		assert.Equal(t, []string{"a=1", "b=2"}, r.Header["Set-Cookie"],
			"Set-Cookie: %q", r.Raw)
	})
}

func TestLocation(t *testing.T) {
	needPython(t)
	s := start(t)
	tests := []struct {
		name, output string
		code         int
		location     string
	}{
		{"Location alone is a redirect: 302",
			"Location: http://example.com/elsewhere\n\n",
			302, "http://example.com/elsewhere"},
		{"a local path too",
			"Location: /cgi-bin/hello.py\r\n\r\n", 302, "/cgi-bin/hello.py"},
		{"Status chooses another redirect",
			"Status: 301 Moved Permanently\nLocation: /new\n" +
				"Content-Type: text/html\n\n<a href=\"/new\">moved</a>\n",
			301, "/new"},
		{"303 without a body", "Status: 303 See Other\nLocation: /x\n\n",
			303, "/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, script("", tt.output))
			if wire.ExpectStatus(t, r, tt.code) {
				wire.ExpectHeader(t, r, "Location", tt.location)
			}
		})
	}
}

func TestInvalidOutput(t *testing.T) {
	needPython(t)
	s := start(t)
	big := strings.Repeat("a", 70<<10)
	tests := []struct {
		name, output string
		cause        string // what the log line must name
	}{
		{"no output at all", "", "header"},
		{"a header block without its empty line",
			"Content-Type: text/plain\n", "header"},
		{"a body and no header block", "hello world\n", "header"},
		{"a line that is not a field",
			"Content-Type: text/plain\nnonsense\n\nbody", "header"},
		{"a header block over 64 KiB",
			"Content-Type: text/plain\nX-Big: " + big + "\n\n", "header"},
		{"Status is not a number",
			"Status: OK\nContent-Type: text/plain\n\n", "Status"},
		{"Status below 200", "Status: 100 Continue\nContent-Type: " +
			"text/plain\n\n", "Status"},
		{"Status above 599", "Status: 600 Nope\nContent-Type: " +
			"text/plain\n\n", "Status"},
		{"Status of four digits", "Status: 2000 OK\nContent-Type: " +
			"text/plain\n\n", "Status"},
		{"two Status fields", "Status: 200 OK\nStatus: 404 Not Found\n" +
			"Content-Type: text/plain\n\n", "Status"},
		{"its own Transfer-Encoding",
			"Content-Type: text/plain\nTransfer-Encoding: chunked\n\n" +
				"5\r\nhello\r\n0\r\n\r\n", "Transfer-Encoding"},
		{"a Content-Length longer than the body",
			"Content-Type: text/plain\nContent-Length: 10\n\nabc",
			"Content-Length"},
		{"a Content-Length shorter than the body",
			"Content-Type: text/plain\nContent-Length: 2\n\nabcdef",
			"Content-Length"},
		{"a Content-Length that is not a number",
			"Content-Type: text/plain\nContent-Length: ten\n\nabc",
			"Content-Length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := s.log.mark()
			r := s.do(t, script("", tt.output))
			if !wire.ExpectStatus(t, r, 502, 500) {
				return
			}
			// The cause is logged before the answer leaves, but the
			// log may lag behind by a little.
			logged := eventually(2*time.Second, func() bool {
				return strings.Contains(s.log.since(mark), tt.cause)
			})
			assert.True(t, logged, "the server's log should say what "+
				"was wrong, naming %q; it logged:\n%s", tt.cause,
				s.log.since(mark))
		})
	}
}

func TestHead(t *testing.T) {
	needPython(t)
	s := start(t)
	t.Run("the script's body is not sent", func(t *testing.T) {
		c := wire.Dial(t, s.addr)
		c.Send("HEAD /cgi-bin/hello.py HTTP/1.1\r\nHost: x\r\n\r\n")
		r := c.ReadHeadResponse()
		wire.ExpectStatus(t, r, 200)
		wire.ExpectHeader(t, r, "Content-Type", "text/plain; charset=utf-8")
		// Had the body been sent, it would be read as the next
		// response.
		c.Send(get("/cgi-bin/hello.py"))
		r = c.ReadResponse()
		if wire.ExpectStatus(t, r, 200) {
			assert.True(t, strings.HasPrefix(string(r.Body), "Hello world!"),
				"the GET after the HEAD: %q", r.Body)
		}
	})
	t.Run("a script that sends no body for HEAD", func(t *testing.T) {
		// §4.3.3: a script should not send a body for HEAD. Its
		// Content-Length describes the GET, and is no error.
		out := "Content-Type: text/plain\nContent-Length: 5\n\n"
		c := wire.Dial(t, s.addr)
		c.Send(fmt.Sprintf("HEAD /cgi-bin/raw.py HTTP/1.1\r\nHost: x\r\n"+
			"Content-Length: %d\r\n\r\n%s", len(out), out))
		r := c.ReadHeadResponse()
		if wire.ExpectStatus(t, r, 200) {
			wire.ExpectHeader(t, r, "Content-Length", "5")
		}
	})
	t.Run("no length is made up", func(t *testing.T) {
		// stream.py sends no Content-Length: the GET is chunked, so
		// "Content-Length: 0" would be a lie.
		c := wire.Dial(t, s.addr)
		c.Send("HEAD /cgi-bin/stream.py?n=2&ms=0 HTTP/1.1\r\nHost: x\r\n\r\n")
		r := c.ReadHeadResponse()
		wire.ExpectStatus(t, r, 200)
		assert.NotContains(t, r.Header.Values("Content-Length"), "0",
			"HEAD says Content-Length: 0, but a GET has a body: %q", r.Raw)
		c.Send(get("/cgi-bin/hello.py"))
		wire.ExpectStatus(t, c.ReadResponse(), 200)
	})
}

func TestStreaming(t *testing.T) {
	needPython(t)
	s := start(t)
	t.Run("each piece reaches the client before the next is made",
		func(t *testing.T) { pingPong(t, s) })
	t.Run("no length: chunked on HTTP/1.1", func(t *testing.T) {
		r := s.do(t, get("/cgi-bin/stream.py?n=3&ms=0"))
		wire.ExpectStatus(t, r, 200)
		wire.ExpectHeader(t, r, "Transfer-Encoding", "chunked")
		wire.ExpectBody(t, r, "tick 0\ntick 1\ntick 2\n")
	})
	t.Run("no length: the close ends the body on HTTP/1.0",
		func(t *testing.T) {
			r := s.do(t, "GET /cgi-bin/stream.py?n=3&ms=0 HTTP/1.0\r\n\r\n")
			wire.ExpectStatus(t, r, 200)
			assert.NotContains(t, r.Header, "Transfer-Encoding",
				"HTTP/1.0 knows no chunks: %q", r.Raw)
			wire.ExpectBody(t, r, "tick 0\ntick 1\ntick 2\n")
		})
	t.Run("a Content-Length from the script is kept", func(t *testing.T) {
		r := s.do(t, get("/cgi-bin/environ.py"))
		wire.ExpectStatus(t, r, 200)
		wire.ExpectHeader(t, r, "Content-Length", fmt.Sprint(len(r.Body)))
		assert.NotContains(t, r.Header, "Transfer-Encoding", "%q", r.Raw)
	})
	t.Run("a long body with its Content-Length", func(t *testing.T) {
		body := strings.Repeat("0123456789abcdef", 100<<10/16)
		r := s.do(t, script("", fmt.Sprintf("Content-Type: text/plain\n"+
			"Content-Length: %d\n\n%s", len(body), body)))
		wire.ExpectStatus(t, r, 200)
		wire.ExpectHeader(t, r, "Content-Length", fmt.Sprint(len(body)))
		assert.True(t, string(r.Body) == body, "got %d bytes, want "+
			"%d", len(r.Body), len(body))
	})
}

// pingPong posts to stream.py a line at a time, and wants each echo
// before it sends the next line: a server that holds the output back,
// or the input, hangs here until the deadline.
func pingPong(t *testing.T, s *server) {
	t.Helper()
	lines := []string{"one\n", "two\n", "three\n"}
	conn, err := net.DialTimeout("tcp", s.addr, wire.Timeout)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wire.Timeout))
	// Like curl, ask before sending the body: "100 Continue" comes
	// first, then the answer.
	fmt.Fprintf(conn, "POST /cgi-bin/stream.py HTTP/1.1\r\nHost: x\r\n"+
		"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n",
		len(strings.Join(lines, "")))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	for err == nil && resp.StatusCode == 100 {
		resp, err = http.ReadResponse(br, nil)
	}
	require.NoError(t, err, "no response header came before the "+
		"request's body (a server that waits for the whole body, or "+
		"for the script to end, hangs here)")
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding,
		"a body of unknown length on HTTP/1.1 is chunked")
	expect := func(want string) bool {
		got := make([]byte, len(want))
		_, err := io.ReadFull(resp.Body, got)
		return assert.NoError(t, err, "waiting for %q", want) &&
			assert.Equal(t, want, string(got))
	}
	if !expect("tick 0\n") {
		return
	}
	for _, line := range lines {
		_, err := io.WriteString(conn, line)
		require.NoError(t, err)
		if !expect("echo " + line) {
			return
		}
	}
	rest, err := io.ReadAll(resp.Body)
	assert.NoError(t, err, "the end of the body")
	assert.Empty(t, string(rest), "nothing after the last echo")
}
