// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	httpd "socket2gateway/exercises/07-threading-mixin"
	"socket2gateway/exercises/internal/conformance"
	"socket2gateway/exercises/internal/wire"
)

// TestSync opens three connections first and sends on them in reverse
// order. A synchronous server answers the connection it accepted
// first, keeps answering it, and hears nobody else until it closes.
func TestSync(t *testing.T) {
	noLeaks(t)
	addr, _ := start(t, httpd.Sync(), newGate())
	cs := open(t, addr, 3)
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i].send(t, get(fmt.Sprintf("/%d", i+1)))
	}
	left := cs
	for len(left) > 0 {
		c, r := first(t, 5*time.Second, left...)
		if r.err != nil {
			t.Fatalf("%s: %s, after sending %q", c.name, r, c.lastSent())
		}
		assert.Equal(t, 200, r.status, "%s: status for %q", c.name,
			c.lastSent())
		left = slices.DeleteFunc(left, func(o *conn) bool { return o == c })
		// Keep-alive: the next request on c is answered too, and the
		// others still wait.
		c.send(t, get("/again"))
		r = c.answer(t, 5*time.Second)
		assert.Equal(t, "ok /again\n", r.body, "%s: body for %q", c.name,
			c.lastSent())
		silent(t, 200*time.Millisecond, c.name+" is still open, and a "+
			"synchronous server serves one connection at a time", left...)
		c.nc.Close() // the server may take the next one now
	}
}

// TestSyncGoesDeaf shows the failure this lesson fixes: while one
// request is slow, a synchronous server answers nobody, however
// simple their request.
func TestSyncGoesDeaf(t *testing.T) {
	noLeaks(t)
	g := newGate()
	addr, _ := start(t, httpd.Sync(), g)
	slow := open(t, addr, 1)[0]
	slow.name = "the slow connection"
	slow.send(t, get("/block"))
	g.waitFor(t, 1, "a slow request", slow)

	quick := open(t, addr, 1)[0]
	quick.name = "the quick connection"
	quick.send(t, get("/"))
	silent(t, 300*time.Millisecond, "the server is busy with the slow "+
		"request, and nobody else is served meanwhile", quick)

	g.Open()
	r := slow.answer(t, 5*time.Second)
	assert.Equal(t, "ok /block\n", r.body, "body for %q", slow.lastSent())
	slow.nc.Close() // keep-alive: the server stays with it until then
	r = quick.answer(t, 5*time.Second)
	assert.Equal(t, "ok /\n", r.body, "body for %q, once the slow "+
		"connection closed", quick.lastSent())
}

// TestPerConn opens eight connections first and sends /block on them
// in reverse order: all eight handlers must run at once, which only a
// concurrent server can do.
func TestPerConn(t *testing.T) {
	noLeaks(t)
	g := newGate()
	addr, _ := start(t, httpd.PerConn(true), g)
	cs := open(t, addr, 8)
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i].send(t, get("/block"))
	}
	g.waitFor(t, 8, "a goroutine per connection", cs...)
	g.Open()
	for _, c := range cs {
		r := c.answer(t, 5*time.Second)
		assert.Equal(t, 200, r.status, "%s: status for %q", c.name,
			c.lastSent())
	}
	// Each connection stays open for its next request.
	for _, c := range cs {
		c.send(t, get("/next"))
	}
	for _, c := range cs {
		r := c.answer(t, 5*time.Second)
		assert.Equal(t, "ok /next\n", r.body, "%s: body for %q", c.name,
			c.lastSent())
	}
}

