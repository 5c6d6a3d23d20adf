// This file is given: it needs no editing.

// Package httpd is the workbook's HTTP/1.1 server, built over lessons 3
// to 6: reading a request (request.go), writing a response (response.go),
// persistent connections (conn.go) and serving files (files.go).
package httpd

import (
	"fmt"
	"io"
	"net/textproto"
	"strings"
)

// Header holds the fields of a message header, keyed by canonical name
// ("Content-Type"). A field that appears more than once keeps every value,
// in order.
type Header map[string][]string

// Get returns the first value of the named field, or "".
func (h Header) Get(name string) string {
	if v := h[textproto.CanonicalMIMEHeaderKey(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns every value of the named field.
func (h Header) Values(name string) []string {
	return h[textproto.CanonicalMIMEHeaderKey(name)]
}

// Add appends a value to the named field.
func (h Header) Add(name, value string) {
	k := textproto.CanonicalMIMEHeaderKey(name)
	h[k] = append(h[k], value)
}

// Set replaces the named field's values with value.
func (h Header) Set(name, value string) {
	h[textproto.CanonicalMIMEHeaderKey(name)] = []string{value}
}

// Del removes the named field.
func (h Header) Del(name string) {
	delete(h, textproto.CanonicalMIMEHeaderKey(name))
}

// Has reports whether the named field is present.
func (h Header) Has(name string) bool {
	_, ok := h[textproto.CanonicalMIMEHeaderKey(name)]
	return ok
}

// HasToken reports whether a comma-separated field (Connection,
// Transfer-Encoding, Expect) lists token, ignoring case.
func (h Header) HasToken(name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// Request is a request as read from a connection by ReadRequest.
type Request struct {
	// Method is the request method ("GET"), case-sensitive.
	Method string
	// Target is the request-target exactly as sent ("/a%20b?x=1").
	Target string
	// Path is the target's path, percent-decoded ("/a b").
	Path string
	// RawQuery is the target's query without the "?" ("x=1").
	RawQuery string
	// Proto is the version as sent ("HTTP/1.1"); Major and Minor are
	// its numbers.
	Proto        string
	Major, Minor int
	// Header holds the header fields.
	Header Header
	// Host is the Host field (or the authority of an absolute target).
	Host string
	// ContentLength is the body's length: -1 when the body is chunked,
	// 0 when there is none.
	ContentLength int64
	// Chunked is true when the body uses the chunked transfer coding.
	Chunked bool
	// Body reads the body, decoded: exactly ContentLength bytes, or the
	// chunks until the last one. It returns io.EOF at the end, and a
	// *StatusError if the body is malformed or cut short. It is never
	// nil. The connection's reader stays positioned right after the body,
	// so the next pipelined request can be read once Body is drained.
	Body io.Reader
	// RemoteAddr is the client's address, set by the server.
	RemoteAddr string
}

// KeepAlive reports whether the client is willing to reuse the connection
// after this request: HTTP/1.1 unless it sent "Connection: close",
// HTTP/1.0 only if it sent "Connection: keep-alive" (RFC 9112 §9.3).
func (r *Request) KeepAlive() bool {
	if r.Header.HasToken("Connection", "close") {
		return false
	}
	if r.Major == 1 && r.Minor >= 1 {
		return true
	}
	return r.Header.HasToken("Connection", "keep-alive")
}

// ExpectsContinue reports whether the client sent "Expect: 100-continue"
// and waits for a 100 response before sending the body.
func (r *Request) ExpectsContinue() bool {
	return r.Major == 1 && r.Minor >= 1 && r.Header.HasToken("Expect", "100-continue")
}

// Limits bound what ReadRequest accepts.
type Limits struct {
	// MaxRequestLine bounds the request line, CRLF excluded; a longer
	// one is answered 414 URI Too Long. Zero means 8192.
	MaxRequestLine int
	// MaxHeaderBytes bounds the header section, line endings included;
	// a larger one is answered 431. Zero means 65536.
	MaxHeaderBytes int
}

func (l Limits) requestLine() int {
	if l.MaxRequestLine > 0 {
		return l.MaxRequestLine
	}
	return 8192
}

func (l Limits) headerBytes() int {
	if l.MaxHeaderBytes > 0 {
		return l.MaxHeaderBytes
	}
	return 65536
}

// StatusError is an error that has an HTTP status: the one the server
// answers with when a request fails with it.
type StatusError struct {
	Code   int    // 400, 414, 431, 501, 505
	Reason string // why, for logs and for the error page
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("httpd: %d %s: %s", e.Code, StatusText(e.Code), e.Reason)
}

func statusErrorf(code int, format string, args ...any) *StatusError {
	return &StatusError{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// StatusText returns the reason phrase of a status code (RFC 9110 §15),
// or "" for a code it does not know.
func StatusText(code int) string {
	return statusText[code]
}

var statusText = map[int]string{
	100: "Continue",
	101: "Switching Protocols",
	200: "OK",
	201: "Created",
	202: "Accepted",
	204: "No Content",
	206: "Partial Content",
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	304: "Not Modified",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request",
	401: "Unauthorized",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	408: "Request Timeout",
	411: "Length Required",
	413: "Content Too Large",
	414: "URI Too Long",
	415: "Unsupported Media Type",
	417: "Expectation Failed",
	431: "Request Header Fields Too Large",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway",
	503: "Service Unavailable",
	504: "Gateway Timeout",
	505: "HTTP Version Not Supported",
}
