package gateway

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
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
	pathInfo := env.Vars["PATH_INFO"]
	if pathInfo == "" {
		return "", false
	}
	parts := strings.Split(pathInfo, "/")
	if len(parts) < 2 {
		return "", false // no "/" at all: Python fails here
	}
	// Keep the first and last parts; drop "" and "." between them.
	kept := []string{parts[0]}
	for _, p := range parts[1 : len(parts)-1] {
		if p != "" && p != "." {
			kept = append(kept, p)
		}
	}
	kept = append(kept, parts[len(parts)-1])
	name = kept[1]
	kept = append(kept[:1], kept[2:]...)

	script := normpath(env.Vars["SCRIPT_NAME"] + "/" + name)
	script = strings.TrimSuffix(script, "/")
	if name == "" && !strings.HasSuffix(script, "/") {
		script += "/"
	}
	env.Vars["SCRIPT_NAME"] = script
	env.Vars["PATH_INFO"] = strings.Join(kept, "/")
	if name == "." {
		return "", false
	}
	return name, true
}

// normpath is Python's posixpath.normpath: path.Clean, except that a
// path starting with exactly two slashes keeps them (POSIX leaves
// their meaning to the system, so Python does not touch them).
func normpath(p string) string {
	c := path.Clean(p)
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		return "/" + c
	}
	return c
}

// ApplicationURI returns the URL of the app itself, without PATH_INFO
// or the query: wsgiref.util.application_uri. The host is HTTP_HOST
// if not empty, else SERVER_NAME, with ":"+SERVER_PORT unless the
// port is the scheme's own (80, 443). SCRIPT_NAME, or "/" when it is
// empty, is percent-encoded; "/" stays.
//
//	http://example.com:8080/blog
func ApplicationURI(env *Environ) string {
	url := env.URLScheme + "://"
	if host := env.Vars["HTTP_HOST"]; host != "" {
		url += host
	} else {
		url += env.Vars["SERVER_NAME"]
		port := env.Vars["SERVER_PORT"]
		if env.URLScheme == "https" && port != "443" ||
			env.URLScheme != "https" && port != "80" {
			url += ":" + port
		}
	}
	script := env.Vars["SCRIPT_NAME"]
	if script == "" {
		script = "/"
	}
	return url + quote(script, "/")
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
	url := ApplicationURI(env)
	p := quote(env.Vars["PATH_INFO"], "/;=,")
	if env.Vars["SCRIPT_NAME"] == "" && p != "" {
		p = p[1:]
	}
	url += p
	if q := env.Vars["QUERY_STRING"]; includeQuery && q != "" {
		url += "?" + q
	}
	return url
}

// quote is urllib.parse.quote: every byte but letters, digits, "_.-~"
// and those of safe becomes %XX.
func quote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			'0' <= c && c <= '9' || strings.IndexByte("_.-~", c) >= 0 ||
			strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
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
	routes := make(map[string]App, len(apps))
	depth := 0
	for prefix, app := range apps {
		segs := strings.FieldsFunc(prefix, func(r rune) bool {
			return r == '/'
		})
		routes[strings.Join(segs, "/")] = app
		depth = max(depth, len(segs))
	}
	return AppFunc(func(env *Environ, start StartResponse) (Body, error) {
		script := env.Vars["SCRIPT_NAME"]
		if script == "/" {
			script = ""
		}
		probe := &Environ{Vars: map[string]string{
			"SCRIPT_NAME": script,
			"PATH_INFO":   env.Vars["PATH_INFO"],
		}}
		app, found := routes[""]
		newScript, newPath := script, env.Vars["PATH_INFO"]
		var shifted []string
		for len(shifted) < depth {
			name, ok := ShiftPathInfo(probe)
			if !ok || name == "" || name == ".." {
				break // the end, "/", or a climb: no prefix matches
			}
			shifted = append(shifted, name)
			if a, ok := routes[strings.Join(shifted, "/")]; ok {
				app, found = a, true
				newScript = probe.Vars["SCRIPT_NAME"]
				newPath = probe.Vars["PATH_INFO"]
			}
		}
		if !found {
			return notFound(start)
		}
		env.Vars["SCRIPT_NAME"] = newScript
		env.Vars["PATH_INFO"] = newPath
		return app.Call(env, start)
	})
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
	return AppFunc(func(env *Environ, start StartResponse) (Body, error) {
		n := &lineNumbers{}
		numbered := func(status string, headers [][2]string,
			excInfo error) (func([]byte) error, error) {
			kept := make([][2]string, 0, len(headers))
			for _, f := range headers {
				if !strings.EqualFold(f[0], "Content-Length") {
					kept = append(kept, f)
				}
			}
			write, err := start(status, kept, excInfo)
			if err != nil {
				return nil, err
			}
			return func(p []byte) error { return write(n.number(p)) }, nil
		}
		body, err := app.Call(env, numbered)
		if body == nil {
			return nil, err
		}
		return &numberedBody{inner: body, n: n}, err
	})
}

