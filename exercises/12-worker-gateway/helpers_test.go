// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/12-worker-gateway"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 12 // failures show how to replay against `tutor run 12`
	// A response may wait for a worker to start: Python can take
	// seconds to on a busy machine.
	wire.Timeout = 15 * time.Second
	goleak.VerifyTestMain(m)
}

// testApp is the app the tests serve (testdata/testapp.py).
const testApp = "testdata/testapp.py:app"

// bound is how long a test waits for something that should happen
// at once: a worker reaped, told to stop, a line in the log.
const bound = 5 * time.Second

// bootBound is how long a test waits for something that needs a new
// worker to start: Python takes a while on a busy machine.
const bootBound = 20 * time.Second

// streamWait is how long a test waits for a chunk the app has
// yielded, while the app waits (10 s) for it to arrive.
const streamWait = 3 * time.Second

// needPython skips the test where there is no python3 to run.
func needPython(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: lesson 12 runs real Python " +
			"workers; install python3 and run `tutor doctor`")
	}
}

// gateway is a pool of workers behind lesson 5's server, as the tests
// start it.
type gateway struct {
	addr string
	pool *httpd.Pool
	log  *logBuffer
}

// startGateway starts a pool with cfg (testApp and one worker unless
// cfg says otherwise) behind a server on 127.0.0.1 and a free port.
// The log of both goes to the test's log, and to g.log for the test
// to read. When the test ends the server and the pool are closed, and
// the test fails if a worker process is left behind.
func startGateway(t *testing.T, cfg httpd.Config) *gateway {
	t.Helper()
	needPython(t)
	g := &gateway{log: newLogBuffer(t)}
	g.pool = startPool(t, cfg, g.log)
	g.addr = serve(t, g.pool, g.log)
	return g
}

// startPool starts a pool as startGateway does, without a server.
func startPool(t *testing.T, cfg httpd.Config, lb *logBuffer) *httpd.Pool {
	t.Helper()
	if cfg.App == "" {
		cfg.App = testApp
	}
	if cfg.Workers == 0 {
		cfg.Workers = 1
	}
	if cfg.BootTimeout == 0 {
		cfg.BootTimeout = 20 * time.Second
	}
	cfg.ErrorLog = newLogger(lb)
	before := children()
	start := time.Now()
	pool, err := httpd.New(cfg)
	require.NoError(t, err, "httpd.New: %d worker(s) of %s",
		cfg.Workers, cfg.App)
	require.NotNil(t, pool, "httpd.New returned no pool and no error")
	t.Cleanup(func() {
		pool.Close()
		expectNoChildren(t, "after Pool.Close", before)
	})
	pids := pool.Workers()
	require.Len(t, pids, cfg.Workers, "Workers() right after New with "+
		"%d workers (took %v)", cfg.Workers, time.Since(start))
	for _, pid := range pids {
		require.True(t, isChild(pid), "Workers() lists %d, which is "+
			"not a live child process of the test: %v", pid, pids)
	}
	return pool
}

