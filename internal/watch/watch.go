// Package watch tells when the files of an exercise change. It watches
// directories, not files, so that editors that save by writing a new
// file and renaming it over the old one (vim, helix, JetBrains) are
// seen; it ignores editor scratch files; it turns a burst of events into
// one change; and it can poll instead, for file systems that deliver no
// events (WSL's /mnt, network mounts).
package watch

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options tune a Watcher.
type Options struct {
	// Poll checks the files every Interval instead of asking the kernel
	// for events.
	Poll bool
	// Interval is the polling period (500 ms when zero).
	Interval time.Duration
	// Quiet is how long events must stop before a change is reported
	// (200 ms when zero): an editor's save is several events.
	Quiet time.Duration
}

// Watch reports on the returned channel each time a relevant file below
// dir changes, until ctx is done. The channel is closed then.
func Watch(ctx context.Context, dir string, opts Options) (<-chan string, error) {
	if opts.Quiet == 0 {
		opts.Quiet = 200 * time.Millisecond
	}
	if opts.Interval == 0 {
		opts.Interval = 500 * time.Millisecond
	}
	raw := make(chan string, 64)
	if opts.Poll {
		go poll(ctx, dir, opts.Interval, raw)
	} else {
		w, err := fsnotify.NewWatcher()
		if err != nil {
			return nil, fmt.Errorf("watch: %w", err)
		}
		if err := addTree(w, dir); err != nil {
			w.Close()
			return nil, err
		}
		go notify(ctx, w, raw)
	}
	out := make(chan string)
	go debounce(ctx, raw, out, opts.Quiet)
	return out, nil
}

// addTree watches dir and every folder below it.
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if err := w.Add(path); err != nil {
			return fmt.Errorf("watch: %s: %w", path, err)
		}
		return nil
	})
}

func notify(ctx context.Context, w *fsnotify.Watcher, raw chan<- string) {
	defer w.Close()
	defer close(raw)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					_ = addTree(w, ev.Name) // a new folder: watch it too
					continue
				}
			}
			if Relevant(ev.Name) && !ev.Has(fsnotify.Chmod) {
				raw <- ev.Name
			}
		case _, ok := <-w.Errors:
			if !ok {
				return
			}
		}
	}
}

// poll compares modification times and sizes of the relevant files.
func poll(ctx context.Context, dir string, every time.Duration, raw chan<- string) {
	defer close(raw)
	last := snapshot(dir)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := snapshot(dir)
			for name, st := range now {
				if old, ok := last[name]; !ok || old != st {
					raw <- name
				}
			}
			for name := range last {
				if _, ok := now[name]; !ok {
					raw <- name
				}
			}
			last = now
		}
	}
}

type stamp struct {
	mod  time.Time
	size int64
}

func snapshot(dir string) map[string]stamp {
	m := map[string]stamp{}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && path != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && Relevant(path) {
			if info, err := d.Info(); err == nil {
				m[path] = stamp{info.ModTime(), info.Size()}
			}
		}
		return nil
	})
	return m
}

// debounce forwards one name after each burst of events has been quiet
// for the given time.
func debounce(ctx context.Context, in <-chan string, out chan<- string, quiet time.Duration) {
	defer close(out)
	var timer <-chan time.Time
	pending := ""
	for {
		select {
		case <-ctx.Done():
			return
		case name, ok := <-in:
			if !ok {
				return
			}
			pending = name
			timer = time.After(quiet)
		case <-timer:
			timer = nil
			select {
			case out <- pending:
			case <-ctx.Done():
				return
			}
		}
	}
}

// Relevant reports whether a change to the named file should re-run the
// checks: Go sources and go.mod/go.sum, not editor scratch files (vim's
// .swp and 4913, emacs' #x# and .#x, backups ending in ~, JetBrains'
// ___jb_tmp___, gedit's .goutputstream-*).
func Relevant(name string) bool {
	base := filepath.Base(name)
	switch {
	case base == "4913", strings.HasPrefix(base, ".#"), strings.HasPrefix(base, "#"),
		strings.HasSuffix(base, "~"), strings.Contains(base, "___jb_"),
		strings.HasPrefix(base, ".goutputstream"), strings.HasSuffix(base, ".swp"),
		strings.HasSuffix(base, ".swx"), strings.HasSuffix(base, ".tmp"):
		return false
	}
	return strings.HasSuffix(base, ".go") || base == "go.mod" || base == "go.sum"
}

// noEventFS are file system types known to deliver no inotify events for
// changes made from elsewhere.
var noEventFS = map[string]bool{
	"9p": true, "drvfs": true, "nfs": true, "nfs4": true, "cifs": true, "smb3": true,
	"fuse.sshfs": true, "vboxsf": true, "virtiofs": false,
}

// NeedsPolling reports whether dir is on a file system that delivers no
// change events, by finding its mount in /proc/self/mounts; fsType names
// the file system when it does.
func NeedsPolling(dir string) (needs bool, fsType string) {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return false, ""
	}
	defer f.Close()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, ""
	}
	best := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		mnt := strings.ReplaceAll(fields[1], `\040`, " ")
		if (abs == mnt || strings.HasPrefix(abs, strings.TrimSuffix(mnt, "/")+"/")) && len(mnt) >= len(best) {
			best, fsType = mnt, fields[2]
		}
	}
	return noEventFS[fsType], fsType
}
