// This file is given: it needs no editing.

package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// errMalformed is wrapped by readResponse's error when the server
// answered something that is not an HTTP/1.x response: a broken status
// line, a field line without a colon, a bad chunk size.
var errMalformed = errors.New("load: malformed response")

// BrowserHeader is what Firefox sends with a request for a page,
// besides Host and User-Agent: fourteen fields in all, about 500
// bytes. Real requests look like this, not like a load generator's.
// Give it to Config.Header (or -browser to cmd/load) to measure a
// server with them.
var BrowserHeader = []string{
	"Accept: text/html,application/xhtml+xml,application/xml;" +
		"q=0.9,*/*;q=0.8",
	"Accept-Language: en-GB,en;q=0.5",
	"Accept-Encoding: gzip, deflate, br, zstd",
	"Connection: keep-alive",
	"Cookie: session=3f9a8c7e6d5b4a3928171615; theme=dark",
	"Upgrade-Insecure-Requests: 1",
	"Sec-Fetch-Dest: document",
	"Sec-Fetch-Mode: navigate",
	"Sec-Fetch-Site: none",
	"Sec-Fetch-User: ?1",
	"Priority: u=0, i",
	"DNT: 1",
}

// formatRequest returns the bytes of the GET request every worker
// sends to u, again and again: a request line with the path and query
// of u, a Host field, a User-Agent field, then each of fields ("Name:
// value", checked by checkFields) and the empty line.
func formatRequest(u *url.URL, fields []string) []byte {
	target := u.RequestURI() // "/hello?name=x", "/" for an empty path
	b := []byte("GET " + target + " HTTP/1.1\r\n" +
		"Host: " + u.Host + "\r\n" +
		"User-Agent: socket2gateway-load\r\n")
	for _, f := range fields {
		b = append(b, f+"\r\n"...)
	}
	return append(b, "\r\n"...)
}

// checkFields returns an error, starting with "load: " and naming the
// field with %q, for the first of fields that is not a valid field
// line "Name: value": a token, a colon, and a value without CR, LF or
// other control characters.
func checkFields(fields []string) error {
	for _, f := range fields {
		name, value, ok := strings.Cut(f, ":")
		bad := !ok || name == ""
		for _, c := range []byte(name) {
			if c <= ' ' || c >= 0x7f || strings.IndexByte(
				`"(),/:;<=>?@[\]{}`, c) >= 0 {
				bad = true
			}
		}
		for _, c := range []byte(value) {
			if c < ' ' && c != '\t' || c == 0x7f {
				bad = true
			}
		}
		if bad {
			return fmt.Errorf("load: header field %q is not "+
				"\"Name: value\"", f)
		}
	}
	return nil
}

// readResponse reads one response from br, its body included, and
// returns its status code and whether the connection may carry the
// next request. It skips interim responses (100 Continue). It
// understands the three ways a body ends (RFC 9112 §6.3): after
// Content-Length bytes, after the last chunk of a chunked body, or at
// the end of the connection (then keepAlive is false).
//
// Its error, when the response is not complete, is:
//   - io.EOF: the connection ended before the first byte;
//   - io.ErrUnexpectedEOF: it ended inside the response;
//   - an error wrapping errMalformed: what came is not HTTP/1.x;
//   - the reader's own error otherwise, such as a timeout (a net.Error
//     whose Timeout() is true) or a reset (syscall.ECONNRESET).
//
// It allocates nothing for a response of the usual shape, so that the
// load generator spends its CPU time on sending load, not on itself.
func readResponse(br *bufio.Reader) (status int, keepAlive bool,
	err error) {
	first := true
	for {
		status, keepAlive, err = readHead(br, first)
		if err != nil || status >= 200 {
			break
		}
		first = false // an interim response: the real one follows
	}
	if err != nil {
		return 0, false, err
	}
	return status, keepAlive, nil
}

// readHead reads a status line and the header fields after it, then
// the body, and returns what readResponse returns.
func readHead(br *bufio.Reader, first bool) (int, bool, error) {
	line, err := readLine(br)
	if err == io.EOF && !first {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK": a version, a space, three digits.
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) ||
		line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return 0, false, fmt.Errorf("%w: status line %q", errMalformed,
			line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil || status < 100 {
		return 0, false, fmt.Errorf("%w: status line %q", errMalformed,
			line)
	}
	keepAlive := line[7] != '0' // HTTP/1.0 closes unless it says not
	length, chunked := int64(-1), false
	for {
		line, err := readLine(br)
		if err != nil {
			return 0, false, unexpected(err)
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("%w: field line %q",
				errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case equalFold(name, "Content-Length"):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 || length >= 0 && n != length {
				return 0, false, fmt.Errorf("%w: Content-Length %q",
					errMalformed, value)
			}
			length = n
		case equalFold(name, "Transfer-Encoding"):
			chunked = hasToken(value, "chunked")
		case equalFold(name, "Connection"):
			if hasToken(value, "close") {
				keepAlive = false
			} else if hasToken(value, "keep-alive") {
				keepAlive = true
			}
		}
	}
	switch {
	case status < 200:
		if status == 101 {
			return 0, false, fmt.Errorf("%w: 101 Switching Protocols",
				errMalformed)
		}
		return status, keepAlive, nil // no body; the real one follows
	case status == 204 || status == 304:
		return status, keepAlive, nil
	case chunked:
		return status, keepAlive, readChunked(br)
	case length >= 0:
		if _, err := br.Discard(int(length)); err != nil {
			return 0, false, unexpected(err)
		}
		return status, keepAlive, nil
	}
	// No length: the body ends with the connection.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return 0, false, err
	}
	return status, false, nil
}

// readChunked reads and drops a chunked body, trailer included.
func readChunked(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return unexpected(err)
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16,
			64)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			break
		}
		if _, err := br.Discard(int(n)); err != nil {
			return unexpected(err)
		}
		if line, err := readLine(br); err != nil {
			return unexpected(err)
		} else if len(line) != 0 {
			return fmt.Errorf("%w: chunk longer than %d bytes",
				errMalformed, n)
		}
	}
	for { // the trailer section, up to its empty line
		line, err := readLine(br)
		if err != nil {
			return unexpected(err)
		}
		if len(line) == 0 {
			return nil
		}
	}
}

// readLine returns the next line of br without its CRLF (or LF). The
// line is valid until the next read from br.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return nil, fmt.Errorf("%w: a line longer than %d bytes",
			errMalformed, br.Size())
	case err == io.EOF && len(line) > 0:
		return nil, io.ErrUnexpectedEOF
	case err != nil:
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// unexpected turns an io.EOF inside a response into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// equalFold reports whether b is s, ignoring ASCII case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i]|0x20, s[i]|0x20 // lower case, for letters
		if x != y {
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list v holds token,
// ignoring ASCII case.
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var t []byte
		t, v, _ = bytes.Cut(v, []byte(","))
		if equalFold(bytes.TrimSpace(t), token) {
			return true
		}
	}
	return false
}
