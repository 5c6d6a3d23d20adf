// This file is given: it needs no editing. It is lesson 9's
// solution, solutions/09-gateway-interface/handler.go.

package gateway

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"

	"socket2gateway/exercises/10-middleware/httpd"
)

// setupEnviron returns the server's part of every environ, for a
// server listening on addr: what WSGIServer.setup_environ puts in
// base_environ.
func setupEnviron(addr net.Addr) map[string]string {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		// Listening on every address: the machine's name is best.
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	return map[string]string{
		"SERVER_NAME":       host,
		"SERVER_PORT":       port,
		"SERVER_SOFTWARE":   ServerSoftware,
		"GATEWAY_INTERFACE": "CGI/1.1",
		"SCRIPT_NAME":       "", // the app is mounted at the root
	}
}

// Handler runs an App for every request of an httpd.Server. It plays
// the parts of wsgiref's WSGIRequestHandler.get_environ (the environ)
// and BaseHandler (start_response, finish_response, error_output).
type Handler struct {
	// App answers every request.
	App App
	// Base holds the server's variables, copied into every environ
	// (see setupEnviron).
	Base map[string]string
	// ErrorLog receives the app's failures and what it writes to
	// Environ.Errors; nil means the log package's standard logger.
	ErrorLog *log.Logger
}

// ServeHTTP runs the app for one request: BaseHandler.run.
func (h *Handler) ServeHTTP(w httpd.ResponseWriter, req *httpd.Request) {
	lg := h.ErrorLog
	if lg == nil {
		lg = log.Default()
	}
	r := &response{w: w, req: req, log: lg, length: -1}
	r.run(h.App, h.environ(req, lg))
}

// environ returns the environ of req: get_environ and setup_environ.
func (h *Handler) environ(req *httpd.Request, lg *log.Logger) *Environ {
	vars := make(map[string]string, len(h.Base)+len(req.Header)+8)
	for k, v := range h.Base {
		vars[k] = v
	}
	vars["REQUEST_METHOD"] = req.Method
	vars["SERVER_PROTOCOL"] = req.Proto
	vars["REQUEST_URI"] = req.Target
	// The path is percent-decoded already, and the query cut off.
	// "OPTIONS *" names no path: PATH_INFO is "" or starts with "/".
	if strings.HasPrefix(req.Path, "/") {
		vars["PATH_INFO"] = req.Path
	} else {
		vars["PATH_INFO"] = ""
	}
	vars["QUERY_STRING"] = req.RawQuery
	if host, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		vars["REMOTE_ADDR"] = host
	}
	if req.Header.Has("Content-Length") {
		vars["CONTENT_LENGTH"] = strconv.FormatInt(req.ContentLength, 10)
	}
	for name, values := range req.Header {
		switch {
		case name == "Content-Type":
			vars["CONTENT_TYPE"] = strings.Join(values, ",")
		case name == "Content-Length":
			// CONTENT_LENGTH, above: never HTTP_CONTENT_LENGTH.
		case strings.IndexByte(name, '_') >= 0:
			// X_User would pass for X-User (HTTP_X_USER) behind a
			// proxy that strips X-User: drop it, as Apache does.
		default:
			vars[cgiName(name)] = strings.Join(values, ",")
		}
	}
	return &Environ{
		Vars:        vars,
		Version:     [2]int{1, 0},
		URLScheme:   "http",
		Input:       &input{body: req.Body},
		Errors:      logWriter{lg},
		Multithread: true, // httpd runs each connection in a goroutine
		// One process (Multiprocess false), which lives on after the
		// request (RunOnce false).
	}
}

// cgiName returns the variable of a request field: HTTP_ and the name
// in upper case, "-" as "_" ("User-Agent" is HTTP_USER_AGENT).
func cgiName(name string) string {
	b := make([]byte, len("HTTP_")+len(name))
	n := copy(b, "HTTP_")
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-':
			c = '_'
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b[n+i] = c
	}
	return string(b)
}

// logWriter is Environ.Errors: each Write is one entry of the log.
type logWriter struct{ l *log.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Print(string(p))
	return len(p), nil
}

// maxLine is the longest piece of a line Input.ReadLine returns.
const maxLine = 64 << 10

