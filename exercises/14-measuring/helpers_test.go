// Don't change the tests: tutor check runs them as they are.

package load_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	load "socket2gateway/exercises/14-measuring"
)

// ms is a shorthand for n milliseconds.
func ms(n float64) time.Duration {
	return time.Duration(n * float64(time.Millisecond))
}

// show formats samples for a message, the middle left out when there
// are more than ten.
func show(samples []time.Duration) string {
	if len(samples) <= 10 {
		return fmt.Sprint(samples)
	}
	return fmt.Sprintf("[%v %v %v ... %v] (%d samples)", samples[0],
		samples[1], samples[2], samples[len(samples)-1], len(samples))
}

// httpServer serves h with net/http on 127.0.0.1 and a free port, and
// returns the server's base URL ("http://127.0.0.1:PORT"). connState,
// if not nil, hears of every connection's changes of state.
func httpServer(t *testing.T, h http.HandlerFunc,
	connState func(net.Conn, http.ConnState)) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = connState
	srv.Start()
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"),
		"the test server listens on %q", srv.URL)
	return srv.URL
}

// rawServer accepts connections on 127.0.0.1 and a free port and gives
// each to handle, in a goroutine of its own, with a deadline of 10 s.
// It returns the server's base URL. When the test ends it closes the
// listener and every connection, and waits for the goroutines.
func rawServer(t *testing.T, handle func(c net.Conn,
	br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{} // guarded by mu
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c, bufio.NewReader(c))
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// readHead reads a request's line and header, up to the empty line,
// and reports whether it got them all.
func readHead(br *bufio.Reader) bool {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return false
		}
		if line == "\r\n" || line == "\n" {
			return true
		}
	}
}

// run runs the load generator with cfg and a context that gives up 10
// s after cfg.Duration, and returns the result and how long Run took.
func run(t *testing.T, cfg load.Config) (*load.Result, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(),
		cfg.Duration+10*time.Second)
	defer cancel()
	start := time.Now()
	r, err := load.Run(ctx, cfg)
	took := time.Since(start)
	require.NoError(t, err, "load.Run(%+v)", cfg)
	require.NotNil(t, r, "load.Run(%+v) returned no result", cfg)
	return r, took
}

// refusedURL returns a URL of 127.0.0.1 where nothing listens: the
// port of a listener just closed.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}