// TestClose closes the server while a request is in its handler and
// another connection is idle. The idle connection is closed at once.
// Close returns only after the request is answered when the strategy
// waits (Sync, PerConn(true), Pool), at once when it does not
// (PerConn(false), Python's daemon_threads); the request is answered
// in both cases.
func TestClose(t *testing.T) {
	rows := []struct {
		name     string
		strategy func() httpd.Strategy
		waits    bool
		idle     bool // the server can have an idle connection too
	}{
		{"Sync", httpd.Sync, true, false},
		{"PerConn(blockOnClose=true)",
			func() httpd.Strategy { return httpd.PerConn(true) }, true, true},
		{"PerConn(blockOnClose=false)",
			func() httpd.Strategy { return httpd.PerConn(false) }, false,
			true},
		{"Pool(2, 4)",
			func() httpd.Strategy { return httpd.Pool(2, 4) }, true, true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			noLeaks(t)
			g := newGate()
			addr, srv := start(t, row.strategy(), g)
			busy := open(t, addr, 1)[0]
			busy.name = "the busy connection"
			busy.send(t, get("/"))
			busy.answer(t, 5*time.Second)
			busy.send(t, get("/block"))
			g.waitFor(t, 1, "a request in flight", busy)
			var idle *conn
			if row.idle {
				idle = open(t, addr, 1)[0]
				idle.name = "the idle connection"
				idle.send(t, get("/"))
				idle.answer(t, 5*time.Second)
			}

			closed := make(chan struct{})
			go func() {
				srv.Close()
				close(closed)
			}()
			if idle != nil {
				idle.expectEnd(t, 5*time.Second, "Close closes the "+
					"connections that wait for a request")
			}
			if row.waits {
				select {
				case <-closed:
					t.Errorf("Close returned while a request was in " +
						"its handler: it should wait for it")
				case <-time.After(300 * time.Millisecond):
				}
			} else {
				select {
				case <-closed:
				case <-time.After(5 * time.Second):
					t.Errorf("Close still waits after 5s: with " +
						"blockOnClose false it must not wait for the " +
						"request in flight")
				}
				assert.Equal(t, int64(1), g.waiting.Load(), "Close "+
					"returned; the request should still be in its handler")
			}
			g.Open()
			r := busy.answer(t, 5*time.Second)
			assert.Equal(t, "ok /block\n", r.body, "the request in flight "+
				"should be answered, after Close too")
			busy.expectEnd(t, 5*time.Second, "the server is closed")
			select {
			case <-closed:
			case <-time.After(5 * time.Second):
				t.Errorf("Close still waits 5s after the last request " +
					"was answered")
			}
		})
	}
}

// TestPoolSize opens twelve connections first and sends /block on them
// in reverse order to a pool of 4: exactly 4 handlers run at once,
// never more, and every request is answered.
func TestPoolSize(t *testing.T) {
	noLeaks(t)
	g := newGate()
	addr, _ := start(t, httpd.Pool(4, 16), g)
	cs := open(t, addr, 12)
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i].send(t, get("/block"))
	}
	g.waitFor(t, 4, "a pool of 4 workers and 12 requests", cs...)
	silent(t, 200*time.Millisecond, "4 workers are busy, and the other "+
		"requests wait in the queue", cs...)
	assert.Equal(t, int64(4), g.most.Load(), "handlers that ran at once "+
		"in a pool of 4")
	g.Open()
	for _, c := range cs {
		r := c.answer(t, 5*time.Second)
		assert.Equal(t, 200, r.status, "%s: status for %q", c.name,
			c.lastSent())
	}
	assert.Equal(t, int64(4), g.most.Load(), "handlers that ran at once "+
		"in a pool of 4, over the whole test")
}

// TestPoolFull fills a pool of 2 workers and a queue of 2, then sends
// three requests more: two wait in the queue, one is answered at once
// with 503, Retry-After: 1 and a close. The queued ones are answered
// when the workers are free again.
func TestPoolFull(t *testing.T) {
	noLeaks(t)
	g := newGate()
	addr, _ := start(t, httpd.Pool(2, 2), g)
	running := open(t, addr, 2)
	for _, c := range running {
		c.send(t, get("/block"))
	}
	g.waitFor(t, 2, "two workers busy", running...)

	more := open(t, addr, 3)
	for i := len(more) - 1; i >= 0; i-- {
		more[i].name = fmt.Sprintf("connection %d", i+3)
		more[i].send(t, get("/block"))
	}
	c, r := first(t, 5*time.Second, more...)
	if r.err != nil {
		t.Fatalf("%s: %s, after sending %q; want 503", c.name, r,
			c.lastSent())
	}
	assert.Equal(t, 503, r.status, "%s: the first answer, with both "+
		"workers busy and the queue full", c.name)
	assert.Equal(t, "1", r.header.Get("Retry-After"), "%s: Retry-After "+
		"of the 503", c.name)
	assert.True(t, r.close, "%s: the 503 should say Connection: close",
		c.name)
	c.expectEnd(t, 5*time.Second, "a rejected connection is closed")
	queued := slices.DeleteFunc(more, func(o *conn) bool { return o == c })
	silent(t, 200*time.Millisecond, "two requests fit in the queue: "+
		"they wait for a worker", queued...)

	g.Open()
	for _, c := range append(running, queued...) {
		r := c.answer(t, 5*time.Second)
		assert.Equal(t, 200, r.status, "%s: status for %q", c.name,
			c.lastSent())
	}
	assert.LessOrEqual(t, g.most.Load(), int64(2), "handlers that ran "+
		"at once in a pool of 2")
}

