// This file is given: it needs no editing.

// Command naive is the load generator everyone writes first, and
// should not: -c goroutines call http.Get in a loop for -d, with Go's
// default client. It runs it, then your load.Run with the same -c and
// -d against the same URL, and prints both, so you can see what the
// first one measures. Between the two, it runs the naive loop again
// with a client tuned to keep -c idle connections:
//
//	cd exercises
//	go run ./14-measuring/cmd/naive -url http://127.0.0.1:8005/hello
//
// The default client keeps at most two idle connections per host
// (http.DefaultMaxIdleConnsPerHost), so with 50 goroutines most
// requests find no idle connection and dial a new one: the naive
// generator measures TCP handshakes, and leaves thousands of sockets
// in TIME_WAIT. It counts the requests that opened a connection with
// net/http/httptrace.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	neturl "net/url"
	"os"
	"sync"
	"time"

	load "socket2gateway/exercises/14-measuring"
)

func main() {
	url := flag.String("url", "", "the `URL` to load: http://127.0.0.1:PORT/")
	c := flag.Int("c", 50, "goroutines")
	d := flag.Duration("d", 3*time.Second, "how long each generator runs")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "usage: naive -url http://127.0.0.1:PORT/")
		os.Exit(2)
	}
	// The workbook's rule, which load.Run applies too: loopback only.
	if u, err := neturl.Parse(*url); err != nil || u.Scheme != "http" ||
		!isLoopback(u.Hostname()) {
		fmt.Fprintf(os.Stderr, "naive: %q is not an http URL of "+
			"127.0.0.1\n", *url)
		os.Exit(1)
	}

	fmt.Printf("%d goroutines, %v each, %s\n", *c, *d, *url)
	clients := []struct {
		name   string
		client *http.Client
	}{
		{"http.Get", http.DefaultClient},
		{"tuned Transport", &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: *c}}},
	}
	for _, cl := range clients {
		lat, dials, failed := naive(cl.client, *url, *c, *d)
		s := (&load.Result{Latencies: lat, Elapsed: *d}).Summary()
		fmt.Printf("%-16s %6.0f req/s  p50 %5.2f ms  p99 %6.2f ms  "+
			"%d failed\n", cl.name, s.RPS, s.P50, s.P99, failed)
		fmt.Printf("  %d of %d requests dialled a new connection\n",
			dials, len(lat)+failed)
		time.Sleep(time.Second) // let closed sockets settle
	}

	r, err := load.Run(context.Background(), load.Config{URL: *url,
		Concurrency: *c, Duration: *d})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := r.Summary()
	fmt.Printf("%-16s %6.0f req/s  p50 %5.2f ms  "+
		"p99 %6.2f ms  %d failed\n", "load.Run", s.RPS, s.P50,
		s.P99, s.Errors.Total())
}

// naive runs c goroutines that get url with client until d is over,
// and returns the latencies of the 2xx answers, how many requests
// dialled a new connection, and how many failed.
func naive(client *http.Client, url string, c int, d time.Duration) (lat []time.Duration,
	dials, failed int) {
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	end := time.Now().Add(d)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				dialled := false
				trace := &httptrace.ClientTrace{
					ConnectStart: func(string, string) { dialled = true },
				}
				ctx := httptrace.WithClientTrace(context.Background(),
					trace)
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
				t0 := time.Now()
				resp, err := client.Do(req)
				ok := err == nil && resp.StatusCode/100 == 2
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				took := time.Since(t0)
				mu.Lock()
				if ok {
					lat = append(lat, took)
				} else {
					failed++
				}
				if dialled {
					dials++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, dials, failed
}

// isLoopback reports whether host is a loopback IP address.
func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
