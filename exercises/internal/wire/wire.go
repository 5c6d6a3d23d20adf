// Package wire is the test helper every HTTP server exercise shares: it
// talks to a server over a real TCP connection and, when something is
// wrong, shows what went over the wire.
//
// A failure shows the bytes sent and received line by line, with every
// "\r\n" written out, a caret under the first byte that differs from what
// was expected, and the shell lines that replay the request against your
// own server under `tutor run`:
//
//	wire: status 200, want 400
//	sent to 127.0.0.1:40313 (28 bytes):
//	  | GET / HTTP/1.1\r\n
//	  | Host : x\r\n
//	  | \r\n
//	received (40 bytes), then the server closed the connection:
//	  | HTTP/1.1 200 OK\r\n
//	  |          ^ want 400
//	  ...
//	replay it: `tutor run 3 --addr 127.0.0.1:8080`, then in another shell:
//	  printf 'GET / HTTP/1.1\r\nHost : x\r\n\r\n' | nc 127.0.0.1 8080
//
// Use:
//
//	func TestMain(m *testing.M) { wire.Lesson = 3; os.Exit(m.Run()) }
//
//	c := wire.Dial(t, addr)           // deadline on every read and write
//	c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
//	resp := c.ReadResponse()          // exactly one response
//	wire.ExpectStatus(t, resp, 400)   // or (t, resp, 400, 501): either
//	wire.ExpectClosed(t, c)           // EOF, and nothing more came
//
//	got := wire.Exchange(t, addr, raw) // send, read until close
//	wire.ExpectPrefix(t, "HTTP/1.1 400 ", got)
//
// The rest: ReadHeadResponse (a response to HEAD has no body),
// CloseWrite (the client sends no more: a FIN), ReadAll, ExpectSuccess
// (any 2xx), ExpectHeader, ExpectBody, ExpectBytes, and Transcript,
// Diff and Replay to build messages of your own.
//
// Dial, Send and the Read methods stop the test (t.Fatalf) when the
// connection fails or times out, so call them from the test's goroutine.
// The Expect functions report with t.Errorf and return whether the check
// passed. ExpectBytes and ExpectPrefix show the transcript of the last
// connection the test dialled, so call them right after the exchange.
package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Lesson is the lesson number the replay line names (`tutor run 3`).
// Set it once, before the tests run: in TestMain or an init function.
var Lesson int

// ReplayAddr is the address the replay line asks `tutor run` to use.
const ReplayAddr = "127.0.0.1:8080"

// Timeout bounds every read, write and dial: a server that keeps the
// test waiting this long has hung.
var Timeout = 5 * time.Second

// Conn is a client connection to the server under test. It records
// every byte it sends and receives. It is closed when the test ends.
type Conn struct {
	t    testing.TB
	nc   net.Conn
	br   *bufio.Reader
	addr string
	sent bytes.Buffer // every byte written
	got  bytes.Buffer // every byte read
	// closed is set once a read returned EOF or a reset: how the
	// received bytes ended.
	closed string
	// cut counts the last bytes of sent that Send could not write:
	// the server had closed the connection.
	cut int
	// halfClosed is set by CloseWrite.
	halfClosed bool
}

// recorder copies every byte read from the connection to got.
type recorder struct{ c *Conn }

func (r recorder) Read(p []byte) (int, error) {
	n, err := r.c.nc.Read(p)
	r.c.got.Write(p[:n])
	switch {
	case err == io.EOF:
		r.c.closed = "then the server closed the connection"
	case errors.Is(err, syscall.ECONNRESET):
		r.c.closed = "then the server reset the connection"
	}
	return n, err
}

var (
	lastMu sync.Mutex
	last   = map[testing.TB]*Conn{}
)

// Dial connects to addr ("127.0.0.1:PORT") and closes the connection
// when the test ends.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, Timeout)
	if err != nil {
		t.Fatalf("wire: cannot connect to the server at %s: %v", addr, err)
	}
	c := &Conn{t: t, nc: nc, addr: addr}
	c.br = bufio.NewReader(recorder{c})
	lastMu.Lock()
	if _, ok := last[t]; !ok {
		t.Cleanup(func() {
			lastMu.Lock()
			delete(last, t)
			lastMu.Unlock()
		})
	}
	last[t] = c
	lastMu.Unlock()
	t.Cleanup(func() { nc.Close() })
	return c
}

// Send writes raw, exactly as given, to the server. A server may
// answer and close before it has read everything: Send then stops
// writing, and the next read shows what the server sent.
func (c *Conn) Send(raw string) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(Timeout))
	n, err := io.WriteString(c.nc, raw)
	c.sent.WriteString(raw)
	switch {
	case err == nil:
	case errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET):
		c.cut = len(raw) - n
	default:
		c.t.Fatalf("wire: sending failed: %v\n%s", err, c.Transcript(nil))
	}
}

