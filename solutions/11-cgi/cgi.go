package httpd

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

	mu      sync.Mutex
	running map[int]bool // process groups of running scripts; guarded by mu
	closed  bool         // guarded by mu
}

const (
	// maxScriptHeader bounds a script's header block.
	maxScriptHeader = 64 << 10
	// maxChunkedBody bounds a chunked request body, which is read
	// whole before the script starts, to count its length.
	maxChunkedBody = 1 << 20
	// maxHeldBody bounds a body with a Content-Length that is read
	// whole and checked before the response begins; a longer one is
	// checked as it streams.
	maxHeldBody = 64 << 10
)

// errClosed is the error of a script that Close stopped.
var errClosed = errors.New("cgi: the server is closing")

// ServeHTTP runs the script the request names, and answers with what
// it writes. Before the script starts: 404 for a script that does not
// exist, 403 for a file that is not an executable script, 400 for a
// path with a ".." segment, 413 for a chunked body over 1 MiB. After:
// 502 for a script that fails or writes an invalid response, 504 for
// one that runs past Timeout. A script that fails after its response
// has begun has the response cut short (see abortResponse).
func (h *CGI) ServeHTTP(w ResponseWriter, r *Request) {
	file, scriptName, pathInfo, err := h.locate(r)
	if err != nil {
		refuse(w, err)
		return
	}
	body, length, err := requestBody(r)
	if err != nil {
		refuse(w, err)
		return
	}
	env := h.environ(r, scriptName, pathInfo, length)
	h.run(w, r, file, scriptName, env, body, length)
}

// refuse answers the *StatusError err (500 for any other error).
func refuse(w ResponseWriter, err error) {
	var se *StatusError
	if !errors.As(err, &se) {
		se = &StatusError{Code: 500, Reason: err.Error()}
	}
	Error(w, se.Code, se.Reason)
}

// locate finds the script a request names (Prefix/NAME/MORE runs
// Root/NAME) and returns its file, SCRIPT_NAME and PATH_INFO, or a
// *StatusError: 400 for a ".." segment or a NUL in the path, 404 for a
// path outside Prefix or a script that does not exist, 403 for a file
// that is not an executable regular file.
func (h *CGI) locate(r *Request) (file, scriptName, pathInfo string, err error) {
	p := r.Path
	if !strings.HasPrefix(p, "/") {
		return "", "", "", statusErrorf(404, "no script at %q", p)
	}
	if strings.IndexByte(p, 0) >= 0 {
		return "", "", "", statusErrorf(400, "NUL in the path")
	}
	// r.Path is decoded: %2e%2e is ".." here. A script may use
	// PATH_INFO as a file name; never hand it a way out.
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", "", "", statusErrorf(400, "a .. segment in the path")
		}
	}
	prefix := strings.TrimSuffix(h.Prefix, "/")
	rest, ok := strings.CutPrefix(p, prefix)
	if !ok || rest != "" && rest[0] != '/' {
		return "", "", "", statusErrorf(404, "no script at %q", p)
	}
	name := h.Script
	if name != "" {
		scriptName, pathInfo = prefix, rest
	} else {
		var more string
		var slash bool
		name, more, slash = strings.Cut(strings.TrimPrefix(rest, "/"), "/")
		scriptName = prefix + "/" + name
		if slash {
			pathInfo = "/" + more
		}
	}
	if name == "" || name == "." {
		return "", "", "", statusErrorf(404, "no script at %q", p)
	}
	root, err := filepath.Abs(h.Root)
	if err != nil {
		return "", "", "", err
	}
	file = filepath.Join(root, name)
	fi, err := os.Stat(file)
	switch {
	case err != nil:
		return "", "", "", statusErrorf(404, "no script %q", scriptName)
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
		return "", "", "", statusErrorf(403, "%q is not an executable script", scriptName)
	}
	return file, scriptName, pathInfo, nil
}

