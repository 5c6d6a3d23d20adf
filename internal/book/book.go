// Package book renders the workbook as a static HTML book: an index, a
// page per part and per lesson with a sidebar and previous/next links,
// a teachers' page, and a single-page print version. Diagrams become
// inline SVG (rendered by goat from the same text the terminal shows),
// code is highlighted by chroma, and every link is relative, so the
// book works from file:// as well as from a server. The output is
// deterministic: the committed book/ can be checked for staleness.
package book

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/bep/goat"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"socket2gateway/internal/bench"
	"socket2gateway/internal/lesson"
)

// Dir is the book's folder, relative to the workbook root.
const Dir = "book"

// TeachersSource is the markdown of the teachers' page.
const TeachersSource = "lessons/teachers.md"

// page is one HTML page of the book.
type page struct {
	File    string // "01-raw-sockets.html"
	Title   string
	Kind    string // "index", "part", "lesson", "teachers", "print"
	Part    string
	Lesson  *lesson.Lesson
	Body    template.HTML
	Prev    *link
	Next    *link
	Sidebar []sideEntry
	// HasBench says whether the book has a benchmarks page.
	HasBench bool
}

type link struct{ Href, Title string }

type sideEntry struct {
	Part    string // set on the first entry of a part
	PartRef string
	Href    string
	Title   string
	Current bool
}

// Build writes the whole book into out (normally ROOT/book), replacing
// what was there.
func Build(w *lesson.Workbook, out string) error {
	files, err := Render(w)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return fmt.Errorf("book: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("book: %w", err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return fmt.Errorf("book: %w", err)
		}
	}
	return nil
}

// Render returns every file of the book by name.
func Render(w *lesson.Workbook) (map[string][]byte, error) {
	parts, partOf := partsOf(w)
	var pages []*page
	index := &page{File: "index.html", Title: "From Socket to Gateway", Kind: "index"}
	pages = append(pages, index)

	var lessonPages []*page
	for _, l := range w.Lessons {
		// A one-line placeholder goes through goldmark (a raw HTML
		// block ends at its first blank line), the figure replaces it.
		figures := map[string]string{}
		md, err := w.ExpandDiagrams(mustRead(w.TextPath(l)), func(name, src string) string {
			slot := fmt.Sprintf(`<div class="diagram-slot" data-name="%s"></div>`, name)
			figures[slot] = diagramHTML(name, src)
			return slot
		})
		if err != nil {
			return nil, err
		}
		body, err := markdown(md)
		if err != nil {
			return nil, fmt.Errorf("book: lesson %d: %w", l.Number, err)
		}
		for slot, fig := range figures {
			body = strings.ReplaceAll(body, slot, fig)
		}
		p := &page{File: l.Slug + ".html", Title: fmt.Sprintf("%d. %s", l.Number, l.Title), Kind: "lesson",
			Part: l.Part, Lesson: l, Body: template.HTML(body)}
		lessonPages = append(lessonPages, p)
	}
	var partPages []*page
	for i, part := range parts {
		p := &page{File: partFile(i), Title: part, Kind: "part", Part: part}
		var b strings.Builder
		fmt.Fprintf(&b, "<h1>%s</h1>\n<ol class=\"toc\">\n", html.EscapeString(part))
		for _, lp := range lessonPages {
			if lp.Part == part {
				fmt.Fprintf(&b, "<li value=\"%d\"><a href=\"%s\">%s</a> <span class=\"meta\">%d min · mirrors %s</span><p>%s</p></li>\n",
					lp.Lesson.Number, lp.File, html.EscapeString(lp.Lesson.Title), lp.Lesson.Minutes,
					html.EscapeString(lp.Lesson.Mirrors), firstParagraph(lp.Body))
			}
		}
		b.WriteString("</ol>\n")
		p.Body = template.HTML(b.String())
		partPages = append(partPages, p)
	}
	// Reading order: index, then each part page followed by its lessons.
	order := []*page{index}
	for i, part := range parts {
		order = append(order, partPages[i])
		for _, lp := range lessonPages {
			if lp.Part == part {
				order = append(order, lp)
			}
		}
	}
	teachers, err := teachersPage(w)
	if err != nil {
		return nil, err
	}
	order = append(order, teachers)
	if bp, err := benchPage(w); err != nil {
		return nil, err
	} else if bp != nil {
		order = append(order, bp)
	}
	for i, p := range order {
		if i > 0 {
			p.Prev = &link{order[i-1].File, order[i-1].Title}
		}
		if i < len(order)-1 {
			p.Next = &link{order[i+1].File, order[i+1].Title}
		}
	}
	pages = append(order[1:], index)
	index.Body = template.HTML(indexBody(w, parts, partOf))

	print := &page{File: "print.html", Title: "From Socket to Gateway (print version)", Kind: "print"}
	var pb strings.Builder
	pb.WriteString(`<p class="noprint">All lessons on one page, for printing or saving as PDF. <a href="index.html">Back to the book</a>.</p>` + "\n")
	for _, lp := range lessonPages {
		fmt.Fprintf(&pb, "<section class=\"chapter\" id=\"%s\">\n%s</section>\n", lp.Lesson.Slug, prefixIDs(string(lp.Body), lp.Lesson.Slug))
	}
	print.Body = template.HTML(pb.String())
	pages = append(pages, print)

	side := sidebar(parts, lessonPages)
	files := map[string][]byte{}
	hasBench := false
	for _, p := range pages {
		hasBench = hasBench || p.Kind == "benchmarks"
	}
	for _, p := range pages {
		p.Sidebar = markCurrent(side, p.File)
		p.HasBench = hasBench
		var buf bytes.Buffer
		if err := pageTemplate.Execute(&buf, p); err != nil {
			return nil, fmt.Errorf("book: %s: %w", p.File, err)
		}
		files[p.File] = buf.Bytes()
	}
	files["book.css"] = []byte(css + chromaCSS())
	files["book.js"] = []byte(js)
	return files, nil
}

