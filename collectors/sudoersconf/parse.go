package sudoersconf

import (
	"fmt"
	"strings"
)

// member is one item of a user, host or runas list, or of an alias.
type member struct {
	name    string
	negated bool
	line    int // for warnings about undefined aliases
}

// aliasDef is an alias as defined, before expansion.
type aliasDef struct {
	kind    string
	name    string
	members []member
	cmnds   []command // Cmnd_Alias members
	file    string
	line    int
}

// runAs is a runas specification "(users : groups)".
type runAs struct {
	users, groups []member
}

// command is a Cmnd list member.
type command struct {
	negated bool
	name    string // ALL, alias name, sudoedit, list, or a path / ^regex$
	args    string
	hasArgs bool
	digest  string // "sha256:..." (the first when several are given)
	alias   bool
	line    int
}

// cmndSpec is one command of a privilege with what it inherited.
type cmndSpec struct {
	runas   *runAs // nil: no runas list, runas_default applies
	tags    map[int]string
	options map[string]string
	cmnd    command
	line    int
}

type privilege struct {
	hosts []member
	cmnds []cmndSpec
}

type userSpec struct {
	users []member
	privs []privilege
	file  string
	line  int
}

// tagPairs are the command tags, each with its opposite: the later one
// written along a command list replaces the earlier.
var tagPairs = [][2]string{
	{"NOPASSWD", "PASSWD"}, {"NOEXEC", "EXEC"}, {"SETENV", "NOSETENV"},
	{"LOG_INPUT", "NOLOG_INPUT"}, {"LOG_OUTPUT", "NOLOG_OUTPUT"}, {"MAIL", "NOMAIL"},
	{"FOLLOW", "NOFOLLOW"}, {"INTERCEPT", "NOINTERCEPT"},
}

// tagPair returns the pair index of a tag word, or -1.
func tagPair(word string) int {
	for i, p := range tagPairs {
		if word == p[0] || word == p[1] {
			return i
		}
	}
	return -1
}

// commandOptions are the Option_Spec names sudo 1.9.13 (built for Linux
// with SELinux) accepts before the tags of a command.
var commandOptions = map[string]bool{
	"ROLE": true, "TYPE": true, "CWD": true, "CHROOT": true,
	"NOTBEFORE": true, "NOTAFTER": true, "TIMEOUT": true,
}

var aliasKinds = map[string]string{
	"User_Alias": "User_Alias", "Runas_Alias": "Runas_Alias", "Host_Alias": "Host_Alias",
	"Cmnd_Alias": "Cmnd_Alias", "Cmd_Alias": "Cmnd_Alias",
}

// include is an include directive found while parsing.
type include struct {
	path string
	dir  bool
	line int
}

// parseLine parses one logical line into p; an include directive is
// returned for the loader to follow.
func (p *Policy) parseLine(file string, ll *logicalLine) (*include, error) {
	sc := &scanner{file: file, ll: ll, s: ll.text}
	if continued(ll.text) {
		// a continuation on the last line: sudo sees the end of file
		// inside the line
		return nil, sc.errAt(len(ll.text), "syntax error")
	}
	if sc.eol() {
		return nil, nil
	}
	start := sc.i
	rest := sc.s[start:]
	for _, kw := range []string{"#includedir", "@includedir", "#include", "@include"} {
		if strings.HasPrefix(rest, kw) && (len(rest) == len(kw) || isBlank(rest[len(kw)])) {
			sc.i += len(kw)
			return sc.includeDirective(strings.HasSuffix(kw, "dir"))
		}
	}
	head := leadingIdent(rest)
	switch {
	case head == "Defaults":
		sc.i += len(head)
		return nil, p.parseDefaults(sc)
	case aliasKinds[head] != "":
		sc.i += len(head)
		return nil, p.parseAliases(sc, aliasKinds[head])
	}
	return nil, p.parseUserSpec(sc)
}

func leadingIdent(s string) string {
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z') {
		n++
	}
	return s[:n]
}

// includeDirective reads the path of an include: one word, possibly
// double-quoted, with backslash escapes, and nothing after it.
func (sc *scanner) includeDirective(dir bool) (*include, error) {
	if !sc.eol() && !isBlank(sc.s[sc.i-1]) {
		return nil, sc.syntax()
	}
	line, _ := sc.ll.pos(sc.i)
	var path string
	if sc.peek() == '"' {
		var err error
		if path, err = sc.quoted(); err != nil {
			return nil, err
		}
	} else {
		var b strings.Builder
		for sc.i < len(sc.s) && !isBlank(sc.s[sc.i]) {
			if sc.s[sc.i] == '\\' && sc.i+1 < len(sc.s) {
				sc.i++
			}
			b.WriteByte(sc.s[sc.i])
			sc.i++
		}
		path = b.String()
	}
	if path == "" || !sc.eol() {
		return nil, sc.syntax()
	}
	return &include{path: path, dir: dir, line: line}, nil
}

// memberList reads "[!]name, [!]name ..." and stops before anything
// else. A list may not be empty unless allowEmpty.
func (sc *scanner) memberList(allowEmpty bool) ([]member, error) {
	var out []member
	for {
		sc.skipBlanks()
		off := sc.i
		neg := false
		for sc.peek() == '!' {
			neg = !neg
			sc.i++
			sc.skipBlanks()
		}
		name, err := sc.word()
		if err != nil {
			return nil, err
		}
		if name == "" {
			if allowEmpty && len(out) == 0 && sc.i == off {
				return nil, nil
			}
			return nil, sc.syntax()
		}
		line, _ := sc.ll.pos(off)
		out = append(out, member{name: name, negated: neg, line: line})
		if !sc.accept(',') {
			return out, nil
		}
	}
}

