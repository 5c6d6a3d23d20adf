package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"socket2gateway/internal/progress"
	"socket2gateway/internal/render"
)

func (a *App) hintCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "hint [lesson]",
		Short: "Reveal the next hint for an exercise",
		Long: `Hint reveals one more hint for a lesson's exercise (default: your
current lesson), each a bigger step towards the answer, and shows the
ones you have already seen above it. What you have seen is remembered.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, s, err := a.lessonArg(args)
			if err != nil {
				return err
			}
			if len(l.Hints) == 0 {
				fmt.Fprintf(a.Out, "Lesson %d has no hints.\n", l.Number)
				return nil
			}
			shown := 0
			if p := s.Peek(l.Slug); p != nil {
				shown = p.Hints
			}
			fresh := false
			if shown < len(l.Hints) && !all {
				shown++
				fresh = true
				if err := a.update(func(st *progress.State) { st.Lesson(l.Slug).Hints = shown }); err != nil {
					return err
				}
			}
			if all {
				shown = len(l.Hints)
				if err := a.update(func(st *progress.State) { st.Lesson(l.Slug).Hints = shown }); err != nil {
					return err
				}
			}
			var md strings.Builder
			fmt.Fprintf(&md, "# Hints for lesson %d: %s\n\n", l.Number, l.Title)
			for i := 0; i < shown; i++ {
				label := fmt.Sprintf("Hint %d of %d", i+1, len(l.Hints))
				if fresh && i == shown-1 {
					label += " (new)"
				}
				fmt.Fprintf(&md, "## %s\n\n%s\n\n", label, strings.TrimSpace(l.Hints[i]))
			}
			st, err := render.ChooseStyle("", a.Term)
			if err != nil {
				st = render.Plain
			}
			out, err := render.Markdown(md.String(), st, a.Term.Width)
			if err != nil {
				out = md.String()
			}
			fmt.Fprint(a.Out, out)
			switch {
			case shown < len(l.Hints):
				fmt.Fprintf(a.Out, "%d more hint%s: run `tutor hint %d` again.\n", len(l.Hints)-shown, map[bool]string{true: "", false: "s"}[len(l.Hints)-shown == 1], l.Number)
			case !fresh:
				fmt.Fprintf(a.Out, "You have seen all %d hints. `tutor solution %d` shows the reference solution.\n", len(l.Hints), l.Number)
			default:
				fmt.Fprintf(a.Out, "That was the last hint. `tutor solution %d` shows the reference solution.\n", l.Number)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "reveal every hint at once")
	return cmd
}
