// Package cli holds the tutor's commands, one file each. Commands write to
// the io.Writers the App is given, so they are tested without a terminal.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"socket2gateway/internal/lesson"
	"socket2gateway/internal/progress"
	"socket2gateway/internal/render"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1 // tests failed, verification failed, refused
	ExitUsage   = 2 // unknown command, flag or lesson
	ExitProblem = 3 // the workbook or the toolchain is not usable
)

// App is one run of the tutor.
type App struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// Term describes Out; the zero value means "not a terminal".
	Term render.Terminal
	// InIsTTY says whether In is an interactive terminal, so that
	// questions can be asked.
	InIsTTY bool
	// Dir is where the workbook is looked for.
	Dir string
	Now func() time.Time
	Ctx context.Context

	wb    *lesson.Workbook
	store *progress.Store
	in    *bufio.Reader
}

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// silent is an exit code whose message was already printed.
func silent(code int) error { return &exitError{code: code} }

// Main runs the tutor with args and returns the exit code.
func Main(args []string, stdin *os.File, stdout, stderr *os.File) int {
	wd, _ := os.Getwd()
	ctx, stop := signalContext()
	defer stop()
	a := &App{
		In: stdin, Out: stdout, Err: stderr,
		Term:    render.Detect(stdout),
		InIsTTY: render.Detect(stdin).IsTTY,
		Dir:     wd, Now: time.Now, Ctx: ctx,
	}
	return a.Run(args)
}

// Run runs one command line and returns the exit code.
func (a *App) Run(args []string) int {
	if a.Ctx == nil {
		a.Ctx = context.Background()
	}
	if a.Now == nil {
		a.Now = time.Now
	}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.In)
	root.SetOut(a.Out)
	root.SetErr(a.Err)
	err := root.ExecuteContext(a.Ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(a.Err, ee.msg)
		}
		return ee.code
	}
	// cobra's own errors: unknown command or flag, wrong arguments.
	msg := upperFirst(err.Error())
	if strings.HasPrefix(msg, "Unknown command") && len(args) > 0 {
		if s := root.SuggestionsFor(args[0]); len(s) > 0 {
			msg += fmt.Sprintf("\nDid you mean `tutor %s`?", s[0])
		}
	}
	fmt.Fprintf(a.Err, "%s\nRun `tutor --help` for the commands.\n", msg)
	return ExitUsage
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// workbook loads the workbook once.
func (a *App) workbook() (*lesson.Workbook, error) {
	if a.wb != nil {
		return a.wb, nil
	}
	root, err := lesson.FindRoot(a.Dir)
	if err != nil {
		return nil, fail(ExitProblem, "This is not inside the workbook: no %s was found here or above.\n"+
			"Run tutor from your clone of the workbook (or set TUTOR_ROOT to it).", lesson.ManifestPath)
	}
	w, err := lesson.Load(root)
	if err != nil {
		return nil, fail(ExitProblem, "The workbook's manifest is broken: %v", err)
	}
	a.wb = w
	a.store = progress.NewStore(root)
	return w, nil
}

// state loads the progress, printing any recovery warning.
func (a *App) state() (*progress.State, error) {
	if _, err := a.workbook(); err != nil {
		return nil, err
	}
	s, warn, err := a.store.Load()
	if warn != "" {
		fmt.Fprintf(a.Err, "Warning: %s\n", warn)
	}
	if err != nil {
		return nil, fail(ExitProblem, "Your progress could not be read: %v", err)
	}
	return s, nil
}

// update changes the progress and saves it atomically.
func (a *App) update(change func(*progress.State)) error {
	if _, err := a.workbook(); err != nil {
		return err
	}
	warn, err := a.store.Update(change)
	if warn != "" {
		fmt.Fprintf(a.Err, "Warning: %s\n", warn)
	}
	if err != nil {
		return fail(ExitProblem, "Your progress could not be saved: %v", err)
	}
	return nil
}

// current returns the learner's current lesson: the one chosen with goto,
// next or show, else the first lesson not yet passed, else the last.
func (a *App) current(s *progress.State) *lesson.Lesson {
	w := a.wb
	if s.Current != "" {
		if l, err := w.Find(s.Current); err == nil {
			return l
		}
	}
	for _, l := range w.Lessons {
		if !s.Peek(l.Slug).Done() {
			return l
		}
	}
	return w.Lessons[len(w.Lessons)-1]
}

// lessonArg resolves an optional lesson argument, defaulting to current.
func (a *App) lessonArg(args []string) (*lesson.Lesson, *progress.State, error) {
	w, err := a.workbook()
	if err != nil {
		return nil, nil, err
	}
	s, err := a.state()
	if err != nil {
		return nil, nil, err
	}
	if len(args) == 0 {
		return a.current(s), s, nil
	}
	l, err := w.Find(args[0])
	if err != nil {
		return nil, nil, fail(ExitUsage, "%s.", upperFirst(err.Error()))
	}
	return l, s, nil
}

// confirm asks a yes/no question; the answer is no unless the learner
// types y or yes. Without a terminal it returns false and says how to
// answer with a flag.
func (a *App) confirm(question, flag string) bool {
	if !a.InIsTTY {
		fmt.Fprintf(a.Err, "%s\nThere is no terminal to answer on: run again with %s to say yes.\n", question, flag)
		return false
	}
	fmt.Fprintf(a.Out, "%s [y/N] ", question)
	if a.in == nil {
		a.in = bufio.NewReader(a.In)
	}
	line, _ := a.in.ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// completeLessons offers lesson numbers and slugs to the shell.
func (a *App) completeLessons(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	w, err := a.workbook()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return w.IDs(), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}

func (a *App) color() bool {
	_, noColor := os.LookupEnv("NO_COLOR")
	return a.Term.IsTTY && !noColor
}

func (a *App) paint(code, text string) string {
	if !a.color() {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// nextLesson returns the lesson after l, or nil after the last.
func (a *App) nextLesson(l *lesson.Lesson) *lesson.Lesson {
	for i, o := range a.wb.Lessons {
		if o == l && i+1 < len(a.wb.Lessons) {
			return a.wb.Lessons[i+1]
		}
	}
	return nil
}

// howToStart prints the three steps of working on a lesson.
func (a *App) howToStart(l *lesson.Lesson) {
	fmt.Fprintf(a.Out, "  1. Read it:          tutor show %d\n", l.Number)
	fmt.Fprintf(a.Out, "  2. Edit:             exercises/%s/%s\n", l.Slug, strings.Join(l.Edit, ", "))
	fmt.Fprintf(a.Out, "  3. Check your work:  tutor check %d   (stuck? tutor hint %d)\n", l.Number, l.Number)
}
