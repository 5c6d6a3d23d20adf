// Package harness is what both benchmark harnesses of bench/ share:
// the result of one load run and its median, the Go load generator, and
// the wrk driver.
package harness

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net"
	"net/textproto"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Result is one run of the load generator against one server.
type Result struct {
	RPS      float64
	P50, P99 time.Duration
	Errors   int
	// cpu is the server's CPU time (user and system) per request:
	// what a request costs it, however busy the machine is.
	CPU time.Duration
}

func (r Result) String() string {
	s := fmt.Sprintf("%6.0f req/s  p50 %-7v p99 %-8v cpu/req %v",
		r.RPS, r.P50, r.P99, r.CPU)
	if r.Errors > 0 {
		s += fmt.Sprintf("  (%d errors)", r.Errors)
	}
	return s
}

// Median returns, for each figure, its median over the runs.
func Median(rs []Result) Result {
	mid := func(less func(i, j int) bool) Result {
		sort.Slice(rs, less)
		return rs[len(rs)/2]
	}
	m := mid(func(i, j int) bool { return rs[i].RPS < rs[j].RPS })
	m.P50 = mid(func(i, j int) bool { return rs[i].P50 < rs[j].P50 }).P50
	m.P99 = mid(func(i, j int) bool { return rs[i].P99 < rs[j].P99 }).P99
	m.CPU = mid(func(i, j int) bool { return rs[i].CPU < rs[j].CPU }).CPU
	return m
}

// request is what every connection of the Go load generator sends.
const request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"

// RunLoad keeps conns keep-alive connections to addr busy for d, one
// request at a time on each, and reports requests per second and the
// latency percentiles, nearest rank.
func RunLoad(addr string, d time.Duration, conns int) (Result, error) {
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
		return Result{}, fmt.Errorf("no request succeeded (%d errors)", errors)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return Result{
		RPS:    float64(len(all)) / elapsed.Seconds(),
		P50:    nearestRank(all, 50),
		P99:    nearestRank(all, 99),
		Errors: errors,
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

// RunWrk loads url with wrk and reads its report: requests per second
// and the 50% and 99% lines of its latency distribution.
func RunWrk(url string, d time.Duration, conns, threads int) (Result, error) {
	return RunWrkOn(nil, url, d, conns, threads)
}

// RunWrkOn is RunWrk with wrk started through wrap (see Pin), or
// directly when wrap is empty.
func RunWrkOn(wrap []string, url string, d time.Duration, conns, threads int) (Result, error) {
	args := append(slices.Clone(wrap), "wrk", "--latency",
		"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", fmt.Sprintf("%ds", int(d.Seconds())), url)
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return parseWrk(string(out))
}

// Pin returns the command prefix that runs a program on the given
// CPUs ("0", "1-3"): taskset from util-linux. It returns nil when the
// machine has a single CPU or no taskset, and the program then runs
// wherever the kernel puts it.
func Pin(cpus string) []string {
	if runtime.NumCPU() < 2 {
		return nil
	}
	path, err := exec.LookPath("taskset")
	if err != nil {
		return nil
	}
	return []string{path, "-c", cpus}
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkPercent = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s|m)\s*$`)
	wrkErrors  = regexp.MustCompile(`Socket Errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func parseWrk(out string) (Result, error) {
	var r Result
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's report:\n%s", out)
	}
	r.RPS, _ = strconv.ParseFloat(m[1], 64)
	for _, m := range wrkPercent.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond,
			"ms": time.Millisecond, "s": time.Second, "m": time.Minute}[m[3]]
		d := time.Duration(v * float64(unit)).Round(time.Microsecond)
		if m[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	if m := wrkErrors.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.Errors += n
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.Errors += n
	}
	return r, nil
}
