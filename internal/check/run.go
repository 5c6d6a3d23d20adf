// Package check runs the tests of one exercise, the learner's code or the
// reference solution, and turns `go test -json` into a verdict per test
// function: what passed, what failed and why, what did not compile, and
// which test hung.
package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"gotest.tools/gotestsum/testjson"

	"socket2gateway/internal/lesson"
)

// Status is the outcome of one test function.
type Status string

// The outcomes a test function can have.
const (
	Pass   Status = "pass"
	Fail   Status = "fail"
	Skip   Status = "skip"
	Hang   Status = "hang"    // still running when the time limit came
	NotRun Status = "not-run" // the test binary died before it started
)

// Options say what to test and how.
type Options struct {
	// Solution tests the reference solution instead of the learner's code.
	Solution bool
	// Race runs with the race detector. The caller decides whether it is
	// available (see RaceAvailable).
	Race bool
	// BuildAllowance is how long compiling may take on top of the
	// lesson's timeout before the whole run is stopped. Zero means five
	// minutes.
	BuildAllowance time.Duration
	// Run, when set, restricts the run to tests matching this -run regexp.
	Run string
	// Slow, when set, is called once if no test has started after
	// SlowAfter (8 seconds when zero): the build is taking a while.
	Slow      func()
	SlowAfter time.Duration
}

// Result is the verdict on one run.
type Result struct {
	Lesson   int          `json:"lesson"`
	Slug     string       `json:"slug"`
	Title    string       `json:"title"`
	Solution bool         `json:"solution,omitempty"`
	Passed   bool         `json:"passed"`
	Tests    []TestResult `json:"tests"`
	// BuildErrors are compiler (and vet) messages, one per line.
	BuildErrors []string `json:"build_errors,omitempty"`
	// Race is true when the race detector was on.
	Race bool `json:"race"`
	// Timeout is the limit the tests ran under.
	Timeout string `json:"timeout"`
	// Output is package-level output not tied to any test (a crash in
	// TestMain, a panic outside a test), trimmed.
	Output  string  `json:"output,omitempty"`
	Seconds float64 `json:"seconds"`
}

// TestResult is the outcome of one test function.
type TestResult struct {
	Name      string  `json:"name"`
	Behaviour string  `json:"behaviour,omitempty"`
	Section   string  `json:"section,omitempty"`
	Status    Status  `json:"status"`
	Message   string  `json:"message,omitempty"`
	Seconds   float64 `json:"seconds"`
	// Subtests lists the names of failing subtests, when there were any.
	FailedSubtests []string `json:"failed_subtests,omitempty"`
}

// Counts returns how many tests ended in each status.
func (r *Result) Counts() map[Status]int {
	c := map[Status]int{}
	for _, t := range r.Tests {
		c[t.Status]++
	}
	return c
}

// ErrNoGo is returned when the go command cannot be started.
var ErrNoGo = errors.New("check: the go command was not found on PATH")

