package sshdconfig

import (
	"fmt"
	"strings"
)

// ConfigError is a configuration that sshd itself would refuse to start
// with. Error() reproduces the first line sshd prints on stderr for the
// same input, so the live and offline paths report the same text.
type ConfigError struct {
	File string // file that holds the offending line ("" when sshd names none)
	Line int    // 1-based line number (0 when sshd names none)
	Msg  string // sshd's message, without the "file line N:" prefix
	// Detail is the extra diagnostic sshd logs before some fatal errors
	// (for example "Unsupported Match attribute Foo" before "Bad Match
	// condition"); it is not part of Error() because sshd prints it on a
	// separate line.
	Detail string
	// colon selects sshd's "file: line N: msg" spelling, used only by the
	// "Bad configuration option" message; every other message reads
	// "file line N: msg".
	colon bool
}

func (e *ConfigError) Error() string {
	switch {
	case e.Line > 0 && e.colon:
		return vis(fmt.Sprintf("%s: line %d: %s", e.File, e.Line, e.Msg))
	case e.Line > 0:
		return vis(fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg))
	default:
		return vis(e.Msg)
	}
}

// vis encodes a log message as sshd's log.c does before writing it to
// stderr (strnvis with VIS_SAFE|VIS_OCTAL): backslashes are doubled and
// non-printable bytes become three-digit octal escapes, so binary garbage
// in a configuration reads the same in both reports.
func vis(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\\\`)
		case c > ' ' && c < 0x7f, c == ' ', c == '\t', c == '\n', c == '\b', c == '\a', c == '\r':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\%03o", c)
		}
	}
	return b.String()
}

// lineError builds the usual "file line N: msg" error.
func lineError(file string, line int, format string, args ...any) *ConfigError {
	return &ConfigError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func noLineError(file string, line int, format string, args ...any) *ConfigError {
	return &ConfigError{File: file, Line: 0, Msg: fmt.Sprintf(format, args...), Detail: fmt.Sprintf("%s line %d", file, line)}
}