// serve serves h on 127.0.0.1 and a free port until the test ends;
// options change the server before it starts.
func serve(t *testing.T, h httpd.Handler, lb *logBuffer, options ...func(*httpd.Server)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listen on 127.0.0.1:0")
	srv := &httpd.Server{
		Handler:           h,
		ReadHeaderTimeout: 2 * time.Second,
		IdleTimeout:       2 * time.Second,
		ErrorLog:          log.New(lb, "server: ", 0),
	}
	for _, o := range options {
		o(srv)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// logBuffer keeps the log lines of a test, and shows them in the
// test's log too.
type logBuffer struct {
	t  *testing.T
	mu sync.Mutex
	b  strings.Builder // guarded by mu
}

func newLogBuffer(t *testing.T) *logBuffer { return &logBuffer{t: t} }

// newLogger returns a logger that writes to lb.
func newLogger(lb *logBuffer) *log.Logger { return log.New(lb, "", 0) }

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.b.Write(p)
	l.mu.Unlock()
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits until the log holds every one of wants, and fails the
// test if it does not within bound: a worker's output reaches the log
// a moment after its response reaches the client.
func (l *logBuffer) waitLog(t *testing.T, wants ...string) bool {
	t.Helper()
	ok := eventually(func() bool {
		s := l.String()
		for _, w := range wants {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Errorf("after %v the server's log lacks one of %q; the log:"+
			"\n%s", bound, wants, l.String())
	}
	return ok
}

// eventually polls cond every 10 ms until it holds or bound passes.
func eventually(cond func() bool) bool {
	return eventuallyWithin(bound, cond)
}

// eventuallyWithin polls cond every 10 ms until it holds or d passes.
func eventuallyWithin(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// get returns a GET request for target, on HTTP/1.1.
func get(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"
}

// request sends raw on a new connection and reads one response.
func request(t *testing.T, addr, raw string) *wire.Response {
	t.Helper()
	c := wire.Dial(t, addr)
	c.Send(raw)
	return c.ReadResponse()
}

// pidOf asks the gateway which worker serves GET /pid on c.
func pidOf(t *testing.T, c *wire.Conn) int {
	t.Helper()
	c.Send(get("/pid"))
	r := c.ReadResponse()
	if !wire.ExpectStatus(t, r, 200) {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(r.Body)))
	if err != nil {
		t.Errorf("GET /pid: body %q is not a pid", r.Body)
	}
	return pid
}

// tempFile returns the path of a file that does not exist yet, in a
// folder removed when the test ends: the tests and the app signal
// each other with such files.
func tempFile(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}

// waitFile waits until the file at path exists, at most bound, and
// returns its contents.
func waitFile(path string) (string, bool) {
	var b []byte
	ok := eventually(func() bool {
		var err error
		b, err = os.ReadFile(path)
		return err == nil && len(b) > 0
	})
	return string(b), ok
}

// rawConn is a connection for the tests that read a response as it
// arrives, a piece at a time; wire reads whole responses.
type rawConn struct {
	nc  net.Conn
	br  *bufio.Reader
	got bytes.Buffer
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, wire.Timeout)
	require.NoError(t, err, "connect to the gateway at %s", addr)
	t.Cleanup(func() { nc.Close() })
	return &rawConn{nc: nc, br: bufio.NewReader(nc)}
}

func (c *rawConn) send(raw string) error {
	c.nc.SetWriteDeadline(time.Now().Add(wire.Timeout))
	_, err := c.nc.Write([]byte(raw))
	return err
}

// readUntil reads until what arrived contains want, or within passes,
// or the server closes. It reports whether want arrived.
func (c *rawConn) readUntil(want string, within time.Duration) bool {
	c.nc.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 4096)
	for !strings.Contains(c.got.String(), want) {
		n, err := c.br.Read(buf)
		c.got.Write(buf[:n])
		if err != nil {
			return strings.Contains(c.got.String(), want)
		}
	}
	return true
}

// readToEnd reads until the server closes the connection (or within
// passes), and reports whether it closed.
func (c *rawConn) readToEnd(within time.Duration) bool {
	c.nc.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 32<<10)
	for {
		n, err := c.br.Read(buf)
		c.got.Write(buf[:n])
		if err != nil {
			var ne net.Error
			return !(errors.As(err, &ne) && ne.Timeout())
		}
	}
}

// isChild reports whether pid is a live child process of the test
// (a zombie is not live: it died and nobody reaped it).
func isChild(pid int) bool {
	st, ppid, ok := procStat(pid)
	return ok && ppid == os.Getpid() && st != 'Z'
}

// procStat reads a process's state and parent from /proc/PID/stat.
func procStat(pid int) (state byte, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parens.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	return f[0][0], ppid, true
}

// children lists the child processes of the test, zombies included.
func children() []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, ok := procStat(pid); ok && ppid == os.Getpid() {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	return pids
}

// describe says what a process is: its state and command line.
func describe(pid int) string {
	st, _, ok := procStat(pid)
	if !ok {
		return fmt.Sprintf("%d (gone)", pid)
	}
	cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	what := "running"
	if st == 'Z' {
		what = "a zombie: exited, never reaped"
	}
	return fmt.Sprintf("%d (%s: %s)", pid, what,
		strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " ")))
}

