// Package serve builds a lesson's server program (the learner's code or,
// through an overlay, the reference solution) and starts it as a process
// of its own, waiting for the line it prints first:
// "listening on HOST:PORT".
package serve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"socket2gateway/internal/check"
	"socket2gateway/internal/lesson"
)

// ListeningPrefix starts the first line a lesson's server prints on
// stdout: "listening on 127.0.0.1:8080".
const ListeningPrefix = "listening on "

// ErrNoGo is returned when the go command cannot be found.
var ErrNoGo = errors.New("serve: the go command was not found")

// BuildError is a server that does not compile; Lines are the compiler's
// messages, paths relative to the workbook.
type BuildError struct{ Lines []string }

func (e *BuildError) Error() string { return "serve: build failed:\n" + strings.Join(e.Lines, "\n") }

// Build compiles the lesson's server program (the package its manifest
// names in [lesson.run]) into dir and returns the binary's path.
func Build(ctx context.Context, w *lesson.Workbook, l *lesson.Lesson, solution bool, dir string) (string, error) {
	if l.Run == nil || l.Run.Package == "" {
		return "", fmt.Errorf("serve: lesson %d has no server", l.Number)
	}
	return BuildPackage(ctx, w, l, solution, l.Run.Package, dir)
}

// BuildPackage compiles the main package pkg of the lesson's exercise
// (a folder relative to it, like "cmd/load") into dir.
func BuildPackage(ctx context.Context, w *lesson.Workbook, l *lesson.Lesson, solution bool, pkg, dir string) (string, error) {
	bin := filepath.Join(dir, l.Slug+"-"+filepath.Base(pkg))
	if solution {
		bin += "-solution"
	}
	args := []string{"build", "-o", bin}
	if solution {
		overlay, cleanup, err := check.WriteOverlay(w, l)
		if err != nil {
			return "", err
		}
		defer cleanup()
		args = append(args, "-overlay", overlay)
	}
	args = append(args, "./"+l.Slug+"/"+strings.TrimPrefix(pkg, "./"))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = w.ExerciseModule()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", ErrNoGo
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var lines []string
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if strings.HasPrefix(line, "# ") {
				continue
			}
			line = strings.ReplaceAll(line, w.Root+string(filepath.Separator), "")
			if strings.HasPrefix(line, l.Slug+"/") {
				line = "exercises/" + line
			}
			lines = append(lines, line)
		}
		return "", &BuildError{Lines: lines}
	}
	return bin, nil
}

// Process is a running server.
type Process struct {
	// Addr is the address it listens on.
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's result, set before done is closed
	once sync.Once
}

// Start runs bin with args in its own process group, in dir, and waits
// up to 15 seconds for its "listening on" line. The rest of its stdout
// goes to out, its stderr to errOut (either may be nil).
func Start(bin, dir string, args []string, out, errOut io.Writer) (*Process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if errOut == nil {
		errOut = io.Discard
	}
	if out == nil {
		out = io.Discard
	}
	cmd.Stderr = errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("serve: starting %s: %w", filepath.Base(bin), err)
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		for sc.Scan() {
			fmt.Fprintln(out, sc.Text())
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	select {
	case line, ok := <-first:
		if !ok {
			p.Stop()
			return nil, errors.New("the server stopped before it was listening")
		}
		if !strings.HasPrefix(line, ListeningPrefix) {
			p.Stop()
			return nil, fmt.Errorf("the server's first line should say %q, but it said %q", ListeningPrefix+"HOST:PORT", line)
		}
		p.Addr = strings.TrimSpace(strings.TrimPrefix(line, ListeningPrefix))
		return p, nil
	case <-time.After(15 * time.Second):
		p.Stop()
		return nil, errors.New("the server did not say it was listening within 15 seconds, so it was stopped")
	}
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err returns how the process exited, once Done is closed.
func (p *Process) Err() error { return p.err }

// Stop sends SIGTERM to the server's process group, waits up to five
// seconds, then kills what is left. It is safe to call more than once.
func (p *Process) Stop() {
	p.once.Do(func() {
		pgid := -p.cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			<-p.done
		}
		_ = syscall.Kill(pgid, syscall.SIGKILL) // stragglers in the group
	})
}

// TempDir makes a folder for built binaries; the caller removes it.
func TempDir() (string, error) { return os.MkdirTemp("", "tutor-serve-*") }
