package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/internal/progress"
)

// workbook copies the fixture workbook into a fresh git repository, so
// each test has its own progress file and its own stubs to change.
func workbook(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs("../check/testdata/workbook")
	require.NoError(t, err)
	dst := t.TempDir()
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dst
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "workbook")
	return dst
}

type result struct {
	code     int
	out, err string
}

// tutor runs one command line in-process.
func tutor(t *testing.T, root string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &App{In: strings.NewReader(""), Out: &out, Err: &errb, Dir: root,
		Now: func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }}
	code := a.Run(args)
	return result{code, out.String(), errb.String()}
}

func loadProgress(t *testing.T, root string) *progress.State {
	t.Helper()
	s, warn, err := progress.NewStore(root).Load()
	require.NoError(t, err)
	require.Empty(t, warn)
	return s
}

func TestGreetingSaysWhereToStart(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root)
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.out, "There are 6 lessons; you start with lesson 1, Passes.")
	assert.Contains(t, r.out, "tutor show 1")
	assert.Contains(t, r.out, "exercises/01-passes/adder.go")
}

func TestOutsideTheWorkbook(t *testing.T) {
	t.Setenv("TUTOR_ROOT", "")
	r := tutor(t, t.TempDir(), "list")
	assert.Equal(t, ExitProblem, r.code)
	assert.Contains(t, r.err, "This is not inside the workbook")
}

func TestUnknownCommandAndLesson(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "chek")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.err, `Unknown command "chek"`)
	assert.Contains(t, r.err, "Did you mean `tutor check`?")

	r = tutor(t, root, "show", "42")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.err, "There is no lesson 42: the lessons are numbered 1 to 6")

	r = tutor(t, root, "check", "--bogus")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.err, "Unknown flag: --bogus")
}

func TestShowRendersTheLessonWithItsDiagram(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "show", "fails", "--no-pager")
	require.Equal(t, ExitOK, r.code, r.err)
	assert.Contains(t, r.out, "Adding")
	assert.Contains(t, r.out, "| + |", "the diagram's text is shown in place")
	assert.NotContains(t, r.out, "\x1b[", "piped output is plain")
	assert.Equal(t, "02-fails", loadProgress(t, root).Current, "naming a lesson makes it current")

	r = tutor(t, root, "show", "2", "--style", "purple")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.err, `Unknown style "purple"`)
}

func TestCheckFailingThenPassing(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "check", "2")
	assert.Equal(t, ExitFailed, r.code)
	assert.Contains(t, r.out, "✗ adds two numbers (TestAdd)")
	assert.Contains(t, r.out, "expected: 5")
	assert.Contains(t, r.out, "`tutor hint 2` shows hint 1 of 2")
	p := loadProgress(t, root).Peek("02-fails")
	require.NotNil(t, p)
	assert.False(t, p.Done())
	assert.Equal(t, 1, p.Checks)

	// The learner fixes the stub.
	stub := filepath.Join(root, "exercises/02-fails/adder.go")
	require.NoError(t, os.WriteFile(stub, []byte("package adder\n\n// Add returns a+b.\nfunc Add(a, b int) int { return a + b }\n"), 0o644))
	r = tutor(t, root, "check", "2")
	assert.Equal(t, ExitOK, r.code, r.out+r.err)
	assert.Contains(t, r.out, "All 3 behaviours pass. Lesson 2 is done!")
	assert.Contains(t, r.out, "Next: lesson 3, Does not compile. Run `tutor next`")
	assert.True(t, loadProgress(t, root).Peek("02-fails").Done())

	r = tutor(t, root, "list")
	assert.Regexp(t, `2\s+Fails\s+10 min\s+done`, r.out)

	r = tutor(t, root, "next")
	assert.Contains(t, r.out, "You are now on lesson 3", "next goes on from the lesson just passed")
}

func TestCheckJSON(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "check", "2", "--json")
	assert.Equal(t, ExitFailed, r.code)
	var doc struct {
		Passed bool `json:"passed"`
		Tests  []struct {
			Name, Status, Message string
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.out), &doc), "stdout is one JSON document: %s", r.out)
	assert.Len(t, doc.Tests, 3)
	assert.Empty(t, r.err, "nothing but JSON is printed with --json")
}

