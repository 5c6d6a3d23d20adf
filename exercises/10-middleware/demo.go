// This file is given: it needs no editing.

package gateway

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Demo returns the app `tutor run 9` serves. Like the demo_app of
// Python's wsgiref.simple_server, it answers every request with the
// environ it was given, and the request body, if any (up to 64 KiB).
// Two paths do something else:
//
//	/stream  three lines, half a second apart: each leaves at once
//	/fail    a line, then the app fails: the response is cut short
func Demo() App {
	return AppFunc(func(env *Environ, start StartResponse) (Body, error) {
		switch env.Vars["PATH_INFO"] {
		case "/stream":
			return stream(start)
		case "/fail":
			return failing(start)
		}
		return showEnviron(env, start)
	})
}

func showEnviron(env *Environ, start StartResponse) (Body, error) {
	body, err := io.ReadAll(io.LimitReader(env.Input, 64<<10))
	if err != nil {
		return nil, err // the client's error: the gateway answers it
	}
	var b strings.Builder
	b.WriteString("Hello world!\n\n")
	names := make([]string, 0, len(env.Vars))
	for k := range env.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, "%s = %q\n", k, env.Vars[k])
	}
	fmt.Fprintf(&b, "\nVersion (wsgi.version) = %v\n", env.Version)
	fmt.Fprintf(&b, "URLScheme (wsgi.url_scheme) = %q\n", env.URLScheme)
	fmt.Fprintf(&b, "Multithread (wsgi.multithread) = %t\n",
		env.Multithread)
	fmt.Fprintf(&b, "Multiprocess (wsgi.multiprocess) = %t\n",
		env.Multiprocess)
	fmt.Fprintf(&b, "RunOnce (wsgi.run_once) = %t\n", env.RunOnce)
	fmt.Fprintf(&b, "Input (wsgi.input) = %d bytes: %q\n", len(body),
		body)
	_, err = start("200 OK", [][2]string{
		{"Content-Type", "text/plain; charset=utf-8"},
	}, nil)
	if err != nil {
		return nil, err
	}
	return List([]byte(b.String())), nil
}

// stream is the body of /stream: each line leaves before the app
// sleeps, so curl -N shows them one by one.
func stream(start StartResponse) (Body, error) {
	_, err := start("200 OK", [][2]string{
		{"Content-Type", "text/plain; charset=utf-8"},
	}, nil)
	if err != nil {
		return nil, err
	}
	return &lines{n: 3, pause: 500 * time.Millisecond}, nil
}

type lines struct {
	i, n  int
	pause time.Duration
}

func (l *lines) Next() ([]byte, error) {
	if l.i == l.n {
		return nil, io.EOF
	}
	if l.i > 0 {
		time.Sleep(l.pause)
	}
	l.i++
	return fmt.Appendf(nil, "line %d of %d at %s\n", l.i, l.n,
		time.Now().Format("15:04:05.000")), nil
}

func (l *lines) Close() error { return nil }

// failing is the app of /fail: its body fails after its first chunk.
func failing(start StartResponse) (Body, error) {
	_, err := start("200 OK", [][2]string{
		{"Content-Type", "text/plain; charset=utf-8"},
	}, nil)
	if err != nil {
		return nil, err
	}
	return &brokenBody{}, nil
}

type brokenBody struct{ sent bool }

func (b *brokenBody) Next() ([]byte, error) {
	if b.sent {
		return nil, errors.New("demo: the database went away")
	}
	b.sent = true
	return []byte("Here are your 3 records:\nrecord 1\n"), nil
}

func (b *brokenBody) Close() error { return nil }

// Hello returns an app that answers "Hello, World!" to everything: the
// app the benchmark (bench/gateway) runs.
func Hello() App {
	return AppFunc(func(env *Environ, start StartResponse) (Body, error) {
		if _, err := start("200 OK", helloHeaders, nil); err != nil {
			return nil, err
		}
		return List(helloBody), nil
	})
}

var (
	helloHeaders = [][2]string{{"Content-Type", "text/plain"}}
	helloBody    = []byte("Hello, World!\n")
)

// Conformance returns the app the conformance suite needs (see
// exercises/internal/conformance/responses.go):
//
//	POST /echo    200, the request body back
//	GET  /big     200, 128 KiB streamed in 8 KiB chunks: chunked
//	GET  /empty   204 No Content
//	GET  /notmod  304 Not Modified
//	anything else 200 and "ok\n", after reading the whole body
//
// A body that cannot be read fails the app with the error Input gave,
// and the gateway answers its status.
func Conformance() App {
	return AppFunc(func(env *Environ, start StartResponse) (Body, error) {
		status, ctype := "200 OK", "text/plain; charset=utf-8"
		var body Body
		switch env.Vars["PATH_INFO"] {
		case "/echo":
			b, err := io.ReadAll(io.LimitReader(env.Input, 1<<20))
			if err != nil {
				return nil, err
			}
			ctype, body = "application/octet-stream", List(b)
		case "/big":
			body = &bigBody{}
		case "/empty":
			status, body = "204 No Content", List()
		case "/notmod":
			status, body = "304 Not Modified", List()
		default:
			if _, err := io.Copy(io.Discard, env.Input); err != nil {
				return nil, err
			}
			body = List([]byte("ok\n"))
		}
		headers := [][2]string{{"Content-Type", ctype}}
		if _, err := start(status, headers, nil); err != nil {
			return nil, err
		}
		return body, nil
	})
}

// bigBody is /big: 128 KiB of "0123456789abcdef", 8 KiB a chunk.
type bigBody struct{ sent int }

var bigPiece = []byte(strings.Repeat("0123456789abcdef", 8<<10/16))

func (b *bigBody) Next() ([]byte, error) {
	if b.sent == 128<<10 {
		return nil, io.EOF
	}
	b.sent += len(bigPiece)
	return bigPiece, nil
}

func (b *bigBody) Close() error { return nil }