// requestBody returns what to feed to the script's stdin, and its
// length: CONTENT_LENGTH. A script needs the length before it starts,
// so a chunked body is read whole first (at most maxChunkedBody
// bytes, else 413); a body with a Content-Length streams as it comes.
func requestBody(r *Request) (io.Reader, int64, error) {
	if !r.Chunked {
		return r.Body, r.ContentLength, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxChunkedBody+1))
	if err != nil {
		return nil, 0, err // a *StatusError from the chunked reader
	}
	if len(b) > maxChunkedBody {
		return nil, 0, statusErrorf(413,
			"a chunked body over %d bytes", maxChunkedBody)
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

// environ returns the script's environment: the meta-variables of RFC
// 3875 §4.1, the header fields as HTTP_* variables (§4.1.18), PATH,
// and h.Env.
func (h *CGI) environ(r *Request, scriptName, pathInfo string, length int64) []string {
	name, port := h.server(r)
	remote, remotePort, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		remote = r.RemoteAddr
	}
	env := []string{
		"GATEWAY_INTERFACE=CGI/1.1",
		"SERVER_SOFTWARE=" + serverName,
		"SERVER_NAME=" + name,
		"SERVER_PORT=" + port,
		"SERVER_PROTOCOL=" + r.Proto,
		"REQUEST_METHOD=" + r.Method,
		"SCRIPT_NAME=" + scriptName,
		"PATH_INFO=" + pathInfo,
		"QUERY_STRING=" + r.RawQuery,
		"REMOTE_ADDR=" + remote,
		"REMOTE_HOST=" + remote, // §4.1.9: the address will do
		"REMOTE_PORT=" + remotePort,
	}
	// §4.1.2: no CONTENT_LENGTH when no data is attached.
	if length > 0 {
		env = append(env, "CONTENT_LENGTH="+strconv.FormatInt(length, 10))
	}
	if ct := r.Header.Values("Content-Type"); len(ct) > 0 {
		env = append(env, "CONTENT_TYPE="+ct[0])
	}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v, ok := headerVariable(k)
		if !ok {
			continue
		}
		// §4.1.18: repeated fields become one value.
		env = append(env, v+"="+strings.Join(r.Header[k], ", "))
	}
	if !hasVariable(h.Env, "PATH") {
		path := os.Getenv("PATH")
		if path == "" {
			path = "/usr/local/bin:/usr/bin:/bin"
		}
		env = append(env, "PATH="+path)
	}
	return append(env, h.Env...)
}

// server returns SERVER_NAME, the host the client addressed (the Host
// field, else the listening address), and SERVER_PORT, the port the
// request came in on.
func (h *CGI) server(r *Request) (name, port string) {
	name = r.Host
	if host, _, err := net.SplitHostPort(r.Host); err == nil {
		name = host
	}
	addrHost, addrPort, err := net.SplitHostPort(h.Addr)
	if err != nil { // no Addr: trust the Host field
		addrHost, addrPort = "localhost", "80"
		if _, p, err := net.SplitHostPort(r.Host); err == nil {
			addrPort = p
		}
	}
	if name == "" {
		name = addrHost
	}
	return name, addrPort
}

// hidden lists the variables a header field must never become:
// credentials (§4.1.18), what CONTENT_LENGTH and CONTENT_TYPE already
// say (and PEP 3333 forbids twice), a framing the script never sees,
// and HTTP_PROXY, which programs take for their proxy (httpoxy).
var hidden = map[string]bool{
	"HTTP_AUTHORIZATION":       true,
	"HTTP_PROXY_AUTHORIZATION": true,
	"HTTP_CONTENT_LENGTH":      true,
	"HTTP_CONTENT_TYPE":        true,
	"HTTP_TRANSFER_ENCODING":   true,
	"HTTP_PROXY":               true,
}

// headerVariable returns the variable of a header field: HTTP_ and
// the name in upper case, "-" as "_" (§4.1.18). A name with any other
// byte than letters, digits and "-" gets none: X_Foo would become
// HTTP_X_FOO, the variable of X-Foo, and could stand in for it. Apache
// and nginx drop such fields too.
func headerVariable(name string) (string, bool) {
	b := make([]byte, 0, len("HTTP_")+len(name))
	b = append(b, "HTTP_"...)
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		case c == '-':
			b = append(b, '_')
		default:
			return "", false
		}
	}
	v := string(b)
	return v, !hidden[v]
}

func hasVariable(env []string, name string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == name {
			return true
		}
	}
	return false
}

