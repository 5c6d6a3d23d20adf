package main

// These tests drive the real tutor binary in a real terminal, tmux,
// typing keys with send-keys and reading the screen with capture-pane:
// the picker, the pager, and watch mode seeing a save by renaming.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// terminal is one tmux session running a command in a fixture workbook.
type terminal struct {
	t       *testing.T
	socket  string
	session string
	root    string
}

var tutorBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tutor-tmux-*")
	if err != nil {
		panic(err)
	}
	tutorBin = filepath.Join(dir, "tutor")
	if out, err := exec.Command("go", "build", "-o", tutorBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building tutor: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixtureWorkbook copies the fixture workbook into a git repository.
func fixtureWorkbook(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs("../../internal/check/testdata/workbook")
	require.NoError(t, err)
	dst := t.TempDir()
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	return dst
}

func startTerminal(t *testing.T, root string, command string) *terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (Debian: apt-get install tmux): the terminal tests need it")
	}
	term := &terminal{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), session: "tutor", root: root}
	shell := fmt.Sprintf("cd %q && TUTOR_ROOT=%q TERM=xterm-256color PAGER='less -R' %s; echo '[exited '$?']'; sleep 600",
		root, root, command)
	term.tmux("new-session", "-d", "-s", term.session, "-x", "100", "-y", "30", shell)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", term.socket}, args...)...).CombinedOutput()
	require.NoError(term.t, err, "tmux %v: %s", args, out)
	return string(out)
}

func (term *terminal) screen() string {
	return term.tmux("capture-pane", "-p", "-t", term.session)
}

func (term *terminal) keys(keys ...string) {
	term.tmux(append([]string{"send-keys", "-t", term.session}, keys...)...)
}

// waitFor waits until the screen shows text, and returns the screen.
func (term *terminal) waitFor(text string) string {
	term.t.Helper()
	return term.waitUntil(fmt.Sprintf("shows %q", text), func(s string) bool { return strings.Contains(s, text) })
}

// waitUntil waits until ok accepts the screen, and returns the screen.
func (term *terminal) waitUntil(what string, ok func(screen string) bool) string {
	term.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := term.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the screen never %s; it shows:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPickerKeysInATerminal(t *testing.T) {
	term := startTerminal(t, fixtureWorkbook(t), tutorBin)
	term.waitFor("0 of 6 lessons done")
	term.waitFor("▶  1  Passes")
	term.keys("Down", "h") // lesson 2, then its hint
	term.waitFor("Hint 1 of 2 (new)")
	term.waitFor("[exited 0]")

	term = startTerminal(t, fixtureWorkbook(t), tutorBin)
	term.waitFor("Passes")
	term.keys("/") // filter
	term.waitFor("Filter:")
	term.keys("pan")
	term.waitUntil("hides the lessons the filter does not match", func(s string) bool {
		return strings.Contains(s, "Panics") && !strings.Contains(s, "Hangs")
	})
	term.keys("Enter", "Enter") // accept the filter, then read the lesson
	term.waitFor("Counting")    // lesson 5's heading, in the pager
	term.keys("q")
	term.waitFor("[exited 0]")
}

func TestShowPagesOnATerminal(t *testing.T) {
	root := fixtureWorkbook(t)
	long := "# Long\n\n## Adding\n\n" + strings.Repeat("A line of text.\n\n", 60) + "THE END\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "lessons", "01-passes.md"), []byte(long), 0o644))
	term := startTerminal(t, root, tutorBin+" show 1")
	s := term.waitFor("A line of text.")
	require.NotContains(t, s, "THE END", "the pager shows the first screen only")
	require.NotContains(t, s, "[exited", "tutor waits in the pager")
	term.keys("G") // less: to the end
	term.waitFor("THE END")
	term.keys("q")
	term.waitFor("[exited 0]")
}

func TestWatchSeesASaveByRename(t *testing.T) {
	root := fixtureWorkbook(t)
	term := startTerminal(t, root, tutorBin+" watch 2")
	term.waitFor("Watching exercises/02-fails")
	term.waitFor("1 of 3 behaviours pass.")

	// Save the way vim does: write a new file, rename it over the old.
	dir := filepath.Join(root, "exercises", "02-fails")
	fixed := "package adder\n\n// Add returns a+b.\nfunc Add(a, b int) int { return a + b }\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "4913"), []byte(fixed), 0o644))
	require.NoError(t, os.Rename(filepath.Join(dir, "4913"), filepath.Join(dir, "adder.go")))
	term.waitFor("saved: checking again")
	term.waitFor("All 3 behaviours pass.")
	term.waitFor("n next lesson")
	term.keys("n")
	term.waitFor("On to lesson 3, Does not compile")
	term.waitFor("does not compile, so no test could run")
	term.keys("q")
	term.waitFor("Stopped watching.")
	term.waitFor("[exited 0]")
}
