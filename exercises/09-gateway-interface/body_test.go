// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	gateway "socket2gateway/exercises/09-gateway-interface"
	"socket2gateway/exercises/internal/conformance"
	"socket2gateway/exercises/internal/wire"
)

// waitFor returns a chunk function that waits until ch is closed, or
// patience has passed, records which, and then returns chunk.
func waitFor(ch chan struct{}, waited chan bool, chunk string) func() ([]byte, error) {
	return func() ([]byte, error) {
		select {
		case <-ch:
			record(waited, true)
		case <-time.After(patience):
			record(waited, false)
		}
		return []byte(chunk), nil
	}
}

func TestStreaming(t *testing.T) {
	// The app makes its second chunk only once the client has read
	// the first: a gateway that holds chunks back never sends it.
	seen := make(chan struct{})
	waited := make(chan bool, 1)
	addr := oneApp(t, func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		if _, err := start("200 OK", text, nil); err != nil {
			return nil, err
		}
		return streaming("first\n", waitFor(seen, waited, "second\n")), nil
	})
	release := sync.OnceFunc(func() { close(seen) })
	t.Cleanup(release)
	c := dialRaw(t, addr)
	c.send(get("/"))
	h := c.header()
	if !strings.HasPrefix(h, "HTTP/1.1 200 ") ||
		!strings.Contains(h, "Transfer-Encoding: chunked") {
		t.Errorf("want a 200 with a chunked body, got:\n%s", h)
		return
	}
	assert.Equal(t, "first\n", c.chunk(), "the first chunk")
	release()
	assert.Equal(t, "second\n", c.chunk(), "the second chunk")
	assert.Equal(t, "", c.chunk(), "the last chunk")
	if ok, called := received(t, waited, "wait report"); called {
		assert.True(t, ok, "the client saw the first chunk only "+
			"after the app had made the second: the gateway held "+
			"it back")
	}
}

func TestWriteCallable(t *testing.T) {
	t.Run("write's bytes come first, then the body's", func(t *testing.T) {
		addr := oneApp(t, func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			write, err := start("200 OK", text, nil)
			if err != nil {
				return nil, err
			}
			if err := write([]byte("from write\n")); err != nil {
				return nil, err
			}
			return gateway.List([]byte("from the body\n")), nil
		})
		c := wire.Dial(t, addr)
		c.Send(get("/"))
		r := c.ReadResponse()
		if wire.ExpectStatus(t, r, 200) {
			wire.ExpectBody(t, r, "from write\nfrom the body\n")
		}
	})
	t.Run("write sends at once", func(t *testing.T) {
		seen := make(chan struct{})
		waited := make(chan bool, 1)
		addr := oneApp(t, func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			write, err := start("200 OK", text, nil)
			if err != nil {
				return nil, err
			}
			if err := write([]byte("now\n")); err != nil {
				return nil, err
			}
			waitFor(seen, waited, "")() // still inside Call
			return gateway.List(), nil
		})
		release := sync.OnceFunc(func() { close(seen) })
		t.Cleanup(release)
		c := dialRaw(t, addr)
		c.send(get("/"))
		h := c.header()
		if !strings.HasPrefix(h, "HTTP/1.1 200 ") ||
			!strings.Contains(h, "Transfer-Encoding: chunked") {
			t.Errorf("want a 200 with a chunked body, got:\n%s", h)
			return
		}
		assert.Equal(t, "now\n", c.chunk(), "what write sent")
		release()
		assert.Equal(t, "", c.chunk(), "the last chunk")
		if ok, called := received(t, waited, "wait report"); called {
			assert.True(t, ok, "the client saw what write sent "+
				"only after Call returned")
		}
	})
}

// countedBody counts the calls of Close of the Body it wraps.
type countedBody struct {
	gateway.Body
	n      atomic.Int32
	closed chan struct{} // closed by the first Close
}

func counted(b gateway.Body) *countedBody {
	return &countedBody{Body: b, closed: make(chan struct{})}
}

