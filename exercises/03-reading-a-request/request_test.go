// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/03-reading-a-request"
	"socket2gateway/exercises/internal/conformance"
	"socket2gateway/exercises/internal/wire"
)

// summary is the body the server answers a good request with: one
// line per property, as Summary in server.go writes them.
func summary(lines ...string) string {
	return strings.Join(lines, "\n") + "\n"
}

func TestRequestLine(t *testing.T) {
	addr := startServer(t)
	tests := []struct{ name, send, want string }{
		{"GET /",
			"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
			summary("method  GET", "target  /", `path    "/"`,
				`query   ""`, "version HTTP/1.1", `host    "x"`,
				`field   Host: "x"`, "body    none")},
		{"the path is percent-decoded, the query is not",
			"GET /a%20b/%C3%A9?x=1&y=%20 HTTP/1.1\r\nHost: x\r\n\r\n",
			summary("method  GET", "target  /a%20b/%C3%A9?x=1&y=%20",
				`path    "/a b/é"`, `query   "x=1&y=%20"`,
				"version HTTP/1.1", `host    "x"`, `field   Host: "x"`,
				"body    none")},
		{"HTTP/1.0 needs no Host",
			"HEAD /old HTTP/1.0\r\n\r\n", ""},
		{"absolute-form: the host comes from the target",
			"GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
			summary("method  GET", "target  http://example.com/p?q=1",
				`path    "/p"`, `query   "q=1"`, "version HTTP/1.1",
				`host    "example.com"`, `field   Host: "example.com"`,
				"body    none")},
		{"asterisk-form for OPTIONS",
			"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
			summary("method  OPTIONS", "target  *", `path    "*"`,
				`query   ""`, "version HTTP/1.1", `host    "x"`,
				`field   Host: "x"`, "body    none")},
		{"empty lines before the request line are skipped",
			"\r\n\r\nDELETE /item/7 HTTP/1.1\r\nHost: x\r\n\r\n",
			summary("method  DELETE", "target  /item/7", `path    "/item/7"`,
				`query   ""`, "version HTTP/1.1", `host    "x"`,
				`field   Host: "x"`, "body    none")},
		{"a bare LF ends a line too",
			"GET /lf HTTP/1.1\nHost: x\n\n",
			summary("method  GET", "target  /lf", `path    "/lf"`,
				`query   ""`, "version HTTP/1.1", `host    "x"`,
				`field   Host: "x"`, "body    none")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" { // HEAD: the answer has no body
				c := wire.Dial(t, addr)
				c.Send(tt.send)
				wire.ExpectStatus(t, c.ReadHeadResponse(), 200)
				return
			}
			expectSummary(t, addr, tt.send, tt.want)
		})
	}
}

func TestMalformedRequestLine(t *testing.T) {
	addr := startServer(t)
	tests := []struct{ name, send string }{
		{"no version", "GET /\r\n\r\n"},
		{"only a method", "GET\r\n\r\n"},
		{"two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a space at the end", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n"},
		{"no method", " / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a method that is not a token", "GE(T / HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a space in the target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a control byte in the target", "GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"bad percent-encoding", "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a target that is not a path", "GET index.html HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"* for a method other than OPTIONS", "GET * HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"a version in lower case", "GET / http/1.1\r\nHost: x\r\n\r\n"},
		{"a version of two digits", "GET / HTTP/1.10\r\nHost: x\r\n\r\n"},
		{"a version without its minor", "GET / HTTP/1\r\nHost: x\r\n\r\n"},
		{"a bare CR in the line", "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"the connection ends inside the line", "GET / HTT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.send, "\n") {
				// Nothing follows: the client stops sending.
				c := wire.Dial(t, addr)
				c.Send(tt.send)
				c.CloseWrite()
				wire.ExpectStatus(t, c.ReadResponse(), 400)
				return
			}
			expectRefused(t, addr, tt.send, 400)
		})
	}
}

