// Command bench measures lesson 5's reference server against net/http,
// side by side, in one run: hello world over HTTP/1.1 keep-alive, from
// the same load generator, on 127.0.0.1.
//
//	go run ./bench                  # 100 connections, 10 s per server
//	go run ./bench -d 5s -c 50 -rounds 3
//	go run ./bench -load go         # the Go load generator, not wrk
//
// Each server runs in a process of its own (this program, re-executed
// with -serve), and the servers take turns: lesson 5, net/http, lesson
// 5, ... for -rounds rounds, so a machine that slows down during the
// run slows both. The load comes from wrk when it is installed
// (`apt-get install wrk`), else from the Go load generator in load.go,
// which keeps -c connections busy and reports requests per second and
// the 50th and 99th latency percentiles (nearest rank).
//
// It prints one line per run and, at the end, each figure's median
// over the rounds for each server, and the ratios of lesson 5 to
// net/http. cpu/req is the server process's CPU time (user and
// system) per request: steadier than requests per second on a machine
// that does other work.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	httpd "socket2gateway/solutions/05-persistent-connections"
)

// body is what both servers answer.
const body = "Hello, World!\n"

func main() {
	serve := flag.String("serve", "", "internal: serve `kind` (lesson5 or nethttp) and wait")
	dur := flag.Duration("d", 10*time.Second, "how long to load each server")
	conns := flag.Int("c", 100, "connections kept open")
	rounds := flag.Int("rounds", 1, "runs of each server, taking turns")
	load := flag.String("load", "", "load generator: wrk or go (default: wrk if installed)")
	threads := flag.Int("t", 2, "wrk threads")
	profile := flag.String("cpuprofile", "", "with -serve: write a CPU profile to `file`")
	flag.Parse()

	if *serve != "" {
		runServer(*serve, *profile)
		return
	}
	if *load == "" {
		*load = "go"
		if _, err := exec.LookPath("wrk"); err == nil {
			*load = "wrk"
		}
	}
	fmt.Printf("hello world, HTTP/1.1 keep-alive, %d connections,\n"+
		"%v per run, load from %s, %d CPUs\n", *conns, *dur, *load,
		numCPU())

	results := map[string][]result{}
	kinds := []string{"lesson5", "nethttp"}
	for round := 0; round < *rounds; round++ {
		for _, kind := range kinds {
			r, err := measure(kind, *load, *dur, *conns, *threads)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench: %s: %v\n", kind, err)
				os.Exit(1)
			}
			fmt.Printf("  %-7s %s\n", kind, r)
			results[kind] = append(results[kind], r)
		}
	}
	a, b := median(results["lesson5"]), median(results["nethttp"])
	fmt.Printf("median of the runs:\n  lesson5 %s\n  nethttp %s\n", a, b)
	fmt.Printf("lesson 5 / net/http: %.2fx the requests per second,\n"+
		"  p99 %v vs %v, %.2fx the CPU per request\n", a.rps/b.rps,
		a.p99, b.p99, float64(a.cpu)/float64(b.cpu))
}

// result is one run of the load generator against one server.
type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
	// cpu is the server's CPU time (user and system) per request:
	// what a request costs it, however busy the machine is.
	cpu time.Duration
}

func (r result) String() string {
	s := fmt.Sprintf("%6.0f req/s  p50 %-7v p99 %-8v cpu/req %v",
		r.rps, r.p50, r.p99, r.cpu)
	if r.errors > 0 {
		s += fmt.Sprintf("  (%d errors)", r.errors)
	}
	return s
}

// median returns, for each figure, its median over the runs.
func median(rs []result) result {
	mid := func(less func(i, j int) bool) result {
		sort.Slice(rs, less)
		return rs[len(rs)/2]
	}
	m := mid(func(i, j int) bool { return rs[i].rps < rs[j].rps })
	m.p50 = mid(func(i, j int) bool { return rs[i].p50 < rs[j].p50 }).p50
	m.p99 = mid(func(i, j int) bool { return rs[i].p99 < rs[j].p99 }).p99
	m.cpu = mid(func(i, j int) bool { return rs[i].cpu < rs[j].cpu }).cpu
	return m
}

// measure starts a server process of the given kind, loads it, and
// stops it.
func measure(kind, load string, d time.Duration, conns, threads int) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	cmd := exec.Command(self, "-serve", kind)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return result{}, err
	}
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	stop := func() time.Duration {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		stop()
		return result{}, fmt.Errorf("server said %q: %v", line, err)
	}
	url := "http://" + addr + "/"
	if err := check(url); err != nil {
		stop()
		return result{}, err
	}
	var r result
	if load == "wrk" {
		r, err = runWrk(url, d, conns, threads)
	} else {
		r, err = runLoad(addr, d, conns)
	}
	cpu := stop()
	if n := r.rps * d.Seconds(); n > 0 {
		r.cpu = (cpu / time.Duration(n)).Round(100 * time.Nanosecond)
	}
	return r, err
}

// check makes one request, so a broken server fails loudly.
func check(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != body {
		return fmt.Errorf("GET %s: %q, %v", url, b, err)
	}
	return nil
}

// runServer serves hello world on 127.0.0.1 and a free port, prints
// "listening on ADDR", and serves until SIGINT.
func runServer(kind, profile string) {
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	var closer io.Closer
	switch kind {
	case "lesson5":
		srv := &httpd.Server{Handler: httpd.HandlerFunc(
			func(w httpd.ResponseWriter, r *httpd.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				io.WriteString(w, body)
			})}
		go srv.Serve(ln)
		closer = srv
	case "nethttp":
		srv := &http.Server{Handler: http.HandlerFunc(
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				io.WriteString(w, body)
			})}
		go srv.Serve(ln)
		closer = srv
	default:
		fmt.Fprintf(os.Stderr, "bench: no server %q\n", kind)
		os.Exit(2)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	closer.Close()
}
