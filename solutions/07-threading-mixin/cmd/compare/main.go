// This file is given: it needs no editing.

// Command compare measures the strategies of lesson 7 side by side, in
// one run, with your strategy.go:
//
//	cd exercises && go run ./07-threading-mixin/cmd/compare
//	go run ./07-threading-mixin/cmd/compare -c 100 -d 5s -sleep 20ms
//
// For each strategy it starts a server in this process, on 127.0.0.1
// and a free port, whose handler sleeps -sleep (10 ms) and answers
// "ok". Then -c clients (50) load it for -d (2 s): each opens a
// keep-alive connection of its own, sends a request, waits for the
// answer and sends the next (a closed loop). A client that gets 503
// waits as long as its Retry-After says, on a new connection.
//
// It prints one line per strategy: requests answered per second, the
// 50th and 99th percentile of their latency (nearest rank), the
// requests that failed (a status other than 200, or a broken
// connection), and how many clients got at least one answer. A request
// still waiting when the time is up counts in none of these.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	httpd "socket2gateway/exercises/07-threading-mixin"
)

func main() {
	clients := flag.Int("c", 50, "clients, each on its own connection")
	dur := flag.Duration("d", 2*time.Second, "how long to load each "+
		"strategy")
	sleep := flag.Duration("sleep", 10*time.Millisecond,
		"how long the handler sleeps")
	flag.Parse()

	strategies := []struct {
		name string
		make func() httpd.Strategy
	}{
		{"sync", httpd.Sync},
		{"perconn", func() httpd.Strategy { return httpd.PerConn(true) }},
		{"pool 16, queue 64",
			func() httpd.Strategy { return httpd.Pool(16, 64) }},
		{"pool 64, queue 64",
			func() httpd.Strategy { return httpd.Pool(64, 64) }},
		{"pool 16, queue 8",
			func() httpd.Strategy { return httpd.Pool(16, 8) }},
	}
	fmt.Printf("%d clients, keep-alive, handler sleeps %v, %v each, "+
		"%d CPUs\n\n", *clients, *sleep, *dur, runtime.NumCPU())
	fmt.Printf("%-18s %7s %8s %8s %7s %9s\n", "strategy", "req/s",
		"p50", "p99", "failed", "answered")
	for _, s := range strategies {
		r, err := measure(s.make(), *clients, *dur, *sleep)
		if err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		fmt.Printf("%-18s %7.0f %8s %8s %7d %6d/%d\n", s.name,
			float64(len(r.latencies))/dur.Seconds(),
			ms(r.percentile(50)), ms(r.percentile(99)), r.failed,
			r.answered, *clients)
	}
}

// result is what the clients of one run saw.
type result struct {
	mu        sync.Mutex
	latencies []time.Duration // of the requests answered with 200
	failed    int             // other statuses, broken connections
	answered  int             // clients with at least one 200
}

// percentile returns the p-th percentile latency, nearest rank, or
// -1 when nothing was answered.
func (r *result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return -1
	}
	slices.Sort(r.latencies)
	rank := int(math.Ceil(p / 100 * float64(len(r.latencies))))
	return r.latencies[max(rank, 1)-1]
}

func ms(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// measure serves a sleeping handler with strategy, loads it with n
// clients for d, and closes the server.
func measure(strategy httpd.Strategy, n int, d, sleep time.Duration) (
	*result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &httpd.Server{
		Strategy: strategy,
		ErrorLog: log.New(io.Discard, "", 0),
		Handler: httpd.HandlerFunc(func(w httpd.ResponseWriter,
			r *httpd.Request) {
			time.Sleep(sleep)
			io.WriteString(w, "ok\n")
		}),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	r := &result{}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client(ln.Addr().String(), end, r)
		}()
	}
	wg.Wait()
	srv.Close()
	<-served
	return r, nil
}

// request is what every client sends, again and again.
const request = "GET / HTTP/1.1\r\nHost: compare\r\n\r\n"

// client sends requests on a keep-alive connection, one at a time,
// until end, and adds what it saw to r.
func client(addr string, end time.Time, r *result) {
	var (
		lat      []time.Duration
		failed   int
		conn     net.Conn
		br       *bufio.Reader
		pause    time.Duration // before the next request: Retry-After
		timeUp   = func() bool { return !time.Now().Before(end) }
		hangUp   = func() { conn.Close(); conn = nil }
		waitTill = func(d time.Duration) {
			time.Sleep(min(d, time.Until(end)))
		}
	)
	for !timeUp() {
		if pause > 0 {
			waitTill(pause)
			pause = 0
			continue
		}
		if conn == nil {
			c, err := net.DialTimeout("tcp", addr, time.Until(end))
			if err != nil {
				if !timeUp() {
					failed++
					waitTill(10 * time.Millisecond)
				}
				continue
			}
			conn, br = c, bufio.NewReader(c)
			conn.SetDeadline(end)
		}
		start := time.Now()
		if _, err := io.WriteString(conn, request); err != nil {
			if !timeUp() {
				failed++
			}
			hangUp()
			continue
		}
		resp, err := http.ReadResponse(br, nil)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		switch {
		case err != nil:
			if !timeUp() {
				failed++
			}
			hangUp()
			waitTill(10 * time.Millisecond) // then a new connection
			continue
		case resp.StatusCode == 200:
			lat = append(lat, time.Since(start))
		default:
			failed++
			secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			pause = time.Duration(secs) * time.Second
		}
		if resp.Close {
			hangUp()
		}
	}
	if conn != nil {
		conn.Close()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, lat...)
	r.failed += failed
	if len(lat) > 0 {
		r.answered++
	}
}
