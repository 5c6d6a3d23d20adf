package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"socket2gateway/internal/check"
	"socket2gateway/internal/lesson"
	"socket2gateway/internal/verify"
)

func (a *App) verifyCommand() *cobra.Command {
	var parallel int
	cmd := &cobra.Command{
		Use:   "verify [lesson...]",
		Short: "For maintainers: prove every stub fails and every solution passes",
		Long: `Verify checks every lesson (or the ones named): the lesson text, its
diagrams, hints and test table exist and agree with the code; the files
an exercise gives are identical in its solution; every test function
fails against the untouched stub, except the baselines the manifest
names; every test passes against the reference solution.

It prints a table and every problem found, and exits non-zero if there
is any. It runs the tests of the workbook as shipped: run it on a clean
checkout, not on your own exercise work.`,
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := a.workbook()
			if err != nil {
				return err
			}
			ls := w.Lessons
			if len(args) > 0 {
				ls = nil
				for _, id := range args {
					l, err := w.Find(id)
					if err != nil {
						return fail(ExitUsage, "%s.", upperFirst(err.Error()))
					}
					ls = append(ls, l)
				}
			}
			race, why := check.RaceAvailable(cmd.Context())
			fmt.Fprintf(a.Err, "Verifying %d lesson%s (stub and solution each)…\n", len(ls), plural(len(ls)))
			reports := verify.Lessons(cmd.Context(), w, ls, verify.Options{Parallel: parallel, Race: race && anyRace(ls)})
			if cmd.Context().Err() != nil {
				return fail(ExitFailed, "Stopped.")
			}
			if !race && anyRace(ls) {
				why = "race detector unavailable: " + why
			} else {
				why = ""
			}
			ok := verify.Write(a.Out, reports, why)
			if gaps := w.Gaps(); len(args) == 0 && len(gaps) > 0 {
				fmt.Fprintf(a.Out, "Note: the manifest has no lesson %v yet (being written).\n", gaps)
			}
			if !ok {
				return silent(ExitFailed)
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&parallel, "parallel", "p", 2, "test runs at once")
	return cmd
}

func anyRace(ls []*lesson.Lesson) bool {
	for _, l := range ls {
		if l.Race {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