// run runs the script file and answers with its output.
func (h *CGI) run(w ResponseWriter, r *Request, file, scriptName string,
	env []string, body io.Reader, length int64) {
	cmd := exec.Command(file)
	cmd.Dir = filepath.Dir(file) // RFC 3875 §7.2
	cmd.Env = env
	// Its own process group, so that one kill reaches every process
	// the script starts.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr := &lineLog{logf: h.logf, prefix: "cgi: " + scriptName + ": "}
	cmd.Stderr = stderr
	var stdin io.WriteCloser // nil: stdin is /dev/null
	var err error
	if length > 0 {
		if stdin, err = cmd.StdinPipe(); err != nil {
			refuse(w, err)
			return
		}
		if r.ExpectsContinue() {
			// Reading the body sends "100 Continue", and that
			// writes to w: do it here, not in the goroutine that
			// feeds stdin while this one writes the response.
			r.Body.Read(nil)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		refuse(w, err)
		return
	}
	if err := h.start(cmd); err != nil {
		h.logf("cgi: %s: %v", scriptName, err)
		if errors.Is(err, errClosed) {
			Error(w, 503, "The server is closing.")
			return
		}
		Error(w, 500, "The CGI script could not be started.")
		return
	}
	pgid := cmd.Process.Pid
	var timedOut atomic.Bool
	timer := time.AfterFunc(h.timeout(), func() {
		timedOut.Store(true)
		h.kill(pgid)
	})
	fed := feed(stdin, body)
	waited := false
	var exit error // from Wait: nil for exit status 0
	wait := func() {
		if !waited {
			waited = true
			exit = cmd.Wait()
			timer.Stop()
		}
	}
	defer func() {
		// Whatever happened: no process of the script outlives the
		// request, none is left a zombie, and the goroutine that
		// feeds stdin is done before the server reads on.
		timer.Stop()
		h.kill(pgid)
		wait()
		h.forget(pgid)
		stderr.Close()
		<-fed
	}()

	// failed answers for a script that failed before its response
	// began, and logs why.
	failed := func(cause error) {
		h.kill(pgid)
		wait()
		switch {
		case timedOut.Load():
			h.logf("cgi: %s: ran past its time limit of %v: killed",
				scriptName, h.timeout())
			Error(w, 504, "The CGI script took too long.")
		case h.isClosed():
			h.logf("cgi: %s: %v", scriptName, errClosed)
			Error(w, 503, "The server is closing.")
		default:
			h.logf("cgi: %s: %v (%s)", scriptName, cause, describe(exit))
			Error(w, 502, "The CGI script did not send a valid response.")
		}
	}

	out := bufio.NewReaderSize(stdout, 4096)
	hdr, err := readScriptHeader(out)
	if err != nil {
		failed(err)
		return
	}
	status, declared, err := checkScriptHeader(hdr)
	if err != nil {
		failed(err)
		return
	}
	answer := func() {
		for k, v := range hdr {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
	}

	switch {
	case r.Method == "HEAD" || !statusHasBody(status):
		// §6.4: read all the script writes; send none of it. Flush
		// sends the header as it is: the server must not invent a
		// Content-Length of 0 for a HEAD.
		io.Copy(io.Discard, out)
		if wait(); exit != nil || timedOut.Load() {
			failed(errors.New("failed"))
			return
		}
		answer()
		w.Flush()

	case declared >= 0 && declared <= maxHeldBody:
		// A length we can check before answering: a script whose
		// body contradicts it gets a clean 502.
		b, err := io.ReadAll(io.LimitReader(out, declared+1))
		if err != nil {
			failed(err)
			return
		}
		if int64(len(b)) != declared {
			what := "a body of " + strconv.Itoa(len(b)) + " bytes"
			if int64(len(b)) > declared {
				what = "a longer body"
			}
			failed(fmt.Errorf("Content-Length %d but %s", declared, what))
			return
		}
		if wait(); exit != nil || timedOut.Load() {
			failed(errors.New("failed"))
			return
		}
		answer()
		w.Write(b)

	default:
		h.stream(w, out, answer, declared, scriptName, failed, func() error {
			wait()
			if timedOut.Load() {
				return fmt.Errorf("ran past its time limit of %v", h.timeout())
			}
			if exit != nil {
				return fmt.Errorf("failed (%s)", describe(exit))
			}
			return nil
		})
	}
}

// stream copies the script's body to the client as it comes: each
// piece is flushed, so without a Content-Length the body is chunked
// (HTTP/1.1) or ends at the close (HTTP/1.0). The response starts with
// the first piece; a script that ends with no body and fails gets
// failed. Once the response has begun, a failure (exit status, time
// limit, a body that contradicts its Content-Length) can only abort it.
func (h *CGI) stream(w ResponseWriter, out io.Reader, answer func(),
	declared int64, scriptName string, failed func(error), end func() error) {
	buf := make([]byte, 32<<10)
	started := false
	var sent int64
	for {
		n, rerr := out.Read(buf)
		if n > 0 {
			if !started {
				answer()
				started = true
			}
			if _, err := w.Write(buf[:n]); err != nil {
				if errors.Is(err, ErrContentLength) {
					h.logf("cgi: %s: wrote more than its "+
						"Content-Length %d", scriptName, declared)
					abortResponse("body longer than Content-Length")
				}
				h.logf("cgi: %s: the client went away: %v", scriptName, err)
				return // the deferred kill stops the script
			}
			sent += int64(n)
			if err := w.Flush(); err != nil {
				h.logf("cgi: %s: the client went away: %v", scriptName, err)
				return
			}
		}
		if rerr != nil {
			break
		}
	}
	err := end()
	if err == nil && declared >= 0 && sent != declared {
		err = fmt.Errorf("Content-Length %d but a body of %d bytes",
			declared, sent)
	}
	switch {
	case !started && err != nil:
		failed(err)
	case !started:
		answer() // an empty body
	case err != nil:
		h.logf("cgi: %s: %v after its response began: cut short",
			scriptName, err)
		abortResponse(err.Error())
	}
}

// feed copies body to stdin in a goroutine of its own, then closes
// stdin so that the script reads EOF. It returns a channel that is
// closed when it is done. Writing from the goroutine that reads stdout
// would deadlock with a script that writes a lot before it reads: both
// pipes fill up. A script may also exit without reading: the copy then
// fails (EPIPE), and that is no error.
func feed(stdin io.WriteCloser, body io.Reader) <-chan struct{} {
	done := make(chan struct{})
	if stdin == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		io.Copy(stdin, body)
		stdin.Close()
	}()
	return done
}

// readScriptHeader reads the header block at the start of a script's
// output (RFC 3875 §6): field lines, each ended by LF or CRLF (§7.2),
// then an empty line. It refuses a block with no end, a line that is
// not "Name: value", and a block over maxScriptHeader bytes.
func readScriptHeader(br *bufio.Reader) (Header, error) {
	h := Header{}
	total := 0
	for {
		line, err := readLine(br, maxScriptHeader-total)
		switch {
		case errors.Is(err, errLineTooLong):
			return nil, fmt.Errorf("header block over %d bytes", maxScriptHeader)
		case err == io.EOF && total == 0:
			return nil, errors.New("no output: no header block")
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return nil, errors.New("output ended inside the header block")
		case err != nil:
			return nil, fmt.Errorf("bad header line: %v", err)
		}
		total += len(line) + 1
		if line == "" {
			return h, nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(name) {
			return nil, fmt.Errorf("bad header line %q", line)
		}
		value = strings.Trim(value, " \t")
		for i := 0; i < len(value); i++ {
			if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
				return nil, fmt.Errorf("control byte in header %s", name)
			}
		}
		h.Add(name, value)
	}
}

// checkScriptHeader applies RFC 3875 §6.2 and §6.3 to a script's
// header and takes out the CGI fields. It returns the status (Status,
// else 302 with a Location, else 200) and the Content-Length (-1 if
// none), or an error for: a bad or repeated Status, a missing
// Content-Type (needed unless Location is set or the status has no
// body), a Transfer-Encoding (the server frames the body), a bad
// Content-Length.
func checkScriptHeader(h Header) (status int, length int64, err error) {
	length = -1
	switch st := h.Values("Status"); {
	case len(st) > 1:
		return 0, 0, errors.New("more than one Status field")
	case len(st) == 1:
		code, _, _ := strings.Cut(st[0], " ")
		n, err := strconv.Atoi(code)
		if len(code) != 3 || err != nil || n < 200 || n > 599 {
			return 0, 0, fmt.Errorf("bad Status %q", st[0])
		}
		status = n
	}
	h.Del("Status")
	location := h.Get("Location")
	if status == 0 {
		status = 200
		if location != "" {
			status = 302 // §6.2.3: a client redirect
		}
	}
	if h.Has("Transfer-Encoding") {
		return 0, 0, errors.New("a Transfer-Encoding field: " +
			"the server frames the body")
	}
	if cl := h.Values("Content-Length"); len(cl) > 0 {
		n, err := parseContentLength(cl)
		if err != nil {
			return 0, 0, fmt.Errorf("bad Content-Length %q", cl)
		}
		h.Set("Content-Length", strconv.FormatInt(n, 10))
		length = n
	}
	if !h.Has("Content-Type") && location == "" && statusHasBody(status) {
		return 0, 0, errors.New("no Content-Type for a document (§6.3.1)")
	}
	return status, length, nil
}

// describe says how a script ended, from the error of Cmd.Wait.
func describe(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.String()
	}
	return err.Error()
}

// start starts cmd and remembers its process group, unless the handler
// is closed.
func (h *CGI) start(cmd *exec.Cmd) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errClosed
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	if h.running == nil {
		h.running = map[int]bool{}
	}
	h.running[cmd.Process.Pid] = true
	return nil
}

// kill kills every process of a running script's group. Once the
// script has been waited for and forgotten it does nothing: the number
// may belong to another process by then.
func (h *CGI) kill(pgid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running[pgid] {
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// forget is called once the script has been waited for.
func (h *CGI) forget(pgid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.running, pgid)
}

func (h *CGI) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// Close kills every running script, with the processes it started,
// and makes the handler answer 503 from then on. Their requests end at
// once (504 or 503, or a response cut short). Call it before the
// server's Close, which waits for every request to end. It is safe to
// call more than once.
func (h *CGI) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for pgid := range h.running {
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
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
