package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"socket2gateway/internal/book"
)

// BookServer is the lesson whose reference server serves the book.
const BookServer = "06-serving-files"

func (a *App) bookCommand() *cobra.Command {
	var serve bool
	var addr string
	cmd := &cobra.Command{
		Use:   "book",
		Short: "Build the rendered book in book/ (and serve it with --serve)",
		Long: `Book renders every lesson, with its diagrams as SVG and its code
highlighted, into book/: an index, a page per part and per lesson, a
teachers' page and a single-page print version. Open book/index.html in
a browser; every link works from file:// too.

--serve then serves the workbook with its own reference file server
(lesson 6's solution) and prints the book's URL, until Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := a.workbook()
			if err != nil {
				return err
			}
			out := filepath.Join(w.Root, book.Dir)
			if err := book.Build(w, out); err != nil {
				return fail(ExitProblem, "The book could not be built: %v", err)
			}
			fmt.Fprintf(a.Out, "Built the book in %s/: open %s\n", book.Dir, filepath.Join(out, "index.html"))
			if !serve {
				return nil
			}
			l, err := w.Find(BookServer)
			if err != nil {
				return fail(ExitProblem, "The book is served by lesson 6's server, which this workbook lacks.")
			}
			if addr == "" {
				addr = "127.0.0.1:0"
			}
			return a.serve(cmd.Context(), l, serveOpts{solution: true, addr: addr,
				pass: []string{"-root", w.Root}, what: "The book", path: "/" + book.Dir + "/index.html"})
		},
	}
	cmd.Flags().BoolVar(&serve, "serve", false, "serve the book after building it")
	cmd.Flags().StringVar(&addr, "addr", "", "address to serve on (default 127.0.0.1 and a free port)")
	return cmd
}
