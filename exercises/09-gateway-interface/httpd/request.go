package httpd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// knownMethods are the methods of RFC 9110 §9 plus PATCH (RFC 5789).
// Any other well-formed method gets 501 Not Implemented.
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true,
}

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
	line, err := readRequestLine(br, lim.requestLine())
	if err != nil {
		return nil, err
	}
	req := &Request{Header: Header{}}
	if err := parseRequestLine(req, line); err != nil {
		return nil, err
	}
	if err := readHeader(br, req.Header, lim.headerBytes()); err != nil {
		return nil, err
	}
	if err := req.checkHost(); err != nil {
		return nil, err
	}
	if err := req.setBody(br); err != nil {
		return nil, err
	}
	return req, nil
}

// readRequestLine returns the request line without its line ending,
// skipping empty lines before it (RFC 9112 §2.2).
func readRequestLine(br *bufio.Reader, max int) (string, error) {
	for skipped := 0; ; skipped++ {
		line, err := readLine(br, max)
		switch {
		case errors.Is(err, errLineTooLong):
			return "", statusErrorf(414, "request line longer than %d bytes", max)
		case err == io.EOF && skipped == 0 && line == "":
			return "", io.EOF
		case err != nil:
			return "", statusErrorf(400, "connection closed inside the request line")
		case line == "" && skipped < 4:
			continue
		}
		return line, nil
	}
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line of at most max bytes (its ending excluded). It
// accepts CRLF and a bare LF as the ending (RFC 9112 §2.2), and refuses a
// CR anywhere else.
func readLine(br *bufio.Reader, max int) (string, error) {
	line, _, err := readLineEnding(br, max)
	return line, err
}

// readChunkLine reads a line of the chunked coding: like readLine, but
// only CRLF ends it. The leniency of §2.2 is for the header; a bare LF
// in a chunk line (RFC 9112 errata 7633) is a classic desync, where a
// proxy in front reads the chunks differently.
func readChunkLine(br *bufio.Reader, max int) (string, error) {
	line, crlf, err := readLineEnding(br, max)
	if err == nil && !crlf {
		return "", statusErrorf(400, "chunk line ends in a bare LF")
	}
	return line, err
}

// readLineEnding is readLine that also reports whether the line ended
// in CRLF.
func readLineEnding(br *bufio.Reader, max int) (string, bool, error) {
	var buf []byte
	for {
		frag, err := br.ReadSlice('\n')
		buf = append(buf, frag...)
		if len(buf) > max+2 {
			return "", false, errLineTooLong
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return string(buf), false, err
		}
		break
	}
	buf = buf[:len(buf)-1]
	crlf := bytes.HasSuffix(buf, []byte{'\r'})
	buf = bytes.TrimSuffix(buf, []byte{'\r'})
	if len(buf) > max {
		return "", false, errLineTooLong
	}
	if bytes.IndexByte(buf, '\r') >= 0 {
		return "", false, &StatusError{Code: 400, Reason: "bare CR in a line"}
	}
	return string(buf), crlf, nil
}

// parseRequestLine parses "METHOD SP request-target SP HTTP-version"
// (RFC 9112 §3): exactly one space between the parts.
func parseRequestLine(req *Request, line string) error {
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method == "" || target == "" || strings.Contains(proto, " ") {
		return statusErrorf(400, "malformed request line %q", line)
	}
	if !isToken(method) {
		return statusErrorf(400, "method %q is not a token", method)
	}
	major, minor, ok := parseVersion(proto)
	if !ok {
		return statusErrorf(400, "malformed HTTP version %q", proto)
	}
	if major != 1 {
		return statusErrorf(505, "HTTP version %q is not supported", proto)
	}
	if !knownMethods[method] {
		return statusErrorf(501, "method %q is not implemented", method)
	}
	req.Method, req.Target, req.Proto = method, target, proto
	req.Major, req.Minor = major, minor
	return parseTarget(req)
}

// parseVersion parses "HTTP/D.D" (RFC 9112 §2.3).
func parseVersion(s string) (major, minor int, ok bool) {
	if len(s) != len("HTTP/1.1") || !strings.HasPrefix(s, "HTTP/") || s[6] != '.' {
		return 0, 0, false
	}
	if !isDigit(s[5]) || !isDigit(s[7]) {
		return 0, 0, false
	}
	return int(s[5] - '0'), int(s[7] - '0'), true
}

// parseTarget splits the request-target into Path and RawQuery. It
// accepts origin-form ("/p?q"), absolute-form ("http://h/p?q") and
// asterisk-form ("*", OPTIONS only) (RFC 9112 §3.2).
func parseTarget(req *Request) error {
	t := req.Target
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c == 0x7f {
			return statusErrorf(400, "control character or space in the request target")
		}
	}
	switch {
	case t == "*":
		if req.Method != "OPTIONS" {
			return statusErrorf(400, "target * is only for OPTIONS")
		}
		req.Path = "*"
		return nil
	case strings.HasPrefix(t, "/"):
		p, q, _ := strings.Cut(t, "?")
		path, err := url.PathUnescape(p)
		if err != nil {
			return statusErrorf(400, "bad percent-encoding in %q", p)
		}
		req.Path, req.RawQuery = path, q
		return nil
	}
	u, err := url.ParseRequestURI(t)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return statusErrorf(400, "unsupported request target %q", t)
	}
	req.Path, req.RawQuery, req.Host = u.Path, u.RawQuery, u.Host
	if req.Path == "" {
		req.Path = "/"
	}
	return nil
}

