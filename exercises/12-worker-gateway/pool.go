package httpd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// This file is yours: the pool of workers. The protocol's codec
// (protocol.go), the worker (worker/worker.py), Abort (abort.go) and
// lesson 5's server are given. Work in the order of the lesson, one
// // TODO: at a time: spawn and New; exchange and ServeHTTP (a request
// in, a response out, streamed); the abort paths; reap, release and
// fill (dead workers, max_requests, crash loops); Scale; Shutdown.

// errNotImplemented is what the stubs return until you write them.
var errNotImplemented = errors.New(
	"gateway: not implemented yet: write pool.go (tutor hint 12)")

// Config says which app a Pool runs, and how.
type Config struct {
	// App names the WSGI application: "FILE.py:CALLABLE" or
	// "MODULE:CALLABLE", as the worker's command line takes it. A
	// relative FILE or a MODULE is found from Dir.
	App string
	// Dir is the workers' working directory; "" means the server's.
	Dir string
	// Workers is how many workers New starts; 0 means 1.
	Workers int
	// MaxRequests is how many requests a worker serves before it is
	// replaced by a fresh one (gunicorn's max_requests); 0 means no
	// limit.
	MaxRequests int
	// Python is the interpreter; "" means "python3" from PATH.
	Python string
	// BootTimeout bounds how long a worker may take to load the app;
	// 0 means 30 seconds.
	BootTimeout time.Duration
	// QueueTimeout bounds how long a request waits for a free worker
	// before it is answered 503; 0 means 30 seconds.
	QueueTimeout time.Duration
	// ErrorLog receives what the workers write to stdout and stderr
	// (tracebacks, print) and the pool's own events; nil means the
	// log package's standard logger.
	ErrorLog *log.Logger
}

// MaxWorkers bounds the size of a pool.
const MaxWorkers = 64

// ErrStopped is returned by Scale, and by New's workers, once
// Shutdown has begun.
var ErrStopped = errors.New("gateway: the pool is stopping")

// errNoWorker is acquire's error when no worker frees up in time.
var errNoWorker = errors.New("gateway: no free worker")

// Timeouts of the pool's own.
const (
	// abortTimeout bounds the wait for a worker to end a response it
	// was told to abort; a worker that takes longer is killed.
	abortTimeout = 5 * time.Second
	// stopTimeout bounds the wait for a retired worker to exit once
	// its pipe is closed; then it is killed.
	stopTimeout = 10 * time.Second
	// maxBackoff bounds the wait between two tries to start a worker
	// when starting keeps failing.
	maxBackoff = 5 * time.Second
)

// Pool runs a WSGI app in long-lived Python worker processes and
// serves requests with them: it is a Handler. A worker serves one
// request at a time; a request waits for a free worker.
//
// Workers that die are replaced, and the request a worker died on is
// answered 502 (or aborted, if its response had begun). Workers are
// recycled after Config.MaxRequests requests. Scale changes the number
// of workers while the pool runs; Shutdown stops it gracefully, Close
// at once. Every worker process is reaped: none outlives the pool.
type Pool struct {
	cfg    Config
	script string        // path of worker.py
	idle   chan *worker  // workers waiting for a request
	stop   chan struct{} // closed when Shutdown begins
	multi  atomic.Bool   // more than one worker wanted: multiprocess

	mu       sync.Mutex
	workers  map[*worker]struct{} // in service, idle or busy; guarded by mu
	procs    map[*worker]struct{} // every process not yet reaped; guarded by mu
	want     int                  // the size asked for; guarded by mu
	starting int                  // workers being started; guarded by mu
	failures int                  // failed starts in a row; guarded by mu
	stopping bool                 // guarded by mu
	// wg counts goroutines the pool started: reapers, log readers,
	// replacements. Add only under mu while !stopping.
	wg sync.WaitGroup
}

// worker is one Python worker process and the pipes to it.
type worker struct {
	pid     int
	cmd     *exec.Cmd
	inFile  *os.File      // the server's end of fd 3
	in      *bufio.Writer // frames to the worker
	outFile *os.File      // the server's end of fd 4
	out     *bufio.Reader // frames from the worker
	exited  chan struct{} // closed once the process is reaped

	// Used only by the goroutine that holds the worker.
	served int    // requests served
	buf    []byte // frames read
	env    []byte // the environ being encoded
	chunk  []byte // request body being copied

	closeOnce sync.Once
	mu        sync.Mutex
	reaped    bool        // guarded by mu
	timer     *time.Timer // kills a retired worker; guarded by mu
}

