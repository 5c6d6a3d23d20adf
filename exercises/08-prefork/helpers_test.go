// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	httpd "socket2gateway/exercises/08-prefork"
	"socket2gateway/exercises/internal/wire"
)

// The test binary is the prefork program too: the tests run it again
// with mainEnv set, and it runs httpd.Main, as the master, which runs
// it again as each worker. Real processes, on 127.0.0.1.
const (
	mainEnv  = "PREFORK_TEST_MAIN"   // run httpd.Main, not the tests
	spawnEnv = "PREFORK_TEST_SPAWNS" // a worker adds its PID to this file
)

// startLimit bounds the wait for workers to start and serve.
const startLimit = 6 * time.Second

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) != "" {
		if os.Getenv(httpd.WorkerEnv) != "" {
			noteSpawn(os.Getenv(spawnEnv))
		}
		os.Exit(httpd.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	// Workers whose master died come to us, not to PID 1: the tests
	// can see them, and reap them.
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	wire.Lesson = 8
	os.Exit(m.Run())
}

// noteSpawn adds this process's PID to the file at path, so the tests
// can count every worker that was ever started.
func noteSpawn(path string) {
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())
	f.Close()
}

// master is a prefork master process under test, with its workers.
type master struct {
	t        *testing.T
	cmd      *exec.Cmd
	pid      int
	addr     string // where it listens
	command  string // how it was started, for messages
	spawnLog string
	errLog   string        // its stderr, and its workers'
	exited   chan struct{} // closed once it has exited and been reaped
	waitErr  error         // set before exited is closed
}

// startMaster starts the prefork master with args (after -addr
// 127.0.0.1:0) and waits for its "listening on" line. The master runs
// in a process group of its own: when the test ends, the group is
// killed and every worker reaped, whatever happened.
func startMaster(t *testing.T, args ...string) *master {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	args = append([]string{"-addr", "127.0.0.1:0"}, args...)
	m := &master{t: t, command: "prefork " + strings.Join(args, " "),
		spawnLog: filepath.Join(dir, "spawns"),
		errLog:   filepath.Join(dir, "stderr"),
		exited:   make(chan struct{})}
	errf, err := os.Create(m.errLog)
	require.NoError(t, err)
	defer errf.Close()

	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1", spawnEnv+"="+m.spawnLog,
		// Under -race, a process waits 1 s before it exits, unless
		// told not to: workers would seem to live a second longer.
		"GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	cmd.Stderr = errf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start(), "start %s", m.command)
	m.cmd, m.pid = cmd, cmd.Process.Pid
	t.Cleanup(m.cleanup)

	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		line := ""
		if sc.Scan() {
			line = sc.Text()
		}
		first <- line
		for sc.Scan() {
		}
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()
	var line string
	select {
	case line = <-first:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s printed nothing in 20 s, want \"listening on "+
			"HOST:PORT\"\n%s", m.command, m.stderr())
	}
	addr, ok := strings.CutPrefix(line, "listening on ")
	if !ok {
		<-m.exited // it printed nothing: it has exited
		t.Fatalf("%s exited (%v) without saying \"listening on "+
			"HOST:PORT\"\n%s", m.command, m.waitErr, m.stderr())
	}
	m.addr = addr
	return m
}

// stderr returns what the master and its workers wrote to stderr, for
// a failure message.
func (m *master) stderr() string {
	b, _ := os.ReadFile(m.errLog)
	if len(b) == 0 {
		return "(nothing on stderr)"
	}
	if len(b) > 3000 {
		b = append([]byte("...\n"), b[len(b)-3000:]...)
	}
	return "stderr of the master and its workers:\n" +
		strings.TrimRight(string(b), "\n")
}

// running reports whether the master is still running.
func (m *master) running() bool {
	select {
	case <-m.exited:
		return false
	default:
		return true
	}
}

// requireRunning stops the test if the master has exited.
func (m *master) requireRunning() {
	m.t.Helper()
	if !m.running() {
		m.t.Fatalf("the master exited early: %v\n%s", m.waitErr,
			m.stderr())
	}
}

// signal sends sig to the master alone (not to its group, as Ctrl-C
// in a terminal would) and waits for it to exit, at most limit. It
// returns how long that took.
func (m *master) signal(sig syscall.Signal, limit time.Duration) time.Duration {
	m.t.Helper()
	m.requireRunning()
	begin := time.Now()
	require.NoError(m.t, syscall.Kill(m.pid, sig))
	select {
	case <-m.exited:
	case <-time.After(limit):
		m.t.Fatalf("the master did not exit within %v of %v\n%s", limit,
			sig, m.stderr())
	}
	return time.Since(begin)
}

// exitCode returns the master's exit status, once it has exited.
func (m *master) exitCode() int {
	var ee *exec.ExitError
	if errors.As(m.waitErr, &ee) {
		return ee.ExitCode()
	}
	if m.waitErr != nil {
		return -1
	}
	return 0
}