// readHeader reads field lines up to the empty line that ends the header
// section (RFC 9112 §5), at most max bytes in all.
func readHeader(br *bufio.Reader, h Header, max int) error {
	total := 0
	for {
		line, err := readLine(br, max-total)
		if errors.Is(err, errLineTooLong) {
			return statusErrorf(431, "header section larger than %d bytes", max)
		}
		if err != nil {
			var se *StatusError
			if errors.As(err, &se) {
				return se
			}
			return statusErrorf(400, "connection closed inside the header section")
		}
		total += len(line) + 2
		if total > max {
			return statusErrorf(431, "header section larger than %d bytes", max)
		}
		if line == "" {
			return nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			return statusErrorf(400, "obsolete line folding")
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return statusErrorf(400, "field line without a colon: %q", line)
		}
		if !isToken(name) {
			// This also refuses "Host : x": no whitespace is allowed
			// between the name and the colon (RFC 9112 §5.1).
			return statusErrorf(400, "bad field name %q", name)
		}
		value = strings.Trim(value, " \t")
		for i := 0; i < len(value); i++ {
			if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
				return statusErrorf(400, "control character in field %s", name)
			}
		}
		h.Add(name, value)
	}
}

// checkHost enforces exactly one Host field on HTTP/1.1 (RFC 9112 §3.2).
func (req *Request) checkHost() error {
	hosts := req.Header.Values("Host")
	switch {
	case len(hosts) > 1:
		return statusErrorf(400, "more than one Host field")
	case len(hosts) == 0 && req.Minor >= 1:
		return statusErrorf(400, "HTTP/1.1 request without a Host field")
	case len(hosts) == 1:
		if strings.ContainsAny(hosts[0], " \t/?#@") {
			return statusErrorf(400, "malformed Host %q", hosts[0])
		}
		if req.Host == "" {
			req.Host = hosts[0]
		}
	}
	return nil
}

