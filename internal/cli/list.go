package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"socket2gateway/internal/progress"
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
				status, mark := strings.ReplaceAll(s.Peek(l.Slug).Status(), "-", " "), " "
				if status == progress.StatusDone {
					mark = a.paint("32", "✓")
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