func TestCheckReportsCompileErrorsAndHangs(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "check", "3")
	assert.Equal(t, ExitFailed, r.code)
	assert.Contains(t, r.out, "does not compile")
	assert.Contains(t, r.out, "exercises/03-broken/adder.go:5:")

	r = tutor(t, root, "check", "4")
	assert.Equal(t, ExitFailed, r.code)
	assert.Contains(t, r.out, "⏱ does not wait forever (TestWait)")
	assert.Contains(t, r.out, "time limit (2s)")
	assert.Contains(t, r.out, "1 hung and was stopped")
}

func TestHintsComeInLevelsAndAreRemembered(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "hint", "2")
	require.Equal(t, ExitOK, r.code, r.err)
	assert.Contains(t, r.out, "Hint 1 of 2 (new)")
	assert.Contains(t, r.out, "Add the numbers.")
	assert.NotContains(t, r.out, "Use +.")
	assert.Contains(t, r.out, "1 more hint: run `tutor hint 2` again")

	r = tutor(t, root, "hint", "2")
	assert.Contains(t, r.out, "Hint 1 of 2")
	assert.Contains(t, r.out, "Hint 2 of 2 (new)")
	assert.Contains(t, r.out, "Use +.")
	assert.Contains(t, r.out, "That was the last hint")

	r = tutor(t, root, "hint", "2")
	assert.Contains(t, r.out, "You have seen all 2 hints")
	assert.Equal(t, 2, loadProgress(t, root).Peek("02-fails").Hints)
}

func TestSolutionAsksFirstAndShowsADiff(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "solution", "2")
	assert.Equal(t, ExitFailed, r.code, "without a terminal and without --yes it refuses")
	assert.Contains(t, r.err, "You have not passed lesson 2 yet")
	assert.Contains(t, r.err, "--yes")
	assert.NotContains(t, r.out, "return a + b")

	r = tutor(t, root, "solution", "2", "--yes")
	require.Equal(t, ExitOK, r.code, r.err)
	assert.Contains(t, r.out, "solutions/02-fails/adder.go")
	assert.Contains(t, r.out, "return a + b", "an untouched stub gets the whole file")
	assert.True(t, loadProgress(t, root).Peek("02-fails").SolutionSeen)

	stub := filepath.Join(root, "exercises/02-fails/adder.go")
	require.NoError(t, os.WriteFile(stub, []byte("package adder\n\n// Add returns a+b.\nfunc Add(a, b int) int { return a - b }\n"), 0o644))
	r = tutor(t, root, "solution", "2", "--yes")
	assert.Contains(t, r.out, "-func Add(a, b int) int { return a - b }")
	assert.Contains(t, r.out, "+func Add(a, b int) int { return a + b }")
}

func TestResetRestoresTheStubAndKeepsABackup(t *testing.T) {
	root := workbook(t)
	stubPath := filepath.Join(root, "exercises/02-fails/adder.go")
	orig, err := os.ReadFile(stubPath)
	require.NoError(t, err)
	mine := []byte("package adder\n\nfunc Add(a, b int) int { return 42 }\n")
	require.NoError(t, os.WriteFile(stubPath, mine, 0o644))

	r := tutor(t, root, "reset", "2")
	assert.Equal(t, ExitFailed, r.code, "asks first; no terminal means no")
	got, _ := os.ReadFile(stubPath)
	assert.Equal(t, string(mine), string(got), "nothing changed without a yes")

	r = tutor(t, root, "reset", "2", "--yes")
	require.Equal(t, ExitOK, r.code, r.err)
	got, _ = os.ReadFile(stubPath)
	assert.Equal(t, string(orig), string(got))

	var backups []string
	require.NoError(t, filepath.WalkDir(filepath.Join(root, BackupDir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			backups = append(backups, p)
		}
		return err
	}))
	require.Len(t, backups, 1)
	kept, _ := os.ReadFile(backups[0])
	assert.Equal(t, string(mine), string(kept))
	assert.Contains(t, r.out, "Your version is in .tutor-backups/02-fails/")

	r = tutor(t, root, "reset", "2", "--yes")
	assert.Contains(t, r.out, "already as it was shipped")
}

