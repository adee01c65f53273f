package sudoersconf

import (
	"strings"
)

// digestNames are the digest types a command may be pinned with.
var digestNames = []string{"sha224", "sha256", "sha384", "sha512"}

// cmndSpecs reads a privilege's comma-separated command list; each
// command inherits the runas list, options and tags of the one before it
// unless it sets its own.
func (sc *scanner) cmndSpecs() ([]cmndSpec, error) {
	var out []cmndSpec
	var prev *cmndSpec
	for {
		cs := cmndSpec{tags: map[int]string{}, options: map[string]string{}}
		sc.skipBlanks()
		cs.line, _ = sc.ll.pos(sc.i)
		ownRunas := false
		if sc.peek() == '(' {
			sc.i++
			ra, err := sc.runAsSpec()
			if err != nil {
				return nil, err
			}
			cs.runas, ownRunas = ra, true
		}
		ownOpts, err := sc.optionsAndTags(&cs)
		if err != nil {
			return nil, err
		}
		if prev != nil {
			if !ownRunas {
				cs.runas = prev.runas
			}
			for k, v := range prev.options {
				if _, set := cs.options[k]; !set && !ownOpts[optionGroup[k]] {
					cs.options[k] = v
				}
			}
			for k, v := range prev.tags {
				if _, set := cs.tags[k]; !set {
					cs.tags[k] = v
				}
			}
		}
		if cs.cmnd, err = sc.command(false); err != nil {
			return nil, err
		}
		out = append(out, cs)
		prev = &out[len(out)-1]
		if !sc.accept(',') {
			return out, nil
		}
	}
}

// optionGroup: sudo inherits ROLE and TYPE together, and NOTBEFORE and
// NOTAFTER together; the others one by one.
var optionGroup = map[string]string{
	"role": "selinux", "type": "selinux", "notbefore": "date", "notafter": "date",
	"cwd": "cwd", "chroot": "chroot", "timeout": "timeout",
}

// runAsSpec reads the inside of "( users [: groups] )".
func (sc *scanner) runAsSpec() (*runAs, error) {
	ra := &runAs{}
	var err error
	if ra.users, err = sc.memberList(true); err != nil {
		return nil, err
	}
	if sc.accept(':') {
		if ra.groups, err = sc.memberList(true); err != nil {
			return nil, err
		}
	}
	if !sc.accept(')') {
		return nil, sc.syntax()
	}
	return ra, nil
}

// optionsAndTags reads "NAME=value" options, then "TAG:" tags. It
// returns the option groups the command sets itself.
func (sc *scanner) optionsAndTags(cs *cmndSpec) (map[string]bool, error) {
	own := map[string]bool{}
	seenTag := false
	for {
		sc.skipBlanks()
		word := leadingAliasWord(sc.s[sc.i:])
		if word == "" {
			return own, nil
		}
		after := sc.i + len(word)
		if after < len(sc.s) && sc.s[after] == '=' && commandOptions[word] {
			if seenTag {
				return nil, sc.syntax()
			}
			sc.i = after + 1
			val, err := sc.word()
			if err != nil {
				return nil, err
			}
			if val == "" {
				return nil, sc.syntax()
			}
			key := strings.ToLower(word)
			cs.options[key] = val
			own[optionGroup[key]] = true
			continue
		}
		j := after
		for j < len(sc.s) && isBlank(sc.s[j]) {
			j++
		}
		if j < len(sc.s) && sc.s[j] == ':' {
			if pair := tagPair(word); pair >= 0 {
				cs.tags[pair] = word
				seenTag = true
				sc.i = j + 1
				continue
			}
		}
		return own, nil
	}
}

// commandList reads a comma-separated list of commands (Cmnd_Alias
// members, Defaults! bindings).
func (sc *scanner) commandList(allowArgs bool) ([]command, error) {
	var out []command
	for {
		c, err := sc.command(!allowArgs)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if !sc.accept(',') {
			return out, nil
		}
	}
}

// command reads "[!...] (ALL | ALIAS | [digest] path [args] | sudoedit
// args | list)". noArgs is for Defaults! bindings, where a blank ends the
// command.
func (sc *scanner) command(noArgs bool) (command, error) {
	sc.skipBlanks()
	c := command{}
	c.line, _ = sc.ll.pos(sc.i)
	for sc.peek() == '!' {
		c.negated = !c.negated
		sc.i++
		sc.skipBlanks()
	}
	word := leadingAliasWord(sc.s[sc.i:])
	after := sc.i + len(word)
	endsWord := after >= len(sc.s) || strings.IndexByte(" \t,:", sc.s[after]) >= 0
	switch {
	case word == "ALL" && endsWord:
		c.name, sc.i = "ALL", after
		return c, nil
	case isAliasName(word) && endsWord:
		c.name, c.alias, sc.i = word, true, after
		return c, nil
	case word == "list" && endsWord:
		c.name, sc.i = "list", after
		return c, nil
	}
	for {
		d := leadingAliasWord(sc.s[sc.i:])
		if !contains(digestNames, d) || !strings.HasPrefix(sc.s[sc.i+len(d):], ":") {
			break
		}
		start := sc.i
		sc.i += len(d) + 1
		for sc.i < len(sc.s) && isDigestChar(sc.s[sc.i]) {
			sc.i++
		}
		if sc.i == start+len(d)+1 {
			return c, sc.syntax()
		}
		if c.digest == "" {
			c.digest = sc.s[start:sc.i]
		}
		sc.skipBlanks()
		if sc.peek() == ',' {
			sc.i++
			sc.skipBlanks()
		}
	}
	word = leadingAliasWord(sc.s[sc.i:])
	after = sc.i + len(word)
	if word == "sudoedit" && (after >= len(sc.s) || isBlank(sc.s[after])) && c.digest == "" {
		sc.i = after
		c.name = "sudoedit"
	} else {
		if p := sc.peek(); p != '/' && p != '^' {
			return c, sc.errAt(sc.i, "expected a fully-qualified path name")
		}
		c.name = sc.argToken()
	}
	if noArgs {
		return c, nil
	}
	var args []string
	for {
		sc.skipBlanks()
		if sc.i >= len(sc.s) || sc.s[sc.i] == ',' || sc.s[sc.i] == ':' {
			break
		}
		args = append(args, sc.argToken())
	}
	c.args, c.hasArgs = strings.Join(args, " "), len(args) > 0
	return c, nil
}

// argToken reads a path or argument up to a blank, or an unescaped comma
// or colon; escapes are kept as written (sudo matches and prints them so).
func (sc *scanner) argToken() string {
	start := sc.i
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		if c == '\\' && sc.i+1 < len(sc.s) {
			sc.i += 2
			continue
		}
		if isBlank(c) || c == ',' || c == ':' {
			break
		}
		if c == '#' {
			// sudo's lexer ends a command at '#' even inside a word:
			// the rest of the line is a comment
			sc.s = sc.s[:sc.i]
			break
		}
		sc.i++
	}
	return sc.s[start:sc.i]
}

func isDigestChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || isDigit(c) || c == '+' || c == '/' || c == '='
}

// display is the command as sudo -l prints it.
func (c command) display() string {
	var b strings.Builder
	b.WriteString(neg(c.negated))
	if c.digest != "" {
		b.WriteString(c.digest)
		b.WriteByte(' ')
	}
	b.WriteString(c.name)
	if c.hasArgs {
		b.WriteByte(' ')
		b.WriteString(c.args)
	}
	return b.String()
}
