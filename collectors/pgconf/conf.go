package pgconf

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Setting is one parameter's value and where it was set; with several
// assignments the last one read wins, as in the server.
type Setting struct {
	Value string `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// Conf is a parsed postgresql.conf with its includes.
type Conf struct {
	// Settings are keyed by lower-case parameter name.
	Settings map[string]Setting `json:"settings"`
	// Files lists every file read, in reading order.
	Files []string `json:"files"`
}

// ConfError is a postgresql.conf problem the server refuses to start
// with, located at a file and line (Line 0: the file as a whole).
type ConfError struct {
	File string
	Line int
	Msg  string
}

func (e *ConfError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// LoadConf reads postgresql.conf at p and everything it includes.
func LoadConf(fsys FS, p string) (*Conf, error) {
	c := &Conf{Settings: map[string]Setting{}, Files: []string{}}
	if err := c.loadFile(fsys, p, 0, false); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Conf) loadFile(fsys FS, p string, depth int, ifExists bool) error {
	if depth > MaxDepth {
		return &ConfError{File: p, Msg: "could not open configuration file: maximum nesting depth exceeded"}
	}
	data, err := fsys.ReadFile(p)
	if err != nil {
		if ifExists && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return &ConfError{File: p, Msg: fmt.Sprintf("could not open configuration file: %v", err)}
	}
	c.Files = append(c.Files, p)
	return c.parse(fsys, p, data, depth)
}

// parse reads name [=] value lines (guc-file.l): '#' starts a comment,
// a value is a single-quoted string (” and backslash escapes) or one
// unquoted word; anything after the value but a comment is an error.
func (c *Conf) parse(fsys FS, p string, data []byte, depth int) error {
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		name, value, ok, msg := parseConfLine(line)
		if msg != "" {
			return &ConfError{File: p, Line: n, Msg: msg}
		}
		if !ok {
			continue
		}
		switch name {
		case "include", "include_if_exists":
			if err := c.loadFile(fsys, resolveRelative(p, value), depth+1, name == "include_if_exists"); err != nil {
				return wrapInclude(err, p, n)
			}
		case "include_dir":
			if err := c.loadDir(fsys, resolveRelative(p, value), depth+1); err != nil {
				return wrapInclude(err, p, n)
			}
		default:
			c.Settings[name] = Setting{Value: value, File: p, Line: n}
		}
	}
	return nil
}

// wrapInclude keeps the innermost error's location and says which line
// included it.
func wrapInclude(err error, p string, line int) error {
	var ce *ConfError
	if errors.As(err, &ce) && !strings.Contains(ce.Msg, "(included from") {
		ce.Msg += fmt.Sprintf(" (included from %s:%d)", p, line)
	}
	return err
}

// loadDir is include_dir: the directory's *.conf files not starting with
// a dot, in name order.
func (c *Conf) loadDir(fsys FS, dir string, depth int) error {
	if depth > MaxDepth {
		return &ConfError{File: dir, Msg: "could not open configuration directory: maximum nesting depth exceeded"}
	}
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return &ConfError{File: dir, Msg: fmt.Sprintf("could not open configuration directory: %v", err)}
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name, ".conf") && !strings.HasPrefix(e.Name, ".") && !e.Type.IsDir() {
			names = append(names, e.Name)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if err := c.loadFile(fsys, path.Join(dir, n), depth, false); err != nil {
			return err
		}
	}
	return nil
}

func isConfSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

func isNameByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c >= 0x80:
		return true
	case c >= '0' && c <= '9', c == '$', c == '.':
		return !first
	}
	return false
}

// parseConfLine returns the lower-cased name and the value of one line;
// ok is false for blank and comment lines, msg non-empty for a syntax
// error (the server's message).
func parseConfLine(line string) (name, value string, ok bool, msg string) {
	i := 0
	skip := func() {
		for i < len(line) && isConfSpace(line[i]) {
			i++
		}
	}
	skip()
	if i == len(line) || line[i] == '#' {
		return "", "", false, ""
	}
	start := i
	for i < len(line) && isNameByte(line[i], i == start) {
		i++
	}
	if i == start {
		return "", "", false, fmt.Sprintf("syntax error near token %q", nearToken(line[i:]))
	}
	name = strings.ToLower(line[start:i])
	skip()
	if i < len(line) && line[i] == '=' {
		i++
		skip()
	}
	if i == len(line) || line[i] == '#' {
		return "", "", false, "syntax error near end of line"
	}
	if line[i] == '\'' {
		v, n, err := scanQuoted(line[i:])
		if err != "" {
			return "", "", false, err
		}
		value, i = v, i+n
	} else {
		vs := i
		for i < len(line) && !isConfSpace(line[i]) && line[i] != '#' && line[i] != '\'' && line[i] != '=' {
			i++
		}
		value = line[vs:i]
	}
	skip()
	if i < len(line) && line[i] != '#' {
		return "", "", false, fmt.Sprintf("syntax error near token %q", nearToken(line[i:]))
	}
	return name, value, true, ""
}

func nearToken(s string) string {
	if j := strings.IndexAny(s, " \t#"); j > 0 {
		return s[:j]
	}
	if s == "" {
		return "end of line"
	}
	return s
}

// scanQuoted reads a single-quoted value starting at s[0] (GUC_scanstr):
// ” is a quote, backslash escapes b f n r t, octal digits, and any other
// character as itself. n is the number of bytes consumed.
func scanQuoted(s string) (value string, n int, msg string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return b.String(), i + 1, ""
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(e - '0')
				for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
					i++
					v = v*8 + int(s[i]-'0')
				}
				b.WriteByte(byte(v))
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, "unterminated quoted string"
}
