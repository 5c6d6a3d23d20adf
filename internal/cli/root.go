package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"socket2gateway/internal/picker"
	"socket2gateway/internal/progress"
)

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func (a *App) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tutor",
		Short: "Read the lessons of From Socket to Gateway and check your exercises",
		Long: `tutor guides you through From Socket to Gateway, a workbook that builds,
in Go, the stack from a raw socket to a gateway server hosting Python
WSGI applications.

Run it with no command to see where you stand. The usual loop is:

  tutor show      read the current lesson
  tutor check     run the tests on your exercise
  tutor hint      one more hint, when stuck
  tutor next      go on to the next lesson

A lesson is named by its number (3) or its name (03-reading-a-request,
reading-a-request). Commands that take one default to your current
lesson.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.Term.IsTTY && a.InIsTTY {
				return a.pick()
			}
			return a.greet()
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.AddCommand(
		a.listCommand(),
		a.showCommand(),
		a.checkCommand(),
		a.hintCommand(),
		a.solutionCommand(),
		a.resetCommand(),
		a.nextCommand(),
		a.gotoCommand(),
		a.runCommand(),
		a.statusCommand(),
		a.watchCommand(),
		a.bookCommand(),
		a.benchCommand(),
		a.netHTTPCommand(),
		a.verifyCommand(),
		a.doctorCommand(),
	)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fail(ExitUsage, "%s\nRun `%s --help` for its flags.", upperFirst(err.Error()), c.CommandPath())
	})
	return root
}

// pick shows the lesson picker and runs what the learner chose.
func (a *App) pick() error {
	w, err := a.workbook()
	if err != nil {
		return err
	}
	s, err := a.state()
	if err != nil {
		return err
	}
	cur := a.current(s)
	items := make([]picker.Item, len(w.Lessons))
	done := 0
	for i, l := range w.Lessons {
		status := s.Peek(l.Slug).Status()
		if status == progress.StatusDone {
			done++
		}
		items[i] = picker.Item{Number: l.Number, Name: l.Title, Part: l.Part, Minutes: l.Minutes,
			Status: strings.ReplaceAll(status, "-", " "), Current: l == cur}
	}
	title := fmt.Sprintf("From Socket to Gateway · %d of %d lessons done", done, len(w.Lessons))
	choice, err := picker.Run(items, title, a.In, a.Out)
	if err != nil {
		// No usable terminal after all: fall back to the plain greeting.
		return a.greet()
	}
	if choice.Command == "" {
		return nil
	}
	if code := a.Run([]string{choice.Command, strconv.Itoa(choice.Lesson)}); code != ExitOK {
		return silent(code)
	}
	return nil
}

// greet tells the learner where they stand and what to do next.
func (a *App) greet() error {
	w, err := a.workbook()
	if err != nil {
		return err
	}
	s, err := a.state()
	if err != nil {
		return err
	}
	done := 0
	for _, l := range w.Lessons {
		if s.Peek(l.Slug).Done() {
			done++
		}
	}
	cur := a.current(s)
	fmt.Fprintln(a.Out, a.paint("1", "From Socket to Gateway"))
	fmt.Fprintln(a.Out, "Build, in Go, the stack from a raw socket to a gateway server.")
	fmt.Fprintln(a.Out)
	switch {
	case done == 0 && s.Peek(cur.Slug) == nil:
		fmt.Fprintf(a.Out, "Welcome! There are %d lessons; you start with lesson %d, %s.\n\n", len(w.Lessons), cur.Number, cur.Title)
	case done == len(w.Lessons):
		fmt.Fprintf(a.Out, "You have passed all %d lessons. `tutor list` shows them all; any can be redone.\n", done)
		return nil
	case s.Peek(cur.Slug).Done() && a.nextLesson(cur) != nil:
		next := a.nextLesson(cur)
		fmt.Fprintf(a.Out, "You have passed %d of %d lessons.\n", done, len(w.Lessons))
		fmt.Fprintf(a.Out, "You passed lesson %d. Run `tutor next` to go on to lesson %d, %s.\n", cur.Number, next.Number, next.Title)
		return nil
	default:
		fmt.Fprintf(a.Out, "You have passed %d of %d lessons. You are on lesson %d, %s.\n\n", done, len(w.Lessons), cur.Number, cur.Title)
	}
	a.howToStart(cur)
	fmt.Fprintln(a.Out)
	fmt.Fprintln(a.Out, "`tutor list` shows every lesson; `tutor --help` every command.")
	return nil
}
