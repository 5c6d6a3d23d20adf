package wire

import (
	"fmt"
	"strings"
)

// Width is how many columns of bytes a shown line takes at most; with
// the indentation of `go test` the output stays within 100 columns.
const Width = 86

// maxLines is how many lines of one block are shown, plus the lines
// around the caret.
const maxLines = 16

// Mark points at one byte of the received bytes in a transcript.
type Mark struct {
	At   int    // offset in the bytes received
	Note string // shown after the caret
}

// Transcript shows what went over the connection: the bytes sent, the
// bytes received with an optional mark, and how to replay the exchange.
func (c *Conn) Transcript(m *Mark) string {
	var b strings.Builder
	sent, got := c.sent.String(), c.got.String()
	fmt.Fprintf(&b, "sent to %s (%s):\n", c.addr, plural(len(sent), "byte"))
	b.WriteString(Block(sent, -1, ""))
	if c.halfClosed {
		b.WriteString("then the client closed its side (FIN)\n")
	}
	if c.cut > 0 {
		fmt.Fprintf(&b, "(the last %s were not sent: the server had "+
			"closed the connection)\n", plural(c.cut, "more byte"))
	}
	switch {
	case got == "" && c.closed != "":
		fmt.Fprintf(&b, "received nothing, %s\n", c.closed)
	case got == "":
		b.WriteString("received nothing\n")
	case c.closed != "":
		fmt.Fprintf(&b, "received (%s), %s:\n", plural(len(got), "byte"), c.closed)
	default:
		fmt.Fprintf(&b, "received (%s):\n", plural(len(got), "byte"))
	}
	if got != "" || m != nil {
		at, note := -1, ""
		if m != nil {
			at, note = m.At, m.Note
		}
		b.WriteString(Block(got, at, note))
	}
	b.WriteString(Replay(sent))
	return strings.TrimSuffix(b.String(), "\n")
}

// Diff shows want and got one under the other, a caret under the first
// byte of got that differs from want.
func Diff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	note := fmt.Sprintf("first difference, byte %d", i)
	switch {
	case i == len(got):
		note = fmt.Sprintf("ends here, byte %d: want more", i)
	case i == len(want):
		note = fmt.Sprintf("byte %d: want nothing more", i)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "want (%s):\n", plural(len(want), "byte"))
	b.WriteString(Block(want, -1, ""))
	if got == "" {
		b.WriteString("got nothing\n")
		return b.String()
	}
	fmt.Fprintf(&b, "got (%s):\n", plural(len(got), "byte"))
	b.WriteString(Block(got, i, note))
	return b.String()
}

// Block shows data one line per line, each prefixed by "  | ", with
// "\r", "\n", tabs and other control bytes written out as escapes. When
// at is an offset in data (len(data) included, for "the end"), a line
// with a caret under that byte and note follows its line.
func Block(data string, at int, note string) string {
	lines := splitLines(data)
	caretLine := -1
	if at >= 0 && at <= len(data) {
		off := 0
		for i, l := range lines {
			if at < off+len(l) || i == len(lines)-1 {
				caretLine = i
				break
			}
			off += len(l)
		}
		if at == len(data) && strings.HasSuffix(data, "\n") || len(lines) == 0 {
			lines = append(lines, "")
			caretLine = len(lines) - 1
		}
	}
	var b strings.Builder
	off, skipped := 0, 0
	for i, l := range lines {
		near := caretLine >= 0 && i >= caretLine-1 && i <= caretLine+1
		if i >= maxLines && !near {
			skipped++
			off += len(l)
			continue
		}
		if skipped > 0 {
			fmt.Fprintf(&b, "  | … %s\n", plural(skipped, "more line"))
			skipped = 0
		}
		col := -1
		if i == caretLine {
			col = at - off
		}
		text, caret := renderLine(l, col)
		fmt.Fprintf(&b, "  | %s\n", text)
		if caret >= 0 {
			fmt.Fprintf(&b, "  | %s%s\n", strings.Repeat(" ", caret),
				strings.TrimSpace("^ "+note))
		}
		off += len(l)
	}
	if skipped > 0 {
		fmt.Fprintf(&b, "  | … %s\n", plural(skipped, "more line"))
	}
	return b.String()
}

// splitLines splits after every "\n".
func splitLines(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// renderLine writes line's bytes visibly and returns the column of byte
// col (or of the end, when col == len(line)); -1 when col is -1. A line
// wider than Width is cut, keeping the marked byte in view.
func renderLine(line string, col int) (string, int) {
	toks := make([]string, len(line))
	for i := 0; i < len(line); i++ {
		toks[i] = esc(line[i])
	}
	width := func(from, to int) int {
		w := 0
		for _, t := range toks[from:to] {
			w += len(t)
		}
		return w
	}
	if width(0, len(toks)) <= Width {
		if col < 0 {
			return strings.Join(toks, ""), -1
		}
		return strings.Join(toks, ""), width(0, min(col, len(toks)))
	}
	// Too wide: show a window of the line that holds the mark.
	from := 0
	if col > 0 && width(0, min(col+1, len(toks))) > Width-20 {
		from = min(col, len(toks))
		for from > 0 && width(from-1, min(col+1, len(toks))) <= Width/2 {
			from--
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString(fmt.Sprintf("…(%d bytes)", from))
	}
	caret := -1
	if col >= 0 {
		caret = len([]rune(b.String())) + width(from, min(col, len(toks)))
	}
	to := from
	for to < len(toks) && width(from, to+1) <= Width-30 {
		to++
	}
	b.WriteString(strings.Join(toks[from:to], ""))
	if to < len(toks) {
		b.WriteString(fmt.Sprintf("…(%d more bytes)", len(toks)-to))
	}
	return b.String(), caret
}

// esc writes one byte so that it can be seen: \r, \n, \t, \\, and \xNN
// for other bytes that are not printable ASCII.
func esc(c byte) string {
	switch {
	case c == '\r':
		return `\r`
	case c == '\n':
		return `\n`
	case c == '\t':
		return `\t`
	case c == '\\':
		return `\\`
	case c < ' ' || c >= 0x7f:
		return fmt.Sprintf(`\x%02x`, c)
	}
	return string(c)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
