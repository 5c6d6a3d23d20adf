package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"

	"socket2gateway/internal/lesson"
	"socket2gateway/internal/progress"
	"socket2gateway/internal/render"
)

func (a *App) solutionCommand() *cobra.Command {
	var yes, full bool
	cmd := &cobra.Command{
		Use:   "solution [lesson]",
		Short: "Show the reference solution (asks first if you have not passed)",
		Long: `Solution shows the reference solution of a lesson's exercise. Where you
have already written code, it shows what the solution does differently,
as a diff from your file (lines with - are yours, + the solution's);
--full shows the whole solution file instead.

If you have not passed the lesson yet, it asks before spoiling it;
--yes answers for you.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, s, err := a.lessonArg(args)
			if err != nil {
				return err
			}
			if !s.Peek(l.Slug).Done() && !yes {
				q := fmt.Sprintf("You have not passed lesson %d yet. Seeing the solution now spoils the exercise; hints (`tutor hint %d`) are gentler. Show it anyway?", l.Number, l.Number)
				if !a.confirm(q, "--yes") {
					fmt.Fprintln(a.Out, "Not shown. Keep going!")
					return silent(ExitFailed)
				}
			}
			var out strings.Builder
			for _, f := range l.Edit {
				sol, err := os.ReadFile(filepath.Join(a.wb.SolutionDir(l), f))
				if err != nil {
					return fail(ExitProblem, "The solution file %s is missing: %v", f, err)
				}
				mine, errMine := os.ReadFile(filepath.Join(a.wb.ExerciseDir(l), f))
				stub, _ := pristine(a.wb, l, f)
				untouched := errMine != nil || (stub != nil && bytes.Equal(mine, stub))
				if full || untouched || bytes.Equal(mine, sol) {
					fmt.Fprintf(&out, "%s\n\n%s\n", a.paint("1", "solutions/"+l.Slug+"/"+f), strings.TrimRight(string(sol), "\n"))
					continue
				}
				diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
					A: difflib.SplitLines(string(mine)), B: difflib.SplitLines(string(sol)),
					FromFile: "yours: exercises/" + l.Slug + "/" + f,
					ToFile:   "solution: solutions/" + l.Slug + "/" + f,
					Context:  3,
				})
				fmt.Fprintf(&out, "%s\n", a.paint("1", "What the solution does differently in "+f+" (- yours, + solution; --full for the whole file):"))
				out.WriteString(a.colorDiff(diff))
			}
			if err := a.update(func(st *progress.State) { st.Lesson(l.Slug).SolutionSeen = true }); err != nil {
				return err
			}
			return render.Page(out.String(), a.Out, a.Term, false)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&full, "full", false, "show the whole solution file, not a diff")
	return cmd
}

func (a *App) colorDiff(diff string) string {
	if !a.color() {
		return diff
	}
	lines := strings.SplitAfter(diff, "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			lines[i] = a.paint("1", strings.TrimRight(l, "\n")) + "\n"
		case strings.HasPrefix(l, "+"):
			lines[i] = a.paint("32", strings.TrimRight(l, "\n")) + "\n"
		case strings.HasPrefix(l, "-"):
			lines[i] = a.paint("31", strings.TrimRight(l, "\n")) + "\n"
		case strings.HasPrefix(l, "@@"):
			lines[i] = a.paint("36", strings.TrimRight(l, "\n")) + "\n"
		}
	}
	return strings.Join(lines, "")
}

// pristine returns the exercise file as the workbook shipped it, from git:
// the upstream branch the learner cloned (origin/HEAD, origin/main), or
// the last commit. It returns the ref it used.
func pristine(w *lesson.Workbook, l *lesson.Lesson, file string) ([]byte, string) {
	rel := "exercises/" + l.Slug + "/" + file
	for _, ref := range []string{"origin/HEAD", "origin/main", "HEAD"} {
		cmd := exec.Command("git", "show", ref+":"+rel)
		cmd.Dir = w.Root
		if out, err := cmd.Output(); err == nil {
			return out, ref
		}
	}
	return nil, ""
}