// TestKeepAliveFairness opens 50 keep-alive connections to a pool of
// 16 workers. Each sends a request; then all are idle; then each sends
// another. Every connection must get both answers: a pool that gives a
// worker to a connection for its whole life answers 16 and leaves 34
// waiting.
func TestKeepAliveFairness(t *testing.T) {
	noLeaks(t)
	g := newGate()
	addr, _ := start(t, httpd.Pool(16, 64), g, func(s *httpd.Server) {
		s.IdleTimeout = 30 * time.Second // idle, but not gone
	})
	cs := open(t, addr, 50)
	for round := 1; round <= 2; round++ {
		path := fmt.Sprintf("/round%d", round)
		for i := len(cs) - 1; i >= 0; i-- {
			cs[i].send(t, get(path))
		}
		deadline := time.Now().Add(5 * time.Second)
		answered, missing, why := 0, []int{}, ""
		for i, c := range cs {
			r, ok := c.await(deadline)
			switch {
			case ok && r.err == nil && r.status == 200:
				answered++
				continue
			case why != "":
			case !ok:
				why = c.name + " got nothing"
			default:
				why = c.name + " got " + r.String()
			}
			missing = append(missing, i+1)
		}
		if !assert.Equal(t, 50, answered, "round %d: answers within "+
			"5s, to\n%q\nnone on %s (%s)", round, get(path),
			spans(missing), why) {
			return
		}
	}
	assert.LessOrEqual(t, g.most.Load(), int64(16), "handlers that ran "+
		"at once in a pool of 16")
}

// spans writes connection numbers as ranges: "3, 17-50".
func spans(ns []int) string {
	var b strings.Builder
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", ns[i], ns[j])
		} else {
			fmt.Fprint(&b, ns[i])
		}
		i = j + 1
	}
	return "connections " + b.String()
}

// TestSlowClients has 50 connections dribble their header, a byte now
// and then, while a normal request comes: a goroutine per connection
// or a pool answers it at once. (A synchronous server would answer it
// after ReadHeaderTimeout, 30 s here, per slow client before it.)
func TestSlowClients(t *testing.T) {
	rows := []struct {
		name     string
		strategy func() httpd.Strategy
	}{
		{"PerConn", func() httpd.Strategy { return httpd.PerConn(true) }},
		{"Pool(4, 8)", func() httpd.Strategy { return httpd.Pool(4, 8) }},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			noLeaks(t)
			addr, _ := start(t, row.strategy(), newGate(),
				func(s *httpd.Server) { s.ReadHeaderTimeout = 30 * time.Second })
			slow := open(t, addr, 50)
			for _, c := range slow {
				c.send(t, "GET / HTTP/1.1\r\nHost: x\r\nX-Dribble: ")
			}
			stop := make(chan struct{})
			var dribbling sync.WaitGroup
			dribbling.Add(1)
			go func() { // one byte per connection every 20 ms
				defer dribbling.Done()
				for {
					for _, c := range slow {
						c.nc.Write([]byte("a"))
					}
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}()
			t.Cleanup(func() {
				close(stop)
				dribbling.Wait()
			})
			time.Sleep(200 * time.Millisecond) // a few bytes each

			began := time.Now()
			c := wire.Dial(t, addr)
			c.Send(get("/"))
			r := c.ReadResponse() // at most wire.Timeout, 5 s
			wire.ExpectStatus(t, r, 200)
			wire.ExpectBody(t, r, "ok /\n")
			t.Logf("answered in %v beside 50 slow clients",
				time.Since(began).Round(time.Millisecond))
		})
	}
}

// TestConformance reruns the conformance suite of Part II against
// every strategy: how connections are served must not change what is
// said on them.
func TestConformance(t *testing.T) {
	rows := []struct {
		name     string
		strategy func() httpd.Strategy
	}{
		{"Sync", httpd.Sync},
		{"PerConn", func() httpd.Strategy { return httpd.PerConn(true) }},
		{"Pool", func() httpd.Strategy { return httpd.Pool(4, 16) }},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			noLeaks(t)
			conformance.Run(t, func(t *testing.T) string {
				addr, _ := start(t, row.strategy(), httpd.Conformance(),
					func(s *httpd.Server) {
						s.IdleTimeout = 300 * time.Millisecond
						s.WriteTimeout = 2 * time.Second
					})
				return addr
			}, conformance.Framing, conformance.Responses,
				conformance.KeepAlive)
		})
	}
}
