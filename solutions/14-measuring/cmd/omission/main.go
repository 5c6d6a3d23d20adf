// This file is given: it needs no editing.

// Command omission shows coordinated omission, the flaw of every
// closed-loop load generator, yours included (Gil Tene, "How NOT to
// Measure Latency"):
//
//	cd exercises && go run ./14-measuring/cmd/omission
//
// It serves, on 127.0.0.1, a handler that answers at once, except
// that the whole server stalls for -stall (1 s) starting 1 s into the
// run, the way a process does in a long garbage collection, a swap, a
// lock held too long. Then it measures the same -d (3 s) twice:
//
//   - closed loop: your load.Run with -c workers (10). Stalled, they
//     wait with the server, and send nothing: the stall costs one slow
//     request per worker, a handful among thousands.
//   - open loop: requests sent on a schedule, -rate per second (500),
//     whatever happens to the earlier ones, each timed from when it
//     was due. A user does not wait for the previous user's answer
//     before clicking, so this is what users see.
//
// Both print their percentiles (nearest rank, with your Percentile).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	load "socket2gateway/exercises/14-measuring"
)

func main() {
	c := flag.Int("c", 10, "closed loop: workers")
	rate := flag.Int("rate", 500, "open loop: requests per second")
	d := flag.Duration("d", 3*time.Second, "how long each loop runs")
	stall := flag.Duration("stall", time.Second,
		"how long the server stalls, 1 s into each run")
	flag.Parse()

	srv := newStallServer()
	defer srv.Close()
	fmt.Printf("the server stalls for %v, 1 s into each %v run\n",
		*stall, *d)

	srv.stallAt(time.Now().Add(time.Second), *stall)
	r, err := load.Run(context.Background(), load.Config{URL: srv.url,
		Concurrency: *c, Duration: *d})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	report(fmt.Sprintf("closed loop, %d workers", *c), r.Latencies)

	time.Sleep(500 * time.Millisecond)
	srv.stallAt(time.Now().Add(time.Second), *stall)
	report(fmt.Sprintf("open loop, %d req/s", *rate),
		openLoop(srv.url, *rate, *d))
}

func report(name string, lat []time.Duration) {
	ms := func(p float64) float64 {
		return float64(load.Percentile(lat, p)) / float64(time.Millisecond)
	}
	fmt.Printf("%-24s %6d requests\n  p50 %7.2f ms  p90 %7.2f ms  "+
		"p99 %7.2f ms  max %7.2f ms\n", name, len(lat), ms(50), ms(90),
		ms(99), ms(100))
}

// openLoop sends rate requests per second to url for d, each in a
// goroutine of its own, started when it is due whether or not the
// earlier ones were answered, and returns each one's latency from the
// moment it was due.
func openLoop(url string, rate int, d time.Duration) []time.Duration {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 2 * rate},
	}
	defer client.CloseIdleConnections()
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		lat []time.Duration
	)
	start := time.Now()
	for i := range int(d.Seconds() * float64(rate)) {
		due := start.Add(time.Duration(i) * time.Second /
			time.Duration(rate))
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(url)
			if err != nil {
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			took := time.Since(due)
			mu.Lock()
			lat = append(lat, took)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lat
}

// stallServer answers "ok" at once, except during its stall.
type stallServer struct {
	*http.Server
	url string

	mu         sync.Mutex
	stallStart time.Time // guarded by mu
	stallEnd   time.Time // guarded by mu
}

func newStallServer() *stallServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "omission:", err)
		os.Exit(1)
	}
	s := &stallServer{url: "http://" + ln.Addr().String() + "/"}
	s.Server = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go s.Serve(ln)
	return s
}

// stallAt makes the server stall from start for d.
func (s *stallServer) stallAt(start time.Time, d time.Duration) {
	s.mu.Lock()
	s.stallStart, s.stallEnd = start, start.Add(d)
	s.mu.Unlock()
}

func (s *stallServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	start, end := s.stallStart, s.stallEnd
	s.mu.Unlock()
	if now := time.Now(); !now.Before(start) && now.Before(end) {
		time.Sleep(end.Sub(now)) // the whole server is stuck
	}
	io.WriteString(w, "ok\n")
}
