package httpd

import (
	"context"
	"errors"
	"log"
	"os"
	"os/exec"
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

var errNotImplemented = errors.New("httpd: Master.Run is not written yet")

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
	// TODO: start m.Workers workers: cmd := m.Command(), then
	// cmd.ExtraFiles = m.Files, then cmd.Start(). Keep the live ones
	// in a map by PID.
	// TODO: give each a goroutine that calls cmd.Wait() (that reaps
	// it) and sends its PID, error and uptime on a channel.
	// TODO: loop on that channel and ctx.Done(): replace a worker
	// that exits; one that lived less than minUptime failed to start,
	// so wait before you replace it, longer after each failure in a
	// row, and give up with an error after maxFailures.
	// TODO: when ctx is done: SIGTERM to every worker, wait for them
	// until StopTimeout, SIGKILL the rest, wait for those too, and
	// return nil.
	return errNotImplemented
}
