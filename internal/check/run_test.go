package check

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/internal/lesson"
)

func fixture(t *testing.T) *lesson.Workbook {
	t.Helper()
	root, err := filepath.Abs("testdata/workbook")
	require.NoError(t, err)
	w, err := lesson.Load(root)
	require.NoError(t, err)
	return w
}

func run(t *testing.T, w *lesson.Workbook, id string, opts Options) *Result {
	t.Helper()
	l, err := w.Find(id)
	require.NoError(t, err)
	r, err := Run(context.Background(), w, l, opts)
	require.NoError(t, err)
	return r
}

func statuses(r *Result) map[string]Status {
	m := map[string]Status{}
	for _, t := range r.Tests {
		m[t.Name] = t.Status
	}
	return m
}

func TestPassingExercise(t *testing.T) {
	t.Parallel()
	r := run(t, fixture(t), "1", Options{})
	assert.True(t, r.Passed)
	assert.Equal(t, map[string]Status{"TestAdd": Pass}, statuses(r))
	assert.Equal(t, "adds two numbers", r.Tests[0].Behaviour)

	var out bytes.Buffer
	WriteText(&out, r, Next{NextLesson: "2: Fails"}, Style{})
	assert.Contains(t, out.String(), "✓ adds two numbers (TestAdd)")
	assert.Contains(t, out.String(), "All 1 behaviours pass. Lesson 1 is done!")
	assert.Contains(t, out.String(), "Next: lesson 2: Fails. Run `tutor next`")
}

func TestFailingExerciseShowsExpectedAndActual(t *testing.T) {
	t.Parallel()
	r := run(t, fixture(t), "fails", Options{})
	assert.False(t, r.Passed)
	assert.Equal(t, map[string]Status{"TestAdd": Fail, "TestTable": Fail, "TestZero": Pass}, statuses(r))
	add := r.Tests[0]
	assert.Contains(t, add.Message, "expected: 5")
	assert.Contains(t, add.Message, "actual  : 0")
	assert.Contains(t, add.Message, "Add(2, 3)")
	assert.NotContains(t, add.Message, "Error Trace", "runner noise is dropped")
	assert.NotContains(t, add.Message, "=== RUN")
	assert.Equal(t, []string{"small", "negative"}, r.Tests[1].FailedSubtests)

	var out bytes.Buffer
	WriteText(&out, r, Next{HintsShown: 0, HintsTotal: 2}, Style{})
	s := out.String()
	assert.Contains(t, s, "✗ adds two numbers (TestAdd)")
	assert.Contains(t, s, "Read: “Adding” in `tutor show 2`")
	assert.Contains(t, s, "1 of 3 behaviours pass.")
	assert.Contains(t, s, "Next: make “adds two numbers” pass first")
	assert.Contains(t, s, "`tutor hint 2` shows hint 1 of 2")
}

func TestSolutionRunsTheSameTestsThroughAnOverlay(t *testing.T) {
	t.Parallel()
	r := run(t, fixture(t), "2", Options{Solution: true})
	assert.True(t, r.Passed, "%+v", r)
	assert.Len(t, r.Tests, 3)
}

func TestCompileErrorsAreFileLineMessages(t *testing.T) {
	t.Parallel()
	r := run(t, fixture(t), "3", Options{})
	assert.False(t, r.Passed)
	assert.Empty(t, r.Tests)
	require.NotEmpty(t, r.BuildErrors)
	assert.Regexp(t, `^exercises/03-broken/adder.go:5:\d+: cannot use a \+ b`, r.BuildErrors[0])

	var out bytes.Buffer
	WriteText(&out, r, Next{}, Style{})
	assert.Contains(t, out.String(), "does not compile")
	assert.Contains(t, out.String(), "fix the first error above")
}

func TestHangingTestIsStoppedAndNamed(t *testing.T) {
	t.Parallel()
	r := run(t, fixture(t), "hangs", Options{})
	assert.False(t, r.Passed)
	assert.Equal(t, map[string]Status{"TestQuick": Pass, "TestWait": Hang}, statuses(r))
	assert.Contains(t, r.Tests[1].Message, "time limit (2s)")
	assert.Contains(t, r.Tests[1].Message, "exercises/04-hangs/wait.go:10 in Wait", "points at the learner's line")
}

func TestPanicShowsWhereInTheLearnersCode(t *testing.T) {
	t.Parallel()
	r := run(t, fixture(t), "5", Options{})
	assert.False(t, r.Passed)
	assert.Equal(t, map[string]Status{"TestCount": Fail, "TestAfter": NotRun}, statuses(r))
	assert.Contains(t, r.Tests[0].Message, "panic: assignment to entry in nil map")
	assert.Contains(t, r.Tests[0].Message, "exercises/05-panics/count.go:9")
	assert.Contains(t, r.Tests[1].Message, "never started")
}

func TestJSONHasOneObjectPerTest(t *testing.T) {
	t.Parallel()
	r := run(t, fixture(t), "2", Options{})
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, r))
	var doc struct {
		Lesson int  `json:"lesson"`
		Passed bool `json:"passed"`
		Tests  []struct {
			Name, Status, Message string
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc), buf.String())
	assert.Equal(t, 2, doc.Lesson)
	assert.False(t, doc.Passed)
	require.Len(t, doc.Tests, 3)
	assert.Equal(t, "TestAdd", doc.Tests[0].Name)
	assert.Equal(t, "fail", doc.Tests[0].Status)
	assert.Contains(t, doc.Tests[0].Message, "expected: 5")
}

func TestTestFunctionsInSourceOrder(t *testing.T) {
	names, err := TestFunctions("testdata/workbook/exercises/02-fails")
	require.NoError(t, err)
	assert.Equal(t, []string{"TestAdd", "TestTable", "TestZero"}, names)
}

func TestSlowBuildIsAnnouncedOnce(t *testing.T) {
	t.Parallel()
	w := fixture(t)
	l, err := w.Find("1")
	require.NoError(t, err)
	calls := 0
	var mu sync.Mutex
	_, err = Run(context.Background(), w, l, Options{SlowAfter: time.Nanosecond, Slow: func() {
		mu.Lock()
		calls++
		mu.Unlock()
	}})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 1, calls, "go test takes more than a nanosecond to start a test")
}
