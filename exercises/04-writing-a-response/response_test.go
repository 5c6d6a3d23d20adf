// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpd "socket2gateway/exercises/04-writing-a-response"
	"socket2gateway/exercises/internal/conformance"
	"socket2gateway/exercises/internal/wire"
)

// big is the body of /big: more than a response holds back.
var big = strings.Repeat("0123456789abcdef", 128<<10/16)

// paths is the handler of most tests: each path writes its response a
// different way.
func paths() httpd.Handler {
	return httpd.HandlerFunc(func(w httpd.ResponseWriter, r *httpd.Request) {
		switch r.Path {
		case "/hello":
			io.WriteString(w, "hello")
		case "/created":
			w.WriteHeader(201)
			io.WriteString(w, "made")
		case "/twice":
			w.WriteHeader(202)
			w.WriteHeader(500)
		case "/missing":
			w.WriteHeader(404)
		case "/fields":
			w.Header().Set("X-Lesson", "4")
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2")
			io.WriteString(w, "fields")
		case "/split":
			// A field name with CRLF in it, as a careless handler
			// might copy from a request: it must not split the
			// response.
			w.Header()["X-Evil\r\nSet-Cookie: stolen=1"] = []string{"x"}
			w.Header()["X-Value"] = []string{"a\r\nSet-Cookie: stolen=2"}
			io.WriteString(w, "split")
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "{}")
		case "/pieces":
			io.WriteString(w, "one ")
			io.WriteString(w, "two ")
			io.WriteString(w, "three")
		case "/nothing":
		case "/full":
			w.Write(bytes.Repeat([]byte("x"), 4096))
		case "/declared":
			w.Header().Set("Content-Length", "3")
			io.WriteString(w, "abc")
		case "/big":
			for i := 0; i < len(big); i += 8192 {
				io.WriteString(w, big[i:i+8192])
			}
		case "/flush":
			io.WriteString(w, "a")
			w.Flush()
			io.WriteString(w, "b")
		case "/empty":
			w.WriteHeader(204)
			io.WriteString(w, "not sent")
		case "/notmod":
			w.WriteHeader(304)
			io.WriteString(w, "not sent")
		case "/error":
			httpd.Error(w, 404, "no <such> page")
		case "/error-after-length":
			w.Header().Set("Content-Length", "99")
			httpd.Error(w, 400, "bad")
		case "/panic":
			panic("the handler fails before writing")
		case "/panic-late":
			io.WriteString(w, "partial")
			w.Flush()
			panic("the handler fails after the header left")
		}
	})
}

func TestStatusLine(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, send, want string
	}{
		{"200 OK when the handler only writes", get("/hello"),
			"HTTP/1.1 200 OK\r\n"},
		{"the code given to WriteHeader", get("/created"),
			"HTTP/1.1 201 Created\r\n"},
		{"only the first WriteHeader counts", get("/twice"),
			"HTTP/1.1 202 Accepted\r\n"},
		{"an error code", get("/missing"),
			"HTTP/1.1 404 Not Found\r\n"},
		{"HTTP/1.1 to an HTTP/1.0 client", "GET /hello HTTP/1.0\r\n\r\n",
			"HTTP/1.1 200 OK\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wire.Exchange(t, addr, tt.send)
			wire.ExpectPrefix(t, tt.want, got)
		})
	}
}

func TestHeaderFields(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, path string
		check      func(t *testing.T, r *wire.Response)
	}{
		{"Date is the time now", "/hello", func(t *testing.T, r *wire.Response) {
			d, err := time.Parse(httpd.TimeFormat, r.Header.Get("Date"))
			assert.NoError(t, err, "Date: %q", r.Header.Get("Date"))
			assert.WithinDuration(t, time.Now(), d, time.Minute,
				"Date: %q", r.Header.Get("Date"))
		}},
		{"Server names the server", "/hello", func(t *testing.T, r *wire.Response) {
			assert.NotEmpty(t, r.Header.Get("Server"), "%q", r.Raw)
		}},
		{"Content-Type is text/plain by default", "/hello",
			func(t *testing.T, r *wire.Response) {
				wire.ExpectHeader(t, r, "Content-Type",
					"text/plain; charset=utf-8")
			}},
		{"the handler's Content-Type wins", "/json",
			func(t *testing.T, r *wire.Response) {
				wire.ExpectHeader(t, r, "Content-Type", "application/json")
			}},
		{"the handler's fields are sent", "/fields",
			func(t *testing.T, r *wire.Response) {
				wire.ExpectHeader(t, r, "X-Lesson", "4")
			}},
		{"a field with two values takes two lines", "/fields",
			func(t *testing.T, r *wire.Response) {
				assert.Contains(t, string(r.Raw),
					"\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n")
			}},
		{"CR and LF cannot split the response", "/split",
			func(t *testing.T, r *wire.Response) {
				assert.NotContains(t, string(r.Raw), "\r\nSet-Cookie:",
					"a field name or value with CRLF forged a field: %q", r.Raw)
				wire.ExpectBody(t, r, "split")
			}},
		{"Connection: close, as the server closes", "/hello",
			func(t *testing.T, r *wire.Response) {
				wire.ExpectHeader(t, r, "Connection", "close")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(get(tt.path))
			tt.check(t, c.ReadResponse())
		})
	}
}

