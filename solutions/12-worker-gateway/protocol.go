// This file is given: it needs no editing.

package httpd

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The protocol between the server and a worker. worker/worker.py
// describes it from the worker's side; the diagram of the lesson shows
// one request's life.
//
// A frame is one byte of kind, four bytes of length (big-endian) and
// that many bytes of payload. The server writes to the worker's fd 3
// and reads from its fd 4; the worker's stdout and stderr are the
// server's log.
//
//	server -> worker: Q (environ, JSON), B... (body), E | A
//	worker -> server: R once at start-up, then per request
//	                  S (status, headers), B... (body), E | X
//
// Every Q gets exactly one E or X back. A (abort) asks the worker to
// stop the request it is on: before E, the app never runs; during the
// response, the worker closes the app's iterable and answers E. X is
// an app that failed: before S the server answers 500, after S it
// aborts the response.
const (
	frameRequest = 'Q' // server: the environ of a request
	frameBody    = 'B' // both: body bytes
	frameEnd     = 'E' // both: the end of a request or response
	frameAbort   = 'A' // server: the client went away
	frameReady   = 'R' // worker: the app is loaded
	frameStart   = 'S' // worker: status line and header fields
	frameError   = 'X' // worker: the app failed (or did not load)
)

// maxFrame bounds a frame's payload: a longer one means the other side
// is not speaking the protocol.
const maxFrame = 16 << 20

// writeFrame writes one frame to bw. It does not flush: write the
// frames of a message, then Flush once, so they leave in one write.
func writeFrame(bw *bufio.Writer, kind byte, payload []byte) error {
	var h [5]byte
	h[0] = kind
	binary.BigEndian.PutUint32(h[1:], uint32(len(payload)))
	bw.Write(h[:])
	_, err := bw.Write(payload)
	return err
}

// readFrame reads one frame from br. The payload is read into *buf,
// which grows as needed: it is valid until the next call with the
// same buf. A worker that died shows as io.EOF or
// io.ErrUnexpectedEOF.
func readFrame(br *bufio.Reader, buf *[]byte) (kind byte, payload []byte, err error) {
	var h [5]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("gateway: frame %q of %d bytes: "+
			"not the protocol", h[0], n)
	}
	if cap(*buf) < int(n) {
		*buf = make([]byte, n)
	}
	payload = (*buf)[:n]
	if _, err := io.ReadFull(br, payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return h[0], payload, nil
}

// serverSoftware is SERVER_SOFTWARE in every environ.
const serverSoftware = "socket2gateway-gateway"

// appendEnviron appends the environ of r to b, as a JSON object of
// strings (and booleans for the wsgi.* keys): the CGI variables of PEP
// 3333 and wsgi.url_scheme and wsgi.multiprocess. The worker adds the
// rest (wsgi.input, wsgi.errors, wsgi.version, wsgi.multithread,
// wsgi.run_once).
//
// PEP 3333 wants "native strings" that hold the bytes as sent, one
// character per byte (latin-1): each byte of r becomes the character
// of the same number, and json.loads gives the worker exactly that.
//
// Content-Type and Content-Length become CONTENT_TYPE and
// CONTENT_LENGTH, never HTTP_*; other fields become HTTP_NAME, repeated
// fields joined with ",". A name with "_" is left out, as wsgiref does:
// X-Foo and X_Foo would both be HTTP_X_FOO. Transfer-Encoding and
// Expect are left out too: the server has read the body already (the
// worker sets CONTENT_LENGTH of a chunked body once it has it all).
// SERVER_NAME and SERVER_PORT come from Host, or are "localhost" and
// "80" for an HTTP/1.0 request without one.
func appendEnviron(b []byte, r *Request, multiprocess bool) []byte {
	host, port := "localhost", "80"
	if r.Host != "" {
		if h, p, err := net.SplitHostPort(r.Host); err == nil {
			host, port = h, p
		} else {
			host = strings.Trim(r.Host, "[]")
		}
	}
	raddr, rport, _ := net.SplitHostPort(r.RemoteAddr)
	path := r.Path
	if path == "*" {
		path = ""
	}
	b = append(b, '{')
	b = appendPair(b, "REQUEST_METHOD", r.Method)
	b = appendPair(b, "SCRIPT_NAME", "")
	b = appendPair(b, "PATH_INFO", path)
	b = appendPair(b, "QUERY_STRING", r.RawQuery)
	b = appendPair(b, "SERVER_NAME", host)
	b = appendPair(b, "SERVER_PORT", port)
	b = appendPair(b, "SERVER_PROTOCOL", r.Proto)
	b = appendPair(b, "SERVER_SOFTWARE", serverSoftware)
	b = appendPair(b, "GATEWAY_INTERFACE", "CGI/1.1")
	b = appendPair(b, "REMOTE_ADDR", raddr)
	b = appendPair(b, "REMOTE_PORT", rport)
	if v := r.Header.Get("Content-Type"); v != "" {
		b = appendPair(b, "CONTENT_TYPE", v)
	}
	if v := r.Header.Get("Content-Length"); v != "" && !r.Chunked {
		b = appendPair(b, "CONTENT_LENGTH",
			strconv.FormatInt(r.ContentLength, 10))
	}
	for name, values := range r.Header {
		switch name {
		case "Content-Type", "Content-Length", "Transfer-Encoding",
			"Expect":
			continue
		}
		if strings.Contains(name, "_") {
			continue
		}
		key := "HTTP_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		b = appendPair(b, key, strings.Join(values, ","))
	}
	b = append(b, `"wsgi.url_scheme":"http","wsgi.multiprocess":`...)
	b = strconv.AppendBool(b, multiprocess)
	return append(b, '}')
}

