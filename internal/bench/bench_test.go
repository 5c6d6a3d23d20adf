package bench

import (
	"bytes"
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

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

var sample = []Result{
	{Name: "sync (lesson 7)", RPS: 100, P50: 1, P99: 2, Ratio: 0.01, Note: "serves one connection at a time"},
	{Name: "net/http", RPS: 10000, P50: 1, P99: 3, Ratio: 1},
	{Name: "wsgiref.simple_server (Python)", Skipped: "python3 is not installed"},
	{Name: "HTTP server (lesson 5)", RPS: 16000, P50: 0.5, P99: 2, Ratio: 1.6, Errors: map[string]int{"timeout": 2}},
	{Name: "gateway, Python app", RPS: 300, Ratio: 0.03, Versus: "wsgiref", VersusRatio: 3.5},
}

func TestTableShowsRatiosSkipsAndNotes(t *testing.T) {
	var out bytes.Buffer
	WriteTable(&out, sample, "net/http")
	s := out.String()
	assert.Regexp(t, `HTTP server \(lesson 5\)\s+16000\s+0.50\s+2.00\s+2\s+1.60`, s)
	assert.Contains(t, s, "skipped: python3 is not installed")
	assert.Regexp(t, `(?m)^ *SERVER {10,}REQ/S`, s, "names align left")
	assert.Regexp(t, `(?m)^ *net/http {10,}10000`, s, "names align left")
	assert.Contains(t, s, "Note: sync (lesson 7) serves one connection at a time.")
	assert.Contains(t, s, "gateway, Python app: 3.50× wsgiref.")
}

func TestRoundsCombineIntoMedians(t *testing.T) {
	rs := []Result{
		{Requests: 300, RPS: 100, P50: 1, P99: 9, Errors: map[string]int{"timeout": 1}},
		{Requests: 900, RPS: 300, P50: 3, P99: 5, Errors: map[string]int{"timeout": 2, "early_close": 1}},
		{Requests: 600, RPS: 200, P50: 2, P99: 7},
	}
	got := combine(rs)
	assert.Equal(t, 1800, got.Requests, "requests add up")
	assert.Equal(t, 200.0, got.RPS, "the median, not the mean or the best")
	assert.Equal(t, 2.0, got.P50)
	assert.Equal(t, 7.0, got.P99, "each figure's own median")
	assert.Equal(t, map[string]int{"timeout": 3, "early_close": 1}, got.Errors)
	assert.Equal(t, []float64{100, 300, 200}, got.Rounds, "the rounds, in order")
	assert.Equal(t, 100.0, rs[0].RPS, "the rounds are left as they were")

	assert.Equal(t, 250.0, median([]float64{400, 100, 300, 200}), "an even count: the mean of the middle two")
	assert.Nil(t, combine(rs[:1]).Rounds, "one round has no spread to show")
}

func TestTableShowsSpreadOfRounds(t *testing.T) {
	rs := []Result{
		{Name: "python", Skipped: "python3 is not installed"},
		{Name: "net/http", RPS: 200, Ratio: 1, Rounds: []float64{100, 300, 200}},
		{Name: "lesson 5", RPS: 300, Ratio: 1.5, Rounds: []float64{290, 300, 310}},
	}
	var out bytes.Buffer
	WriteTable(&out, rs, "net/http")
	assert.Regexp(t, `SPREAD`, out.String())
	assert.Regexp(t, `net/http\s+200\s+0.00\s+0.00\s+0\s+1.00\s+100%`, out.String())
	assert.Regexp(t, `lesson 5\s+300\s+0.00\s+0.00\s+0\s+1.50\s+7%`, out.String())
	assert.Contains(t, out.String(), "Medians of 3 rounds")
	lines := strings.Split(out.String(), "\n")
	assert.Equal(t, strings.Index(lines[2], "100%")+4, strings.Index(lines[3], "7%")+2,
		"a skipped server above does not break the columns:\n%s", out.String())

	out.Reset()
	WriteTable(&out, sample, "net/http")
	assert.NotContains(t, out.String(), "SPREAD", "one round: no spread column")
}

func TestChartIsValidSVGWithProportionalBars(t *testing.T) {
	svg := Chart(Report{Conns: 50, Seconds: 5, Go: "go1.26", Results: sample, Baseline: "net/http"})
	require.NoError(t, xml.Unmarshal([]byte(svg), new(struct{})), "the chart is well-formed XML")
	var widths []string
	for _, part := range strings.Split(svg, "<rect ")[1:] {
		w := strings.SplitN(strings.SplitN(part, `width="`, 2)[1], `"`, 2)[0]
		widths = append(widths, w)
	}
	assert.Equal(t, []string{"2", "237", "380", "7"}, widths, "bars scale with req/s; the fastest is full width")
	assert.Contains(t, svg, "16000 (1.60×)")
	assert.Contains(t, svg, "skipped")
	assert.Contains(t, svg, "5 s each on")

	svg = Chart(Report{Conns: 50, Seconds: 3, Rounds: 3, Go: "go1.26", Results: sample, Baseline: "net/http"})
	assert.Contains(t, svg, "3 s each, in 3 rounds")
	assert.Contains(t, svg, "medians of 3 rounds")
}

func TestTargetsCoverTheWorkbook(t *testing.T) {
	w := workbook(t)
	ts := Targets(w, false, []string{"tutor", "bench-nethttp"})
	names := map[string]bool{}
	baselines := 0
	for _, tg := range ts {
		names[tg.Name] = true
		if tg.Baseline {
			baselines++
		}
	}
	assert.Equal(t, 1, baselines)
	for _, want := range []string{"net/http", "wsgiref.simple_server (Python)", "wsgiref + ThreadingMixIn (Python)"} {
		assert.True(t, names[want], want)
	}
	for _, tg := range ts {
		if tg.Versus != "" {
			assert.True(t, names[tg.Versus], "%s is compared with a server of the run", tg.Name)
		}
	}
	if _, err := w.Find("05-persistent-connections"); err == nil {
		assert.True(t, names["HTTP server (lesson 5)"])
	}
	withLearner := Targets(w, true, []string{"tutor", "bench-nethttp"})
	assert.Greater(t, len(withLearner), len(ts), "--learner adds the learner's own servers")
}

// A short real run: two servers, bounded, on 127.0.0.1, with lesson 14's
// load generator.
func TestRunMeasuresRealServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds servers and loads them")
	}
	w := workbook(t)
	for _, slug := range []string{LoadLesson, "05-persistent-connections"} {
		if _, err := w.Find(slug); err != nil {
			t.Skipf("lesson %s is not in this workbook", slug)
		}
	}
	ts := []Target{{Name: "lesson 5", Lesson: "05-persistent-connections", Baseline: true, Versus: "python"},
		{Name: "python", Python: "simple"}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var progress bytes.Buffer
	rs, err := Run(ctx, w, ts, Options{Conns: 4, Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond,
		Rounds: 2, Progress: &progress})
	require.NoError(t, err, progress.String())
	require.Len(t, rs, 2)
	assert.Len(t, rs[0].Rounds, 2, "measured in each round")
	assert.Empty(t, rs[0].Skipped, progress.String())
	assert.Positive(t, rs[0].Requests)
	assert.Positive(t, rs[0].RPS)
	assert.Zero(t, rs[0].ErrorCount())
	assert.InDelta(t, 1.0, rs[0].Ratio, 1e-9, "the baseline's ratio is 1")
	if rs[1].Skipped == "" {
		assert.Positive(t, rs[1].Requests, "wsgiref closes after each answer; the generator reconnects")
		assert.Equal(t, "python", rs[0].Versus)
		assert.InDelta(t, rs[0].RPS/rs[1].RPS, rs[0].VersusRatio, 1e-9)
	}
	assert.Contains(t, progress.String(), "[round 2/2, 1/2] lesson 5")
}