func TestContentLength(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, path, body string
	}{
		{"one write", "/hello", "hello"},
		{"several writes add up", "/pieces", "one two three"},
		{"no body at all", "/nothing", ""},
		{"a body that fills the buffer", "/full", strings.Repeat("x", 4096)},
		{"the length the handler declared", "/declared", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(get(tt.path))
			r := c.ReadResponse()
			wire.ExpectStatus(t, r, 200)
			wire.ExpectHeader(t, r, "Content-Length",
				strconv.Itoa(len(tt.body)))
			assert.Empty(t, r.Header.Get("Transfer-Encoding"),
				"GET %s: %q", tt.path, r.Raw)
			wire.ExpectBody(t, r, tt.body)
			wire.ExpectClosed(t, c) // nothing after the body
		})
	}
}

func TestChunkedWhenLengthUnknown(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())

	t.Run("a body larger than the buffer", func(t *testing.T) {
		c := wire.Dial(t, addr)
		c.Send(get("/big"))
		r := c.ReadResponse()
		wire.ExpectHeader(t, r, "Transfer-Encoding", "chunked")
		assert.Empty(t, r.Header.Get("Content-Length"),
			"chunked and a Content-Length: %q", header(string(r.Raw)))
		assert.True(t, string(r.Body) == big,
			"the chunks decode to %d bytes, want the %d written",
			len(r.Body), len(big))
		wire.ExpectClosed(t, c)
	})
	t.Run("a handler that flushes", func(t *testing.T) {
		got := wire.Exchange(t, addr, get("/flush"))
		wire.ExpectPrefix(t, "HTTP/1.1 200 OK\r\n", got)
		assert.Contains(t, header(got), "\r\nTransfer-Encoding: chunked\r\n")
		wire.ExpectBytes(t, "1\r\na\r\n1\r\nb\r\n0\r\n\r\n", after(got))
	})
}

func TestCloseDelimitedForHTTP10(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, path, body string
	}{
		{"a body larger than the buffer", "/big", big},
		{"a handler that flushes", "/flush", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send := "GET " + tt.path + " HTTP/1.0\r\n\r\n"
			got := wire.Exchange(t, addr, send)
			h := header(got)
			wire.ExpectPrefix(t, "HTTP/1.1 200 OK\r\n", got)
			assert.NotContains(t, h, "Transfer-Encoding",
				"sent %q: HTTP/1.0 knows no chunks", send)
			assert.NotContains(t, h, "Content-Length", "sent %q", send)
			assert.Contains(t, h, "\r\nConnection: close\r\n", "sent %q", send)
			assert.True(t, after(got) == tt.body,
				"sent %q: the body is %d bytes, want %d", send,
				len(after(got)), len(tt.body))
		})
	}
}

func TestNoBody(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())
	tests := []struct {
		name, send string
		status     int
		length     string // the Content-Length field, "" for none
	}{
		{"HEAD: the length of GET, no body",
			"HEAD /pieces HTTP/1.1\r\nHost: x\r\n\r\n", 200, "13"},
		{"HEAD of a long body",
			"HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n", 200,
			strconv.Itoa(len(big))},
		{"204 drops what the handler writes", get("/empty"), 204, ""},
		{"304 drops what the handler writes", get("/notmod"), 304, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wire.Exchange(t, addr, tt.send)
			wire.ExpectPrefix(t, "HTTP/1.1 "+strconv.Itoa(tt.status)+" ", got)
			h := header(got)
			if tt.length == "" {
				assert.NotContains(t, h, "Content-Length", "sent %q", tt.send)
			} else {
				assert.Contains(t, h, "\r\nContent-Length: "+tt.length+"\r\n",
					"sent %q", tt.send)
			}
			assert.NotContains(t, h, "Transfer-Encoding", "sent %q", tt.send)
			wire.ExpectBytes(t, "", after(got))
		})
	}

	t.Run("Write on a 204 reports ErrBodyNotAllowed", func(t *testing.T) {
		errs := make(chan error, 1)
		addr := start(t, httpd.HandlerFunc(
			func(w httpd.ResponseWriter, r *httpd.Request) {
				w.WriteHeader(204)
				_, err := w.Write([]byte("x"))
				errs <- err
			}))
		wire.Exchange(t, addr, get("/"))
		select {
		case err := <-errs:
			assert.ErrorIs(t, err, httpd.ErrBodyNotAllowed,
				"Write after WriteHeader(204)")
		case <-time.After(wire.Timeout):
			t.Error("the handler never ran")
		}
	})
}

