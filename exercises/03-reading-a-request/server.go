// This file is given: it needs no editing.

package httpd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"time"
)

// ConnTimeout bounds one connection: reading the request, answering and
// closing. A client that stays longer is cut off.
const ConnTimeout = 10 * time.Second

// Serve accepts connections on ln until ln is closed, and serves each in
// a goroutine of its own: it reads ONE request with ReadRequest, answers
// 200 with a plain-text summary of what it read (see Summary), or the
// status of a *StatusError, and closes the connection. Keeping a
// connection open for more requests is lesson 5's work.
//
// When ln is closed, Serve closes the connections still open, waits
// for their goroutines and returns nil.
func Serve(ln net.Listener) error {
	var (
		mu    sync.Mutex
		conns = map[net.Conn]bool{} // guarded by mu
		wg    sync.WaitGroup
	)
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			mu.Lock()
			for c := range conns {
				c.Close()
			}
			mu.Unlock()
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		mu.Lock()
		conns[c] = true
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
}

// serveConn serves one request on c, then closes c.
func serveConn(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(ConnTimeout))
	br := bufio.NewReader(c)
	req, err := ReadRequest(br, Limits{})
	if err == io.EOF {
		return // the client left without a word
	}
	var body string
	if err == nil {
		req.RemoteAddr = c.RemoteAddr().String()
		body, err = Summary(req)
	}
	code := 200
	if err != nil {
		code, body = errorPage(err)
	}
	if req != nil && req.Method == "HEAD" && err == nil {
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n"+
			"Content-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	} else {
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n"+
			"Content-Length: %d\r\nConnection: close\r\n\r\n%s",
			code, StatusText(code), len(body), body)
	}
	closeGently(c)
}

// errorPage returns the status and body that answer err: the status of
// a *StatusError, 500 for any other error.
func errorPage(err error) (int, string) {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code, fmt.Sprintf("%d %s: %s\n", se.Code,
			StatusText(se.Code), se.Reason)
	}
	return 500, fmt.Sprintf("500 %s: %v\n", StatusText(500), err)
}

// closeGently ends the answer with a FIN, then reads and drops what the
// client still sends, for a moment, before closing. Closing a socket
// with unread bytes in it makes the kernel send a reset, and a reset
// can destroy the answer before the client reads it (net/http does the
// same, in closeWriteAndWait).
func closeGently(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// Summary reads req's whole body and describes the request, one
// property a line; the body follows, as sent:
//
//	method  POST
//	target  /a%20b?x=1
//	path    "/a b"
//	query   "x=1"
//	version HTTP/1.1
//	host    "example.com"
//	field   Content-Length: "5"
//	field   Host: "example.com"
//	body    5 bytes, by Content-Length
//	hello
//
// Fields are sorted by name, each value on its own line. The error is
// the body's: a *StatusError for a malformed body.
func Summary(req *Request) (string, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "method  %s\n", req.Method)
	fmt.Fprintf(&b, "target  %s\n", req.Target)
	fmt.Fprintf(&b, "path    %q\n", req.Path)
	fmt.Fprintf(&b, "query   %q\n", req.RawQuery)
	fmt.Fprintf(&b, "version %s\n", req.Proto)
	fmt.Fprintf(&b, "host    %q\n", req.Host)
	names := make([]string, 0, len(req.Header))
	for name := range req.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range req.Header[name] {
			fmt.Fprintf(&b, "field   %s: %q\n", name, v)
		}
	}
	switch {
	case req.Chunked:
		fmt.Fprintf(&b, "body    %d bytes, chunked\n", len(body))
	case req.ContentLength > 0:
		fmt.Fprintf(&b, "body    %d bytes, by Content-Length\n", len(body))
	default:
		fmt.Fprintf(&b, "body    none\n")
	}
	b.Write(body)
	return b.String(), nil
}
