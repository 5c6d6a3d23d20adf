// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gateway "socket2gateway/exercises/10-middleware"
	"socket2gateway/exercises/internal/wire"
)

// expectNoViolation checks that the log has no line of Validate.
func expectNoViolation(t *testing.T, logs *logBuffer) {
	t.Helper()
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "validate: ") {
			t.Errorf("Validate reported a good app: %s", l)
		}
	}
}

// expectViolation checks that the log has a line of Validate that
// names rule. It waits for it, or for a line of the gateway (a failed
// request, a failed Close), which comes after Validate's own.
func expectViolation(t *testing.T, logs *logBuffer, rule string) {
	t.Helper()
	want := "validate: " + rule + ": "
	end := time.Now().Add(patience)
	for l := logs.String(); !strings.Contains(l, want) &&
		!strings.Contains(l, "gateway: "); l = logs.String() {
		if time.Now().After(end) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // what is still on its way
	if !strings.Contains(logs.String(), want) {
		t.Errorf("no log line with %q: Validate did not catch it\n"+
			"the server's log: %q", want, logs)
	}
}

func TestValidateGoodApps(t *testing.T) {
	echo := func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		b, err := io.ReadAll(env.Input)
		if err != nil {
			return nil, err
		}
		if _, err := start("200 OK", text, nil); err != nil {
			return nil, err
		}
		return gateway.List(b), nil
	}
	mounted := gateway.Validate(gateway.Mount(map[string]gateway.App{
		"/app": gateway.Validate(where("app")),
	}))
	tests := []struct {
		name   string
		app    gateway.App
		raw    string
		status int
		body   string
	}{
		{"a List", replying(func() gateway.Body {
			return gateway.List([]byte("hello\n"))
		}), get("/"), 200, "hello\n"},
		{"a streamed body", replying(func() gateway.Body {
			return streaming("a", "", "b")
		}), get("/a?x=1"), 200, "ab"},
		{"start called from Next", gateway.AppFunc(
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				return streaming(func() ([]byte, error) {
					_, err := start("200 OK", text, nil)
					return []byte("late\n"), err
				}), nil
			}), get("/"), 200, "late\n"},
		{"write, then the body", gateway.AppFunc(
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				write, err := start("200 OK", text, nil)
				if err == nil {
					err = write([]byte("w\n"))
				}
				return gateway.List([]byte("b\n")), err
			}), get("/"), 200, "w\nb\n"},
		{"excInfo before anything left", gateway.AppFunc(
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				if _, err := start("200 OK", text, nil); err != nil {
					return nil, err
				}
				_, err := start("503 Service Unavailable", text, errApp)
				return gateway.List([]byte("sorry\n")), err
			}), get("/"), 503, "sorry\n"},
		{"an empty 404", gateway.AppFunc(
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("404 Not Found", nil, nil)
				return gateway.List(), err
			}), get("/"), 404, ""},
		{"a right Content-Length", gateway.AppFunc(
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				_, err := start("200 OK", [][2]string{
					{"Content-Length", "5"}}, nil)
				return streaming("hel", "lo"), err
			}), get("/"), 200, "hello"},
		{"a POST and its body", gateway.AppFunc(echo),
			post("/echo", "name=gopher"), 200, "name=gopher"},
		{"behind Mount, checked on both sides", mounted, get("/app/x"),
			200, whereBody("app", "/app", "/x", "")},
		{"behind Mount, the prefix alone", mounted, get("/app"),
			200, whereBody("app", "/app", "", "")},
		{"behind Mount, a 404", mounted, get("/elsewhere"), 404,
			"404 Not Found\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, logs := serve(t, gateway.Validate(tt.app))
			c := wire.Dial(t, addr)
			c.Send(tt.raw)
			r := c.ReadResponse()
			if wire.ExpectStatus(t, r, tt.status) {
				wire.ExpectBody(t, r, tt.body)
			}
			expectNoViolation(t, logs)
		})
	}
}

