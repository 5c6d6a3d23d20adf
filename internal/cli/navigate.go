package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"socket2gateway/internal/lesson"
	"socket2gateway/internal/progress"
)

func (a *App) nextCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "next",
		Short: "Go on to the lesson after your current one",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cur, s, err := a.lessonArg(nil)
			if err != nil {
				return err
			}
			next := a.nextLesson(cur)
			if next == nil {
				fmt.Fprintf(a.Out, "Lesson %d is the last one. `tutor list` shows them all.\n", cur.Number)
				return nil
			}
			if !s.Peek(cur.Slug).Done() {
				fmt.Fprintf(a.Out, "Lesson %d is not passed yet; you can come back to it with `tutor goto %d`.\n", cur.Number, cur.Number)
			}
			return a.moveTo(next)
		},
	}
}

func (a *App) gotoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "goto lesson",
		Short: "Make a lesson your current lesson",
		Long: `Goto makes a lesson your current lesson, the one show, check and hint
use when you name none. Every lesson can be started on its own: each
exercise gives you working copies of what earlier lessons built.`,
		Example:           "  tutor goto 7\n  tutor goto threading-mixin",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, _, err := a.lessonArg(args)
			if err != nil {
				return err
			}
			return a.moveTo(l)
		},
	}
}

func (a *App) moveTo(l *lesson.Lesson) error {
	if err := a.update(func(s *progress.State) { s.Current = l.Slug }); err != nil {
		return err
	}
	fmt.Fprintf(a.Out, "You are now on lesson %d: %s (about %d minutes).\n\n", l.Number, l.Title, l.Minutes)
	a.howToStart(l)
	return nil
}