// lineNumbers numbers the lines of a stream, chunk by chunk.
type lineNumbers struct {
	line    int  // the number of the line being written
	midLine bool // the last chunk ended inside a line
}

// number returns p with a number before each line that starts in it.
func (l *lineNumbers) number(p []byte) []byte {
	if len(p) == 0 {
		return p
	}
	out := make([]byte, 0, len(p)+8)
	for len(p) > 0 {
		if !l.midLine {
			l.line++
			out = fmt.Appendf(out, "%6d\t", l.line)
			l.midLine = true
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return append(out, p...)
		}
		out = append(out, p[:i+1]...)
		p = p[i+1:]
		l.midLine = false
	}
	return out
}

// numberedBody is the Body NumberLines returns.
type numberedBody struct {
	inner Body
	n     *lineNumbers
}

func (b *numberedBody) Next() ([]byte, error) {
	chunk, err := b.inner.Next()
	if err != nil {
		return nil, err // io.EOF too
	}
	return b.n.number(chunk), nil
}

// Close closes the inner Body: the server closes ours once, so the
// inner one is closed once.
func (b *numberedBody) Close() error { return b.inner.Close() }

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
	return AppFunc(func(env *Environ, start StartResponse) (Body, error) {
		v := &validation{errors: env.Errors}
		if v.errors == nil {
			v.errors = io.Discard // the error still fails the request
		}
		if err := v.checkEnviron(env); err != nil {
			return nil, err
		}
		body, err := app.Call(env, v.start(start))
		if body == nil && err == nil {
			return nil, v.fail(RuleNoBody, "Call returned a nil Body "+
				"and a nil error: return gateway.List() for no body")
		}
		var checked Body
		if body != nil {
			checked = v.wrap(body)
		}
		if err == nil && v.err != nil {
			err = v.err // app ignored a violation: it still fails
		}
		return checked, err
	})
}

// validation is the state of one validated request. Call, start,
// write, Next and Close run on the server's goroutine, one at a time.
type validation struct {
	errors  io.Writer // env.Errors: where violations are reported
	started bool      // start succeeded
	ended   bool      // Next gave io.EOF or an error, or Close ran
	err     error     // the first violation of app
}

// fail reports a violation of rule and returns it; the first one of
// app sticks in v.err.
func (v *validation) fail(rule, format string, args ...any) error {
	err := &Violation{Rule: rule, Detail: fmt.Sprintf(format, args...)}
	report(v.errors, err)
	if v.err == nil {
		v.err = err
	}
	return err
}

// report writes err to w as one entry.
func report(w io.Writer, err error) {
	io.WriteString(w, err.Error()+"\n")
}

// checkEnviron checks what the server gave: the environ rules.
func (v *validation) checkEnviron(env *Environ) error {
	vars := env.Vars
	for _, k := range []string{"REQUEST_METHOD", "SERVER_NAME",
		"SERVER_PORT", "SERVER_PROTOCOL"} {
		if vars[k] == "" {
			return v.fail(RuleRequired, "%s is missing or empty", k)
		}
	}
	script, path := vars["SCRIPT_NAME"], vars["PATH_INFO"]
	switch {
	case script == "/":
		return v.fail(RuleScriptName, "SCRIPT_NAME is \"/\": the "+
			"root is \"\", and the \"/\" belongs to PATH_INFO")
	case script != "" && script[0] != '/':
		return v.fail(RuleScriptName, "SCRIPT_NAME %q does not "+
			"start with \"/\"", script)
	case path != "" && path[0] != '/':
		return v.fail(RulePathInfo, "PATH_INFO %q does not start "+
			"with \"/\"", path)
	}
	if _, ok := vars["QUERY_STRING"]; !ok {
		return v.fail(RuleQueryString, "QUERY_STRING is missing: "+
			"it must be there, \"\" when there is no query")
	}
	for _, k := range []string{"HTTP_CONTENT_TYPE",
		"HTTP_CONTENT_LENGTH"} {
		if _, ok := vars[k]; ok {
			return v.fail(RuleContent, "%s is set: the field is "+
				"%s, without HTTP_", k, strings.TrimPrefix(k, "HTTP_"))
		}
	}
	if n, ok := vars["CONTENT_LENGTH"]; ok && n != "" && !digits(n) {
		return v.fail(RuleContent, "CONTENT_LENGTH %q is not a "+
			"length", n)
	}
	switch {
	case env.Version != [2]int{1, 0}:
		return v.fail(RuleGatewayKeys, "Version is %v, want [1 0]",
			env.Version)
	case env.URLScheme != "http" && env.URLScheme != "https":
		return v.fail(RuleGatewayKeys, "URLScheme is %q, want "+
			"\"http\" or \"https\"", env.URLScheme)
	case env.Input == nil:
		return v.fail(RuleGatewayKeys, "Input is nil")
	case env.Errors == nil:
		return v.fail(RuleGatewayKeys, "Errors is nil")
	}
	return nil
}