func TestOneWrite(t *testing.T) {
	noLeaks(t)
	var writes atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listen on 127.0.0.1:0")
	addr := serve(t, countingListener{ln, &writes}, paths())
	tests := []struct {
		name, send string
	}{
		{"a short body", get("/hello")},
		{"a body in several writes", get("/pieces")},
		{"no body", get("/nothing")},
		{"a 204", get("/empty")},
		{"HEAD", "HEAD /pieces HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"an error page", get("/error")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writes.Store(0)
			got := wire.Exchange(t, addr, tt.send)
			wire.ExpectPrefix(t, "HTTP/1.1 ", got)
			assert.Equal(t, int64(1), writes.Load(),
				"sent %q: the response took %d writes, want one: "+
					"the header and the body together", tt.send,
				writes.Load())
		})
	}
}

func TestMethods(t *testing.T) {
	noLeaks(t)
	addr := start(t, httpd.Methods{
		"GET": func(w httpd.ResponseWriter, r *httpd.Request) {
			io.WriteString(w, "do_GET")
		},
		"POST": func(w httpd.ResponseWriter, r *httpd.Request) {
			b, _ := io.ReadAll(r.Body)
			io.WriteString(w, "do_POST "+string(b))
		},
	})

	tests := []struct {
		name, send string
		status     int
		body       string // a substring of the body
	}{
		{"GET calls the GET handler", get("/"), 200, "do_GET"},
		{"POST calls the POST handler",
			"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
			200, "do_POST hi"},
		{"a method without a handler is 501",
			"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "DELETE"},
		{"PUT without a handler is 501 too",
			"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
			501, "PUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(tt.send)
			r := c.ReadResponse()
			wire.ExpectStatus(t, r, tt.status)
			assert.Contains(t, string(r.Body), tt.body, "sent %q", tt.send)
		})
	}

	t.Run("HEAD falls back to GET, without the body", func(t *testing.T) {
		send := "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
		got := wire.Exchange(t, addr, send)
		wire.ExpectPrefix(t, "HTTP/1.1 200 OK\r\n", got)
		assert.Contains(t, header(got), "\r\nContent-Length: 6\r\n",
			"sent %q: the length of do_GET's body", send)
		wire.ExpectBytes(t, "", after(got))
	})
}

func TestErrorPage(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())

	t.Run("status, HTML and length", func(t *testing.T) {
		c := wire.Dial(t, addr)
		c.Send(get("/error"))
		r := c.ReadResponse()
		wire.ExpectStatus(t, r, 404)
		wire.ExpectHeader(t, r, "Content-Type", "text/html;charset=utf-8")
		wire.ExpectHeader(t, r, "Content-Length", strconv.Itoa(len(r.Body)))
		assert.Contains(t, string(r.Body), "404")
		assert.Contains(t, string(r.Body), "no &lt;such&gt; page",
			"the message, HTML-escaped")
		assert.NotContains(t, string(r.Body), "<such>",
			"the message must be escaped")
		wire.ExpectClosed(t, c)
	})
	t.Run("it replaces the handler's Content-Length", func(t *testing.T) {
		c := wire.Dial(t, addr)
		c.Send(get("/error-after-length"))
		r := c.ReadResponse()
		wire.ExpectStatus(t, r, 400)
		wire.ExpectHeader(t, r, "Content-Length", strconv.Itoa(len(r.Body)))
		wire.ExpectClosed(t, c)
	})
	t.Run("no page for HEAD", func(t *testing.T) {
		got := wire.Exchange(t, addr, "HEAD /error HTTP/1.1\r\nHost: x\r\n\r\n")
		wire.ExpectPrefix(t, "HTTP/1.1 404 Not Found\r\n", got)
		wire.ExpectBytes(t, "", after(got))
	})
}

func TestHandlerPanics(t *testing.T) {
	noLeaks(t)
	addr := start(t, paths())

	t.Run("before writing: 500", func(t *testing.T) {
		got := wire.Exchange(t, addr, get("/panic"))
		wire.ExpectPrefix(t, "HTTP/1.1 500 Internal Server Error\r\n", got)
	})
	t.Run("after the header left: the response is cut", func(t *testing.T) {
		got := wire.Exchange(t, addr, get("/panic-late"))
		wire.ExpectPrefix(t, "HTTP/1.1 200 OK\r\n", got)
		assert.Contains(t, got, "partial", "the body sent before the panic")
		assert.False(t, strings.HasSuffix(got, "0\r\n\r\n"),
			"the response must not end well: got %q", got)
	})
	t.Run("the server still serves", func(t *testing.T) {
		got := wire.Exchange(t, addr, get("/hello"))
		wire.ExpectPrefix(t, "HTTP/1.1 200 OK\r\n", got)
	})
}

func TestConformance(t *testing.T) {
	noLeaks(t)
	conformance.Run(t, func(t *testing.T) string {
		return start(t, httpd.Conformance())
	}, conformance.Framing, conformance.Responses)
}
