// This file is given: it needs no editing.

package httpd

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Demo returns the lesson's demo handler: `tutor run 4` serves it and
// the tests use it:
//
//	GET  /        200, a short text body
//	POST /echo    200, the request body back
//	GET  /big     200, 128 KiB of "0123456789abcdef" repeated
//	GET  /empty   204 No Content
//	GET  /notmod  304 Not Modified
//
// and adds GET /hello?name=NAME and GET /secret, an error page. Any
// other path is 404; a method a path lacks is 501.
func Demo() Handler {
	routes := map[string]Handler{
		"/":       Methods{"GET": index},
		"/echo":   Methods{"POST": echo},
		"/big":    Methods{"GET": big},
		"/empty":  Methods{"GET": status(204)},
		"/notmod": Methods{"GET": status(304)},
		"/hello":  Methods{"GET": hello},
		"/secret": Methods{"GET": secret},
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

func index(w ResponseWriter, r *Request) {
	io.WriteString(w, "Hello from lesson 4!\n"+
		"Try /hello?name=you, /big, /empty, /notmod, /secret\n"+
		"and POST /echo.\n")
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

func hello(w ResponseWriter, r *Request) {
	name := "world"
	for _, kv := range strings.Split(r.RawQuery, "&") {
		v, ok := strings.CutPrefix(kv, "name=")
		if v, err := url.QueryUnescape(v); ok && err == nil && v != "" {
			name = v
		}
	}
	fmt.Fprintf(w, "Hello, %s!\n", name)
}

func secret(w ResponseWriter, r *Request) {
	Error(w, 403, "You may not see the secret.")
}
