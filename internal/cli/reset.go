package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// BackupDir is where reset keeps the learner's files, at the workbook root.
const BackupDir = ".tutor-backups"

func (a *App) resetCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset [lesson]",
		Short: "Put the exercise back as it was, keeping a backup of your work",
		Long: `Reset restores the files you edit in a lesson's exercise to the stub the
workbook shipped (taken from git), after asking. Your version is copied
first to .tutor-backups/LESSON/TIME/, so nothing is lost. Your progress
(passed, hints seen) is kept.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: a.completeLessons,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, _, err := a.lessonArg(args)
			if err != nil {
				return err
			}
			stubs := map[string][]byte{}
			for _, f := range l.Edit {
				b, ref := pristine(a.wb, l, f)
				if b == nil {
					return fail(ExitProblem, "The original of exercises/%s/%s could not be found in git, so it cannot be restored.\n"+
						"Reset needs the workbook as a git clone; you can also copy the file from a fresh clone.", l.Slug, f)
				}
				_ = ref
				stubs[f] = b
			}
			changed := []string{}
			for _, f := range l.Edit {
				cur, err := os.ReadFile(filepath.Join(a.wb.ExerciseDir(l), f))
				if err != nil || string(cur) != string(stubs[f]) {
					changed = append(changed, f)
				}
			}
			if len(changed) == 0 {
				fmt.Fprintf(a.Out, "Lesson %d's exercise is already as it was shipped; nothing to reset.\n", l.Number)
				return nil
			}
			if !yes && !a.confirm(fmt.Sprintf("Reset %s in exercises/%s to the stub? Your version will be backed up first.", strings.Join(changed, ", "), l.Slug), "--yes") {
				fmt.Fprintln(a.Out, "Nothing was changed.")
				return silent(ExitFailed)
			}
			backup := filepath.Join(a.wb.Root, BackupDir, l.Slug, a.Now().Format("20060102-150405"))
			for _, f := range changed {
				src := filepath.Join(a.wb.ExerciseDir(l), f)
				if cur, err := os.ReadFile(src); err == nil {
					dst := filepath.Join(backup, f)
					if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
						return fail(ExitProblem, "Could not make the backup folder: %v (nothing was changed)", err)
					}
					if err := os.WriteFile(dst, cur, 0o644); err != nil {
						return fail(ExitProblem, "Could not back up %s: %v (nothing was changed)", f, err)
					}
				}
			}
			for _, f := range changed {
				if err := writeFileAtomic(filepath.Join(a.wb.ExerciseDir(l), f), stubs[f]); err != nil {
					return fail(ExitProblem, "Could not restore %s: %v", f, err)
				}
			}
			rel, _ := filepath.Rel(a.wb.Root, backup)
			fmt.Fprintf(a.Out, "Reset %s. Your version is in %s/.\n", strings.Join(changed, ", "), rel)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tutor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
