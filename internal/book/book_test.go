package book

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/internal/lesson"
)

func workbook(t *testing.T) *lesson.Workbook {
	t.Helper()
	root, err := lesson.FindRoot(".")
	require.NoError(t, err)
	w, err := lesson.Load(root)
	require.NoError(t, err)
	return w
}

func TestRenderIsDeterministic(t *testing.T) {
	w := workbook(t)
	a, err := Render(w)
	require.NoError(t, err)
	b, err := Render(w)
	require.NoError(t, err)
	require.Equal(t, len(a), len(b))
	for name := range a {
		assert.True(t, bytes.Equal(a[name], b[name]), "%s differs between two builds", name)
	}
}

func TestEveryLessonHasAPageWithItsDiagrams(t *testing.T) {
	w := workbook(t)
	files, err := Render(w)
	require.NoError(t, err)
	for _, name := range []string{"index.html", "print.html", "teachers.html", "book.css", "book.js", "part-1.html"} {
		assert.Contains(t, files, name)
	}
	for _, l := range w.Lessons {
		page, ok := files[l.Slug+".html"]
		require.True(t, ok, "no page for lesson %d", l.Number)
		s := string(page)
		text, err := os.ReadFile(w.TextPath(l))
		require.NoError(t, err)
		for _, d := range lesson.Diagrams(string(text)) {
			assert.Contains(t, s, `<figure class="diagram" id="diagram-`+d+`">`, "lesson %d", l.Number)
		}
		assert.Equal(t, len(lesson.Diagrams(string(text))), strings.Count(s, "<svg "), "lesson %d: one SVG per diagram", l.Number)
		assert.NotContains(t, s, "diagram-slot", "every placeholder is replaced")
		assert.Contains(t, s, `class="anchor"`, "headings have anchors")
		assert.Contains(t, string(files["index.html"]), l.Slug+".html")
	}
}

func TestLinksToLessonsPointToPages(t *testing.T) {
	out, err := markdown("See [lesson 3](03-reading-a-request.md#the-request-line) and [the code](../exercises/01-raw-sockets/rawsock.go).")
	require.NoError(t, err)
	assert.Contains(t, out, `href="03-reading-a-request.html#the-request-line"`)
	assert.Contains(t, out, `href="../exercises/01-raw-sockets/rawsock.go"`)
}

func TestDiagramsKeepWordsWhole(t *testing.T) {
	fig := diagramHTML("x", "+--> over 8192 bytes\n")
	assert.NotContains(t, fig, "<circle", "the o of over is not a joint")
	assert.Contains(t, fig, ">o<", "the o is drawn as text")
}

var hrefRE = regexp.MustCompile(`(?:href|src)="([^"#]*)(#[^"]*)?"`)
var idAttrRE = regexp.MustCompile(`id="([^"]*)"`)

// Every relative link resolves: to a page of the book, or to a file of
// the repository (links to exercises/ and solutions/), and every
// fragment names an id of its target page.
func TestNoBrokenLinks(t *testing.T) {
	w := workbook(t)
	files, err := Render(w)
	require.NoError(t, err)
	ids := map[string]map[string]bool{}
	for name, b := range files {
		ids[name] = map[string]bool{}
		for _, m := range idAttrRE.FindAllStringSubmatch(string(b), -1) {
			ids[name][m[1]] = true
		}
	}
	for name, b := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		for _, m := range hrefRE.FindAllStringSubmatch(string(b), -1) {
			target, frag := m[1], strings.TrimPrefix(m[2], "#")
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if target == "" {
				target = name
			}
			if _, ok := files[target]; ok {
				if frag != "" {
					assert.True(t, ids[target][frag], "%s links to %s#%s: no such id", name, target, frag)
				}
				continue
			}
			_, err := os.Stat(filepath.Join(w.Root, Dir, filepath.FromSlash(target)))
			assert.NoError(t, err, "%s links to %s, which does not exist", name, target)
		}
	}
	// The print page holds every lesson: its ids must not collide.
	seen := map[string]bool{}
	for _, m := range idAttrRE.FindAllStringSubmatch(string(files["print.html"]), -1) {
		assert.False(t, seen[m[1]], "print.html has id %q twice", m[1])
		seen[m[1]] = true
	}
}

// The committed book must be what `tutor book` builds now.
func TestCommittedBookIsCurrent(t *testing.T) {
	w := workbook(t)
	files, err := Render(w)
	require.NoError(t, err)
	dir := filepath.Join(w.Root, Dir)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if !assert.NoError(t, err, "book/%s is missing: run `go run ./cmd/tutor book` and commit book/", name) {
			continue
		}
		assert.True(t, bytes.Equal(want, got), "book/%s is stale: run `go run ./cmd/tutor book` and commit book/", name)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		_, built := files[e.Name()]
		assert.True(t, built || e.Name() == "README.md", "book/%s is not part of the book any more: remove it", e.Name())
	}
}