func partFile(i int) string { return fmt.Sprintf("part-%d.html", i+1) }

// partsOf lists the parts in lesson order.
func partsOf(w *lesson.Workbook) (parts []string, partOf map[string]int) {
	partOf = map[string]int{}
	for _, l := range w.Lessons {
		if _, ok := partOf[l.Part]; !ok {
			partOf[l.Part] = len(parts)
			parts = append(parts, l.Part)
		}
	}
	return parts, partOf
}

func sidebar(parts []string, lessons []*page) []sideEntry {
	var s []sideEntry
	for i, part := range parts {
		first := true
		for _, lp := range lessons {
			if lp.Part != part {
				continue
			}
			e := sideEntry{Href: lp.File, Title: lp.Title}
			if first {
				e.Part, e.PartRef = part, partFile(i)
				first = false
			}
			s = append(s, e)
		}
	}
	return s
}

func markCurrent(side []sideEntry, file string) []sideEntry {
	out := make([]sideEntry, len(side))
	copy(out, side)
	for i := range out {
		out[i].Current = out[i].Href == file
	}
	return out
}

func indexBody(w *lesson.Workbook, parts []string, partOf map[string]int) string {
	var b strings.Builder
	b.WriteString(`<h1>From Socket to Gateway</h1>
<p class="lead">A workbook in Go. Numbered lessons take you from a raw socket, through a TCP
server framework, an HTTP/1.1 server and concurrency strategies, to a gateway server that hosts
Python WSGI applications in persistent worker processes, the way gunicorn and uWSGI do. It is the
Go counterpart of Python's <code>socket</code> → <code>socketserver</code> →
<code>http.server</code> → <code>wsgiref</code> stack, and every lesson names the Python piece it
mirrors.</p>
<p>Each lesson has this text, an exercise in <code>exercises/</code> with tests that say what is
still missing, hints in levels, and a reference solution. To work through them, clone the
repository and run <code>go run ./cmd/tutor</code>. Teachers: see <a href="teachers.html">running
a workshop</a>. To print or save as PDF: <a href="print.html">the whole book on one page</a>.</p>
`)
	total := 0
	for i, part := range parts {
		fmt.Fprintf(&b, "<h2><a href=\"%s\">%s</a></h2>\n<ol class=\"toc\">\n", partFile(i), html.EscapeString(part))
		for _, l := range w.Lessons {
			if partOf[l.Part] == i {
				total += l.Minutes
				fmt.Fprintf(&b, "<li value=\"%d\"><a href=\"%s.html\">%s</a> <span class=\"meta\">%d min · mirrors %s</span></li>\n",
					l.Number, l.Slug, html.EscapeString(l.Title), l.Minutes, html.EscapeString(l.Mirrors))
			}
		}
		b.WriteString("</ol>\n")
	}
	fmt.Fprintf(&b, "<p class=\"meta\">%d lessons, about %d hours of work.</p>\n", len(w.Lessons), (total+30)/60)
	return b.String()
}

