package book

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/internal/lesson"
)

// findChromium returns the browser to drive: $TUTOR_CHROMIUM, else
// Debian's chromium. In CI (CI=true) a missing browser fails the test,
// so the check cannot be skipped by accident.
func findChromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("TUTOR_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI must check the book in a real browser (.ci/run installs it)")
	}
	t.Skip("chromium is not installed (Debian: apt-get install chromium): the browser check of the book needs it")
	return ""
}

type pageReport struct {
	Title      string   `json:"title"`
	H1         string   `json:"h1"`
	SVGs       int      `json:"svgs"`
	BrokenImgs []string `json:"brokenImgs"`
	Links      []string `json:"links"`
}

const inspect = `(() => ({
  title: document.title,
  h1: (document.querySelector("h1") || {textContent: ""}).textContent,
  svgs: document.querySelectorAll("figure.diagram svg").length,
  brokenImgs: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
  links: [...document.querySelectorAll("a[href]")].map(a => a.href).filter(h => h.startsWith("file:")),
}))()`

// TestBookInABrowser opens every page of the committed book from
// file://, as a reader who never opens a terminal would.
func TestBookInABrowser(t *testing.T) {
	browser := findChromium(t)
	w := workbook(t)
	dir := filepath.Join(w.Root, Dir)
	pages, err := filepath.Glob(filepath.Join(dir, "*.html"))
	require.NoError(t, err)
	require.NotEmpty(t, pages, "book/ has no pages: run `go run ./cmd/tutor book`")

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	diagrams := map[string]int{}
	for _, l := range w.Lessons {
		if text, err := os.ReadFile(w.TextPath(l)); err == nil {
			diagrams[l.Slug+".html"] = len(lesson.Diagrams(string(text)))
		}
	}
	for _, p := range pages {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			err := chromedp.Do(bctx, chromedp.Navigate("file://"+p), chromedp.WaitReady("body"))
			require.NoError(t, err, "the page did not load")
			rep, err := chromedp.Run(bctx, chromedp.Evaluate[pageReport](inspect))
			require.NoError(t, err, "inspecting the page")
			assert.NotEmpty(t, rep.Title)
			assert.NotEmpty(t, strings.TrimSpace(rep.H1), "the page has a heading")
			assert.Empty(t, rep.BrokenImgs, "images that did not load")
			if n, ok := diagrams[name]; ok {
				assert.GreaterOrEqual(t, rep.SVGs, n, "every diagram is an inline SVG")
				assert.Positive(t, n, "every lesson has a diagram")
			}
			for _, link := range rep.Links {
				checkLink(t, link)
			}
		})
	}

	// A screenshot of one lesson page, as a reader sees it.
	first := filepath.Join(dir, w.Lessons[0].Slug+".html")
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate("file://"+first), chromedp.WaitReady("body")))
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(80))
	require.NoError(t, err)
	shot := filepath.Join(os.TempDir(), "tutor-book-"+w.Lessons[0].Slug+".png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))
	assert.Greater(t, len(png), 20_000, "the screenshot shows a real page")
	t.Logf("screenshot of lesson 1: %s", shot)
}

var idsRE = regexp.MustCompile(`id="([^"]+)"`)

// checkLink asserts that a file:// link resolves: the file or folder
// exists, and a fragment names an id on the page.
func checkLink(t *testing.T, link string) {
	t.Helper()
	u, err := url.Parse(link)
	if !assert.NoError(t, err) {
		return
	}
	path, err := url.PathUnescape(u.Path)
	require.NoError(t, err)
	st, err := os.Stat(path)
	if !assert.NoError(t, err, "broken link %s", link) {
		return
	}
	if u.Fragment == "" || st.IsDir() {
		return
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	found := false
	for _, m := range idsRE.FindAllStringSubmatch(string(b), -1) {
		if m[1] == u.Fragment {
			found = true
			break
		}
	}
	assert.True(t, found, "link %s: no element has id %q", link, u.Fragment)
}
