package conformance

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"socket2gateway/exercises/internal/wire"
)

// The Responses cases: what a client needs of a response to read it
// (RFC 9112 §4 to §7, RFC 9110 §6.4 and §15).
//
// They, and the KeepAlive cases, need the server to run a handler that
// keeps this contract, the conformance handler:
//
//	POST /echo    200, the request body back
//	GET  /big     200, BigBody: more than any response buffers, so
//	              its length is not known when the header leaves
//	GET  /empty   204 No Content
//	GET  /notmod  304 Not Modified
//	HEAD          as GET, without the body
//	anything else 200 and a short body, after reading the whole
//	              request body; a body that cannot be read is
//	              answered with its error status (what Framing needs)
//
// Each lesson's demo.go gives one (Conformance), and a later server
// keeps the contract by routing these paths the same way.

// BigBody is the body of GET /big: 128 KiB of "0123456789abcdef".
var BigBody = strings.Repeat("0123456789abcdef", 128<<10/16)

func init() {
	register(
		Case{
			Feature: Responses,
			Name:    "a status line HTTP/1.1 code reason (RFC 9112 §4)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectPrefix(t, "HTTP/1.1 200 OK\r\n", string(r.Raw))
			},
		},
		Case{
			Feature: Responses,
			Name:    "HTTP/1.1 in the status line to an HTTP/1.0 client",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.0\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectPrefix(t, "HTTP/1.1 200 OK\r\n", string(r.Raw))
			},
		},
		Case{
			Feature: Responses,
			Name:    "a Date field of now, and a Server field (RFC 9110 §6.6)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				r := c.ReadResponse()
				date := r.Header.Get("Date")
				d, err := time.Parse(dateFormat, date)
				if err != nil || time.Since(d).Abs() > 5*time.Minute {
					t.Errorf("Date: %q, want the time now, as %q\n%s",
						date, dateFormat, c.Transcript(nil))
				}
				if r.Header.Get("Server") == "" {
					t.Errorf("no Server field\n%s", c.Transcript(nil))
				}
			},
		},
		Case{
			Feature: Responses,
			Name:    "a Content-Length that matches the body (§6.2)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("POST /echo HTTP/1.1\r\nHost: x\r\n" +
					"Content-Length: 11\r\nConnection: close\r\n\r\n" +
					"hello world")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				wire.ExpectHeader(t, r, "Content-Length", "11")
				wire.ExpectBody(t, r, "hello world")
				wire.ExpectClosed(t, c)
			},
		},
		Case{
			Feature: Responses,
			Name:    "the echo of a chunked body",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("POST /echo HTTP/1.1\r\nHost: x\r\n" +
					"Transfer-Encoding: chunked\r\nConnection: close\r\n" +
					"\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				wire.ExpectBody(t, r, "hello world")
				wire.ExpectClosed(t, c)
			},
		},
		Case{
			Feature: Responses,
			Name:    "a long body framed by chunks or a length (§6.3)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET /big HTTP/1.1\r\nHost: x\r\n" +
					"Connection: close\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				te := r.Header.Get("Transfer-Encoding")
				if te != "" && te != "chunked" {
					t.Errorf("Transfer-Encoding: %q, want chunked", te)
				}
				if te != "" && r.Header.Get("Content-Length") != "" {
					t.Errorf("both Content-Length and Transfer-Encoding" +
						" (RFC 9112 §6.2 forbids it)")
				}
				expectBig(t, r)
				wire.ExpectClosed(t, c)
			},
		},
		Case{
			Feature: Responses,
			Name:    "no chunks for an HTTP/1.0 client (§7)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET /big HTTP/1.0\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				if te := r.Header.Get("Transfer-Encoding"); te != "" {
					t.Errorf("Transfer-Encoding: %q to an HTTP/1.0 "+
						"client, which knows no chunks\n%s", te,
						c.Transcript(nil))
				}
				expectBig(t, r)
			},
		},
		Case{
			Feature: Responses,
			Name:    "HEAD: the header of GET, and no body (RFC 9110 §9.3.2)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("HEAD /big HTTP/1.1\r\nHost: x\r\n" +
					"Connection: close\r\n\r\n")
				r := c.ReadHeadResponse()
				wire.ExpectStatus(t, r, 200)
				cl := r.Header.Get("Content-Length")
				if cl != "" && cl != strconv.Itoa(len(BigBody)) {
					t.Errorf("Content-Length: %s, want the length "+
						"of the GET body, %d\n%s", cl, len(BigBody),
						c.Transcript(nil))
				}
				wire.ExpectClosed(t, c)
			},
		},
		noBody("204 No Content", "/empty", 204),
		noBody("304 Not Modified", "/notmod", 304),
	)
}

// dateFormat is IMF-fixdate, the form of the Date field (RFC 9110
// §5.6.7).
const dateFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// noBody is a case: GET path answers code, with nothing after the
// header section and no Content-Length for a 204 (RFC 9110 §8.6).
func noBody(name, path string, code int) Case {
	return Case{
		Name:    name + " ends at its header section (§6.3)",
		Feature: Responses,
		Run: func(t *testing.T, addr string) {
			c := wire.Dial(t, addr)
			c.Send("GET " + path + " HTTP/1.1\r\nHost: x\r\n" +
				"Connection: close\r\n\r\n")
			r := c.ReadResponse()
			wire.ExpectStatus(t, r, code)
			if r.Header.Get("Transfer-Encoding") != "" ||
				code == 204 && r.Header.Get("Content-Length") != "" {
				t.Errorf("a %d response with a framing field\n%s",
					code, c.Transcript(nil))
			}
			wire.ExpectClosed(t, c)
		},
	}
}

// expectBig checks that the response's body is BigBody.
func expectBig(t *testing.T, r *wire.Response) {
	t.Helper()
	if string(r.Body) == BigBody {
		return
	}
	t.Errorf("GET /big: the body is %d bytes, want %d bytes of %q "+
		"repeated\n%s", len(r.Body), len(BigBody), BigBody[:16],
		wire.Diff(BigBody, string(r.Body)))
}
