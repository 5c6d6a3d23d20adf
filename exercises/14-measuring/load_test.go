// Don't change the tests: tutor check runs them as they are.

package load_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	load "socket2gateway/exercises/14-measuring"
)

func TestPercentile(t *testing.T) {
	oneTo := func(n int) []time.Duration {
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = ms(float64(i + 1))
		}
		return s
	}
	cases := []struct {
		name    string
		samples []time.Duration
		want    map[float64]time.Duration // p → percentile
	}{
		{"no samples", nil, map[float64]time.Duration{50: 0, 100: 0}},
		{"one sample", []time.Duration{ms(7)},
			map[float64]time.Duration{0: ms(7), 1: ms(7), 50: ms(7),
				99: ms(7), 100: ms(7)}},
		{"two samples: no interpolation",
			[]time.Duration{ms(20), ms(10)},
			map[float64]time.Duration{50: ms(10), 51: ms(20),
				100: ms(20)}},
		{"1 to 10 ms", oneTo(10),
			map[float64]time.Duration{0: ms(1), 10: ms(1), 11: ms(2),
				50: ms(5), 90: ms(9), 91: ms(10), 99: ms(10),
				100: ms(10)}},
		{"unsorted", []time.Duration{ms(9), ms(2), ms(7), ms(1),
			ms(10), ms(3), ms(8), ms(4), ms(6), ms(5)},
			map[float64]time.Duration{0: ms(1), 50: ms(5), 90: ms(9),
				99: ms(10), 100: ms(10)}},
		{"ties", []time.Duration{ms(5), ms(5), ms(1), ms(5), ms(5)},
			map[float64]time.Duration{20: ms(1), 21: ms(5), 50: ms(5),
				100: ms(5)}},
		{"1 to 100 ms: ranks without rounding errors", oneTo(100),
			map[float64]time.Duration{7: ms(7), 14: ms(14),
				28: ms(28), 50: ms(50), 55: ms(55), 90: ms(90),
				99: ms(99), 99.5: ms(100), 100: ms(100)}},
		{"a slow tail", append(slices.Repeat(
			[]time.Duration{ms(1)}, 98), ms(500), ms(900)),
			map[float64]time.Duration{50: ms(1), 90: ms(1),
				98: ms(1), 99: ms(500), 100: ms(900)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := slices.Clone(c.samples)
			ps := make([]float64, 0, len(c.want))
			for p := range c.want {
				ps = append(ps, p)
			}
			slices.Sort(ps)
			for _, p := range ps {
				got := load.Percentile(c.samples, p)
				assert.Equal(t, c.want[p], got,
					"Percentile(%s, %v)", show(c.samples), p)
			}
			assert.Equal(t, before, c.samples,
				"Percentile changed the samples it was given")
		})
	}
	t.Run("p out of range panics", func(t *testing.T) {
		for _, p := range []float64{-1, 100.5} {
			assert.Panics(t, func() {
				load.Percentile([]time.Duration{ms(1)}, p)
			}, "Percentile(..., %v)", p)
		}
	})
}

