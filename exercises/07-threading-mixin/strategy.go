package httpd

import (
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
	// TODO: serve c's requests here, one after another, until Next or
	// Handle says the connection is over.
	c.Close()
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
	// TODO: count the goroutines Serve starts, so Close can wait.
}

func (p *perConn) Serve(c *Conn) {
	// TODO: serve c's requests in a goroutine of their own, and return
	// at once.
	c.Close()
}

func (p *perConn) Close() {
	// TODO: with blockOnClose, wait for the goroutines Serve started.
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
	// TODO: start the workers, and make the queue.
	return &pool{}
}

type pool struct {
	// TODO: the queue, and what Close needs to wait for.
}

func (p *pool) Serve(c *Conn) {
	// TODO: a goroutine for the connection: Next, then a worker
	// runs Handle; a full queue means Reject(RetryAfter).
	c.Close()
}

func (p *pool) Close() {
	// TODO: wait for the connections' goroutines, then stop the
	// workers and wait for them.
}
