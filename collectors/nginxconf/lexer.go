package nginxconf

import "fmt"

// What one call of the tokenizer ended with, as ngx_conf_read_token's
// return codes.
const (
	tokDirective  = iota // arguments ended by ";"
	tokBlockStart        // arguments ended by "{"
	tokBlockDone         // "}"
	tokFileDone          // end of file between directives
)

// bufferSize is NGX_CONF_BUFFER: nginx reads a file through a 4096-byte
// buffer and refuses a token (from its first byte to the byte after it)
// that does not fit.
const bufferSize = 4096

// lexer reproduces ngx_conf_read_token of nginx 1.22 (src/core/
// ngx_conf_file.c): the same token boundaries, quoting, escapes, comments,
// "${" inside words, line counting and errors.
type lexer struct {
	file string
	data []byte
	pos  int
	line int
}

func newLexer(file string, data []byte) *lexer {
	return &lexer{file: file, data: data, line: 1}
}

// next reads one directive's words. startLine is the line of its first
// word (where facts locate the directive).
func (lx *lexer) next() (words []string, startLine int, rc int, err error) {
	var found, needSpace, sharpComment, variable, quoted, sQuoted, dQuoted bool
	lastSpace := true
	start := lx.pos
	startLine = lx.line
	tokenLine := lx.line
	for {
		if lx.pos >= len(lx.data) {
			if len(words) > 0 || !lastSpace {
				return nil, startLine, 0, lx.errorf(`unexpected end of file, expecting ";" or "}"`)
			}
			return nil, startLine, tokFileDone, nil
		}
		// The limit counts from the last token start, so a comment
		// longer than the buffer is refused too, as nginx does.
		if lx.pos-start >= bufferSize {
			lx.line = tokenLine
			switch {
			case dQuoted:
				return nil, startLine, 0, lx.errorf(`too long parameter, probably missing terminating '"' character`)
			case sQuoted:
				return nil, startLine, 0, lx.errorf(`too long parameter, probably missing terminating "'" character`)
			}
			return nil, startLine, 0, lx.errorf(`too long parameter "%s..." started`, lx.data[start:start+10])
		}
		ch := lx.data[lx.pos]
		lx.pos++
		if ch == '\n' {
			lx.line++
			sharpComment = false
		}
		if sharpComment {
			continue
		}
		if quoted {
			quoted = false
			continue
		}
		if needSpace {
			if isSpace(ch) {
				lastSpace, needSpace = true, false
				continue
			}
			switch ch {
			case ';':
				return words, startLine, tokDirective, nil
			case '{':
				return words, startLine, tokBlockStart, nil
			case ')':
				lastSpace, needSpace = true, false
			default:
				return nil, startLine, 0, lx.errorf(`unexpected "%c"`, ch)
			}
		}
		if lastSpace {
			start = lx.pos - 1
			tokenLine = lx.line
			if isSpace(ch) {
				continue
			}
			if len(words) == 0 {
				startLine = lx.line
			}
			switch ch {
			case ';', '{':
				if len(words) == 0 {
					return nil, startLine, 0, lx.errorf(`unexpected "%c"`, ch)
				}
				if ch == '{' {
					return words, startLine, tokBlockStart, nil
				}
				return words, startLine, tokDirective, nil
			case '}':
				if len(words) != 0 {
					return nil, startLine, 0, lx.errorf(`unexpected "}"`)
				}
				return nil, startLine, tokBlockDone, nil
			case '#':
				sharpComment = true
				continue
			case '\\':
				quoted, lastSpace = true, false
				continue
			case '"':
				start++
				dQuoted, lastSpace = true, false
				continue
			case '\'':
				start++
				sQuoted, lastSpace = true, false
				continue
			case '$':
				variable, lastSpace = true, false
				continue
			default:
				lastSpace = false
			}
			continue
		}
		if ch == '{' && variable {
			continue
		}
		variable = false
		if ch == '\\' {
			quoted = true
			continue
		}
		if ch == '$' {
			variable = true
			continue
		}
		switch {
		case dQuoted:
			if ch == '"' {
				dQuoted, needSpace, found = false, true, true
			}
		case sQuoted:
			if ch == '\'' {
				sQuoted, needSpace, found = false, true, true
			}
		case isSpace(ch) || ch == ';' || ch == '{':
			lastSpace, found = true, true
		}
		if found {
			words = append(words, unescape(lx.data[start:lx.pos-1]))
			switch ch {
			case ';':
				return words, startLine, tokDirective, nil
			case '{':
				return words, startLine, tokBlockStart, nil
			}
			found = false
		}
	}
}

func isSpace(ch byte) bool { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' }

// unescape turns \" \' \\ into the character and \t \r \n into the
// control character; any other backslash stays, as nginx copies it.
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			switch raw[i+1] {
			case '"', '\'', '\\':
				i++
			case 't':
				out = append(out, '\t')
				i++
				continue
			case 'r':
				out = append(out, '\r')
				i++
				continue
			case 'n':
				out = append(out, '\n')
				i++
				continue
			}
		}
		out = append(out, raw[i])
	}
	return string(out)
}

func (lx *lexer) errorf(format string, args ...any) error {
	return &Error{File: lx.file, Line: lx.line, Msg: fmt.Sprintf(format, args...)}
}
