package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *App) listCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List every lesson with its time estimate and your status",
		Args:  cobra.NoArgs,
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
			tw := tabwriter.NewWriter(a.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  #\tLESSON\tTIME\tSTATUS")
			part := ""
			for _, l := range w.Lessons {
				if l.Part != part && l.Part != "" {
					part = l.Part
					fmt.Fprintf(tw, "\t%s\t\t\n", a.paint("2", part))
				}
				status, mark := "not started", " "
				if p := s.Peek(l.Slug); p.Done() {
					status, mark = "done", a.paint("32", "✓")
				} else if p != nil && p.Checks > 0 {
					status = "started"
				}
				if l == cur {
					status += ", current"
					mark = a.paint("36", "▶")
				}
				fmt.Fprintf(tw, "%s %d\t%s\t%d min\t%s\n", mark, l.Number, l.Title, l.Minutes, status)
			}
			tw.Flush()
			fmt.Fprintf(a.Out, "\nRead one with `tutor show N`; `tutor goto N` makes it your current lesson.\n")
			return nil
		},
	}
}
