package httpd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

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
	p.starting = cfg.Workers
	if err := p.start(cfg.Workers); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// ServeHTTP serves one request with a free worker: 503 when none
// frees up within QueueTimeout or the pool is stopping.
func (p *Pool) ServeHTTP(w ResponseWriter, r *Request) {
	wk, err := p.acquire()
	if err != nil {
		msg := "No worker was free in time. Try again."
		if err == ErrStopped {
			msg = "The server is stopping."
		}
		w.Header().Set("Retry-After", "1")
		Error(w, 503, msg)
		return
	}
	healthy := false
	defer func() { p.release(wk, healthy) }()
	if p.isStopping() {
		// Tell a kept-alive client not to come back.
		w.Header().Set("Connection", "close")
	}
	healthy = p.exchange(wk, w, r)
}

// Workers returns the process IDs of the workers in service, sorted.
func (p *Pool) Workers() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, 0, len(p.workers))
	for wk := range p.workers {
		pids = append(pids, wk.pid)
	}
	slices.Sort(pids)
	return pids
}

// Scale changes the number of workers to n. Growing, it returns once
// the new workers are ready (or failed to start). Shrinking, idle
// workers stop at once and busy ones when their request ends.
func (p *Pool) Scale(n int) error {
	if n < 1 || n > MaxWorkers {
		return fmt.Errorf("gateway: scale to %d: want 1 to %d",
			n, MaxWorkers)
	}
	p.mu.Lock()
	if p.stopping {
		p.mu.Unlock()
		return ErrStopped
	}
	p.want = n
	p.multi.Store(n > 1)
	add := n - len(p.workers) - p.starting
	if add > 0 {
		p.starting += add
	}
	p.mu.Unlock()
	if add > 0 {
		if err := p.start(add); err != nil {
			p.fill() // keep trying, later and later
			return err
		}
		return nil
	}
	p.retireIdle()
	return nil
}

// Shutdown stops the pool gracefully: new requests get 503, requests
// in flight finish, then every worker is told to stop and is reaped.
// When ctx ends first, the workers still running are killed, and
// Shutdown returns ctx.Err() once they are reaped.
func (p *Pool) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if !p.stopping {
		p.stopping = true
		close(p.stop)
	}
	p.mu.Unlock()
	// Idle workers stop now; busy ones in release.
	for {
		select {
		case wk := <-p.idle:
			p.mu.Lock()
			delete(p.workers, wk)
			p.mu.Unlock()
			wk.retire()
			continue
		default:
		}
		break
	}
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	p.mu.Lock()
	for wk := range p.procs {
		wk.kill()
	}
	p.mu.Unlock()
	<-done
	return ctx.Err()
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
	wait := p.cfg.QueueTimeout
	if wait <= 0 {
		wait = 30 * time.Second
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case wk := <-p.idle:
			if wk.alive() {
				return wk, nil
			}
			wk.closePipes()
		case <-p.stop:
			return nil, ErrStopped
		case <-timer.C:
			return nil, errNoWorker
		}
	}
}

// release takes back a worker after a request. A healthy worker goes
// back to the idle channel, unless the pool is stopping, shrinking, or
// the worker has served MaxRequests: then it is retired. A worker that
// is not healthy (it died, or broke the protocol) is killed. Either
// way a replacement starts if the pool needs one.
func (p *Pool) release(wk *worker, healthy bool) {
	wk.served++
	p.mu.Lock()
	recycle := p.cfg.MaxRequests > 0 && wk.served >= p.cfg.MaxRequests
	if healthy && !recycle && !p.stopping && len(p.workers) <= p.want {
		// Under mu, so that Shutdown, which sets stopping under mu
		// and then empties the channel, cannot miss it.
		p.idle <- wk
		p.mu.Unlock()
		return
	}
	delete(p.workers, wk)
	p.mu.Unlock()
	switch {
	case !healthy:
		p.logf("gateway: replacing worker %d", wk.pid)
		wk.kill()
	case recycle:
		p.logf("gateway: worker %d served %d requests: replacing it",
			wk.pid, wk.served)
		wk.retire()
	default:
		wk.retire()
	}
	p.fill()
}

// retireIdle stops idle workers while there are more than wanted.
func (p *Pool) retireIdle() {
	for {
		p.mu.Lock()
		if len(p.workers) <= p.want {
			p.mu.Unlock()
			return
		}
		var wk *worker
		select {
		case wk = <-p.idle:
		default:
		}
		if wk == nil {
			p.mu.Unlock()
			return // the others are busy: release retires them
		}
		delete(p.workers, wk)
		p.mu.Unlock()
		wk.retire()
	}
}