// setBody works out the body's framing (RFC 9112 §6.3) and refuses any
// request whose length two parties could read differently.
func (req *Request) setBody(br *bufio.Reader) error {
	te, hasTE := req.Header["Transfer-Encoding"]
	cl, hasCL := req.Header["Content-Length"]
	switch {
	case hasTE && hasCL:
		return statusErrorf(400, "both Transfer-Encoding and Content-Length")
	case hasTE:
		if req.Minor == 0 {
			return statusErrorf(400, "Transfer-Encoding in an HTTP/1.0 request")
		}
		codings := strings.Split(strings.Join(te, ","), ",")
		if len(codings) != 1 || !strings.EqualFold(strings.TrimSpace(codings[0]), "chunked") {
			return statusErrorf(501, "transfer coding %q is not supported", strings.Join(te, ", "))
		}
		req.Chunked, req.ContentLength = true, -1
		req.Body = &chunkedReader{br: br}
		return nil
	case hasCL:
		n, err := parseContentLength(cl)
		if err != nil {
			return err
		}
		req.ContentLength = n
		req.Body = &lengthReader{br: br, left: n}
		return nil
	}
	req.Body = eofReader{}
	return nil
}

// parseContentLength accepts one or more copies of the same decimal
// number, as separate fields or a comma list (RFC 9110 §8.6), and refuses
// signs, spaces, overflow and disagreement.
func parseContentLength(values []string) (int64, error) {
	n := int64(-1)
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
				return 0, statusErrorf(400, "bad Content-Length %q", v)
			}
			m, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return 0, statusErrorf(400, "bad Content-Length %q", v)
			}
			if n >= 0 && m != n {
				return 0, statusErrorf(400, "conflicting Content-Length values")
			}
			n = m
		}
	}
	return n, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// lengthReader reads exactly left bytes of a Content-Length body.
type lengthReader struct {
	br   *bufio.Reader
	left int64
}

func (r *lengthReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.br.Read(p)
	r.left -= int64(n)
	if err == io.EOF {
		return n, statusErrorf(400, "body ended %d bytes short of its Content-Length", r.left)
	}
	return n, err
}

// chunkedReader decodes the chunked transfer coding (RFC 9112 §7.1).
type chunkedReader struct {
	br   *bufio.Reader
	left int64 // bytes left in the current chunk
	err  error // sticky: io.EOF after the last chunk, or the failure
}

func (r *chunkedReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.left == 0 {
		size, err := r.nextChunk()
		if err != nil {
			r.err = err
			return 0, err
		}
		if size == 0 {
			r.err = r.readTrailer()
			if r.err == nil {
				r.err = io.EOF
			}
			return 0, r.err
		}
		r.left = size
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.br.Read(p)
	r.left -= int64(n)
	if err == io.EOF {
		err = statusErrorf(400, "connection closed inside a chunk")
	}
	if err == nil && r.left == 0 {
		err = r.chunkEnd()
	}
	if err != nil {
		r.err = err
	}
	return n, err
}

// nextChunk reads a chunk-size line: hex digits, then optional
// extensions (ignored).
func (r *chunkedReader) nextChunk() (int64, error) {
	line, err := readChunkLine(r.br, 4096)
	if err != nil {
		return 0, statusErrorf(400, "bad chunk size line")
	}
	size, _, _ := strings.Cut(line, ";")
	size = strings.TrimRight(size, " \t")
	if size == "" || len(size) > 15 {
		return 0, statusErrorf(400, "bad chunk size %q", size)
	}
	n, err := strconv.ParseInt(size, 16, 64)
	if err != nil || strings.ContainsAny(size, "+-xX") {
		return 0, statusErrorf(400, "bad chunk size %q", size)
	}
	return n, nil
}

// chunkEnd reads the CRLF after a chunk's data.
func (r *chunkedReader) chunkEnd() error {
	line, err := readChunkLine(r.br, 0)
	if err != nil || line != "" {
		return statusErrorf(400, "chunk data longer than its size")
	}
	return nil
}

// readTrailer reads and discards the trailer section after the last
// chunk, up to its empty line.
func (r *chunkedReader) readTrailer() error {
	if err := readHeader(r.br, Header{}, 8192); err != nil {
		return statusErrorf(400, "bad trailer section")
	}
	return nil
}

// isToken reports whether s is a token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
