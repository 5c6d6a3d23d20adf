// This file is given: it needs no editing.

package httpd

import "bytes"

// lineLog is an io.Writer that turns what it is given into log lines:
// give it to exec.Cmd as a script's Stderr, and every line the script
// writes there becomes one call of logf, after prefix. A line longer
// than maxLogLine is logged in pieces. Close logs what remains of an
// unfinished last line.
//
// It is not safe for concurrent use. exec.Cmd calls Write from one
// goroutine of its own, and Cmd.Wait returns only after the last
// Write, so call Close after Wait.
type lineLog struct {
	logf   func(format string, args ...any)
	prefix string
	buf    []byte
}

const maxLogLine = 1024

func (l *lineLog) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		switch {
		case i >= 0 && i <= maxLogLine:
			l.logf("%s%s", l.prefix, bytes.TrimSuffix(l.buf[:i], []byte("\r")))
			l.buf = l.buf[i+1:]
		case len(l.buf) >= maxLogLine:
			l.logf("%s%s", l.prefix, l.buf[:maxLogLine])
			l.buf = l.buf[maxLogLine:]
		default:
			return len(p), nil
		}
	}
}

// Close logs the last line if it had no line ending.
func (l *lineLog) Close() error {
	if len(l.buf) > 0 {
		l.logf("%s%s", l.prefix, l.buf)
		l.buf = nil
	}
	return nil
}