// Run runs the lesson's tests and returns the verdict. An error means the
// tests could not be run at all (no go command, no exercise folder), not
// that they failed.
func Run(ctx context.Context, w *lesson.Workbook, l *lesson.Lesson, opts Options) (*Result, error) {
	dir := w.ExerciseDir(l)
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("check: the exercise folder of lesson %d is missing: %w", l.Number, err)
	}
	funcs, err := TestFunctions(dir)
	if err != nil {
		return nil, err
	}

	args := []string{"test", "-json", "-timeout", l.TimeoutDuration().String()}
	if opts.Race {
		args = append(args, "-race")
	}
	if opts.Run != "" {
		args = append(args, "-run", opts.Run)
	}
	if opts.Solution {
		overlay, cleanup, err := WriteOverlay(w, l)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		args = append(args, "-overlay", overlay)
	}
	args = append(args, "./"+l.Slug+"/...")

	allowance := opts.BuildAllowance
	if allowance == 0 {
		allowance = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, l.TimeoutDuration()+allowance)
	defer cancel()

	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = w.ExerciseModule()
	// The tests get a process group of their own, so that a stop kills
	// everything they started (servers, worker processes), and a Ctrl-C
	// in the terminal reaches tutor, which then stops them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 3 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, ErrNoGo
		}
		return nil, fmt.Errorf("check: starting go test: %w", err)
	}
	h := &handler{running: map[string]bool{}, started: make(chan struct{})}
	if opts.Slow != nil {
		after := opts.SlowAfter
		if after == 0 {
			after = 8 * time.Second
		}
		t := time.AfterFunc(after, func() {
			select {
			case <-h.started:
			default:
				opts.Slow()
			}
		})
		defer t.Stop()
	}
	exe, scanErr := testjson.ScanTestOutput(testjson.ScanConfig{
		Stdout:                   stdout,
		Handler:                  h,
		IgnoreNonJSONOutputLines: true,
	})
	waitErr := cmd.Wait()
	// Whatever the tests left running in their group goes too.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if scanErr != nil && exe == nil {
		return nil, fmt.Errorf("check: reading go test output: %w", scanErr)
	}

	r := &Result{
		Lesson: l.Number, Slug: l.Slug, Title: l.Title,
		Solution: opts.Solution, Race: opts.Race,
		Timeout: l.TimeoutDuration().String(),
		Seconds: time.Since(start).Seconds(),
	}
	stopped := ctx.Err() != nil
	r.collect(w, l, exe, h, funcs, stopped)
	if len(r.BuildErrors) == 0 && !r.anyRan() && waitErr != nil && !stopped {
		// go test failed before any test ran and said why on stderr: a
		// broken go.mod, a missing module, a bad flag.
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			r.BuildErrors = strings.Split(msg, "\n")
			r.Tests = nil
		}
	}
	if stopped && ctx.Err() == context.Canceled {
		return r, ctx.Err()
	}
	r.Passed = len(r.BuildErrors) == 0 && !anyFailed(r) && r.Counts()[Pass] > 0
	return r, nil
}

func (r *Result) anyRan() bool {
	for _, t := range r.Tests {
		if t.Status != NotRun {
			return true
		}
	}
	return false
}

func anyFailed(r *Result) bool {
	for _, t := range r.Tests {
		if t.Status != Pass && t.Status != Skip {
			return true
		}
	}
	return r.Output != ""
}

// handler follows which tests are running, so that a run stopped from
// outside can name them.
type handler struct {
	mu      sync.Mutex
	running map[string]bool
	started chan struct{} // closed at the first event
	once    sync.Once
}