func TestNextAndGoto(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "next")
	require.Equal(t, ExitOK, r.code, r.err)
	assert.Contains(t, r.out, "Lesson 1 is not passed yet")
	assert.Contains(t, r.out, "You are now on lesson 2: Fails")
	assert.Equal(t, "02-fails", loadProgress(t, root).Current)

	r = tutor(t, root, "goto", "serves")
	require.Equal(t, ExitOK, r.code, r.err)
	r = tutor(t, root, "next")
	assert.Contains(t, r.out, "Lesson 6 is the last one")
}

func TestCorruptProgressIsRecovered(t *testing.T) {
	root := workbook(t)
	require.NoError(t, os.WriteFile(filepath.Join(root, progress.FileName), []byte("{nonsense"), 0o644))
	r := tutor(t, root, "list")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.err, "Warning: Your progress file could not be read")
	assert.Contains(t, r.out, "Passes")
}

func TestVerifyFlagsTheBrokenFixtures(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "verify", "2", "3")
	assert.Equal(t, ExitFailed, r.code)
	assert.Regexp(t, `02-fails\s+2\s+2/2\s+3/3\s+[\d.]+\s+ok`, r.out)
	assert.Contains(t, r.out, "03-broken: the stub does not compile")

	r = tutor(t, root, "verify", "2")
	assert.Equal(t, ExitOK, r.code, r.out)
}

func TestCompletionOffersLessons(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "__complete", "show", "")
	require.Equal(t, ExitOK, r.code, r.err)
	assert.Contains(t, r.out, "2\tFails")
	assert.Contains(t, r.out, "02-fails\tFails")

	r = tutor(t, root, "completion", "bash")
	assert.Equal(t, ExitOK, r.code)
	assert.Contains(t, r.out, "bash completion")
}