func TestValidateEnviron(t *testing.T) {
	// Each row breaks the environ the server gave, between the server
	// and Validate: a broken server, as Validate sees it.
	tests := []struct {
		name   string
		breaks func(env *gateway.Environ)
		rule   string
	}{
		{"REQUEST_METHOD missing", func(env *gateway.Environ) {
			delete(env.Vars, "REQUEST_METHOD")
		}, gateway.RuleRequired},
		{"SERVER_NAME empty", func(env *gateway.Environ) {
			env.Vars["SERVER_NAME"] = ""
		}, gateway.RuleRequired},
		{"SERVER_PORT missing", func(env *gateway.Environ) {
			delete(env.Vars, "SERVER_PORT")
		}, gateway.RuleRequired},
		{"SERVER_PROTOCOL empty", func(env *gateway.Environ) {
			env.Vars["SERVER_PROTOCOL"] = ""
		}, gateway.RuleRequired},
		{"SCRIPT_NAME is /", func(env *gateway.Environ) {
			env.Vars["SCRIPT_NAME"] = "/"
		}, gateway.RuleScriptName},
		{"SCRIPT_NAME without its /", func(env *gateway.Environ) {
			env.Vars["SCRIPT_NAME"] = "app"
		}, gateway.RuleScriptName},
		{"PATH_INFO without its /", func(env *gateway.Environ) {
			env.Vars["PATH_INFO"] = "a/b"
		}, gateway.RulePathInfo},
		{"QUERY_STRING missing", func(env *gateway.Environ) {
			delete(env.Vars, "QUERY_STRING")
		}, gateway.RuleQueryString},
		{"HTTP_CONTENT_TYPE", func(env *gateway.Environ) {
			env.Vars["HTTP_CONTENT_TYPE"] = "text/plain"
		}, gateway.RuleContent},
		{"HTTP_CONTENT_LENGTH", func(env *gateway.Environ) {
			env.Vars["HTTP_CONTENT_LENGTH"] = "5"
		}, gateway.RuleContent},
		{"CONTENT_LENGTH not a number", func(env *gateway.Environ) {
			env.Vars["CONTENT_LENGTH"] = "five"
		}, gateway.RuleContent},
		{"Version 2.0", func(env *gateway.Environ) {
			env.Version = [2]int{2, 0}
		}, gateway.RuleGatewayKeys},
		{"URLScheme ftp", func(env *gateway.Environ) {
			env.URLScheme = "ftp"
		}, gateway.RuleGatewayKeys},
		{"Input nil", func(env *gateway.Environ) {
			env.Input = nil
		}, gateway.RuleGatewayKeys},
		{"Errors nil", func(env *gateway.Environ) {
			env.Errors = nil
		}, gateway.RuleGatewayKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := make(chan bool, 1)
			checked := gateway.Validate(gateway.AppFunc(
				func(env *gateway.Environ,
					start gateway.StartResponse) (gateway.Body, error) {
					record(called, true)
					_, err := start("200 OK", text, nil)
					return gateway.List([]byte("ok\n")), err
				}))
			addr, logs := serve(t, gateway.AppFunc(
				func(env *gateway.Environ,
					start gateway.StartResponse) (gateway.Body, error) {
					tt.breaks(env)
					return checked.Call(env, start)
				}))
			c := wire.Dial(t, addr)
			c.Send(get("/"))
			wire.ExpectStatus(t, c.ReadResponse(), 500)
			expectViolation(t, logs, tt.rule)
			select {
			case <-called:
				t.Errorf("Validate called the app with a broken " +
					"environ: check it before")
			default:
			}
		})
	}
}

// startWith returns an app that calls start with status and headers,
// ignores the error on purpose, and returns a body: Validate must fail
// the request itself.
func startWith(status string, headers ...[2]string) appFunc {
	return func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		start(status, headers, nil) // broken: the error is ignored
		return gateway.List([]byte("the app went on\n")), nil
	}
}

// writeOnClose is a Body whose Close calls write: too late.
type writeOnClose struct {
	gateway.Body
	write func([]byte) error
}

func (b *writeOnClose) Close() error {
	b.write([]byte("too late\n")) // broken: after the body ended
	return b.Body.Close()
}

func TestValidateApp(t *testing.T) {
	ct := [2]string{"Content-Type", "text/plain"}
	tests := []struct {
		name   string
		app    appFunc
		rule   string
		status int // 0: the header has left already
	}{
		{"a status without a reason", startWith("200", ct),
			gateway.RuleStatus, 500},
		{"a status of two digits", startWith("20 OK", ct),
			gateway.RuleStatus, 500},
		{"a 1xx status", startWith("100 Continue", ct),
			gateway.RuleStatus, 500},
		{"CR LF in the status", startWith("200 OK\r\nX-Evil: 1", ct),
			gateway.RuleStatus, 500},
		{"a field name with a space",
			startWith("200 OK", ct, [2]string{"Bad Name", "x"}),
			gateway.RuleHeader, 500},
		{"a field named Status",
			startWith("200 OK", ct, [2]string{"Status", "404 No"}),
			gateway.RuleHeader, 500},
		{"CR LF in a field value", startWith("200 OK", ct,
			[2]string{"Location", "/a\r\nSet-Cookie: evil=1"}),
			gateway.RuleHeader, 500},
		{"NUL in a field value",
			startWith("200 OK", ct, [2]string{"X-A", "a\x00b"}),
			gateway.RuleHeader, 500},
		{"a Content-Length that is not a length",
			startWith("200 OK", ct, [2]string{"Content-Length", "5 B"}),
			gateway.RuleHeader, 500},
		{"Connection",
			startWith("200 OK", ct, [2]string{"Connection", "close"}),
			gateway.RuleHopByHop, 500},
		{"transfer-encoding, in lower case", startWith("200 OK", ct,
			[2]string{"transfer-encoding", "chunked"}),
			gateway.RuleHopByHop, 500},
		{"start twice without excInfo",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				start("200 OK", text, nil)
				start("404 Not Found", text, nil) // broken
				return gateway.List([]byte("x\n")), nil
			}, gateway.RuleStartTwice, 500},
		{"no Body and no error",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				start("200 OK", text, nil)
				return nil, nil // broken
			}, gateway.RuleNoBody, 500},
		{"a body before start",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				return streaming("", "x\n"), nil // broken: no start
			}, gateway.RuleNoStart, 500},
		{"write after the body ended",
			func(env *gateway.Environ,
				start gateway.StartResponse) (gateway.Body, error) {
				write, err := start("200 OK", text, nil)
				return &writeOnClose{gateway.List([]byte("x\n")),
					write}, err
			}, gateway.RuleWriteAfterEnd, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, logs := serve(t, gateway.Validate(gateway.AppFunc(tt.app)))
			c := wire.Dial(t, addr)
			c.Send(get("/"))
			r := c.ReadResponse()
			if tt.status != 0 {
				wire.ExpectStatus(t, r, tt.status)
			}
			expectViolation(t, logs, tt.rule)
		})
	}
}