// start starts n workers at once, counted in p.starting by the
// caller, and puts each in service as it becomes ready. It returns
// the first error.
func (p *Pool) start(n int) error {
	errs := make(chan error, n)
	for range n {
		go func() { errs <- p.startOne() }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// startOne starts a worker, counted in p.starting, and puts it in
// service.
func (p *Pool) startOne() error {
	wk, err := p.spawn()
	p.mu.Lock()
	p.starting--
	if err != nil {
		if !errors.Is(err, ErrStopped) {
			p.failures++
		}
		p.mu.Unlock()
		return err
	}
	if p.stopping {
		p.mu.Unlock()
		wk.kill()
		return ErrStopped
	}
	p.failures = 0
	p.workers[wk] = struct{}{}
	p.idle <- wk
	p.mu.Unlock()
	p.logf("gateway: worker %d ready", wk.pid)
	return nil
}

// fill starts workers in the background until the pool has as many as
// it wants. After failed starts it waits first, longer each time (0.1
// s, 0.2 s, ... up to maxBackoff), so that an app that cannot load
// does not become a crash loop.
func (p *Pool) fill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.want - len(p.workers) - p.starting
	if p.stopping || n <= 0 {
		return
	}
	p.starting += n
	var delay time.Duration
	if p.failures > 0 {
		delay = min(100*time.Millisecond<<min(p.failures-1, 10),
			maxBackoff)
	}
	for range n {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if delay > 0 {
				t := time.NewTimer(delay)
				select {
				case <-t.C:
				case <-p.stop:
					t.Stop()
				}
			}
			if err := p.startOne(); err != nil {
				if errors.Is(err, ErrStopped) {
					return
				}
				p.logf("%v", err)
				p.fill()
			}
		}()
	}
	if delay > 0 {
		p.logf("gateway: starting %d worker(s) in %v, after %d "+
			"failed start(s)", n, delay, p.failures)
	}
}

// spawn starts one worker process and waits until it has loaded the
// app (its R frame). The worker gets its own process group, so that
// Ctrl-C in a terminal reaches the server only, and so that kill
// reaches whatever the app started too.
func (p *Pool) spawn() (*worker, error) {
	// fd 3 (requests), fd 4 (responses), stdout and stderr (log):
	// reqR, respW and logW are the child's ends.
	var fds [6]*os.File
	for i := 0; i < len(fds); i += 2 {
		var err error
		if fds[i], fds[i+1], err = os.Pipe(); err != nil {
			closeFiles(fds[:i])
			return nil, fmt.Errorf("gateway: pipe: %w", err)
		}
	}
	reqR, reqW, respR, respW, logR, logW := fds[0], fds[1], fds[2],
		fds[3], fds[4], fds[5]
	cmd := exec.Command(p.cfg.Python, "-u", p.script, p.cfg.App)
	cmd.Dir = p.cfg.Dir
	cmd.Stdout, cmd.Stderr = logW, logW
	cmd.ExtraFiles = []*os.File{reqR, respW} // fd 3 and fd 4
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	p.mu.Lock()
	if p.stopping {
		p.mu.Unlock()
		closeFiles(fds[:])
		return nil, ErrStopped
	}
	err := cmd.Start()
	if err != nil {
		p.mu.Unlock()
		closeFiles(fds[:])
		return nil, fmt.Errorf("gateway: starting a worker: %w", err)
	}
	wk := &worker{
		pid:     cmd.Process.Pid,
		cmd:     cmd,
		inFile:  reqW,
		in:      bufio.NewWriterSize(reqW, 64<<10),
		outFile: respR,
		out:     bufio.NewReaderSize(respR, 64<<10),
		exited:  make(chan struct{}),
	}
	p.procs[wk] = struct{}{}
	p.wg.Add(2)
	p.mu.Unlock()
	// The child has its own copies now.
	reqR.Close()
	respW.Close()
	logW.Close()
	go func() {
		defer p.wg.Done()
		p.copyLog(logR, wk.pid)
	}()
	go func() {
		defer p.wg.Done()
		p.reap(wk)
	}()

	wait := p.cfg.BootTimeout
	if wait <= 0 {
		wait = 30 * time.Second
	}
	respR.SetReadDeadline(time.Now().Add(wait))
	kind, payload, err := readFrame(wk.out, &wk.buf)
	respR.SetReadDeadline(time.Time{})
	switch {
	case err == nil && kind == frameReady:
		return wk, nil
	case err == nil && kind == frameError:
		// It exits by itself, with status 3 (gunicorn's
		// WORKER_BOOT_ERROR); give it a moment to.
		err = fmt.Errorf("%s", payload)
		select {
		case <-wk.exited:
		case <-time.After(time.Second):
		}
	case err == nil:
		err = errNotProtocol
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = fmt.Errorf("the app did not load within %v", wait)
	case err == io.EOF:
		err = errors.New("exited while loading the app")
	}
	wk.kill()
	<-wk.exited
	return nil, fmt.Errorf("gateway: worker %d could not start: %w",
		wk.pid, err)
}

