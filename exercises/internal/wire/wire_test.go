package wire

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeT records what a helper reports instead of failing the test.
type fakeT struct {
	testing.TB
	mu  sync.Mutex
	out strings.Builder
}

func (f *fakeT) Helper() {}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Fprintf(&f.out, format+"\n", args...)
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.Errorf("(fatal)")
	runtime.Goexit()
}

// capture runs fn as a test would and returns what it reported, with
// the server's address replaced by ADDR.
func capture(t *testing.T, addr string, fn func(t testing.TB)) string {
	f := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return strings.ReplaceAll(f.out.String(), addr, "ADDR")
}

// server answers each connection: it reads the client's request,
// writes answer and closes, unless keepOpen.
func server(t *testing.T, answer string, keepOpen bool) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				// Read up to the end of the header, then what
				// came with it, so that closing sends no reset.
				var got []byte
				buf := make([]byte, 1<<16)
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				for !strings.Contains(string(got), "\r\n\r\n") {
					n, err := c.Read(buf)
					got = append(got, buf[:n]...)
					if err != nil {
						break
					}
				}
				c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
				c.Read(buf)
				io.WriteString(c, answer)
				if keepOpen {
					time.Sleep(2 * Timeout)
				}
				c.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

func setLesson(t *testing.T, n int) {
	old := Lesson
	Lesson = n
	t.Cleanup(func() { Lesson = old })
}

func setTimeout(t *testing.T, d time.Duration) {
	old := Timeout
	Timeout = d
	t.Cleanup(func() { Timeout = old })
}

