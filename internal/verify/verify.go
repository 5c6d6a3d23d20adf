// Package verify proves the workbook is sound, lesson by lesson: the text,
// diagrams, hints and test table exist and agree with the code; the files
// an exercise gives are identical in its solution; every test function
// fails against the untouched stub (except the baselines the manifest
// names); every test passes against the reference solution.
package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"socket2gateway/internal/check"
	"socket2gateway/internal/lesson"
)

// MaxColumns is the widest a code or diagram line may be, so that the
// terminal renderer never wraps it.
const MaxColumns = 72

// Report is the outcome for one lesson.
type Report struct {
	Lesson *lesson.Lesson
	// Breaches lists every rule the lesson breaks, as sentences.
	Breaches []string
	// Notes are facts worth showing that are not breaches.
	Notes []string
	// StubFailing counts test functions failing on the stub, of
	// StubExpected that should.
	StubFailing, StubExpected int
	// SolutionPassing counts tests passing on the solution, of Tests.
	SolutionPassing, Tests int
	Hints                  int
	Stub, Solution         *check.Result
}

// OK reports whether the lesson breaks no rule.
func (r *Report) OK() bool { return len(r.Breaches) == 0 }

func (r *Report) breach(format string, args ...any) {
	r.Breaches = append(r.Breaches, fmt.Sprintf(format, args...))
}

// Options tune a verification.
type Options struct {
	// Parallel is how many test runs go at once; 0 means 2.
	Parallel int
	// Race says whether the race detector is available.
	Race bool
}

// Lessons verifies the given lessons and returns one report each, in order.
func Lessons(ctx context.Context, w *lesson.Workbook, ls []*lesson.Lesson, opts Options) []*Report {
	par := opts.Parallel
	if par <= 0 {
		par = 2
	}
	reports := make([]*Report, len(ls))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, l := range ls {
		r := &Report{Lesson: l}
		reports[i] = r
		static(w, l, r)
		for _, solution := range []bool{false, true} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				res, err := check.Run(ctx, w, l, check.Options{Solution: solution, Race: opts.Race && l.Race})
				if solution {
					r.Solution = res
				} else {
					r.Stub = res
				}
				if err != nil {
					r.breach("could not run the tests (solution=%t): %v", solution, err)
				}
			}()
		}
	}
	wg.Wait()
	for _, r := range reports {
		dynamic(w, r)
	}
	return reports
}

