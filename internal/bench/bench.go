// Package bench measures the workbook's servers side by side in one run:
// the strategies of lesson 7, the HTTP server of lesson 5, the gateway
// with a Go app (lesson 9) and with Python workers (lesson 12), against
// net/http and Python's wsgiref servers. Each server runs in a process
// of its own on 127.0.0.1 and is loaded in turn, for a bounded time, by
// the workbook's own load generator (lesson 14's cmd/load), asking for
// GET /hello.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"socket2gateway/internal/lesson"
	"socket2gateway/internal/serve"
)

// LoadLesson is the lesson whose load generator drives the benchmark.
const LoadLesson = "14-measuring"

// Target is one server to measure.
type Target struct {
	Name string
	// Lesson and Args start a lesson's server (its [lesson.run]
	// program); Learner builds the learner's code, not the solution.
	Lesson  string
	Args    []string
	Learner bool
	// Python starts wsgiref: "simple" or "threading".
	Python string
	// NetHTTP starts the net/http server: the command that serves it.
	NetHTTP []string
	// Baseline marks the server the ratios are computed against.
	Baseline bool
	// Note explains a figure that would mislead on its own.
	Note string
	// Versus names another target this one is also compared with:
	// the Python gateway with wsgiref, Python with Python.
	Versus string
}

// Result is one server's measurement.
type Result struct {
	Name     string         `json:"name"`
	Requests int            `json:"requests"`
	RPS      float64        `json:"rps"`
	P50      float64        `json:"p50_ms"`
	P99      float64        `json:"p99_ms"`
	Errors   map[string]int `json:"errors"`
	// Ratio is RPS divided by the baseline's RPS.
	Ratio float64 `json:"ratio"`
	// Note explains a figure that would mislead on its own.
	Note string `json:"note,omitempty"`
	// Skipped says why the server was not measured.
	Skipped string `json:"skipped,omitempty"`
	// Versus and VersusRatio compare the server with another one of
	// the run (RPS divided by the other's RPS), besides the baseline.
	Versus      string  `json:"versus,omitempty"`
	VersusRatio float64 `json:"versus_ratio,omitempty"`
	// Rounds holds each round's requests per second, in order; RPS,
	// P50 and P99 are the medians of the rounds.
	Rounds []float64 `json:"rps_rounds,omitempty"`
}

