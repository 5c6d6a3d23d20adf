// This file is given: it needs no editing.

// Command speedup measures lesson 5's server before and after lesson
// 14's improvements, side by side in one run, with your load
// generator:
//
//	cd exercises && go run ./14-measuring/cmd/speedup -rounds 5
//
// Both servers (packages speedup/before and speedup/after) answer
// every request with "Hello, World!\n". Each runs in a process of its
// own (this program, run again with -serve), on 127.0.0.1 and a free
// port, and is loaded by load.Run with -c connections (50) for -d (3
// s). They take turns, before, after, before, ... for -rounds rounds,
// so a machine that gets busier during the run slows both. This is
// done twice: with load.Run's own request (a request line, Host and
// User-Agent, like curl's), then with the fields a browser sends
// (load.BrowserHeader: fourteen in all).
//
// Each run prints requests per second, p50 and p99 latency, and the
// server's CPU time per request (its process's user and system time
// divided by the requests it answered), the steadier figure on a
// machine that does other things. The end shows each figure's median
// over the rounds, and the ratios of after to before.
//
// To profile one server under load, serve it alone and load it from
// another terminal:
//
//	go run ./14-measuring/cmd/speedup -serve before -cpuprofile cpu.out
//	go run ./14-measuring/cmd/load -url http://ADDR/ -c 50 -d 10s
//
// then stop it with Ctrl-C, which writes cpu.out, and read it with
// `go tool pprof -top cpu.out`.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	load "socket2gateway/exercises/14-measuring"
	"socket2gateway/exercises/14-measuring/speedup/after"
	"socket2gateway/exercises/14-measuring/speedup/before"
)

// hello is what both servers answer.
const hello = "Hello, World!\n"

func main() {
	serve := flag.String("serve", "", "serve `kind` (before or after) "+
		"alone, until Ctrl-C")
	profile := flag.String("cpuprofile", "", "with -serve: write a "+
		"CPU profile to `file`")
	c := flag.Int("c", 50, "connections")
	d := flag.Duration("d", 3*time.Second, "how long each run lasts")
	rounds := flag.Int("rounds", 3, "runs of each server, taking turns")
	flag.Parse()

	if *serve != "" {
		if err := runServer(*serve, *profile); err != nil {
			fmt.Fprintln(os.Stderr, "speedup:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("hello world, %d connections, %v per run, %d CPUs\n",
		*c, *d, runtime.NumCPU())
	workloads := []struct {
		name   string
		header []string
	}{
		{"a request like curl's (Host, User-Agent)", nil},
		{"a request like a browser's (14 fields)", load.BrowserHeader},
	}
	for _, wl := range workloads {
		fmt.Printf("%s:\n", wl.name)
		runs := map[string][]run{}
		for range *rounds {
			for _, kind := range []string{"before", "after"} {
				r, err := measure(kind, *c, *d, wl.header)
				if err != nil {
					fmt.Fprintf(os.Stderr, "speedup: %s: %v\n", kind,
						err)
					os.Exit(1)
				}
				fmt.Printf("  %-6s %s\n", kind, r)
				runs[kind] = append(runs[kind], r)
			}
		}
		b, a := median(runs["before"]), median(runs["after"])
		fmt.Printf("  median of %d rounds:\n    before %s\n"+
			"    after  %s\n", *rounds, b, a)
		fmt.Printf("  after / before: %.2fx the req/s, %.2fx the CPU "+
			"per request\n", a.rps/b.rps, float64(a.cpu)/float64(b.cpu))
	}
}

// run is one server loaded once.
type run struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
	cpu      time.Duration // the server's CPU time per request
}

func (r run) String() string {
	s := fmt.Sprintf("%6.0f req/s  p50 %5.2fms  p99 %6.2fms  "+
		"cpu/req %5.2fµs", r.rps, ms(r.p50), ms(r.p99),
		float64(r.cpu)/float64(time.Microsecond))
	if r.errors > 0 {
		s += fmt.Sprintf("  (%d errors)", r.errors)
	}
	return s
}

func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// median returns each figure's median over runs.
func median(runs []run) run {
	mid := func(f func(run) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return run{
		rps: mid(func(r run) float64 { return r.rps }),
		p50: time.Duration(mid(func(r run) float64 {
			return float64(r.p50)
		})),
		p99: time.Duration(mid(func(r run) float64 {
			return float64(r.p99)
		})),
		cpu: time.Duration(mid(func(r run) float64 {
			return float64(r.cpu)
		})),
	}
}

// measure starts a server process of the given kind, loads it for d
// with c connections sending header, stops it, and returns what it
// measured.
func measure(kind string, c int, d time.Duration, header []string) (
	run, error) {
	self, err := os.Executable()
	if err != nil {
		return run{}, err
	}
	cmd := exec.Command(self, "-serve", kind)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return run{}, err
	}
	if err := cmd.Start(); err != nil {
		return run{}, err
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
		return run{}, fmt.Errorf("the server said %q: %v", line, err)
	}
	res, err := load.Run(context.Background(), load.Config{
		URL: "http://" + addr + "/", Concurrency: c, Duration: d,
		Header: header})
	cpu := stop()
	if err != nil {
		return run{}, err
	}
	s := res.Summary()
	r := run{rps: s.RPS, errors: s.Errors.Total(),
		p50: load.Percentile(res.Latencies, 50),
		p99: load.Percentile(res.Latencies, 99)}
	if s.Requests == 0 {
		return r, fmt.Errorf("no request succeeded: %+v", s.Errors)
	}
	r.cpu = cpu / time.Duration(s.Requests)
	return r, nil
}

// runServer serves hello world with the server of the given kind, on
// 127.0.0.1 and a free port, says "listening on ADDR", and serves
// until SIGINT or SIGTERM.
func runServer(kind, profile string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	quiet := log.New(io.Discard, "", 0) // clients cut off at the end
	var srv interface {
		Serve(net.Listener) error
		Close() error
	}
	switch kind {
	case "before":
		srv = &before.Server{ErrorLog: quiet, Handler: before.HandlerFunc(
			func(w before.ResponseWriter, r *before.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				io.WriteString(w, hello)
			})}
	case "after":
		srv = &after.Server{ErrorLog: quiet, Handler: after.HandlerFunc(
			func(w after.ResponseWriter, r *after.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				io.WriteString(w, hello)
			})}
	default:
		return fmt.Errorf("no server %q: before or after", kind)
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go srv.Serve(ln)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return srv.Close()
}
