// Package render turns lesson markdown into terminal text with glamour and
// pages it. It is the one place the renderer is configured: the style is
// chosen once per process (dark or light detected once, overridable, plain
// when NO_COLOR is set or the output is not a terminal).
package render

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/styles"
	"github.com/muesli/termenv"
	"golang.org/x/term"
)

// Style names accepted by --style and $TUTOR_STYLE.
const (
	Auto  = "auto"
	Dark  = "dark"
	Light = "light"
	Plain = "notty" // no colours, no escape codes
)

// Terminal describes where output goes.
type Terminal struct {
	// IsTTY is true when the output is an interactive terminal.
	IsTTY bool
	// Width is the terminal's width in columns (80 when unknown).
	Width int
}

// Detect looks at f once: whether it is a terminal and how wide.
func Detect(f *os.File) Terminal {
	t := Terminal{Width: 80}
	if f == nil || !term.IsTerminal(int(f.Fd())) {
		return t
	}
	t.IsTTY = true
	if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
		t.Width = w
	}
	return t
}

// ChooseStyle picks the glamour style: the one asked for, else plain when
// NO_COLOR is set or the output is not a terminal, else dark or light from
// one query of the terminal's background.
func ChooseStyle(asked string, t Terminal) (string, error) {
	if asked == "" {
		asked = os.Getenv("TUTOR_STYLE")
	}
	switch asked {
	case Dark, Light, Plain, "ascii":
		return asked, nil
	case "plain":
		return Plain, nil
	case "", Auto:
	default:
		return "", fmt.Errorf("unknown style %q: use auto, dark, light or plain", asked)
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok || !t.IsTTY {
		return Plain, nil
	}
	if termenv.HasDarkBackground() {
		return Dark, nil
	}
	return Light, nil
}

// Markdown renders md for a terminal of the given width in the given style.
func Markdown(md, style string, width int) (string, error) {
	wrap := width - 2
	if wrap > 100 {
		wrap = 100
	}
	if wrap < 40 {
		wrap = 40
	}
	cfg, ok := styles.DefaultStyles[style]
	if !ok {
		return "", fmt.Errorf("render: unknown style %q", style)
	}
	r, err := glamour.NewTermRenderer(
		glamour.WithStyles(*cfg),
		glamour.WithWordWrap(wrap),
		glamour.WithPreservedNewLines(),
	)
	if err != nil {
		return "", fmt.Errorf("render: %w", err)
	}
	out, err := r.Render(md)
	if err != nil {
		return "", fmt.Errorf("render: %w", err)
	}
	return out, nil
}

// Page shows text through the user's pager ($TUTOR_PAGER, $PAGER, else
// `less -R -F -X`) when out is a terminal; otherwise, or when no pager can
// be started, it writes text to out directly.
func Page(text string, out io.Writer, t Terminal, noPager bool) error {
	if noPager || !t.IsTTY {
		_, err := io.WriteString(out, text)
		return err
	}
	pager := os.Getenv("TUTOR_PAGER")
	if pager == "" {
		pager = os.Getenv("PAGER")
	}
	if pager == "" {
		pager = "less -R -F -X"
	}
	fields := strings.Fields(pager)
	if len(fields) == 0 || fields[0] == "cat" {
		_, err := io.WriteString(out, text)
		return err
	}
	path, err := exec.LookPath(fields[0])
	if err != nil {
		_, err := io.WriteString(out, text)
		return err
	}
	cmd := exec.Command(path, fields[1:]...)
	cmd.Stdin = strings.NewReader(text)
	cmd.Stdout = out
	cmd.Stderr = os.Stderr
	if fields[0] == "less" && os.Getenv("LESS") == "" {
		cmd.Env = append(os.Environ(), "LESSCHARSET=utf-8")
	}
	if err := cmd.Run(); err != nil {
		// A pager the user quit early is not an error worth reporting.
		if _, ok := err.(*exec.ExitError); ok {
			return nil
		}
		_, werr := io.WriteString(out, text)
		return werr
	}
	return nil
}