func teachersPage(w *lesson.Workbook) (*page, error) {
	src, err := os.ReadFile(filepath.Join(w.Root, TeachersSource))
	if err != nil {
		return nil, fmt.Errorf("book: the teachers' page source is missing: %w", err)
	}
	var table strings.Builder
	table.WriteString("| # | Lesson | Part | Minutes |\n| --- | --- | --- | --- |\n")
	total := 0
	for _, l := range w.Lessons {
		total += l.Minutes
		fmt.Fprintf(&table, "| %d | [%s](%s.md) | %s | %d |\n", l.Number, l.Title, l.Slug, l.Part, l.Minutes)
	}
	fmt.Fprintf(&table, "| | **All lessons** | | **%d** |\n", total)
	md := strings.Replace(string(src), "<!-- lesson-table -->", table.String(), 1)
	body, err := markdown(md)
	if err != nil {
		return nil, err
	}
	return &page{File: "teachers.html", Title: "Running a workshop", Kind: "teachers", Body: template.HTML(body)}, nil
}

// ResultsJSON and ResultsSVG are the last `tutor bench` run's files.
const (
	ResultsJSON = "bench/results.json"
	ResultsSVG  = "bench/results.svg"
)

// benchPage shows the last `tutor bench` run, when there is one.
func benchPage(w *lesson.Workbook) (*page, error) {
	rep, err := bench.LoadJSON(filepath.Join(w.Root, ResultsJSON))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("book: %s: %w", ResultsJSON, err)
	}
	cores := ""
	if rep.CPUs > 0 {
		cores = fmt.Sprintf(" (%d cores here)", rep.CPUs)
	}
	var b strings.Builder
	b.WriteString("<h1>The servers side by side</h1>\n")
	fmt.Fprintf(&b, "<p>Every server of the workbook, measured in one run by <code>tutor bench</code>: each in a process of its own on 127.0.0.1, loaded in turn by lesson 14's load generator with %d keep-alive connections asking for <code>GET /hello</code>, %s. The servers take turns, round after round, so that a machine that slows down for a while slows them all, and each figure is the median of the rounds. Ratios are to %s in the same run; the absolute numbers depend on the machine%s, the ratios much less. Run <code>tutor bench --learner</code> to see your own servers among them.</p>\n",
		rep.Conns, html.EscapeString(rep.Each()), html.EscapeString(rep.Baseline), cores)
	b.WriteString(`<figure class="chart">` + "\n" + bench.Chart(rep) + "</figure>\n")
	b.WriteString("<table>\n<tr><th>Server</th><th>req/s</th><th>p50 ms</th><th>p99 ms</th><th>errors</th><th>ratio</th></tr>\n")
	for _, r := range rep.Results {
		if r.Skipped != "" {
			fmt.Fprintf(&b, "<tr><td>%s</td><td colspan=\"5\">skipped: %s</td></tr>\n", html.EscapeString(r.Name), html.EscapeString(r.Skipped))
			continue
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%.0f</td><td>%.2f</td><td>%.2f</td><td>%d</td><td>%.2f×</td></tr>\n",
			html.EscapeString(r.Name), r.RPS, r.P50, r.P99, r.ErrorCount(), r.Ratio)
	}
	b.WriteString("</table>\n")
	for _, r := range rep.Results {
		if r.Versus != "" {
			fmt.Fprintf(&b, "<p>%s: %.2f× %s, in the same run.</p>\n", html.EscapeString(r.Name), r.VersusRatio, html.EscapeString(r.Versus))
		}
	}
	for _, r := range rep.Results {
		if r.Note != "" {
			fmt.Fprintf(&b, "<p>Note: %s %s.</p>\n", html.EscapeString(r.Name), html.EscapeString(r.Note))
		}
	}
	fmt.Fprintf(&b, "<p class=\"meta\">%s; the raw figures are in <a href=\"../%s\">%s</a>.</p>\n", html.EscapeString(rep.Go), ResultsJSON, ResultsJSON)
	return &page{File: "benchmarks.html", Title: "The servers side by side", Kind: "benchmarks", Body: template.HTML(b.String())}, nil
}

func mustRead(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("# Missing\n\n%s could not be read: %v\n", path, err)
	}
	return string(b)
}

// diagramHTML renders a diagram source as an inline SVG figure. The
// text it came from is the SVG's title, for screen readers.
func diagramHTML(name, src string) string {
	svg := goat.BuildSVG(strings.NewReader(protectWords(src)))
	svg.Body = strings.ReplaceAll(svg.Body, omicron, "o")
	title := strings.ReplaceAll(html.EscapeString(strings.TrimRight(src, "\n")), "\n", "&#10;")
	return fmt.Sprintf("<figure class=\"diagram\" id=\"diagram-%s\">\n"+
		"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" font-family=\"Menlo,Consolas,'DejaVu Sans Mono',monospace\" font-size=\"14\">"+
		"<title>%s</title>\n%s</svg>\n<figcaption>diagrams/%s.txt</figcaption>\n</figure>",
		name, svg.Width, svg.Height, svg.Width, svg.Height, title, strings.TrimSpace(svg.Body), name)
}