// cleanup kills the master, its group and every worker it started,
// and reaps every process that came to us.
func (m *master) cleanup() {
	t := m.t
	if m.running() {
		syscall.Kill(m.pid, syscall.SIGKILL)
	}
	select {
	case <-m.exited:
	case <-time.After(10 * time.Second):
		t.Errorf("the master (PID %d) survived SIGKILL for 10 s", m.pid)
	}
	syscall.Kill(-m.pid, syscall.SIGKILL)
	exe, _ := os.Executable()
	for _, pid := range m.spawned() {
		if link, err := os.Readlink(fmt.Sprint("/proc/", pid,
			"/exe")); err == nil && link == exe {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err != nil || pid == 0 && time.Now().After(deadline) {
			break // ECHILD: no child left
		}
		if pid == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if out, err := os.ReadFile(m.errLog); err == nil &&
		bytes.Contains(out, []byte("DATA RACE")) {
		t.Errorf("the race detector found a data race in the master or "+
			"a worker\n%s", m.stderr())
	}
}

// spawned returns the PIDs of every worker started so far, in order.
func (m *master) spawned() []int {
	b, _ := os.ReadFile(m.spawnLog)
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// proc is what /proc/PID/stat says of a process.
type proc struct {
	pid, ppid int
	state     byte // R, S, D, T, Z (a zombie: exited, not reaped)...
}

// children returns the master's child processes, zombies included.
func (m *master) children() []proc {
	var kids []proc
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		i := bytes.LastIndexByte(b, ')') // the name may hold spaces
		if err != nil || i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		if ppid == m.pid {
			kids = append(kids, proc{pid: pid, ppid: ppid, state: f[0][0]})
		}
	}
	return kids
}

// live returns the PIDs of the master's children that have not
// exited, sorted.
func (m *master) live() []int {
	var pids []int
	for _, p := range m.children() {
		if p.state != 'Z' && p.state != 'X' {
			pids = append(pids, p.pid)
		}
	}
	slices.Sort(pids)
	return pids
}

// zombies returns the master's children that have exited and not been
// reaped.
func (m *master) zombies() []int {
	var pids []int
	for _, p := range m.children() {
		if p.state == 'Z' {
			pids = append(pids, p.pid)
		}
	}
	return pids
}

// waitLive waits, at most limit, until the master has exactly n live
// children, and returns them; or stops the test.
func (m *master) waitLive(n int, limit time.Duration) []int {
	m.t.Helper()
	var pids []int
	for deadline := time.Now().Add(limit); ; {
		m.requireRunning()
		pids = m.live()
		if len(pids) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(pids) != n {
		m.t.Fatalf("the master has %d live workers %v after %v, want "+
			"%d\n%s", len(pids), pids, limit, n, m.stderr())
	}
	return pids
}

// waitReady waits, at most limit, until the master has exactly n live
// workers and each has said on stderr that it is serving ("worker PID:
// serving ..."), and returns their PIDs.
func (m *master) waitReady(n int, limit time.Duration) []int {
	m.t.Helper()
	deadline := time.Now().Add(limit)
	pids := m.waitLive(n, limit)
	for {
		log, _ := os.ReadFile(m.errLog)
		ready := 0
		for _, pid := range pids {
			if bytes.Contains(log, fmt.Appendf(nil, "worker %d: serving",
				pid)) {
				ready++
			}
		}
		if ready == n {
			return pids
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("%d of the workers %v said \"worker PID: "+
				"serving\" within %v\n%s", ready, pids, limit,
				m.stderr())
		}
		time.Sleep(20 * time.Millisecond)
		pids = m.waitLive(n, time.Until(deadline))
	}
}

// get sends "GET path" on a new connection, checks that the answer is
// a 200 that names its worker (header and body agree), and returns
// that worker's PID (0 if it names none).
func (m *master) get(path string) int {
	m.t.Helper()
	c := wire.Dial(m.t, m.addr)
	c.Send("GET " + path + " HTTP/1.1\r\nHost: x\r\n" +
		"Connection: close\r\n\r\n")
	r := c.ReadResponse()
	wire.ExpectStatus(m.t, r, 200)
	pid, err := strconv.Atoi(r.Header.Get(httpd.WorkerPIDHeader))
	if !assert.NoError(m.t, err, "the response has no %s field with a "+
		"PID: %q", httpd.WorkerPIDHeader, r.Raw) {
		return 0
	}
	assert.Contains(m.t, string(r.Body), strconv.Itoa(pid), "the body "+
		"does not name the PID of the %s field: %q",
		httpd.WorkerPIDHeader, r.Raw)
	return pid
}

// fetch is get for another goroutine: it reports errors instead of
// stopping the test. It returns the PID of the worker that answered.
func fetch(addr, path string, limit time.Duration) (int, error) {
	c, err := net.DialTimeout("tcp", addr, limit)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(limit))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close"+
		"\r\n\r\n", path)
	raw, err := io.ReadAll(c)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w after %q", path, err, raw)
	}
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200 ") {
		return 0, fmt.Errorf("GET %s: want a 200, got %q", path, raw)
	}
	for _, line := range strings.Split(head, "\r\n") {
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(name, httpd.WorkerPIDHeader) {
			return strconv.Atoi(strings.TrimSpace(value))
		}
	}
	return 0, fmt.Errorf("GET %s: no %s field in %q", path,
		httpd.WorkerPIDHeader, raw)
}

// fetchAll sends the same request on n connections at once, and
// returns the PIDs that answered and the errors, one per connection.
func fetchAll(addr, path string, n int, limit time.Duration) ([]int,
	[]error) {
	pids, errs := make([]int, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pids[i], errs[i] = fetch(addr, path, limit)
		}()
	}
	wg.Wait()
	return pids, errs
}

// gone reports whether no process has the PID: kill(pid, 0) fails
// with ESRCH. A zombie still has its PID.
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// describe says what is left of a process that should be gone.
func describe(pid int) string {
	b, err := os.ReadFile(fmt.Sprint("/proc/", pid, "/stat"))
	i := bytes.LastIndexByte(b, ')')
	if err != nil || i < 0 {
		return "its PID still exists"
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return "its PID still exists"
	}
	if f[0] == "Z" {
		return "it is a zombie (state Z): it exited and nobody " +
			"waited for it"
	}
	return fmt.Sprintf("it is still running (state %s, parent %s)",
		f[0], f[1])
}

// distinct returns the different values of pids, sorted.
func distinct(pids []int) []int {
	d := slices.Clone(pids)
	slices.Sort(d)
	return slices.Compact(d)
}
