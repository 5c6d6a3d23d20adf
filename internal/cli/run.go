package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"socket2gateway/internal/check"
	"socket2gateway/internal/lesson"
)

// ListeningPrefix starts the first line a lesson's server prints on
// stdout: "listening on 127.0.0.1:8080".
const ListeningPrefix = "listening on "

const runHelp = `Run starts a lesson's server: your code in exercises/, or the reference
solution with --solution. It listens on 127.0.0.1 and a free port unless
--addr says otherwise, prints the URL and a request to try, and runs
until you press Ctrl-C.

Flags tutor does not know are passed on to the lesson's server, so a
lesson can offer its own (tutor run 7 --strategy sync).

Flags:
      --solution     run the reference solution instead of your code
      --addr string  address to listen on (default "127.0.0.1:0")
  -h, --help         help for run`

func (a *App) runCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:                "run [lesson] [--solution] [--addr HOST:PORT] [server flags]",
		Short:              "Start a lesson's server (your code, or the solution)",
		Long:               runHelp,
		Example:            "  tutor run 5\n  tutor run 5 --solution --addr 127.0.0.1:8080",
		DisableFlagParsing: true,
		ValidArgsFunction:  a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			var id, addr string
			var solution bool
			var pass []string
			for i := 0; i < len(args); i++ {
				arg := args[i]
				switch {
				case arg == "-h" || arg == "--help":
					fmt.Fprintf(a.Out, "%s\n\nUsage:\n  %s\n\nExamples:\n%s\n", runHelp, cmd.UseLine(), cmd.Example)
					return nil
				case arg == "--solution":
					solution = true
				case arg == "--addr" && i+1 < len(args):
					addr = args[i+1]
					i++
				case strings.HasPrefix(arg, "--addr="):
					addr = strings.TrimPrefix(arg, "--addr=")
				case arg == "--addr":
					return fail(ExitUsage, "--addr needs an address, like --addr 127.0.0.1:8080.")
				case !strings.HasPrefix(arg, "-") && id == "" && len(pass) == 0:
					id = arg
				default:
					pass = append(pass, arg)
				}
			}
			var ids []string
			if id != "" {
				ids = []string{id}
			}
			l, _, err := a.lessonArg(ids)
			if err != nil {
				return err
			}
			if addr == "" {
				addr = "127.0.0.1:0"
			}
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return fail(ExitUsage, "--addr %q is not HOST:PORT (for example 127.0.0.1:8080).", addr)
			}
			return a.serve(cmd.Context(), l, serveOpts{solution: solution, addr: addr, pass: pass})
		},
	}
	return cmd
}

// serveOpts say how serve starts a lesson's server.
type serveOpts struct {
	solution bool     // the reference solution, not the learner's code
	addr     string   // -addr for the server
	pass     []string // more flags for the server
	// what names the server in the banner; path is the URL path to
	// print. Both default to the lesson's server and "/".
	what, path string
}

