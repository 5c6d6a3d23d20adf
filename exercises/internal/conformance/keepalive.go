package conformance

import (
	"strings"
	"testing"

	"socket2gateway/exercises/internal/wire"
)

// The KeepAlive cases: persistent connections (RFC 9112 §9), with the
// conformance handler of responses.go. The server's idle timeout must
// be well under wire.Timeout (a second or less), since one case waits
// for it.

func init() {
	register(
		Case{
			Feature: KeepAlive,
			Name:    "two requests on one connection (RFC 9112 §9.3)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				expectOpen(t, r)
				c.Send("POST /echo HTTP/1.1\r\nHost: x\r\n" +
					"Content-Length: 3\r\n\r\ntwo")
				r = c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				wire.ExpectBody(t, r, "two")
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "pipelined requests answered in order (§9.3.2)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("POST /echo HTTP/1.1\r\nHost: x\r\n" +
					"Content-Length: 3\r\n\r\none" +
					"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n" +
					"HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n" +
					"POST /echo HTTP/1.1\r\nHost: x\r\n" +
					"Transfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n" +
					"GET /notmod HTTP/1.1\r\nHost: x\r\n" +
					"Connection: close\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectBody(t, r, "one")
				wire.ExpectStatus(t, c.ReadResponse(), 204)
				wire.ExpectStatus(t, c.ReadHeadResponse(), 200)
				r = c.ReadResponse()
				wire.ExpectBody(t, r, "two")
				wire.ExpectStatus(t, c.ReadResponse(), 304)
				wire.ExpectClosed(t, c)
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "Connection: close, answered and then closed (§9.6)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.1\r\nHost: x\r\n" +
					"Connection: close\r\n\r\n" +
					"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				wire.ExpectHeader(t, r, "Connection", "close")
				wire.ExpectClosed(t, c)
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "HTTP/1.0 closes by default (§9.3)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.0\r\n\r\n")
				wire.ExpectStatus(t, c.ReadResponse(), 200)
				wire.ExpectClosed(t, c)
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "HTTP/1.0 with Connection: keep-alive stays open",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				if !hasToken(r.Header.Values("Connection"), "keep-alive") {
					t.Errorf("no Connection: keep-alive: an HTTP/1.0 "+
						"client closes without it\n%s", c.Transcript(nil))
				}
				c.Send("GET / HTTP/1.0\r\n\r\n")
				wire.ExpectStatus(t, c.ReadResponse(), 200)
				wire.ExpectClosed(t, c)
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "100 Continue, then the body (RFC 9110 §10.1.1)",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("POST /echo HTTP/1.1\r\nHost: x\r\n" +
					"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")
				wire.ExpectStatus(t, c.ReadResponse(), 100)
				c.Send("hello")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				wire.ExpectBody(t, r, "hello")
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "an unread body skipped, or the connection closed",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET /empty HTTP/1.1\r\nHost: x\r\n" +
					"Content-Length: 5\r\n\r\nhello" +
					"GET /notmod HTTP/1.1\r\nHost: x\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 204)
				if hasToken(r.Header.Values("Connection"), "close") {
					wire.ExpectClosed(t, c)
					return
				}
				wire.ExpectStatus(t, c.ReadResponse(), 304)
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "a bad request after a good one: its status, then close",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n" +
					"GET / HTTP/1.1\r\nHost : x\r\n\r\n" + pipelined)
				wire.ExpectStatus(t, c.ReadResponse(), 200)
				if wire.ExpectStatus(t, c.ReadResponse(), 400) {
					wire.ExpectClosed(t, c)
				}
			},
		},
		Case{
			Feature: KeepAlive,
			Name:    "an idle connection closed after a while",
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 200)
				expectOpen(t, r)
				wire.ExpectClosed(t, c)
			},
		},
	)
}

// expectOpen checks that a response does not announce a close.
func expectOpen(t *testing.T, r *wire.Response) {
	t.Helper()
	if hasToken(r.Header.Values("Connection"), "close") {
		t.Errorf("Connection: close, want the connection kept open "+
			"for the next request\n%s", r.Conn().Transcript(nil))
	}
}

// hasToken reports whether a comma-separated field lists token.
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
