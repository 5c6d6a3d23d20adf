// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	gateway "socket2gateway/exercises/09-gateway-interface"
	"socket2gateway/exercises/internal/wire"
)

// startCall is what an app passes to start_response.
type startCall struct {
	status  string
	headers [][2]string
}

// starts serves an app that, for the request of path /N, calls start
// with calls[N], records the error start returned, and returns it, or
// the body "hello". ask sends GET /N and returns the response and
// start's error.
func starts(t *testing.T, calls []startCall) func(t *testing.T, i int) (*wire.Response, error, bool) {
	t.Helper()
	errs := make(chan error, 1)
	app := gateway.AppFunc(func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		i, err := strconv.Atoi(strings.TrimPrefix(env.Vars["PATH_INFO"], "/"))
		if err != nil || i < 0 || i >= len(calls) {
			return nil, errors.New("test: no such call")
		}
		_, err = start(calls[i].status, calls[i].headers, nil)
		record(errs, err)
		if err != nil {
			return nil, err
		}
		return gateway.List([]byte("hello")), nil
	})
	addr, _ := serve(t, app)
	return func(t *testing.T, i int) (*wire.Response, error, bool) {
		t.Helper()
		select { // what an earlier, failed request left behind
		case <-errs:
		default:
		}
		c := wire.Dial(t, addr)
		c.Send(get("/" + strconv.Itoa(i)))
		r := c.ReadResponse()
		err, called := received(t, errs, "result of start")
		return r, err, called
	}
}

// expectRefused checks that start refused a call and the client got a
// 500 with no field the app tried to forge.
func expectRefused(t *testing.T, r *wire.Response, err error, what string) {
	t.Helper()
	assert.Error(t, err, "start(%s) should return an error", what)
	wire.ExpectStatus(t, r, 500)
	assert.Empty(t, r.Header.Values("Set-Cookie"), "a forged "+
		"Set-Cookie field reached the client: response splitting")
}

func TestStatus(t *testing.T) {
	good := []struct {
		status string
		code   int
	}{
		{"200 OK", 200}, {"201 Created", 201}, {"404 Not Found", 404},
		{"299 Something New", 299}, {"418 I'm a teapot", 418},
		{"503 Service Unavailable", 503},
	}
	bad := []string{
		"200", "OK", "200OK", "2000 OK", " 200 OK", "20x OK",
		"099 Too Small", "600 Too Big", "100 Continue",
		"200 OK\r\nSet-Cookie: session=evil",
		"200 OK\nSet-Cookie: session=evil", "200 O\x00K",
	}
	var calls []startCall
	for _, g := range good {
		calls = append(calls, startCall{g.status, text})
	}
	for _, b := range bad {
		calls = append(calls, startCall{b, text})
	}
	ask := starts(t, calls)
	for i, g := range good {
		t.Run("accepts "+strconv.Quote(g.status), func(t *testing.T) {
			r, err, called := ask(t, i)
			if !called {
				return
			}
			assert.NoError(t, err, "start(%q, ...)", g.status)
			if wire.ExpectStatus(t, r, g.code) {
				wire.ExpectBody(t, r, "hello")
			}
		})
	}
	for i, b := range bad {
		t.Run("refuses "+strconv.Quote(b), func(t *testing.T) {
			r, err, called := ask(t, len(good)+i)
			if called {
				expectRefused(t, r, err, strconv.Quote(b))
			}
		})
	}
}

func TestHeaderInjection(t *testing.T) {
	calls := []startCall{
		{"200 OK", [][2]string{{"X-Note", "a fine value"}}},
		{"200 OK", [][2]string{{"X-Note", "a\ttab is fine"}}},
		{"200 OK", [][2]string{{"X-Note", "x\r\nSet-Cookie: session=evil"}}},
		{"200 OK", [][2]string{{"X-Note", "x\nSet-Cookie: session=evil"}}},
		{"200 OK", [][2]string{{"X-Note", "x\rSet-Cookie: session=evil"}}},
		{"200 OK", [][2]string{{"X-Note", "nul\x00byte"}}},
		{"200 OK", [][2]string{{"X-Note", "escape\x1b[31m"}}},
		{"200 OK", [][2]string{{"X-A\r\nSet-Cookie: session=evil\r\nX-B", "x"}}},
		{"200 OK", [][2]string{{"X Note", "a space in the name"}}},
		{"200 OK", [][2]string{{"X-Note:", "a colon in the name"}}},
		{"200 OK", [][2]string{{"", "no name"}}},
	}
	ask := starts(t, calls)
	for i, call := range calls {
		f := call.headers[0]
		t.Run(strconv.Quote(f[0]+": "+f[1]), func(t *testing.T) {
			r, err, called := ask(t, i)
			if !called {
				return
			}
			if i < 2 {
				assert.NoError(t, err, "start with %q", f)
				if wire.ExpectStatus(t, r, 200) {
					wire.ExpectHeader(t, r, f[0], f[1])
				}
				return
			}
			expectRefused(t, r, err, strconv.Quote(f[0]+": "+f[1]))
		})
	}
}

