package httpd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// FileServer returns a Handler that serves the files below root, as
// Python's SimpleHTTPRequestHandler serves its directory, but with no
// way out of it: whatever the request's path, no byte from outside
// root is ever read.
//
//   - GET and HEAD only; any other method gets 405 and an Allow field.
//   - A path that cannot name a file below root is refused with 400:
//     a ".." segment (sent as "../", "%2e%2e" or in any other
//     spelling), a NUL, a backslash, an encoded slash ("%2f").
//   - A path that names nothing we serve gets 404: a missing file, a
//     symbolic link that leads out of root, anything but a regular
//     file or a directory. A file the server may not read gets 403.
//   - A regular file is sent with Content-Type (by extension, else
//     sniffed), Content-Length, Last-Modified and ETag, or answered
//     304 Not Modified when the client's copy is current (If-None-Match,
//     else If-Modified-Since).
//   - A directory whose path lacks the final "/" is redirected (301) to
//     the path with it. A directory is served as its index.html if it
//     has one, else as an HTML listing of its entries.
//
// The caller owns root: it must stay open while the server runs, and
// the caller closes it afterwards.
func FileServer(root *os.Root) Handler {
	return &fileServer{root: root}
}

// fileServer is the Handler FileServer returns.
type fileServer struct {
	root *os.Root // every file is opened through it
}

func (s *fileServer) ServeHTTP(w ResponseWriter, r *Request) {
	// TODO: answer any method but GET and HEAD with 405 and the field
	// "Allow: GET, HEAD" (set it before calling Error).
	// TODO: name, err := translatePath(r); answer 400 if it fails.
	// TODO: s.root.Stat(name); on error, notServed(w, err). Then a
	// directory goes to s.serveDir, a regular file to s.serveFile
	// (unless r.Path ends in "/": a file is not a folder), and
	// anything else (a FIFO, a device) is 404: never open those.
	Error(w, 501, "files.go: FileServer is not written yet.")
}

// translatePath turns the request's path into a file name relative to
// the root ("." for the root itself), the job translate_path does in
// Python. It returns an error for a path that no file below the root
// can have. The path was percent-decoded once, by ReadRequest, and it
// is never decoded again: "%252e" arrives as "%2e", a name like any
// other.
func translatePath(r *Request) (string, error) {
	// TODO: refuse a path that does not start with "/", holds a NUL
	// byte or a backslash, has an encoded slash in r.Target (see
	// hasEncodedSlash), or has a ".." segment. Then path.Clean it,
	// drop the leading "/", and return "." for the root itself.
	return "", errors.New("translatePath is not written yet")
}

// hasEncodedSlash reports whether the path of a request-target, as
// sent, holds "%2F": a slash inside a name, which no file can have.
func hasEncodedSlash(target string) bool {
	// TODO: look for "%2f" in either case, in the part before "?".
	return false
}

// notServed answers a request whose file could not be found or
// opened. Only a file the server may not read is 403: every other
// failure, a symbolic link out of the root included, means there is
// nothing here that we serve.
func notServed(w ResponseWriter, err error) {
	if errors.Is(err, fs.ErrPermission) {
		Error(w, 403, "You may not read this file.")
		return
	}
	Error(w, 404, "File not found.")
}

// serveFile sends the regular file name, or 304 when the client's
// copy is still current.
func (s *fileServer) serveFile(w ResponseWriter, r *Request, name string) {
	// TODO: open it with s.root.Open, close it when done, Stat the
	// open file. Set ETag (etag), then answer 304 if notModified.
	// Else set Content-Type (contentType), Content-Length (the size)
	// and Last-Modified (ModTime in UTC, formatted with TimeFormat),
	// WriteHeader(200), and unless the method is HEAD, copy the file
	// to w with io.CopyN: never load it whole.
	Error(w, 501, "files.go: serveFile is not written yet.")
}

// etag returns a weak entity-tag made of the file's modification time
// and size (RFC 9110 §8.8.3), like W/"17f2c3a1b2c3d4e5-1a2b".
func etag(fi fs.FileInfo) string {
	// TODO
	return ""
}

// notModified evaluates the two preconditions of a GET or HEAD that a
// file server supports, in the order of RFC 9110 §13.2.2: If-None-Match
// if present, else If-Modified-Since. It reports whether the answer is
// 304 Not Modified.
func notModified(h Header, tag string, mod time.Time) bool {
	// TODO: If-None-Match present: etagMatch decides. Else exactly
	// one If-Modified-Since that parseHTTPDate accepts: 304 when
	// mod, cut to whole seconds, is not after it.
	return false
}

// etagMatch reports whether If-None-Match values match tag: "*", or a
// list of entity-tags compared weakly, that is ignoring "W/"
// (RFC 9110 §8.8.3.2, §13.1.2).
func etagMatch(values []string, tag string) bool {
	// TODO
	return false
}

// httpDateFormats are the three forms of an HTTP-date a recipient must
// accept (RFC 9110 §5.6.7): IMF-fixdate, RFC 850 and asctime.
var httpDateFormats = []string{
	TimeFormat,
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// parseHTTPDate parses an HTTP-date in any of its three forms.
func parseHTTPDate(s string) (time.Time, error) {
	for _, layout := range httpDateFormats {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("httpd: bad HTTP-date %q", s)
}

// types are the Content-Types served whatever the system's MIME
// database says, the way Python's handler overrides mimetypes with
// its extensions_map.
var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

// contentType guesses the type of the file name, open as f: by the
// extension, else by sniffing its first 512 bytes (the algorithm of
// the WHATWG MIME Sniffing standard, as net/http implements it). It
// leaves f at its start.
func contentType(name string, f io.ReadSeeker) (string, error) {
	// TODO: types, then mime.TypeByExtension, then read up to 512
	// bytes, seek back to the start, http.DetectContentType.
	return "application/octet-stream", nil
}

// serveDir serves the directory name: a redirect when the path lacks
// its final slash, else its index.html or a listing.
func (s *fileServer) serveDir(w ResponseWriter, r *Request, name string) {
	// TODO: no final "/" in r.Path: 301 with Location set to the
	// cleaned path, percent-encoded, plus "/" (and "?" RawQuery if
	// there is one). Else serve name/index.html if it is a regular
	// file, or else the listing.
	Error(w, 501, "files.go: serveDir is not written yet.")
}

// listDir sends an HTML page that links to every entry of the
// directory name, as list_directory does in Python. Names are
// HTML-escaped in the text and percent-encoded in the links, so a
// file called "<b>?.txt" is shown as it is and can be followed.
func (s *fileServer) listDir(w ResponseWriter, r *Request, name string) {
	// TODO: read the entries, sort them by name, and build the page
	// in a bytes.Buffer: a link per entry, "/" after a directory's
	// name. Send it with Content-Type text/html and its length.
	Error(w, 501, "files.go: listDir is not written yet.")
}
