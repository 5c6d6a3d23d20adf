package cli

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"socket2gateway/internal/check"
)

// finding is one line of the doctor's report.
type finding struct {
	ok       bool
	optional bool // missing it only affects some lessons
	what     string
	detail   string
	fix      string
}

func (a *App) doctorCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check that this machine has what the lessons need",
		Long: `Doctor checks the Go toolchain, cgo and a C compiler (for the race
detector), python3 (for the Python lessons), a free loopback port, and
the workbook itself, and says how to fix whatever is missing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			var fs []finding
			fs = append(fs, a.doctorGo(ctx))
			fs = append(fs, doctorRace(ctx))
			fs = append(fs, doctorPython(ctx))
			fs = append(fs, doctorLoopback())
			fs = append(fs, a.doctorWorkbook())
			bad := 0
			for _, f := range fs {
				mark := a.paint("32", "✓")
				if !f.ok {
					mark = a.paint("31", "✗")
					if f.optional {
						mark = a.paint("33", "!")
					} else {
						bad++
					}
				}
				fmt.Fprintf(a.Out, "%s %-22s %s\n", mark, f.what, f.detail)
				if !f.ok && f.fix != "" {
					fmt.Fprintf(a.Out, "  %s %s\n", strings.Repeat(" ", 22), "Fix: "+f.fix)
				}
			}
			if bad > 0 {
				fmt.Fprintf(a.Out, "\n%d problem%s to fix before the lessons can run.\n", bad, plural(bad))
				return silent(ExitProblem)
			}
			fmt.Fprintln(a.Out, "\nThis machine is ready. Run `tutor` to start.")
			return nil
		},
	}
}

func (a *App) doctorGo(ctx context.Context) finding {
	f := finding{what: "Go toolchain"}
	out, err := exec.CommandContext(ctx, "go", "version").Output()
	if err != nil {
		f.detail = "the go command was not found on PATH"
		f.fix = "install Go 1.26 or newer from https://go.dev/dl/ and put its bin folder on PATH"
		return f
	}
	v := strings.TrimSpace(string(out))
	f.detail = strings.TrimPrefix(v, "go version ")
	var major, minor int
	if fields := strings.Fields(v); len(fields) >= 3 {
		fmt.Sscanf(strings.TrimPrefix(fields[2], "go"), "%d.%d", &major, &minor)
	}
	if major < 1 || (major == 1 && minor < 26) {
		f.fix = "this workbook needs Go 1.26 or newer (go.mod says so); update from https://go.dev/dl/"
		return f
	}
	f.ok = true
	return f
}

func doctorRace(ctx context.Context) finding {
	f := finding{what: "race detector", optional: true}
	ok, why := check.RaceAvailable(ctx)
	if ok {
		f.ok, f.detail = true, "cgo and a C compiler are available"
		return f
	}
	f.detail = why
	f.fix = "lessons marked for it will run without -race until then"
	if runtime.GOOS == "linux" {
		f.fix = "apt-get install gcc (Debian/Ubuntu) or your system's C compiler; " + f.fix
	}
	return f
}

func doctorPython(ctx context.Context) finding {
	f := finding{what: "python3", optional: true}
	out, err := exec.CommandContext(ctx, "python3", "--version").CombinedOutput()
	if err != nil {
		f.detail = "not found: the Python gateway lessons will skip their tests"
		f.fix = "install Python 3.9 or newer (Debian: apt-get install python3)"
		return f
	}
	f.ok, f.detail = true, strings.TrimSpace(string(out))
	return f
}

func doctorLoopback() finding {
	f := finding{what: "loopback port"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.detail = "cannot listen on 127.0.0.1: " + err.Error()
		f.fix = "the tests serve on 127.0.0.1; check that the loopback interface is up and no sandbox forbids listening"
		return f
	}
	defer ln.Close()
	f.ok, f.detail = true, "127.0.0.1 gave a free port ("+ln.Addr().String()+")"
	return f
}

func (a *App) doctorWorkbook() finding {
	f := finding{what: "workbook"}
	w, err := a.workbook()
	if err != nil {
		f.detail = err.Error()
		f.fix = "run tutor inside your clone of the workbook"
		return f
	}
	f.ok, f.detail = true, fmt.Sprintf("%d lessons in %s", len(w.Lessons), w.Root)
	return f
}
