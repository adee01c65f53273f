package pgconf

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// FS is what the parsers read through: hostfs.Host satisfies it, tests
// and fuzzers use a map.
type FS interface {
	ReadFile(path string) ([]byte, error)
	ReadDir(path string) ([]hostfs.DirEntry, error)
}

// MaxDepth is PostgreSQL's CONF_FILE_MAX_DEPTH: nesting of include
// directives and @file references beyond it is an error.
const MaxDepth = 10

// token is one word of an authentication file; Quoted is set when it
// began with a double quote, which makes a keyword ("all") a plain name.
type token struct {
	Text   string
	Quoted bool
}

// authLine is one logical line of pg_hba.conf: its fields, each a
// comma-separated list of tokens, or the error that made it unusable.
type authLine struct {
	File   string
	Line   int
	Fields [][]token
	Err    string
}

type tokenizer struct {
	fs      FS
	version int
	files   []string
	seen    map[string]bool
	cache   map[string][]byte // @files are read once, however often named
}

func (t *tokenizer) record(p string) {
	if !t.seen[p] {
		t.seen[p] = true
		t.files = append(t.files, p)
	}
}

// readAuthFile reads one authentication file; the error names it.
func (t *tokenizer) readAuthFile(p string, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("could not open file %q: maximum nesting depth exceeded", p)
	}
	if data, ok := t.cache[p]; ok {
		return data, nil
	}
	data, err := t.fs.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("could not open file %q: %w", p, err)
	}
	t.record(p)
	if t.cache == nil {
		t.cache = map[string][]byte{}
	}
	t.cache[p] = data
	return data, nil
}

