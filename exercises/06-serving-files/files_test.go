// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"bytes"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"socket2gateway/exercises/internal/wire"
)

func TestContentTypes(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	tests := []struct {
		name, path, want string
	}{
		{"html", "/index.html", "text/html; charset=utf-8"},
		{"css", "/style.css", "text/css; charset=utf-8"},
		{"svg", "/logo.svg", "image/svg+xml"},
		{"png", "/pixel.png", "image/png"},
		{"json", "/data.json", "application/json"},
		{"text", "/hello.txt", "text/plain; charset=utf-8"},
		{"extension in upper case", "/SHOUT.TXT", "text/plain; charset=utf-8"},
		{"no extension, sniffed as text", "/README",
			"text/plain; charset=utf-8"},
		{"no extension, sniffed as HTML", "/page",
			"text/html; charset=utf-8"},
		{"unknown extension, binary", "/blob.qqq",
			"application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, "GET", tt.path)
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectHeader(t, r, "Content-Type", tt.want)
				wire.ExpectBody(t, r, files[strings.TrimPrefix(tt.path, "/")])
			}
		})
	}
}

func TestContentLength(t *testing.T) {
	s := newSite(t)
	big := s.bigFile(t, "big.bin", 4<<20+7)
	addr := serve(t, s.root)

	tests := []struct {
		name, path string
		want       []byte
	}{
		{"a small file", "/hello.txt", []byte(files["hello.txt"])},
		{"an empty file", "/empty.txt", nil},
		{"a 4 MiB file", "/big.bin", big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, "GET", tt.path)
			if !wire.ExpectStatus(t, r, 200) {
				return
			}
			wire.ExpectHeader(t, r, "Content-Length", strconv.Itoa(len(tt.want)))
			assert.Empty(t, r.Header.Get("Transfer-Encoding"),
				"GET %s: the size of a file is known, so the body "+
					"needs no chunks", tt.path)
			assert.True(t, bytes.Equal(tt.want, r.Body),
				"GET %s: the body (%d bytes) is not the file (%d bytes)",
				tt.path, len(r.Body), len(tt.want))
		})
	}
}

