// Package lesson loads the workbook: the manifest in lessons/lessons.toml,
// each lesson's text, its diagrams and the folders of its exercise and
// solution. It is the one place that knows how the repository is laid out.
package lesson

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// ManifestPath is the manifest's path relative to the workbook root.
const ManifestPath = "lessons/lessons.toml"

// Workbook is a loaded workbook: its root folder and its lessons in order.
type Workbook struct {
	Root    string
	Lessons []*Lesson
}

// Lesson is one lesson's metadata, as written in the manifest, plus what is
// derived from its slug. The slug ("01-raw-sockets") names the lesson
// everywhere: lessons/SLUG.md, exercises/SLUG, solutions/SLUG and the
// diagrams/SLUG-*.txt files.
type Lesson struct {
	Slug    string `toml:"slug"`
	Title   string `toml:"title"`
	Part    string `toml:"part"`
	Mirrors string `toml:"mirrors"` // the Python piece the lesson mirrors
	Minutes int    `toml:"minutes"` // time estimate for a workshop
	// Timeout bounds one run of the exercise's tests ("60s"). A test still
	// running then is reported as hanging.
	Timeout string `toml:"timeout"`
	// Race runs the tests with the race detector where cgo is available.
	Race bool `toml:"race"`
	// Python marks a lesson whose tests run a real python3.
	Python bool `toml:"python"`
	// Edit lists the files in the exercise folder the learner edits. Every
	// other non-test .go file there is given and must be identical in the
	// solution folder.
	Edit []string `toml:"edit"`
	// Baseline names test functions that pass on the untouched stub on
	// purpose (they pin given behaviour). All others must fail on it.
	Baseline []string `toml:"baseline"`
	// Hints are revealed one level at a time by `tutor hint`.
	Hints []string `toml:"hints"`
	// Run says how `tutor run` starts the lesson's server; empty for
	// lessons without one.
	Run *RunSpec `toml:"run"`
	// Tests maps every test function to the behaviour it checks and the
	// lesson section that teaches it.
	Tests map[string]TestInfo `toml:"tests"`

	Number int `toml:"-"` // from the slug's numeric prefix
	// TestOrder lists the test functions in the order [lesson.tests]
	// names them: the order reports follow.
	TestOrder []string `toml:"-"`
}

// TestInfo describes one test function of an exercise.
type TestInfo struct {
	// Behaviour is a short phrase a learner understands ("port 0 gives a
	// real port").
	Behaviour string `toml:"behaviour"`
	// Section is the heading in the lesson text to read about it.
	Section string `toml:"section"`
}

// RunSpec describes the command `tutor run` builds for a lesson.
type RunSpec struct {
	// Package is the folder, relative to the exercise, of the main package
	// that serves the lesson ("cmd/serve").
	Package string `toml:"package"`
	// Try is the request to suggest, with {url} for the server's URL and
	// {addr} for its host:port.
	Try []string `toml:"try"`
}

// ID returns the number as a string, the short way to name a lesson.
func (l *Lesson) ID() string { return strconv.Itoa(l.Number) }

// Name returns the slug without its number prefix ("raw-sockets").
func (l *Lesson) Name() string {
	_, name, _ := strings.Cut(l.Slug, "-")
	return name
}

// TimeoutDuration returns Timeout parsed, or 60 seconds when it is unset.
func (l *Lesson) TimeoutDuration() time.Duration {
	d, err := time.ParseDuration(l.Timeout)
	if err != nil || d <= 0 {
		return 60 * time.Second
	}
	return d
}

// IsBaseline reports whether test is named as a baseline test.
func (l *Lesson) IsBaseline(test string) bool {
	for _, b := range l.Baseline {
		if b == test {
			return true
		}
	}
	return false
}

// TextPath returns the lesson text's path.
func (w *Workbook) TextPath(l *Lesson) string {
	return filepath.Join(w.Root, "lessons", l.Slug+".md")
}

// ExerciseModule returns the folder of the exercises Go module.
func (w *Workbook) ExerciseModule() string { return filepath.Join(w.Root, "exercises") }

// ExerciseDir returns the learner's folder for the lesson.
func (w *Workbook) ExerciseDir(l *Lesson) string {
	return filepath.Join(w.Root, "exercises", l.Slug)
}