func (c *countedBody) Close() error {
	if c.n.Add(1) == 1 {
		close(c.closed)
	}
	return c.Body.Close()
}

// ticks is a body that never ends: a line every 10 ms (for 10 s at
// most, so a gateway that never stops asking cannot hang the test).
func ticks() gateway.Body {
	var items []any
	for i := 0; i < 1000; i++ {
		items = append(items, func() ([]byte, error) {
			time.Sleep(10 * time.Millisecond)
			return []byte("tick\n"), nil
		})
	}
	return streaming(items...)
}

func TestClose(t *testing.T) {
	tests := []struct {
		name string
		body func() gateway.Body
		err  error // what Call returns with the body
		// exchange talks to the server; the body must be closed
		// once it returns.
		exchange func(t *testing.T, addr string)
	}{
		{"after the last chunk",
			func() gateway.Body { return streaming("a", "b") }, nil,
			func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send(get("/"))
				wire.ExpectBody(t, c.ReadResponse(), "ab")
			}},
		{"after a List",
			func() gateway.Body { return gateway.List([]byte("ab")) }, nil,
			func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send(get("/"))
				wire.ExpectBody(t, c.ReadResponse(), "ab")
			}},
		{"when Next fails mid-body",
			func() gateway.Body { return streaming("a", errApp) }, nil,
			func(t *testing.T, addr string) {
				c := dialRaw(t, addr)
				c.send(get("/"))
				c.header()
				assert.Equal(t, "a", c.chunk())
				c.expectCut(`the chunk "a"`)
			}},
		{"when Call returns a Body and an error",
			func() gateway.Body { return streaming("a") }, errApp,
			func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send(get("/"))
				wire.ExpectStatus(t, c.ReadResponse(), 500)
			}},
		{"when the client goes away", ticks, nil,
			func(t *testing.T, addr string) {
				c := dialRaw(t, addr)
				c.send(get("/"))
				c.header()
				assert.Equal(t, "tick\n", c.chunk())
				c.nc.Close() // the client leaves mid-body
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := counted(tt.body())
			// Registered before serve, this runs after the server
			// has stopped: no Close can come later.
			t.Cleanup(func() {
				assert.Equal(t, int32(1), body.n.Load(),
					"Close calls, once the server stopped")
			})
			called := make(chan bool, 1)
			addr := oneApp(t, func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				record(called, true)
				if _, err := start("200 OK", text, nil); err != nil {
					return nil, err
				}
				return body, tt.err
			})
			tt.exchange(t, addr)
			if _, ok := received(t, called, "call report"); !ok {
				return
			}
			select {
			case <-body.closed:
			case <-time.After(patience):
				t.Errorf("the body was not closed within %v", patience)
			}
		})
	}
}

