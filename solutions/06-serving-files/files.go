package httpd

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
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
	if r.Method != "GET" && r.Method != "HEAD" {
		w.Header().Set("Allow", "GET, HEAD")
		Error(w, 405, "Only GET and HEAD are allowed here.")
		return
	}
	name, err := translatePath(r)
	if err != nil {
		Error(w, 400, err.Error())
		return
	}
	fi, err := s.root.Stat(name)
	if err != nil {
		notServed(w, err)
		return
	}
	switch {
	case fi.IsDir():
		s.serveDir(w, r, name)
	case fi.Mode().IsRegular() && !strings.HasSuffix(r.Path, "/"):
		s.serveFile(w, r, name)
	default: // "file.txt/", a device, a FIFO: nothing to serve
		Error(w, 404, "File not found.")
	}
}

// translatePath turns the request's path into a file name relative to
// the root ("." for the root itself), the job translate_path does in
// Python. It returns an error for a path that no file below the root
// can have. The path was percent-decoded once, by ReadRequest, and it
// is never decoded again: "%252e" arrives as "%2e", a name like any
// other.
func translatePath(r *Request) (string, error) {
	p := r.Path
	switch {
	case !strings.HasPrefix(p, "/"):
		return "", errors.New("httpd: the path does not start with a slash")
	case strings.IndexByte(p, 0) >= 0:
		return "", errors.New("httpd: a NUL byte in the path")
	case strings.IndexByte(p, '\\') >= 0:
		return "", errors.New("httpd: a backslash in the path")
	case hasEncodedSlash(r.Target):
		return "", errors.New("httpd: an encoded slash (%2F) in the path")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", errors.New("httpd: a dot-dot segment in the path")
		}
	}
	// Clean removes "." segments and doubled slashes; with no ".."
	// left, the result stays below "/".
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" {
		name = "."
	}
	return name, nil
}

// hasEncodedSlash reports whether the path of a request-target, as
// sent, holds "%2F": a slash inside a name, which no file can have.
func hasEncodedSlash(target string) bool {
	p, _, _ := strings.Cut(target, "?")
	return strings.Contains(strings.ToLower(p), "%2f")
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
	f, err := s.root.Open(name)
	if err != nil {
		notServed(w, err)
		return
	}
	defer f.Close()
	// Stat the open file: the name may have changed since the Stat in
	// ServeHTTP, the open file cannot.
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		Error(w, 404, "File not found.")
		return
	}
	h := w.Header()
	tag, mod := etag(fi), fi.ModTime()
	h.Set("ETag", tag)
	if notModified(r.Header, tag, mod) {
		w.WriteHeader(304) // no body, no other fields (§15.4.5)
		return
	}
	ctype, err := contentType(name, f)
	if err != nil {
		h.Del("ETag")
		Error(w, 500, "The file could not be read.")
		return
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	h.Set("Last-Modified", mod.UTC().Format(TimeFormat))
	w.WriteHeader(200)
	if r.Method == "HEAD" {
		return
	}
	// Stream the file: never more than Content-Length, even if it
	// grew meanwhile. If it shrank, the response comes out short and
	// the server closes the connection. Either way the status has
	// left: there is nothing else to tell the client.
	io.CopyN(w, f, fi.Size())
}

// etag returns a weak entity-tag made of the file's modification time
// and size (RFC 9110 §8.8.3). It is weak because two versions of a
// file can share both; only a hash of the content would be strong.
func etag(fi fs.FileInfo) string {
	return fmt.Sprintf(`W/"%x-%x"`, fi.ModTime().UnixNano(), fi.Size())
}

// notModified evaluates the two preconditions of a GET or HEAD that a
// file server supports, in the order of RFC 9110 §13.2.2: If-None-Match
// if present, else If-Modified-Since. It reports whether the answer is
// 304 Not Modified.
func notModified(h Header, tag string, mod time.Time) bool {
	if h.Has("If-None-Match") {
		return etagMatch(h.Values("If-None-Match"), tag)
	}
	ims := h.Values("If-Modified-Since")
	if len(ims) != 1 {
		return false
	}
	t, err := parseHTTPDate(ims[0])
	if err != nil {
		return false // an invalid date is ignored (§13.1.3)
	}
	// Last-Modified has whole seconds; the file's time has more.
	return !mod.Truncate(time.Second).After(t)
}

