package cli

import (
	"github.com/spf13/cobra"

	"socket2gateway/internal/progress"
	"socket2gateway/internal/render"
)

func (a *App) showCommand() *cobra.Command {
	var noPager bool
	var style string
	var width int
	cmd := &cobra.Command{
		Use:   "show [lesson]",
		Short: "Read a lesson (default: your current lesson)",
		Long: `Show renders a lesson in the terminal, through your pager ($PAGER, else
less) when the output is a terminal, as plain text when it is piped.

Naming a lesson makes it your current lesson. The colours follow your
terminal's background; --style (or $TUTOR_STYLE) overrides that, and
NO_COLOR turns colours off.`,
		Example:           "  tutor show\n  tutor show 2\n  tutor show raw-sockets --no-pager\n  tutor show 1 --style plain | less",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, _, err := a.lessonArg(args)
			if err != nil {
				return err
			}
			text, err := a.wb.Text(l)
			if err != nil && text == "" {
				return fail(ExitProblem, "Lesson %d cannot be shown: %v", l.Number, err)
			}
			st, err := render.ChooseStyle(style, a.Term)
			if err != nil {
				return fail(ExitUsage, "%s.", upperFirst(err.Error()))
			}
			if width == 0 {
				width = a.Term.Width
			}
			out, err := render.Markdown(text, st, width)
			if err != nil {
				return fail(ExitProblem, "Lesson %d cannot be rendered: %v", l.Number, err)
			}
			if len(args) == 1 {
				if err := a.update(func(s *progress.State) { s.Current = l.Slug }); err != nil {
					return err
				}
			}
			return render.Page(out, a.Out, a.Term, noPager)
		},
	}
	cmd.Flags().BoolVar(&noPager, "no-pager", false, "print the lesson instead of paging it")
	cmd.Flags().StringVar(&style, "style", "", "auto, dark, light or plain (default auto; $TUTOR_STYLE)")
	cmd.Flags().IntVar(&width, "width", 0, "wrap at this many columns (default: the terminal's width)")
	return cmd
}