func golden(t *testing.T, got, want string) {
	t.Helper()
	want = strings.TrimPrefix(want, "\n")
	if got != want {
		t.Errorf("output differs\n--- got:\n%s\n--- want:\n%s", got, want)
	}
	for _, l := range strings.Split(got, "\n") {
		if n := len([]rune(l)); n > 96 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
}

func TestExpectStatusShowsTheWire(t *testing.T) {
	setLesson(t, 3)
	addr := server(t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false)
	out := capture(t, addr, func(t testing.TB) {
		c := Dial(t, addr)
		c.Send("GET / HTTP/1.1\r\nHost : x\r\n\r\n")
		r := c.ReadResponse()
		if ExpectStatus(t, r, 400) {
			t.Errorf("ExpectStatus returned true")
		}
	})
	golden(t, out, `
wire: status 200, want 400
sent to ADDR (28 bytes):
  | GET / HTTP/1.1\r\n
  | Host : x\r\n
  | \r\n
received (40 bytes):
  | HTTP/1.1 200 OK\r\n
  |          ^ want 400
  | Content-Length: 2\r\n
  | \r\n
  | ok
replay it: `+"`tutor run 3 --addr 127.0.0.1:8080`"+`, then in another shell:
  printf 'GET / HTTP/1.1\r\nHost : x\r\n\r\n' | nc 127.0.0.1 8080
`)
}

func TestExpectClosedShowsTheExtraAnswer(t *testing.T) {
	setLesson(t, 3)
	two := "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	addr := server(t, two, false)
	out := capture(t, addr, func(t testing.TB) {
		c := Dial(t, addr)
		c.Send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" +
			"GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
		ExpectStatus(t, c.ReadResponse(), 400)
		ExpectClosed(t, c)
	})
	golden(t, out, `
wire: the server sent 38 more bytes, want it to close the connection
sent to ADDR (67 bytes):
  | GET / HTTP/1.1\r\n
  | Host: a\r\n
  | Host: b\r\n
  | \r\n
  | GET /next HTTP/1.1\r\n
  | Host: x\r\n
  | \r\n
received (85 bytes), then the server closed the connection:
  | HTTP/1.1 400 Bad Request\r\n
  | Content-Length: 0\r\n
  | \r\n
  | HTTP/1.1 200 OK\r\n
  | ^ nothing was expected from here on
  | Content-Length: 0\r\n
  | \r\n
replay it: `+"`tutor run 3 --addr 127.0.0.1:8080`"+`, then in another shell:
  printf '%b' 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' \
    'GET /next HTTP/1.1\r\nHost: x\r\n\r\n' | nc 127.0.0.1 8080
`)
}

func TestExpectClosedOnAnOpenConnection(t *testing.T) {
	setTimeout(t, 300*time.Millisecond)
	addr := server(t, "", true)
	out := capture(t, addr, func(t testing.TB) {
		c := Dial(t, addr)
		c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		ExpectClosed(t, c)
	})
	golden(t, out, `
wire: the server kept the connection open for 300ms, want it closed
sent to ADDR (27 bytes):
  | GET / HTTP/1.1\r\n
  | Host: x\r\n
  | \r\n
received nothing
replay it against your server on 127.0.0.1:8080:
  printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' | nc 127.0.0.1 8080
  curl -i http://127.0.0.1:8080/ -H 'Host: x'
`)
}

func TestReadResponseWhenTheServerCloses(t *testing.T) {
	setLesson(t, 3)
	addr := server(t, "", false)
	out := capture(t, addr, func(t testing.TB) {
		c := Dial(t, addr)
		c.Send("POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na=1")
		c.ReadResponse()
		t.Errorf("not reached")
	})
	golden(t, out, `
wire: the server closed the connection before the status line
sent to ADDR (54 bytes):
  | POST /form HTTP/1.1\r\n
  | Host: x\r\n
  | Content-Length: 3\r\n
  | \r\n
  | a=1
received nothing, then the server closed the connection
replay it: `+"`tutor run 3 --addr 127.0.0.1:8080`"+`, then in another shell:
  printf '%b' 'POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n' \
    'a=1' | nc 127.0.0.1 8080
  curl -i http://127.0.0.1:8080/form -H 'Host: x' --data-binary a=1
(fatal)
`)
}

func TestReadResponseWhenTheServerHangs(t *testing.T) {
	setTimeout(t, 200*time.Millisecond)
	addr := server(t, "HTTP/1.1 200 OK\r\nContent-Le", true)
	out := capture(t, addr, func(t testing.TB) {
		c := Dial(t, addr)
		c.Send("GET / HTTP/1.0\r\n\r\n")
		c.ReadResponse()
	})
	golden(t, out, `
wire: no complete answer in 200ms: the server hangs in the header section
sent to ADDR (18 bytes):
  | GET / HTTP/1.0\r\n
  | \r\n
received (27 bytes):
  | HTTP/1.1 200 OK\r\n
  | Content-Le
replay it against your server on 127.0.0.1:8080:
  printf 'GET / HTTP/1.0\r\n\r\n' | nc 127.0.0.1 8080
(fatal)
`)
}

func TestReadResponseBodies(t *testing.T) {
	answers := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" + // HEAD
		"HTTP/1.1 204 No Content\r\n\r\n" +
		"HTTP/1.0 200 OK\r\n\r\nuntil close"
	addr := server(t, answers, false)
	c := Dial(t, addr)
	c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	for i, want := range []struct {
		head   bool
		status int
		body   string
	}{
		{false, 200, "hello"},
		{false, 200, "abcde"},
		{true, 200, ""},
		{false, 204, ""},
		{false, 200, "until close"},
	} {
		var r *Response
		if want.head {
			r = c.ReadHeadResponse()
		} else {
			r = c.ReadResponse()
		}
		if r.Status != want.status || string(r.Body) != want.body {
			t.Errorf("response %d: %d %q, want %d %q", i, r.Status,
				r.Body, want.status, want.body)
		}
	}
	ExpectClosed(t, c)
}

func TestExpectBytes(t *testing.T) {
	out := capture(t, "-", func(t testing.TB) {
		ExpectBytes(t, "HTTP/1.1 400 Bad Request\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n")
		ExpectBytes(t, "a\r\nb\r\n", "a\r\nb\r\nc")
		ExpectBytes(t, "a\r\nb\r\n", "a\r\n")
		ExpectPrefix(t, "HTTP/1.1 4", "")
		ExpectPrefix(t, "HTTP/1.1 4", "HTTP/1.1 431 x")
		ExpectBytes(t, "same", "same")
	})
	golden(t, out, `
wire: the bytes differ from what was expected
want (28 bytes):
  | HTTP/1.1 400 Bad Request\r\n
  | \r\n
got (19 bytes):
  | HTTP/1.1 200 OK\r\n
  |          ^ first difference, byte 9
  | \r\n

wire: the bytes differ from what was expected
want (6 bytes):
  | a\r\n
  | b\r\n
got (7 bytes):
  | a\r\n
  | b\r\n
  | c
  | ^ byte 6: want nothing more

wire: the bytes differ from what was expected
want (6 bytes):
  | a\r\n
  | b\r\n
got (3 bytes):
  | a\r\n
  | 
  | ^ ends here, byte 3: want more

wire: the bytes do not start as expected
want (10 bytes):
  | HTTP/1.1 4
got nothing

`)
}

func TestLongLinesAreCut(t *testing.T) {
	long := "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\n"
	got := Block(long, len(long)-5, "here")
	golden(t, got, `
  | …(8969 bytes)aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n
  |                                                        ^ here
`)
	got = Block(long, -1, "")
	golden(t, got, `
  | GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…(8960 more bytes)
`)
}

func TestManyLinesAreCut(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "X-%d: v\r\n", i)
	}
	s := b.String()
	at := strings.Index(s, "X-30")
	got := Block(s, at, "")
	want := ""
	for i := range maxLines {
		want += fmt.Sprintf("  | X-%d: v\\r\\n\n", i)
	}
	want += "  | … 13 more lines\n" +
		"  | X-29: v\\r\\n\n  | X-30: v\\r\\n\n  | ^\n  | X-31: v\\r\\n\n" +
		"  | … 8 more lines\n"
	golden(t, got, want)
}

