// Package svcconf parses the configuration of the services the SVC
// controls judge: apt's configuration (apt.conf(5)) and fail2ban's jails
// (jail.conf(5)).
package svcconf

import (
	"errors"
	"fmt"
	"strings"
)

// Setting is one value and where it was set.
type Setting struct {
	Value string `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// ParseAptConf reads one apt.conf file into set (keys lowercased, as apt
// compares them case-insensitively; later assignments win, as when apt
// reads the files of apt.conf.d in order). It follows apt.conf(5):
// `A::B "v";`, scopes `A { B "v"; };`, comments `//`, `/* */` and `#`
// lines, `#clear`/`#include` directives (clear is applied; include is
// refused, apt's own files never use it). A syntax apt refuses is an
// error naming file and line.
func ParseAptConf(file string, data []byte, set map[string]Setting) error {
	p := &aptParser{file: file, src: string(data), line: 1}
	var scope []string
	for {
		tok, kind, line, err := p.next()
		if err != nil {
			return err
		}
		switch kind {
		case tokEOF:
			if len(scope) > 0 {
				return fmt.Errorf("%s:%d: unclosed scope %q", file, line, strings.Join(scope, "::"))
			}
			return nil
		case tokClose:
			if len(scope) == 0 {
				return fmt.Errorf("%s:%d: '}' without an open scope", file, line)
			}
			scope = scope[:len(scope)-1]
			p.optional(';')
		case tokDirective:
			if strings.HasPrefix(tok, "clear") {
				prefix := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(tok, "clear")))
				for k := range set {
					if k == prefix || strings.HasPrefix(k, prefix+"::") {
						delete(set, k)
					}
				}
				continue
			}
			return fmt.Errorf("%s:%d: unsupported directive #%s", file, line, tok)
		case tokWord:
			key := tok
			nt, nk, _, err := p.next()
			if err != nil {
				return err
			}
			full := strings.ToLower(strings.Join(append(append([]string(nil), scope...), key), "::"))
			switch nk {
			case tokOpen:
				scope = append(scope, key)
			case tokString, tokWord:
				if !p.optional(';') {
					return fmt.Errorf("%s:%d: missing ';' after %s", file, line, key)
				}
				set[full] = Setting{Value: nt, File: file, Line: line}
			case tokSemi:
				set[full] = Setting{Value: "", File: file, Line: line}
			default:
				return fmt.Errorf("%s:%d: unexpected %q after %s", file, line, nt, key)
			}
		case tokSemi:
			continue
		case tokString:
			// a list item inside a scope (APT::NeverAutoRemove { "a"; "b"; };):
			// no control reads lists, so it is only checked for syntax
			if len(scope) == 0 || !p.optional(';') {
				return fmt.Errorf("%s:%d: unexpected %q", file, line, tok)
			}
		default:
			return fmt.Errorf("%s:%d: unexpected %q", file, line, tok)
		}
	}
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokOpen
	tokClose
	tokSemi
	tokDirective
)

type aptParser struct {
	file string
	src  string
	pos  int
	line int
}

var errUnterminated = errors.New("unterminated")

func (p *aptParser) next() (string, tokKind, int, error) {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			p.line++
			p.pos++
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "//"):
			p.skipLine()
		case strings.HasPrefix(p.src[p.pos:], "/*"):
			end := strings.Index(p.src[p.pos+2:], "*/")
			if end < 0 {
				return "", 0, p.line, fmt.Errorf("%s:%d: %w comment", p.file, p.line, errUnterminated)
			}
			p.line += strings.Count(p.src[p.pos:p.pos+2+end], "\n")
			p.pos += end + 4
		case c == '#':
			line := p.line
			start := p.pos + 1
			p.skipLine()
			text := strings.TrimSpace(p.src[start:p.pos])
			if strings.HasPrefix(text, "clear") || strings.HasPrefix(text, "include") {
				return strings.TrimSuffix(text, ";"), tokDirective, line, nil
			}
		case c == '{':
			p.pos++
			return "{", tokOpen, p.line, nil
		case c == '}':
			p.pos++
			return "}", tokClose, p.line, nil
		case c == ';':
			p.pos++
			return ";", tokSemi, p.line, nil
		case c == '"':
			end := strings.IndexByte(p.src[p.pos+1:], '"')
			if end < 0 {
				return "", 0, p.line, fmt.Errorf("%s:%d: %w string", p.file, p.line, errUnterminated)
			}
			s := p.src[p.pos+1 : p.pos+1+end]
			line := p.line
			p.line += strings.Count(s, "\n")
			p.pos += end + 2
			return s, tokString, line, nil
		default:
			start := p.pos
			for p.pos < len(p.src) && !strings.ContainsRune(" \t\r\n{};\"", rune(p.src[p.pos])) {
				p.pos++
			}
			return p.src[start:p.pos], tokWord, p.line, nil
		}
	}
	return "", tokEOF, p.line, nil
}

func (p *aptParser) skipLine() {
	for p.pos < len(p.src) && p.src[p.pos] != '\n' {
		p.pos++
	}
}

// optional consumes c (after blanks on the same or later lines) if next.
func (p *aptParser) optional(c byte) bool {
	save, saveLine := p.pos, p.line
	_, kind, _, err := p.next()
	if err == nil && kind == tokSemi && c == ';' {
		return true
	}
	p.pos, p.line = save, saveLine
	return false
}

// AptConfFileOK is apt's rule for which files of apt.conf.d it reads:
// names of letters, digits, '_', '-' and '.', optionally ending in
// ".conf"; other names (backups "foo~", "foo.dpkg-old") are ignored.
func AptConfFileOK(name string) bool {
	if name == "" || strings.HasSuffix(name, ".dpkg-old") || strings.HasSuffix(name, ".dpkg-dist") || strings.HasSuffix(name, ".ucf-old") {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return !strings.Contains(name, ".") || strings.HasSuffix(name, ".conf")
}