// goodEnviron returns the environ of a GET / that a good server gives.
func goodEnviron(errs io.Writer) *gateway.Environ {
	return &gateway.Environ{
		Vars: map[string]string{
			"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/",
			"QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
			"SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
		},
		Version: [2]int{1, 0}, URLScheme: "http",
		Input: emptyInput{}, Errors: errs, Multithread: true,
	}
}

// emptyInput is the Input of a request without a body.
type emptyInput struct{}

func (emptyInput) Read([]byte) (int, error)  { return 0, io.EOF }
func (emptyInput) ReadLine() ([]byte, error) { return nil, io.EOF }

func TestValidateServer(t *testing.T) {
	// A broken server, played by the test: it calls the validated
	// app directly, and misuses the Body.
	tests := []struct {
		name string
		body func() gateway.Body
		use  func(t *testing.T, b gateway.Body) // then b is dropped
		gc   bool                               // collect b, then check
		rule string
	}{
		{"Next after io.EOF", func() gateway.Body {
			return streaming("a")
		}, func(t *testing.T, b gateway.Body) {
			b.Next()
			_, err := b.Next()
			assert.Equal(t, io.EOF, err, "Next at the end")
			b.Next() // broken
			b.Close()
		}, false, gateway.RuleNextAfterEnd},
		{"Next after an error", func() gateway.Body {
			return streaming(errApp, "a")
		}, func(t *testing.T, b gateway.Body) {
			_, err := b.Next()
			assert.ErrorIs(t, err, errApp, "Next, failing")
			b.Next() // broken
			b.Close()
		}, false, gateway.RuleNextAfterEnd},
		{"Next after Close", func() gateway.Body {
			return streaming("a", "b")
		}, func(t *testing.T, b gateway.Body) {
			b.Next()
			b.Close()
			b.Next() // broken
		}, false, gateway.RuleNextAfterEnd},
		{"Close twice", func() gateway.Body {
			return streaming("a")
		}, func(t *testing.T, b gateway.Body) {
			b.Close()
			b.Close() // broken
		}, false, gateway.RuleCloseOnce},
		{"Close never called", func() gateway.Body {
			return streaming("a")
		}, func(t *testing.T, b gateway.Body) {
			b.Next() // broken: and then nothing
		}, true, gateway.RuleCloseOnce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logBuffer{}
			func() {
				b := callDirect(t, logs, tt.body())
				tt.use(t, b)
			}()
			want := "validate: " + tt.rule + ": "
			end := time.Now().Add(patience)
			for !strings.Contains(logs.String(), want) &&
				time.Now().Before(end) {
				if tt.gc {
					runtime.GC()
				}
				time.Sleep(10 * time.Millisecond)
			}
			assert.Contains(t, logs.String(), want,
				"env.Errors: Validate did not catch it")
		})
	}
	t.Run("Close reaches the app's Body once", func(t *testing.T) {
		logs := &logBuffer{}
		inner := counted(streaming("a"))
		b := callDirect(t, logs, inner)
		for {
			if _, err := b.Next(); err != nil {
				assert.Equal(t, io.EOF, err, "Next at the end")
				break
			}
		}
		assert.NoError(t, b.Close(), "Close")
		assert.Equal(t, int32(1), inner.n.Load(),
			"Close calls on the app's Body")
		expectNoViolation(t, logs)
	})
}

// callDirect calls Validate(app) as a server would, app answering 200
// and body, and returns the Body it gets.
func callDirect(t *testing.T, logs *logBuffer, body gateway.Body) gateway.Body {
	t.Helper()
	app := gateway.Validate(replying(func() gateway.Body { return body }))
	start := func(status string, headers [][2]string,
		excInfo error) (func([]byte) error, error) {
		return func([]byte) error { return nil }, nil
	}
	b, err := app.Call(goodEnviron(logs), start)
	require.NoError(t, err, "Validate(app).Call, a good app in a good "+
		"environ")
	require.NotNil(t, b, "the Body of Validate(app).Call")
	return b
}