// input is Environ.Input. The request body stops at its end by itself
// (httpd reads exactly Content-Length bytes, or the chunks); input adds
// lines. Its buffer is made by the first ReadLine, and every read goes
// through it from then on, so reads and lines can be mixed.
type input struct {
	body io.Reader
	br   *bufio.Reader
}

func (in *input) Read(p []byte) (int, error) {
	if in.br != nil {
		return in.br.Read(p)
	}
	return in.body.Read(p)
}

func (in *input) ReadLine() ([]byte, error) {
	if in.br == nil {
		in.br = bufio.NewReader(in.body)
	}
	var line []byte
	for {
		// A full buffer is exactly its size (4 KiB) of a longer line:
		// pieces of it add up to at most maxLine.
		s, err := in.br.ReadSlice('\n')
		line = append(line, s...)
		if err == bufio.ErrBufferFull && len(line) < maxLine {
			continue
		}
		if len(line) > 0 {
			return line, nil // an error comes with the next call
		}
		return nil, err
	}
}

// Errors of an app that breaks the rules of StartResponse and Body.
var (
	errStartTwice = errors.New("gateway: start_response called a " +
		"second time without excInfo")
	errNoStart = errors.New("gateway: the body began before " +
		"start_response was called")
	errNoBody = errors.New("gateway: the app returned no Body " +
		"and no error")
	errFinished = errors.New("gateway: the response is over")
)

// response is the run of an app for one request: the state
// BaseHandler keeps between start_response and finish_response.
type response struct {
	w   httpd.ResponseWriter
	req *httpd.Request
	log *log.Logger

	code   int   // status code from start; 0 until start succeeds
	length int64 // the length of a ListBody, or -1
	sent   bool  // the status and header were handed to w
	done   bool  // the app is done: start and write fail
	err    error // the first misuse of start or failed write
}

// run calls the app and sends its response: BaseHandler.run and
// finish_response. The body is closed exactly once, whatever happens:
// the deferred Close runs even if the app panics (httpd then answers
// 500, or cuts the connection).
func (r *response) run(app App, env *Environ) {
	body, err := app.Call(env, r.start)
	if body != nil {
		defer func() {
			if err := body.Close(); err != nil {
				r.logf("closing the body: %v", err)
			}
		}()
	}
	if err == nil {
		err = r.finish(body)
	}
	r.done = true
	if err != nil {
		r.fail(err)
	}
}

// start is the StartResponse the app gets.
func (r *response) start(status string, headers [][2]string,
	excInfo error) (func([]byte) error, error) {
	switch {
	case r.done:
		return nil, errFinished
	case excInfo != nil && r.sent:
		// Too late to change the status: the app must fail, and
		// the client see a broken response.
		return nil, r.setErr(excInfo)
	case excInfo == nil && r.code != 0:
		return nil, r.setErr(errStartTwice)
	}
	code, err := parseStatus(status)
	if err == nil {
		err = checkHeaders(headers)
	}
	if err != nil {
		return nil, r.setErr(err)
	}
	h := r.w.Header()
	clear(h) // excInfo: the new fields replace the old
	for _, f := range headers {
		h.Add(f[0], f[1])
	}
	r.code = code
	if excInfo != nil {
		r.err = nil // the app has answered its own error
	}
	return r.write, nil
}

// setErr records the first error of the response and returns err.
func (r *response) setErr(err error) error {
	if r.err == nil {
		r.err = err
	}
	return err
}

// write is the write callable: it sends p now, header first.
func (r *response) write(p []byte) error {
	switch {
	case r.done:
		return errFinished
	case r.err != nil:
		return r.err
	}
	r.sendHeaders()
	if err := r.send(p); err != nil {
		return r.setErr(err)
	}
	if err := r.w.Flush(); err != nil {
		return r.setErr(err)
	}
	return nil
}

// finish sends the body, a chunk at a time: finish_response. Each
// chunk of a streaming body leaves before the next is asked for; the
// chunks of a ListBody, all known, leave together, with their length.
func (r *response) finish(body Body) error {
	if body == nil {
		return errNoBody
	}
	list, isList := body.(*ListBody)
	if isList && !r.sent {
		r.length = list.Len()
	}
	for {
		chunk, err := body.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(chunk) == 0 {
			continue // nothing to send: the header waits too
		}
		if err := r.ready(); err != nil {
			return err
		}
		r.sendHeaders()
		if err := r.send(chunk); err != nil {
			return err
		}
		if !isList {
			if err := r.w.Flush(); err != nil {
				return err
			}
		}
	}
	if err := r.ready(); err != nil {
		return err
	}
	r.sendHeaders() // an empty body: the header leaves at the end
	return nil
}

