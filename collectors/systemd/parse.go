// Package systemd resolves systemd units the way systemd itself loads
// them, from files only: unit search paths in precedence order, aliases
// and masks (symlinks), instance units from templates, drop-ins, and
// enablement by the symlinks in *.wants/ and *.requires/. Every read goes
// through hostfs.Host, so an offline root resolves like the live host.
package systemd

import (
	"bytes"
	"fmt"
	"strings"
)

// Assignment is one "Key=Value" line of a unit file or drop-in.
type Assignment struct {
	Value string `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// Section is the directives of one [Section], keyed as written (systemd
// keys are case-sensitive), each with every assignment in file order.
type Section map[string][]Assignment

// ParseError is a unit file systemd would not load, with its place.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// maxLineLength is systemd's LONG_LINE_MAX: a longer logical line makes
// it refuse the whole file.
const maxLineLength = 1 << 20

// Parse reads a unit file or drop-in (name is used in errors and in each
// Assignment). It follows systemd's config_parse: "#" and ";" start
// comments, a trailing backslash continues the line (comment lines inside
// a continuation are skipped), whitespace around key and value is
// dropped, assignments before the first section header are refused. A
// NUL byte is an error: systemd refuses such files too.
func Parse(name string, data []byte) (map[string]Section, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := bytes.Count(data[:i], []byte{'\n'}) + 1
		return nil, &ParseError{File: name, Line: line, Msg: "NUL byte: not a unit file"}
	}
	out := map[string]Section{}
	section := ""
	var logical strings.Builder
	start := 0 // first physical line of the logical line being built
	continuing := false
	lineNo := 0
	for len(data) > 0 {
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		lineNo++
		raw = bytes.TrimSuffix(raw, []byte{'\r'})
		trimmed := strings.TrimSpace(string(raw))
		if continuing && (strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";")) {
			continue
		}
		if !continuing {
			start = lineNo
			logical.Reset()
		}
		if oddBackslashes(trimmed) {
			logical.WriteString(strings.TrimSuffix(trimmed, `\`))
			logical.WriteByte(' ')
			continuing = true
			if logical.Len() > maxLineLength {
				return nil, &ParseError{File: name, Line: start, Msg: "line too long"}
			}
			if len(data) > 0 {
				continue
			}
		} else {
			logical.WriteString(trimmed)
			continuing = false
		}
		if logical.Len() > maxLineLength {
			return nil, &ParseError{File: name, Line: start, Msg: "line too long"}
		}
		if err := parseLine(name, start, strings.TrimSpace(logical.String()), &section, out); err != nil {
			return nil, err
		}
		continuing = false
	}
	return out, nil
}

// oddBackslashes reports whether s ends in an odd number of backslashes,
// i.e. the last one is not itself escaped.
func oddBackslashes(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func parseLine(file string, line int, l string, section *string, out map[string]Section) error {
	if l == "" || l[0] == '#' || l[0] == ';' {
		return nil
	}
	if l[0] == '[' {
		if !strings.HasSuffix(l, "]") || len(l) < 3 {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("invalid section header %q", l)}
		}
		name := l[1 : len(l)-1]
		if strings.ContainsAny(name, "[]") {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("invalid section header %q", l)}
		}
		*section = name
		if out[name] == nil {
			out[name] = Section{}
		}
		return nil
	}
	key, value, ok := strings.Cut(l, "=")
	if !ok {
		// systemd logs "Missing '='" and ignores the line.
		return nil
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return nil
	}
	if *section == "" {
		return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("assignment %q outside of any section", key)}
	}
	out[*section][key] = append(out[*section][key], Assignment{Value: strings.TrimSpace(value), File: file, Line: line})
	return nil
}