// SolutionDir returns the reference solution's folder for the lesson.
func (w *Workbook) SolutionDir(l *Lesson) string {
	return filepath.Join(w.Root, "solutions", l.Slug)
}

// DiagramDir returns the folder that holds the diagram sources.
func (w *Workbook) DiagramDir() string { return filepath.Join(w.Root, "diagrams") }

var slugRE = regexp.MustCompile(`^(\d{2})-[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads the manifest below root and checks that it is well formed:
// slugs numbered 1, 2, 3… in order, titles and timeouts that parse. It does
// not look at the files a lesson names; Verify does that.
func Load(root string) (*Workbook, error) {
	var m struct {
		Lesson []*Lesson `toml:"lesson"`
	}
	path := filepath.Join(root, ManifestPath)
	md, err := toml.DecodeFile(path, &m)
	if err != nil {
		return nil, fmt.Errorf("lesson: reading the manifest: %w", err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		keys := make([]string, len(un))
		for i, k := range un {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("lesson: %s: unknown keys %s", ManifestPath, strings.Join(keys, ", "))
	}
	w := &Workbook{Root: root, Lessons: m.Lesson}
	// The decoder fills maps, which forget order; the metadata keeps it.
	// Each [[lesson]] header is a key "lesson" of its own.
	n := 0
	for _, k := range md.Keys() {
		switch {
		case len(k) == 1 && k[0] == "lesson":
			n++
		case len(k) == 3 && k[0] == "lesson" && k[1] == "tests" && n > 0 && n <= len(w.Lessons):
			w.Lessons[n-1].TestOrder = append(w.Lessons[n-1].TestOrder, k[2])
		}
	}
	for i, l := range w.Lessons {
		sm := slugRE.FindStringSubmatch(l.Slug)
		if sm == nil {
			return nil, fmt.Errorf("lesson: %s: slug %q is not NN-words-in-lower-case", ManifestPath, l.Slug)
		}
		l.Number, _ = strconv.Atoi(sm[1])
		// Numbers must increase; a gap (a lesson still being written) is
		// allowed here and reported by Gaps, which verify checks.
		if i > 0 && l.Number <= w.Lessons[i-1].Number {
			return nil, fmt.Errorf("lesson: %s: lesson %q comes after %q: the lessons must be in order of their numbers", ManifestPath, l.Slug, w.Lessons[i-1].Slug)
		}
		if strings.TrimSpace(l.Title) == "" {
			return nil, fmt.Errorf("lesson: %s: lesson %q has no title", ManifestPath, l.Slug)
		}
		if l.Timeout != "" {
			if _, err := time.ParseDuration(l.Timeout); err != nil {
				return nil, fmt.Errorf("lesson: %s: lesson %q: timeout %q: %w", ManifestPath, l.Slug, l.Timeout, err)
			}
		}
	}
	return w, nil
}

// Gaps returns the numbers missing between 1 and the last lesson: the
// lessons still being written. A finished workbook has none.
func (w *Workbook) Gaps() []int {
	var gaps []int
	next := 1
	for _, l := range w.Lessons {
		for ; next < l.Number; next++ {
			gaps = append(gaps, next)
		}
		next = l.Number + 1
	}
	return gaps
}

// ErrNoWorkbook is returned by FindRoot outside a workbook checkout.
var ErrNoWorkbook = errors.New("lesson: not inside the workbook")

// FindRoot returns the workbook root: $TUTOR_ROOT when set, else the first
// folder at or above dir that holds the manifest.
func FindRoot(dir string) (string, error) {
	if env := os.Getenv("TUTOR_ROOT"); env != "" {
		if _, err := os.Stat(filepath.Join(env, ManifestPath)); err != nil {
			return "", fmt.Errorf("%w: TUTOR_ROOT=%s has no %s", ErrNoWorkbook, env, ManifestPath)
		}
		return filepath.Abs(env)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ManifestPath)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoWorkbook
		}
		dir = parent
	}
}

// Find returns the lesson named by id: its number ("3", "03"), its slug
// ("03-reading-a-request") or its slug without the number
// ("reading-a-request").
func (w *Workbook) Find(id string) (*Lesson, error) {
	id = strings.TrimSpace(strings.ToLower(id))
	if n, err := strconv.Atoi(id); err == nil {
		for _, l := range w.Lessons {
			if l.Number == n {
				return l, nil
			}
		}
		if len(w.Lessons) == 0 {
			return nil, fmt.Errorf("there is no lesson %d: the workbook has no lessons", n)
		}
		return nil, fmt.Errorf("there is no lesson %d: the lessons are numbered %d to %d (see `tutor list`)",
			n, w.Lessons[0].Number, w.Lessons[len(w.Lessons)-1].Number)
	}
	for _, l := range w.Lessons {
		if id == l.Slug || id == l.Name() {
			return l, nil
		}
	}
	return nil, fmt.Errorf("there is no lesson %q (see `tutor list` for the numbers and names)", id)
}

// IDs returns every way to name each lesson, for shell completion.
func (w *Workbook) IDs() []string {
	var ids []string
	for _, l := range w.Lessons {
		ids = append(ids, l.ID()+"\t"+l.Title, l.Slug+"\t"+l.Title)
	}
	return ids
}

// Text returns the lesson's markdown with every diagram include
// (`<!-- diagram: NAME -->` on a line of its own) replaced by the diagram's
// text in a fenced block, as the terminal shows it.
func (w *Workbook) Text(l *Lesson) (string, error) {
	b, err := os.ReadFile(w.TextPath(l))
	if err != nil {
		return "", fmt.Errorf("lesson: the text of lesson %d is missing: %w", l.Number, err)
	}
	return w.ExpandDiagrams(string(b), func(name, src string) string {
		return "```text\n" + strings.TrimRight(src, "\n") + "\n```"
	})
}

var diagramRE = regexp.MustCompile(`(?m)^<!--\s*diagram:\s*([a-z0-9-]+)\s*-->[ \t]*$`)

// Diagrams returns the names of the diagrams a lesson text includes.
func Diagrams(markdown string) []string {
	var names []string
	for _, m := range diagramRE.FindAllStringSubmatch(markdown, -1) {
		names = append(names, m[1])
	}
	return names
}

// DiagramSource returns the text source of the named diagram.
func (w *Workbook) DiagramSource(name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(w.DiagramDir(), name+".txt"))
	if err != nil {
		return "", fmt.Errorf("lesson: diagram %q: %w", name, err)
	}
	return string(b), nil
}

// ExpandDiagrams replaces each diagram include in markdown by what embed
// returns for it. A missing diagram becomes a visible note, never a crash.
func (w *Workbook) ExpandDiagrams(markdown string, embed func(name, src string) string) (string, error) {
	var firstErr error
	out := diagramRE.ReplaceAllStringFunc(markdown, func(m string) string {
		name := diagramRE.FindStringSubmatch(m)[1]
		src, err := w.DiagramSource(name)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return "> (diagram " + name + " is missing)"
		}
		return embed(name, src)
	})
	return out, firstErr
}

// Headings returns the text of every markdown heading in the lesson text,
// outside fenced code blocks.
func Headings(markdown string) []string {
	var hs []string
	fence := ""
	for _, line := range strings.Split(markdown, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			if fence == "" {
				fence = t[:3]
			} else if strings.HasPrefix(t, fence) {
				fence = ""
			}
			continue
		}
		if fence != "" || !strings.HasPrefix(t, "#") {
			continue
		}
		h := strings.TrimLeft(t, "#")
		if h == "" || h[0] != ' ' {
			continue
		}
		hs = append(hs, strings.TrimSpace(h))
	}
	return hs
}

// ExerciseFiles returns the paths, relative to dir and with forward
// slashes, of the non-test .go files in dir and its sub-folders, sorted.
func ExerciseFiles(dir string) ([]string, error) {
	return goFiles(dir, func(name string) bool { return !strings.HasSuffix(name, "_test.go") })
}

// TestFiles returns the paths, relative to dir, of the _test.go files in dir
// and its sub-folders, sorted.
func TestFiles(dir string) ([]string, error) {
	return goFiles(dir, func(name string) bool { return strings.HasSuffix(name, "_test.go") })
}

func goFiles(dir string, keep func(name string) bool) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if d.IsDir() {
			if path != dir && (n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.HasSuffix(n, ".go") && keep(n) {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}