// parseDefaults reads "Defaults[@:!>list] param[, param...]".
func (p *Policy) parseDefaults(sc *scanner) error {
	binding := ""
	var targets []member
	var targetCmnds []command
	if c := sc.peek(); c != 0 && strings.IndexByte("@:!>", c) >= 0 {
		sc.i++
		binding = map[byte]string{'@': "host", ':': "user", '!': "command", '>': "runas"}[c]
		var err error
		if binding == "command" {
			targetCmnds, err = sc.commandList(false)
		} else {
			targets, err = sc.memberList(false)
		}
		if err != nil {
			return err
		}
	} else if !sc.eol() && !isBlank(sc.s[sc.i-1]) {
		return sc.syntax()
	}
	line, _ := sc.ll.pos(sc.i)
	var names []string
	for _, m := range targets {
		names = append(names, neg(m.negated)+m.name)
	}
	for _, c := range targetCmnds {
		names = append(names, c.display())
	}
	for {
		sc.skipBlanks()
		d := Default{Binding: binding, File: sc.file, Line: line, Targets: names}
		for sc.peek() == '!' {
			d.Negated = !d.Negated
			sc.i++
			sc.skipBlanks()
		}
		nameOff := sc.i
		for sc.i < len(sc.s) && (sc.s[sc.i] == '_' || sc.s[sc.i] >= 'a' && sc.s[sc.i] <= 'z' || isDigit(sc.s[sc.i]) || sc.s[sc.i] >= 'A' && sc.s[sc.i] <= 'Z') {
			sc.i++
		}
		d.Name = sc.s[nameOff:sc.i]
		if d.Name == "" {
			return sc.syntax()
		}
		sc.skipBlanks()
		hasValue := false
		for _, op := range []string{"+=", "-=", "="} {
			if strings.HasPrefix(sc.s[sc.i:], op) {
				d.Operator = op
				sc.i += len(op)
				hasValue = true
				break
			}
		}
		if hasValue {
			v, err := sc.defaultValue()
			if err != nil {
				return err
			}
			d.Value = v
		}
		if msg := checkDefault(d.Name, d.Operator, d.Value, d.Negated, hasValue); msg != "" {
			return sc.errAt(nameOff, msg)
		}
		p.Defaults = append(p.Defaults, d)
		if sc.eol() {
			return nil
		}
		if !sc.accept(',') {
			return sc.syntax()
		}
	}
}

// defaultValue reads a Defaults value: a quoted string or a run up to a
// blank or comma. An empty value is a syntax error, as in sudo.
func (sc *scanner) defaultValue() (string, error) {
	sc.skipBlanks()
	if sc.peek() == '"' {
		return sc.quoted()
	}
	var b strings.Builder
	for sc.i < len(sc.s) && !isBlank(sc.s[sc.i]) && sc.s[sc.i] != ',' {
		if sc.s[sc.i] == '\\' && sc.i+1 < len(sc.s) {
			sc.i++
		}
		b.WriteByte(sc.s[sc.i])
		sc.i++
	}
	if b.Len() == 0 {
		return "", sc.syntax()
	}
	return b.String(), nil
}

// parseAliases reads "Kind NAME = members [: NAME = members ...]".
func (p *Policy) parseAliases(sc *scanner, kind string) error {
	if sc.eol() || !isBlank(sc.s[sc.i-1]) {
		return sc.syntax()
	}
	for {
		sc.skipBlanks()
		nameOff := sc.i
		name := leadingAliasWord(sc.s[sc.i:])
		if !isAliasName(name) {
			return sc.syntax()
		}
		sc.i += len(name)
		if !sc.accept('=') {
			return sc.syntax()
		}
		line, _ := sc.ll.pos(nameOff)
		def := &aliasDef{kind: kind, name: name, file: sc.file, line: line}
		var err error
		if kind == "Cmnd_Alias" {
			def.cmnds, err = sc.commandList(true)
		} else {
			def.members, err = sc.memberList(false)
		}
		if err != nil {
			return err
		}
		key := kind + ":" + name
		if _, dup := p.aliases[key]; dup {
			return sc.errAt(sc.i, fmt.Sprintf("Alias %q already defined", name))
		}
		p.aliases[key] = def
		if sc.eol() {
			return nil
		}
		if !sc.accept(':') {
			return sc.syntax()
		}
	}
}

func leadingAliasWord(s string) string {
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= 'a' && s[n] <= 'z' || isDigit(s[n])) {
		n++
	}
	return s[:n]
}

// parseUserSpec reads "users hosts = cmndspecs [: hosts = cmndspecs ...]".
func (p *Policy) parseUserSpec(sc *scanner) error {
	line, _ := sc.ll.pos(sc.i)
	users, err := sc.memberList(false)
	if err != nil {
		return err
	}
	spec := userSpec{users: users, file: sc.file, line: line}
	for {
		hosts, err := sc.memberList(false)
		if err != nil {
			return err
		}
		if !sc.accept('=') {
			return sc.syntax()
		}
		priv := privilege{hosts: hosts}
		if priv.cmnds, err = sc.cmndSpecs(); err != nil {
			return err
		}
		spec.privs = append(spec.privs, priv)
		if sc.eol() {
			p.specs = append(p.specs, spec)
			return nil
		}
		if !sc.accept(':') {
			return sc.syntax()
		}
	}
}

func neg(b bool) string {
	if b {
		return "!"
	}
	return ""
}
