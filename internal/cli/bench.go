package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"socket2gateway/internal/bench"
)

// ResultsJSON and ResultsSVG are where `tutor bench` saves its run,
// relative to the workbook root; the book shows them.
const (
	ResultsJSON = "bench/results.json"
	ResultsSVG  = "bench/results.svg"
)

func (a *App) benchCommand() *cobra.Command {
	var learner, noSave bool
	var conns, rounds int
	var dur time.Duration
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the workbook's servers side by side",
		Long: `Bench measures every server of the workbook in one run, each in a
process of its own on 127.0.0.1, loaded in turn by lesson 14's load
generator asking for GET /hello: the synchronous, per-connection and
pool strategies (lesson 7), the HTTP server (lesson 5), the gateway
with a Go app (lesson 9) and with two Python workers (lesson 12),
net/http, and Python's wsgiref.simple_server with and without
ThreadingMixIn. It prints requests per second, p50 and p99 latency and
errors, with ratios to net/http, and saves bench/results.json and the
chart bench/results.svg, which the book shows (rebuild it with tutor
book).

--learner adds your own servers, built from exercises/, next to the
references. The load is bounded: -c connections for -d per server, after
a one-second warm-up, in --rounds rounds. The servers take turns, round
after round, so a machine that slows down for a while slows them all;
each figure is the median of the rounds, and SPREAD shows how far apart
a server's rounds were. Trust ratios from one run more than the absolute
numbers: they depend on the machine and on what else runs on it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := a.workbook()
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return fail(ExitProblem, "Cannot find the tutor program itself: %v", err)
			}
			ts := bench.Targets(w, learner, []string{self, "bench-nethttp"})
			if rounds < 1 || conns < 1 || dur <= 0 {
				return fail(ExitUsage, "--rounds, --connections and --duration must be positive.")
			}
			fmt.Fprintf(a.Err, "Measuring %d servers, %d connections, %s each, in %d rounds (about %s in all, plus building).\n",
				len(ts), conns, dur, rounds, time.Duration(rounds*len(ts))*(dur+2*time.Second))
			rs, err := bench.Run(cmd.Context(), w, ts, bench.Options{Conns: conns, Duration: dur, Rounds: rounds, Progress: a.Err})
			if cmd.Context().Err() != nil {
				return fail(ExitFailed, "Stopped: every server was stopped.")
			}
			if err != nil {
				return fail(ExitProblem, "The benchmark could not run: %v", err)
			}
			fmt.Fprintln(a.Out)
			bench.WriteTable(a.Out, rs, "net/http")
			if noSave {
				return nil
			}
			rep := bench.Report{Conns: conns, Seconds: dur.Seconds(), Rounds: rounds, CPUs: runtime.NumCPU(),
				Go: runtime.Version(), Results: rs, Baseline: "net/http"}
			if err := bench.SaveJSON(filepath.Join(w.Root, ResultsJSON), rep); err != nil {
				return fail(ExitProblem, "Could not save the results: %v", err)
			}
			if err := os.WriteFile(filepath.Join(w.Root, ResultsSVG), []byte(bench.Chart(rep)), 0o644); err != nil {
				return fail(ExitProblem, "Could not save the chart: %v", err)
			}
			fmt.Fprintf(a.Out, "\nSaved %s and %s; `tutor book` puts them in the book.\n", ResultsJSON, ResultsSVG)
			return nil
		},
	}
	cmd.Flags().BoolVar(&learner, "learner", false, "also measure your own servers from exercises/")
	cmd.Flags().IntVarP(&conns, "connections", "c", 50, "concurrent keep-alive connections")
	cmd.Flags().DurationVarP(&dur, "duration", "d", 3*time.Second, "measured time per server and round")
	cmd.Flags().IntVar(&rounds, "rounds", 3, "rounds of turns; the medians are kept")
	cmd.Flags().BoolVar(&noSave, "no-save", false, "print the table only")
	return cmd
}

// netHTTPCommand serves hello world with net/http, the baseline of
// `tutor bench`, in a process of its own. It is hidden: bench runs it.
func (a *App) netHTTPCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "bench-nethttp",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := flag.NewFlagSet("bench-nethttp", flag.ContinueOnError)
			addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
			if err := fs.Parse(args); err != nil {
				return fail(ExitUsage, "%v", err)
			}
			ln, err := net.Listen("tcp", *addr)
			if err != nil {
				return fail(ExitProblem, "%v", err)
			}
			fmt.Fprintf(a.Out, "listening on %s\n", ln.Addr())
			mux := http.NewServeMux()
			mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.Write([]byte("Hello, world!\n"))
			})
			srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-cmd.Context().Done()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				srv.Shutdown(ctx)
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fail(ExitProblem, "%v", err)
			}
			return nil
		},
	}
}
