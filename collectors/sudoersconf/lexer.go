package sudoersconf

import (
	"strings"
)

// logicalLine is one sudoers line with its backslash-newline
// continuations joined (each replaced by a space, as sudo's lexer treats
// them as blanks) and its comment removed. breaks are the offsets where a
// new physical line starts, so errors name the physical line.
type logicalLine struct {
	text   string
	first  int // physical line number of text[0]
	breaks []int
}

// pos returns the physical line and column (1-based) of offset off.
func (l *logicalLine) pos(off int) (line, col int) {
	line, start := l.first, 0
	for _, b := range l.breaks {
		if b > off {
			break
		}
		line++
		start = b
	}
	return line, off - start + 1
}

// splitLines cuts data into logical lines. It never fails: garbage is
// reported by the parser with a line number.
func splitLines(data string) []logicalLine {
	var out []logicalLine
	physical := 1
	for len(data) > 0 {
		ll := logicalLine{first: physical}
		var b strings.Builder
		for {
			nl := strings.IndexByte(data, '\n')
			var seg string
			if nl < 0 {
				seg, data = data, ""
			} else {
				seg, data = data[:nl], data[nl+1:]
			}
			seg = strings.TrimSuffix(seg, "\r")
			physical++
			if cont := continued(seg); cont && data != "" {
				b.WriteString(seg[:len(seg)-1])
				b.WriteByte(' ')
				ll.breaks = append(ll.breaks, b.Len())
				continue
			}
			b.WriteString(seg)
			break
		}
		ll.text = stripComment(b.String())
		out = append(out, ll)
	}
	return out
}

// continued reports whether seg ends with an unescaped backslash.
func continued(seg string) bool {
	n := 0
	for i := len(seg) - 1; i >= 0 && seg[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// stripComment cuts a '#' comment: a '#' that starts a word (at the start
// or after a blank or one of ",:=(!") and is not a uid ("#1000") or an
// include directive at the start of the line. Inside double quotes and
// after a backslash '#' is literal.
func stripComment(s string) string {
	trimmed := strings.TrimLeft(s, " \t")
	if strings.HasPrefix(trimmed, "#include") {
		rest := strings.TrimPrefix(strings.TrimPrefix(trimmed, "#include"), "dir")
		if rest == "" || rest[0] == ' ' || rest[0] == '\t' {
			return s
		}
	}
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == '#' && !quoted:
			if i > 0 && !strings.ContainsRune(" \t,:=(!", rune(s[i-1])) {
				continue
			}
			if i+1 < len(s) && (isDigit(s[i+1]) || s[i+1] == '-' && i+2 < len(s) && isDigit(s[i+2])) {
				continue
			}
			return s[:i]
		}
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// scanner walks one logical line.
type scanner struct {
	file string
	ll   *logicalLine
	s    string
	i    int
}

func (sc *scanner) errAt(off int, msg string) *Error {
	line, col := sc.ll.pos(off)
	return &Error{File: sc.file, Line: line, Col: col, Msg: msg}
}

func (sc *scanner) syntax() *Error { return sc.errAt(sc.i, "syntax error") }

func (sc *scanner) skipBlanks() {
	for sc.i < len(sc.s) && isBlank(sc.s[sc.i]) {
		sc.i++
	}
}

func (sc *scanner) eol() bool {
	sc.skipBlanks()
	return sc.i >= len(sc.s)
}

func (sc *scanner) peek() byte {
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// accept consumes c after blanks.
func (sc *scanner) accept(c byte) bool {
	sc.skipBlanks()
	if sc.peek() == c {
		sc.i++
		return true
	}
	return false
}

// wordStop are the characters that end a name in user, host and runas
// lists and alias definitions.
const wordStop = " \t,:=()!\""

// word reads a name: a double-quoted string or a run of characters that
// are not in wordStop, a backslash escaping the next one. It returns ""
// when no name starts here.
func (sc *scanner) word() (string, error) {
	sc.skipBlanks()
	if sc.peek() == '"' {
		return sc.quoted()
	}
	var b strings.Builder
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		if c == '\\' && sc.i+1 < len(sc.s) {
			b.WriteByte(sc.s[sc.i+1])
			sc.i += 2
			continue
		}
		if strings.IndexByte(wordStop, c) >= 0 {
			break
		}
		b.WriteByte(c)
		sc.i++
	}
	return b.String(), nil
}

// quoted reads a double-quoted string; backslash escapes the next byte.
func (sc *scanner) quoted() (string, error) {
	start := sc.i
	sc.i++
	var b strings.Builder
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		switch {
		case c == '\\' && sc.i+1 < len(sc.s):
			b.WriteByte(sc.s[sc.i+1])
			sc.i += 2
		case c == '"':
			sc.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
			sc.i++
		}
	}
	return "", sc.errAt(start, "unterminated quoted string")
}

// isAliasName is sudo's ALIAS token: an upper-case letter then upper-case
// letters, digits and underscores ("ALL" is reserved).
func isAliasName(s string) bool {
	if s == "" || s == "ALL" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || isDigit(c) || c == '_') {
			return false
		}
	}
	return true
}