// reap waits for the worker's process to exit, so that it leaves no
// zombie, and starts a replacement if it died in service.
func (p *Pool) reap(wk *worker) {
	err := wk.cmd.Wait()
	wk.mu.Lock()
	wk.reaped = true
	if wk.timer != nil {
		wk.timer.Stop()
	}
	wk.mu.Unlock()
	close(wk.exited)
	p.mu.Lock()
	delete(p.procs, wk)
	_, inService := p.workers[wk]
	delete(p.workers, wk)
	p.mu.Unlock()
	status := "exit status 0"
	if err != nil {
		status = err.Error()
	}
	if inService {
		p.logf("gateway: worker %d exited (%s); starting another",
			wk.pid, status)
		p.fill()
		return
	}
	p.logf("gateway: worker %d exited (%s)", wk.pid, status)
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
	// The request: Q, the body in B frames, E. Reading the body
	// sends "100 Continue" if the client waits for it.
	wk.env = appendEnviron(wk.env[:0], r, p.multi.Load())
	writeFrame(wk.in, frameRequest, wk.env)
	if r.ContentLength != 0 {
		if wk.chunk == nil {
			wk.chunk = make([]byte, 32<<10)
		}
		for {
			n, err := r.Body.Read(wk.chunk)
			if n > 0 {
				writeFrame(wk.in, frameBody, wk.chunk[:n])
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				// A malformed body, or a client that left: the
				// app must not run.
				return p.abortRequest(wk, w, r, err)
			}
		}
	}
	writeFrame(wk.in, frameEnd, nil)
	if err := wk.in.Flush(); err != nil {
		p.logf("gateway: worker %d: sending %s %s: %v", wk.pid,
			r.Method, r.Target, err)
		Error(w, 502, "The application's worker died.")
		return false
	}

	// The response: S, B..., E; or X.
	started := false
	for {
		kind, payload, err := readFrame(wk.out, &wk.buf)
		if err != nil {
			p.logf("gateway: worker %d died serving %s %s: %v",
				wk.pid, r.Method, r.Target, err)
			if started {
				Abort(w, fmt.Errorf("gateway: worker %d died "+
					"mid-response", wk.pid))
			} else {
				Error(w, 502, "The application's worker died "+
					"before it answered.")
			}
			return false
		}
		switch {
		case kind == frameStart && !started:
			code, err := parseStart(payload, w.Header())
			if err != nil {
				p.logf("gateway: worker %d: %v", wk.pid, err)
				Error(w, 502, "The application's worker broke "+
					"the protocol.")
				return false
			}
			w.WriteHeader(code)
			started = true
		case kind == frameBody && started:
			_, err := w.Write(payload)
			if err == nil && wk.out.Buffered() == 0 {
				// Nothing more is here yet: what the app
				// yielded goes to the client now.
				err = w.Flush()
			}
			if err != nil && err != ErrBodyNotAllowed {
				return p.abortResponse(wk, w, r, err)
			}
		case kind == frameEnd && started:
			return true
		case kind == frameError:
			p.logf("gateway: %s %s: the app failed: %s", r.Method,
				r.Target, payload)
			if started {
				Abort(w, fmt.Errorf("gateway: the app failed "+
					"mid-body: %s", payload))
			} else {
				Error(w, 500, "The application failed. The "+
					"server's log says why.")
			}
			return true
		default:
			p.logf("gateway: worker %d: frame %q: %v", wk.pid, kind,
				errNotProtocol)
			if started {
				Abort(w, errNotProtocol)
			} else {
				Error(w, 502, "The application's worker broke "+
					"the protocol.")
			}
			return false
		}
	}
}

// abortRequest handles a request body that could not be read: the
// worker is told to drop the request (A instead of E), and the client
// gets the body's error status, or nothing if it left.
func (p *Pool) abortRequest(wk *worker, w ResponseWriter, r *Request, err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		Error(w, se.Code, se.Reason)
	} else {
		Abort(w, err)
	}
	writeFrame(wk.in, frameAbort, nil)
	if wk.in.Flush() != nil {
		return false
	}
	return p.drain(wk, r)
}

// abortResponse handles a response the client cannot receive (it went
// away) or must not (the app wrote past its Content-Length): the
// connection is aborted and the worker told to stop the app, which
// closes the app's iterable.
func (p *Pool) abortResponse(wk *worker, w ResponseWriter, r *Request, err error) bool {
	Abort(w, err)
	p.logf("gateway: %s %s: %v; telling worker %d to stop", r.Method,
		r.Target, err, wk.pid)
	writeFrame(wk.in, frameAbort, nil)
	if wk.in.Flush() != nil {
		return false
	}
	return p.drain(wk, r)
}

// drain reads and drops the worker's frames until it ends the
// response (E or X), for at most abortTimeout. It reports whether the
// worker did, and so can serve again.
func (p *Pool) drain(wk *worker, r *Request) bool {
	wk.outFile.SetReadDeadline(time.Now().Add(abortTimeout))
	defer wk.outFile.SetReadDeadline(time.Time{})
	for {
		kind, _, err := readFrame(wk.out, &wk.buf)
		if err != nil {
			p.logf("gateway: worker %d did not stop %s %s: %v",
				wk.pid, r.Method, r.Target, err)
			return false
		}
		if kind == frameEnd || kind == frameError {
			return true
		}
	}
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

// retire tells the worker to stop: closing fd 3 is the worker's end
// of input, and it exits. One that has not exited after stopTimeout
// is killed.
func (wk *worker) retire() {
	wk.closePipes()
	wk.mu.Lock()
	if !wk.reaped && wk.timer == nil {
		wk.timer = time.AfterFunc(stopTimeout, wk.kill)
	}
	wk.mu.Unlock()
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