func TestHead(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	for _, path := range []string{"/hello.txt", "/", "/list/"} {
		t.Run(path, func(t *testing.T) {
			g := get(t, addr, "GET", path)
			c := wire.Dial(t, addr)
			c.Send(request("HEAD", path))
			h := c.ReadHeadResponse()
			if !wire.ExpectStatus(t, h, 200) {
				return
			}
			for _, f := range []string{"Content-Type", "Content-Length",
				"ETag", "Last-Modified"} {
				assert.Equal(t, g.Header.Get(f), h.Header.Get(f),
					"HEAD %s must send the %s that GET sends\n%s",
					path, f, c.Transcript(nil))
			}
			expectNoBody(t, h)
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	tests := []struct {
		name, raw string
	}{
		{"POST", "POST /hello.txt HTTP/1.1\r\nHost: " + wire.ReplayAddr + "\r\n" +
			"Content-Length: 3\r\n\r\nx=1"},
		{"PUT", "PUT /hello.txt HTTP/1.1\r\nHost: " + wire.ReplayAddr + "\r\n" +
			"Content-Length: 5\r\n\r\nhello"},
		{"DELETE", request("DELETE", "/hello.txt")},
		{"OPTIONS", request("OPTIONS", "/")},
		{"OPTIONS *", request("OPTIONS", "*")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, addr)
			c.Send(tt.raw)
			r := c.ReadResponse()
			if !wire.ExpectStatus(t, r, 405) {
				return
			}
			var allow []string
			for _, m := range strings.Split(r.Header.Get("Allow"), ",") {
				allow = append(allow, strings.TrimSpace(m))
			}
			sort.Strings(allow)
			assert.Equal(t, []string{"GET", "HEAD"}, allow,
				"a 405 must say which methods are allowed, in an Allow "+
					"field: GET, HEAD\n%s", c.Transcript(nil))
		})
	}
}

// etagRE matches an entity-tag, weak or strong (RFC 9110 §8.8.3).
var etagRE = regexp.MustCompile(`^(W/)?"[\x21\x23-\x7e\x80-\xff]*"$`)

func TestValidators(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	r := get(t, addr, "GET", "/hello.txt")
	if !wire.ExpectStatus(t, r, 200) {
		return
	}
	wire.ExpectHeader(t, r, "Last-Modified", lastModified)
	tag := r.Header.Get("ETag")
	assert.Regexp(t, etagRE, tag,
		"GET /hello.txt: want an ETag like W/\"...\" or \"...\"\n%s",
		r.Conn().Transcript(nil))

	again := get(t, addr, "GET", "/hello.txt")
	assert.Equal(t, tag, again.Header.Get("ETag"),
		"the ETag of an unchanged file must not change")
	other := get(t, addr, "GET", "/sub/notes.txt")
	assert.NotEqual(t, tag, other.Header.Get("ETag"),
		"two files of different sizes have different ETags")

	s.changeFile(t, "hello.txt", "hello again, world\n", time.Hour)
	changed := get(t, addr, "GET", "/hello.txt")
	wire.ExpectBody(t, changed, "hello again, world\n")
	assert.NotEqual(t, tag, changed.Header.Get("ETag"),
		"the file changed, so its ETag must change\n%s",
		changed.Conn().Transcript(nil))
	wire.ExpectHeader(t, changed, "Last-Modified",
		"Tue, 02 Jan 2024 04:04:05 GMT")
}

func TestIfNoneMatch(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)
	first := get(t, addr, "GET", "/hello.txt")
	tag := first.Header.Get("ETag")
	if !wire.ExpectStatus(t, first, 200) || !assert.NotEmpty(t, tag,
		"GET /hello.txt sent no ETag\n%s", first.Conn().Transcript(nil)) {
		return
	}
	// The other strength of the same tag: a weak comparison (the one
	// If-None-Match uses) ignores W/.
	flipped := "W/" + tag
	if strings.HasPrefix(tag, "W/") {
		flipped = strings.TrimPrefix(tag, "W/")
	}

	tests := []struct {
		name, method, field string
		want                int
	}{
		{"the same tag", "GET", tag, 304},
		{"the same tag, other strength", "GET", flipped, 304},
		{"the tag in a list", "GET", `"nope", ` + tag + `, "no"`, 304},
		{"star", "GET", "*", 304},
		{"HEAD with the same tag", "HEAD", tag, 304},
		{"another tag", "GET", `"another"`, 200},
		{"a list without the tag", "GET", `"a", W/"b"`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, tt.method, "/hello.txt",
				"If-None-Match: "+tt.field)
			if !wire.ExpectStatus(t, r, tt.want) {
				return
			}
			if tt.want == 304 {
				wire.ExpectHeader(t, r, "ETag", tag)
				expectNoBody(t, r)
			} else {
				wire.ExpectBody(t, r, files["hello.txt"])
			}
		})
	}
	t.Run("a tag from before the file changed", func(t *testing.T) {
		s.changeFile(t, "hello.txt", "changed\n", time.Minute)
		r := get(t, addr, "GET", "/hello.txt", "If-None-Match: "+tag)
		if wire.ExpectStatus(t, r, 200) {
			wire.ExpectBody(t, r, "changed\n")
		}
	})
}

func TestIfModifiedSince(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	// Every file was modified at 03:04:05.678 on 2 January 2024.
	tests := []struct {
		name, date string
		want       int
	}{
		{"the Last-Modified date", lastModified, 304},
		{"a later date", "Wed, 03 Jan 2024 00:00:00 GMT", 304},
		{"a second earlier", "Tue, 02 Jan 2024 03:04:04 GMT", 200},
		{"a year earlier", "Mon, 02 Jan 2023 03:04:05 GMT", 200},
		{"the same date in RFC 850 form", "Tuesday, 02-Jan-24 03:04:05 GMT",
			304},
		{"the same date in asctime form", "Tue Jan  2 03:04:05 2024", 304},
		{"not a date", "yesterday", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, "GET", "/hello.txt",
				"If-Modified-Since: "+tt.date)
			if !wire.ExpectStatus(t, r, tt.want) {
				return
			}
			if tt.want == 304 {
				expectNoBody(t, r)
			} else {
				wire.ExpectBody(t, r, files["hello.txt"])
			}
		})
	}
}

func TestConditionPrecedence(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)
	tag := get(t, addr, "GET", "/hello.txt").Header.Get("ETag")

	tests := []struct {
		name, match, since string
		want               int
	}{
		{"a tag that fails wins over a date that passes",
			`"another"`, "Wed, 03 Jan 2024 00:00:00 GMT", 200},
		{"a tag that passes wins over a date that fails",
			tag, "Mon, 02 Jan 2023 03:04:05 GMT", 304},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, "GET", "/hello.txt",
				"If-None-Match: "+tt.match, "If-Modified-Since: "+tt.since)
			wire.ExpectStatus(t, r, tt.want)
		})
	}
}