// expectReaped checks that each of pids is gone: exited and reaped by
// the pool (Wait), so not even a zombie is left.
func expectReaped(t *testing.T, what string, pids ...int) bool {
	t.Helper()
	left := func() []int {
		var l []int
		for _, pid := range pids {
			if _, ppid, ok := procStat(pid); ok &&
				ppid == os.Getpid() {
				l = append(l, pid)
			}
		}
		return l
	}
	if eventually(func() bool { return len(left()) == 0 }) {
		return true
	}
	var ds []string
	for _, pid := range left() {
		ds = append(ds, describe(pid))
	}
	t.Errorf("%s: after %v these workers are still there, want them "+
		"exited and reaped (Wait):\n  %s", what, bound,
		strings.Join(ds, "\n  "))
	return false
}

// expectNoChildren checks that the test has no child process left
// but those of before, and kills and reaps any other, so that the
// next test starts clean.
func expectNoChildren(t *testing.T, when string, before []int) {
	t.Helper()
	var left []int
	for _, pid := range children() {
		if !slices.Contains(before, pid) {
			left = append(left, pid)
		}
	}
	if len(left) == 0 {
		return
	}
	var ds []string
	for _, pid := range left {
		ds = append(ds, describe(pid))
	}
	t.Errorf("%s, worker processes are left behind (a pool must "+
		"stop and reap every worker):\n  %s", when,
		strings.Join(ds, "\n  "))
	for _, pid := range left {
		syscall.Kill(-pid, syscall.SIGKILL)
		syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
	}
}

// expectCut checks that a response was aborted: the connection closed
// after part of a chunked body, without the last chunk, so a client
// can tell that the body is not whole. want is a part of the body
// that must have arrived.
func expectCut(t *testing.T, c *rawConn, want string) {
	t.Helper()
	closed := c.readToEnd(wire.Timeout)
	got := c.got.String()
	head, body, _ := strings.Cut(got, "\r\n\r\n")
	switch {
	case !closed:
		t.Errorf("the connection stayed open for %v after the "+
			"response, want it closed (aborted); received:\n%s",
			wire.Timeout, wire.Block(abbrev(got), -1, ""))
	case !strings.HasPrefix(got, "HTTP/1.1 200 "):
		t.Errorf("want the 200 header the app sent, then the cut; "+
			"received:\n%s", wire.Block(abbrev(got), -1, ""))
	case !strings.Contains(strings.ToLower(head),
		"transfer-encoding: chunked"):
		t.Errorf("want a chunked body (the app set no length); "+
			"received:\n%s", wire.Block(abbrev(got), -1, ""))
	case strings.HasSuffix(body, "0\r\n\r\n"):
		t.Errorf("the body ends with its last chunk (0\\r\\n\\r\\n): "+
			"it looks complete to the client, but the app failed. "+
			"Abort the response instead; received:\n%s",
			wire.Block(abbrev(got), -1, ""))
	case !strings.Contains(body, want):
		t.Errorf("want the part the app sent, %q..., to arrive "+
			"before the cut; received:\n%s", abbrev(want),
			wire.Block(abbrev(got), -1, ""))
	}
}

// abbrev shortens long runs of one byte, so a transcript stays short.
func abbrev(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > 16 {
			fmt.Fprintf(&b, "%s[... %d bytes of %q]", s[i:i+8], j-i-8,
				s[i])
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}
