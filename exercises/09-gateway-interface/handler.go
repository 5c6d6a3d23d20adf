package gateway

import (
	"errors"
	"io"
	"log"
	"net"
	"strings"

	"socket2gateway/exercises/09-gateway-interface/httpd"
)

// setupEnviron returns the server's part of every environ, for a
// server listening on addr: what WSGIServer.setup_environ puts in
// base_environ. SERVER_NAME is the host of addr (the machine's name,
// os.Hostname, when it listens on every address), SERVER_PORT its
// port, SERVER_SOFTWARE is ServerSoftware, GATEWAY_INTERFACE "CGI/1.1",
// and SCRIPT_NAME "": the app is mounted at the root.
func setupEnviron(addr net.Addr) map[string]string {
	// TODO: net.SplitHostPort(addr.String()), then the map.
	return nil
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
	// TODO: pick the logger (h.ErrorLog, or log.Default()), make the
	// response r := &response{w: w, req: req, log: lg, length: -1}
	// and call r.run(h.App, h.environ(req, lg)).
	httpd.Error(w, 501, "gateway: the handler is not written yet")
}

// environ returns the environ of req: get_environ and setup_environ.
// Vars starts as a copy of h.Base, and gets every variable the doc
// comment of Environ.Vars lists (gateway.go). The typed keys: Version
// {1, 0}, URLScheme "http", Input an *input on req.Body, Errors a
// logWriter on lg, and the serving model of httpd: a goroutine per
// connection, in one long-lived process.
func (h *Handler) environ(req *httpd.Request, lg *log.Logger) *Environ {
	// TODO: the CGI variables, from h.Base and req (its Method, Proto,
	// Target, Path, RawQuery, RemoteAddr, Header, ContentLength).
	// Careful with three things. PATH_INFO is "" or starts with "/"
	// (req.Path of "OPTIONS *" is "*"). Content-Type and
	// Content-Length become CONTENT_TYPE and CONTENT_LENGTH, never
	// HTTP_CONTENT_*. A field name with "_" in it is dropped: X_User
	// would become HTTP_X_USER, like X-User.
	return &Environ{}
}

// cgiName returns the variable of a request field: HTTP_ and the name
// in upper case, "-" as "_" ("User-Agent" is HTTP_USER_AGENT).
func cgiName(name string) string {
	// TODO
	return ""
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
	// TODO: a *bufio.Reader on body, made by the first ReadLine.
}

func (in *input) Read(p []byte) (int, error) {
	// TODO: read from the buffer once there is one, else from body.
	return 0, io.EOF
}

// ReadLine is the spec of Input.ReadLine in gateway.go: a line with
// its "\n", at most maxLine bytes at once, then nil and io.EOF.
func (in *input) ReadLine() ([]byte, error) {
	// TODO: bufio.Reader.ReadSlice('\n') in a loop: bufio.ErrBufferFull
	// means the line goes on. The slice it returns is the buffer's,
	// so copy it (append to a line of your own).
	return nil, io.EOF
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
	// TODO: body, err := app.Call(env, r.start); defer the body's
	// Close (log its error); finish the body; mark the response done;
	// fail it on error.
}

// start is the StartResponse the app gets. The rules are in the doc
// comment of StartResponse (gateway.go).
func (r *response) start(status string, headers [][2]string,
	excInfo error) (func([]byte) error, error) {
	// TODO: after done: errFinished. With excInfo once the header was
	// sent: return excInfo (and remember it). Without excInfo when a
	// status was set: errStartTwice. Then parseStatus and
	// checkHeaders; the fields go into w.Header() (clear it first:
	// excInfo replaces), the code into r.code. Remember every error
	// with setErr, and forget it after a successful call with
	// excInfo.
	return nil, errors.New("gateway: start is not written yet")
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
	// TODO: refuse after done or after an error; sendHeaders, send,
	// then w.Flush(). A failure is the response's error (setErr).
	return errFinished
}

// finish sends the body, a chunk at a time: finish_response. Each
// chunk of a streaming body leaves before the next is asked for; the
// chunks of a ListBody, all known, leave together, with their length.
func (r *response) finish(body Body) error {
	// TODO: a nil body is errNoBody. For a *ListBody whose header has
	// not left, r.length = its Len(). Then Next until io.EOF: skip
	// empty chunks; before the first byte, ready() and sendHeaders();
	// send each chunk, and Flush after it unless the body is a List.
	// At the end, ready() and sendHeaders() for an empty body.
	return errNoBody
}

// ready reports whether the header may be sent: no error so far, and
// a status from start.
func (r *response) ready() error {
	// TODO
	return errNoStart
}

// sendHeaders hands the status and fields to w, once. w adds Date and
// Server, and frames the body: by the app's Content-Length, by the one
// computed here for a ListBody (not for 204 and 304), by chunks, or by
// closing.
func (r *response) sendHeaders() {
	// TODO: w.Header().Set("Content-Length", ...) when r.length says
	// so, then w.WriteHeader(r.code).
}

// send writes a chunk. httpd drops the body of HEAD, 204 and 304
// (ErrBodyNotAllowed is no error here), and refuses bytes past the
// app's Content-Length.
func (r *response) send(p []byte) error {
	// TODO
	return errFinished
}

// fail ends a response the app could not complete: handle_error.
// Before the header left, the client gets an error page: 500, or the
// status of an error reading the request body (an *httpd.StatusError:
// find it with errors.As). After, the response is cut short with
// httpd.Abort, so that the client cannot take it for a whole one.
// Either way the app's failure goes to the log.
func (r *response) fail(err error) {
	// TODO: clear(w.Header()) before httpd.Error: the app's fields
	// do not belong on the error page.
}

// parseStatus checks a status, "NNN Reason", and returns its code:
// three digits, a space, a reason without control bytes; the code is
// 200 to 599.
func parseStatus(s string) (int, error) {
	// TODO
	return 0, errors.New("gateway: parseStatus is not written yet")
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

// checkHeaders checks the fields an app gives start: names are tokens
// and not hop-by-hop, values have no control byte, a Content-Length is
// digits (at most 18).
func checkHeaders(headers [][2]string) error {
	// TODO
	return errors.New("gateway: checkHeaders is not written yet")
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