func TestHopByHop(t *testing.T) {
	names := []string{"Connection", "keep-alive", "Proxy-Authenticate",
		"Proxy-Authorization", "TE", "Trailers", "Transfer-Encoding",
		"UPGRADE"}
	calls := []startCall{
		{"200 OK", [][2]string{{"X-Connection-Id", "7"}}},
	}
	for _, n := range names {
		calls = append(calls, startCall{"200 OK", [][2]string{{n, "x"}}})
	}
	ask := starts(t, calls)
	t.Run("an end-to-end field is fine", func(t *testing.T) {
		r, err, called := ask(t, 0)
		if called {
			assert.NoError(t, err, "start with X-Connection-Id")
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectHeader(t, r, "X-Connection-Id", "7")
			}
		}
	})
	for i, n := range names {
		t.Run("refuses "+n, func(t *testing.T) {
			r, err, called := ask(t, i+1)
			if called {
				expectRefused(t, r, err, n+": x")
			}
		})
	}
}

func TestDateAndServer(t *testing.T) {
	ask := starts(t, []startCall{
		{"200 OK", [][2]string{{"Content-Type", "text/plain"},
			{"X-App", "1"}}},
		{"200 OK", [][2]string{{"Server", "my-app/2.0"}}},
	})
	t.Run("the server adds Date and Server", func(t *testing.T) {
		r, err, called := ask(t, 0)
		if !called || !assert.NoError(t, err) ||
			!wire.ExpectStatus(t, r, 200) {
			return
		}
		wire.ExpectHeader(t, r, "X-App", "1")
		date := r.Header.Get("Date")
		d, perr := time.Parse("Mon, 02 Jan 2006 15:04:05 GMT", date)
		assert.NoError(t, perr, "Date: %q, want an IMF-fixdate", date)
		assert.WithinDuration(t, time.Now(), d, 5*time.Minute,
			"Date: %q, want the time now", date)
		assert.NotEmpty(t, r.Header.Get("Server"), "no Server field")
	})
	t.Run("an app's own Server is kept", func(t *testing.T) {
		r, err, called := ask(t, 1)
		if called && assert.NoError(t, err) &&
			wire.ExpectStatus(t, r, 200) {
			wire.ExpectHeader(t, r, "Server", "my-app/2.0")
		}
	})
}

// oneApp serves app and returns its address: a server per subtest.
func oneApp(t *testing.T, app func(env *gateway.Environ,
	start gateway.StartResponse) (gateway.Body, error)) string {
	t.Helper()
	addr, _ := serve(t, gateway.AppFunc(app))
	return addr
}

func TestHeaderTiming(t *testing.T) {
	t.Run("start sends nothing, nor do empty chunks", func(t *testing.T) {
		// The app changes its mind after two empty chunks: that
		// works only if the first status has not left.
		changed := make(chan error, 1)
		addr := oneApp(t, func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			_, err := start("200 OK", [][2]string{{"X-First", "1"}}, nil)
			if err != nil {
				return nil, err
			}
			return streaming("", "", func() ([]byte, error) {
				_, err := start("503 Service Unavailable",
					[][2]string{{"X-Second", "2"}}, errApp)
				record(changed, err)
				return []byte("sorry"), err
			}), nil
		})
		c := wire.Dial(t, addr)
		c.Send(get("/"))
		r := c.ReadResponse()
		if err, called := received(t, changed, "result of start"); called {
			assert.NoError(t, err, "start with excInfo after two "+
				"empty chunks: nothing was sent, so it may replace "+
				"the status")
		}
		if wire.ExpectStatus(t, r, 503) {
			wire.ExpectHeader(t, r, "X-Second", "2")
			assert.Empty(t, r.Header.Get("X-First"), "the old "+
				"fields must be replaced")
			wire.ExpectBody(t, r, "sorry")
		}
	})
	for _, via := range []string{"a chunk", "write"} {
		t.Run(via+" sends the header: too late to change it",
			func(t *testing.T) {
				changed := make(chan error, 1)
				addr := oneApp(t, func(env *gateway.Environ,
					start gateway.StartResponse) (gateway.Body, error) {
					write, err := start("200 OK", text, nil)
					if err != nil {
						return nil, err
					}
					change := func() ([]byte, error) {
						_, err := start("500 Internal Server Error",
							text, errApp)
						record(changed, err)
						return nil, err
					}
					if via == "write" {
						if err := write([]byte("a")); err != nil {
							return nil, err
						}
						return streaming(change), nil
					}
					return streaming("a", change), nil
				})
				got := wire.Exchange(t, addr, "GET / HTTP/1.1\r\n"+
					"Host: x\r\nConnection: close\r\n\r\n")
				wire.ExpectPrefix(t, "HTTP/1.1 200 ", got)
				if err, called := received(t, changed, "result of start"); called {
					assert.ErrorIs(t, err, errApp, "start with "+
						"excInfo after %s must return excInfo", via)
				}
			})
	}
	t.Run("the end of the body sends it", func(t *testing.T) {
		addr := oneApp(t, func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			if _, err := start("200 OK", text, nil); err != nil {
				return nil, err
			}
			return streaming(), nil
		})
		c := wire.Dial(t, addr)
		c.Send(get("/"))
		r := c.ReadResponse()
		if wire.ExpectStatus(t, r, 200) {
			wire.ExpectBody(t, r, "")
		}
	})
}