func (h *handler) Event(e testjson.TestEvent, _ *testjson.Execution) error {
	h.once.Do(func() { close(h.started) })
	if e.Test == "" {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch e.Action {
	case testjson.ActionRun:
		h.running[e.Test] = true
	case testjson.ActionPass, testjson.ActionFail, testjson.ActionSkip:
		delete(h.running, e.Test)
	}
	return nil
}

func (h *handler) Err(string) error { return nil }

var (
	timedOutRE   = regexp.MustCompile(`^panic: test timed out after (\S+)`)
	runningTestR = regexp.MustCompile(`^\t\t(Test\S*) \(`)
)

// collect fills r from what go test said.
func (r *Result) collect(w *lesson.Workbook, l *lesson.Lesson, exe *testjson.Execution, h *handler, funcs []string, stopped bool) {
	for _, e := range exe.Errors() {
		e = strings.TrimRight(e, "\n")
		if e == "" || strings.HasPrefix(e, "FAIL") {
			continue
		}
		r.BuildErrors = append(r.BuildErrors, relPath(e, w, l))
	}

	type outcome struct {
		status  Status
		lines   []string
		secs    float64
		subFail []string
	}
	outcomes := map[string]*outcome{}
	get := func(name string) *outcome {
		o := outcomes[name]
		if o == nil {
			o = &outcome{status: NotRun}
			outcomes[name] = o
		}
		return o
	}
	hung := map[string]bool{}
	var pkgOut []string
	for _, name := range exe.Packages() {
		pkg := exe.Package(name)
		for _, line := range strings.Split(pkg.Output(0), "\n") {
			pkgOut = append(pkgOut, line)
		}
		record := func(tcs []testjson.TestCase, st Status) {
			for _, tc := range tcs {
				root, sub := tc.Test.Split()
				o := get(root)
				lines := pkg.OutputLines(tc)
				for _, ln := range lines {
					if m := timedOutRE.FindStringSubmatch(ln); m != nil {
						hung[root] = true
					}
				}
				if sub == "" {
					o.status = st
					o.secs = tc.Elapsed.Seconds()
					if o.secs < 0 {
						o.secs = 0
					}
					o.lines = append(lines, o.lines...)
				} else if st == Fail {
					o.subFail = append(o.subFail, sub)
					o.lines = append(o.lines, subtestMark+sub+"\n")
					o.lines = append(o.lines, lines...)
				}
			}
		}
		record(pkg.Passed, Pass)
		record(pkg.Skipped, Skip)
		record(pkg.Failed, Fail)
	}
	// "panic: test timed out" is followed by the tests that were running.
	all := strings.Join(pkgOut, "\n")
	for _, o := range outcomes {
		all += "\n" + strings.Join(o.lines, "")
	}
	inRunning := false
	for _, ln := range strings.Split(all, "\n") {
		if timedOutRE.MatchString(ln) {
			inRunning = true
			continue
		}
		if inRunning {
			if m := runningTestR.FindStringSubmatch(ln); m != nil {
				root, _ := testjson.TestName(m[1]).Split()
				hung[root] = true
				continue
			}
			if strings.TrimSpace(ln) != "running tests:" {
				inRunning = false
			}
		}
	}
	if stopped {
		h.mu.Lock()
		for name := range h.running {
			root, _ := testjson.TestName(name).Split()
			hung[root] = true
		}
		h.mu.Unlock()
	}

	// Report in the manifest's order, then any test it does not name in
	// source order, then anything else go test reported.
	var names []string
	for _, name := range append(append([]string(nil), l.TestOrder...), funcs...) {
		if contains(funcs, name) && !contains(names, name) {
			names = append(names, name)
		}
	}
	var extra []string
	for name := range outcomes {
		if !contains(names, name) {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	names = append(names, extra...)

	dir := w.ExerciseDir(l)
	for _, name := range names {
		if len(r.BuildErrors) > 0 {
			break
		}
		o := get(name)
		tr := TestResult{Name: name, Status: o.status, Seconds: o.secs, FailedSubtests: o.subFail}
		if info, ok := l.Tests[name]; ok {
			tr.Behaviour, tr.Section = info.Behaviour, info.Section
		}
		if hung[name] {
			tr.Status = Hang
		}
		switch tr.Status {
		case Fail:
			tr.Message = failureMessage(o.lines, dir, w.Root)
		case Hang:
			tr.Message = fmt.Sprintf("This test was still running when the time limit (%s) came, so it was stopped. "+
				"Something in your code is probably waiting forever: a read from a connection nobody writes to, "+
				"an Accept with no client, a lock or a channel nobody releases.", l.TimeoutDuration())
			// go test files the timeout's goroutine dump under the package.
			if where := learnerFrames(append(o.lines, pkgOut...), dir, w.Root); where != "" {
				tr.Message += "\nYour code was here when it was stopped:\n" + where
			}
		case NotRun:
			tr.Message = "This test never started: the test program crashed or was stopped before it got there (see the test above it)."
		case Skip:
			tr.Message = failureMessage(o.lines, dir, w.Root)
		}
		r.Tests = append(r.Tests, tr)
	}
	if len(r.Tests) == 0 && len(r.BuildErrors) == 0 {
		if out := trimPackageOutput(pkgOut); out != "" {
			r.Output = out
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// failureMessage turns a failing test's output into what a learner needs:
// the assertion messages (testify's expected and actual), without the
// noise of the test runner, each failing table row named, with paths
// relative to the workbook.
func failureMessage(lines []string, exerciseDir, root string) string {
	var body []string
	panicked := false
	for _, ln := range lines {
		for _, part := range strings.Split(strings.TrimRight(ln, "\n"), "\n") {
			if strings.HasPrefix(part, "panic: ") || strings.HasPrefix(part, "WARNING: DATA RACE") {
				panicked = true
				body = append(body, part)
				break
			}
			body = append(body, part)
		}
		if panicked {
			break
		}
	}
	msg := formatOutput(body)
	if panicked {
		if where := learnerFrames(lines, exerciseDir, root); where != "" {
			msg += "\nwhere:\n" + where
		}
	}
	msg = strings.ReplaceAll(msg, root+string(filepath.Separator), "")
	return strings.TrimSpace(msg)
}

// subtestMark starts the line collect puts before a failing subtest's
// output (go test -json prints the subtest's "--- FAIL" line after it).
const subtestMark = "\x00subtest "

var (
	runnerRE = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|SKIP|FAIL):)`)
	// testify lays out "<indent>\t<label, padded>\t<value>".
	testifyRE = regexp.MustCompile(`^\s*\t([A-Za-z ]*:?)\s*\t(.*)$`)
)

// formatOutput reformats go test output of one test function: runner
// lines go, each failing subtest gets a "▸ name:" line, and testify's
// blocks keep their labels but lose Error Trace and Test (the report
// says which test it is). testify's Diff is dropped when expected and
// actual are one line each, as it only repeats them.
func formatOutput(lines []string) string {
	var out, diff []string
	indent, label := "", ""
	inDiff, simple, afterExpected := false, false, false
	endDiff := func() {
		if !simple {
			out = append(out, diff...)
		}
		diff, inDiff = nil, false
	}
	for _, ln := range lines {
		if strings.TrimSpace(ln) == "" || runnerRE.MatchString(ln) {
			continue
		}
		m := testifyRE.FindStringSubmatch(ln)
		if m == nil {
			endDiff()
			label = ""
			if sub, ok := strings.CutPrefix(ln, subtestMark); ok {
				out = append(out, "▸ "+strings.ReplaceAll(sub, "_", " ")+":")
				indent = "  "
				continue
			}
			out = append(out, indent+strings.TrimSpace(ln))
			continue
		}
		l, v := strings.TrimSpace(m[1]), strings.TrimLeft(m[2], "\t")
		if l != "" {
			endDiff()
			label, simple = l, false
		}
		if label == "Error Trace:" || label == "Test:" {
			continue
		}
		switch {
		case strings.HasPrefix(v, "expected:"):
			afterExpected = true
		case afterExpected:
			simple = strings.HasPrefix(v, "actual")
			afterExpected = false
		}
		if strings.TrimSpace(v) == "Diff:" {
			inDiff = true
		}
		text := strings.TrimRight(fmt.Sprintf("%s  %-9s %s", indent, l, v), " ")
		if inDiff {
			diff = append(diff, text)
		} else {
			out = append(out, text)
		}
	}
	endDiff()
	return strings.Join(out, "\n")
}

var frameRE = regexp.MustCompile(`^\t(/\S+\.go):(\d+)`)

// learnerFrames picks, from a goroutine dump, the stack frames in the
// exercise's own non-test files, at most five, as "path:line" lines.
func learnerFrames(lines []string, exerciseDir, root string) string {
	var frames []string
	seen := map[string]bool{}
	for i, ln := range lines {
		for _, part := range strings.Split(ln, "\n") {
			m := frameRE.FindStringSubmatch(part)
			if m == nil || !strings.HasPrefix(m[1], exerciseDir+string(filepath.Separator)) || strings.HasSuffix(m[1], "_test.go") {
				continue
			}
			rel, _ := filepath.Rel(root, m[1])
			f := "  " + rel + ":" + m[2]
			if i > 0 {
				fn := strings.TrimSpace(lines[i-1])
				if k := strings.LastIndex(fn, "("); k > 0 {
					fn = fn[:k]
				}
				if j := strings.LastIndex(fn, "/"); j >= 0 {
					fn = fn[j+1:]
				}
				// "04-hangs.Wait" → "Wait", "pkg.(*Server).Serve" →
				// "(*Server).Serve".
				if _, after, ok := strings.Cut(fn, "."); ok {
					fn = after
				}
				if fn != "" && !strings.HasPrefix(fn, "/") {
					f += " in " + fn
				}
			}
			if !seen[f] {
				seen[f] = true
				frames = append(frames, f)
			}
		}
		if len(frames) == 5 {
			break
		}
	}
	return strings.Join(frames, "\n")
}

func trimPackageOutput(lines []string) string {
	var keep []string
	for _, ln := range lines {
		t := strings.TrimSpace(ln)
		if t == "" || t == "FAIL" || t == "PASS" || strings.HasPrefix(t, "ok ") || strings.HasPrefix(t, "FAIL\t") ||
			strings.HasPrefix(t, "?") || strings.HasPrefix(t, "testing: warning: no tests to run") {
			continue
		}
		keep = append(keep, strings.TrimRight(ln, "\n"))
		if len(keep) == 40 {
			break
		}
	}
	return strings.Join(keep, "\n")
}

// relPath makes a compiler message's path relative to the workbook root.
func relPath(msg string, w *lesson.Workbook, l *lesson.Lesson) string {
	msg = strings.ReplaceAll(msg, w.Root+string(filepath.Separator), "")
	if strings.HasPrefix(msg, l.Slug+"/") {
		return "exercises/" + msg
	}
	return msg
}

// TestFunctions returns the names of the top-level test and fuzz
// functions in the _test.go files below dir, in the order they are
// written. (`go test` runs a fuzz function's seed corpus like a test.)
func TestFunctions(dir string) ([]string, error) {
	files, err := lesson.TestFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			// A test file that does not parse is reported by go test.
			continue
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !isTestName(fn.Name.Name) || fn.Type.Params == nil || len(fn.Type.Params.List) != 1 {
				continue
			}
			names = append(names, fn.Name.Name)
		}
	}
	return names, nil
}

func isTestName(name string) bool {
	prefix := "Test"
	if strings.HasPrefix(name, "Fuzz") {
		prefix = "Fuzz"
	}
	if !strings.HasPrefix(name, prefix) || name == "TestMain" {
		return false
	}
	rest := name[len(prefix):]
	return rest == "" || !(rest[0] >= 'a' && rest[0] <= 'z')
}

// WriteOverlay writes a `go build -overlay` file that replaces the
// exercise's non-test files with the solution's, path for path, and
// removes exercise files the solution does not have. The caller runs
// cleanup when done.
func WriteOverlay(w *lesson.Workbook, l *lesson.Lesson) (path string, cleanup func(), err error) {
	exDir, solDir := w.ExerciseDir(l), w.SolutionDir(l)
	exFiles, err := lesson.ExerciseFiles(exDir)
	if err != nil {
		return "", nil, fmt.Errorf("check: %w", err)
	}
	solFiles, err := lesson.ExerciseFiles(solDir)
	if err != nil {
		return "", nil, fmt.Errorf("check: the solution of lesson %d is missing: %w", l.Number, err)
	}
	replace := map[string]string{}
	for _, f := range exFiles {
		replace[filepath.Join(exDir, filepath.FromSlash(f))] = ""
	}
	for _, f := range solFiles {
		replace[filepath.Join(exDir, filepath.FromSlash(f))] = filepath.Join(solDir, filepath.FromSlash(f))
	}
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.CreateTemp("", "tutor-overlay-*.json")
	if err != nil {
		return "", nil, fmt.Errorf("check: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", nil, fmt.Errorf("check: %w", err)
	}
	tmp.Close()
	return tmp.Name(), func() { os.Remove(tmp.Name()) }, nil
}

// RaceAvailable reports whether -race can be used: cgo enabled and a C
// compiler on PATH. When it cannot, why says so in a sentence.
func RaceAvailable(ctx context.Context) (ok bool, why string) {
	out, err := exec.CommandContext(ctx, "go", "env", "CGO_ENABLED", "CC").Output()
	if err != nil {
		return false, "`go env` did not answer, so the race detector is off"
	}
	f := strings.Fields(string(out))
	if len(f) < 2 || f[0] != "1" {
		return false, "cgo is disabled (CGO_ENABLED=0), so the race detector is off; set CGO_ENABLED=1 and install gcc to turn it on"
	}
	if _, err := exec.LookPath(f[1]); err != nil {
		return false, fmt.Sprintf("the C compiler %q is not installed, so the race detector is off; install gcc (Debian: apt-get install gcc) to turn it on", f[1])
	}
	return true, ""
}
