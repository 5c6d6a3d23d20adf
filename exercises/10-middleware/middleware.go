package gateway

import (
	"errors"
	"io"
	"sort"
	"strings"
)

// ---- wsgiref.util: paths and URLs --------------------------------

// ShiftPathInfo moves one segment of the path from PATH_INFO to
// SCRIPT_NAME and returns it: wsgiref.util.shift_path_info, result
// for result (testdata/shift_path_info.json holds Python's own).
//
// With SCRIPT_NAME "/blog" and PATH_INFO "/2024/hello", it returns
// "2024" and leaves SCRIPT_NAME "/blog/2024", PATH_INFO "/hello".
// Empty segments and "." in the middle of PATH_INFO are dropped first
// ("//a" shifts "a"); SCRIPT_NAME is normalised as Python's
// posixpath.normpath does (so ".." climbs back up). A trailing "/"
// shifts "" and leaves SCRIPT_NAME ending in "/": "/x" and "/" give
// "/x/", and "" and "/" give "/". That "/" is Python's behaviour, and
// against the spec: Mount must not pass it on.
//
// ok is false, where Python returns None, when PATH_INFO is empty or
// absent (env is left as it is), and when the segment is "." (env is
// changed, PATH_INFO emptied).
func ShiftPathInfo(env *Environ) (name string, ok bool) {
	// TODO: split PATH_INFO at "/", drop "" and "." between the
	// first and the last part, take the second part as the name, and
	// build the new SCRIPT_NAME with normpath, as Python does.
	return "", false
}

// normpath is Python's posixpath.normpath: path.Clean, except that a
// path starting with exactly two slashes keeps them (POSIX leaves
// their meaning to the system, so Python does not touch them).
func normpath(p string) string {
	// TODO: path.Clean, but keep exactly two leading slashes.
	return p
}

// ApplicationURI returns the URL of the app itself, without PATH_INFO
// or the query: wsgiref.util.application_uri. The host is HTTP_HOST
// if not empty, else SERVER_NAME, with ":"+SERVER_PORT unless the
// port is the scheme's own (80, 443). SCRIPT_NAME, or "/" when it is
// empty, is percent-encoded; "/" stays.
//
//	http://example.com:8080/blog
func ApplicationURI(env *Environ) string {
	// TODO: scheme, host (HTTP_HOST, else SERVER_NAME and a port that
	// is not the default), then quote(SCRIPT_NAME or "/", "/").
	return ""
}

// RequestURI returns the whole URL of the request, rebuilt from the
// environ: wsgiref.util.request_uri. It is ApplicationURI, then
// PATH_INFO percent-encoded ("/", ";", "=" and "," stay; its "/" is
// dropped when SCRIPT_NAME is empty, as ApplicationURI ended in one),
// then "?" and QUERY_STRING, as it is, when includeQuery and the
// query is not empty.
//
//	http://example.com/blog/a%20b?x=1
func RequestURI(env *Environ, includeQuery bool) string {
	// TODO: ApplicationURI, then PATH_INFO quoted, then the query.
	return ""
}

// quote is urllib.parse.quote: every byte but letters, digits, "_.-~"
// and those of safe becomes %XX.
func quote(s, safe string) string {
	// TODO: %XX for every byte that is not unreserved or in safe.
	return s
}

// ---- Mount: dispatch by path prefix ------------------------------

// Mount returns an app that sends each request to the app mounted at
// the longest prefix of its PATH_INFO, counted in whole segments:
// "/api" matches "/api", "/api/" and "/api/x", never "/apix". The
// prefix moves from PATH_INFO to SCRIPT_NAME, segment by segment, as
// ShiftPathInfo moves it (so "//api/./x" matches "/api" too): the app
// at "/api" sees SCRIPT_NAME "/api" and PATH_INFO "/x". The prefix ""
// (or "/") is the root: it matches every path, and moves nothing.
// With no match, the answer is 404 Not Found.
//
// SCRIPT_NAME is never "/" and never ends in "/": a SCRIPT_NAME "/"
// from outside counts as "". Mounts nest: a Mount mounted at "/api"
// serving "/v1" gives its app SCRIPT_NAME "/api/v1".
func Mount(apps map[string]App) App {
	// TODO: turn each prefix into its segments; then, per request,
	// shift segments on a copy of SCRIPT_NAME and PATH_INFO and keep
	// the longest match; 404 without one.
	return notImplemented
}

// notFound answers 404.
func notFound(start StartResponse) (Body, error) {
	_, err := start("404 Not Found", [][2]string{
		{"Content-Type", "text/plain; charset=utf-8"},
	}, nil)
	if err != nil {
		return nil, err
	}
	return List([]byte("404 Not Found\n")), nil
}

// ---- NumberLines: a middleware that streams ----------------------

// NumberLines returns a middleware around app that numbers the lines
// of its body, as `cat -n` does: each line starts with its number,
// right-aligned in six columns, and a tab ("     1\thello\n").
//
// It streams: each chunk of app's body, or of its write, is numbered
// and passed on at once, never held back to wait for the end of a
// line or of the body; a line cut across chunks gets one number. The
// length of the body changes, so a Content-Length from app is dropped
// (the server then chunks, or counts). The Body it returns closes
// app's Body, once, when the server closes it; a Body app returns
// with an error is returned, wrapped, with that error.
func NumberLines(app App) App {
	// TODO: wrap start (drop Content-Length, number what write
	// sends) and the Body (number each chunk, pass Close down).
	return notImplemented
}

// ---- Validate: wsgiref.validate ----------------------------------

// Validate returns app wrapped in a validator that checks, as the
// request runs, both sides of the contract of gateway.go: the environ
// the server gives (before app is called), and what app does with
// start, write and its Body; and how the server uses the Body. The
// rules are the Rule constants (rules.go).
//
// Each violation is a *Violation. It is written to env.Errors, one
// entry (when Errors is not nil), and it fails
// the request: a broken environ is returned by Call without calling
// app; a start or write that breaks a rule returns it to app, and Call
// or the next Next returns it too, even if app ignored it; a body
// that breaks a rule fails with it from Next. The server then answers
// 500, or cuts the response. A Body that is garbage-collected without
// being closed is reported, to env.Errors only.
func Validate(app App) App {
	// TODO: check the environ, then call app with a checking start,
	// and wrap its Body in a checking Body.
	return notImplemented
}

// notImplemented answers every request with an error: a 500.
var notImplemented = AppFunc(func(*Environ, StartResponse) (Body, error) {
	return nil, errNotImplemented
})

var errNotImplemented = errors.New("gateway: not implemented")

// report writes err to w as one entry: a log line of the server when
// w is env.Errors.
func report(w io.Writer, err error) {
	io.WriteString(w, err.Error()+"\n")
}

// The helpers below are given: Validate's checks need them.

// hopByHopField reports whether name is a hop-by-hop field.
func hopByHopField(name string) bool {
	i := sort.SearchStrings(hopByHopLower, strings.ToLower(name))
	return i < len(hopByHopLower) &&
		hopByHopLower[i] == strings.ToLower(name)
}

// hopByHopLower are the hop-by-hop fields, in lower case, sorted.
var hopByHopLower = []string{"connection", "keep-alive",
	"proxy-authenticate", "proxy-authorization", "te", "trailers",
	"transfer-encoding", "upgrade"}

// control reports whether s has a control byte other than tab.
func control(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// token reports whether s is a token (RFC 9110 §5.6.2).
func token(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			'0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}
