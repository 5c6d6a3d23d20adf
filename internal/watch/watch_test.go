package watch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func start(t *testing.T, dir string, opts Options) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := Watch(ctx, dir, opts)
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond) // let the watcher settle
	return ch
}

func expectChange(t *testing.T, ch <-chan string, what string) string {
	t.Helper()
	select {
	case name := <-ch:
		return name
	case <-time.After(5 * time.Second):
		t.Fatalf("no change reported after %s", what)
		return ""
	}
}

func expectQuiet(t *testing.T, ch <-chan string, what string) {
	t.Helper()
	select {
	case name := <-ch:
		t.Fatalf("a change (%s) was reported after %s", name, what)
	case <-time.After(600 * time.Millisecond):
	}
}

func TestSaveByRenameIsSeen(t *testing.T) {
	for _, poll := range []bool{false, true} {
		t.Run(map[bool]string{false: "events", true: "polling"}[poll], func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "rawsock.go")
			require.NoError(t, os.WriteFile(file, []byte("package a\n"), 0o644))
			ch := start(t, dir, Options{Poll: poll, Interval: 50 * time.Millisecond})

			// What vim does with backupcopy=no: write a new file, rename
			// it over the old one.
			tmp := filepath.Join(dir, "4913")
			require.NoError(t, os.WriteFile(tmp, []byte("package a // v2\n"), 0o644))
			require.NoError(t, os.Rename(tmp, file))
			assert.Equal(t, file, expectChange(t, ch, "a save by rename"))
			expectQuiet(t, ch, "one save")
		})
	}
}

func TestBurstIsOneChange(t *testing.T) {
	dir := t.TempDir()
	ch := start(t, dir, Options{Quiet: 150 * time.Millisecond})
	for i := 0; i < 10; i++ {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a.go"), []byte{byte('a' + i)}, 0o644))
		time.Sleep(5 * time.Millisecond)
	}
	expectChange(t, ch, "a burst of writes")
	expectQuiet(t, ch, "the burst")
}

func TestScratchFilesAreIgnored(t *testing.T) {
	dir := t.TempDir()
	ch := start(t, dir, Options{})
	for _, name := range []string{".rawsock.go.swp", "rawsock.go~", "#rawsock.go#", "notes.txt", "x.go___jb_tmp___"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644))
	}
	expectQuiet(t, ch, "writing scratch files")
}

func TestNewFolderIsWatched(t *testing.T) {
	dir := t.TempDir()
	ch := start(t, dir, Options{})
	sub := filepath.Join(dir, "cmd", "serve")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, os.WriteFile(filepath.Join(sub, "main.go"), []byte("package main\n"), 0o644))
	name := expectChange(t, ch, "a write in a new folder")
	assert.Contains(t, []string{sub, filepath.Join(sub, "main.go")}, name)
}

func TestRelevant(t *testing.T) {
	for name, want := range map[string]bool{
		"rawsock.go": true, "go.mod": true, "go.sum": true, "x_test.go": true,
		"rawsock.go~": false, ".rawsock.go.swp": false, "4913": false, ".#rawsock.go": false,
		"README.md": false, ".goutputstream-ABC": false,
	} {
		assert.Equal(t, want, Relevant(name), name)
	}
}

func TestNeedsPollingOnAnOrdinaryDisk(t *testing.T) {
	needs, fsType := NeedsPolling(t.TempDir())
	assert.False(t, needs, "a temp dir on %q", fsType)
}