func (a *App) serve(ctx context.Context, l *lesson.Lesson, o serveOpts) error {
	solution, addr, pass := o.solution, o.addr, o.pass
	w := a.wb
	if l.Run == nil || l.Run.Package == "" {
		var with []string
		for _, o := range w.Lessons {
			if o.Run != nil && o.Run.Package != "" {
				with = append(with, o.ID())
			}
		}
		msg := fmt.Sprintf("Lesson %d has no server to run.", l.Number)
		if len(with) > 0 {
			msg += fmt.Sprintf(" These lessons have one: %s.", strings.Join(with, ", "))
		}
		return fail(ExitUsage, "%s", msg)
	}
	who := "your code"
	if solution {
		who = "the reference solution"
	}
	if o.what == "" {
		fmt.Fprintf(a.Err, "Building lesson %d's server (%s)…\n", l.Number, who)
	}

	tmp, err := os.MkdirTemp("", "tutor-run-*")
	if err != nil {
		return fail(ExitProblem, "Could not make a temporary folder: %v", err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "serve")
	args := []string{"build", "-o", bin}
	if solution {
		overlay, cleanup, err := check.WriteOverlay(w, l)
		if err != nil {
			return fail(ExitProblem, "%v", err)
		}
		defer cleanup()
		args = append(args, "-overlay", overlay)
	}
	args = append(args, "./"+l.Slug+"/"+strings.TrimPrefix(l.Run.Package, "./"))
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = w.ExerciseModule()
	var buildOut bytes.Buffer
	build.Stdout, build.Stderr = &buildOut, &buildOut
	if err := build.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fail(ExitProblem, "The go command was not found. Run `tutor doctor`.")
		}
		if ctx.Err() != nil {
			return fail(ExitFailed, "Stopped.")
		}
		fmt.Fprintf(a.Out, "The server does not compile:\n\n")
		for _, line := range strings.Split(strings.TrimSpace(buildOut.String()), "\n") {
			if strings.HasPrefix(line, "# ") {
				continue
			}
			line = strings.ReplaceAll(line, w.Root+string(filepath.Separator), "")
			if strings.HasPrefix(line, l.Slug+"/") {
				line = "exercises/" + line
			}
			fmt.Fprintf(a.Out, "    %s\n", line)
		}
		fmt.Fprintf(a.Out, "\nFix the first error above, then run `tutor run %d` again (`tutor check %d` tests it).\n", l.Number, l.Number)
		return silent(ExitFailed)
	}

	srv := exec.Command(bin, append([]string{"-addr", addr}, pass...)...)
	srv.Dir = w.Root
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	srv.Stderr = a.Err
	if err := srv.Start(); err != nil {
		return fail(ExitProblem, "The server could not start: %v", err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first {
				lines <- sc.Text()
				first = false
				continue
			}
			fmt.Fprintln(a.Out, sc.Text())
		}
		if first {
			close(lines)
		}
		exited <- srv.Wait()
	}()
	stop := func() {
		_ = syscall.Kill(-srv.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}

	var listening string
	select {
	case line, ok := <-lines:
		if !ok || !strings.HasPrefix(line, ListeningPrefix) {
			stop()
			if !ok {
				return fail(ExitFailed, "The server stopped before it was listening (see its messages above).")
			}
			return fail(ExitFailed, "The server's first line should say %q, but it said %q.", ListeningPrefix+"HOST:PORT", line)
		}
		listening = strings.TrimSpace(strings.TrimPrefix(line, ListeningPrefix))
	case <-time.After(15 * time.Second):
		stop()
		return fail(ExitFailed, "The server did not say it was listening within 15 seconds, so it was stopped.")
	case <-ctx.Done():
		stop()
		return nil
	}

	host, port, _ := net.SplitHostPort(listening)
	url := "http://" + listening + "/"
	if o.what != "" {
		fmt.Fprintf(a.Out, "%s is at %s\n", o.what, a.paint("1", "http://"+listening+o.path))
	} else {
		fmt.Fprintf(a.Out, "Lesson %d's server (%s) is listening on %s\n", l.Number, who, a.paint("1", url))
	}
	if len(l.Run.Try) > 0 && o.what == "" {
		fmt.Fprintln(a.Out, "Try it from another terminal:")
		r := strings.NewReplacer("{url}", url, "{addr}", listening, "{host}", host, "{port}", port)
		for _, t := range l.Run.Try {
			fmt.Fprintf(a.Out, "  %s\n", r.Replace(t))
		}
	}
	fmt.Fprintln(a.Out, "Press Ctrl-C to stop.")

	select {
	case <-ctx.Done():
		stop()
		fmt.Fprintln(a.Out, "\nStopped.")
		return nil
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fail(ExitFailed, "The server exited by itself (%v).", ee)
		}
		if err != nil {
			return fail(ExitFailed, "The server stopped: %v", err)
		}
		fmt.Fprintln(a.Out, "The server exited by itself.")
		return nil
	}
}
