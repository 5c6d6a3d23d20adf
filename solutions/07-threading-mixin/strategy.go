package httpd

import (
	"sync"
	"time"
)

// Sync returns the strategy of a server without a mixin: Serve serves
// the connection's requests, one after another, in the accept loop's
// own goroutine, and returns when the connection is closed. The server
// accepts nobody else meanwhile. Close has nothing to wait for: the
// server's Close already waited for the accept loop.
func Sync() Strategy { return syncStrategy{} }

type syncStrategy struct{}

func (syncStrategy) Serve(c *Conn) {
	for c.Next() && c.Handle() {
	}
}

func (syncStrategy) Close() {}

// PerConn returns the strategy of ThreadingMixIn: Serve starts a
// goroutine that serves the connection's requests, one after another
// (process_request_thread), and returns at once. With blockOnClose,
// Close waits for every one of those goroutines to end, like
// server_close with block_on_close; without, it returns at once, and
// they end on their own when their request is answered, like daemon
// threads.
func PerConn(blockOnClose bool) Strategy {
	return &perConn{blockOnClose: blockOnClose}
}

type perConn struct {
	blockOnClose bool
	running      sync.WaitGroup // connection goroutines
}

func (p *perConn) Serve(c *Conn) {
	p.running.Add(1)
	go func() {
		defer p.running.Done()
		for c.Next() && c.Handle() {
		}
	}()
}

func (p *perConn) Close() {
	if p.blockOnClose {
		p.running.Wait()
	}
}

// RetryAfter is the Retry-After a full Pool sends with its 503.
const RetryAfter = time.Second

// Pool returns a strategy that runs handlers on a fixed number of
// worker goroutines, workers (at least 1), started at once. Each
// connection has a goroutine of its own that waits for its next
// request and reads its header (Next), which costs little; then it
// hands the request to a worker (Handle) and waits for the answer, so
// a worker is never pinned to an idle or slow connection. Requests
// that find every worker busy wait in a queue of at most queue (0 or
// more); a request that finds the queue full too is rejected at once
// with 503 and Retry-After (Reject(RetryAfter)), and its connection
// closed. Close waits for the requests in flight and in the queue to be
// answered, then stops the workers.
func Pool(workers, queue int) Strategy {
	p := &pool{jobs: make(chan job, max(queue, 0))}
	for range max(workers, 1) {
		p.workers.Add(1)
		go p.work()
	}
	return p
}

type pool struct {
	jobs    chan job       // requests read, waiting for a worker
	conns   sync.WaitGroup // connection goroutines
	workers sync.WaitGroup // worker goroutines
}

// job is a request for a worker: the connection it came on, and where
// to tell the connection's goroutine how Handle went.
type job struct {
	c    *Conn
	done chan<- bool
}

// work is one worker: it handles requests from any connection, one at
// a time, until Close closes jobs.
func (p *pool) work() {
	defer p.workers.Done()
	for j := range p.jobs {
		j.done <- j.c.Handle()
	}
}

func (p *pool) Serve(c *Conn) {
	p.conns.Add(1)
	go func() {
		defer p.conns.Done()
		done := make(chan bool, 1)
		for c.Next() {
			select {
			case p.jobs <- job{c, done}:
			default: // every worker busy, and the queue full
				c.Reject(RetryAfter)
				return
			}
			if !<-done {
				return
			}
		}
	}()
}

func (p *pool) Close() {
	p.conns.Wait() // each ends once its last request is answered
	close(p.jobs)
	p.workers.Wait()
}
