package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"socket2gateway/internal/lesson"
	"socket2gateway/internal/progress"
	"socket2gateway/internal/watch"
)

func (a *App) watchCommand() *cobra.Command {
	var poll, autoNext bool
	cmd := &cobra.Command{
		Use:   "watch [lesson]",
		Short: "Check your exercise again each time you save a file",
		Long: `Watch runs the checks of a lesson (default: your current lesson), then
again each time you save a file of its exercise. Keys while watching:

  h  the next hint
  l  the lesson list
  n  go on to the next lesson (once this one passes)
  q  quit (Ctrl-C works too)

It watches folders, so editors that save by renaming a new file over
the old one are seen. On file systems that send no change events
(WSL's /mnt, network mounts) it says so and polls instead; --poll
forces polling. --next moves on to the next lesson by itself when one
passes.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, _, err := a.lessonArg(args)
			if err != nil {
				return err
			}
			return a.watch(cmd.Context(), l, poll, autoNext)
		},
	}
	cmd.Flags().BoolVar(&poll, "poll", false, "poll for changes instead of asking for events")
	cmd.Flags().BoolVar(&autoNext, "next", false, "go on to the next lesson by itself when one passes")
	return cmd
}

func (a *App) watch(ctx context.Context, l *lesson.Lesson, poll, autoNext bool) error {
	keys, restore := a.keys(ctx)
	defer restore()
	for {
		next, err := a.watchLesson(ctx, l, poll, autoNext, keys)
		if err != nil || next == nil {
			return err
		}
		l = next
	}
}

// watchLesson watches one lesson until the learner quits (nil, nil) or
// moves on (the next lesson).
func (a *App) watchLesson(ctx context.Context, l *lesson.Lesson, poll, autoNext bool, keys <-chan byte) (*lesson.Lesson, error) {
	if err := a.update(func(s *progress.State) { s.Current = l.Slug }); err != nil {
		return nil, err
	}
	dir := a.wb.ExerciseDir(l)
	if !poll {
		if needs, fsType := watch.NeedsPolling(dir); needs {
			fmt.Fprintf(a.Out, "The exercise is on a %s file system, which sends no change events: watching by polling instead.\n", fsType)
			poll = true
		}
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	changes, err := watch.Watch(wctx, dir, watch.Options{Poll: poll})
	if err != nil {
		return nil, fail(ExitProblem, "Cannot watch %s: %v\nTry `tutor watch --poll`.", dir, err)
	}

	passed, err := a.checkLesson(ctx, l, checkMode{})
	if err != nil {
		return nil, err
	}
	for {
		next := a.nextLesson(l)
		if passed && autoNext && next != nil {
			fmt.Fprintf(a.Out, "\nOn to lesson %d, %s: read it with `tutor show %d`.\n\n", next.Number, next.Title, next.Number)
			return next, nil
		}
		a.watchFooter(l, passed, next)
		select {
		case <-ctx.Done():
			return nil, nil
		case _, ok := <-changes:
			if !ok {
				return nil, nil
			}
			fmt.Fprintf(a.Out, "\n%s\n", a.paint("2", "── "+a.Now().Format("15:04:05")+" saved: checking again ──"))
			if passed, err = a.checkLesson(ctx, l, checkMode{}); err != nil {
				return nil, err
			}
		case k, ok := <-keys:
			if !ok {
				keys = nil // no more input: watch until Ctrl-C
				continue
			}
			switch k {
			case 'q', 'Q', 4: // 4 is Ctrl-D
				fmt.Fprintln(a.Out, "Stopped watching.")
				return nil, nil
			case 'h', 'H':
				fmt.Fprintln(a.Out)
				if code := a.Run([]string{"hint", l.ID()}); code != ExitOK {
					return nil, silent(code)
				}
			case 'l', 'L':
				fmt.Fprintln(a.Out)
				a.Run([]string{"list"})
			case 'n', 'N':
				switch {
				case next == nil:
					fmt.Fprintln(a.Out, "This is the last lesson.")
				case !passed:
					fmt.Fprintf(a.Out, "Lesson %d does not pass yet; `tutor goto %d` skips ahead anyway.\n", l.Number, next.Number)
				default:
					fmt.Fprintf(a.Out, "\nOn to lesson %d, %s: read it with `tutor show %d`.\n\n", next.Number, next.Title, next.Number)
					return next, nil
				}
			}
		}
	}
}

func (a *App) watchFooter(l *lesson.Lesson, passed bool, next *lesson.Lesson) {
	keys := "h hint · l list · q quit"
	if passed && next != nil {
		keys = "n next lesson · " + keys
	}
	fmt.Fprintf(a.Out, "\n%s\n", a.paint("36", fmt.Sprintf("Watching exercises/%s: save a file to check again. Keys: %s", l.Slug, keys)))
}

// keys delivers the learner's key presses. On a terminal it switches
// the terminal to cbreak mode (keys arrive without Enter, unechoed;
// output is unchanged) and restore puts it back.
func (a *App) keys(ctx context.Context) (<-chan byte, func()) {
	ch := make(chan byte)
	restore := func() {}
	if a.In == nil {
		close(ch)
		return ch, restore
	}
	if f, ok := a.In.(*os.File); ok && a.InIsTTY {
		fd := int(f.Fd())
		if old, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			raw := *old
			raw.Lflag &^= unix.ICANON | unix.ECHO
			raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
			if unix.IoctlSetTermios(fd, unix.TCSETS, &raw) == nil {
				restore = func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }
			}
		}
	}
	go func() {
		defer close(ch)
		r := bufio.NewReader(a.In)
		for {
			b, err := r.ReadByte()
			if err != nil {
				if err != io.EOF {
					time.Sleep(10 * time.Millisecond)
				}
				return
			}
			select {
			case ch <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, restore
}
