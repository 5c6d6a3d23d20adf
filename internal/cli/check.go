package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"socket2gateway/internal/check"
	"socket2gateway/internal/lesson"
	"socket2gateway/internal/progress"
)

func (a *App) checkCommand() *cobra.Command {
	var asJSON, verbose, solution, all bool
	cmd := &cobra.Command{
		Use:   "check [lesson]",
		Short: "Run the tests on your exercise and explain the result",
		Long: `Check runs the tests of a lesson's exercise (default: your current
lesson) on your code in exercises/, and reports each behaviour: passed,
or failed with what the test expected and got and where in the lesson to
read about it. Code that does not compile is shown as file:line
messages. A test still running at the lesson's time limit is stopped,
with everything it started, and named.

The exit status is 0 only when every test passes; then the lesson is
marked done. --json prints one JSON document, with one object per test
(name, status, message), for autograders.

--all checks every lesson in turn and prints a summary table; with
--json it prints one document for the whole class dashboard: every
lesson's result and a score (tests passed of all tests).`,
		Example:           "  tutor check\n  tutor check 2\n  tutor check 2 --json\n  tutor check --all --json > results.json",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			if all {
				if len(args) > 0 {
					return fail(ExitUsage, "--all checks every lesson: name no lesson with it.")
				}
				return a.checkAll(cmd, asJSON)
			}
			l, _, err := a.lessonArg(args)
			if err != nil {
				return err
			}
			passed, err := a.checkLesson(cmd.Context(), l, checkMode{json: asJSON, verbose: verbose, solution: solution})
			if err != nil {
				return err
			}
			if !passed {
				return silent(ExitFailed)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON, one object per test")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show every line of every failure")
	cmd.Flags().BoolVar(&solution, "solution", false, "test the reference solution instead (for maintainers)")
	cmd.Flags().BoolVar(&all, "all", false, "check every lesson and print a summary (with --json: one document)")
	return cmd
}

// AllResults is the document `tutor check --all --json` prints.
type AllResults struct {
	Passed bool `json:"passed"`
	// Score counts passing tests of all tests, over every lesson.
	Score    int             `json:"score"`
	MaxScore int             `json:"max_score"`
	Lessons  []*check.Result `json:"lessons"`
}

func (a *App) checkAll(cmd *cobra.Command, asJSON bool) error {
	w, err := a.workbook()
	if err != nil {
		return err
	}
	raceOK, _ := check.RaceAvailable(cmd.Context())
	doc := AllResults{Passed: true}
	for _, l := range w.Lessons {
		if !asJSON {
			fmt.Fprintf(a.Err, "Checking lesson %d of %d: %s…\n", l.Number, len(w.Lessons), l.Title)
		}
		r, err := check.Run(cmd.Context(), w, l, check.Options{Race: raceOK && l.Race})
		if errors.Is(err, check.ErrNoGo) {
			return fail(ExitProblem, "The go command was not found, so the tests cannot run. Run `tutor doctor`.")
		}
		if r == nil || cmd.Context().Err() != nil {
			return fail(ExitFailed, "Stopped: %v", err)
		}
		passed := r.Passed
		if err := a.update(func(st *progress.State) { st.RecordCheck(l.Slug, passed, a.Now()) }); err != nil {
			return err
		}
		doc.Lessons = append(doc.Lessons, r)
		doc.Passed = doc.Passed && r.Passed
		doc.Score += r.Counts()[check.Pass]
		doc.MaxScore += len(r.Tests)
		if len(r.Tests) == 0 { // did not compile: count its tests as failed
			if fs, err := check.TestFunctions(w.ExerciseDir(l)); err == nil {
				doc.MaxScore += len(fs)
			}
		}
	}
	if asJSON {
		if err := check.EncodeJSON(a.Out, doc); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(a.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tLESSON\tRESULT\tPASSING")
		for _, r := range doc.Lessons {
			result := "pass"
			switch {
			case len(r.BuildErrors) > 0:
				result = "does not compile"
			case !r.Passed:
				result = "fail"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\n", r.Lesson, r.Title, result, r.Counts()[check.Pass], len(r.Tests))
		}
		tw.Flush()
		fmt.Fprintf(a.Out, "\nScore: %d of %d tests pass. `tutor check N` explains any lesson.\n", doc.Score, doc.MaxScore)
	}
	if !doc.Passed {
		return silent(ExitFailed)
	}
	return nil
}

type checkMode struct{ json, verbose, solution bool }

// checkLesson runs one lesson's tests, records the result in the progress
// (unless it tested the solution) and prints the report.
func (a *App) checkLesson(ctx context.Context, l *lesson.Lesson, mode checkMode) (passed bool, err error) {
	race, raceWhy := false, ""
	if l.Race {
		race, raceWhy = check.RaceAvailable(ctx)
	}
	if !mode.json {
		what := "your code"
		if mode.solution {
			what = "the reference solution"
		}
		fmt.Fprintf(a.Err, "Testing %s for lesson %d (limit %s)…\n", what, l.Number, l.TimeoutDuration())
	}
	opts := check.Options{Solution: mode.solution, Race: race}
	if !mode.json {
		opts.Slow = func() {
			fmt.Fprintln(a.Err, "Still compiling: the first check of a lesson builds its packages (with -race, the race runtime too), which can take a minute. Later checks are quick.")
		}
	}
	r, err := check.Run(ctx, a.wb, l, opts)
	switch {
	case errors.Is(err, check.ErrNoGo):
		return false, fail(ExitProblem, "The go command was not found, so the tests cannot run. Install Go (https://go.dev/dl/) and run `tutor doctor`.")
	case r == nil && err != nil:
		return false, fail(ExitProblem, "The tests could not be run: %v", err)
	case err != nil: // interrupted
		return false, fail(ExitFailed, "Stopped: the tests were interrupted and everything they started was stopped.")
	}
	var s *progress.State
	if !mode.solution {
		// The lesson checked is the one being worked on: `tutor next`
		// then goes on from it.
		if err := a.update(func(st *progress.State) {
			st.RecordCheck(l.Slug, r.Passed, a.Now())
			st.Current = l.Slug
			s = st
		}); err != nil {
			return false, err
		}
	}
	if mode.json {
		return r.Passed, check.WriteJSON(a.Out, r)
	}
	next := check.Next{HintsTotal: len(l.Hints), RaceNote: raceWhy}
	if s != nil {
		if p := s.Peek(l.Slug); p != nil {
			next.HintsShown = p.Hints
		}
	}
	if n := a.nextLesson(l); n != nil {
		next.NextLesson = fmt.Sprintf("%d, %s", n.Number, n.Title)
	}
	style := check.Style{Color: a.color()}
	if mode.verbose {
		style.MaxLines = 1 << 20
	}
	check.WriteText(a.Out, r, next, style)
	return r.Passed, nil
}
