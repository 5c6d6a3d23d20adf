// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	gateway "socket2gateway/exercises/10-middleware"
	"socket2gateway/exercises/internal/wire"
)

// numbered returns lines as `cat -n` numbers them, from 1.
func numbered(lines ...string) string {
	var b strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&b, "%6d\t%s", i+1, l)
	}
	return b.String()
}

func TestNumberLines(t *testing.T) {
	tests := []struct {
		name string
		app  appFunc
		want string
	}{
		{"one chunk, two lines",
			func(env *gateway.Environ, start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("200 OK", text, nil)
				return gateway.List([]byte("a\nb\n")), err
			}, numbered("a\n", "b\n")},
		{"a line cut across chunks gets one number",
			func(env *gateway.Environ, start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("200 OK", text, nil)
				return streaming("hel", "lo\nwor", "ld\n"), err
			}, numbered("hello\n", "world\n")},
		{"the last line without its newline",
			func(env *gateway.Environ, start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("200 OK", text, nil)
				return streaming("a\n", "b"), err
			}, numbered("a\n", "b")},
		{"empty lines are lines",
			func(env *gateway.Environ, start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("200 OK", text, nil)
				return streaming("\n", "\n\n"), err
			}, numbered("\n", "\n", "\n")},
		{"empty chunks, no lines",
			func(env *gateway.Environ, start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("200 OK", text, nil)
				return streaming("", ""), err
			}, ""},
		{"write's lines are numbered, and first",
			func(env *gateway.Environ, start gateway.StartResponse) (gateway.Body, error) {
				write, err := start("200 OK", text, nil)
				if err != nil {
					return nil, err
				}
				if err := write([]byte("from write\nand")); err != nil {
					return nil, err
				}
				return streaming(" on\n", "body\n"), nil
			}, numbered("from write\n", "and on\n", "body\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := serve(t, gateway.NumberLines(gateway.AppFunc(tt.app)))
			c := wire.Dial(t, addr)
			c.Send(get("/"))
			r := c.ReadResponse()
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectBody(t, r, tt.want)
			}
		})
	}
}

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

func TestNumberLinesStreams(t *testing.T) {
	// The app makes its second chunk only once the client has read
	// the first: a middleware that waits for the whole body, or for
	// the end of a line, never lets the first one out.
	seen := make(chan struct{})
	waited := make(chan bool, 1)
	addr, _ := serve(t, gateway.NumberLines(replying(func() gateway.Body {
		return streaming("first\nsec", waitFor(seen, waited, "ond\n"))
	})))
	release := sync.OnceFunc(func() { close(seen) })
	t.Cleanup(release)
	c := dialRaw(t, addr)
	c.send(get("/"))
	if !c.expectChunked() {
		return
	}
	first := c.chunk()
	release()
	select {
	case ok := <-waited:
		assert.True(t, ok, "the client saw the first chunk only "+
			"after the app had made the second: the middleware held "+
			"it back")
	case <-time.After(patience):
		t.Errorf("the app never asked for its second chunk")
	}
	if !assert.Equal(t, numbered("first\n", "sec"), first,
		"the first chunk, numbered") {
		return
	}
	assert.Equal(t, "ond\n", c.chunk(), "the second chunk: the rest "+
		"of line 2, which has its number already")
	assert.Equal(t, "", c.chunk(), "the last chunk")
}

func TestNumberLinesContentLength(t *testing.T) {
	// "hello\n" is 6 bytes, numbered 13: a Content-Length: 6 passed
	// on would let 6 bytes out, and then the server cuts the
	// response.
	for _, name := range []string{"Content-Length", "content-length"} {
		t.Run(name, func(t *testing.T) {
			addr, _ := serve(t, gateway.NumberLines(gateway.AppFunc(
				func(env *gateway.Environ,
					start gateway.StartResponse) (gateway.Body, error) {
					_, err := start("200 OK", [][2]string{
						{"Content-Type", "text/plain"}, {name, "6"},
					}, nil)
					return streaming("hel", "lo\n"), err
				})))
			c := wire.Dial(t, addr)
			c.Send(get("/"))
			r := c.ReadResponse()
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectBody(t, r, numbered("hello\n"))
			}
			assert.NotContains(t, headerOf(c.Received()),
				"Content-Length: 6", "the app's length, passed on")
		})
	}
}

// headerOf returns the header section of raw.
func headerOf(raw string) string {
	h, _, _ := strings.Cut(raw, "\r\n\r\n")
	return h
}

func TestCloseThroughLayers(t *testing.T) {
	// Mount, then two NumberLines, then the app: its Body must be
	// closed once, whatever happens.
	tests := []struct {
		name string
		body func() gateway.Body
		err  error // what the app's Call returns with the body
		// exchange talks to the server; the app's body must be
		// closed once it returns.
		exchange func(t *testing.T, addr string)
	}{
		{"after the last chunk",
			func() gateway.Body { return streaming("a\n", "b\n") }, nil,
			func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send(get("/n/"))
				wire.ExpectBody(t, c.ReadResponse(),
					"     1\t     1\ta\n     2\t     2\tb\n")
			}},
		{"when Next fails mid-body",
			func() gateway.Body { return streaming("a\n", errApp) }, nil,
			func(t *testing.T, addr string) {
				c := dialRaw(t, addr)
				c.send(get("/n/"))
				if c.expectChunked() {
					assert.Equal(t, "     1\t     1\ta\n", c.chunk())
				}
			}},
		{"when Call returns a Body and an error",
			func() gateway.Body { return streaming("a\n") }, errApp,
			func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send(get("/n/"))
				wire.ExpectStatus(t, c.ReadResponse(), 500)
			}},
		{"when the client goes away", ticks, nil,
			func(t *testing.T, addr string) {
				c := dialRaw(t, addr)
				c.send(get("/n/"))
				if c.expectChunked() {
					assert.Equal(t, "     1\t     1\ttick\n", c.chunk())
				}
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
					"Close calls on the app's Body, once the server "+
						"stopped")
			})
			called := make(chan bool, 1)
			app := gateway.AppFunc(func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				record(called, true)
				if _, err := start("200 OK", text, nil); err != nil {
					return nil, err
				}
				return body, tt.err
			})
			addr, _ := serve(t, gateway.Mount(map[string]gateway.App{
				"/n": gateway.NumberLines(gateway.NumberLines(app)),
			}))
			tt.exchange(t, addr)
			if _, ok := received(t, called, "call report"); !ok {
				return
			}
			select {
			case <-body.closed:
			case <-time.After(patience):
				t.Errorf("the app's body was not closed within %v",
					patience)
			}
		})
	}
}
