// This file is given: it needs no editing.

// Command spread measures how a prefork server spreads connections over
// its workers. It starts the server of cmd/prefork (this same binary,
// run again) once for each way to share the port, sends it bursts of
// connections that arrive together, and counts which worker PID
// answered each:
//
//	cd exercises && go run ./08-prefork/cmd/spread
//	spread [-workers 4] [-burst 8] [-rounds 30] [-ms 50]
//
// Each connection carries one request, "GET /?ms=N" (the worker waits
// N ms, a stand-in for work), and is closed after its response. At
// most -burst connections are open at once, all on 127.0.0.1. It needs
// a working Master.Run.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	httpd "socket2gateway/exercises/08-prefork"
)

// serveEnv makes this binary run the prefork server instead.
const serveEnv = "SPREAD_SERVE"

func main() {
	if os.Getenv(serveEnv) != "" {
		os.Exit(httpd.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	workers := flag.Int("workers", 4, "worker processes")
	burst := flag.Int("burst", 8, "connections that arrive together")
	rounds := flag.Int("rounds", 30, "bursts per server")
	ms := flag.Int("ms", 50, "milliseconds each request waits in the "+
		"worker")
	flag.Parse()

	fmt.Printf("%d workers; %d bursts of %d connections at once; "+
		"%d ms a request\n\n", *workers, *rounds, *burst, *ms)
	fmt.Printf("%-9s %5s  %-18s %8s %10s\n", "mode", "conns",
		"answers per worker", "busiest", "burst took")
	for _, c := range []struct {
		mode  string
		conns int
	}{{"inherit", 0}, {"inherit", 1}, {"reuseport", 0},
		{"reuseport", 1}} {
		r, err := measure(c.mode, c.conns, *workers, *burst, *rounds,
			*ms)
		if err != nil {
			fmt.Fprintln(os.Stderr, "spread:", err)
			os.Exit(1)
		}
		fmt.Printf("%-9s %5d  %-18s %8s %8dms\n", c.mode, c.conns,
			r.counts, fmt.Sprintf("%.1f of %d", r.busiest, *burst),
			r.took.Milliseconds())
	}
	fmt.Println("\nbusiest: the most connections one worker served " +
		"in a burst (mean);\nburst took: from the first connect " +
		"to the last response (median).")
}

// result is what measure found.
type result struct {
	counts  string        // answers per worker, busiest first
	busiest float64       // mean, over bursts, of the busiest worker
	took    time.Duration // median time a burst took
}

// measure starts a server, sends it rounds bursts, and stops it.
func measure(mode string, conns, workers, burst, rounds,
	ms int) (*result, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	srv := exec.Command(exe, "-addr", "127.0.0.1:0", "-mode", mode,
		"-workers", strconv.Itoa(workers), "-conns", strconv.Itoa(conns))
	srv.Env = append(os.Environ(), serveEnv+"=1")
	srv.Stderr = io.Discard
	out, err := srv.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		return nil, fmt.Errorf("%s: the server said %q: %v", mode, line,
			err)
	}
	// Wait until every worker has answered, so that start-up does
	// not count.
	seen := map[string]bool{}
	for deadline := time.Now().Add(10 * time.Second); len(seen) <
		workers; {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: only %d of %d workers "+
				"answered in 10 s", mode, len(seen), workers)
		}
		if pid, err := get(addr, 0); err == nil {
			seen[pid] = true
		}
	}

	total := map[string]int{}
	var busiest []int
	var took []time.Duration
	for range rounds {
		pids := make([]string, burst)
		errs := make([]error, burst)
		conns := make([]net.Conn, burst)
		var wg sync.WaitGroup
		begin := time.Now()
		// Connect them all first: the kernel completes each
		// handshake by itself, so they wait in the accept queue
		// together, as clients that come at the same moment do.
		for i := range burst {
			conns[i], errs[i] = net.DialTimeout("tcp", addr,
				5*time.Second)
			if errs[i] != nil {
				return nil, fmt.Errorf("%s: %v", mode, errs[i])
			}
		}
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pids[i], errs[i] = request(conns[i], ms)
			}()
		}
		wg.Wait()
		took = append(took, time.Since(begin))
		count := map[string]int{}
		for i, pid := range pids {
			if errs[i] != nil {
				return nil, fmt.Errorf("%s: %v", mode, errs[i])
			}
			count[pid]++
			total[pid]++
		}
		busiest = append(busiest, slices.Max(values(count)))
		time.Sleep(50 * time.Millisecond) // let the burst drain
	}
	n := values(total)
	slices.Sort(n)
	slices.Reverse(n)
	for len(n) < workers {
		n = append(n, 0)
	}
	sum := 0
	for _, b := range busiest {
		sum += b
	}
	slices.Sort(took)
	return &result{counts: strings.Trim(fmt.Sprint(n), "[]"),
		busiest: float64(sum) / float64(len(busiest)),
		took:    took[len(took)/2]}, nil
}

func values(m map[string]int) []int {
	var v []int
	for _, n := range m {
		v = append(v, n)
	}
	return v
}

// get sends one request on a new connection and returns the PID that
// served it.
func get(addr string, ms int) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	return request(c, ms)
}

// request sends one request on c, returns the PID that served it, and
// closes c.
func request(c net.Conn, ms int) (string, error) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET /?ms=%d HTTP/1.1\r\nHost: x\r\n"+
		"Connection: close\r\n\r\n", ms)
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", err
		}
		if line == "\r\n" {
			return "", fmt.Errorf("no %s field", httpd.WorkerPIDHeader)
		}
		name, value, _ := strings.Cut(line, ":")
		if strings.EqualFold(name, httpd.WorkerPIDHeader) {
			io.Copy(io.Discard, br)
			return strings.TrimSpace(value), nil
		}
	}
}
