package httpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Master keeps a fixed number of worker processes running, as the
// master process of gunicorn (its arbiter) does: it starts them,
// watches them, replaces those that die, and stops them all.
type Master struct {
	// Workers is how many worker processes to keep running, like
	// gunicorn's workers setting (and ForkingMixIn's max_children, a
	// bound on children at once).
	Workers int
	// Command returns the command of one new worker, not yet started.
	// Each call returns a new *exec.Cmd: a Cmd starts only once.
	Command func() *exec.Cmd
	// Files are passed to every worker: Files[0] becomes its fd 3,
	// Files[1] fd 4, and so on (exec.Cmd.ExtraFiles). In inherit mode
	// Files[0] is the listening socket. The master does not close them.
	Files []*os.File
	// StopTimeout bounds how long stopping waits for workers to exit
	// after SIGTERM; then the rest get SIGKILL. Zero means 10 seconds.
	StopTimeout time.Duration
	// Log receives a line for every worker started, exited or killed;
	// nil means no log.
	Log *log.Logger
}

// The restart policy. A worker that exits within minUptime of its
// start failed to start: it is restarted after a delay, firstDelay
// after the first such failure, doubling with each one in a row, up
// to maxDelay. A worker that ran longer is restarted at once, and
// resets the count. After maxFailures failures in a row, Run gives up.
const (
	minUptime   = time.Second
	firstDelay  = 100 * time.Millisecond
	maxDelay    = 5 * time.Second
	maxFailures = 10
)

// exited is what a worker's watcher reports when the worker is gone.
type exited struct {
	pid    int
	err    error         // from cmd.Wait: why it ended
	uptime time.Duration // from start to exit
}

// Run starts m.Workers workers and keeps that many running until ctx
// is done; then it stops them (SIGTERM, then SIGKILL after
// StopTimeout), reaps every one, and returns nil.
//
// Every worker is reaped: each has a goroutine of its own in cmd.Wait,
// which collects its exit status, so no worker stays a zombie. A
// worker that exits is replaced at once, or after a back-off delay if
// it failed to start (see minUptime). After maxFailures such failures
// in a row, Run stops the other workers and returns an error, as
// gunicorn halts when its workers fail to boot.
func (m *Master) Run(ctx context.Context) error {
	if m.Workers < 1 {
		return fmt.Errorf("httpd: Master.Workers is %d, want 1 or more",
			m.Workers)
	}
	logger := m.Log
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	live := map[int]*exec.Cmd{} // started, not yet reaped
	exits := make(chan exited)  // from the watchers
	var retry <-chan time.Time  // fires when pending may start
	pending, failures := 0, 0   // workers owed; quick deaths in a row

	start := func() error {
		cmd := m.Command()
		cmd.ExtraFiles = m.Files
		if err := cmd.Start(); err != nil {
			return err
		}
		pid, began := cmd.Process.Pid, time.Now()
		live[pid] = cmd
		logger.Printf("worker %d started", pid)
		go func() {
			err := cmd.Wait() // reaps it: no zombie
			exits <- exited{pid, err, time.Since(began)}
		}()
		return nil
	}
	// failed counts a worker that failed to start, and arms the
	// back-off timer for its replacement.
	failed := func() error {
		failures++
		if failures >= maxFailures {
			m.stop(live, exits, logger)
			return fmt.Errorf("httpd: %d workers failed to start "+
				"in a row; giving up", failures)
		}
		pending++
		if retry == nil {
			d := min(firstDelay<<(failures-1), maxDelay)
			logger.Printf("restarting in %v", d)
			retry = time.After(d)
		}
		return nil
	}
	// replace starts a worker; a Start that fails counts as a failure.
	replace := func() error {
		if err := start(); err != nil {
			logger.Printf("cannot start a worker: %v", err)
			return failed()
		}
		return nil
	}

	for range m.Workers {
		if err := replace(); err != nil {
			return err
		}
	}
	for {
		select {
		case <-ctx.Done():
			m.stop(live, exits, logger)
			return nil
		case e := <-exits:
			delete(live, e.pid)
			logger.Printf("worker %d exited after %v: %v", e.pid,
				e.uptime.Round(time.Millisecond), e.err)
			var err error
			if e.uptime < minUptime {
				err = failed()
			} else {
				failures = 0
				err = replace()
			}
			if err != nil {
				return err
			}
		case <-retry:
			retry = nil
			n := pending
			pending = 0
			for range n {
				if err := replace(); err != nil {
					return err
				}
			}
		}
	}
}

// stop sends SIGTERM to every live worker, waits for them to exit
// for up to StopTimeout, sends SIGKILL to the rest, and waits for
// those too: when it returns, every worker has been reaped.
func (m *Master) stop(live map[int]*exec.Cmd, exits <-chan exited,
	logger *log.Logger) {
	for _, cmd := range live {
		cmd.Process.Signal(syscall.SIGTERM)
	}
	timeout := m.StopTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	deadline := time.After(timeout)
	for len(live) > 0 {
		select {
		case e := <-exits:
			delete(live, e.pid)
			logger.Printf("worker %d stopped: %v", e.pid, e.err)
		case <-deadline:
			for pid, cmd := range live {
				logger.Printf("worker %d still running after %v: "+
					"SIGKILL", pid, timeout)
				if err := cmd.Process.Kill(); err != nil &&
					!errors.Is(err, os.ErrProcessDone) {
					logger.Printf("worker %d: %v", pid, err)
				}
			}
			deadline = nil // SIGKILL cannot be caught: just wait
		}
	}
}
