package httpd

import (
	"bufio"
	"errors"
	"io"
	"log"
	"time"
)

// CGI is a Handler that runs programs as CGI scripts (RFC 3875): for
// each request it starts a process, passes the request in environment
// variables (the meta-variables of §4.1) and on stdin (the body), and
// turns what the process writes on stdout (a header block, then the
// body, §6) into the response. What the script writes on stderr goes
// to the log. Scripts can be written in any language.
//
// A request for Prefix/NAME/MORE runs the executable file Root/NAME,
// with SCRIPT_NAME Prefix/NAME and PATH_INFO /MORE.
type CGI struct {
	// Root is the folder that holds the scripts: every executable
	// regular file in it is a script. Subfolders are not searched.
	Root string
	// Prefix is the path the scripts are served under ("/cgi-bin"),
	// without a final slash. "" serves them at the site's root.
	Prefix string
	// Script, when set, names the one file in Root that answers every
	// path under Prefix: SCRIPT_NAME is then Prefix itself (empty at
	// the site's root) and PATH_INFO all that follows it. This is how
	// a single application is mounted.
	Script string
	// Addr is the address the server listens on ("127.0.0.1:8080"):
	// SERVER_PORT is its port, and SERVER_NAME its host when the
	// request has no Host field.
	Addr string
	// Env lists more variables for every script ("LANG=C.UTF-8").
	// PATH is passed from the server's own environment unless Env
	// sets it.
	Env []string
	// Timeout bounds a script's run, from its start to its exit. A
	// script still running then is killed, with every process it
	// started. Zero means 30 seconds.
	Timeout time.Duration
	// ErrorLog receives what scripts write to stderr and every
	// failure; nil means the log package's standard logger.
	ErrorLog *log.Logger

	// TODO: fields to remember the process groups of running scripts
	// (guarded by a mutex), for the time limit and for Close.
}

var errNotImplemented = errors.New("cgi: not implemented yet")

// ServeHTTP runs the script the request names, and answers with what
// it writes. Before the script starts: 404 for a script that does not
// exist, 403 for a file that is not an executable script, 400 for a
// path with a ".." segment, 413 for a chunked body over 1 MiB. After:
// 502 for a script that fails or writes an invalid response, 504 for
// one that runs past Timeout. A script that fails after its response
// has begun has the response cut short (see abortResponse).
func (h *CGI) ServeHTTP(w ResponseWriter, r *Request) {
	// TODO: locate the script, read a chunked body (requestBody),
	// build the environment, then run the script. Until then,
	// every request gets 501.
	Error(w, 501, "CGI is not implemented yet.")
}

// locate finds the script a request names (Prefix/NAME/MORE runs
// Root/NAME) and returns its file, SCRIPT_NAME and PATH_INFO, or a
// *StatusError: 400 for a ".." segment or a NUL in the path, 404 for a
// path outside Prefix or a script that does not exist, 403 for a file
// that is not an executable regular file.
func (h *CGI) locate(r *Request) (file, scriptName, pathInfo string, err error) {
	// TODO: r.Path is percent-decoded already. Cut Prefix off (on a
	// "/" boundary: /cgi-binx is not under /cgi-bin), then the
	// script's name, then PATH_INFO; os.Stat the file.
	return "", "", "", errNotImplemented
}

// requestBody returns what to feed to the script's stdin, and its
// length: CONTENT_LENGTH. A script needs the length before it starts,
// so a chunked body is read whole first (at most 1 MiB, else 413); a
// body with a Content-Length streams as it comes.
func requestBody(r *Request) (io.Reader, int64, error) {
	// TODO: r.Chunked says whether to read it whole.
	return r.Body, 0, errNotImplemented
}

// environ returns the script's environment: the meta-variables of RFC
// 3875 §4.1, the header fields as HTTP_* variables (§4.1.18), PATH,
// and h.Env.
func (h *CGI) environ(r *Request, scriptName, pathInfo string, length int64) []string {
	// TODO: GATEWAY_INTERFACE, SERVER_SOFTWARE, SERVER_NAME,
	// SERVER_PORT, SERVER_PROTOCOL, REQUEST_METHOD, SCRIPT_NAME,
	// PATH_INFO, QUERY_STRING, REMOTE_ADDR; CONTENT_LENGTH and
	// CONTENT_TYPE when there are; then headerVariable for each
	// field; then PATH and h.Env.
	return nil
}

// headerVariable returns the variable of a header field: HTTP_ and
// the name in upper case, "-" as "_" (§4.1.18). It returns false for a
// field no script may see as HTTP_* (Authorization, Content-Length,
// Content-Type, Proxy...), and for a name that could pass for another
// field's variable.
func headerVariable(name string) (string, bool) {
	// TODO
	return "", false
}

// run runs the script file with env, feeds body (length bytes; none
// when 0) to its stdin, and answers with what it writes: 502 for a
// script that fails or writes an invalid header block, 504 for one
// that runs past h.Timeout, a response cut short (abortResponse) for
// one that fails after its body began. Whatever happens, the script
// and every process it started are dead and waited for when run
// returns, and so is the goroutine that feeds stdin.
func (h *CGI) run(w ResponseWriter, r *Request, file, scriptName string,
	env []string, body io.Reader, length int64) {
	// TODO: exec.Command in a process group of its own, Stderr to a
	// lineLog, pipes for stdin and stdout; start it; a timer for
	// h.timeout(); feed; readScriptHeader and checkScriptHeader;
	// then the body: HEAD, a length to check, or a stream.
	Error(w, 501, "CGI is not implemented yet.")
}

// feed copies body to stdin in a goroutine of its own, then closes
// stdin so that the script reads EOF. It returns a channel that is
// closed when it is done. A script may exit without reading: the copy
// then fails (EPIPE), and that is no error.
func feed(stdin io.WriteCloser, body io.Reader) <-chan struct{} {
	// TODO
	done := make(chan struct{})
	close(done)
	return done
}

// readScriptHeader reads the header block at the start of a script's
// output (RFC 3875 §6): field lines, each ended by LF or CRLF (§7.2),
// then an empty line. It refuses a block with no end, a line that is
// not "Name: value", and a block over 64 KiB.
func readScriptHeader(br *bufio.Reader) (Header, error) {
	// TODO: readLine (request.go) reads a line ended by LF or CRLF.
	return nil, errNotImplemented
}

// checkScriptHeader applies RFC 3875 §6.2 and §6.3 to a script's
// header and takes out the CGI fields. It returns the status (Status,
// else 302 with a Location, else 200) and the Content-Length (-1 if
// none), or an error for: a bad or repeated Status, a missing
// Content-Type (needed unless Location is set or the status has no
// body), a Transfer-Encoding (the server frames the body), a bad
// Content-Length.
func checkScriptHeader(h Header) (status int, length int64, err error) {
	// TODO
	return 0, -1, errNotImplemented
}

// Close kills every running script, with the processes it started,
// and makes the handler answer 503 from then on. Their requests end at
// once (504 or 503, or a response cut short). Call it before the
// server's Close, which waits for every request to end. It is safe to
// call more than once.
func (h *CGI) Close() error {
	// TODO
	return nil
}

func (h *CGI) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return 30 * time.Second
}

func (h *CGI) logf(format string, args ...any) {
	if h.ErrorLog != nil {
		h.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}