func TestEveryCommandHasHelp(t *testing.T) {
	root := workbook(t)
	for _, c := range []string{"list", "show", "check", "hint", "solution", "reset", "next", "goto", "run", "status", "verify", "doctor", "completion"} {
		r := tutor(t, root, c, "--help")
		assert.Equal(t, ExitOK, r.code, c)
		assert.Contains(t, r.out, "Usage:", c)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunServesUntilInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantBody string
	}{
		{"learner's code", []string{"run", "6", "extra"}, " [extra]"},
		{"solution", []string{"run", "serves", "--solution"}, "hello []"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := workbook(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errb syncBuffer
			a := &App{In: strings.NewReader(""), Out: &out, Err: &errb, Dir: root, Ctx: ctx}
			done := make(chan int, 1)
			go func() { done <- a.Run(tc.args) }()

			re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+/)`)
			var url string
			require.Eventually(t, func() bool {
				m := re.FindStringSubmatch(out.String())
				if m != nil {
					url = m[1]
				}
				return m != nil
			}, 60*time.Second, 50*time.Millisecond, "no URL printed; out=%q err=%q", out.String(), errb.String())
			assert.Contains(t, out.String(), "curl -i "+url)
			assert.Regexp(t, `nc 127\.0\.0\.1 \d+`, out.String())
			assert.Contains(t, out.String(), "Press Ctrl-C to stop.")

			resp, err := http.Get(url)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, tc.wantBody, string(body))

			cancel() // what Ctrl-C does
			select {
			case code := <-done:
				assert.Equal(t, ExitOK, code)
			case <-time.After(10 * time.Second):
				t.Fatal("tutor run did not stop after the interrupt")
			}
			assert.Contains(t, out.String(), "Stopped.")
			_, err = http.Get(url)
			assert.Error(t, err, "the server is gone after the interrupt")
		})
	}
}

func TestRunRefusesLessonsWithoutServer(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "run", "2")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.err, "Lesson 2 has no server to run. These lessons have one: 6.")
}

func TestStatusJSONForTeachers(t *testing.T) {
	root := workbook(t)
	tutor(t, root, "check", "1")
	tutor(t, root, "hint", "2")
	r := tutor(t, root, "status", "--json")
	require.Equal(t, ExitOK, r.code, r.err)
	var doc Status
	require.NoError(t, json.Unmarshal([]byte(r.out), &doc), r.out)
	assert.Equal(t, 1, doc.Done)
	assert.Equal(t, 6, doc.Total)
	require.Len(t, doc.Lessons, 6)
	assert.Equal(t, "done", doc.Lessons[0].Status)
	require.NotNil(t, doc.Lessons[0].LastPass)
	assert.Equal(t, "started", doc.Lessons[1].Status)
	assert.Equal(t, 1, doc.Lessons[1].HintsUsed)
	assert.Equal(t, 2, doc.Lessons[1].HintsTotal)
	assert.True(t, doc.Lessons[0].Current, "the lesson checked last is current")

	r = tutor(t, root, "status")
	assert.Contains(t, r.out, "1 of 6 lessons done; current: lesson 1, Passes.")

	r = tutor(t, root)
	assert.Contains(t, r.out, "You passed lesson 1. Run `tutor next` to go on to lesson 2, Fails.")
}

func TestCheckAllForAClass(t *testing.T) {
	root := workbook(t)
	r := tutor(t, root, "check", "--all", "--json")
	assert.Equal(t, ExitFailed, r.code, "some fixture lessons fail")
	var doc AllResults
	require.NoError(t, json.Unmarshal([]byte(r.out), &doc), r.out)
	require.Len(t, doc.Lessons, 6)
	assert.False(t, doc.Passed)
	assert.True(t, doc.Lessons[0].Passed)
	assert.NotEmpty(t, doc.Lessons[2].BuildErrors)
	// 01: 1/1, 02: 1/3, 03: 0/1 (no compile), 04: 1/2, 05: 0/2, 06: 0/1
	assert.Equal(t, 3, doc.Score)
	assert.Equal(t, 10, doc.MaxScore)

	r = tutor(t, root, "check", "--all")
	assert.Regexp(t, `3\s+Does not compile\s+does not compile\s+0/0`, r.out)
	assert.Contains(t, r.out, "Score: 3 of 10 tests pass.")

	r = tutor(t, root, "check", "--all", "2")
	assert.Equal(t, ExitUsage, r.code)
}

func TestWatchChecksOnSaveAndTakesKeys(t *testing.T) {
	root := workbook(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys, typeKey := io.Pipe()
	var out, errb syncBuffer
	a := &App{In: keys, Out: &out, Err: &errb, Dir: root, Ctx: ctx}
	done := make(chan int, 1)
	go func() { done <- a.Run([]string{"watch", "2"}) }()
	waitFor := func(what string) {
		t.Helper()
		require.Eventually(t, func() bool { return strings.Count(out.String(), what) > 0 },
			60*time.Second, 20*time.Millisecond, "waiting for %q in:\n%s", what, out.String())
	}
	waitFor("Watching exercises/02-fails")
	assert.Contains(t, out.String(), "1 of 3 behaviours pass.")

	// Save the fix the way vim does: a new file renamed over the old.
	stub := filepath.Join(root, "exercises/02-fails/adder.go")
	tmp := filepath.Join(root, "exercises/02-fails/4913")
	require.NoError(t, os.WriteFile(tmp, []byte("package adder\n\n// Add returns a+b.\nfunc Add(a, b int) int { return a + b }\n"), 0o644))
	require.NoError(t, os.Rename(tmp, stub))
	waitFor("saved: checking again")
	waitFor("All 3 behaviours pass.")
	waitFor("n next lesson · h hint")

	_, err := typeKey.Write([]byte("h"))
	require.NoError(t, err)
	waitFor("Hint 1 of 2 (new)")

	_, err = typeKey.Write([]byte("n"))
	require.NoError(t, err)
	waitFor("On to lesson 3, Does not compile")
	waitFor("Watching exercises/03-broken")

	_, err = typeKey.Write([]byte("q"))
	require.NoError(t, err)
	select {
	case code := <-done:
		assert.Equal(t, ExitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop on q")
	}
	assert.Equal(t, "03-broken", loadProgress(t, root).Current)
}