func TestSummary(t *testing.T) {
	cases := []struct {
		name string
		r    load.Result
		want string // its JSON
	}{
		{"ten requests in two seconds",
			load.Result{
				Latencies: []time.Duration{ms(9), ms(2), ms(7),
					ms(1), ms(10), ms(3), ms(8), ms(4), ms(6),
					ms(5.5)},
				Elapsed: 2 * time.Second,
				Errors: load.Errors{EarlyClose: 1, Timeout: 2,
					BadStatus: 3, Refused: 4},
			},
			`{"requests":10,"seconds":2,"rps":5,"p50_ms":5.5,` +
				`"p90_ms":9,"p99_ms":10,"max_ms":10,"errors":` +
				`{"early_close":1,"timeout":2,"bad_status":3,` +
				`"refused":4}}`},
		{"microseconds are kept",
			load.Result{
				Latencies: []time.Duration{1500 * time.Microsecond},
				Elapsed:   250 * time.Millisecond,
			},
			`{"requests":1,"seconds":0.25,"rps":4,"p50_ms":1.5,` +
				`"p90_ms":1.5,"p99_ms":1.5,"max_ms":1.5,"errors":` +
				`{"early_close":0,"timeout":0,"bad_status":0,` +
				`"refused":0}}`},
		{"nothing but errors",
			load.Result{Elapsed: time.Second,
				Errors: load.Errors{Refused: 7}},
			`{"requests":0,"seconds":1,"rps":0,"p50_ms":0,` +
				`"p90_ms":0,"p99_ms":0,"max_ms":0,"errors":` +
				`{"early_close":0,"timeout":0,"bad_status":0,` +
				`"refused":7}}`},
		{"no time at all: no NaN",
			load.Result{},
			`{"requests":0,"seconds":0,"rps":0,"p50_ms":0,` +
				`"p90_ms":0,"p99_ms":0,"max_ms":0,"errors":` +
				`{"early_close":0,"timeout":0,"bad_status":0,` +
				`"refused":0}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.r.Summary())
			if assert.NoError(t, err, "json.Marshal(%+v)",
				c.r.Summary()) {
				assert.JSONEq(t, c.want, string(b),
					"the summary of %+v", c.r)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	var served atomic.Int64
	base := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		io.WriteString(w, "ok\n")
	}, nil)
	_, port, _ := strings.Cut(strings.TrimPrefix(base, "http://"), ":")
	good := load.Config{URL: base + "/", Concurrency: 1,
		Duration: 100 * time.Millisecond}

	bad := []struct {
		name string
		cfg  func(c *load.Config)
		says string // the error names the culprit
	}{
		{"a host name", func(c *load.Config) {
			c.URL = "http://example.com:" + port + "/"
		}, `"example.com"`},
		{"localhost is a name, too", func(c *load.Config) {
			c.URL = "http://localhost:" + port + "/"
		}, `"localhost"`},
		{"another machine", func(c *load.Config) {
			c.URL = "http://10.1.2.3:" + port + "/"
		}, `"10.1.2.3"`},
		{"https", func(c *load.Config) {
			c.URL = "https://127.0.0.1:" + port + "/"
		}, "https"},
		{"not a URL", func(c *load.Config) {
			c.URL = "127.0.0.1:" + port
		}, "load: "},
		{"concurrency 0", func(c *load.Config) {
			c.Concurrency = 0
		}, "concurrency"},
		{"concurrency over MaxConcurrency", func(c *load.Config) {
			c.Concurrency = load.MaxConcurrency + 1
		}, "concurrency"},
		{"duration 0", func(c *load.Config) {
			c.Duration = 0
		}, "duration"},
		{"duration over MaxDuration", func(c *load.Config) {
			c.Duration = load.MaxDuration + time.Second
		}, "duration"},
		{"a header field without a colon", func(c *load.Config) {
			c.Header = []string{"Accept: */*", "Accept text/html"}
		}, `"Accept text/html"`},
		{"a header field that smuggles another", func(c *load.Config) {
			c.Header = []string{"X-A: 1\r\nX-B: 2"}
		}, `"X-A: 1\r\nX-B: 2"`},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.cfg(&cfg)
			before := served.Load()
			r, err := load.Run(context.Background(), cfg)
			assert.Nil(t, r, "load.Run(%+v) returned a result", cfg)
			if assert.Error(t, err, "load.Run(%+v)", cfg) {
				assert.True(t, strings.HasPrefix(err.Error(), "load: "),
					"the error %q should start with \"load: \"", err)
				assert.Contains(t, err.Error(), c.says,
					"the error should say what is wrong")
			}
			assert.Equal(t, before, served.Load(),
				"load.Run(%+v) sent requests", cfg)
		})
	}
	t.Run("127.0.0.1 is fine", func(t *testing.T) {
		for _, url := range []string{base + "/", base} {
			cfg := good
			cfg.URL = url
			r, _ := run(t, cfg)
			assert.NotEmpty(t, r.Latencies,
				"load.Run(%+v) measured no request", cfg)
			assert.Zero(t, r.Errors, "load.Run(%+v): errors", cfg)
		}
	})
}

func TestClosedLoop(t *testing.T) {
	const workers = 3
	var (
		conns    atomic.Int64
		inFlight atomic.Int64
		mu       sync.Mutex
		most     int64    // guarded by mu: most requests in flight
		served   int64    // guarded by mu: requests answered
		targets  []string // guarded by mu: every request-target
		hosts    []string // guarded by mu: every Host
		extras   []string // guarded by mu: every X-Load-Test
	)
	base := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		mu.Lock()
		most = max(most, n)
		targets = append(targets, r.RequestURI)
		hosts = append(hosts, r.Host)
		extras = append(extras, r.Header.Get("X-Load-Test"))
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		inFlight.Add(-1)
		io.WriteString(w, "hello\n")
		mu.Lock()
		served++
		mu.Unlock()
	}, func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	})
	cfg := load.Config{URL: base + "/hello?name=load",
		Concurrency: workers, Duration: 500 * time.Millisecond,
		Header: []string{"Accept: text/plain", "X-Load-Test: yes"}}
	r, _ := run(t, cfg)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, int64(workers), conns.Load(),
		"%d workers should open one keep-alive connection each", workers)
	assert.Equal(t, int64(workers), most,
		"the most requests in flight at once should be one per worker")
	assert.Zero(t, r.Errors, "errors")
	got := int64(len(r.Latencies))
	assert.GreaterOrEqual(t, got, int64(20),
		"the server answered %d requests; %d latencies recorded",
		served, got)
	assert.LessOrEqual(t, got, served,
		"more latencies recorded than the server answered requests")
	assert.GreaterOrEqual(t, got, served-workers,
		"the server answered %d requests, %d were recorded: only the "+
			"ones in flight at the end (one per worker) may be lost",
		served, got)
	wantHost := strings.TrimPrefix(base, "http://")
	for i := range targets {
		if !assert.Equal(t, "/hello?name=load", targets[i],
			"the request-target of request %d", i) ||
			!assert.Equal(t, wantHost, hosts[i],
				"the Host of request %d", i) ||
			!assert.Equal(t, "yes", extras[i],
				"the X-Load-Test field (Config.Header) of "+
					"request %d", i) {
			break
		}
	}
}

func TestKnownDelay(t *testing.T) {
	const (
		workers = 4
		delay   = 20 * time.Millisecond
	)
	base := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		io.WriteString(w, "slept\n")
	}, nil)
	cfg := load.Config{URL: base + "/", Concurrency: workers,
		Duration: time.Second}
	r, took := run(t, cfg)
	s := r.Summary()
	t.Logf("%d requests, %.0f req/s, p50 %.1f ms, p99 %.1f ms",
		s.Requests, s.RPS, s.P50, s.P99)

	assert.Zero(t, r.Errors, "errors")
	assert.Less(t, took, cfg.Duration+time.Second,
		"Run should end soon after its Duration")
	assert.InDelta(t, cfg.Duration.Seconds(), r.Elapsed.Seconds(), 0.25,
		"Elapsed, the measured window, is about the Duration")
	if !assert.NotEmpty(t, r.Latencies, "no latency was recorded") {
		return
	}
	fastest := load.Percentile(r.Latencies, 0)
	assert.GreaterOrEqual(t, fastest, delay,
		"every request takes the server's %v, at least", delay)
	p50 := load.Percentile(r.Latencies, 50)
	assert.GreaterOrEqual(t, p50, delay, "p50")
	assert.LessOrEqual(t, p50, 3*delay, "p50")
	assert.InDelta(t, float64(p50)/float64(time.Millisecond), s.P50,
		1e-9, "the summary's p50_ms")
	// A closed loop of 4 workers waiting 20 ms per request makes at
	// most 4 / 0.02 = 200 requests per second; a busy machine, fewer.
	most := float64(workers) / delay.Seconds()
	assert.LessOrEqual(t, s.RPS, 1.05*most, "req/s")
	assert.GreaterOrEqual(t, s.RPS, 0.25*most, "req/s")
	assert.InDelta(t, float64(s.Requests)/r.Elapsed.Seconds(), s.RPS,
		1e-6, "req/s is requests over the measured window")
}

func TestErrors(t *testing.T) {
	answer := func(status int) func(net.Conn, *bufio.Reader) {
		return func(c net.Conn, br *bufio.Reader) {
			for readHead(br) {
				fmt.Fprintf(c, "HTTP/1.1 %d Whatever\r\n"+
					"Content-Length: 5\r\n\r\noops\n", status)
			}
		}
	}
	cases := []struct {
		name    string
		url     func(t *testing.T) string
		timeout time.Duration
		want    func(e load.Errors) int // the bucket to fill
	}{
		{"500 Internal Server Error", func(t *testing.T) string {
			return rawServer(t, answer(500))
		}, 0, func(e load.Errors) int { return e.BadStatus }},
		{"404 Not Found", func(t *testing.T) string {
			return rawServer(t, answer(404))
		}, 0, func(e load.Errors) int { return e.BadStatus }},
		{"not HTTP at all", func(t *testing.T) string {
			return rawServer(t, func(c net.Conn, br *bufio.Reader) {
				if readHead(br) {
					io.WriteString(c, "hello, whoever you are\r\n")
				}
			})
		}, 0, func(e load.Errors) int { return e.BadStatus }},
		{"closed before answering", func(t *testing.T) string {
			return rawServer(t, func(c net.Conn, br *bufio.Reader) {
				readHead(br)
			})
		}, 0, func(e load.Errors) int { return e.EarlyClose }},
		{"closed inside the body", func(t *testing.T) string {
			return rawServer(t, func(c net.Conn, br *bufio.Reader) {
				if readHead(br) {
					io.WriteString(c, "HTTP/1.1 200 OK\r\n"+
						"Content-Length: 100\r\n\r\nshort")
				}
			})
		}, 0, func(e load.Errors) int { return e.EarlyClose }},
		{"never answers", func(t *testing.T) string {
			return rawServer(t, func(c net.Conn, br *bufio.Reader) {
				readHead(br)
				io.Copy(io.Discard, br) // until the client closes
			})
		}, 100 * time.Millisecond,
			func(e load.Errors) int { return e.Timeout }},
		{"nothing listens", refusedURL, 0,
			func(e load.Errors) int { return e.Refused }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := load.Config{URL: c.url(t) + "/", Concurrency: 2,
				Duration: 400 * time.Millisecond, Timeout: c.timeout}
			r, took := run(t, cfg)
			e := r.Errors
			assert.Empty(t, r.Latencies,
				"latencies recorded, though no request succeeded")
			assert.Positive(t, c.want(e),
				"no error in the right bucket: %+v", e)
			assert.Equal(t, e.Total(), c.want(e),
				"errors in other buckets: %+v", e)
			assert.Less(t, took, cfg.Duration+time.Second,
				"Run should end soon after its Duration")
		})
	}
	t.Run("a server that closes after each answer is fine",
		func(t *testing.T) {
			u := rawServer(t, func(c net.Conn, br *bufio.Reader) {
				if readHead(br) {
					io.WriteString(c, "HTTP/1.1 200 OK\r\n"+
						"Connection: close\r\n"+
						"Content-Length: 3\r\n\r\nok\n")
				}
			})
			cfg := load.Config{URL: u + "/", Concurrency: 2,
				Duration: 300 * time.Millisecond}
			r, _ := run(t, cfg)
			assert.Zero(t, r.Errors,
				"Connection: close is not an error: dial again")
			assert.GreaterOrEqual(t, len(r.Latencies), 10,
				"successful requests")
		})
}

func TestEnd(t *testing.T) {
	var held atomic.Int64
	base := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		if readHead(br) {
			held.Add(1)
		}
		io.Copy(io.Discard, br) // never answer
	})
	t.Run("at the deadline, requests in flight count nowhere",
		func(t *testing.T) {
			cfg := load.Config{URL: base + "/", Concurrency: 3,
				Duration: 300 * time.Millisecond,
				Timeout:  5 * time.Second}
			r, took := run(t, cfg)
			assert.Less(t, took, cfg.Duration+time.Second,
				"Run waited for requests that would never end")
			assert.Zero(t, r.Errors,
				"a request cut off by the end is not an error")
			assert.Empty(t, r.Latencies, "latencies")
			assert.InDelta(t, cfg.Duration.Seconds(),
				r.Elapsed.Seconds(), 0.25, "Elapsed")
		})
	t.Run("cancelling the context ends the run", func(t *testing.T) {
		cfg := load.Config{URL: base + "/", Concurrency: 3,
			Duration: 30 * time.Second, Timeout: 5 * time.Second}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		r, err := load.Run(ctx, cfg)
		took := time.Since(start)
		require.NoError(t, err)
		require.NotNil(t, r)
		assert.Less(t, took, 2*time.Second,
			"Run went on after its context was cancelled")
		assert.Less(t, r.Elapsed, time.Second,
			"Elapsed ends when the context is cancelled")
		assert.Zero(t, r.Errors, "errors")
	})
	assert.Positive(t, held.Load(), "the server received no request")
}
