// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/11-cgi"
	"socket2gateway/exercises/internal/wire"
)

func TestRequestBody(t *testing.T) {
	needPython(t)
	s := start(t)
	long := strings.Repeat("0123456789abcdef", 200<<10/16)
	tests := []struct {
		name, raw string
		want      map[string]string // "-": unset; "body" too
	}{
		{"a POST with a Content-Length",
			"POST /cgi-bin/environ.py HTTP/1.1\r\nHost: x\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\n" +
				"Content-Length: 11\r\n\r\nname=gopher",
			map[string]string{"CONTENT_LENGTH": "11", "body": "name=gopher",
				"CONTENT_TYPE": "application/x-www-form-urlencoded"}},
		{"a body larger than a pipe holds",
			post("/cgi-bin/environ.py", long),
			map[string]string{"CONTENT_LENGTH": strconv.Itoa(len(long)),
				"body": long}},
		{"no body: no CONTENT_LENGTH", get("/cgi-bin/environ.py"),
			map[string]string{"CONTENT_LENGTH": "-", "body": ""}},
		{"a chunked body is decoded, and counted",
			"POST /cgi-bin/environ.py HTTP/1.1\r\nHost: x\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
			map[string]string{"CONTENT_LENGTH": "11", "body": "hello world",
				"HTTP_TRANSFER_ENCODING": "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := s.environ(t, tt.raw)
			shown := tt.raw
			if len(shown) > 200 {
				shown = shown[:200] + "..."
			}
			expectVars(t, env, shown, tt.want)
		})
	}
	t.Run("Content-Length: 0 is no body", func(t *testing.T) {
		env := s.environ(t, post("/cgi-bin/environ.py", ""))
		assert.Empty(t, env["CONTENT_LENGTH"],
			"CONTENT_LENGTH must be unset (or empty) without a body")
	})
	t.Run("a chunked body over 1 MiB gets 413", func(t *testing.T) {
		size := 1<<20 + 1
		r := s.do(t, fmt.Sprintf("POST /cgi-bin/environ.py HTTP/1.1\r\n"+
			"Host: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n"+
			"0\r\n\r\n", size, strings.Repeat("a", size)))
		wire.ExpectStatus(t, r, 413)
	})
	t.Run("Expect: 100-continue", func(t *testing.T) {
		c := wire.Dial(t, s.addr)
		c.Send("POST /cgi-bin/environ.py HTTP/1.1\r\nHost: x\r\n" +
			"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n")
		if !wire.ExpectStatus(t, c.ReadResponse(), 100) {
			return
		}
		c.Send("hello")
		r := c.ReadResponse()
		if wire.ExpectStatus(t, r, 200) {
			assert.Contains(t, string(r.Body), `"body": "hello"`)
		}
	})
}

func TestStdinNoDeadlock(t *testing.T) {
	needPython(t)
	s := start(t)
	// flood.py writes 1 MiB and never reads its stdin; the client
	// sends 1 MiB. Writing the body to stdin before reading stdout
	// deadlocks: both pipes fill up.
	conn, err := net.DialTimeout("tcp", s.addr, wire.Timeout)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wire.Timeout))
	body := strings.Repeat("x", 1<<20)
	sent := make(chan struct{})
	go func() { // the client sends while it reads
		defer close(sent)
		fmt.Fprintf(conn, "POST /cgi-bin/flood.py HTTP/1.1\r\nHost: x\r\n"+
			"Content-Length: %d\r\n\r\n%s", len(body), body)
	}()
	t.Cleanup(func() { conn.Close(); <-sent })
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "no response from flood.py within %v: a "+
		"deadlock?", wire.Timeout)
	defer resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, "status")
	n, err := io.Copy(io.Discard, resp.Body)
	assert.NoError(t, err, "reading the body (deadlock?)")
	const want = 16 * 10923 * len("flood\n") // what flood.py writes
	assert.Equal(t, int64(want), n, "bytes of body")
}

func TestScriptFails(t *testing.T) {
	needPython(t)
	s := start(t)
	t.Run("exits with a failure before any output: 502, stderr logged",
		func(t *testing.T) {
			mark := s.log.mark()
			r := s.do(t, script("exit=3", ""))
			if !wire.ExpectStatus(t, r, 502, 500) {
				return
			}
			line := "raw.py: copied 0 bytes, exiting with status 3"
			logged := eventually(2*time.Second, func() bool {
				return strings.Contains(s.log.since(mark), line)
			})
			assert.True(t, logged, "what the script wrote on stderr, "+
				"%q, should be in the server's log; it logged:\n%s",
				line, s.log.since(mark))
		})
	t.Run("a header and a Content-Length, then a failure: not a 200",
		func(t *testing.T) {
			expectCut(t, s, script("exit=1",
				"Content-Type: text/plain\nContent-Length: 7\n\npartial"))
		})
	t.Run("a header and a streamed body, then a failure: cut short",
		func(t *testing.T) {
			expectCut(t, s, script("exit=1",
				"Content-Type: text/plain\n\npartial"))
		})
	t.Run("the server goes on", func(t *testing.T) {
		wire.ExpectStatus(t, s.do(t, get("/cgi-bin/hello.py")), 200)
	})
}