// physicalLines splits data into logical lines the way tokenize_auth_file
// reads them: CR/LF stripped, and a trailing backslash joins the next
// line (without a space, even inside a comment). A NUL byte ends what the
// server sees of a line and, since its line reader then misses the
// newline, the next line is joined on (pg_get_line_append measures lines
// with strlen).
func physicalLines(data []byte) (lines []string, numbers []int) {
	raw := strings.Split(string(data), "\n")
	if len(raw) > 0 && raw[len(raw)-1] == "" {
		raw = raw[:len(raw)-1]
	}
	for i := 0; i < len(raw); i++ {
		start := i + 1
		var b strings.Builder
		for {
			l := raw[i]
			if j := strings.IndexByte(l, 0); j >= 0 {
				b.WriteString(l[:j])
				if i+1 < len(raw) {
					i++
					continue
				}
				break
			}
			l = strings.TrimRight(l, "\r")
			if strings.HasSuffix(l, `\`) && i+1 < len(raw) {
				b.WriteString(l[:len(l)-1])
				i++
				continue
			}
			b.WriteString(strings.TrimSuffix(l, `\`))
			break
		}
		lines = append(lines, b.String())
		numbers = append(numbers, start)
	}
	return lines, numbers
}

// tokenizeFile tokenizes file p; include directives (PostgreSQL 16) are
// expanded in place when allowIncludes.
func (t *tokenizer) tokenizeFile(p string, data []byte, depth int, allowIncludes bool) []authLine {
	var out []authLine
	lines, numbers := physicalLines(data)
	for i, text := range lines {
		al := authLine{File: p, Line: numbers[i]}
		rest := text
		for rest != "" && al.Err == "" {
			var field []token
			field, rest, al.Err = t.nextFieldExpand(p, rest, depth)
			if len(field) > 0 {
				al.Fields = append(al.Fields, field)
			}
		}
		if len(al.Fields) == 0 && al.Err == "" {
			continue
		}
		if allowIncludes && al.Err == "" && (t.version == 0 || t.version >= 16) {
			if inc, ok := t.includeDirective(al, depth); ok {
				out = append(out, inc...)
				continue
			}
		}
		out = append(out, al)
	}
	return out
}

// includeDirective expands "include FILE", "include_if_exists FILE" and
// "include_dir DIR" lines (PostgreSQL 16); ok is false for other lines.
func (t *tokenizer) includeDirective(al authLine, depth int) ([]authLine, bool) {
	kw := al.Fields[0][0].Text
	if len(al.Fields[0]) != 1 || (kw != "include" && kw != "include_if_exists" && kw != "include_dir") {
		return nil, false
	}
	fail := func(format string, args ...any) ([]authLine, bool) {
		al.Err = fmt.Sprintf(format, args...)
		return []authLine{al}, true
	}
	if len(al.Fields) != 2 || len(al.Fields[1]) != 1 {
		return fail("%s needs exactly one file name", kw)
	}
	target := resolveRelative(al.File, al.Fields[1][0].Text)
	if kw == "include_dir" {
		if depth+1 > MaxDepth {
			return fail("could not open directory %q: maximum nesting depth exceeded", target)
		}
		entries, err := t.fs.ReadDir(target)
		if err != nil {
			return fail("could not open directory %q: %v", target, err)
		}
		var names []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name, ".conf") && !strings.HasPrefix(e.Name, ".") && !e.Type.IsDir() {
				names = append(names, e.Name)
			}
		}
		sort.Strings(names)
		var out []authLine
		for _, n := range names {
			out = append(out, t.includeFile(al, path.Join(target, n), depth)...)
		}
		return out, true
	}
	if kw == "include_if_exists" {
		if _, err := t.fs.ReadFile(target); errors.Is(err, fs.ErrNotExist) {
			return nil, true
		}
	}
	return t.includeFile(al, target, depth), true
}

func (t *tokenizer) includeFile(from authLine, p string, depth int) []authLine {
	data, err := t.readAuthFile(p, depth+1)
	if err != nil {
		from.Err = err.Error()
		return []authLine{from}
	}
	return t.tokenizeFile(p, data, depth+1, true)
}

// resolveRelative makes name absolute against the directory of the file
// that names it, as PostgreSQL resolves includes and @files.
func resolveRelative(from, name string) string {
	if strings.HasPrefix(name, "/") {
		return path.Clean(name)
	}
	return path.Join(path.Dir(from), name)
}

// nextFieldExpand reads one field: tokens joined by commas, with @file
// references replaced by the tokens of that file (any field, as
// PostgreSQL does; only quoting prevents it).
func (t *tokenizer) nextFieldExpand(file, line string, depth int) (field []token, rest string, errMsg string) {
	rest = line
	for {
		var tok token
		var ok, comma bool
		tok, rest, ok, comma = t.nextToken(rest)
		if !ok {
			break
		}
		if !tok.Quoted && len(tok.Text) > 1 && tok.Text[0] == '@' {
			var inc []token
			inc, errMsg = t.includeTokens(file, tok.Text[1:], depth+1)
			field = append(field, inc...)
		} else {
			field = append(field, tok)
		}
		if !comma || errMsg != "" {
			break
		}
	}
	return field, rest, errMsg
}

// includeTokens is tokenize_inc_file: every token of every line of an
// @file, flattened; an error on any of its lines is the caller's.
func (t *tokenizer) includeTokens(from, name string, depth int) ([]token, string) {
	p := resolveRelative(from, name)
	data, err := t.readAuthFile(p, depth)
	if err != nil {
		return nil, fmt.Sprintf("could not open secondary authentication file \"@%s\" as %q: %v", name, p, unwrapPathError(err))
	}
	var out []token
	for _, l := range t.tokenizeFile(p, data, depth, false) {
		if l.Err != "" {
			return out, l.Err
		}
		for _, f := range l.Fields {
			out = append(out, f...)
		}
	}
	return out, ""
}

// unwrapPathError drops the "could not open file" wrapper of readAuthFile
// for messages that name the file themselves.
func unwrapPathError(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// nextToken is PostgreSQL's next_token: whitespace and commas before a
// token are skipped; a token ends at unquoted whitespace or comma; "#"
// outside quotes starts a comment; "" inside quotes is a literal quote.
// ok is false when the line held no further token.
func (t *tokenizer) nextToken(s string) (tok token, rest string, ok, comma bool) {
	i := 0
	for i < len(s) && (isBlank(s[i]) || s[i] == ',') {
		i++
	}
	var b strings.Builder
	inQuote, wasQuote, sawQuote := false, false, false
	for ; i < len(s) && (!isBlank(s[i]) || inQuote); i++ {
		c := s[i]
		if c == '#' && !inQuote {
			i = len(s)
			break
		}
		if c == ',' && !inQuote {
			comma = true
			i++
			break
		}
		if c != '"' || wasQuote {
			b.WriteByte(c)
		}
		if inQuote && c == '"' {
			wasQuote = !wasQuote
		} else {
			wasQuote = false
		}
		if c == '"' {
			inQuote = !inQuote
			sawQuote = true
			if b.Len() == 0 {
				tok.Quoted = true
			}
		}
	}
	tok.Text = b.String()
	return tok, s[i:], sawQuote || b.Len() > 0, comma
}
