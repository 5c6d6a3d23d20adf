package httpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// The shutdown rule of this server. Shutdown(ctx):
//
//  1. stops accepting: it closes every listener, so a new connection
//     is refused;
//  2. closes every idle connection at once;
//  3. lets every request in flight finish; its response says
//     "Connection: close" and the connection closes after it;
//  4. answers a request that arrives during the shutdown on a
//     connection accepted before it the same way: never drops it;
//  5. when ctx ends first, closes every connection left and returns
//     an error that says how many;
//  6. then runs the shutdown hooks, once, and waits for them;
//  7. can be called more than once, and at once: each call returns
//     when the server has stopped (or its own ctx has ended).

// tracker is what the server knows of its listeners, its connections
// and its hooks.
type tracker struct {
	mu        sync.Mutex
	listeners map[net.Listener]struct{} // guarded by mu
	conns     map[*conn]ConnState       // guarded by mu
	shutting  bool                      // guarded by mu
	// drained is made when the shutdown begins, and closed once no
	// listener and no connection is left. Guarded by mu.
	drained   chan struct{}
	hooks     []func(context.Context) // guarded by mu
	hooksOnce sync.Once
}

// trackListener adds ln to the server's listeners (add is true) or
// removes it (add is false). Adding reports false when the server is
// shutting down: Serve then returns at once.
func (s *Server) trackListener(ln net.Listener, add bool) bool {
	t := &s.track
	t.mu.Lock()
	defer t.mu.Unlock()
	if !add {
		delete(t.listeners, ln)
		t.checkDrained()
		return true
	}
	if t.shutting {
		return false
	}
	if t.listeners == nil {
		t.listeners = map[net.Listener]struct{}{}
	}
	t.listeners[ln] = struct{}{}
	return true
}

// setState records that c enters state st, calls s.ConnState, and
// reports whether c may go on; when it may not, c closes at once.
//
//   - StateNew (from Serve): false when the server is shutting down,
//     or already has MaxConns connections. c is not tracked then, and
//     Serve refuses it.
//   - StateIdle: false when the server is shutting down.
//   - StateActive: false when the server is shutting down and c was
//     idle (Shutdown has closed it).
//   - StateClosed: c is forgotten.
func (s *Server) setState(c *conn, st ConnState) bool {
	t := &s.track
	t.mu.Lock()
	ok := true
	switch st {
	case StateNew:
		ok = !t.shutting && (s.MaxConns <= 0 || len(t.conns) < s.MaxConns)
	case StateIdle:
		ok = !t.shutting
	case StateActive:
		ok = !t.shutting || t.conns[c] != StateIdle
	case StateClosed:
		_, ok = t.conns[c]
	}
	switch {
	case st == StateClosed:
		delete(t.conns, c)
		t.checkDrained()
	case ok:
		if t.conns == nil {
			t.conns = map[*conn]ConnState{}
		}
		t.conns[c] = st
	}
	t.mu.Unlock()
	if ok && s.ConnState != nil {
		s.ConnState(c.rwc, st)
	}
	return ok
}

// shuttingDown reports whether Shutdown or Close has been called.
func (s *Server) shuttingDown() bool {
	s.track.mu.Lock()
	defer s.track.mu.Unlock()
	return s.track.shutting
}

// Shutdown stops the server gracefully, by the rule at the top of this
// file. It returns nil once every connection has closed, or, when
// ctx ends first, an error that wraps ctx.Err() and says how many
// connections it closed by force ("1 connection" for one):
//
//	httpd: shutdown: 3 connections closed by force: context deadline exceeded
//
// Then it runs the hooks (RegisterOnShutdown) with ctx, once, and
// waits for them. It does not wait for handlers whose connection it
// closed by force: their writes fail. Serve returns ErrServerClosed.
func (s *Server) Shutdown(ctx context.Context) error {
	drained, err := s.track.stop(false)
	select {
	case <-drained:
	case <-ctx.Done():
		if n := s.track.closeAll(); n > 0 {
			what := "connections"
			if n == 1 {
				what = "connection"
			}
			err = fmt.Errorf("httpd: shutdown: %d %s closed by "+
				"force: %w", n, what, ctx.Err())
		}
	}
	s.runHooks(ctx)
	return err
}

// Close stops the server at once: it closes every listener and every
// connection, waits for their goroutines (handlers included) to end,
// then runs the hooks with a context that is already done, so they
// stop what they must without waiting. It returns the error of
// closing a listener, if any. It is safe to call more than once, and
// after Shutdown.
func (s *Server) Close() error {
	drained, err := s.track.stop(true)
	<-drained
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.runHooks(ctx)
	return err
}