func TestDirectoryRedirect(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	tests := []struct {
		name, target, location string
	}{
		{"a directory", "/sub", "/sub/"},
		{"a directory deeper down", "/list/dir", "/list/dir/"},
		{"with a query", "/sub?x=1&y", "/sub/?x=1&y"},
		{"a name with a space", "/a%20dir", "/a%20dir/"},
		{"a symbolic link to a directory", "/sub-link", "/sub-link/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, addr, "GET", tt.target)
			if wire.ExpectStatus(t, r, 301) {
				wire.ExpectHeader(t, r, "Location", tt.location)
			}
		})
	}
}

func TestDirectoryIndex(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	for _, dir := range []string{"/", "/sub/", "/sub-link/"} {
		t.Run(dir, func(t *testing.T) {
			index := "index.html"
			if dir != "/" {
				index = "sub/index.html"
			}
			r := get(t, addr, "GET", dir)
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectHeader(t, r, "Content-Type",
					"text/html; charset=utf-8")
				wire.ExpectBody(t, r, files[index])
			}
		})
	}
}

// hrefRE finds the links of an HTML page.
var hrefRE = regexp.MustCompile(`(?i)<a\s[^>]*href\s*=\s*("[^"]*"|'[^']*')`)

func TestDirectoryListing(t *testing.T) {
	s := newSite(t)
	addr := serve(t, s.root)

	r := get(t, addr, "GET", "/list/")
	if !wire.ExpectStatus(t, r, 200) {
		return
	}
	assert.True(t, strings.HasPrefix(r.Header.Get("Content-Type"),
		"text/html"), "a listing is an HTML page\n%s",
		r.Conn().Transcript(nil))
	page := string(r.Body)

	t.Run("names are HTML-escaped", func(t *testing.T) {
		assert.NotContains(t, page, "<img",
			"a file name is text, never markup: the listing of /list/ "+
				"must escape <img src=x onerror=alert(1)>.txt")
		assert.Contains(t, page, "&lt;img src=x onerror=alert(1)&gt;.txt")
		assert.Contains(t, page, "a&amp;b.txt")
		assert.Contains(t, page, "a b.txt")
	})

	// Every link, resolved against the page's URL as a browser does.
	base, _ := url.Parse("http://x/list/")
	links := map[string]string{} // decoded path -> request target
	for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
		href := html.UnescapeString(m[1][1 : len(m[1])-1])
		if strings.ContainsAny(href, " <>\"`{}|\\^") {
			t.Errorf("link %q: a URL has no spaces or markup: "+
				"percent-encode the name", href)
			continue
		}
		u, err := url.Parse(href)
		if err != nil {
			t.Errorf("link %q is not a URL: %v", href, err)
			continue
		}
		abs := base.ResolveReference(u)
		links[abs.Path] = abs.RequestURI()
	}

	for _, name := range listed {
		t.Run("links to "+name, func(t *testing.T) {
			target, ok := links["/list/"+name]
			if !assert.True(t, ok, "the listing has no link that leads "+
				"to %q\n%s", "/list/"+name, page) {
				return
			}
			r := get(t, addr, "GET", target)
			if wire.ExpectStatus(t, r, 200) && !strings.HasSuffix(name, "/") {
				wire.ExpectBody(t, r, files["list/"+name])
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	s := newSite(t)
	require.NoError(t, syscall.Mkfifo(filepath.Join(s.root, "fifo"), 0o644))
	secretFile := filepath.Join(s.root, "unreadable.txt")
	require.NoError(t, os.WriteFile(secretFile, []byte("no"), 0o000))
	addr := serve(t, s.root)

	tests := []struct {
		name, target string
		want         int
	}{
		{"a missing file", "/nope.txt", 404},
		{"in a missing directory", "/nope/hello.txt", 404},
		{"a file used as a directory", "/hello.txt/", 404},
		{"below a file", "/hello.txt/x", 404},
		{"a FIFO, which must not hang the server", "/fifo", 404},
		{"a file the server may not read", "/unreadable.txt", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == 403 && os.Geteuid() == 0 {
				t.Skip("running as root, who may read any file")
			}
			wire.ExpectStatus(t, get(t, addr, "GET", tt.target), tt.want)
		})
	}
}
