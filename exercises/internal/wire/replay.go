package wire

import (
	"fmt"
	"strconv"
	"strings"
)

// Replay returns the lines that send raw to a server started with
// `tutor run N --addr 127.0.0.1:8080`: always a printf | nc line, and
// a curl line when curl would send the same request (one request, a
// method, an origin-form target, HTTP/1.1, well-formed fields, a body
// by Content-Length). It returns "" for nothing sent.
func Replay(raw string) string {
	if raw == "" {
		return ""
	}
	host, port, _ := strings.Cut(ReplayAddr, ":")
	var b strings.Builder
	if Lesson > 0 {
		fmt.Fprintf(&b, "replay it: `tutor run %d --addr %s`, then in "+
			"another shell:\n", Lesson, ReplayAddr)
	} else {
		fmt.Fprintf(&b, "replay it against your server on %s:\n", ReplayAddr)
	}
	fmt.Fprintf(&b, "  %s | nc %s %s\n", PrintfCommand(raw), host, port)
	if c := CurlCommand(raw, ReplayAddr); c != "" {
		fmt.Fprintf(&b, "  %s\n", c)
	}
	return b.String()
}

// PrintfCommand returns a shell command that prints raw exactly. A
// short raw gives one line, printf 'GET / HTTP/1.1\r\n...'; a longer
// one is cut at line ends into the arguments of printf '%b', one shell
// line each. A long run of one letter becomes $(printf '%9000s' ” |
// tr ' ' a), so a 9000-byte request line stays short.
func PrintfCommand(raw string) string {
	var f strings.Builder // the one-line form: raw as a printf format
	var args []string     // its arguments, the runs of one letter
	var words []string    // the long form: the arguments of printf '%b'
	word, line := "", ""  // word being built; the current raw line in it
	flush := func() {
		if word != "" {
			words = append(words, "'"+word+"'")
		}
		word, line = "", ""
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		n := 1
		for i+n < len(raw) && raw[i+n] == c {
			n++
		}
		if n >= 32 && isSafe(c) {
			run := fmt.Sprintf("printf '%%%ds' ''", n)
			if c != ' ' {
				run += " | tr ' ' " + string(c)
			}
			f.WriteString("%s")
			args = append(args, `"$(`+run+`)"`)
			flush()
			words = append(words, `"$(`+run+`)"`)
			i += n
			continue
		}
		e := esc(c)
		switch {
		case c == '\'':
			e = `'\''`
		case e[0] == '\\' && e[1] == 'x':
			e = fmt.Sprintf(`\%03o`, c)
		}
		if c == '%' {
			f.WriteString("%%")
		} else {
			f.WriteString(e)
		}
		if e[0] == '\\' && e[1] >= '0' && e[1] <= '7' {
			e = `\0` + e[1:] // %b writes octal as \0NNN
		}
		if len(line)+len(e) > 60 {
			flush() // a long line goes in several words
		}
		word += e
		line += e
		if c == '\n' {
			// Lines share a word while it stays short; the end of a
			// header section ends a word.
			if strings.HasSuffix(word, `\r\n\r\n`) || len(word) > 56 {
				flush()
			}
			line = ""
		}
		i++
	}
	flush()
	cmd := "printf '" + f.String() + "'"
	for _, a := range args {
		cmd += " " + a
	}
	if len(cmd) <= 70 {
		return cmd
	}
	var b strings.Builder
	out := "printf '%b'"
	for _, w := range words {
		if len(out)+1+len(w) > 74 {
			b.WriteString(out + " \\\n")
			out = "   "
		}
		out += " " + w
	}
	b.WriteString(out)
	return b.String()
}

func isSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		c >= '0' && c <= '9' || c == ' ' || c == '.' || c == '_'
}

// CurlCommand returns the curl command that sends raw to addr, or "" if
// curl cannot send exactly that request.
func CurlCommand(raw, addr string) string {
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		return ""
	}
	lines := strings.Split(head, "\r\n")
	f := strings.Split(lines[0], " ")
	if len(f) != 3 || f[2] != "HTTP/1.1" || !curlTarget(f[1]) {
		return ""
	}
	method, target := f[0], f[1]
	args := []string{"curl", "-i"}
	switch method {
	case "HEAD":
		args[1] = "-I"
	case "GET", "POST":
	case "PUT", "DELETE", "PATCH", "OPTIONS":
		args = append(args, "-X", method)
	default:
		return ""
	}
	if strings.Contains(target, "/.") {
		args = append(args, "--path-as-is")
	}
	args = append(args, shellQuote("http://"+addr+target))
	hosts, length := 0, -1
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ": ")
		if !ok || !curlName(name) || !curlValue(value) {
			return ""
		}
		switch strings.ToLower(name) {
		case "host":
			hosts++
			if value == addr {
				continue
			}
		case "content-length":
			n, err := strconv.Atoi(value)
			if err != nil || length >= 0 {
				return ""
			}
			length = n
			continue
		case "transfer-encoding":
			return ""
		}
		args = append(args, "-H", shellQuote(name+": "+value))
	}
	switch {
	case hosts > 1:
		return ""
	case hosts == 0:
		args = append(args, "-H", "'Host:'") // curl then sends none
	}
	switch {
	case length < 0 && body == "":
	case length != len(body) || !curlValue(body) || method == "GET" ||
		method == "HEAD":
		return ""
	default:
		args = append(args, "--data-binary", shellQuote(body))
	}
	return strings.Join(args, " ")
}

func curlTarget(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("'[]{}\\", c) >= 0 {
			return false
		}
	}
	return true
}

func curlName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ':' || c == '\'' {
			return false
		}
	}
	return s != ""
}

func curlValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f || c == '\'' {
			return false
		}
	}
	return !strings.HasPrefix(s, " ") && !strings.HasSuffix(s, " ")
}

// shellQuote single-quotes s unless it is plainly safe.
func shellQuote(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isSafe(c) && c != ' ' || strings.IndexByte("/:-,=+@", c) >= 0) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
