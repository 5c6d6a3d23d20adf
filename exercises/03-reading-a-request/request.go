package httpd

import (
	"bufio"
	"errors"
	"strings"
)

// knownMethods are the methods of RFC 9110 §9 plus PATCH (RFC 5789).
// Any other well-formed method gets 501 Not Implemented.
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true,
}

// errNotImplemented is what the stub returns: the server answers it
// with 500 until ReadRequest works.
var errNotImplemented = errors.New("httpd: ReadRequest not implemented")

// ReadRequest reads one request's line and header section from br and
// returns the request with a Body positioned at its first byte.
//
// It returns io.EOF when the connection ends before the request starts
// (a client closing an idle keep-alive connection), and a *StatusError
// for a request the server must refuse: 400 for anything malformed or
// ambiguous, 414 for a request line over the limit, 431 for a header
// section over the limit, 501 for an unknown method or transfer coding,
// 505 for a major version other than 1. After such an error the
// connection cannot be trusted and must be closed.
func ReadRequest(br *bufio.Reader, lim Limits) (*Request, error) {
	// TODO: read the request line (RFC 9112 §3): at most
	// lim.requestLine() bytes before its CRLF (longer: 414), a bare LF
	// accepted as its end, empty lines before it skipped (§2.2), io.EOF
	// if the connection ends before its first byte. A CR anywhere else
	// is a 400.

	// TODO: split it into METHOD SP request-target SP HTTP-version,
	// exactly one space between the parts (400). The method is a token
	// (400), the version HTTP/D.D (400); a major version other than 1
	// is 505, a method not in knownMethods is 501. Fill Method, Target,
	// Proto, Major, Minor; Path (percent-decoded) and RawQuery from the
	// target (url.PathUnescape).

	// TODO: read field lines up to the empty line (§5), at most
	// lim.headerBytes() bytes in all (431). Each is name ":" value:
	// the name a token with nothing between it and the colon (so
	// "Host : x" is a 400), the value trimmed of spaces and tabs and
	// free of control bytes (400). Keep every value: Header.Add.

	// TODO: an HTTP/1.1 request has exactly one Host (§3.2), else 400.

	// TODO: work out the body's length (§6.3) and set Body,
	// ContentLength and Chunked. Content-Length together with
	// Transfer-Encoding, Content-Lengths that disagree, a sign, a
	// space or an overflow: 400. A coding other than chunked: 501.
	// Body reads exactly the body (§6.3, §7.1 for chunks) and no byte
	// more, so the next pipelined request stays in br. Chunk lines end
	// in CRLF only: no bare LF there.
	return nil, errNotImplemented
}

// isToken reports whether s is a token (RFC 9110 §5.6.2): the shape of
// a method and of a field name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
