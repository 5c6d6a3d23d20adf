// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"crypto/rand"
	"encoding/hex"
	"log"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	httpd "socket2gateway/exercises/06-serving-files"
	"socket2gateway/exercises/internal/wire"
)

func TestMain(m *testing.M) {
	wire.Lesson = 6
	goleak.VerifyTestMain(m)
}

// mod is the modification time of every file of a site: a fraction of
// a second past 03:04:05, so Last-Modified must drop the fraction.
var mod = time.Date(2024, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

// lastModified is mod as Last-Modified must say it.
const lastModified = "Tue, 02 Jan 2024 03:04:05 GMT"

// site is a folder to serve, www, inside a temporary folder that also
// holds a secret, outside www, that must never be served.
type site struct {
	dir    string // the temporary folder
	root   string // dir/www, the folder served
	secret string // the content of every secret file
}

// files are the regular files of www, by path, and their content.
var files = map[string]string{
	"index.html": "<!DOCTYPE html>\n<title>home</title>\n<p>Home.</p>\n",
	"hello.txt":  "hello, world\n",
	"empty.txt":  "",
	"SHOUT.TXT":  "LOUD\n",
	"style.css":  "body { margin: 0 auto; }\n",
	"logo.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="1" ` +
		`height="1"/>` + "\n",
	"pixel.png":        "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
	"data.json":        `{"answer": 42}` + "\n",
	"README":           "Read me first.\n",
	"page":             "<!DOCTYPE html>\n<p>no extension</p>\n",
	"blob.qqq":         "\x00\x01\x02\x03\xfe\xff",
	"sub/index.html":   "<!DOCTYPE html>\n<p>the sub index</p>\n",
	"sub/notes.txt":    "notes\n",
	"a dir/inside.txt": "inside a dir with a space\n",
	// list/ has no index.html: it is listed. Its names need escaping
	// in HTML, in URLs, or both.
	"list/a b.txt":                          "a space\n",
	"list/50%.txt":                          "a percent sign\n",
	"list/q?.txt":                           "a question mark\n",
	"list/#1.txt":                           "a hash\n",
	"list/a&b.txt":                          "an ampersand\n",
	"list/x:y.txt":                          "a colon\n",
	"list/naïve.txt":                        "not ASCII\n",
	"list/<img src=x onerror=alert(1)>.txt": "markup\n",
	"list/dir/deeper.txt":                   "deeper\n",
}

// listed are the entries of list/, as a listing must link to them.
var listed = []string{
	"a b.txt", "50%.txt", "q?.txt", "#1.txt", "a&b.txt", "x:y.txt",
	"naïve.txt", "<img src=x onerror=alert(1)>.txt", "dir/",
}

// newSite makes a site in a temporary folder:
//
//	dir/secret.txt              the secret
//	dir/www-private/secret.txt  the secret, in a folder named like www
//	dir/www/...                 files, every one modified at mod
//	dir/www/link-in     -> hello.txt        (stays inside)
//	dir/www/sub-link    -> sub              (stays inside)
//	dir/www/link-out    -> ../secret.txt    (leads out)
//	dir/www/dir-out     -> ..               (leads out)
//	dir/www/private     -> ../www-private   (leads out)
//	dir/www/abs-out     -> dir/secret.txt, an absolute path
func newSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	s := &site{dir: dir, root: filepath.Join(dir, "www"),
		secret: "SECRET-" + hex.EncodeToString(b)}

	write := func(path, content string) {
		t.Helper()
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	write(filepath.Join(dir, "secret.txt"), s.secret)
	write(filepath.Join(dir, "www-private", "secret.txt"), s.secret)
	for name, content := range files {
		write(filepath.Join(s.root, filepath.FromSlash(name)), content)
	}
	links := map[string]string{
		"link-in":  "hello.txt",
		"sub-link": "sub",
		"link-out": "../secret.txt",
		"dir-out":  "..",
		"private":  "../www-private",
		"abs-out":  filepath.Join(dir, "secret.txt"),
	}
	for name, target := range links {
		require.NoError(t, os.Symlink(target, filepath.Join(s.root, name)))
	}
	err = filepath.WalkDir(s.root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Type()&os.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(p, mod, mod)
	})
	require.NoError(t, err, "setting the files' times")
	return s
}

// bigFile writes a file of n pseudo-random bytes below the site's root
// and returns its content.
func (s *site) bigFile(t *testing.T, name string, n int) []byte {
	t.Helper()
	data := make([]byte, n)
	r := mrand.NewChaCha8([32]byte{6})
	_, _ = r.Read(data)
	require.NoError(t, os.WriteFile(filepath.Join(s.root, name), data, 0o644))
	return data
}

// serve starts a server with FileServer(root) on 127.0.0.1:0 and
// returns its address. The test's cleanup stops it.
func serve(t *testing.T, root string) string {
	t.Helper()
	r, err := os.OpenRoot(root)
	require.NoError(t, err, "os.OpenRoot(%q)", root)
	t.Cleanup(func() { _ = r.Close() }) // runs after the server stops
	return start(t, &httpd.Server{Handler: httpd.FileServer(r)})
}

// start runs srv on 127.0.0.1:0 and returns its address. The test's
// cleanup stops it.
func start(t *testing.T, srv *httpd.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err, "listening on 127.0.0.1:0")
	srv.ErrorLog = log.New(testWriter{t}, "server: ", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		select {
		case <-done:
		case <-time.After(wire.Timeout):
			t.Errorf("Serve did not return after Close")
		}
	})
	return ln.Addr().String()
}

// testWriter shows the server's log in the test's output.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// request returns a request for target with the given header fields.
func request(method, target string, fields ...string) string {
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\n")
	b.WriteString("Host: " + wire.ReplayAddr + "\r\n")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// get sends one request on a new connection and reads the response.
func get(t *testing.T, addr, method, target string, fields ...string) *wire.Response {
	t.Helper()
	c := wire.Dial(t, addr)
	c.Send(request(method, target, fields...))
	if method == "HEAD" {
		return c.ReadHeadResponse()
	}
	return c.ReadResponse()
}

// expectNoBody checks that a response (to HEAD, or a 304) was followed
// by nothing: a body sent anyway would be read as the next response.
func expectNoBody(t *testing.T, r *wire.Response) bool {
	t.Helper()
	c := r.Conn()
	c.Send(request("GET", "/hello.txt", "Connection: close"))
	next := c.ReadResponse()
	return assert.Equal(t, 200, next.Status,
		"after a response without a body, the same connection asked "+
			"for /hello.txt and got something else: was a body sent "+
			"anyway?\n%s", c.Transcript(nil)) &&
		wire.ExpectBody(t, next, files["hello.txt"])
}

// expectNoSecret checks that no byte of the secret is in a response.
func expectNoSecret(t *testing.T, s *site, r *wire.Response) bool {
	t.Helper()
	if !strings.Contains(string(r.Raw), s.secret) {
		return true
	}
	t.Errorf("the response holds the secret %q, from a file outside "+
		"the root\n%s", s.secret, r.Conn().Transcript(nil))
	return false
}

// changeFile replaces a file of the site and moves its time by d.
func (s *site) changeFile(t *testing.T, name, content string, d time.Duration) {
	t.Helper()
	p := filepath.Join(s.root, filepath.FromSlash(name))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	require.NoError(t, os.Chtimes(p, mod.Add(d), mod.Add(d)))
}