// New starts cfg.Workers workers and returns once each has loaded the
// app. If a worker cannot start (python3 is missing, the app does not
// import), New stops the others and returns the error, which says why
// (the Python exception, whose traceback is in the log).
func New(cfg Config) (*Pool, error) {
	if cfg.Workers == 0 {
		cfg.Workers = 1
	}
	if cfg.Workers < 1 || cfg.Workers > MaxWorkers {
		return nil, fmt.Errorf("gateway: %d workers: want 1 to %d",
			cfg.Workers, MaxWorkers)
	}
	if cfg.App == "" {
		return nil, errors.New("gateway: no app: want FILE.py:CALLABLE" +
			" or MODULE:CALLABLE")
	}
	if cfg.Python == "" {
		cfg.Python = "python3"
	}
	script, err := workerPath()
	if err != nil {
		return nil, err
	}
	p := &Pool{
		cfg:     cfg,
		script:  script,
		idle:    make(chan *worker, 2*MaxWorkers),
		stop:    make(chan struct{}),
		workers: map[*worker]struct{}{},
		procs:   map[*worker]struct{}{},
		want:    cfg.Workers,
	}
	p.multi.Store(cfg.Workers > 1)
	// TODO: count cfg.Workers in p.starting and start them (p.start);
	// on an error, Close the pool and return the error.
	_ = p
	return nil, errNotImplemented
}

// ServeHTTP serves one request with a free worker: 503 when none
// frees up within QueueTimeout or the pool is stopping.
func (p *Pool) ServeHTTP(w ResponseWriter, r *Request) {
	// TODO: acquire a worker (on an error, 503 and Retry-After: 1),
	// run the exchange, and release the worker, healthy or not,
	// whatever happens (defer). Once stopping, add "Connection:
	// close".
	Error(w, 501, errNotImplemented.Error())
}

// Workers returns the process IDs of the workers in service, sorted.
func (p *Pool) Workers() []int {
	// TODO: the pids of p.workers, under p.mu.
	return nil
}

// Scale changes the number of workers to n. Growing, it returns once
// the new workers are ready (or failed to start). Shrinking, idle
// workers stop at once and busy ones when their request ends.
func (p *Pool) Scale(n int) error {
	// TODO: check 1 <= n <= MaxWorkers; under p.mu set p.want and
	// p.multi, and count the workers to add in p.starting; then
	// p.start them (p.fill after an error, to keep trying), or
	// p.retireIdle.
	return errNotImplemented
}

// Shutdown stops the pool gracefully: new requests get 503, requests
// in flight finish, then every worker is told to stop and is reaped.
// When ctx ends first, the workers still running are killed, and
// Shutdown returns ctx.Err() once they are reaped.
func (p *Pool) Shutdown(ctx context.Context) error {
	// TODO: under p.mu set p.stopping and close p.stop (once); retire
	// every idle worker; wait for p.wg (in a goroutine) or ctx; on
	// ctx, kill every process in p.procs and wait again.
	return errNotImplemented
}

// Close stops the pool at once: every worker is killed and reaped.
func (p *Pool) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Shutdown(ctx)
	return nil
}

func (p *Pool) isStopping() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// acquire returns an idle worker, waiting for one at most
// QueueTimeout (then errNoWorker), or ErrStopped once Shutdown has
// begun. A worker that died while idle is dropped on the way: its
// reaper has started another.
func (p *Pool) acquire() (*worker, error) {
	// TODO: select on p.idle, p.stop and a timer; skip dead workers
	// (closing their pipes).
	return nil, errNotImplemented
}

// release takes back a worker after a request. A healthy worker goes
// back to the idle channel, unless the pool is stopping, shrinking, or
// the worker has served MaxRequests: then it is retired. A worker that
// is not healthy (it died, or broke the protocol) is killed. Either
// way a replacement starts if the pool needs one.
func (p *Pool) release(wk *worker, healthy bool) {
	// TODO: count the request; decide under p.mu, and send to p.idle
	// under p.mu too (Shutdown must not miss it); else delete it from
	// p.workers, retire or kill it, and p.fill.
}

// retireIdle stops idle workers while there are more than wanted.
func (p *Pool) retireIdle() {
	// TODO: while len(p.workers) > p.want, take an idle worker without
	// waiting, delete it from p.workers and retire it.
}

// start starts n workers at once, counted in p.starting by the
// caller, and puts each in service as it becomes ready. It returns
// the first error.
func (p *Pool) start(n int) error {
	// TODO: n goroutines of p.startOne; wait for every one.
	return errNotImplemented
}

// startOne starts a worker, counted in p.starting, and puts it in
// service.
func (p *Pool) startOne() error {
	// TODO: p.spawn; under p.mu: p.starting--, count a failure (not
	// for ErrStopped), or kill the worker if stopping, or reset
	// p.failures, add it to p.workers and send it to p.idle.
	return errNotImplemented
}

