package book

import "html/template"

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}{{if ne .Kind "index"}} · From Socket to Gateway{{end}}</title>
<link rel="stylesheet" href="book.css">
<script src="book.js"></script>
</head>
<body class="{{.Kind}}">
{{- if ne .Kind "print"}}
<nav class="sidebar" aria-label="Lessons">
<p class="brand"><a href="index.html">From Socket to Gateway</a></p>
{{- range .Sidebar}}
{{- if .Part}}
<p class="part"><a href="{{.PartRef}}">{{.Part}}</a></p>
{{- end}}
<a class="lesson{{if .Current}} current{{end}}" href="{{.Href}}"{{if .Current}} aria-current="page"{{end}}>{{.Title}}</a>
{{- end}}
<p class="part"><a href="teachers.html">Running a workshop</a></p>
{{- if .HasBench}}
<p class="part"><a href="benchmarks.html">The servers side by side</a></p>
{{- end}}
<p class="part"><a href="print.html">Print version</a></p>
<button type="button" class="theme" onclick="toggleTheme()">Light / dark</button>
</nav>
{{- end}}
<main>
{{- if .Lesson}}
<p class="meta">Lesson {{.Lesson.Number}} · {{.Lesson.Part}} · about {{.Lesson.Minutes}} minutes · mirrors {{.Lesson.Mirrors}}</p>
{{- end}}
{{.Body}}
{{- if .Lesson}}
<aside class="work">
<p>Work on it: edit <a href="../exercises/{{.Lesson.Slug}}/">exercises/{{.Lesson.Slug}}</a>, then run <code>tutor check {{.Lesson.Number}}</code>.
Stuck? <code>tutor hint {{.Lesson.Number}}</code>. The reference solution is in <a href="../solutions/{{.Lesson.Slug}}/">solutions/{{.Lesson.Slug}}</a>.</p>
</aside>
{{- end}}
{{- if or .Prev .Next}}
<nav class="prevnext" aria-label="Previous and next">
{{- if .Prev}}<a class="prev" rel="prev" href="{{.Prev.Href}}">← {{.Prev.Title}}</a>{{end}}
{{- if .Next}}<a class="next" rel="next" href="{{.Next.Href}}">{{.Next.Title}} →</a>{{end}}
</nav>
{{- end}}
</main>
</body>
</html>
`))

const js = `// The book's only script: the light/dark switch, remembered per browser.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("theme"); } catch (e) {}
  var dark = saved ? saved === "dark" :
    window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-theme", dark ? "dark" : "light");
})();
function toggleTheme() {
  var el = document.documentElement;
  var next = el.getAttribute("data-theme") === "dark" ? "light" : "dark";
  el.setAttribute("data-theme", next);
  try { localStorage.setItem("theme", next); } catch (e) {}
}
`

const css = `/* From Socket to Gateway: the book's styles. */
:root {
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --side: #f6f8fa; --link: #0969da; --code-bg: #f6f8fa; --accent: #1a7f37;
  --svg: #1f2328;
}
[data-theme=dark] {
  --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d;
  --side: #151b23; --link: #4493f8; --code-bg: #151b23; --accent: #3fb950;
  --svg: #e6edf3;
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0; display: flex; min-height: 100vh;
  font: 17px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif;
}
a { color: var(--link); }
.sidebar {
  width: 17rem; flex: none; background: var(--side);
  border-right: 1px solid var(--line); padding: 1rem;
  position: sticky; top: 0; height: 100vh; overflow-y: auto;
  font-size: 0.92rem;
}
.sidebar a { display: block; text-decoration: none; padding: 0.15rem 0.4rem;
  border-radius: 4px; }
.sidebar a.current { background: var(--link); color: var(--bg); }
.sidebar .brand { font-weight: 700; margin: 0 0 0.8rem; }
.sidebar .part { font-weight: 600; margin: 1rem 0 0.2rem; }
.sidebar .part a { color: var(--fg); padding-left: 0; }
.theme { margin-top: 1.2rem; font: inherit; background: none; color: var(--fg);
  border: 1px solid var(--line); border-radius: 4px; padding: 0.2rem 0.6rem;
  cursor: pointer; }
main { flex: 1; max-width: 50rem; padding: 1.5rem 2.5rem 4rem; min-width: 0; }
h1, h2, h3 { line-height: 1.25; }
h1 { font-size: 2rem; } h2 { margin-top: 2.2rem; }
.anchor { margin-left: 0.4rem; text-decoration: none; color: var(--muted);
  opacity: 0; font-weight: 400; }
h1:hover .anchor, h2:hover .anchor, h3:hover .anchor, .anchor:focus { opacity: 1; }
.meta { color: var(--muted); font-size: 0.9rem; }
.lead { font-size: 1.1rem; }
code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px;
  font: 0.88em/1.5 Menlo, Consolas, "DejaVu Sans Mono", monospace; }
pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px;
  padding: 0.8rem 1rem; overflow-x: auto; }
pre code { background: none; padding: 0; }
.chroma { background: transparent !important; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.7rem; text-align: left; }
blockquote { margin: 1rem 0; padding: 0 1rem; border-left: 4px solid var(--line);
  color: var(--muted); }
figure.diagram { margin: 1.5rem 0; overflow-x: auto; }
figure.diagram svg { max-width: 100%; height: auto; color: var(--svg); }
figure.diagram svg path, figure.diagram svg line, figure.diagram svg polygon,
figure.diagram svg circle { stroke: var(--svg); }
figure.diagram svg polygon, figure.diagram svg text { fill: var(--svg); }
figure.diagram svg circle[fill=white] { fill: var(--bg); }
figcaption { color: var(--muted); font-size: 0.8rem; }
figure.chart { margin: 1.5rem 0; overflow-x: auto; color: var(--fg); }
figure.chart svg { max-width: 100%; height: auto; }
.toc li { margin: 0.4rem 0; }
.toc p { margin: 0.2rem 0 0.8rem; color: var(--muted); font-size: 0.95rem; }
.work { margin-top: 2.5rem; padding: 0.6rem 1rem; border: 1px solid var(--line);
  border-left: 4px solid var(--accent); border-radius: 4px; }
.prevnext { display: flex; justify-content: space-between; gap: 1rem;
  margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid var(--line); }
.prevnext .next { margin-left: auto; text-align: right; }
body.print main { max-width: 48rem; margin: 0 auto; }
.chapter + .chapter { break-before: page; margin-top: 3rem; }
@media (max-width: 52rem) {
  body { display: block; }
  .sidebar { position: static; width: auto; height: auto; border-right: 0;
    border-bottom: 1px solid var(--line); }
  main { padding: 1rem; }
}
@media print {
  :root, [data-theme=dark] { --bg: #fff; --fg: #000; --muted: #444;
    --code-bg: #f6f6f6; --svg: #000; --link: #000; }
  body { display: block; font-size: 11pt; }
  .sidebar, .prevnext, .noprint, .anchor, .work { display: none; }
  main { max-width: none; padding: 0; }
  pre { white-space: pre-wrap; break-inside: avoid; }
  figure.diagram { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
}
`
