// Package load is a closed-loop HTTP/1.1 load generator, the
// workbook's own wrk or hey: Concurrency workers, each on a keep-alive
// connection of its own, send a request, wait for the whole answer,
// note how long it took, and send the next, until Duration is over.
// Run returns every latency and the errors, counted by kind; Percentile
// and Result.Summary turn them into the figures a reader wants.
//
// It loads 127.0.0.1 only (any loopback address, in fact): this
// workbook never sends load to a machine that is not yours.
package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Limits on a run: load is bounded in connections and in time.
const (
	MaxConcurrency = 1000
	MaxDuration    = 5 * time.Minute
	// DefaultTimeout is a request's timeout when Config.Timeout is 0.
	DefaultTimeout = 5 * time.Second
	// retryDelay is how long a worker waits after a failed dial: a
	// dead port answers "refused" in microseconds, and counting
	// refusals as fast as the kernel makes them measures nothing.
	retryDelay = 10 * time.Millisecond
)

// Config describes a run.
type Config struct {
	// URL is the one URL every request asks for:
	// "http://127.0.0.1:8000/hello?name=x". The scheme must be http,
	// and the host a loopback IP address (127.0.0.1, [::1]): never a
	// name, since a name could point anywhere.
	URL string
	// Concurrency is the number of workers, and so of connections and
	// of requests in flight at most: 1 to MaxConcurrency.
	Concurrency int
	// Duration is how long the run lasts: more than 0, at most
	// MaxDuration.
	Duration time.Duration
	// Timeout bounds one request, from the moment its worker is ready
	// to send it (before dialling, when it needs a connection) to the
	// last byte of its response. Zero means DefaultTimeout.
	Timeout time.Duration
	// Header holds field lines ("Accept: text/html") that every
	// request carries after its Host and User-Agent, like the -H of
	// wrk and hey. Each must be a valid field line (checkFields).
	Header []string
}

// Errors counts the requests that failed, by kind. Each failed
// request counts once, in one field. The JSON names are those of
// cmd/load -json.
type Errors struct {
	// EarlyClose: the connection ended (EOF, reset, broken pipe)
	// before a complete response.
	EarlyClose int `json:"early_close"`
	// Timeout: no complete response within Config.Timeout.
	Timeout int `json:"timeout"`
	// BadStatus: a complete response whose status is not 2xx, or an
	// answer that is not HTTP at all.
	BadStatus int `json:"bad_status"`
	// Refused: no connection could be made (connection refused, or
	// another dial error).
	Refused int `json:"refused"`
}

// Total returns the number of failed requests.
func (e Errors) Total() int {
	return e.EarlyClose + e.Timeout + e.BadStatus + e.Refused
}

// Result is what a run measured.
type Result struct {
	// Latencies holds one latency per successful request (a complete
	// 2xx response), in no particular order. A request's latency runs
	// from the moment its worker is ready to send it (before the dial,
	// when it needs a new connection) to the last byte of its
	// response.
	Latencies []time.Duration
	// Elapsed is the measured window: from the start of the run to its
	// end (Config.Duration, or less if the context was cancelled).
	Elapsed time.Duration
	// Errors counts the failed requests. A request still in flight
	// when the run ends counts nowhere: neither in Latencies nor here.
	Errors Errors
}

