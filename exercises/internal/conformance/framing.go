package conformance

import (
	"strings"
	"testing"

	"socket2gateway/exercises/internal/wire"
)

// The Framing cases: what RFC 9112 asks of a server that reads requests.
// A good request gets a 2xx answer. A bad one gets its error status,
// then the connection closes, and the request pipelined behind it is
// never answered: a server that reads a request's end differently from
// the client (or from a proxy in front of it) would otherwise answer
// bytes an attacker smuggled in the body (request smuggling).

// pipelined follows every bad request. A server must never answer it.
const pipelined = "GET /pipelined HTTP/1.1\r\nHost: x\r\n\r\n"

func init() {
	register(
		accepts("GET in origin-form (§3.2.1)",
			"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		accepts("a query and percent-encoding in the target",
			"GET /a%20b?x=1&y HTTP/1.1\r\nHost: x\r\n\r\n"),
		accepts("HTTP/1.0 without Host",
			"GET / HTTP/1.0\r\n\r\n"),
		accepts("absolute-form target (§3.2.2)",
			"GET http://x/p?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
		accepts("an empty line before the request line (§2.2)",
			"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		accepts("field names in any case, spaces around values (§5)",
			"GET / HTTP/1.1\r\nhOsT:  x \r\nX-A:\tb\t\r\nX-Empty:\r\n\r\n"),
		accepts("a body by Content-Length (§6.3)",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
		accepts("Content-Length 0",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
		accepts("a chunked body with extensions and trailers (§7.1)",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"+
				"5;a=1\r\nhello\r\n6;b;c=\"d\"\r\n world\r\n0\r\nX-T: 1\r\n\r\n"),
		accepts("chunk sizes in upper case, with leading zeros",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"+
				"00A\r\n0123456789\r\n000\r\n\r\n"),

		// The request line (§3).
		refuses("a request line without a version",
			"GET /\r\n\r\n", 400),
		refuses("two spaces in the request line",
			"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
		refuses("a space in the target",
			"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
		refuses("a control byte in the target",
			"GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
		refuses("a version in lower case",
			"GET / http/1.1\r\nHost: x\r\n\r\n", 400),
		refuses("a version that is not HTTP/D.D",
			"GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400),
		refuses("a bare CR in the request line",
			"GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", 400),
		refuses("a request target too long",
			"GET /"+strings.Repeat("a", 10000)+" HTTP/1.1\r\nHost: x\r\n\r\n",
			414),
		refuses("HTTP/2.0 on an HTTP/1 connection",
			"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
		refuses("an unknown method",
			"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501),

		// Fields (§5) and Host (§3.2).
		refuses("HTTP/1.1 without Host",
			"GET / HTTP/1.1\r\n\r\n", 400),
		refuses("two Host fields",
			"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
		refuses("a Host with a space in it",
			"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
		refuses("whitespace before the colon",
			"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
		refuses("whitespace before the colon of Content-Length",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello",
			400),
		refuses("a field line without a colon",
			"GET / HTTP/1.1\r\nHost: x\r\nX-No-Colon\r\n\r\n", 400),
		refuses("a space in a field name",
			"GET / HTTP/1.1\r\nHost: x\r\nX Y: z\r\n\r\n", 400),
		refuses("a bare CR in a field value",
			"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400),
		refuses("a NUL in a field value",
			"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400),
		refuses("a header section too large",
			"GET / HTTP/1.1\r\nHost: x\r\n"+
				strings.Repeat("X-Big: "+strings.Repeat("b", 1000)+"\r\n", 80)+
				"\r\n", 431),

		// The body's length (§6).
		refuses("Content-Length with Transfer-Encoding",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n"+
				"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+
				"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 400),
		refuses("two different Content-Lengths",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"+
				"Content-Length: 0\r\n\r\nhello", 400),
		refuses("a Content-Length list that disagrees",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 0\r\n\r\nhello",
			400),
		refuses("a Content-Length with a plus sign",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
			400),
		refuses("a negative Content-Length",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
		refuses("a Content-Length in hex",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello",
			400),
		refuses("an empty Content-Length",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400),
		refuses("a Content-Length past 2^63",
			"POST / HTTP/1.1\r\nHost: x\r\n"+
				"Content-Length: 18446744073709551621\r\n\r\nhello", 400),
		refuses("a transfer coding other than chunked",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
			501, 400),
		refuses("chunked that is not the last coding",
			"POST / HTTP/1.1\r\nHost: x\r\n"+
				"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400, 501),
		refuses("chunked twice",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"+
				"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, 501),
		refuses("a look-alike of chunked",
			"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n"+
				"\r\n0\r\n\r\n", 501, 400),
		refuses("Transfer-Encoding in HTTP/1.0",
			"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			400),

		// Chunks (§7.1).
		refuses("a chunk size that is not hex",
			chunked("zz\r\nhello\r\n0\r\n\r\n"), 400),
		refuses("a chunk size with a minus sign",
			chunked("-5\r\nhello\r\n0\r\n\r\n"), 400),
		refuses("a chunk size with a plus sign",
			chunked("+5\r\nhello\r\n0\r\n\r\n"), 400),
		refuses("a chunk size with 0x",
			chunked("0x5\r\nhello\r\n0\r\n\r\n"), 400),
		refuses("a chunk size past 2^63",
			chunked("10000000000000005\r\nhello\r\n0\r\n\r\n"), 400),
		refuses("an empty chunk size",
			chunked(";a=b\r\nhello\r\n0\r\n\r\n"), 400),
		refuses("chunk data longer than its size",
			chunked("3\r\nhello\r\n0\r\n\r\n"), 400),
		refuses("chunk data without CRLF after it",
			chunked("5\r\nhelloXX0\r\n\r\n"), 400),
		refuses("a bare LF ending a chunk size line (errata 7633)",
			chunked("5\nhello\r\n0\r\n\r\n"), 400),
		refuses("a bare LF after chunk data",
			chunked("5\r\nhello\n0\r\n\r\n"), 400),
	)
}

// chunked returns a POST whose chunked body is body.
func chunked(body string) string {
	return "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
		body
}

// accepts is a case: the server answers raw with a 2xx status.
func accepts(name, raw string) Case {
	return Case{
		Name:    "accepts " + name,
		Feature: Framing,
		Run: func(t *testing.T, addr string) {
			c := wire.Dial(t, addr)
			c.Send(raw)
			wire.ExpectSuccess(t, c.ReadResponse())
		},
	}
}

// refuses is a case: the server answers raw with one of the codes and
// closes the connection, never answering the request pipelined behind.
func refuses(name, raw string, code int, codes ...int) Case {
	return Case{
		Name:    "refuses " + name,
		Feature: Framing,
		Run: func(t *testing.T, addr string) {
			c := wire.Dial(t, addr)
			c.Send(raw + pipelined)
			if wire.ExpectStatus(t, c.ReadResponse(), code, codes...) {
				wire.ExpectClosed(t, c)
			}
		},
	}
}
