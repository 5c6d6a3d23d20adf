// Command gateway measures lesson 9's reference gateway server against
// net/http, side by side, in one run: a Go hello-world app, over
// HTTP/1.1 keep-alive, from the same load generator, on 127.0.0.1.
//
//	go run ./bench/gateway                 # 100 connections, 5 s a run
//	go run ./bench/gateway -d 10s -rounds 3
//	go run ./bench/gateway -load go        # the Go load generator
//
// The gateway is lesson 9's cmd/serve with -app hello, built from
// solutions/09-gateway-interface the way `tutor run 9 --solution`
// builds it (go build -overlay), so this program imports nothing of
// the workbook. net/http is this program itself, re-executed with
// -serve. The two take turns, for -rounds rounds, so a machine that
// slows down during the run slows both. The load comes from wrk when
// it is installed (`apt-get install wrk`), else from load.go.
//
// It prints one line per run and, at the end, the median of each and
// the ratio of the gateway to net/http: requests per second (also as
// the median of each round's ratio, the figure least disturbed by a
// busy machine), the 99th latency percentile, and the server's CPU
// time per request.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"socket2gateway/bench/internal/harness"
	"sort"
	"strings"
	"syscall"
	"time"
)

// body is what both servers answer.
const body = "Hello, World!\n"

// slug is the lesson whose reference server is measured.
const slug = "09-gateway-interface"

func main() {
	serve := flag.Bool("serve", false, "internal: serve hello world "+
		"with net/http and wait")
	dur := flag.Duration("d", 5*time.Second, "how long to load each "+
		"server, each round")
	conns := flag.Int("c", 100, "connections kept open")
	rounds := flag.Int("rounds", 3, "runs of each server, taking turns")
	load := flag.String("load", "", "load generator: wrk or go "+
		"(default: wrk if installed)")
	threads := flag.Int("t", 2, "wrk threads")
	flag.Parse()

	if *serve {
		serveNetHTTP()
		return
	}
	if *load == "" {
		*load = "go"
		if _, err := exec.LookPath("wrk"); err == nil {
			*load = "wrk"
		}
	}
	gw, cleanup, err := buildGateway()
	if err != nil {
		fail(err)
	}
	defer cleanup()
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	servers := []struct {
		name string
		cmd  []string
	}{
		{"gateway", []string{gw, "-app", "hello"}},
		{"net/http", []string{self, "-serve"}},
	}
	fmt.Printf("hello world, HTTP/1.1 keep-alive, %d connections, "+
		"%v a run,\nload from %s, %d CPUs, %s\n", *conns, *dur, *load,
		runtime.NumCPU(), runtime.Version())
	results := map[string][]harness.Result{}
	for i := 0; i < *rounds; i++ {
		for _, s := range servers {
			r, err := measure(s.cmd, *load, *dur, *conns, *threads)
			if err != nil {
				fail(fmt.Errorf("%s: %w", s.name, err))
			}
			fmt.Printf("  %-8s %s\n", s.name, r)
			results[s.name] = append(results[s.name], r)
		}
	}
	// Each round's two runs are neighbours in time, so their ratio
	// is less disturbed by the machine's other work than the medians.
	var ratios []float64
	for i := range results["gateway"] {
		ratios = append(ratios,
			results["gateway"][i].RPS/results["net/http"][i].RPS)
	}
	sort.Float64s(ratios)
	a, b := harness.Median(results["gateway"]), harness.Median(results["net/http"])
	fmt.Printf("median of %d runs:\n  gateway  %s\n  net/http %s\n",
		*rounds, a, b)
	fmt.Printf("gateway / net/http: %.2fx the requests per second,\n"+
		"  %.2fx as the median of the rounds' ratios,\n"+
		"  p99 %v vs %v, %.2fx the CPU per request\n", a.RPS/b.RPS,
		ratios[len(ratios)/2], a.P99, b.P99,
		float64(a.CPU)/float64(b.CPU))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/gateway:", err)
	os.Exit(1)
}

// buildGateway builds lesson 9's cmd/serve from the reference solution
// into a temporary folder, and returns the binary and a cleanup.
func buildGateway() (string, func(), error) {
	root, err := repoRoot()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "bench-gateway-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	overlay, err := writeOverlay(root, dir)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	bin := filepath.Join(dir, "serve")
	cmd := exec.Command("go", "build", "-overlay", overlay, "-o", bin,
		"./"+slug+"/cmd/serve")
	cmd.Dir = filepath.Join(root, "exercises")
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, cleanup, nil
}

// repoRoot finds the workbook's root from the current folder up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "solutions", slug)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run me inside the workbook: no " +
				"solutions/" + slug + " here or above")
		}
		dir = parent
	}
}

// writeOverlay writes a `go build -overlay` file into dir that puts
// every non-test .go file of solutions/SLUG in place of its
// counterpart in exercises/SLUG, as tutor does for --solution.
func writeOverlay(root, dir string) (string, error) {
	ex := filepath.Join(root, "exercises", slug)
	sol := filepath.Join(root, "solutions", slug)
	replace := map[string]string{}
	goFile := func(p string) bool {
		return strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go")
	}
	err := filepath.WalkDir(ex, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && goFile(p) {
			replace[p] = "" // deleted unless the solution has it
		}
		return err
	})
	if err != nil {
		return "", err
	}
	err = filepath.WalkDir(sol, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && goFile(p) {
			rel, _ := filepath.Rel(sol, p)
			replace[filepath.Join(ex, rel)] = p
		}
		return err
	})
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	return path, os.WriteFile(path, b, 0o644)
}

// measure starts a server (argv), which prints "listening on ADDR"
// first, loads it for d, and stops it with SIGINT.
func measure(argv []string, load string, d time.Duration, conns,
	threads int) (harness.Result, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	// Stopping a server under load makes it log the responses it
	// could not finish: show its log only when something failed.
	var logs bytes.Buffer
	cmd.Stderr = &logs
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
		return harness.Result{}, fmt.Errorf("server said %q: %v\n%s", line,
			err, &logs)
	}
	url := "http://" + addr + "/"
	if err := check(url); err != nil {
		stop()
		return harness.Result{}, fmt.Errorf("%v\n%s", err, &logs)
	}
	var r harness.Result
	if load == "wrk" {
		r, err = harness.RunWrk(url, d, conns, threads)
	} else {
		r, err = harness.RunLoad(addr, d, conns)
	}
	cpu := stop()
	if err != nil {
		err = fmt.Errorf("%v\nthe server's log:\n%s", err, &logs)
	}
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

// serveNetHTTP serves hello world with net/http on 127.0.0.1 and a
// free port, prints "listening on ADDR", and serves until SIGINT.
func serveNetHTTP() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, body)
		})}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go srv.Serve(ln)
	<-stop
	srv.Close()
}
