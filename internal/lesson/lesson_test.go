package lesson

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fixture(t *testing.T) *Workbook {
	t.Helper()
	root, err := filepath.Abs("../check/testdata/workbook")
	require.NoError(t, err)
	w, err := Load(root)
	require.NoError(t, err)
	return w
}

func TestFindByNumberSlugAndName(t *testing.T) {
	w := fixture(t)
	for _, id := range []string{"2", "02", "02-fails", "fails", " Fails "} {
		l, err := w.Find(id)
		require.NoError(t, err, id)
		assert.Equal(t, "02-fails", l.Slug, id)
	}
	_, err := w.Find("0")
	assert.ErrorContains(t, err, "there is no lesson 0")
	_, err = w.Find("nope")
	assert.ErrorContains(t, err, `there is no lesson "nope"`)
}

func TestTextEmbedsDiagrams(t *testing.T) {
	w := fixture(t)
	l, _ := w.Find("1")
	text, err := w.Text(l)
	require.NoError(t, err)
	assert.Contains(t, text, "```text\n+---+\n| + |\n+---+\n```")
	assert.NotContains(t, text, "<!-- diagram")
}

func TestHeadingsSkipCodeBlocks(t *testing.T) {
	md := "# One\n\n```sh\n# not a heading\n```\n## Two words\n#nope\n"
	assert.Equal(t, []string{"One", "Two words"}, Headings(md))
}

func TestLoadRejectsBadManifests(t *testing.T) {
	for name, toml := range map[string]string{
		"out of order": "[[lesson]]\nslug = \"02-b\"\ntitle = \"B\"\n[[lesson]]\nslug = \"01-a\"\ntitle = \"A\"\n",
		"bad slug":     "[[lesson]]\nslug = \"one\"\ntitle = \"A\"\n",
		"no title":     "[[lesson]]\nslug = \"01-a\"\n",
		"unknown key":  "[[lesson]]\nslug = \"01-a\"\ntitle = \"A\"\ncolour = 1\n",
		"bad timeout":  "[[lesson]]\nslug = \"01-a\"\ntitle = \"A\"\ntimeout = \"soon\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(root, "lessons"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(root, ManifestPath), []byte(toml), 0o644))
			_, err := Load(root)
			assert.Error(t, err)
		})
	}
}

func TestFindRootWalksUp(t *testing.T) {
	t.Setenv("TUTOR_ROOT", "")
	w := fixture(t)
	got, err := FindRoot(filepath.Join(w.Root, "exercises", "02-fails"))
	require.NoError(t, err)
	assert.Equal(t, w.Root, got)
	_, err = FindRoot(t.TempDir())
	assert.ErrorIs(t, err, ErrNoWorkbook)
	assert.True(t, strings.HasSuffix(got, "workbook"))
}

func TestTestOrderFollowsTheManifest(t *testing.T) {
	w := fixture(t)
	l, _ := w.Find("2")
	assert.Equal(t, []string{"TestAdd", "TestTable", "TestZero"}, l.TestOrder)
	l, _ = w.Find("5")
	assert.Equal(t, []string{"TestCount", "TestAfter"}, l.TestOrder)
}

func TestGapsAreAllowedButReported(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "lessons"), 0o755))
	toml := "[[lesson]]\nslug = \"01-a\"\ntitle = \"A\"\n[[lesson]]\nslug = \"04-d\"\ntitle = \"D\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, ManifestPath), []byte(toml), 0o644))
	w, err := Load(root)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3}, w.Gaps())
	l, err := w.Find("4")
	require.NoError(t, err)
	assert.Equal(t, "04-d", l.Slug)
	_, err = w.Find("2")
	assert.ErrorContains(t, err, "numbered 1 to 4")
}
