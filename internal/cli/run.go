package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"

	"socket2gateway/internal/lesson"
	"socket2gateway/internal/serve"
)

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
	if o.solution {
		who = "the reference solution"
	}
	if o.what == "" {
		fmt.Fprintf(a.Err, "Building lesson %d's server (%s)…\n", l.Number, who)
	}
	tmp, err := serve.TempDir()
	if err != nil {
		return fail(ExitProblem, "Could not make a temporary folder: %v", err)
	}
	defer os.RemoveAll(tmp)
	bin, err := serve.Build(ctx, w, l, o.solution, tmp)
	var be *serve.BuildError
	switch {
	case errors.Is(err, serve.ErrNoGo):
		return fail(ExitProblem, "The go command was not found. Run `tutor doctor`.")
	case errors.As(err, &be):
		fmt.Fprintf(a.Out, "The server does not compile:\n\n")
		for _, line := range be.Lines {
			fmt.Fprintf(a.Out, "    %s\n", line)
		}
		fmt.Fprintf(a.Out, "\nFix the first error above, then run `tutor run %d` again (`tutor check %d` tests it).\n", l.Number, l.Number)
		return silent(ExitFailed)
	case ctx.Err() != nil:
		return fail(ExitFailed, "Stopped.")
	case err != nil:
		return fail(ExitProblem, "The server could not be built: %v", err)
	}

	p, err := serve.Start(bin, w.Root, append([]string{"-addr", o.addr}, o.pass...), a.Out, a.Err)
	if err != nil {
		return fail(ExitFailed, "%s.", upperFirst(err.Error()))
	}
	defer p.Stop()

	host, port, _ := net.SplitHostPort(p.Addr)
	url := "http://" + p.Addr + "/"
	if o.what != "" {
		fmt.Fprintf(a.Out, "%s is at %s\n", o.what, a.paint("1", "http://"+p.Addr+o.path))
	} else {
		fmt.Fprintf(a.Out, "Lesson %d's server (%s) is listening on %s\n", l.Number, who, a.paint("1", url))
		if len(l.Run.Try) > 0 {
			fmt.Fprintln(a.Out, "Try it from another terminal:")
			r := strings.NewReplacer("{url}", url, "{addr}", p.Addr, "{host}", host, "{port}", port)
			for _, t := range l.Run.Try {
				fmt.Fprintf(a.Out, "  %s\n", r.Replace(t))
			}
		}
	}
	fmt.Fprintln(a.Out, "Press Ctrl-C to stop.")

	select {
	case <-ctx.Done():
		p.Stop()
		fmt.Fprintln(a.Out, "\nStopped.")
		return nil
	case <-p.Done():
		var ee *exec.ExitError
		if errors.As(p.Err(), &ee) {
			return fail(ExitFailed, "The server exited by itself (%v).", ee)
		}
		fmt.Fprintln(a.Out, "The server exited by itself.")
		return nil
	}
}