// Summary is a Result in figures, with latencies in milliseconds. Its
// JSON form is the one line cmd/load -json prints.
type Summary struct {
	Requests int     `json:"requests"` // successful requests
	Seconds  float64 `json:"seconds"`  // Elapsed
	RPS      float64 `json:"rps"`      // Requests / Seconds
	P50      float64 `json:"p50_ms"`   // percentiles, nearest rank
	P90      float64 `json:"p90_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	Errors   Errors  `json:"errors"`
}

// Percentile returns the p-th percentile of samples by nearest rank:
// the smallest sample such that at least p% of the samples are less
// than or equal to it. With the n samples sorted, it is the one at
// rank ceil(p/100 × n), counting from 1; for p = 0, the smallest.
//
// Compute the rank as ceil(p × n / 100): in floating point, 7.0/100 ×
// 100 is 7.000000000000001, whose ceiling is 8. samples need not be
// sorted, and Percentile does not change it. It returns 0 when samples
// is empty, and panics unless 0 <= p <= 100.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if p < 0 || p > 100 || math.IsNaN(p) {
		panic(fmt.Sprintf("load: percentile %v is not in [0, 100]", p))
	}
	n := len(samples)
	if n == 0 {
		return 0
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	rank := int(math.Ceil(p * float64(n) / 100))
	return sorted[max(rank, 1)-1]
}

// Summary returns r in figures: the number of successful requests,
// the window in seconds, requests per second over it, the 50th, 90th
// and 99th percentiles and the maximum of the latencies (in ms), and
// the errors. With no requests, or no time, the figures are 0, never
// NaN or infinite (JSON has no room for them).
func (r *Result) Summary() Summary {
	ms := func(d time.Duration) float64 {
		return float64(d) / float64(time.Millisecond)
	}
	s := Summary{
		Requests: len(r.Latencies),
		Seconds:  r.Elapsed.Seconds(),
		Errors:   r.Errors,
	}
	if s.Seconds > 0 {
		s.RPS = float64(s.Requests) / s.Seconds
	}
	if s.Requests > 0 {
		sorted := slices.Clone(r.Latencies)
		slices.Sort(sorted) // once, not once per Percentile
		s.P50 = ms(Percentile(sorted, 50))
		s.P90 = ms(Percentile(sorted, 90))
		s.P99 = ms(Percentile(sorted, 99))
		s.Max = ms(sorted[len(sorted)-1])
	}
	return s
}

// Run loads cfg.URL for cfg.Duration, or until ctx is cancelled, with
// cfg.Concurrency workers, and returns what they measured.
//
// Each worker is a closed loop on a connection of its own: it sends a
// request, reads the whole response, records the latency (a 2xx) or
// counts the error, and sends the next. It keeps its connection for
// the next request unless the response said Connection: close (or
// ended with the connection) or the request failed; then it dials
// again, and after a failed dial it waits retryDelay first. When the
// run ends, the requests in flight are abandoned: Run returns at once,
// having closed every connection.
//
// Run returns an error, and sends nothing, when cfg is not valid: a
// URL that does not parse, a scheme other than http, a host that is
// not a loopback IP address (the error says which host, with %q),
// Concurrency or Duration out of bounds, a bad Header field (the error
// of checkFields). Errors start with "load: ".
func Run(ctx context.Context, cfg Config) (*Result, error) {
	u, err := checkConfig(&cfg)
	if err != nil {
		return nil, err
	}
	request := formatRequest(u, cfg.Header)
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}

	start := time.Now()
	ctx, cancel := context.WithDeadline(ctx, start.Add(cfg.Duration))
	defer cancel()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		result Result // guarded by mu until wg.Wait
	)
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := worker{addr: addr, request: request,
				timeout: cfg.Timeout, end: start.Add(cfg.Duration)}
			w.run(ctx)
			mu.Lock()
			result.Latencies = append(result.Latencies, w.latencies...)
			result.Errors.EarlyClose += w.errors.EarlyClose
			result.Errors.Timeout += w.errors.Timeout
			result.Errors.BadStatus += w.errors.BadStatus
			result.Errors.Refused += w.errors.Refused
			mu.Unlock()
		}()
	}
	wg.Wait()
	result.Elapsed = min(time.Since(start), cfg.Duration)
	return &result, nil
}

// checkConfig checks cfg, fills in its defaults, and returns its URL.
func checkConfig(cfg *Config) (*url.URL, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("load: %q: the scheme must be http",
			cfg.URL)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("load: host %q is not a loopback "+
			"address: this workbook sends load to 127.0.0.1 only",
			u.Hostname())
	}
	if cfg.Concurrency < 1 || cfg.Concurrency > MaxConcurrency {
		return nil, fmt.Errorf("load: concurrency %d is not in "+
			"[1, %d]", cfg.Concurrency, MaxConcurrency)
	}
	if cfg.Duration <= 0 || cfg.Duration > MaxDuration {
		return nil, fmt.Errorf("load: duration %v is not in (0, %v]",
			cfg.Duration, MaxDuration)
	}
	if err := checkFields(cfg.Header); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return u, nil
}

// worker is one closed loop. Only its own goroutine touches it.
type worker struct {
	addr      string
	request   []byte
	timeout   time.Duration
	end       time.Time // when the run ends, unless cancelled first
	latencies []time.Duration
	errors    Errors
}

// run sends requests until ctx is done.
func (w *worker) run(ctx context.Context) {
	// over reports whether the run has ended. The clock may pass
	// w.end a moment before ctx knows it: a dial, whose deadline is
	// ctx's, can fail first, and its failure must not count.
	over := func() bool {
		return ctx.Err() != nil || !time.Now().Before(w.end)
	}
	var (
		conn net.Conn
		br   *bufio.Reader
		stop func() bool // unregisters the AfterFunc of conn
	)
	hangUp := func() {
		stop()
		conn.Close()
		conn = nil
	}
	defer func() {
		if conn != nil {
			hangUp()
		}
	}()
	for !over() {
		t0 := time.Now()
		deadline := t0.Add(w.timeout)
		if conn == nil {
			d := net.Dialer{Deadline: deadline}
			c, err := d.DialContext(ctx, "tcp", w.addr)
			if over() {
				if err == nil {
					c.Close()
				}
				return // the run is over: this one counts nowhere
			}
			if err != nil {
				w.count(err, true)
				sleep(ctx, retryDelay)
				continue
			}
			conn = c
			if br == nil {
				br = bufio.NewReader(c)
			} else {
				br.Reset(c)
			}
			// When the run ends, a deadline in the past wakes up
			// the read or write this worker is blocked in.
			stop = context.AfterFunc(ctx, func() {
				c.SetDeadline(time.Unix(1, 0))
			})
		}
		conn.SetDeadline(deadline)
		if ctx.Err() != nil {
			return // the AfterFunc may have run before SetDeadline
		}
		status, keepAlive, err := roundTrip(conn, br, w.request)
		if over() {
			return
		}
		switch {
		case err != nil:
			w.count(err, false)
			hangUp()
			continue
		case status < 200 || status > 299:
			w.errors.BadStatus++
		default:
			w.latencies = append(w.latencies, time.Since(t0))
		}
		if !keepAlive {
			hangUp()
		}
	}
}

// roundTrip sends request on conn and reads the response.
func roundTrip(conn net.Conn, br *bufio.Reader, request []byte) (
	status int, keepAlive bool, err error) {
	if _, err := conn.Write(request); err != nil {
		return 0, false, err
	}
	return readResponse(br)
}

// count counts a failed request in the bucket its error belongs to.
// dialing says whether the error came from the dial.
func (w *worker) count(err error, dialing bool) {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		w.errors.Timeout++
	case dialing:
		w.errors.Refused++ // ECONNREFUSED, or any other dial error
	case errors.Is(err, errMalformed):
		w.errors.BadStatus++
	default:
		// io.EOF, io.ErrUnexpectedEOF, ECONNRESET, EPIPE: the
		// connection ended before the response did.
		w.errors.EarlyClose++
	}
}

// sleep waits for d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
