package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Style says how a report is decorated.
type Style struct {
	// Color adds ANSI colours.
	Color bool
	// MaxLines caps the lines shown per failing test; 0 means 30.
	MaxLines int
}

func (s Style) paint(code, text string) string {
	if !s.Color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

var marks = map[Status]string{Pass: "✓", Fail: "✗", Skip: "-", Hang: "⏱", NotRun: "·"}
var colors = map[Status]string{Pass: "32", Fail: "31", Skip: "33", Hang: "31", NotRun: "2"}

// Next is what to suggest after the report; the caller fills it in, as it
// knows the learner's progress.
type Next struct {
	HintsShown, HintsTotal int
	// NextLesson is "2: The TCP server framework" or empty at the end.
	NextLesson string
	// RaceNote says why the race detector is off, when it should be on.
	RaceNote string
}

// WriteText writes the report a learner reads: one line per behaviour,
// and for each that failed, what the test expected and got, and where in
// the lesson to read about it.
func WriteText(out io.Writer, r *Result, next Next, st Style) {
	max := st.MaxLines
	if max == 0 {
		max = 30
	}
	who := "your code"
	if r.Solution {
		who = "the reference solution"
	}
	race := ""
	if r.Race {
		race = ", race detector on"
	}
	fmt.Fprintf(out, "%s\n", st.paint("1", fmt.Sprintf("Lesson %d · %s", r.Lesson, r.Title)))
	fmt.Fprintf(out, "%s\n\n", st.paint("2", fmt.Sprintf("Testing %s in exercises/%s (%.1fs, limit %s%s)", who, r.Slug, r.Seconds, r.Timeout, race)))
	if next.RaceNote != "" {
		fmt.Fprintf(out, "Note: %s.\n\n", next.RaceNote)
	}

	if len(r.BuildErrors) > 0 {
		fmt.Fprintf(out, "%s\n\n", st.paint("31", "✗ The code does not compile, so no test could run:"))
		for i, e := range r.BuildErrors {
			if i == max {
				fmt.Fprintf(out, "    … and %d more lines\n", len(r.BuildErrors)-max)
				break
			}
			fmt.Fprintf(out, "    %s\n", e)
		}
		fmt.Fprintf(out, "\nNext: fix the first error above (file:line:column), save, and run `tutor check %d` again.\n", r.Lesson)
		return
	}
	if r.Output != "" && len(r.Tests) == 0 {
		fmt.Fprintf(out, "%s\n\n%s\n\n", st.paint("31", "✗ The test program failed before any test ran:"), indent(r.Output, "    "))
	}

	for _, t := range r.Tests {
		label := t.Behaviour
		if label == "" {
			label = t.Name
		}
		fmt.Fprintf(out, "  %s %s %s\n", st.paint(colors[t.Status], marks[t.Status]), label, st.paint("2", "("+t.Name+")"))
		if t.Status == Pass || t.Message == "" {
			continue
		}
		lines := strings.Split(t.Message, "\n")
		if len(lines) > max {
			lines = append(lines[:max], fmt.Sprintf("… %d more lines: run `tutor check %d --verbose`", len(lines)-max, r.Lesson))
		}
		fmt.Fprintf(out, "%s\n", indent(strings.Join(lines, "\n"), "      "))
		if t.Section != "" && t.Status != Skip {
			fmt.Fprintf(out, "      %s\n", st.paint("36", fmt.Sprintf("Read: “%s” in `tutor show %d`", t.Section, r.Lesson)))
		}
		fmt.Fprintln(out)
	}

	c := r.Counts()
	total := len(r.Tests)
	if n := len(r.Tests); n > 0 && (r.Tests[n-1].Status == Pass || r.Tests[n-1].Message == "") {
		fmt.Fprintln(out) // a failure block already ends with a blank line
	}
	switch {
	case r.Passed:
		fmt.Fprintf(out, "%s\n", st.paint("32;1", fmt.Sprintf("All %d behaviours pass. Lesson %d is done!", c[Pass], r.Lesson)))
		if c[Skip] > 0 {
			fmt.Fprintf(out, "(%d skipped: see above.)\n", c[Skip])
		}
		if r.Solution {
			return
		}
		if next.NextLesson != "" {
			fmt.Fprintf(out, "Next: lesson %s. Run `tutor next` to go on.\n", next.NextLesson)
		} else {
			fmt.Fprintln(out, "That was the last lesson of the workbook. `tutor list` shows them all.")
		}
	default:
		fmt.Fprintf(out, "%d of %d behaviours pass", c[Pass], total)
		if c[Hang] > 0 {
			fmt.Fprintf(out, "; %d hung and %s stopped", c[Hang], plural(c[Hang], "was", "were"))
		}
		if c[Skip] > 0 {
			fmt.Fprintf(out, "; %d skipped", c[Skip])
		}
		fmt.Fprintln(out, ".")
		if r.Solution {
			return
		}
		for _, t := range r.Tests {
			if t.Status == Fail || t.Status == Hang {
				label := t.Behaviour
				if label == "" {
					label = t.Name
				}
				fmt.Fprintf(out, "Next: make “%s” pass first, then run `tutor check %d` again.\n", label, r.Lesson)
				break
			}
		}
		if c[Pass] == 0 && c[Skip] == total && total > 0 {
			fmt.Fprintln(out, "Every test was skipped, so the lesson cannot be marked done on this machine: run `tutor doctor`.")
		}
		switch {
		case next.HintsTotal == 0:
		case next.HintsShown < next.HintsTotal:
			fmt.Fprintf(out, "Stuck? `tutor hint %d` shows hint %d of %d.\n", r.Lesson, next.HintsShown+1, next.HintsTotal)
		default:
			fmt.Fprintf(out, "You have seen all %d hints. `tutor solution %d` shows the reference solution.\n", next.HintsTotal, r.Lesson)
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// WriteJSON writes r as one JSON document: the lesson, whether it passed,
// and one object per test function with its name, status and message.
func WriteJSON(out io.Writer, r *Result) error { return EncodeJSON(out, r) }

// EncodeJSON writes v as indented JSON: the one format of every
// document the tutor prints for machines.
func EncodeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
