package bench

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Report is what a run writes to bench/results.json; the book shows it.
type Report struct {
	Conns    int      `json:"connections"`
	Seconds  float64  `json:"seconds_per_server"`
	Rounds   int      `json:"rounds"`
	CPUs     int      `json:"cpus"`
	Go       string   `json:"go"`
	Results  []Result `json:"results"`
	Baseline string   `json:"baseline"`
}

// Each says how long each server was measured: "5 s each", or "3 s
// each, in 3 rounds".
func (rep Report) Each() string {
	if rep.Rounds > 1 {
		return fmt.Sprintf("%.0f s each, in %d rounds", rep.Seconds, rep.Rounds)
	}
	return fmt.Sprintf("%.0f s each", rep.Seconds)
}

func (rep Report) medians() string {
	if rep.Rounds > 1 {
		return fmt.Sprintf(", medians of %d rounds", rep.Rounds)
	}
	return ""
}

// WriteTable prints the results as a table with ratios to the baseline.
// When the servers ran in rounds, SPREAD is how far apart a server's
// rounds were: the fastest minus the slowest, over the median.
func WriteTable(out io.Writer, rs []Result, baseline string) {
	rounds := 0
	for _, r := range rs {
		rounds = max(rounds, len(r.Rounds))
	}
	// Numbers align right; names are padded to one width, so they
	// stay aligned left.
	width := len("SERVER")
	for _, r := range rs {
		width = max(width, utf8.RuneCountInString(r.Name))
	}
	name := func(s string) string {
		return s + strings.Repeat(" ", width-utf8.RuneCountInString(s))
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tREQ/S\tP50 MS\tP99 MS\tERRORS\t× %s\t", name("SERVER"), baseline)
	if rounds > 1 {
		fmt.Fprint(tw, "SPREAD\t")
	}
	fmt.Fprintln(tw)
	for _, r := range rs {
		if r.Skipped != "" {
			// A cell for every column, so the columns stay one block.
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t", name(r.Name))
			if rounds > 1 {
				fmt.Fprint(tw, "-\t")
			}
			fmt.Fprintf(tw, "  skipped: %s\n", r.Skipped)
			continue
		}
		ratio := "-"
		if r.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%d\t%s\t", name(r.Name), r.RPS, r.P50, r.P99, r.ErrorCount(), ratio)
		if rounds > 1 {
			fmt.Fprintf(tw, "%s\t", spread(r))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if rounds > 1 {
		fmt.Fprintf(out, "Medians of %d rounds: the servers took turns, round after round.\n", rounds)
	}
	for _, r := range rs {
		if r.Versus != "" {
			fmt.Fprintf(out, "%s: %.2f× %s.\n", r.Name, r.VersusRatio, r.Versus)
		}
	}
	for _, r := range rs {
		if r.Note != "" {
			fmt.Fprintf(out, "Note: %s %s.\n", r.Name, r.Note)
		}
	}
}

// spread is (fastest − slowest) / median of a result's rounds, as a
// percentage, or "-" with fewer than two rounds.
func spread(r Result) string {
	if len(r.Rounds) < 2 || r.RPS == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", (slices.Max(r.Rounds)-slices.Min(r.Rounds))/r.RPS*100)
}

// SaveJSON writes the report.
func SaveJSON(path string, rep Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// LoadJSON reads a saved report.
func LoadJSON(path string) (Report, error) {
	var rep Report
	b, err := os.ReadFile(path)
	if err != nil {
		return rep, err
	}
	return rep, json.Unmarshal(b, &rep)
}

// Chart draws the results as a horizontal bar chart of requests per
// second, one bar per server, labelled with the ratio to the baseline.
func Chart(rep Report) string {
	const (
		left, barMax, row, top = 330, 380, 26, 44
		width                  = left + barMax + 130
	)
	max := 0.0
	for _, r := range rep.Results {
		if r.RPS > max {
			max = r.RPS
		}
	}
	if max == 0 {
		max = 1
	}
	height := top + row*len(rep.Results) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="system-ui,sans-serif" font-size="13">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<title>Requests per second, hello world, %d keep-alive connections</title>`+"\n", rep.Conns)
	fmt.Fprintf(&b, `<text x="10" y="22" font-weight="600" fill="currentColor">Requests per second: GET /hello, %d connections, %s on 127.0.0.1</text>`+"\n", rep.Conns, html.EscapeString(rep.Each()))
	for i, r := range rep.Results {
		y := top + i*row
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="currentColor">%s</text>`+"\n", left-10, y+14, html.EscapeString(r.Name))
		if r.Skipped != "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" fill="currentColor" opacity="0.6">skipped</text>`+"\n", left, y+14)
			continue
		}
		w := int(r.RPS / max * barMax)
		if w < 1 {
			w = 1
		}
		color := "#4493f8"
		if r.Name == rep.Baseline {
			color = "#8b949e"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="18" rx="2" fill="%s"/>`+"\n", left, y+2, w, color)
		label := fmt.Sprintf("%.0f", r.RPS)
		if r.Ratio > 0 {
			label += fmt.Sprintf(" (%.2f×)", r.Ratio)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="currentColor">%s</text>`+"\n", left+w+6, y+15, label)
	}
	fmt.Fprintf(&b, `<text x="10" y="%d" font-size="11" fill="currentColor" opacity="0.7">Ratios to %s in the same run%s. Measured with tutor bench (%s).</text>`+"\n", height-8, html.EscapeString(rep.Baseline), rep.medians(), html.EscapeString(rep.Go))
	b.WriteString("</svg>\n")
	return b.String()
}