func TestContentLength(t *testing.T) {
	respond := func(headers [][2]string, body func() gateway.Body) string {
		t.Helper()
		return oneApp(t, func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			if _, err := start("200 OK", headers, nil); err != nil {
				return nil, err
			}
			return body(), nil
		})
	}
	t.Run("a List: its length is known, however long", func(t *testing.T) {
		// 15000 bytes: more than httpd holds back to count them.
		a, b := strings.Repeat("a", 5000), strings.Repeat("b", 10000)
		addr := respond(text, func() gateway.Body {
			return gateway.List([]byte(a), []byte(b))
		})
		c := wire.Dial(t, addr)
		c.Send(get("/"))
		r := c.ReadResponse()
		wire.ExpectHeader(t, r, "Content-Length", "15000")
		assert.Empty(t, r.Header.Get("Transfer-Encoding"))
		wire.ExpectBody(t, r, a+b)
	})
	t.Run("an empty List: Content-Length 0", func(t *testing.T) {
		addr := respond(text, func() gateway.Body { return gateway.List() })
		c := wire.Dial(t, addr)
		c.Send(get("/"))
		r := c.ReadResponse()
		wire.ExpectHeader(t, r, "Content-Length", "0")
		wire.ExpectBody(t, r, "")
	})
	declared := func(n string) [][2]string {
		return [][2]string{{"Content-Type", "text/plain"},
			{"Content-Length", n}}
	}
	t.Run("the app's own Content-Length, streamed", func(t *testing.T) {
		addr := respond(declared("11"), func() gateway.Body {
			return streaming("hello", " world")
		})
		c := wire.Dial(t, addr)
		c.Send(get("/") + get("/again"))
		r := c.ReadResponse()
		wire.ExpectHeader(t, r, "Content-Length", "11")
		assert.Empty(t, r.Header.Get("Transfer-Encoding"))
		wire.ExpectBody(t, r, "hello world")
		wire.ExpectBody(t, c.ReadResponse(), "hello world")
	})
	t.Run("never more than the app declared", func(t *testing.T) {
		addr := respond(declared("5"), func() gateway.Body {
			return streaming("hel", "lo world")
		})
		got := wire.Exchange(t, addr, get("/")+pipelined)
		body := bodyOf(got)
		assert.LessOrEqual(t, len(body), 5, "the app declared 5 "+
			"bytes; the client got %q", body)
		assert.True(t, strings.HasPrefix("hello", body), "body %q",
			body)
		assert.NotContains(t, got, "pipelined", "the request after "+
			"was answered, but the connection cannot go on")
	})
	t.Run("less than declared: the connection closes", func(t *testing.T) {
		addr := respond(declared("10"), func() gateway.Body {
			return streaming("hello")
		})
		c := wire.Dial(t, addr)
		c.Send(get("/") + pipelined)
		got := c.ReadAll()
		wire.ExpectPrefix(t, "HTTP/1.1 200 ", got)
		assert.Equal(t, "hello", bodyOf(got), "the 5 bytes the "+
			"app sent, then the close; the header was:\n%s",
			headerOf(got))
	})
	t.Run("a Content-Length that is not a number", func(t *testing.T) {
		addr := respond(declared("five"), func() gateway.Body {
			return gateway.List([]byte("five!"))
		})
		c := wire.Dial(t, addr)
		c.Send(get("/"))
		wire.ExpectStatus(t, c.ReadResponse(), 500)
	})
}

func TestChunkedOrClose(t *testing.T) {
	addr := oneApp(t, func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		if _, err := start("200 OK", text, nil); err != nil {
			return nil, err
		}
		return streaming("hello", " world"), nil
	})
	t.Run("HTTP/1.1: chunks, and the connection stays", func(t *testing.T) {
		c := wire.Dial(t, addr)
		c.Send(get("/") + get("/again"))
		r := c.ReadResponse()
		wire.ExpectHeader(t, r, "Transfer-Encoding", "chunked")
		assert.Empty(t, r.Header.Get("Content-Length"),
			"a streamed body has no length the gateway can know")
		wire.ExpectBody(t, r, "hello world")
		wire.ExpectBody(t, c.ReadResponse(), "hello world")
	})
	t.Run("HTTP/1.0: the body ends at the close", func(t *testing.T) {
		c := wire.Dial(t, addr)
		c.Send("GET / HTTP/1.0\r\n\r\n")
		r := c.ReadResponse()
		assert.Empty(t, r.Header.Get("Transfer-Encoding"),
			"an HTTP/1.0 client knows no chunks")
		assert.Empty(t, r.Header.Get("Content-Length"),
			"a streamed body has no length the gateway can know")
		wire.ExpectBody(t, r, "hello world")
		wire.ExpectClosed(t, c)
	})
}

func TestHead(t *testing.T) {
	tests := []struct {
		name string
		body func() gateway.Body
	}{
		{"a List", func() gateway.Body {
			return gateway.List([]byte("hello"))
		}},
		{"a streamed body", func() gateway.Body {
			return streaming("hel", "lo")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := oneApp(t, func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				if _, err := start("200 OK", text, nil); err != nil {
					return nil, err
				}
				return tt.body(), nil
			})
			c := wire.Dial(t, addr)
			c.Send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get("/"))
			h := c.ReadHeadResponse()
			if wire.ExpectStatus(t, h, 200) {
				cl := h.Header.Get("Content-Length")
				assert.Contains(t, []string{"", "5"}, cl,
					"HEAD: Content-Length, if any, is GET's")
			}
			// Had a body followed the HEAD response, it would be
			// read here as the next response.
			r := c.ReadResponse()
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectBody(t, r, "hello")
			}
		})
	}
}