// fill starts workers in the background until the pool has as many as
// it wants. After failed starts it waits first, longer each time (0.1
// s, 0.2 s, ... up to maxBackoff), so that an app that cannot load
// does not become a crash loop.
func (p *Pool) fill() {
	// TODO: under p.mu: n := p.want - len(p.workers) - p.starting;
	// nothing when stopping or n <= 0; count n in p.starting, and
	// start n goroutines (p.wg.Add under p.mu) that wait the delay
	// (or p.stop), p.startOne, and on a failure log it and p.fill.
}

// spawn starts one worker process and waits until it has loaded the
// app (its R frame). The worker gets its own process group, so that
// Ctrl-C in a terminal reaches the server only, and so that kill
// reaches whatever the app started too.
func (p *Pool) spawn() (*worker, error) {
	// TODO: three os.Pipe()s: requests (the worker's fd 3), responses
	// (fd 4), the log (stdout and stderr). exec.Command(p.cfg.Python,
	// "-u", p.script, p.cfg.App) with ExtraFiles, Dir and
	// SysProcAttr{Setpgid: true}. Under p.mu, unless stopping:
	// cmd.Start, p.procs, p.wg.Add(2). Close the child's ends; start
	// p.copyLog and p.reap. Then read the R frame, with a deadline of
	// BootTimeout; an X frame is the reason it could not start.
	return nil, errNotImplemented
}

// reap waits for the worker's process to exit, so that it leaves no
// zombie, and starts a replacement if it died in service.
func (p *Pool) reap(wk *worker) {
	// TODO: wk.cmd.Wait; mark wk reaped (under wk.mu; stop its timer);
	// close wk.exited; remove it from p.procs and p.workers; if it
	// was in service, log it and p.fill.
}

// copyLog writes what the worker prints to the log, line by line.
func (p *Pool) copyLog(r *os.File, pid int) {
	defer r.Close()
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			p.logf("worker %d: %s", pid, line)
		}
		if err != nil {
			return
		}
	}
}

func (p *Pool) logf(format string, args ...any) {
	if p.cfg.ErrorLog != nil {
		p.cfg.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// exchange sends r to the worker and relays the response to w. It
// returns false when the worker can no longer be trusted: it died, or
// broke the protocol, or did not stop when told to.
func (p *Pool) exchange(wk *worker, w ResponseWriter, r *Request) bool {
	// TODO: the request: a Q frame of appendEnviron, the body in B
	// frames, E, one Flush. Then read frames: S (parseStart,
	// WriteHeader), B (Write; Flush when nothing more is buffered),
	// E (done), X (500 before S, Abort after). A worker that dies
	// gives 502 before S, Abort after.
	return false
}

// abortRequest handles a request body that could not be read: the
// worker is told to drop the request (A instead of E), and the client
// gets the body's error status, or nothing if it left.
func (p *Pool) abortRequest(wk *worker, w ResponseWriter, r *Request, err error) bool {
	// TODO: Error with the *StatusError's code, or Abort; then an A
	// frame, and drain.
	return false
}

// abortResponse handles a response the client cannot receive (it went
// away) or must not (the app wrote past its Content-Length): the
// connection is aborted and the worker told to stop the app, which
// closes the app's iterable.
func (p *Pool) abortResponse(wk *worker, w ResponseWriter, r *Request, err error) bool {
	// TODO: Abort, an A frame, drain.
	return false
}

// drain reads and drops the worker's frames until it ends the
// response (E or X), for at most abortTimeout. It reports whether the
// worker did, and so can serve again.
func (p *Pool) drain(wk *worker, r *Request) bool {
	// TODO: a read deadline on wk.outFile; readFrame until E or X.
	return false
}

// retire tells the worker to stop: closing fd 3 is the worker's end
// of input, and it exits. One that has not exited after stopTimeout
// is killed.
func (wk *worker) retire() {
	// TODO: close the pipes; unless reaped, a timer of stopTimeout
	// (under wk.mu) that kills it.
}

// closeFiles closes every file of fs.
func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// alive reports whether the worker's process is still running.
func (wk *worker) alive() bool {
	select {
	case <-wk.exited:
		return false
	default:
		return true
	}
}

// kill kills the worker's process group (the worker, and whatever the
// app started) and closes the pipes. The reaper collects it.
func (wk *worker) kill() {
	wk.mu.Lock()
	if !wk.reaped {
		syscall.Kill(-wk.pid, syscall.SIGKILL)
	}
	wk.mu.Unlock()
	wk.closePipes()
}

// closePipes closes the server's ends of the worker's pipes, once.
func (wk *worker) closePipes() {
	wk.closeOnce.Do(func() {
		wk.inFile.Close()
		wk.outFile.Close()
	})
}
