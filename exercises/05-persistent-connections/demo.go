// This file is given: it needs no editing.

package httpd

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Demo returns the lesson's demo handler: `tutor run 5` serves it and
// the tests use it:
//
//	GET  /        200, a short HTML page
//	POST /echo    200, the request body back
//	GET  /big     200, 128 KiB of "0123456789abcdef" repeated
//	GET  /empty   204 No Content
//	GET  /notmod  304 Not Modified
//
// and adds GET /slow?ms=N, which answers after N milliseconds (at most
// 10 s), GET /stream, ten lines a fifth of a second apart, and GET
// /hello, the hello world `tutor bench` measures every server with. Any
// other path is 404; a method a path lacks is 501.
//
// The page at / shows the client's address and how many requests
// came from it: each connection has a port of its own, so a count
// above 1 means the browser kept the connection alive.
func Demo() Handler {
	var seen visits
	routes := map[string]Handler{
		"/":       Methods{"GET": seen.index},
		"/echo":   Methods{"POST": echo},
		"/big":    Methods{"GET": big},
		"/empty":  Methods{"GET": status(204)},
		"/notmod": Methods{"GET": status(304)},
		"/slow":   Methods{"GET": slow},
		"/stream": Methods{"GET": stream},
		"/hello":  Methods{"GET": Hello},
	}
	return HandlerFunc(func(w ResponseWriter, r *Request) {
		h, ok := routes[r.Path]
		if !ok {
			Error(w, 404, "File not found")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// visits counts requests by client address.
type visits struct {
	mu    sync.Mutex
	count map[string]int // guarded by mu
}

func (v *visits) index(w ResponseWriter, r *Request) {
	v.mu.Lock()
	if v.count == nil || len(v.count) > 10000 {
		v.count = map[string]int{} // forget old clients
	}
	v.count[r.RemoteAddr]++
	n := v.count[r.RemoteAddr]
	v.mu.Unlock()

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, page, html.EscapeString(r.RemoteAddr), n)
}

const page = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Lesson 5</title></head>
<body>
<h1>Persistent connections</h1>
<p>You are <code>%s</code>, and this is request <b>%d</b>
from that address and port.</p>
<p>Reload the page. If the count goes up, your browser kept the
connection alive. If the port changes, it opened a new one.</p>
<ul>
<li><a href="/stream">/stream</a>: ten chunks, a fifth of a second
apart</li>
<li><a href="/slow?ms=2000">/slow?ms=2000</a>: an answer after two
seconds</li>
<li><a href="/big">/big</a>: 128 KiB, chunked</li>
</ul>
</body>
</html>
`

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

// Conformance returns the handler the conformance suite needs (see
// exercises/internal/conformance/responses.go): /echo, /big, /empty
// and /notmod as in Demo, and for any other request, 200 and "ok\n"
// after reading the whole body.
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

func slow(w ResponseWriter, r *Request) {
	q, _ := url.ParseQuery(r.RawQuery)
	ms, err := strconv.Atoi(q.Get("ms"))
	if err != nil || ms < 0 || ms > 10000 {
		Error(w, 400, "Give ms, a number of milliseconds up to 10000.")
		return
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	fmt.Fprintf(w, "Answered after %d ms.\n", ms)
}

func stream(w ResponseWriter, r *Request) {
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(w, "chunk %d of 10 at %s\n", i,
			time.Now().Format("15:04:05.000"))
		if err := w.Flush(); err != nil {
			return
		}
		if i < 10 {
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// Hello answers "Hello, world!": the page `tutor bench` asks every
// server of the workbook for.
func Hello(w ResponseWriter, r *Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("Hello, world!\n"))
}