// RegisterOnShutdown adds f to the hooks that Shutdown and Close run
// once the connections are closed: the place to stop worker
// processes, and reap them. The hooks run at the same time, each in a
// goroutine of its own, and are waited for; each must return soon
// after its ctx is done.
func (s *Server) RegisterOnShutdown(f func(ctx context.Context)) {
	s.track.mu.Lock()
	s.track.hooks = append(s.track.hooks, f)
	s.track.mu.Unlock()
}

// stop marks the server as shutting down, closes its listeners and
// its idle connections (all its connections when all is true), and
// returns the channel closed once nothing is left, with the first
// error of closing a listener.
func (t *tracker) stop(all bool) (<-chan struct{}, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.shutting {
		t.shutting = true
		t.drained = make(chan struct{})
	}
	var err error
	for ln := range t.listeners {
		if e := ln.Close(); e != nil && err == nil &&
			!errors.Is(e, net.ErrClosed) {
			err = e
		}
	}
	for c, st := range t.conns {
		if all || st == StateIdle {
			c.rwc.Close()
		}
	}
	t.checkDrained()
	return t.drained, err
}

// closeAll closes every connection that is not idle (idle ones are
// closed already) and returns how many it closed.
func (t *tracker) closeAll() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for c, st := range t.conns {
		if st != StateIdle {
			c.rwc.Close()
			n++
		}
	}
	return n
}

// checkDrained closes t.drained once the server is shutting down and
// has no listener and no connection left. t.mu must be held.
func (t *tracker) checkDrained() {
	if !t.shutting || len(t.listeners) > 0 || len(t.conns) > 0 {
		return
	}
	select {
	case <-t.drained:
	default:
		close(t.drained)
	}
}

// runHooks runs every hook with ctx, each in its own goroutine, and
// waits for them all. Only the first call runs them; a later one
// waits until they are done.
func (s *Server) runHooks(ctx context.Context) {
	t := &s.track
	t.hooksOnce.Do(func() {
		t.mu.Lock()
		hooks := t.hooks
		t.mu.Unlock()
		var wg sync.WaitGroup
		for _, f := range hooks {
			wg.Go(func() { f(ctx) })
		}
		wg.Wait()
	})
}

// setDeadlines sets c's deadlines for phase p. Each phase has its own
// timeout, counted from the moment the phase begins:
//
//	phaseNew     read   ReadHeaderTimeout (the first request)
//	phaseIdle    read   IdleTimeout
//	phaseHeader  read   ReadHeaderTimeout (the next requests)
//	phaseBody    read   ReadBodyTimeout, and
//	             write  WriteTimeout
//
// A read deadline that passes ends the phase: a silent close while
// waiting for a request, a 408 once part of one has come.
func (c *conn) setDeadlines(p phase) {
	s, now := c.srv, time.Now()
	switch p {
	case phaseNew, phaseHeader:
		c.rwc.SetReadDeadline(now.Add(s.readHeaderTimeout()))
	case phaseIdle:
		c.rwc.SetReadDeadline(now.Add(s.idleTimeout()))
	case phaseBody:
		c.rwc.SetReadDeadline(now.Add(s.readBodyTimeout()))
		c.rwc.SetWriteDeadline(now.Add(s.writeTimeout()))
	}
}

// limitBody holds req's body to MaxBodyBytes (RFC 9110 §15.5.14). A
// Content-Length over the limit is refused before a byte is read: it
// returns a 413 *StatusError. A chunked body, whose length nobody
// knows in advance, gets a Body that returns a 413 *StatusError as
// soon as more than MaxBodyBytes have come.
func (s *Server) limitBody(req *Request) error {
	max := s.maxBodyBytes()
	switch {
	case req.ContentLength > max:
		return statusErrorf(413, "a body of %d bytes is over the "+
			"limit of %d", req.ContentLength, max)
	case req.Chunked:
		req.Body = &limitedBody{r: req.Body, left: max}
	}
	return nil
}

// limitedBody reads a body until more than left bytes come.
type limitedBody struct {
	r    io.Reader
	left int64 // bytes still allowed
	err  error // sticky
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more tells a body over the limit
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		b.err = statusErrorf(413, "the body is over the limit")
		return int(b.left), b.err
	}
	b.left -= int64(n)
	if err != nil {
		b.err = err
	}
	return n, err
}
