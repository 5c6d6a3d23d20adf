package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"socket2gateway/internal/check"
)

// LessonStatus is one lesson in `tutor status --json`.
type LessonStatus struct {
	Number       int        `json:"number"`
	Slug         string     `json:"slug"`
	Title        string     `json:"title"`
	Status       string     `json:"status"` // done, started, not-started
	Current      bool       `json:"current"`
	Passed       *time.Time `json:"passed,omitempty"`
	LastPass     *time.Time `json:"last_pass,omitempty"`
	LastCheck    *time.Time `json:"last_check,omitempty"`
	Checks       int        `json:"checks"`
	HintsUsed    int        `json:"hints_used"`
	HintsTotal   int        `json:"hints_total"`
	SolutionSeen bool       `json:"solution_seen"`
}

// Status is the document `tutor status --json` prints.
type Status struct {
	Current string         `json:"current"`
	Done    int            `json:"done"`
	Total   int            `json:"total"`
	Lessons []LessonStatus `json:"lessons"`
}

func (a *App) statusCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Your progress: lessons passed, hints used, last passes",
		Long: `Status summarises your progress: per lesson, whether it is done, when
it last passed, how many checks you ran and hints you used. --json
prints it as one JSON document, for a teacher's class dashboard.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := a.workbook()
			if err != nil {
				return err
			}
			s, err := a.state()
			if err != nil {
				return err
			}
			cur := a.current(s)
			doc := Status{Current: cur.Slug, Total: len(w.Lessons)}
			for _, l := range w.Lessons {
				p := s.Peek(l.Slug)
				ls := LessonStatus{Number: l.Number, Slug: l.Slug, Title: l.Title,
					Status: p.Status(), Current: l == cur, HintsTotal: len(l.Hints)}
				if p != nil {
					ls.Passed, ls.LastPass, ls.LastCheck = p.Passed, p.LastPass, p.LastCheck
					ls.Checks, ls.HintsUsed, ls.SolutionSeen = p.Checks, p.Hints, p.SolutionSeen
				}
				if p.Done() {
					doc.Done++
				}
				doc.Lessons = append(doc.Lessons, ls)
			}
			if asJSON {
				return check.EncodeJSON(a.Out, doc)
			}
			fmt.Fprintf(a.Out, "%d of %d lessons done; current: lesson %d, %s.\n\n", doc.Done, doc.Total, cur.Number, cur.Title)
			tw := tabwriter.NewWriter(a.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "#\tLESSON\tSTATUS\tLAST PASS\tCHECKS\tHINTS\tSOLUTION SEEN")
			for _, ls := range doc.Lessons {
				last := "-"
				if ls.LastPass != nil {
					last = ls.LastPass.Local().Format("2006-01-02 15:04")
				}
				seen := "no"
				if ls.SolutionSeen {
					seen = "yes"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d/%d\t%s\n", ls.Number, ls.Title, ls.Status, last, ls.Checks, ls.HintsUsed, ls.HintsTotal, seen)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