// ErrorCount adds up the errors of every kind.
func (r Result) ErrorCount() int {
	n := 0
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// Options bound a run.
type Options struct {
	Conns    int           // concurrent connections (50)
	Duration time.Duration // measured time per server (5 s)
	Warmup   time.Duration // unmeasured load before it (1 s)
	// Rounds is how many times each server is measured (1). The
	// servers take turns, round after round, so a machine that slows
	// down for a while slows them all, and the medians are kept.
	Rounds   int
	Progress io.Writer // a line per server as it goes; may be nil
}

// wsgirefSimple is the name of the Python server the Python gateway is
// compared with.
const wsgirefSimple = "wsgiref.simple_server (Python)"

// Targets lists the servers to measure: the reference solutions, and
// with learner also the learner's own lesson servers. self serves
// net/http (the tutor binary with its hidden command).
func Targets(w *lesson.Workbook, learner bool, self []string) []Target {
	var ts []Target
	add := func(name, slug string, args ...string) {
		if _, err := w.Find(slug); err != nil {
			return
		}
		ts = append(ts, Target{Name: name, Lesson: slug, Args: args})
		if learner {
			ts = append(ts, Target{Name: name + " (yours)", Lesson: slug, Args: args, Learner: true})
		}
	}
	syncNote := "serves one keep-alive connection at a time: the other clients wait, unanswered and uncounted (lesson 7)"
	add("sync (lesson 7)", "07-threading-mixin", "-strategy", "sync")
	for i := range ts {
		ts[i].Note = syncNote
	}
	add("goroutine per connection (lesson 7)", "07-threading-mixin", "-strategy", "perconn")
	add("pool (lesson 7)", "07-threading-mixin", "-strategy", "pool")
	add("HTTP server (lesson 5)", "05-persistent-connections")
	add("gateway, Go app (lesson 9)", "09-gateway-interface", "-app", "hello")
	n := len(ts)
	add("gateway, Python app, 2 workers (lesson 12)", "12-worker-gateway",
		"-app", "exercises/12-worker-gateway/apps/hello.py:app", "-workers", "2")
	for i := n; i < len(ts); i++ {
		ts[i].Versus = wsgirefSimple
	}
	ts = append(ts,
		Target{Name: "net/http", NetHTTP: self, Baseline: true},
		Target{Name: wsgirefSimple, Python: "simple"},
		Target{Name: "wsgiref + ThreadingMixIn (Python)", Python: "threading"},
	)
	return ts
}

// Run measures every target in turn and returns one result each, in
// order, with ratios to the baseline.
func Run(ctx context.Context, w *lesson.Workbook, ts []Target, opts Options) ([]Result, error) {
	if opts.Conns == 0 {
		opts.Conns = 50
	}
	if opts.Duration == 0 {
		opts.Duration = 5 * time.Second
	}
	if opts.Warmup == 0 {
		opts.Warmup = time.Second
	}
	if opts.Rounds < 1 {
		opts.Rounds = 1
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	tmp, err := serve.TempDir()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	loadLesson, err := w.Find(LoadLesson)
	if err != nil {
		return nil, errors.New("bench: the load generator of lesson 14 is missing from this workbook")
	}
	fmt.Fprintln(progress, "Building the load generator (lesson 14's solution)…")
	loader, err := serve.BuildPackage(ctx, w, loadLesson, true, "cmd/load", tmp)
	if err != nil {
		return nil, fmt.Errorf("bench: building the load generator: %w", err)
	}
	pyScript := filepath.Join(tmp, "wsgiref_hello.py")
	if err := os.WriteFile(pyScript, []byte(wsgirefScript), 0o644); err != nil {
		return nil, err
	}

	rounds := make([][]Result, len(ts))
	skipped := make([]string, len(ts))
	for round := 1; round <= opts.Rounds; round++ {
		for i, t := range ts {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if skipped[i] != "" {
				continue // it will not do better in the next round
			}
			if opts.Rounds > 1 {
				fmt.Fprintf(progress, "[round %d/%d, %d/%d] %s: ", round, opts.Rounds, i+1, len(ts), t.Name)
			} else {
				fmt.Fprintf(progress, "[%d/%d] %s: ", i+1, len(ts), t.Name)
			}
			r := measure(ctx, w, t, tmp, pyScript, loader, opts)
			if r.Skipped != "" {
				skipped[i] = r.Skipped
				fmt.Fprintf(progress, "skipped: %s\n", r.Skipped)
				continue
			}
			fmt.Fprintf(progress, "%.0f req/s, p99 %.1f ms, %d errors\n", r.RPS, r.P99, r.ErrorCount())
			rounds[i] = append(rounds[i], r)
		}
	}
	results := make([]Result, len(ts))
	for i, t := range ts {
		if skipped[i] != "" {
			results[i] = Result{Name: t.Name, Note: t.Note, Skipped: skipped[i]}
			continue
		}
		results[i] = combine(rounds[i])
		results[i].Name, results[i].Note = t.Name, t.Note
	}
	base := 0.0
	for i, t := range ts {
		if t.Baseline && results[i].Skipped == "" {
			base = results[i].RPS
		}
	}
	if base > 0 {
		for i := range results {
			results[i].Ratio = results[i].RPS / base
		}
	}
	for i, t := range ts {
		if t.Versus == "" || results[i].Skipped != "" {
			continue
		}
		for _, o := range results {
			if o.Name == t.Versus && o.Skipped == "" && o.RPS > 0 {
				results[i].Versus = o.Name
				results[i].VersusRatio = results[i].RPS / o.RPS
			}
		}
	}
	return results, nil
}

// measure starts a target's server, loads it for the warm-up and then
// for the measured time, and stops it. A server that cannot start or
// fails under load comes back with Skipped set.
func measure(ctx context.Context, w *lesson.Workbook, t Target, tmp, pyScript, loader string, opts Options) Result {
	p, why := start(ctx, w, t, tmp, pyScript)
	if p == nil {
		return Result{Skipped: why}
	}
	defer p.Stop()
	url := "http://" + p.Addr + "/hello"
	if _, err := load(ctx, loader, url, opts.Conns, opts.Warmup); err != nil {
		return Result{Skipped: err.Error()}
	}
	r, err := load(ctx, loader, url, opts.Conns, opts.Duration)
	if err != nil {
		return Result{Skipped: err.Error()}
	}
	return r
}

// combine makes one result of a server's rounds: the median of each
// figure (requests per second, p50, p99), and the sums of requests and
// errors.
func combine(rs []Result) Result {
	var out Result
	var rps, p50, p99 []float64
	for _, r := range rs {
		out.Requests += r.Requests
		for k, n := range r.Errors {
			if out.Errors == nil {
				out.Errors = map[string]int{}
			}
			out.Errors[k] += n
		}
		rps, p50, p99 = append(rps, r.RPS), append(p50, r.P50), append(p99, r.P99)
	}
	out.RPS, out.P50, out.P99 = median(rps), median(p50), median(p99)
	if len(rs) > 1 {
		out.Rounds = rps
	}
	return out
}

// median returns the middle value of xs (the mean of the two middle
// ones when there is an even number), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// start starts a target's server, or says why it cannot.
func start(ctx context.Context, w *lesson.Workbook, t Target, tmp, pyScript string) (*serve.Process, string) {
	switch {
	case t.Python != "":
		py, err := exec.LookPath("python3")
		if err != nil {
			return nil, "python3 is not installed"
		}
		p, err := serve.Start(py, tmp, []string{pyScript, t.Python}, nil, nil)
		if err != nil {
			return nil, err.Error()
		}
		return p, ""
	case len(t.NetHTTP) > 0:
		p, err := serve.Start(t.NetHTTP[0], tmp, append(t.NetHTTP[1:], "-addr", "127.0.0.1:0"), nil, nil)
		if err != nil {
			return nil, err.Error()
		}
		return p, ""
	}
	l, err := w.Find(t.Lesson)
	if err != nil {
		return nil, "the lesson is missing"
	}
	if l.Python {
		if _, err := exec.LookPath("python3"); err != nil {
			return nil, "python3 is not installed"
		}
	}
	bin, err := serve.Build(ctx, w, l, !t.Learner, tmp)
	if err != nil {
		var be *serve.BuildError
		if errors.As(err, &be) && len(be.Lines) > 0 {
			return nil, "does not compile: " + be.Lines[0]
		}
		return nil, err.Error()
	}
	p, err := serve.Start(bin, w.Root, append([]string{"-addr", "127.0.0.1:0"}, t.Args...), nil, nil)
	if err != nil {
		return nil, err.Error()
	}
	return p, ""
}

// load runs the load generator against url and parses its JSON.
func load(ctx context.Context, loader, url string, conns int, d time.Duration) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, loader, "-url", url, "-c", fmt.Sprint(conns), "-d", d.String(), "-json")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("the load generator failed: %v %s", err, bytes.TrimSpace(errb.Bytes()))
	}
	var doc struct {
		Requests int            `json:"requests"`
		RPS      float64        `json:"rps"`
		P50      float64        `json:"p50_ms"`
		P99      float64        `json:"p99_ms"`
		Errors   map[string]int `json:"errors"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		return Result{}, fmt.Errorf("the load generator's output is not the JSON expected: %v", err)
	}
	return Result{Requests: doc.Requests, RPS: doc.RPS, P50: doc.P50, P99: doc.P99, Errors: doc.Errors}, nil
}

// wsgirefScript serves hello world with Python's wsgiref, as a plain
// WSGIServer or with ThreadingMixIn, quietly.
const wsgirefScript = `import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, WSGIRequestHandler, make_server

def app(environ, start_response):
    body = b"Hello, world!\n"
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

cls = ThreadingWSGIServer if sys.argv[1:] == ["threading"] else WSGIServer
srv = make_server("127.0.0.1", 0, app, server_class=cls, handler_class=Quiet)
print("listening on 127.0.0.1:%d" % srv.server_port, flush=True)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    pass
`