// ready reports whether the header may be sent.
func (r *response) ready() error {
	if r.err != nil {
		return r.err
	}
	if r.code == 0 {
		return errNoStart
	}
	return nil
}

// sendHeaders hands the status and fields to w, once. w adds Date and
// Server, and frames the body: by the app's Content-Length, by the one
// computed here for a ListBody, by chunks, or by closing.
func (r *response) sendHeaders() {
	if r.sent {
		return
	}
	r.sent = true
	h := r.w.Header()
	if r.length >= 0 && r.code != 204 && r.code != 304 &&
		!h.Has("Content-Length") {
		h.Set("Content-Length", strconv.FormatInt(r.length, 10))
	}
	r.w.WriteHeader(r.code)
}

// send writes a chunk. httpd drops the body of HEAD, 204 and 304, and
// refuses bytes past the app's Content-Length.
func (r *response) send(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	_, err := r.w.Write(p)
	if err == httpd.ErrBodyNotAllowed {
		return nil // a 204 or 304: no body to send
	}
	return err
}

// fail ends a response the app could not complete: handle_error.
// Before the header left, the client gets an error page: 500, or the
// status of an error reading the request body. After, the response is
// cut short, so that the client cannot take it for a whole one.
func (r *response) fail(err error) {
	var se *httpd.StatusError
	client := errors.As(err, &se) // reading the request body failed
	if r.sent {
		r.logf("failed after the header was sent, aborting: %v", err)
		httpd.Abort(r.w)
		return
	}
	clear(r.w.Header())
	if client {
		httpd.Error(r.w, se.Code, se.Reason)
		return
	}
	r.logf("failed: %v", err)
	httpd.Error(r.w, 500, "A server error occurred. "+
		"Please contact the administrator.")
}

func (r *response) logf(format string, args ...any) {
	r.log.Printf("gateway: %s %s: %s", r.req.Method, r.req.Target,
		fmt.Sprintf(format, args...))
}

// parseStatus checks a status, "NNN Reason", and returns its code.
func parseStatus(s string) (int, error) {
	if len(s) < 4 || s[3] != ' ' || !isDigits(s[:3]) {
		return 0, fmt.Errorf("gateway: status %q is not "+
			"\"NNN Reason\"", s)
	}
	code, _ := strconv.Atoi(s[:3])
	if code < 200 || code > 599 {
		return 0, fmt.Errorf("gateway: status %q: an app's status "+
			"is 200 to 599", s)
	}
	if controlByte(s) >= 0 {
		return 0, fmt.Errorf("gateway: status %q has a control byte",
			s)
	}
	return code, nil
}

// hopByHop are the fields that belong to a connection, not to a
// response: wsgiref.util.is_hop_by_hop.
var hopByHop = []string{"Connection", "Keep-Alive",
	"Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailers",
	"Transfer-Encoding", "Upgrade"}

// isHopByHop reports whether name is one of hopByHop, in any case.
func isHopByHop(name string) bool {
	for _, h := range hopByHop {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// checkHeaders checks the fields an app gives start.
func checkHeaders(headers [][2]string) error {
	for _, f := range headers {
		name, value := f[0], f[1]
		switch {
		case !isToken(name):
			return fmt.Errorf("gateway: field name %q is not a token",
				name)
		case isHopByHop(name):
			return fmt.Errorf("gateway: %s is a hop-by-hop field: "+
				"the server's, not the app's", name)
		case controlByte(value) >= 0:
			return fmt.Errorf("gateway: field %s: control byte in "+
				"value %q", name, value)
		case strings.EqualFold(name, "Content-Length") &&
			(!isDigits(value) || len(value) > 18):
			return fmt.Errorf("gateway: Content-Length %q is not "+
				"a length", value)
		}
	}
	return nil
}

// controlByte returns the index of the first control byte of s (tab
// excepted), or -1.
func controlByte(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return i
		}
	}
	return -1
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isToken reports whether s is a token (RFC 9110 §5.6.2), the syntax
// of a field name.
func isToken(s string) bool {
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