// appendPair appends "key":"value", to a JSON object.
func appendPair(b []byte, key, value string) []byte {
	b = appendJSONString(b, key)
	b = append(b, ':')
	b = appendJSONString(b, value)
	return append(b, ',')
}

// appendJSONString appends s as a JSON string in which every byte of s
// is the character of that number (latin-1), as PEP 3333 wants.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4],
				hexDigits[c&0xf])
		case c < 0x80:
			b = append(b, c)
		default:
			b = utf8.AppendRune(b, rune(c))
		}
	}
	return append(b, '"')
}

// parseStart reads the payload of an S frame, "NNN Reason" then
// "Name: value" lines separated by CRLF, and adds the fields to h.
// The worker has checked them already (worker.py's check); what does
// not parse here means a worker that does not speak the protocol.
func parseStart(payload []byte, h Header) (code int, err error) {
	lines := strings.Split(string(payload), "\r\n")
	status := lines[0]
	code, err = strconv.Atoi(status[:min(3, len(status))])
	if err != nil || code < 200 || code > 599 ||
		len(status) > 3 && status[3] != ' ' {
		return 0, fmt.Errorf("gateway: bad status %q from the worker",
			status)
	}
	fields := make([][2]string, 0, len(lines)-1)
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ": ")
		if !ok || name == "" || strings.ContainsAny(line, "\r\n\x00") {
			return 0, fmt.Errorf("gateway: bad header line %q from "+
				"the worker", line)
		}
		fields = append(fields, [2]string{name, value})
	}
	for _, f := range fields {
		h.Add(f[0], f[1])
	}
	return code, nil
}

//go:embed worker/worker.py
var workerScript []byte

var (
	scriptOnce sync.Once
	scriptFile string
	scriptErr  error
)

// workerPath returns the path of a copy of worker/worker.py, which is
// built into the program: the copy is written once per process, to a
// file in the temporary folder named for its contents.
func workerPath() (string, error) {
	scriptOnce.Do(func() {
		sum := sha256.Sum256(workerScript)
		name := filepath.Join(os.TempDir(), "socket2gateway-worker-"+
			hex.EncodeToString(sum[:6])+".py")
		if b, err := os.ReadFile(name); err == nil &&
			bytes.Equal(b, workerScript) {
			scriptFile = name
			return
		}
		f, err := os.CreateTemp(os.TempDir(), "socket2gateway-worker-*")
		if err != nil {
			scriptErr = err
			return
		}
		_, err = f.Write(workerScript)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), name)
		}
		if err != nil {
			os.Remove(f.Name())
			scriptErr = fmt.Errorf("gateway: writing worker.py: %w", err)
			return
		}
		scriptFile = name
	})
	return scriptFile, scriptErr
}

// errNotProtocol is returned when a worker sends a frame that has no
// place where it came.
var errNotProtocol = errors.New("gateway: the worker broke the protocol")