// start returns the StartResponse app gets: it checks each call
// before passing it on, and wraps write.
func (v *validation) start(start StartResponse) StartResponse {
	return func(status string, headers [][2]string,
		excInfo error) (func([]byte) error, error) {
		if v.started && excInfo == nil {
			return nil, v.fail(RuleStartTwice, "start(%q) after "+
				"start succeeded, without excInfo", status)
		}
		if err := v.checkStatus(status); err != nil {
			return nil, err
		}
		for _, f := range headers {
			if err := v.checkField(f[0], f[1]); err != nil {
				return nil, err
			}
		}
		write, err := start(status, headers, excInfo)
		if err != nil {
			return nil, err
		}
		v.started = true
		return func(p []byte) error {
			if v.ended {
				return v.fail(RuleWriteAfterEnd, "write(%q) after "+
					"the body ended", p)
			}
			return write(p)
		}, nil
	}
}

func (v *validation) checkStatus(s string) error {
	if len(s) < 5 || s[3] != ' ' || !digits(s[:3]) ||
		s[:3] < "200" || s[:3] > "599" {
		return v.fail(RuleStatus, "%q is not \"NNN Reason\", "+
			"NNN from 200 to 599", s)
	}
	if control(s) {
		return v.fail(RuleStatus, "%q has a control byte", s)
	}
	return nil
}

func (v *validation) checkField(name, value string) error {
	switch {
	case !token(name):
		return v.fail(RuleHeader, "name %q is not a token", name)
	case strings.EqualFold(name, "Status"):
		return v.fail(RuleHeader, "a field named %q: the status "+
			"goes in start's first argument", name)
	case hopByHopField(name):
		return v.fail(RuleHopByHop, "%q belongs to the connection: "+
			"the server's business", name)
	case control(value):
		return v.fail(RuleHeader, "%s: value %q has a control byte",
			name, value)
	case strings.EqualFold(name, "Content-Length") && !digits(value):
		return v.fail(RuleHeader, "Content-Length %q is not a "+
			"length", value)
	}
	return nil
}

// wrap returns the checked Body around body. A cleanup reports it if
// it is garbage-collected without Close.
func (v *validation) wrap(body Body) Body {
	b := &checkedBody{v: v, inner: body, state: &bodyState{
		errors: v.errors,
	}}
	runtime.AddCleanup(b, func(s *bodyState) {
		if !s.closed.Load() {
			report(s.errors, &Violation{Rule: RuleCloseOnce,
				Detail: "the Body was garbage-collected without " +
					"Close"})
		}
	}, b.state)
	return b
}

// checkedBody is the Body Validate returns.
type checkedBody struct {
	v     *validation
	inner Body
	state *bodyState // shared with the cleanup: not b itself
}

type bodyState struct {
	errors io.Writer
	closed atomic.Bool
}

func (b *checkedBody) Next() ([]byte, error) {
	v := b.v
	switch {
	case b.state.closed.Load():
		return nil, v.fail(RuleNextAfterEnd, "Next after Close")
	case v.ended:
		return nil, v.fail(RuleNextAfterEnd, "Next after the "+
			"body ended with io.EOF or an error")
	}
	chunk, err := b.inner.Next()
	if err != nil {
		v.ended = true
		return nil, err
	}
	if v.err != nil {
		return nil, v.err // app ignored a violation
	}
	if len(chunk) > 0 && !v.started {
		return nil, v.fail(RuleNoStart, "the body yielded %d bytes "+
			"before start succeeded", len(chunk))
	}
	return chunk, nil
}

func (b *checkedBody) Close() error {
	if b.state.closed.Swap(true) {
		return b.v.fail(RuleCloseOnce, "Close called a second time")
	}
	b.v.ended = true
	return b.inner.Close()
}

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
