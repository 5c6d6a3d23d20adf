package progress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMissingFileIsEmptyState(t *testing.T) {
	st := NewStore(t.TempDir())
	s, warn, err := st.Load()
	require.NoError(t, err)
	assert.Empty(t, warn)
	assert.Empty(t, s.Lessons)
}

func TestSaveThenLoad(t *testing.T) {
	st := NewStore(t.TempDir())
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	_, err := st.Update(func(s *State) {
		s.Current = "02-tcp-server-framework"
		s.RecordCheck("01-raw-sockets", false, now)
		s.RecordCheck("01-raw-sockets", true, now.Add(time.Minute))
		s.Lesson("01-raw-sockets").Hints = 2
	})
	require.NoError(t, err)

	s, warn, err := st.Load()
	require.NoError(t, err)
	assert.Empty(t, warn)
	l := s.Peek("01-raw-sockets")
	require.NotNil(t, l)
	assert.True(t, l.Done())
	assert.Equal(t, 2, l.Checks)
	assert.Equal(t, 2, l.Hints)
	assert.Equal(t, "02-tcp-server-framework", s.Current)
	assert.True(t, l.Passed.Equal(now.Add(time.Minute)))

	// No temporary files are left behind.
	entries, err := os.ReadDir(filepath.Dir(st.Path))
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestFirstPassIsKept(t *testing.T) {
	var s State
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.RecordCheck("x", true, t0)
	s.RecordCheck("x", true, t0.Add(time.Hour))
	assert.True(t, s.Peek("x").Passed.Equal(t0))
	assert.True(t, s.Peek("x").LastPass.Equal(t0.Add(time.Hour)))
}

func TestCorruptFileIsMovedAsideNotLost(t *testing.T) {
	for name, content := range map[string]string{
		"truncated JSON": `{"version":1,"lessons":{"01-x":{"hints":`,
		"newer version":  `{"version":99,"lessons":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			st := NewStore(dir)
			require.NoError(t, os.WriteFile(st.Path, []byte(content), 0o644))

			s, warn, err := st.Load()
			require.NoError(t, err)
			assert.Empty(t, s.Lessons)
			assert.Contains(t, warn, "fresh one was started")

			matches, _ := filepath.Glob(st.Path + ".broken-*")
			require.Len(t, matches, 1, "the unreadable file must be kept")
			kept, _ := os.ReadFile(matches[0])
			assert.Equal(t, content, string(kept))
			assert.True(t, strings.Contains(warn, filepath.Base(matches[0])))
		})
	}
}