func TestTargetTooLong(t *testing.T) {
	addr := startServer(t)
	// A request line of n bytes, CRLF excluded.
	line := func(n int) string {
		const rest = "GET / HTTP/1.1" // the line without its target's tail
		return "GET /" + strings.Repeat("a", n-len(rest)) + " HTTP/1.1"
	}
	t.Run("8192 bytes is the limit, and allowed", func(t *testing.T) {
		expectStatus(t, addr, line(8192)+"\r\nHost: x\r\n\r\n", 200)
	})
	t.Run("8193 bytes is too long", func(t *testing.T) {
		expectRefused(t, addr, line(8193)+"\r\nHost: x\r\n\r\n", 414)
	})
	t.Run("100000 bytes is too long", func(t *testing.T) {
		expectRefused(t, addr, line(100000)+"\r\nHost: x\r\n\r\n", 414)
	})
}

func TestHeaderTooLarge(t *testing.T) {
	addr := startServer(t)
	fields := func(n, size int) string {
		return strings.Repeat("X-F: "+strings.Repeat("f", size-7)+"\r\n", n)
	}
	tests := []struct {
		name string
		send string
		code int
	}{
		{"60000 bytes of fields are fine",
			"GET / HTTP/1.1\r\nHost: x\r\n" + fields(60, 1000) + "\r\n", 200},
		{"1000 small fields are fine",
			"GET / HTTP/1.1\r\nHost: x\r\n" + fields(1000, 10) + "\r\n", 200},
		{"70000 bytes of fields are too many",
			"GET / HTTP/1.1\r\nHost: x\r\n" + fields(70, 1000) + "\r\n", 431},
		{"one field of 70000 bytes is too large",
			"GET / HTTP/1.1\r\nHost: x\r\n" + fields(1, 70000) + "\r\n", 431},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.code == 200 {
				expectStatus(t, addr, tt.send, 200)
				return
			}
			expectRefused(t, addr, tt.send, tt.code)
		})
	}
}