// expectCut sends raw to a script that fails after it wrote part of
// its answer, and checks that the client can tell: a 5xx, or a 200
// whose body ends before its framing says it is complete.
func expectCut(t *testing.T, s *server, raw string) {
	t.Helper()
	c := wire.Dial(t, s.addr)
	c.Send(strings.Replace(raw, "\r\n", "\r\nConnection: close\r\n", 1))
	got := c.ReadAll() // until the server closes
	head, body, _ := strings.Cut(got, "\r\n\r\n")
	status := strings.SplitN(head, " ", 3)
	switch {
	case len(status) < 2:
		t.Errorf("no response; got %q", got)
	case status[1][0] == '5':
	case status[1] != "200":
		t.Errorf("status %s, want a 5xx, or a 200 cut short: %q", status[1], got)
	case strings.Contains(head, "Transfer-Encoding: chunked"):
		assert.False(t, strings.HasSuffix(body, "0\r\n\r\n"), "the "+
			"script failed, but the chunked body has its last chunk: "+
			"the client takes it for a whole response: %q", got)
	case strings.Contains(head, "Content-Length: "):
		_, cl, _ := strings.Cut(head, "Content-Length: ")
		cl, _, _ = strings.Cut(cl, "\r\n")
		n, _ := strconv.Atoi(cl)
		assert.Less(t, len(body), n, "the script failed, but the body "+
			"is as long as its Content-Length says: the client takes "+
			"it for a whole response: %q", got)
	default:
		t.Errorf("a 200 that the client cannot tell from a whole "+
			"response: %q", got)
	}
}

// pids reads the pids slow.py writes to file: its own and its child's.
func pids(t *testing.T, file string) (script, child int, ok bool) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, false
	}
	script, err1 := strconv.Atoi(f[0])
	child, err2 := strconv.Atoi(f[1])
	return script, child, err1 == nil && err2 == nil
}

// killPids kills the processes slow.py wrote to file, if any: the
// tests' safety net for a child nobody killed.
func killPids(t *testing.T, file string) {
	t.Cleanup(func() {
		b, _ := os.ReadFile(file)
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && !notRunning(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Errorf("process %d of slow.py was still running "+
					"when the test ended; the test killed it", pid)
			}
		}
	})
}

// expectDead checks that slow.py and its child are dead, and that
// slow.py was waited for (no zombie).
func expectDead(t *testing.T, file string) {
	t.Helper()
	script, child, ok := pids(t, file)
	if !assert.True(t, ok, "slow.py did not write its pids to %s", file) {
		return
	}
	assert.True(t, eventually(2*time.Second, func() bool { return gone(script) }),
		"slow.py (pid %d) still exists: killed but never waited for, "+
			"it is a zombie (or it was not killed at all)", script)
	assert.True(t, eventually(2*time.Second, func() bool { return notRunning(child) }),
		"slow.py's child (pid %d) still runs: kill the script's whole "+
			"process group, not just the script", child)
}

func TestTimeLimit(t *testing.T) {
	needPython(t)
	pidfile := filepath.Join(t.TempDir(), "pids")
	killPids(t, pidfile)
	// The limit leaves slow.py the time to start and write its pids,
	// even on a busy machine.
	const limit = 3 * time.Second
	s := start(t, func(c *httpd.CGI) {
		c.Timeout = limit
		c.Env = []string{"PIDFILE=" + pidfile}
	})
	began := time.Now()
	r := s.do(t, get("/cgi-bin/slow.py"))
	if !wire.ExpectStatus(t, r, 504) {
		return
	}
	assert.GreaterOrEqual(t, time.Since(began), limit-100*time.Millisecond,
		"the 504 came before the time limit of %v", limit)
	expectDead(t, pidfile)
	t.Run("the server goes on", func(t *testing.T) {
		wire.ExpectStatus(t, s.do(t, get("/cgi-bin/hello.py")), 200)
	})
}

func TestClose(t *testing.T) {
	needPython(t)
	pidfile := filepath.Join(t.TempDir(), "pids")
	killPids(t, pidfile)
	s := start(t, func(c *httpd.CGI) {
		c.Timeout = time.Minute
		c.Env = []string{"PIDFILE=" + pidfile}
	})
	conn, err := net.DialTimeout("tcp", s.addr, wire.Timeout)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(wire.Timeout))
	_, err = io.WriteString(conn, get("/cgi-bin/slow.py"))
	require.NoError(t, err)
	answer := make(chan string, 1)
	go func() { // the answer comes only once the script has ended
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answer <- "" // the connection was closed: fine too
			return
		}
		resp.Body.Close()
		answer <- resp.Status
	}()
	// Wait until slow.py runs, unless the server answers first.
	for {
		if _, _, ok := pids(t, pidfile); ok {
			break
		}
		select {
		case got := <-answer:
			t.Fatalf("the server answered before slow.py ran: %q", got)
		case <-time.After(20 * time.Millisecond):
		}
	}
	closed := make(chan struct{})
	go func() { s.cgi.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("CGI.Close did not return within 5s")
	}
	select {
	case got := <-answer:
		if got != "" {
			assert.Regexp(t, `^5\d\d `, got,
				"the status of a script that Close killed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request of slow.py did not end within 5s of Close")
	}
	expectDead(t, pidfile)
	t.Run("after Close: 503", func(t *testing.T) {
		wire.ExpectStatus(t, s.do(t, get("/cgi-bin/hello.py")), 503)
	})
}