// static checks what can be checked without running anything.
func static(w *lesson.Workbook, l *lesson.Lesson, r *Report) {
	r.Hints = len(l.Hints)
	if len(l.Hints) < 2 {
		r.breach("has %d hints; every exercise needs at least 2 levels", len(l.Hints))
	}
	for i, h := range l.Hints {
		if strings.TrimSpace(h) == "" {
			r.breach("hint %d is empty", i+1)
		}
	}
	if l.Minutes <= 0 {
		r.breach("has no time estimate (minutes)")
	}

	raw, err := os.ReadFile(w.TextPath(l))
	if err != nil {
		r.breach("has no lesson text: %v", err)
		raw = nil
	}
	text := string(raw)
	headings := map[string]bool{}
	for _, h := range lesson.Headings(text) {
		headings[h] = true
	}
	diagrams := lesson.Diagrams(text)
	if raw != nil && len(diagrams) == 0 {
		r.breach("lesson text includes no diagram (<!-- diagram: %s-NAME -->)", l.Slug)
	}
	for _, d := range diagrams {
		if !strings.HasPrefix(d, l.Slug+"-") {
			r.breach("diagram %q is not named for the lesson (%s-…)", d, l.Slug)
		}
		src, err := w.DiagramSource(d)
		if err != nil {
			r.breach("diagram %q is missing: diagrams/%s.txt", d, d)
			continue
		}
		for i, line := range strings.Split(src, "\n") {
			if n := len([]rune(line)); n > MaxColumns {
				r.breach("diagrams/%s.txt:%d is %d columns wide (at most %d)", d, i+1, n, MaxColumns)
			}
		}
	}
	for _, lw := range WideCodeLines(text) {
		r.breach("lessons/%s.md:%d: a code line is %d columns wide (at most %d)", l.Slug, lw.Line, lw.Width, MaxColumns)
	}

	exDir, solDir := w.ExerciseDir(l), w.SolutionDir(l)
	funcs, err := check.TestFunctions(exDir)
	if err != nil {
		r.breach("exercise folder: %v", err)
	}
	if err == nil && len(funcs) == 0 {
		r.breach("exercise has no test functions")
	}
	r.Tests = len(funcs)
	seen := map[string]bool{}
	for _, f := range funcs {
		if seen[f] {
			r.breach("test function %s is defined twice", f)
		}
		seen[f] = true
		info, ok := l.Tests[f]
		switch {
		case !ok:
			r.breach("test %s has no entry in [lesson.tests] of the manifest", f)
		case strings.TrimSpace(info.Behaviour) == "":
			r.breach("test %s has no behaviour in the manifest", f)
		case raw != nil && !headings[info.Section]:
			r.breach("test %s points to section %q, which is not a heading of lessons/%s.md", f, info.Section, l.Slug)
		}
	}
	var stale []string
	for name := range l.Tests {
		if !seen[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	for _, name := range stale {
		r.breach("the manifest describes test %s, which the exercise does not have", name)
	}
	for _, b := range l.Baseline {
		if !seen[b] {
			r.breach("baseline test %s does not exist", b)
		}
	}

	if len(l.Edit) == 0 {
		r.breach("names no file for the learner to edit (edit = [...])")
	}
	exFiles, err1 := lesson.ExerciseFiles(exDir)
	solFiles, err2 := lesson.ExerciseFiles(solDir)
	if err1 != nil || err2 != nil {
		if err2 != nil {
			r.breach("has no solution folder: solutions/%s", l.Slug)
		}
		return
	}
	edit := map[string]bool{}
	for _, e := range l.Edit {
		edit[e] = true
		if !contains(exFiles, e) {
			r.breach("file to edit %s is not in exercises/%s", e, l.Slug)
		}
		if !contains(solFiles, e) {
			r.breach("file to edit %s has no solution in solutions/%s", e, l.Slug)
		} else if same(filepath.Join(exDir, e), filepath.Join(solDir, e)) {
			r.breach("solutions/%s/%s is identical to the stub", l.Slug, e)
		}
		if b, err := os.ReadFile(filepath.Join(exDir, e)); err == nil && !bytes.Contains(b, []byte("TODO")) {
			r.breach("the stub %s marks no work with // TODO:", e)
		}
	}
	for _, f := range exFiles {
		if edit[f] {
			continue
		}
		if !contains(solFiles, f) {
			r.breach("given file %s is missing from solutions/%s", f, l.Slug)
		} else if !same(filepath.Join(exDir, f), filepath.Join(solDir, f)) {
			r.breach("given file %s differs between exercises/%s and solutions/%s", f, l.Slug, l.Slug)
		}
	}
	for _, f := range solFiles {
		if !contains(exFiles, f) {
			r.breach("solutions/%s/%s has no counterpart in exercises/%s", l.Slug, f, l.Slug)
		}
	}
}

// dynamic judges the two test runs.
func dynamic(w *lesson.Workbook, r *Report) {
	l := r.Lesson
	if s := r.Stub; s != nil {
		if len(s.BuildErrors) > 0 {
			r.breach("the stub does not compile: %s", s.BuildErrors[0])
		}
		for _, t := range s.Tests {
			if l.IsBaseline(t.Name) {
				if t.Status != check.Pass {
					r.breach("baseline test %s should pass on the stub but is %s", t.Name, t.Status)
				}
				continue
			}
			r.StubExpected++
			switch t.Status {
			case check.Fail:
				r.StubFailing++
			case check.Hang:
				r.breach("test %s hangs on the stub instead of failing fast", t.Name)
			case check.NotRun:
				r.breach("test %s never ran on the stub (an earlier test crashed the test binary)", t.Name)
			default:
				r.breach("test %s is %s on the untouched stub: it must fail there (or be named a baseline)", t.Name, t.Status)
			}
		}
	}
	if s := r.Solution; s != nil {
		if len(s.BuildErrors) > 0 {
			r.breach("the solution does not compile: %s", s.BuildErrors[0])
		}
		for _, t := range s.Tests {
			switch t.Status {
			case check.Pass:
				r.SolutionPassing++
			case check.Skip:
				r.Notes = append(r.Notes, fmt.Sprintf("%s skipped on the solution: %s", t.Name, firstLine(t.Message)))
			default:
				r.breach("test %s is %s on the solution: %s", t.Name, t.Status, firstLine(t.Message))
			}
		}
		if s.Output != "" {
			r.breach("the solution's test binary failed outside any test: %s", firstLine(s.Output))
		}
	}
}

// WideLine is a code line in lesson text wider than MaxColumns.
type WideLine struct{ Line, Width int }

// WideCodeLines returns the lines inside fenced code blocks of markdown
// that are wider than MaxColumns.
func WideCodeLines(markdown string) []WideLine {
	var wide []WideLine
	in := false
	for i, line := range strings.Split(markdown, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			in = !in
			continue
		}
		if n := len([]rune(strings.ReplaceAll(line, "\t", "    "))); in && n > MaxColumns {
			wide = append(wide, WideLine{Line: i + 1, Width: n})
		}
	}
	return wide
}

// Write prints the reports as a table, then every breach, and returns
// whether all lessons are sound.
func Write(out io.Writer, reports []*Report, raceNote string) bool {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LESSON\tHINTS\tSTUB FAILS\tSOLUTION PASSES\tSECONDS\tVERDICT")
	ok := true
	for _, r := range reports {
		verdict := "ok"
		if !r.OK() {
			verdict = fmt.Sprintf("%d problem%s", len(r.Breaches), map[bool]string{true: "", false: "s"}[len(r.Breaches) == 1])
			ok = false
		}
		secs := 0.0
		if r.Stub != nil {
			secs += r.Stub.Seconds
		}
		if r.Solution != nil {
			secs += r.Solution.Seconds
		}
		fmt.Fprintf(tw, "%s\t%d\t%d/%d\t%d/%d\t%.1f\t%s\n", r.Lesson.Slug, r.Hints,
			r.StubFailing, r.StubExpected, r.SolutionPassing, r.Tests, secs, verdict)
	}
	tw.Flush()
	for _, r := range reports {
		for _, b := range r.Breaches {
			fmt.Fprintf(out, "%s: %s\n", r.Lesson.Slug, b)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(out, "%s: note: %s\n", r.Lesson.Slug, n)
		}
	}
	if raceNote != "" {
		fmt.Fprintf(out, "note: %s\n", raceNote)
	}
	if ok {
		fmt.Fprintf(out, "\nAll %d lessons verified: every stub fails, every solution passes.\n", len(reports))
	} else {
		fmt.Fprintln(out, "\nVerification failed: see the problems above.")
	}
	return ok
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func same(a, b string) bool {
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
