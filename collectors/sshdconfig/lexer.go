package sshdconfig

import "strings"

// This file reproduces the three layers of tokenising that sshd applies to
// sshd_config: load_server_config (per-line leading whitespace strip, NUL
// truncation), strdelim (keyword and Match criteria, which also splits on
// one '=') and argv_split (arguments, with quotes, escapes and comments).
// Each differs in small ways and configurations in the wild depend on them.

const whitespace = " \t\r\n"

// loadBuffer turns raw file bytes into the lines sshd would process.
// sshd reads with getline, drops leading " \t\r" from each line and copies
// only up to the first NUL; a NUL before the newline therefore also drops
// the newline and glues the next line on, which shifts line numbers. We do
// the same so that error line numbers agree for binary garbage too.
func loadBuffer(data []byte) []string {
	var b strings.Builder
	b.Grow(len(data))
	for len(data) > 0 {
		end := len(data)
		for i, c := range data {
			if c == '\n' {
				end = i + 1
				break
			}
		}
		line := data[:end]
		data = data[end:]
		i := 0
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++
		}
		line = line[i:]
		for j, c := range line {
			if c == 0 {
				line = line[:j]
				break
			}
		}
		b.Write(line)
	}
	return strings.Split(b.String(), "\n")
}

// trimLineEnd strips trailing whitespace and form feeds the way sshd does:
// it never looks at the first byte, so a one-byte line is kept as is.
func trimLineEnd(s string) string {
	n := len(s)
	for n > 1 && strings.IndexByte(whitespace+"\f", s[n-1]) >= 0 {
		n--
	}
	return s[:n]
}

// strdelim splits the next token off *s, as misc.c:strdelim does: tokens
// end at whitespace, a double quote or one '='. A token starting with a
// quote runs to the next quote; an unmatched quote yields ok=false. rest is
// nil (hasRest=false) when the input is exhausted.
type cursor struct {
	s    string
	done bool // corresponds to sshd's *s == NULL
}

func (c *cursor) strdelim() (tok string, ok bool) {
	if c.done {
		return "", false
	}
	s := c.s
	i := strings.IndexAny(s, whitespace+"\"=")
	if i < 0 {
		c.done = true
		c.s = ""
		return s, true
	}
	if s[i] == '"' {
		// The quote is removed; the token is what precedes it plus
		// everything up to the closing quote.
		rest := s[i+1:]
		j := strings.IndexByte(rest, '"')
		if j < 0 {
			c.done = true
			c.s = ""
			return "", false
		}
		tok = s[:i] + rest[:j]
		after := rest[j+1:]
		c.s = after[spanWhitespace(after):]
		return tok, true
	}
	wasEquals := s[i] == '='
	tok = s[:i]
	after := s[i+1:]
	after = after[spanWhitespace(after):]
	if !wasEquals && len(after) > 0 && after[0] == '=' {
		after = after[1:]
		after = after[spanWhitespace(after):]
	}
	c.s = after
	return tok, true
}

func spanWhitespace(s string) int {
	i := 0
	for i < len(s) && strings.IndexByte(whitespace, s[i]) >= 0 {
		i++
	}
	return i
}

// argvSplit is misc.c:argv_split with terminate_on_comment set: tokens are
// separated by spaces and tabs, single and double quotes group, a
// backslash escapes quotes, backslash and (outside quotes) space, and a '#'
// at the start of a token ends the line. ok=false means an unterminated
// quote ("invalid quotes").
func argvSplit(s string) (args []string, ok bool) {
	i := 0
	for i < len(s) {
		if s[i] == ' ' || s[i] == '\t' {
			i++
			continue
		}
		if s[i] == '#' {
			break
		}
		var quote byte
		var arg strings.Builder
		for ; i < len(s); i++ {
			c := s[i]
			if c == '\\' {
				if i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"' || s[i+1] == '\\' || (quote == 0 && s[i+1] == ' ')) {
					i++
					arg.WriteByte(s[i])
				} else {
					arg.WriteByte(c)
				}
			} else if quote == 0 && (c == ' ' || c == '\t') {
				break
			} else if quote == 0 && (c == '"' || c == '\'') {
				quote = c
			} else if quote != 0 && c == quote {
				quote = 0
			} else {
				arg.WriteByte(c)
			}
		}
		args = append(args, arg.String())
		if i >= len(s) {
			if quote != 0 {
				return nil, false
			}
			break
		}
	}
	return args, true
}

// lowerASCII folds only ASCII letters, as strcasecmp does in the C locale
// sshd runs in; strings.ToLower would also fold non-ASCII letters.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func equalFoldASCII(a, b string) bool {
	return len(a) == len(b) && lowerASCII(a) == lowerASCII(b)
}
