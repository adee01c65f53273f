// Package pamconf reads the Linux-PAM configuration of a service from a
// target's /etc/pam.d, as libpam builds the module stacks: @include
// (Debian), include and substack are expanded in place, so a caller sees
// the modules that actually run, in order, each with the file and line
// that declared it.
package pamconf

import (
	"errors"
	"fmt"
	"strings"
)

// Module is one line of a resolved stack.
type Module struct {
	// Type is account, auth, password or session (lowercase, without
	// the leading '-').
	Type string `json:"type"`
	// IgnoreMissing is the leading '-' on the type: libpam skips the line
	// silently when the module cannot be loaded.
	IgnoreMissing bool `json:"ignore_missing,omitempty"`
	// Control is a keyword (required, requisite, sufficient, optional) or
	// the bracket syntax with its spacing normalised ("[success=1 default=ignore]").
	Control string `json:"control"`
	// Module is the module path as written: "pam_unix.so" or a full path.
	Module string `json:"module"`
	// Args are the module arguments, a bracketed argument ("[a b]") as
	// one element without its brackets, as libpam passes it.
	Args []string `json:"args"`
	File string   `json:"file"`
	Line int      `json:"line"`
	// Substack names the innermost service this line was pulled in by
	// "substack": its done/die end only that substack, not the stack.
	Substack string `json:"substack,omitempty"`
}

// Stack is a service's resolved configuration, all types in file order.
type Stack []Module

// Types are the module types of pam.d(5).
var Types = []string{"account", "auth", "password", "session"}

// Controls are the keyword controls; include and substack are expanded.
var Controls = []string{"required", "requisite", "sufficient", "optional", "include", "substack"}

// Entry is one parsed line of a pam.d file before includes are expanded.
type Entry struct {
	// Include is set for Debian's "@include FILE" (all types); Type and
	// the rest are empty then.
	Include string
	Module
}

// ParseLine parses one logical line (continuations already joined and
// comments kept: they are stripped here). ok is false for a blank line.
func ParseLine(line string) (e Entry, ok bool, err error) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return Entry{}, false, nil
	}
	tok, rest := nextToken(line)
	if tok == "@include" {
		file, extra := nextToken(rest)
		if file == "" || strings.TrimSpace(extra) != "" {
			return Entry{}, false, errors.New("@include needs exactly one file name")
		}
		return Entry{Include: file}, true, nil
	}
	m := Module{}
	if strings.HasPrefix(tok, "-") {
		m.IgnoreMissing, tok = true, tok[1:]
	}
	m.Type = strings.ToLower(tok)
	if !contains(Types, m.Type) {
		return Entry{}, false, fmt.Errorf("unknown module type %q", tok)
	}
	if m.Control, rest, err = parseControl(rest); err != nil {
		return Entry{}, false, err
	}
	m.Module, rest = nextToken(rest)
	if m.Module == "" {
		return Entry{}, false, errors.New("missing module path")
	}
	m.Args = []string{}
	for rest != "" {
		var arg string
		if strings.HasPrefix(rest, "[") {
			arg, rest = bracketed(rest)
		} else {
			arg, rest = nextToken(rest)
		}
		m.Args = append(m.Args, arg)
		rest = strings.TrimLeft(rest, " \t")
	}
	return Entry{Module: m}, true, nil
}

// parseControl reads a keyword or a "[value=action ...]" control.
func parseControl(s string) (control, rest string, err error) {
	s = strings.TrimLeft(s, " \t")
	if s == "" {
		return "", "", errors.New("missing control")
	}
	if !strings.HasPrefix(s, "[") {
		tok, rest := nextToken(s)
		kw := strings.ToLower(tok)
		if !contains(Controls, kw) {
			return "", "", fmt.Errorf("unknown control %q", tok)
		}
		return kw, rest, nil
	}
	inner, rest := bracketed(s)
	pairs := strings.Fields(inner)
	if len(pairs) == 0 {
		return "", "", errors.New("empty control brackets")
	}
	for _, p := range pairs {
		if k, v, ok := strings.Cut(p, "="); !ok || k == "" || v == "" {
			return "", "", fmt.Errorf("control %q: %q is not value=action", "["+inner+"]", p)
		}
	}
	return "[" + strings.Join(pairs, " ") + "]", rest, nil
}

// bracketed reads "[...]" as libpam's _pam_StrTok does: the first ']'
// ends it, "\]" stands for ']', and an unclosed bracket runs to the end.
func bracketed(s string) (inner, rest string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ']':
			b.WriteByte(']')
			i++
		case s[i] == ']':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), ""
}

func nextToken(s string) (tok, rest string) {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.TrimLeft(s[i:], " \t")
	}
	return s, ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// logicalLine is a line after backslash continuations are joined.
type logicalLine struct {
	text string
	line int // number of its first physical line
}

// splitLines joins lines ending in a backslash with the next, as libpam's
// _pam_assemble_line does (the backslash and newline become a space).
func splitLines(data string) []logicalLine {
	var out []logicalLine
	var cur strings.Builder
	start := 0
	for i, raw := range strings.Split(data, "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(raw, `\`) && !strings.Contains(raw, "#") {
			cur.WriteString(strings.TrimSuffix(raw, `\`))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(raw)
		out = append(out, logicalLine{text: cur.String(), line: start})
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, logicalLine{text: cur.String(), line: start})
	}
	return out
}
