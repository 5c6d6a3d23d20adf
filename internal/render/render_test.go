package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChooseStyle(t *testing.T) {
	tty := Terminal{IsTTY: true, Width: 100}
	for _, tc := range []struct {
		name, asked, env string
		noColor          bool
		term             Terminal
		want             string
	}{
		{"piped output is plain", "", "", false, Terminal{}, Plain},
		{"NO_COLOR is plain", "", "", true, tty, Plain},
		{"asked dark", "dark", "", false, Terminal{}, Dark},
		{"asked plain", "plain", "", false, tty, Plain},
		{"TUTOR_STYLE", "", "light", false, Terminal{}, Light},
		{"flag beats TUTOR_STYLE", "dark", "light", false, Terminal{}, Dark},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TUTOR_STYLE", tc.env)
			if tc.noColor {
				t.Setenv("NO_COLOR", "1")
			}
			got, err := ChooseStyle(tc.asked, tc.term)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := ChooseStyle("purple", tty)
	assert.ErrorContains(t, err, `unknown style "purple"`)
}

func TestMarkdownWrapsProseButNotCode(t *testing.T) {
	code := "x := " + strings.Repeat("a", 60) // 65 columns
	md := "# Title\n\n" + strings.Repeat("word ", 40) + "\n\n```go\n" + code + "\n```\n"
	out, err := Markdown(md, Plain, 80)
	require.NoError(t, err)
	assert.Contains(t, out, code, "a code line within 72 columns stays whole")
	for _, line := range strings.Split(out, "\n") {
		assert.LessOrEqual(t, len(strings.TrimRight(line, " ")), 80, "%q", line)
	}
	assert.NotContains(t, out, "\x1b[", "the plain style has no escape codes")

	dark, err := Markdown(md, Dark, 80)
	require.NoError(t, err)
	assert.Contains(t, dark, "\x1b[", "the dark style colours")
}

func TestPageWritesDirectlyWhenNotATerminal(t *testing.T) {
	t.Setenv("PAGER", "false") // would fail if it were run
	var out bytes.Buffer
	require.NoError(t, Page("hello\n", &out, Terminal{}, false))
	assert.Equal(t, "hello\n", out.String())
}