// Sent returns every byte sent so far; Received every byte received.
func (c *Conn) Sent() string     { return c.sent.String() }
func (c *Conn) Received() string { return c.got.String() }

// CloseWrite tells the server that nothing more will come (a FIN): a
// server reading a request then sees the connection end.
func (c *Conn) CloseWrite() {
	c.t.Helper()
	if tc, ok := c.nc.(*net.TCPConn); ok {
		if err := tc.CloseWrite(); err != nil {
			c.t.Fatalf("wire: CloseWrite: %v", err)
		}
	}
	c.halfClosed = true
}

// Close closes the connection (the test's cleanup does it too).
func (c *Conn) Close() error { return c.nc.Close() }

// Response is one response as read by ReadResponse.
type Response struct {
	Proto  string // "HTTP/1.1"
	Status int    // 200
	Reason string // "OK"
	// Header holds the fields by canonical name ("Content-Length").
	Header textproto.MIMEHeader
	// Body is the body, decoded if it was chunked.
	Body []byte
	// Raw is the response exactly as received.
	Raw []byte

	conn  *Conn
	start int // offset of Raw in conn's received bytes
}

// Conn returns the connection the response came on.
func (r *Response) Conn() *Conn { return r.conn }

// ReadResponse reads exactly one response: status line, header section
// and body (by Content-Length, chunked, or until the server closes).
// A 1xx, 204 or 304 response has no body. It stops the test if the
// server closes, times out or answers something that is not HTTP.
func (c *Conn) ReadResponse() *Response {
	c.t.Helper()
	return c.readResponse(false)
}

// ReadHeadResponse reads the response to a HEAD request: like
// ReadResponse, but there is never a body.
func (c *Conn) ReadHeadResponse() *Response {
	c.t.Helper()
	return c.readResponse(true)
}

func (c *Conn) readResponse(head bool) *Response {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(Timeout))
	start := c.got.Len() - c.br.Buffered()
	r := &Response{conn: c, start: start}
	if err := r.read(c.br, head); err != nil {
		c.t.Fatalf("wire: %v\n%s", err, c.Transcript(nil))
	}
	end := c.got.Len() - c.br.Buffered()
	r.Raw = bytes.Clone(c.got.Bytes()[start:end])
	return r
}

func (r *Response) read(br *bufio.Reader, head bool) error {
	line, err := readLine(br)
	if err != nil {
		return readErr("the status line", err)
	}
	proto, rest, _ := strings.Cut(line, " ")
	code, reason, _ := strings.Cut(rest, " ")
	r.Proto, r.Reason = proto, reason
	r.Status, err = strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/") || len(code) != 3 || err != nil {
		return fmt.Errorf("the answer does not start with a status line "+
			"like \"HTTP/1.1 200 OK\\r\\n\": %q", line)
	}
	r.Header = textproto.MIMEHeader{}
	for {
		line, err := readLine(br)
		if err != nil {
			return readErr("the header section", err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("a header line without a colon: %q", line)
		}
		r.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	switch {
	case head || r.Status/100 == 1 || r.Status == 204 || r.Status == 304:
		return nil
	case strings.EqualFold(r.Header.Get("Transfer-Encoding"), "chunked"):
		return r.readChunked(br)
	case r.Header.Get("Content-Length") != "":
		n, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad Content-Length %q",
				r.Header.Get("Content-Length"))
		}
		r.Body = make([]byte, n)
		if _, err := io.ReadFull(br, r.Body); err != nil {
			return readErr(fmt.Sprintf("the body (Content-Length %d)", n), err)
		}
		return nil
	}
	r.Body, err = io.ReadAll(br)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		return readErr("the body (read until the server closes)", err)
	}
	return nil
}

func (r *Response) readChunked(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return readErr("a chunk size line", err)
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad chunk size line %q", line)
		}
		if n == 0 {
			break
		}
		chunk := make([]byte, n+2)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return readErr("a chunk", err)
		}
		if string(chunk[n:]) != "\r\n" {
			return fmt.Errorf("chunk data not followed by \\r\\n")
		}
		r.Body = append(r.Body, chunk[:n]...)
	}
	for { // trailer section
		line, err := readLine(br)
		if err != nil {
			return readErr("the trailer section", err)
		}
		if line == "" {
			return nil
		}
	}
}

// readLine reads a line ending in "\r\n" (a bare "\n" is an error: the
// server must send CRLF).
func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		if err == io.EOF && line != "" {
			err = io.ErrUnexpectedEOF
		}
		return line, err
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("a line ends in \\n without \\r before it: %q", line)
	}
	return strings.TrimSuffix(line, "\r\n"), nil
}

