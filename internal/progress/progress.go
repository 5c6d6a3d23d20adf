// Package progress keeps the learner's progress in one JSON file at the
// workbook root. Writes are atomic (a temporary file renamed over the old
// one), so a crash or a full disk never leaves half a file; a missing or
// unreadable file is recovered from with a warning, never a crash.
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// FileName is the progress file's name at the workbook root. It is listed
// in .gitignore.
const FileName = ".tutor-progress.json"

// version is written into the file so that a later tutor can migrate it.
const version = 1

// State is everything the tutor remembers about one learner.
type State struct {
	Version int `json:"version"`
	// Current is the slug of the lesson the learner is on; empty means
	// the first lesson not yet passed.
	Current string `json:"current,omitempty"`
	// Lessons is keyed by lesson slug.
	Lessons map[string]*Lesson `json:"lessons"`
}

// Lesson is what the tutor remembers about one lesson.
type Lesson struct {
	// Passed is when `tutor check` first saw every test pass.
	Passed *time.Time `json:"passed,omitempty"`
	// LastPass is the most recent passing check.
	LastPass *time.Time `json:"last_pass,omitempty"`
	// LastCheck is the most recent check, passing or not.
	LastCheck *time.Time `json:"last_check,omitempty"`
	// Checks counts the runs of `tutor check`.
	Checks int `json:"checks,omitempty"`
	// Hints is how many hint levels have been revealed.
	Hints int `json:"hints,omitempty"`
	// SolutionSeen is true once the solution was shown.
	SolutionSeen bool `json:"solution_seen,omitempty"`
}

// Done reports whether the lesson has been passed.
func (l *Lesson) Done() bool { return l != nil && l.Passed != nil }

// The statuses a lesson can have, as Status reports them.
const (
	StatusDone       = "done"
	StatusStarted    = "started" // checked or hinted, not passed
	StatusNotStarted = "not-started"
)

// Status reports how far the learner is with the lesson; l may be nil.
func (l *Lesson) Status() string {
	switch {
	case l.Done():
		return StatusDone
	case l != nil && (l.Checks > 0 || l.Hints > 0):
		return StatusStarted
	}
	return StatusNotStarted
}

// Lesson returns the record for slug, creating it.
func (s *State) Lesson(slug string) *Lesson {
	if s.Lessons == nil {
		s.Lessons = map[string]*Lesson{}
	}
	l := s.Lessons[slug]
	if l == nil {
		l = &Lesson{}
		s.Lessons[slug] = l
	}
	return l
}

// Peek returns the record for slug, or nil when there is none.
func (s *State) Peek(slug string) *Lesson { return s.Lessons[slug] }

// RecordCheck notes a run of `tutor check` at now.
func (s *State) RecordCheck(slug string, passed bool, now time.Time) {
	l := s.Lesson(slug)
	l.Checks++
	l.LastCheck = &now
	if passed {
		l.LastPass = &now
		if l.Passed == nil {
			l.Passed = &now
		}
	}
}

// Store reads and writes the progress file of one workbook.
type Store struct {
	Path string
}

// NewStore returns the store for the workbook at root.
func NewStore(root string) *Store {
	return &Store{Path: filepath.Join(root, FileName)}
}

// Load reads the progress. A missing file gives an empty state and no
// warning. A file that cannot be parsed is moved aside (to
// FileName.broken-TIMESTAMP) so nothing is lost, and Load returns an empty
// state with a warning that says where the old file went.
func (st *Store) Load() (s *State, warning string, err error) {
	s = &State{Version: version, Lessons: map[string]*Lesson{}}
	b, err := os.ReadFile(st.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("progress: %w", err)
	}
	var got State
	if jerr := json.Unmarshal(b, &got); jerr != nil || got.Version > version {
		why := "it is not valid JSON"
		if jerr == nil {
			why = fmt.Sprintf("it was written by a newer tutor (version %d)", got.Version)
		}
		aside := fmt.Sprintf("%s.broken-%s", st.Path, time.Now().Format("20060102-150405"))
		if rerr := os.Rename(st.Path, aside); rerr != nil {
			return nil, "", fmt.Errorf("progress: %s is unreadable (%s) and could not be moved aside: %w", st.Path, why, rerr)
		}
		return s, fmt.Sprintf("Your progress file could not be read (%s). It was kept as %s and a fresh one was started.", why, filepath.Base(aside)), nil
	}
	if got.Lessons == nil {
		got.Lessons = map[string]*Lesson{}
	}
	got.Version = version
	return &got, "", nil
}

// Save writes s atomically: to a temporary file in the same folder, synced,
// then renamed over the old file.
func (st *Store) Save(s *State) error {
	s.Version = version
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(st.Path)
	f, err := os.CreateTemp(dir, FileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("progress: writing %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("progress: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	if err := os.Rename(tmp, st.Path); err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	return nil
}

// Update loads the state, lets change modify it, and saves it.
func (st *Store) Update(change func(*State)) (warning string, err error) {
	s, warning, err := st.Load()
	if err != nil {
		return warning, err
	}
	change(s)
	return warning, st.Save(s)
}
