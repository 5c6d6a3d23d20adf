package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"socket2gateway/exercises/internal/wire"
)

// The Files cases: a server that serves a folder serves its files, and
// never a byte from outside it, whatever the path. They need a server
// that answers GET and HEAD from the folder Site makes. How it refuses
// (400, 403 or 404) is the server's choice; the secret never leaves.

// Secret is the content of the files Site puts outside the folder.
const Secret = "conformance: a secret that lives outside the root"

// Hello is the content of hello.txt in the folder Site makes.
const Hello = "hello, world\n"

// Site makes a folder to serve in a temporary folder of t's and
// returns its path, DIR/www. Next to it are secrets; inside it are
// symbolic links that lead to them:
//
//	DIR/secret.txt               Secret
//	DIR/www-private/secret.txt   Secret, in a folder named like www
//	DIR/www/index.html           the page of GET /
//	DIR/www/a b, DIR/www/p       what the good requests of Framing ask
//	DIR/www/hello.txt            Hello
//	DIR/www/link-out  -> ../secret.txt
//	DIR/www/dir-out   -> ..
//	DIR/www/private   -> ../www-private
//	DIR/www/abs-out   -> DIR/secret.txt
func Site(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	files := map[string]string{
		"secret.txt":             Secret,
		"www-private/secret.txt": Secret,
		"www/index.html":         "<!DOCTYPE html>\n<p>conformance</p>\n",
		"www/a b":                "a b\n",
		"www/p":                  "p\n",
		"www/hello.txt":          Hello,
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatalf("conformance: making the site: %v", err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatalf("conformance: making the site: %v", err)
		}
	}
	links := map[string]string{
		"link-out": "../secret.txt",
		"dir-out":  "..",
		"private":  "../www-private",
		"abs-out":  filepath.Join(dir, "secret.txt"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatalf("conformance: making the site: %v", err)
		}
	}
	return root
}

func init() {
	register(Case{
		Feature: Files,
		Name:    "serves a file below the root",
		Run: func(t *testing.T, addr string) {
			c := wire.Dial(t, addr)
			c.Send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
			r := c.ReadResponse()
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectBody(t, r, Hello)
			}
		},
	})
	escapes := []struct{ name, target string }{
		{"dot-dot", "/../secret.txt"},
		{"dot-dot deeper down", "/private/../../secret.txt"},
		{"dot-dot to a folder named like the root",
			"/../www-private/secret.txt"},
		{"encoded dot-dot", "/%2e%2e/secret.txt"},
		{"encoded dot-dot, upper case", "/%2E%2E/secret.txt"},
		{"half-encoded dot-dot", "/.%2e/secret.txt"},
		{"dot-dot in an absolute-form target", "http://x/../secret.txt"},
		{"encoded slash", "/..%2fsecret.txt"},
		{"backslash", `/..\secret.txt`},
		{"encoded backslash", "/..%5csecret.txt"},
		{"NUL", "/hello.txt%00/../../secret.txt"},
		{"double encoding", "/%252e%252e/secret.txt"},
		{"overlong UTF-8 dots", "/%c0%ae%c0%ae/secret.txt"},
		{"symlink out", "/link-out"},
		{"symlink to the parent", "/dir-out/secret.txt"},
		{"symlink to a folder named like the root", "/private/secret.txt"},
		{"absolute symlink", "/abs-out"},
	}
	for _, e := range escapes {
		register(Case{
			Feature: Files,
			Name:    "never serves outside the root: " + e.name,
			Run: func(t *testing.T, addr string) {
				c := wire.Dial(t, addr)
				c.Send("GET " + e.target + " HTTP/1.1\r\nHost: x\r\n\r\n")
				r := c.ReadResponse()
				wire.ExpectStatus(t, r, 404, 400, 403)
				if strings.Contains(string(r.Raw), Secret) {
					t.Errorf("the response holds %q, from a file "+
						"outside the root\n%s", Secret, c.Transcript(nil))
				}
			},
		})
	}
}
