package httpd

import (
	"context"
	"errors"
	"net"
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

// errNotImplemented is what the stub's Shutdown and Close return.
var errNotImplemented = errors.New("httpd: Shutdown not implemented")

// tracker is what the server knows of its listeners, its connections
// and its hooks.
type tracker struct {
	// TODO: a sync.Mutex, and guarded by it: the listeners, each
	// connection's state (map[*conn]ConnState), whether the server is
	// shutting down, a channel closed once nothing is left, and the
	// hooks. A sync.Once runs the hooks once.
}

// trackListener adds ln to the server's listeners (add is true) or
// removes it (add is false). Adding reports false when the server is
// shutting down: Serve then returns at once.
func (s *Server) trackListener(ln net.Listener, add bool) bool {
	// TODO: record ln, or forget it (and check whether the server
	// has drained).
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
	// TODO: under the lock, decide, record c's state (or delete it
	// for StateClosed); then, unlocked, call s.ConnState for a
	// connection the server tracks. For now every connection is
	// refused, as by a server at its cap: each one gets a 503.
	return false
}

// shuttingDown reports whether Shutdown or Close has been called.
func (s *Server) shuttingDown() bool {
	// TODO
	return false
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
	// TODO: mark the server as shutting down; close the listeners
	// and the idle connections; wait until nothing is left, or ctx
	// ends (then close the rest, and count them); run the hooks.
	return errNotImplemented
}

// Close stops the server at once: it closes every listener and every
// connection, waits for their goroutines (handlers included) to end,
// then runs the hooks with a context that is already done, so they
// stop what they must without waiting. It returns the error of
// closing a listener, if any. It is safe to call more than once, and
// after Shutdown.
func (s *Server) Close() error {
	// TODO: like Shutdown, without the grace.
	return errNotImplemented
}

// RegisterOnShutdown adds f to the hooks that Shutdown and Close run
// once the connections are closed: the place to stop worker
// processes, and reap them. The hooks run at the same time, each in a
// goroutine of its own, and are waited for; each must return soon
// after its ctx is done.
func (s *Server) RegisterOnShutdown(f func(ctx context.Context)) {
	// TODO
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
	// TODO: c.rwc.SetReadDeadline, c.rwc.SetWriteDeadline, with
	// c.srv.readHeaderTimeout() and its siblings (server.go).
}

// limitBody holds req's body to MaxBodyBytes (RFC 9110 §15.5.14). A
// Content-Length over the limit is refused before a byte is read: it
// returns a 413 *StatusError. A chunked body, whose length nobody
// knows in advance, gets a Body that returns a 413 *StatusError as
// soon as more than MaxBodyBytes have come.
func (s *Server) limitBody(req *Request) error {
	// TODO: s.maxBodyBytes(), statusErrorf(413, ...), and a reader
	// type of your own around req.Body for a chunked body.
	return nil
}
