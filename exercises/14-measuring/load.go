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
	"context"
	"errors"
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
	// TODO: panic for a p outside [0, 100]; return 0 for no samples;
	// sort a copy (slices.Clone, slices.Sort), and return the sample
	// at rank ceil(p*n/100), counting from 1 (rank 1 at least).
	return 0
}

// Summary returns r in figures: the number of successful requests,
// the window in seconds, requests per second over it, the 50th, 90th
// and 99th percentiles and the maximum of the latencies (in ms), and
// the errors. With no requests, or no time, the figures are 0, never
// NaN or infinite (JSON has no room for them).
func (r *Result) Summary() Summary {
	// TODO: Requests is len(r.Latencies), Seconds is r.Elapsed in
	// seconds, RPS their ratio (0 when Seconds is 0); P50, P90, P99
	// from Percentile and Max, in milliseconds; Errors as they are.
	return Summary{}
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
	// TODO: check cfg (url.Parse, net.ParseIP(u.Hostname()) and
	// IsLoopback, the bounds, checkFields); then start cfg.Concurrency workers,
	// each a loop: dial if it has no connection, write the request
	// (formatRequest, in response.go), readResponse, record the
	// latency or count the error, until the run is over. Collect
	// what each worker saw under a mutex once it is done.
	return nil, errNotImplemented
}

// errNotImplemented is what the stub returns.
var errNotImplemented = errors.New("load: Run is not implemented yet")