func TestExpectContinue(t *testing.T) {
	addr := oneApp(t, func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		var body []byte
		if env.Vars["PATH_INFO"] == "/echo" {
			var err error
			if body, err = io.ReadAll(env.Input); err != nil {
				return nil, err
			}
		} else {
			body = []byte("no, thanks")
		}
		if _, err := start("200 OK", text, nil); err != nil {
			return nil, err
		}
		return gateway.List(body), nil
	})
	head := func(path string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" +
			"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n"
	}
	t.Run("the app reads the body: 100 Continue, then the answer",
		func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(head("/echo"))
			if wire.ExpectStatus(t, c.ReadResponse(), 100) {
				c.Send("hello")
				r := c.ReadResponse()
				if wire.ExpectStatus(t, r, 200) {
					wire.ExpectBody(t, r, "hello")
				}
			}
		})
	t.Run("the app does not read it: no 100, just the answer",
		func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(head("/ignore"))
			r := c.ReadResponse()
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectBody(t, r, "no, thanks")
			}
		})
}

func TestAppErrors(t *testing.T) {
	type app = func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error)
	started := func(body gateway.Body) app {
		return func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			if _, err := start("200 OK", text, nil); err != nil {
				return nil, err
			}
			return body, nil
		}
	}
	tests := []struct {
		name string
		app  app
		log  string // what the server's log must say ("": anything)
	}{
		{"Call fails: a 500 page",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				return nil, errApp
			}, errApp.Error()},
		{"the first Next fails: a 500 page",
			started(streaming(errApp)), errApp.Error()},
		{"the app never calls start_response: a 500 page",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				return gateway.List([]byte("hello")), nil
			}, ""},
		{"no Body and no error: a 500 page",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				start("200 OK", text, nil)
				return nil, nil
			}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, logs := serve(t, gateway.AppFunc(tt.app))
			c := wire.Dial(t, addr)
			c.Send(get("/"))
			r := c.ReadResponse()
			if !wire.ExpectStatus(t, r, 500) {
				return
			}
			assert.NotContains(t, string(r.Body), "hello")
			assert.True(t, waitLog(logs, tt.log), "the server's "+
				"log should say %q; it has:\n%s", tt.log, logs)
		})
	}
	t.Run("mid-body: logged, and the response cut", func(t *testing.T) {
		addr, logs := serve(t, gateway.AppFunc(
			started(streaming("partial", errApp))))
		c := dialRaw(t, addr)
		c.send(get("/"))
		h := c.header()
		if !strings.HasPrefix(h, "HTTP/1.1 200 ") ||
			!strings.Contains(h, "Transfer-Encoding: chunked") {
			t.Errorf("want a 200 with a chunked body, got:\n%s", h)
			return
		}
		assert.Equal(t, "partial", c.chunk())
		c.expectCut(`the chunk "partial"`)
		assert.True(t, waitLog(logs, errApp.Error()), "the server's "+
			"log should say %q; it has:\n%s", errApp, logs)
	})
	t.Run("a malformed request body: its status, 400", func(t *testing.T) {
		addr, _ := serve(t, gateway.AppFunc(func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			b, err := io.ReadAll(env.Input)
			if err != nil {
				return nil, err
			}
			start("200 OK", text, nil)
			return gateway.List(b), nil
		}))
		c := wire.Dial(t, addr)
		c.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " +
			"chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
		wire.ExpectStatus(t, c.ReadResponse(), 400)
	})
}

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) string {
		addr, _ := serve(t, gateway.Conformance())
		return addr
	}, conformance.Framing, conformance.Responses, conformance.KeepAlive)
}