func TestUnsupportedVersion(t *testing.T) {
	addr := startServer(t)
	for _, v := range []string{"HTTP/2.0", "HTTP/3.0", "HTTP/0.9"} {
		t.Run(v, func(t *testing.T) {
			expectRefused(t, addr, "GET / "+v+"\r\nHost: x\r\n\r\n", 505)
		})
	}
	t.Run("HTTP/1.2 is still HTTP/1", func(t *testing.T) {
		expectStatus(t, addr, "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 200)
	})
}

func TestUnknownMethod(t *testing.T) {
	addr := startServer(t)
	for _, m := range []string{"BREW", "get", "PROPFIND", "X-CUSTOM"} {
		t.Run(m, func(t *testing.T) {
			expectRefused(t, addr, m+" / HTTP/1.1\r\nHost: x\r\n\r\n", 501)
		})
	}
	for _, m := range []string{"PUT", "PATCH", "TRACE"} {
		t.Run(m+" is known", func(t *testing.T) {
			expectStatus(t, addr, m+" / HTTP/1.1\r\nHost: x\r\n\r\n", 200)
		})
	}
}

func TestHeaderFields(t *testing.T) {
	addr := startServer(t)
	head := func(fields string) string {
		return "GET / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n"
	}
	start := []string{"method  GET", "target  /", `path    "/"`,
		`query   ""`, "version HTTP/1.1", `host    "x"`}
	sum := func(fields ...string) string {
		return summary(append(append(start, fields...), "body    none")...)
	}
	tests := []struct{ name, send, want string }{
		{"a repeated field keeps every value, in order",
			head("X-Two: 2\r\nX-Two: 1\r\n"),
			sum(`field   Host: "x"`, `field   X-Two: "2"`,
				`field   X-Two: "1"`)},
		{"names are case-insensitive, stored canonical",
			head("content-TYPE: text/plain\r\nx-lower-case: a\r\n"),
			sum(`field   Content-Type: "text/plain"`, `field   Host: "x"`,
				`field   X-Lower-Case: "a"`)},
		{"spaces and tabs around a value go, inside stay",
			head("X-A: \t a  b \t\r\nX-B:c\r\n"),
			sum(`field   Host: "x"`, `field   X-A: "a  b"`,
				`field   X-B: "c"`)},
		{"an empty value",
			head("X-Empty:\r\n"),
			sum(`field   Host: "x"`, `field   X-Empty: ""`)},
		{"a comma list is one value",
			head("Accept: text/html, */*;q=0.8\r\n"),
			sum(`field   Accept: "text/html, */*;q=0.8"`,
				`field   Host: "x"`)},
		{"bytes above 0x7f pass through",
			head("X-Name: Zoë\r\n"),
			sum(`field   Host: "x"`, `field   X-Name: "Zoë"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectSummary(t, addr, tt.send, tt.want)
		})
	}
}

func TestMalformedFields(t *testing.T) {
	addr := startServer(t)
	head := func(fields string) string {
		return "GET / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n"
	}
	tests := []struct{ name, send string }{
		{"a line without a colon", head("X-No-Colon\r\n")},
		{"an empty name", head(": x\r\n")},
		{"a space in the name", head("X Y: z\r\n")},
		{"whitespace before the colon", head("X-A : b\r\n")},
		{"a tab before the colon", head("X-A\t: b\r\n")},
		{"a folded line (obs-fold)", head("X-A: b\r\n c\r\n")},
		{"a bare CR in a value", head("X-A: a\rb\r\n")},
		{"a NUL in a value", head("X-A: a\x00b\r\n")},
		{"another control byte in a value", head("X-A: a\x1bb\r\n")},
		{"the connection ends inside the header", "GET / HTTP/1.1\r\nHost: x\r\nX-A: b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.HasSuffix(tt.send, "\n") {
				c := wire.Dial(t, addr)
				c.Send(tt.send)
				c.CloseWrite()
				wire.ExpectStatus(t, c.ReadResponse(), 400)
				return
			}
			expectRefused(t, addr, tt.send, 400)
		})
	}
}

func TestHostField(t *testing.T) {
	addr := startServer(t)
	tests := []struct {
		name string
		send string
		code int
	}{
		{"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"two Hosts, names in different case",
			"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400},
		{"Host : x, a space before the colon",
			"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
		{"a space in the host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"a path in the host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400},
		{"a host and a port", "GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", 200},
		{"an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 200},
		{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.code == 200 {
				expectStatus(t, addr, tt.send, 200)
				return
			}
			expectRefused(t, addr, tt.send, tt.code)
		})
	}
}

func TestContentLengthBody(t *testing.T) {
	addr := startServer(t)
	post := func(fields, body string) string {
		return "POST /f HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n" + body
	}
	start := []string{"method  POST", "target  /f", `path    "/f"`,
		`query   ""`, "version HTTP/1.1", `host    "x"`}
	sum := func(lines ...string) string {
		return summary(append(start, lines...)...)
	}
	tests := []struct{ name, send, want string }{
		{"5 bytes",
			post("Content-Length: 5\r\n", "hello"),
			sum(`field   Content-Length: "5"`, `field   Host: "x"`,
				"body    5 bytes, by Content-Length") + "hello"},
		{"Content-Length 0 is no body",
			post("Content-Length: 0\r\n", ""),
			sum(`field   Content-Length: "0"`, `field   Host: "x"`,
				"body    none")},
		{"leading zeros",
			post("Content-Length: 007\r\n", "a=1&b=2"),
			sum(`field   Content-Length: "007"`, `field   Host: "x"`,
				"body    7 bytes, by Content-Length") + "a=1&b=2"},
		{"the same length twice",
			post("Content-Length: 3\r\nContent-Length: 3\r\n", "abc"),
			sum(`field   Content-Length: "3"`, `field   Content-Length: "3"`,
				`field   Host: "x"`, "body    3 bytes, by Content-Length") +
				"abc"},
		{"a body that looks like a request is just bytes",
			post("Content-Length: 33\r\n", "GET /x HTTP/1.1\r\nHost: x\r\n\r\n!!!!!"),
			sum(`field   Content-Length: "33"`, `field   Host: "x"`,
				"body    33 bytes, by Content-Length") +
				"GET /x HTTP/1.1\r\nHost: x\r\n\r\n!!!!!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectSummary(t, addr, tt.send, tt.want)
		})
	}
}

func TestChunkedBody(t *testing.T) {
	addr := startServer(t)
	post := func(te, body string) string {
		return "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
			"\r\n\r\n" + body
	}
	sum := func(te string, n string) string {
		return summary("method  POST", "target  /c", `path    "/c"`,
			`query   ""`, "version HTTP/1.1", `host    "x"`,
			`field   Host: "x"`, `field   Transfer-Encoding: "`+te+`"`,
			"body    "+n+" bytes, chunked")
	}
	tests := []struct{ name, send, want string }{
		{"two chunks",
			post("chunked", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
			sum("chunked", "11") + "hello world"},
		{"no chunk but the last",
			post("chunked", "0\r\n\r\n"),
			sum("chunked", "0")},
		{"chunk extensions are ignored",
			post("chunked", "5;name=val\r\nhello\r\n1 ; a ; b=\"c d\"\r\n!\r\n0;end\r\n\r\n"),
			sum("chunked", "6") + "hello!"},
		{"trailer fields are read and dropped",
			post("chunked", "2\r\nhi\r\n0\r\nX-Checksum: 1234\r\nX-More: a\r\n\r\n"),
			sum("chunked", "2") + "hi"},
		{"hex sizes in either case, leading zeros",
			post("chunked", "00a\r\n0123456789\r\n1B\r\nabcdefghijklmnopqrstuvwxyz!\r\n000\r\n\r\n"),
			sum("chunked", "37") + "0123456789abcdefghijklmnopqrstuvwxyz!"},
		{"the coding's name in any case",
			post("Chunked", "1\r\nx\r\n0\r\n\r\n"),
			sum("Chunked", "1") + "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectSummary(t, addr, tt.send, tt.want)
		})
	}
}

func TestBadChunks(t *testing.T) {
	addr := startServer(t)
	chunked := func(body string) string {
		return "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
	}
	tests := []struct{ name, send string }{
		{"a size that is not hex", chunked("zz\r\nhello\r\n0\r\n\r\n")},
		{"a minus sign", chunked("-5\r\nhello\r\n0\r\n\r\n")},
		{"a plus sign", chunked("+5\r\nhello\r\n0\r\n\r\n")},
		{"0x before the size", chunked("0x5\r\nhello\r\n0\r\n\r\n")},
		{"a space inside the size", chunked("5 5\r\nhello\r\n0\r\n\r\n")},
		{"no size at all", chunked(";a=b\r\nhello\r\n0\r\n\r\n")},
		{"a size past 2^63", chunked("10000000000000005\r\nhello\r\n0\r\n\r\n")},
		{"data longer than its size", chunked("3\r\nhello\r\n0\r\n\r\n")},
		{"data without CRLF after it", chunked("5\r\nhelloXX0\r\n\r\n")},
		{"a bare LF after the size", chunked("5\nhello\r\n0\r\n\r\n")},
		{"a bare LF after the data", chunked("5\r\nhello\n0\r\n\r\n")},
		{"a bare CR in an extension", chunked("5;a=\rb\r\nhello\r\n0\r\n\r\n")},
		{"a trailer line without a colon", chunked("0\r\nX-Bad\r\n\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectRefused(t, addr, tt.send, 400)
		})
	}
}

func TestBodyCutShort(t *testing.T) {
	addr := startServer(t)
	tests := []struct{ name, send string }{
		{"Content-Length 10, 5 bytes sent",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello"},
		{"inside a chunk",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"a\r\nhello"},
		{"before the last chunk",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n"},
		{"inside the trailer",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"0\r\nX-T: 1\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(tt.send)
			c.CloseWrite() // the client sends nothing more
			wire.ExpectStatus(t, c.ReadResponse(), 400)
		})
	}
}

func TestConflictingFraming(t *testing.T) {
	addr := startServer(t)
	post := func(fields, body string) string {
		return "POST / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n" + body
	}
	tests := []struct{ name, send string }{
		{"Content-Length and Transfer-Encoding", post(
			"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n",
			"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"Transfer-Encoding and Content-Length", post(
			"Transfer-Encoding: chunked\r\nContent-Length: 40\r\n",
			"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"two different Content-Lengths", post(
			"Content-Length: 5\r\nContent-Length: 0\r\n", "hello")},
		{"a list that disagrees", post("Content-Length: 5, 0\r\n", "hello")},
		{"a plus sign", post("Content-Length: +5\r\n", "hello")},
		{"a minus sign", post("Content-Length: -1\r\n", "")},
		{"hex", post("Content-Length: 0x5\r\n", "hello")},
		{"a space inside", post("Content-Length: 1 2\r\n", "hello world!")},
		{"empty", post("Content-Length:\r\n", "")},
		{"2^63, one past the largest int64",
			post("Content-Length: 9223372036854775808\r\n", "hello")},
		{"2^64 + 5, which wraps to 5 in 64 bits",
			post("Content-Length: 18446744073709551621\r\n", "hello")},
		{"a space before the colon", post("Content-Length : 5\r\n", "hello")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectRefused(t, addr, tt.send, 400)
		})
	}
}

func TestTransferCodings(t *testing.T) {
	addr := startServer(t)
	post := func(proto, te string) string {
		return "POST / " + proto + "\r\nHost: x\r\nTransfer-Encoding: " + te +
			"\r\n\r\n0\r\n\r\n"
	}
	tests := []struct {
		name  string
		send  string
		codes []int
	}{
		{"gzip alone", post("HTTP/1.1", "gzip"), []int{501}},
		{"gzip then chunked", post("HTTP/1.1", "gzip, chunked"), []int{501}},
		{"chunked then gzip", post("HTTP/1.1", "chunked, gzip"), []int{400, 501}},
		{"chunked twice", post("HTTP/1.1", "chunked, chunked"), []int{400, 501}},
		{"a look-alike: xchunked", post("HTTP/1.1", "xchunked"), []int{501}},
		{"a look-alike: chunked;x=1", post("HTTP/1.1", "chunked;x=1"), []int{400, 501}},
		{"identity", post("HTTP/1.1", "identity"), []int{501}},
		{"Transfer-Encoding in HTTP/1.0", post("HTTP/1.0", "chunked"), []int{400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectRefused(t, addr, tt.send, tt.codes...)
		})
	}
}

// TestPipelinedAfterBody calls ReadRequest itself: two requests sent
// back to back, and Body must stop exactly at the end of the first.
func TestPipelinedAfterBody(t *testing.T) {
	const next = "GET /next?n=2 HTTP/1.1\r\nHost: second\r\n\r\n"
	big := strings.Repeat("0123456789abcdef", 8192) // 128 KiB
	tests := []struct{ name, first, body string }{
		{"no body", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		{"Content-Length",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
			"hello"},
		{"a body larger than the reader's buffer",
			"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 131072\r\n\r\n" + big,
			big},
		{"chunked, with a trailer",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
			"hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.first + next))
			req, err := httpd.ReadRequest(br, httpd.Limits{})
			require.NoError(t, err, "ReadRequest of %q", tt.first)
			require.NotNil(t, req.Body, "Body of %q", tt.first)
			body, err := io.ReadAll(req.Body)
			require.NoError(t, err, "reading the body of %q", tt.first)
			assert.Equal(t, tt.body, string(body), "body of %q", tt.first)

			req, err = httpd.ReadRequest(br, httpd.Limits{})
			require.NoError(t, err,
				"ReadRequest of the second request, after %q", tt.first)
			assert.Equal(t, "GET", req.Method, "method of %q", next)
			assert.Equal(t, "/next", req.Path, "path of %q", next)
			assert.Equal(t, "n=2", req.RawQuery, "query of %q", next)
			assert.Equal(t, "second", req.Host, "host of %q", next)

			_, err = httpd.ReadRequest(br, httpd.Limits{})
			assert.True(t, errors.Is(err, io.EOF),
				"ReadRequest after the last request: got %v, want io.EOF", err)
		})
	}
}

func TestConformance(t *testing.T) {
	conformance.Run(t, startServer, conformance.Framing)
}
