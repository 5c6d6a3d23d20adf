// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"path/filepath"
	"testing"

	"socket2gateway/exercises/internal/wire"
)

// TestEscapes tries every way out of the root that this lesson knows.
// Whatever the status, the response must never hold the secret that
// newSite put next to the root.
func TestEscapes(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)
	secretPath := filepath.ToSlash(filepath.Join(s.dir, "secret.txt"))

	tests := []struct {
		name, target string
		want         int
	}{
		// A ".." segment can never name a file below the root: 400.
		{"dot-dot", "/../secret.txt", 400},
		{"dot-dot deeper down", "/sub/../../secret.txt", 400},
		{"dot-dot at the end", "/sub/..", 400},
		{"dot-dot to a folder named like the root",
			"/../www-private/secret.txt", 400},
		{"encoded dot-dot", "/%2e%2e/secret.txt", 400},
		{"encoded dot-dot, upper case", "/%2E%2E/secret.txt", 400},
		{"half-encoded dot-dot", "/.%2e/secret.txt", 400},
		{"dot-dot in an absolute-form target",
			"http://x/../secret.txt", 400},
		// Neither can a name with a slash, a backslash or a NUL in it.
		{"encoded slash", "/..%2fsecret.txt", 400},
		{"encoded slash, upper case", "/sub%2F..%2F..%2Fsecret.txt", 400},
		{"backslash", `/..\secret.txt`, 400},
		{"encoded backslash", "/..%5csecret.txt", 400},
		{"NUL", "/hello.txt%00.html", 400},
		// Decoded once, these are ordinary names that do not exist.
		{"double encoding", "/%252e%252e/secret.txt", 404},
		{"double encoding of a slash", "/..%252fsecret.txt", 404},
		{"overlong UTF-8 dots", "/%c0%ae%c0%ae/secret.txt", 404},
		{"absolute path", "/" + secretPath, 404},
		// The path is fine; the file system leads out: os.Root says no.
		{"symlink out", "/link-out", 404},
		{"symlink to the parent", "/dir-out/secret.txt", 404},
		{"symlink to the parent, listed", "/dir-out/", 404},
		{"symlink to a folder named like the root",
			"/private/secret.txt", 404},
		{"absolute symlink", "/abs-out", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, "GET", tt.target)
			wire.ExpectStatus(t, r, tt.want)
			expectNoSecret(t, s, r)
		})
	}
}

func TestSymlinksInside(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	tests := []struct {
		name, target, file string
	}{
		{"a link to a file", "/link-in", "hello.txt"},
		{"a link to a directory", "/sub-link/notes.txt", "sub/notes.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, "GET", tt.target)
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectBody(t, r, files[tt.file])
			}
		})
	}
}