// omicron stands in for a Latin "o" inside a word while goat draws: goat
// takes an "o" next to a "v" or "<" for a joint and draws a circle.
const omicron = "\u03bf"

// protectWords hides every "o" that has a letter or digit beside it.
func protectWords(src string) string {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	var b strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		rs := []rune(line)
		for i, r := range rs {
			if r == 'o' && ((i > 0 && isWord(rs[i-1])) || (i+1 < len(rs) && isWord(rs[i+1]))) {
				b.WriteString(omicron)
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

var md = goldmark.New(
	goldmark.WithExtensions(
		extension.GFM,
		highlighting.NewHighlighting(
			highlighting.WithFormatOptions(chromahtml.WithClasses(true)),
			highlighting.WithGuessLanguage(false),
		),
	),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(bookLinks{}, 100)),
	),
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
)

func markdown(src string) (string, error) {
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// bookLinks points links to lesson texts (NN-slug.md) at their pages and
// gives every heading a "#" anchor link.
type bookLinks struct{}

var lessonLinkRE = regexp.MustCompile(`^(?:\./|\.\./lessons/)?(\d{2}-[a-z0-9-]+)\.md(#.*)?$`)

func (bookLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if m := lessonLinkRE.FindSubmatch(n.Destination); m != nil {
				n.Destination = []byte(string(m[1]) + ".html" + string(m[2]))
			}
		case *ast.Heading:
			if id, ok := n.AttributeString("id"); ok {
				a := ast.NewLink()
				a.Destination = []byte("#" + string(id.([]byte)))
				a.SetAttributeString("class", []byte("anchor"))
				a.SetAttributeString("aria-hidden", []byte("true"))
				a.AppendChild(a, ast.NewString([]byte("#")))
				n.AppendChild(n, a)
			}
		}
		return ast.WalkContinue, nil
	})
}

var (
	idRE       = regexp.MustCompile(`(id|href)="([^"]*)"`)
	lessonPage = regexp.MustCompile(`^(\d{2}-[a-z0-9-]+)\.html(?:#(.*))?$`)
)

// prefixIDs makes a lesson's ids unique on the print page, where every
// lesson is a chapter: ids and in-page links get the slug as a prefix,
// links to another lesson's page go to its chapter.
func prefixIDs(body, prefix string) string {
	return idRE.ReplaceAllStringFunc(body, func(m string) string {
		sm := idRE.FindStringSubmatch(m)
		attr, val := sm[1], sm[2]
		switch {
		case attr == "id":
			return fmt.Sprintf(`id="%s-%s"`, prefix, val)
		case strings.HasPrefix(val, "#"):
			return fmt.Sprintf(`href="#%s-%s"`, prefix, val[1:])
		}
		if lm := lessonPage.FindStringSubmatch(val); lm != nil {
			if lm[2] != "" {
				return fmt.Sprintf(`href="#%s-%s"`, lm[1], lm[2])
			}
			return fmt.Sprintf(`href="#%s"`, lm[1])
		}
		return m
	})
}

var paraRE = regexp.MustCompile(`(?s)<p>(.*?)</p>`)

func firstParagraph(body template.HTML) template.HTML {
	if m := paraRE.FindStringSubmatch(string(body)); m != nil {
		return template.HTML(m[1])
	}
	return ""
}

// chromaCSS returns the highlighting styles: a light one, and a dark one
// for the dark theme.
func chromaCSS() string {
	f := chromahtml.New(chromahtml.WithClasses(true))
	var light, dark bytes.Buffer
	_ = f.WriteCSS(&light, styles.Get("github"))
	_ = f.WriteCSS(&dark, styles.Get("github-dark"))
	scope := func(css, prefix string) string {
		var out []string
		for _, line := range strings.Split(css, "\n") {
			if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "/*") && strings.Contains(line, "*/ .") {
				// "/* Keyword */ .chroma .k { ... }"
				if i := strings.Index(line, "*/ "); i >= 0 && strings.HasPrefix(line, "/*") {
					line = line[:i+3] + prefix + line[i+3:]
				} else {
					line = prefix + line
				}
			}
			out = append(out, line)
		}
		return strings.Join(out, "\n")
	}
	return "\n/* code: light */\n" + light.String() + "\n/* code: dark */\n" + scope(dark.String(), "[data-theme=dark] ") + "\n"
}