// etagMatch reports whether If-None-Match values match tag: "*", or a
// list of entity-tags compared weakly, that is ignoring "W/"
// (RFC 9110 §8.8.3.2, §13.1.2).
func etagMatch(values []string, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for _, v := range values {
		for v != "" {
			v = strings.TrimLeft(v, " \t,")
			switch {
			case v == "":
			case strings.HasPrefix(v, "*"):
				return true
			default:
				v = strings.TrimPrefix(v, "W/")
				if !strings.HasPrefix(v, `"`) {
					v = "" // malformed: ignore the rest
					break
				}
				end := strings.IndexByte(v[1:], '"')
				if end < 0 {
					v = ""
					break
				}
				if v[:end+2] == want {
					return true
				}
				v = v[end+2:]
			}
		}
	}
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
	ext := strings.ToLower(path.Ext(name))
	if t, ok := types[ext]; ok {
		return t, nil
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t, nil
	}
	var buf [512]byte
	n, err := io.ReadFull(f, buf[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return http.DetectContentType(buf[:n]), nil
}

// serveDir serves the directory name: a redirect when the path lacks
// its final slash, else its index.html or a listing.
func (s *fileServer) serveDir(w ResponseWriter, r *Request, name string) {
	if !strings.HasSuffix(r.Path, "/") {
		// Relative links in the page ("style.css") resolve against
		// the directory only when its URL ends in "/".
		loc := (&url.URL{Path: path.Clean(r.Path)}).EscapedPath()
		if !strings.HasSuffix(loc, "/") {
			loc += "/"
		}
		if r.RawQuery != "" {
			loc += "?" + r.RawQuery
		}
		h := w.Header()
		h.Set("Location", loc)
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(301)
		fmt.Fprintf(w, "<a href=\"%s\">Moved here.</a>\n",
			html.EscapeString(loc))
		return
	}
	index := path.Join(name, "index.html")
	if fi, err := s.root.Stat(index); err == nil && fi.Mode().IsRegular() {
		s.serveFile(w, r, index)
		return
	}
	s.listDir(w, r, name)
}

// listDir sends an HTML page that links to every entry of the
// directory name, as list_directory does in Python. Names are
// HTML-escaped in the text and percent-encoded in the links, so a
// file called "<b>?.txt" is shown as it is and can be followed.
func (s *fileServer) listDir(w ResponseWriter, r *Request, name string) {
	d, err := s.root.Open(name)
	if err != nil {
		notServed(w, err)
		return
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		Error(w, 500, "The directory could not be read.")
		return
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int {
		return strings.Compare(a.Name(), b.Name())
	})
	title := html.EscapeString("Directory listing for " + r.Path)
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"+
		"<meta charset=\"utf-8\">\n<title>%s</title>\n</head>\n"+
		"<body>\n<h1>%s</h1>\n<hr>\n<ul>\n", title, title)
	if name != "." {
		b.WriteString("<li><a href=\"../\">../</a></li>\n")
	}
	for _, e := range entries {
		display := e.Name()
		if s.isDir(path.Join(name, e.Name()), e) {
			display += "/"
		}
		// PathEscape encodes "/", "?", "#" and "%" too; the "./"
		// keeps a name like "a:b" from reading as a scheme.
		href := "./" + url.PathEscape(e.Name())
		if strings.HasSuffix(display, "/") {
			href += "/"
		}
		fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n",
			html.EscapeString(href), html.EscapeString(display))
	}
	b.WriteString("</ul>\n<hr>\n</body>\n</html>\n")

	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(200)
	if r.Method == "HEAD" {
		return
	}
	w.Write(b.Bytes())
}

// isDir reports whether the entry at name is a directory, following a
// symbolic link as long as it stays inside the root.
func (s *fileServer) isDir(name string, e fs.DirEntry) bool {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.IsDir()
	}
	fi, err := s.root.Stat(name)
	return err == nil && fi.IsDir()
}
