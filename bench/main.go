// Command bench measures lesson 5's reference server against net/http,
// side by side, in one run: hello world over HTTP/1.1 keep-alive, from
// the same load generator, on 127.0.0.1.
//
//	go run .                  # 100 connections, 10 s per server
//	go run . -rounds 5 -d 4s  # what lesson 5 shows
//	go run . -pin=false       # server and wrk share the CPUs
//	go run . -load go         # the Go load generator, not wrk
//
// Each server runs in a process of its own (this program, re-executed
// with -serve), and the servers take turns: lesson 5, net/http, the
// naive server, lesson 5, ... for -rounds rounds, so a machine that
// slows down during the run slows them all. The naive server is the
// calibration point: a loop that skips each request's lines and writes
// a fixed answer, parsing and checking nothing.
//
// The load comes from wrk when it is installed (`apt-get install
// wrk`), else from the Go load generator in internal/harness, which
// keeps -c connections busy and reports requests per second and the
// 50th and 99th latency percentiles (nearest rank). With wrk and -pin
// (the default, on a machine with two CPUs or more and taskset), the
// server runs on CPU 0 and wrk, with one thread, on CPU 1: neither
// takes CPU time from the other, so a faster server is not slowed by
// the load it leaves wrk to generate, and the runs move less.
//
// It prints one line per run and, at the end, each figure's median
// over the rounds for each server, the ratios of lesson 5 to net/http,
// and the ratio round by round. cpu/req is the server process's CPU
// time (user and system) per request: steadier than requests per
// second on a machine that does other work.
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
	"runtime"
	"runtime/pprof"
	"slices"
	"socket2gateway/bench/internal/harness"
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
	threads := flag.Int("t", 0, "wrk threads (default 1 pinned, 2 not)")
	pin := flag.Bool("pin", true, "run the server on CPU 0 and wrk on CPU 1 (with taskset)")
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
	var serverCPU, loadCPU []string
	if *pin && *load == "wrk" {
		serverCPU, loadCPU = harness.Pin("0"), harness.Pin("1")
	}
	if *threads == 0 {
		*threads = 2
		if loadCPU != nil {
			*threads = 1
		}
	}
	where := "sharing the CPUs"
	if loadCPU != nil {
		where = "server on CPU 0, wrk on CPU 1"
	}
	fmt.Printf("hello world, HTTP/1.1 keep-alive, %d connections,\n"+
		"%v per run, load from %s, %d CPUs: %s\n", *conns, *dur, *load,
		runtime.NumCPU(), where)

	results := map[string][]harness.Result{}
	kinds := []string{"lesson5", "nethttp", "naive"}
	for round := 0; round < *rounds; round++ {
		for _, kind := range kinds {
			r, err := measure(kind, *load, *dur, *conns, *threads,
				serverCPU, loadCPU)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench: %s: %v\n", kind, err)
				os.Exit(1)
			}
			fmt.Printf("  %-7s %s\n", kind, r)
			results[kind] = append(results[kind], r)
		}
	}
	a, b := harness.Median(results["lesson5"]), harness.Median(results["nethttp"])
	c := harness.Median(results["naive"])
	fmt.Printf("median of the runs:\n  lesson5 %s\n  nethttp %s\n"+
		"  naive   %s\n", a, b, c)
	fmt.Printf("naive / net/http: %.2fx the requests per second\n",
		c.RPS/b.RPS)
	fmt.Printf("lesson 5 / net/http: %.2fx the requests per second,\n"+
		"  p99 %v vs %v, %.2fx the CPU per request\n", a.RPS/b.RPS,
		a.P99, b.P99, float64(a.CPU)/float64(b.CPU))
	if *rounds > 1 {
		// Each round's two runs met the same weather: their ratio is
		// steadier than the ratio of medians when the machine drifts.
		var ratios []float64
		fmt.Print("  round by round:")
		for i := range results["lesson5"] {
			r := results["lesson5"][i].RPS / results["nethttp"][i].RPS
			ratios = append(ratios, r)
			fmt.Printf(" %.2f", r)
		}
		slices.Sort(ratios)
		n := len(ratios)
		fmt.Printf("; median %.2fx\n", (ratios[(n-1)/2]+ratios[n/2])/2)
	}
}

// measure starts a server process of the given kind, loads it, and
// stops it.
func measure(kind, load string, d time.Duration, conns, threads int,
	serverCPU, loadCPU []string) (harness.Result, error) {
	self, err := os.Executable()
	if err != nil {
		return harness.Result{}, err
	}
	args := append(slices.Clone(serverCPU), self, "-serve", kind)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return harness.Result{}, err
	}
	if err := cmd.Start(); err != nil {
		return harness.Result{}, err
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
		return harness.Result{}, fmt.Errorf("server said %q: %v", line, err)
	}
	url := "http://" + addr + "/"
	if err := check(url); err != nil {
		stop()
		return harness.Result{}, err
	}
	var r harness.Result
	if load == "wrk" {
		r, err = harness.RunWrkOn(loadCPU, url, d, conns, threads)
	} else {
		r, err = harness.RunLoad(addr, d, conns)
	}
	cpu := stop()
	if n := r.RPS * d.Seconds(); n > 0 {
		r.CPU = (cpu / time.Duration(n)).Round(100 * time.Nanosecond)
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
	case "naive":
		go serveNaive(ln)
		closer = ln
	default:
		fmt.Fprintf(os.Stderr, "bench: no server %q\n", kind)
		os.Exit(2)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	closer.Close()
}

// naiveResponse is what serveNaive answers, whatever the request.
const naiveResponse = "HTTP/1.1 200 OK\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Length: 14\r\n\r\n" + body

// serveNaive is the calibration point: a goroutine per connection that
// skips each request's lines up to the empty one and writes a fixed
// response. It parses nothing and checks nothing, so it is no server
// to copy; it shows how fast a keep-alive loop can go on this machine.
func serveNaive(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			br := bufio.NewReader(c)
			for {
				for {
					line, err := br.ReadSlice('\n')
					if err != nil {
						return
					}
					if len(line) <= 2 {
						break
					}
				}
				if _, err := io.WriteString(c, naiveResponse); err != nil {
					return
				}
			}
		}()
	}
}