// TestPrintfCommand runs each command in /bin/sh and checks it prints
// exactly the bytes.
func TestPrintfCommand(t *testing.T) {
	tests := []struct{ raw, cmd string }{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
			`printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'`},
		{"GET /%41 HTTP/1.1\r\nX: it's\t\\\x00\x7f\xff\r\n\r\n",
			`printf 'GET /%%41 HTTP/1.1\r\nX: it'\''s\t\\\000\177\377\r\n\r\n'`},
		{"GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\n" +
			"X: " + strings.Repeat(" ", 40) + "\r\n\r\n",
			`printf '%b' 'GET /' "$(printf '%100s' '' | tr ' ' a)" ' HTTP/1.1\r\nX:' \` +
				"\n" + `    "$(printf '%41s' '')" '\r\n\r\n'`},
		{strings.Repeat("'", 10), `printf '` + strings.Repeat(`'\''`, 10) + `'`},
		{"a\x00\r\n" + strings.Repeat("bc", 35) + "\r\n", "printf '%b' \\\n" +
			`    'a\0000\r\nbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbc' \` +
			"\n" + `    'bcbcbcbcbc\r\n'`},
	}
	for _, tt := range tests {
		if got := PrintfCommand(tt.raw); got != tt.cmd {
			t.Errorf("PrintfCommand(%q)\n got %s\nwant %s", tt.raw, got, tt.cmd)
		}
		out, err := exec.Command("/bin/sh", "-c", tt.cmd).Output()
		if err != nil {
			t.Errorf("sh -c %s: %v", tt.cmd, err)
		} else if string(out) != tt.raw {
			t.Errorf("sh -c %s\nprints %q\n want %q", tt.cmd, out, tt.raw)
		}
	}
}

func TestCurlCommand(t *testing.T) {
	const a = "127.0.0.1:8080"
	tests := []struct{ raw, cmd string }{
		{"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
			"curl -i http://127.0.0.1:8080/"},
		{"HEAD /a?b=c&d HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
			`curl -I 'http://127.0.0.1:8080/a?b=c&d' -H 'Host: x' -H 'Accept: */*'`},
		{"PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhi yo",
			`curl -i -X PUT http://127.0.0.1:8080/x -H 'Host: x' --data-binary 'hi yo'`},
		{"GET /../etc HTTP/1.1\r\n\r\n",
			`curl -i --path-as-is http://127.0.0.1:8080/../etc -H 'Host:'`},
		// What curl cannot send: no curl line.
		{"GET / HTTP/1.1\r\nHost : x\r\n\r\n", ""},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ""},
		{"GET / HTTP/1.0\r\n\r\n", ""},
		{"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		{"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ""},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nshort", ""},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		{"GET / HTTP/1.1\r\nHost: x\r\n", ""},
	}
	for _, tt := range tests {
		if got := CurlCommand(tt.raw, a); got != tt.cmd {
			t.Errorf("CurlCommand(%q)\n got %s\nwant %s", tt.raw, got, tt.cmd)
		}
	}
}

func TestExchange(t *testing.T) {
	addr := server(t, "HTTP/1.1 400 Bad Request\r\n\r\n", false)
	got := Exchange(t, addr, "GET / HTTP/1.1\r\n\r\n")
	ExpectPrefix(t, "HTTP/1.1 400 ", got)
	out := capture(t, addr, func(t testing.TB) {
		got := Exchange(t, addr, "GET / HTTP/1.1\r\n\r\n")
		ExpectPrefix(t, "HTTP/1.1 200 ", got)
	})
	golden(t, out, `
wire: the bytes do not start as expected
want (13 bytes):
  | HTTP/1.1 200 
got (13 bytes):
  | HTTP/1.1 400 
  |          ^ first difference, byte 9

sent to ADDR (18 bytes):
  | GET / HTTP/1.1\r\n
  | \r\n
received (28 bytes), then the server closed the connection:
  | HTTP/1.1 400 Bad Request\r\n
  | \r\n
replay it against your server on 127.0.0.1:8080:
  printf 'GET / HTTP/1.1\r\n\r\n' | nc 127.0.0.1 8080
  curl -i http://127.0.0.1:8080/ -H 'Host:'
`)
}
