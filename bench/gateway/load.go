package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// request is what every connection of the Go load generator sends.
const request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"

// runLoad keeps conns keep-alive connections to addr busy for d, one
// request at a time on each, and reports requests per second and the
// latency percentiles, nearest rank.
func runLoad(addr string, d time.Duration, conns int) (result, error) {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		all    []time.Duration // guarded by mu
		errors int             // guarded by mu
	)
	begin := time.Now()
	end := begin.Add(d)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat, errs := client(addr, end)
			mu.Lock()
			all = append(all, lat...)
			errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if len(all) == 0 {
		return result{}, fmt.Errorf("no request succeeded (%d errors)", errors)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return result{
		rps:    float64(len(all)) / elapsed.Seconds(),
		p50:    nearestRank(all, 50),
		p99:    nearestRank(all, 99),
		errors: errors,
	}, nil
}

// nearestRank returns the p-th percentile of sorted: the smallest value
// with at least p% of the values at or below it.
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// client sends requests on one connection until end, reconnecting
// after an error, and returns each request's latency.
func client(addr string, end time.Time) (lat []time.Duration, errs int) {
	for time.Now().Before(end) {
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			errs++
			time.Sleep(10 * time.Millisecond)
			continue
		}
		nc.SetDeadline(end.Add(5 * time.Second))
		br := bufio.NewReader(nc)
		for time.Now().Before(end) {
			t0 := time.Now()
			if _, err := io.WriteString(nc, request); err != nil {
				errs++
				break
			}
			if err := readResponse(br); err != nil {
				errs++
				break
			}
			lat = append(lat, time.Since(t0))
		}
		nc.Close()
	}
	return lat, errs
}

// readResponse reads one 200 response with a Content-Length body.
func readResponse(br *bufio.Reader) error {
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "HTTP/1.1 200 ") {
		return fmt.Errorf("status line %q", line)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil {
		return fmt.Errorf("Content-Length %q", h.Get("Content-Length"))
	}
	_, err = br.Discard(n)
	return err
}
