package serve

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/internal/lesson"
)

// Every server lesson's reference program says "listening on", and a
// SIGTERM sent the moment that line is read stops it cleanly, with
// exit status 0: `tutor run`, `tutor bench` and the lessons' own
// harnesses rely on both, and a server that caught its signals only
// after that line would die of the first one instead.
func TestServersStartAndStopCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every lesson's server")
	}
	root, err := lesson.FindRoot(".")
	require.NoError(t, err)
	w, err := lesson.Load(root)
	require.NoError(t, err)
	dir := t.TempDir()
	n := 0
	for _, l := range w.Lessons {
		if l.Run == nil || l.Run.Package == "" {
			continue
		}
		n++
		t.Run(l.Slug, func(t *testing.T) {
			t.Parallel()
			if l.Python {
				if _, err := exec.LookPath("python3"); err != nil {
					t.Skip("python3 is not installed")
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			bin, err := Build(ctx, w, l, true, dir)
			require.NoError(t, err)
			p, err := Start(bin, w.Root, []string{"-addr", "127.0.0.1:0"}, nil, nil)
			require.NoError(t, err)
			assert.Regexp(t, `^127\.0\.0\.1:\d+$`, p.Addr)
			p.Stop()
			<-p.Done()
			assert.NoError(t, p.Err(), "the server should exit with status 0 on SIGTERM")
		})
	}
	assert.Positive(t, n, "the workbook has server lessons")
}
