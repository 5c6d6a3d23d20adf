package verify

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/internal/lesson"
)

// The fixture workbook holds one sound lesson (2) and one of each defect.
func TestFixtureDefectsAreCaught(t *testing.T) {
	root, err := filepath.Abs("../check/testdata/workbook")
	require.NoError(t, err)
	w, err := lesson.Load(root)
	require.NoError(t, err)

	reports := Lessons(context.Background(), w, w.Lessons, Options{})
	require.Len(t, reports, 6)
	joined := func(r *Report) string { return strings.Join(r.Breaches, "\n") }

	assert.True(t, reports[1].OK(), "02-fails is a sound exercise:\n%s", joined(reports[1]))
	assert.Equal(t, 2, reports[1].StubFailing)
	assert.Equal(t, 2, reports[1].StubExpected, "the baseline is not counted")
	assert.Equal(t, 3, reports[1].SolutionPassing)

	assert.Contains(t, joined(reports[0]), "test TestAdd is pass on the untouched stub")
	assert.Contains(t, joined(reports[0]), "identical to the stub")
	assert.Contains(t, joined(reports[2]), "the stub does not compile: exercises/03-broken/adder.go:5")
	assert.Contains(t, joined(reports[3]), "test TestWait hangs on the stub")
	assert.Contains(t, joined(reports[3]), "includes no diagram")
	assert.Contains(t, joined(reports[4]), "test TestAfter never ran on the stub")

	var out bytes.Buffer
	assert.False(t, Write(&out, reports, ""))
	assert.Contains(t, out.String(), "02-fails")
	assert.Contains(t, out.String(), "Verification failed")
}

func TestWideCodeLines(t *testing.T) {
	md := "text " + strings.Repeat("x", 100) + "\n```go\nshort\n" + strings.Repeat("y", 73) + "\n```\n"
	assert.Equal(t, []WideLine{{Line: 4, Width: 73}}, WideCodeLines(md))
}