func readErr(what string, err error) error {
	switch {
	case err == io.EOF:
		return fmt.Errorf("the server closed the connection before %s", what)
	case err == io.ErrUnexpectedEOF:
		return fmt.Errorf("the server closed the connection in the middle of %s", what)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("no complete answer in %v: the server hangs in %s", Timeout, what)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("the server reset the connection before the end of %s", what)
	}
	return fmt.Errorf("reading %s: %v", what, err)
}

// ReadAll reads until the server closes the connection, or until
// Timeout passes, and returns what arrived (what it already read for an
// earlier response included).
func (c *Conn) ReadAll() string {
	c.nc.SetReadDeadline(time.Now().Add(Timeout))
	io.ReadAll(c.br)
	return c.got.String()
}

// Exchange dials addr, sends raw and returns every byte received until
// the server closed the connection or Timeout passed.
func Exchange(t testing.TB, addr, raw string) string {
	t.Helper()
	c := Dial(t, addr)
	c.Send(raw)
	return c.ReadAll()
}

// ExpectClosed checks that the server closed the connection and sent
// nothing more: a request pipelined behind a refused one must never be
// answered.
func ExpectClosed(t testing.TB, c *Conn) bool {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(Timeout))
	before := c.got.Len() - c.br.Buffered()
	_, err := io.ReadAll(c.br)
	extra := c.got.Len() - before
	switch {
	case extra > 0:
		at := before
		t.Errorf("wire: the server sent %d more bytes, want it to close "+
			"the connection\n%s", extra, c.Transcript(&Mark{At: at,
			Note: "nothing was expected from here on"}))
		return false
	case errors.Is(err, os.ErrDeadlineExceeded):
		t.Errorf("wire: the server kept the connection open for %v, want "+
			"it closed\n%s", Timeout, c.Transcript(nil))
		return false
	}
	return true
}

// ExpectStatus checks the response's status code: code, or any of
// codes when more are given ("400 or 501").
func ExpectStatus(t testing.TB, r *Response, code int, codes ...int) bool {
	t.Helper()
	want := strconv.Itoa(code)
	for i, c := range append([]int{code}, codes...) {
		if r.Status == c {
			return true
		}
		if i > 0 {
			want += " or " + strconv.Itoa(c)
		}
	}
	at := r.start + len(r.Proto) + 1
	t.Errorf("wire: status %d, want %s\n%s", r.Status, want,
		r.conn.Transcript(&Mark{At: at, Note: "want " + want}))
	return false
}

// ExpectSuccess checks that the response has a 2xx status.
func ExpectSuccess(t testing.TB, r *Response) bool {
	t.Helper()
	if r.Status/100 == 2 {
		return true
	}
	at := r.start + len(r.Proto) + 1
	t.Errorf("wire: status %d, want 2xx\n%s", r.Status,
		r.conn.Transcript(&Mark{At: at, Note: "want 2xx"}))
	return false
}

// ExpectHeader checks that the response has the field name with value.
func ExpectHeader(t testing.TB, r *Response, name, value string) bool {
	t.Helper()
	got, ok := r.Header[textproto.CanonicalMIMEHeaderKey(name)]
	if ok && len(got) == 1 && got[0] == value {
		return true
	}
	what := "no " + name + " field"
	if ok {
		what = fmt.Sprintf("%s: %q", name, got)
	}
	t.Errorf("wire: %s, want %s: %s\n%s", what, name, value,
		r.conn.Transcript(nil))
	return false
}

// ExpectBody checks the response's (decoded) body.
func ExpectBody(t testing.TB, r *Response, want string) bool {
	t.Helper()
	if string(r.Body) == want {
		return true
	}
	t.Errorf("wire: the body differs from what was expected\n%s\n%s",
		Diff(want, string(r.Body)), r.conn.Transcript(nil))
	return false
}

// ExpectBytes checks that got is exactly want, and shows a caret under
// the first byte that differs.
func ExpectBytes(t testing.TB, want, got string) bool {
	t.Helper()
	if got == want {
		return true
	}
	t.Errorf("wire: the bytes differ from what was expected\n%s%s",
		Diff(want, got), lastTranscript(t))
	return false
}

// ExpectPrefix checks that got starts with want, and shows a caret
// under the first byte that differs.
func ExpectPrefix(t testing.TB, want, got string) bool {
	t.Helper()
	if strings.HasPrefix(got, want) {
		return true
	}
	shown := got
	if len(shown) > len(want) {
		shown = shown[:len(want)]
	}
	t.Errorf("wire: the bytes do not start as expected\n%s%s",
		Diff(want, shown), lastTranscript(t))
	return false
}

func lastTranscript(t testing.TB) string {
	lastMu.Lock()
	c := last[t]
	lastMu.Unlock()
	if c == nil {
		return ""
	}
	return "\n" + c.Transcript(nil)
}
