// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/11-cgi"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 11 // failures show how to replay against `tutor run 11`
	// A Python script takes a while to start on a busy machine: give
	// every exchange more time than the scripts' own limits.
	wire.Timeout = 10 * time.Second
	os.Exit(m.Run())
}

// cgiBin is the folder of the lesson's scripts, in the exercise folder
// (scripts are not Go files: the solution uses the same ones).
var cgiBin = func() string {
	dir, err := filepath.Abs(filepath.Join("testdata", "cgi-bin"))
	if err != nil {
		panic(err)
	}
	return dir
}()

// needPython skips a test that runs the Python scripts when there is
// no python3 to run them.
func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: lesson 11's tests run real " +
			"Python CGI scripts; install python3 (Debian: apt-get " +
			"install python3) and run `tutor doctor`")
	}
}

// server is a CGI handler served on 127.0.0.1 for one test.
type server struct {
	addr string
	port string
	cgi  *httpd.CGI
	log  *logBuffer
}

// start serves a CGI handler for the scripts of testdata/cgi-bin under
// /cgi-bin until the test ends, with a time limit of 5 seconds;
// options change the handler before it starts. When the test ends the
// handler and the server are closed, and no goroutine and no script
// may be left running.
func start(t *testing.T, options ...func(*httpd.CGI)) *server {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listen on 127.0.0.1:0")
	logs := &logBuffer{t: t}
	lg := log.New(logs, "", 0)
	c := &httpd.CGI{
		Root:     cgiBin,
		Prefix:   "/cgi-bin",
		Addr:     ln.Addr().String(),
		Timeout:  5 * time.Second,
		ErrorLog: lg,
	}
	for _, o := range options {
		o(c)
	}
	srv := &httpd.Server{
		Handler:           c,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       5 * time.Second,
		ErrorLog:          lg,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		stopped := make(chan struct{})
		go func() {
			c.Close()
			srv.Close()
			<-done
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Errorf("the server did not stop within 10s of Close: " +
				"a request still runs (a script nobody killed?)")
		}
		if pids := killChildren(); len(pids) > 0 {
			t.Errorf("scripts still running after the server's Close "+
				"(pids %v): Close must kill them; the test killed them", pids)
		}
		logs.stop()
		goleak.VerifyNone(t, ignore)
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return &server{addr: ln.Addr().String(), port: port, cgi: c, log: logs}
}

// killChildren kills every process whose parent is this test binary
// (the scripts), and returns their pids; it leaves zombies alone. It
// is the tests' safety net: a script must never outlive its test.
func killChildren() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		state, ppid, ok := procStat(pid)
		if !ok || ppid != self || state == "Z" {
			continue
		}
		syscall.Kill(-pid, syscall.SIGKILL) // its group, if it has one
		syscall.Kill(pid, syscall.SIGKILL)
		pids = append(pids, pid)
	}
	return pids
}

// procStat returns the state ("R", "S", "Z"...) and the parent of a
// process, from /proc/PID/stat.
func procStat(pid int) (state string, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, false
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return "", 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	return f[0], ppid, true
}

// gone reports whether a process no longer exists: it exited and was
// waited for.
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// notRunning reports whether a process is gone or a zombie: dead, but
// not yet waited for by its parent.
func notRunning(pid int) bool {
	if gone(pid) {
		return true
	}
	state, _, ok := procStat(pid)
	return !ok || state == "Z"
}

// eventually polls cond every 20ms for at most d.
func eventually(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); ; {
		if cond() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logBuffer keeps the server's log, and shows it in the test's log.
type logBuffer struct {
	t       *testing.T
	mu      sync.Mutex
	b       strings.Builder
	stopped bool
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	if !l.stopped {
		l.t.Log("server: " + strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// stop ends the copies to the test's log: the test is ending.
func (l *logBuffer) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// mark returns a position in the log, for since.
func (l *logBuffer) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

// since returns what was logged after mark.
func (l *logBuffer) since(mark int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()[mark:]
}

// get returns a GET request for target on HTTP/1.1.
func get(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"
}

// post returns a POST request for target with body.
func post(target, body string) string {
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\n"+
		"Content-Length: %d\r\n\r\n%s", target, len(body), body)
}

// do sends raw on a new connection and reads one response.
func (s *server) do(t *testing.T, raw string) *wire.Response {
	t.Helper()
	c := wire.Dial(t, s.addr)
	c.Send(raw)
	return c.ReadResponse()
}

// environ sends raw, a request for environ.py, and returns the
// environ the app answers with. wsgiref gives a WSGI app the request's
// variables as "native strings" (PEP 3333): their bytes, each as one
// latin-1 character. They come back here as the bytes the server set.
func (s *server) environ(t *testing.T, raw string) map[string]string {
	t.Helper()
	r := s.do(t, raw)
	if !wire.ExpectStatus(t, r, 200) {
		t.FailNow()
	}
	var env map[string]string
	require.NoError(t, json.Unmarshal(r.Body, &env),
		"environ.py answers JSON; got %q", r.Body)
	for k, v := range env {
		env[k] = native(v)
	}
	return env
}

// native turns a PEP 3333 native string back into its bytes.
func native(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return s
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// expectVars checks variables of env: a value for each name, or "-"
// for a variable that must not be set at all.
func expectVars(t *testing.T, env map[string]string, raw string, want map[string]string) {
	t.Helper()
	for name, value := range want {
		got, ok := env[name]
		switch {
		case value == "-":
			assert.False(t, ok, "%s=%q is set, want it unset, for %q",
				name, got, raw)
		case !ok:
			assert.Fail(t, "variable missing", "%s is not set, want "+
				"%q, for %q", name, value, raw)
		default:
			assert.Equal(t, value, got, "%s, for %q", name, raw)
		}
	}
}

// noValueHolds checks that no variable of env holds secret.
func noValueHolds(t *testing.T, env map[string]string, secret, raw string) {
	t.Helper()
	for k, v := range env {
		assert.NotContains(t, v, secret, "%s holds %q, for %q", k, v, raw)
	}
}

// script returns a POST to raw.py (with ?query, if any) whose body
// raw.py writes back as its whole output, header block included.
func script(query, output string) string {
	target := "/cgi-bin/raw.py"
	if query != "" {
		target += "?" + query
	}
	return post(target, output)
}
