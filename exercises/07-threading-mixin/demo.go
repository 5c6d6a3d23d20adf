// This file is given: it needs no editing.

package httpd

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Demo returns the lesson's demo handler, which `tutor run 7` serves:
//
//	GET /            200, which strategy serves you, and how many
//	                 requests are in a handler right now
//	GET /slow?ms=N   200 after N milliseconds (at most 10000)
//	GET /hello       "Hello, world!", what `tutor bench` measures
//
// Any other path is 404; a method a path lacks is 501. strategy
// describes the server's strategy ("pool of 16 workers, queue 64").
func Demo(strategy string) Handler {
	var busy atomic.Int64 // requests in a handler right now
	routes := map[string]Handler{
		"/": Methods{"GET": func(w ResponseWriter, r *Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintf(w, "Lesson 7: the threading mixin\n"+
				"strategy: %s\n"+
				"requests in a handler now: %d (yours included)\n",
				strategy, busy.Load())
		}},
		"/slow": Methods{"GET": Slow},
		"/hello": Methods{"GET": func(w ResponseWriter, r *Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Write([]byte("Hello, world!\n"))
		}},
	}
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		busy.Add(1)
		defer busy.Add(-1)
		h, ok := routes[r.Path]
		if !ok {
			Error(w, 404, "File not found")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Slow answers GET /slow?ms=N after N milliseconds, at most 10000:
// a handler that waits, for a database or another server, while its
// goroutine does nothing.
func Slow(w ResponseWriter, r *Request) {
	q, _ := url.ParseQuery(r.RawQuery)
	ms, err := strconv.Atoi(q.Get("ms"))
	if err != nil || ms < 0 || ms > 10000 {
		Error(w, 400, "Give ms, a number of milliseconds up to 10000.")
		return
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	fmt.Fprintf(w, "Answered after %d ms.\n", ms)
}

// Conformance returns the handler the conformance suite needs (see
// exercises/internal/conformance/responses.go): /echo, /big, /empty
// and /notmod, and for any other request, 200 and "ok\n" after reading
// the whole body.
func Conformance() Handler {
	routes := map[string]Handler{
		"/echo":   Methods{"POST": echo},
		"/big":    Methods{"GET": big},
		"/empty":  Methods{"GET": status(204)},
		"/notmod": Methods{"GET": status(304)},
	}
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		if h, ok := routes[r.Path]; ok {
			h.ServeHTTP(w, r)
			return
		}
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			bodyError(w, err)
			return
		}
		io.WriteString(w, "ok\n")
	})
}

// maxEcho bounds the body /echo accepts.
const maxEcho = 1 << 20

func echo(w ResponseWriter, r *Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEcho+1))
	switch {
	case err != nil:
		bodyError(w, err)
	case len(body) > maxEcho:
		Error(w, 413, fmt.Sprintf("Bodies stop at %d bytes.", maxEcho))
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(body)
	}
}

// bodyError answers a request whose body could not be read.
func bodyError(w ResponseWriter, err error) {
	var se *StatusError
	if errors.As(err, &se) {
		Error(w, se.Code, se.Reason)
		return
	}
	Error(w, 400, "The body could not be read.")
}

// bigLine repeated bigSize/len(bigLine) times is the body of /big.
const (
	bigLine = "0123456789abcdef"
	bigSize = 128 << 10
)

func big(w ResponseWriter, r *Request) {
	piece := []byte(strings.Repeat(bigLine, 8<<10/len(bigLine)))
	for n := 0; n < bigSize; n += len(piece) {
		if _, err := w.Write(piece); err != nil {
			return
		}
	}
}

func status(code int) HandlerFunc {
	return func(w ResponseWriter, r *Request) { w.WriteHeader(code) }
}