func TestStartTwice(t *testing.T) {
	twice := make(chan error, 1)
	tests := []struct {
		name string
		app  func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error)
	}{
		{"a second call without excInfo is an error",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				start("200 OK", text, nil)
				_, err := start("201 Created", text, nil)
				record(twice, err)
				if err != nil {
					return nil, err
				}
				return gateway.List([]byte("created")), nil
			}},
		{"an app that ignores that error still fails",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				start("200 OK", text, nil)
				_, err := start("201 Created", text, nil)
				record(twice, err)
				return gateway.List([]byte("created")), nil
			}},
		{"an app that ignores a refused field still fails",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("200 OK",
					[][2]string{{"X-A", "a\r\nSet-Cookie: x=y"}}, nil)
				record(twice, err)
				start("200 OK", text, nil)
				return gateway.List([]byte("hello")), nil
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := oneApp(t, tt.app)
			c := wire.Dial(t, addr)
			c.Send(get("/"))
			r := c.ReadResponse()
			if err, called := received(t, twice, "result of start"); called {
				assert.Error(t, err, "start should have failed")
				wire.ExpectStatus(t, r, 500)
			}
		})
	}
}

// expectCut checks that the server closes the connection now, sending
// nothing more: the response it began is cut short.
func (c *rawConn) expectCut(after string) {
	c.t.Helper()
	rest := make([]byte, 64)
	n, err := c.br.Read(rest)
	switch {
	case n > 0:
		c.t.Errorf("after %s the server sent %q, want it to close the "+
			"connection: the client takes the response for a whole "+
			"one\nreceived: %q", after, rest[:n], c.got.String())
	case err == nil || isTimeout(err):
		c.t.Errorf("after %s the server kept the connection open, "+
			"want it closed\nreceived: %q", after, c.got.String())
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

func TestExcInfo(t *testing.T) {
	t.Run("before anything left, the new status and fields replace "+
		"the old", func(t *testing.T) {
		replaced := make(chan error, 1)
		addr := oneApp(t, func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			start("200 OK", [][2]string{{"X-Old", "1"}}, nil)
			_, err := start("500 Internal Server Error",
				[][2]string{{"X-New", "2"}}, errApp)
			record(replaced, err)
			if err != nil {
				return nil, err
			}
			return gateway.List([]byte("our own error page")), nil
		})
		c := wire.Dial(t, addr)
		c.Send(get("/"))
		r := c.ReadResponse()
		if err, called := received(t, replaced, "result of start"); called {
			assert.NoError(t, err, "start with excInfo before "+
				"anything was sent")
		}
		if wire.ExpectStatus(t, r, 500) {
			wire.ExpectHeader(t, r, "X-New", "2")
			assert.Empty(t, r.Header.Get("X-Old"), "X-Old should "+
				"have been replaced")
			wire.ExpectBody(t, r, "our own error page")
		}
	})
	// After the header: start returns excInfo, the app returns it,
	// and the client must be able to tell the response is broken.
	late := func(headers [][2]string) func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		return func(env *gateway.Environ,
			start gateway.StartResponse) (gateway.Body, error) {
			if _, err := start("200 OK", headers, nil); err != nil {
				return nil, err
			}
			return streaming("partial", func() ([]byte, error) {
				_, err := start("500 Internal Server Error", text,
					errApp)
				return nil, err
			}), nil
		}
	}
	t.Run("after the header left, a chunked body ends without its "+
		"last chunk", func(t *testing.T) {
		c := dialRaw(t, oneApp(t, late(text)))
		c.send(get("/"))
		h := c.header()
		if !strings.HasPrefix(h, "HTTP/1.1 200 ") ||
			!strings.Contains(h, "Transfer-Encoding: chunked") {
			t.Errorf("want a 200 with a chunked body, got:\n%s", h)
			return
		}
		assert.Equal(t, "partial", c.chunk())
		c.expectCut(`the chunk "partial"`)
	})
	t.Run("after the header left, a body shorter than its "+
		"Content-Length, then the close", func(t *testing.T) {
		c := dialRaw(t, oneApp(t, late([][2]string{
			{"Content-Type", "text/plain"}, {"Content-Length", "100"}})))
		c.send(get("/"))
		h := c.header()
		if !strings.HasPrefix(h, "HTTP/1.1 200 ") ||
			!strings.Contains(h, "Content-Length: 100") {
			t.Errorf("want a 200 with Content-Length: 100, got:\n%s", h)
			return
		}
		got := make([]byte, len("partial"))
		_, err := io.ReadFull(c.br, got)
		assert.NoError(t, err, "reading the first 7 bytes of the body")
		assert.Equal(t, "partial", string(got))
		c.expectCut(`"partial", 7 bytes of 100,`)
	})
}
