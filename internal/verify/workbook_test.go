package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/internal/check"
	"socket2gateway/internal/lesson"
)

// TestWorkbook is `tutor verify` over every lesson of the real workbook:
// every stub fails its tests, every solution passes them, and the text,
// hints, diagrams and manifest agree with the code.
func TestWorkbook(t *testing.T) {
	root, err := lesson.FindRoot(".")
	require.NoError(t, err)
	w, err := lesson.Load(root)
	require.NoError(t, err)
	require.NotEmpty(t, w.Lessons)
	if gaps := w.Gaps(); len(gaps) > 0 {
		t.Logf("lessons still being written (missing from the manifest): %v", gaps)
	}

	race, why := check.RaceAvailable(context.Background())
	if !race {
		t.Logf("race detector off: %s", why)
	}
	reports := Lessons(context.Background(), w, w.Lessons, Options{Race: race})
	for _, r := range reports {
		t.Run(r.Lesson.Slug, func(t *testing.T) {
			assert.True(t, r.OK(), "%s", strings.Join(r.Breaches, "\n"))
			for _, n := range r.Notes {
				t.Log(n)
			}
		})
	}
}
