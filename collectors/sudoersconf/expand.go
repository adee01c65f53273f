package sudoersconf

import (
	"fmt"
	"sort"
	"strings"
)

// resolve checks the aliases and flattens the user specifications into
// grants.
func (p *Policy) resolve() error {
	for _, def := range p.aliases {
		a := Alias{Kind: def.kind, Name: def.name, File: def.file, Line: def.line, Members: []string{}}
		for _, m := range def.members {
			a.Members = append(a.Members, neg(m.negated)+m.name)
		}
		for _, c := range def.cmnds {
			a.Members = append(a.Members, c.display())
		}
		p.Aliases = append(p.Aliases, a)
		if err := p.checkCycle(def, nil); err != nil {
			// visudo -c reports a cycle but accepts the file; the alias
			// then matches only through its members outside the cycle.
			p.Warnings = append(p.Warnings, err.Error())
		}
	}
	p.sortAliases()
	x := &expander{p: p, warned: map[string]bool{}, active: map[string]bool{}}
	for i := range p.Defaults {
		x.expandDefaultTargets(&p.Defaults[i])
	}
	// Grants are large; sizing the slice once keeps a big policy from
	// spending its time copying it while it grows.
	n := 0
	for _, spec := range p.specs {
		n += x.count(spec)
	}
	p.Grants = make([]Grant, 0, n)
	for _, spec := range p.specs {
		x.grants(spec)
	}
	sort.Strings(p.Warnings)
	return nil
}

// checkCycle refuses an alias that contains itself, as sudo does.
func (p *Policy) checkCycle(def *aliasDef, stack []string) error {
	for _, s := range stack {
		if s == def.name {
			return &Error{File: def.file, Line: def.line, Msg: fmt.Sprintf("cycle in %s %q", def.kind, def.name)}
		}
	}
	stack = append(stack, def.name)
	refs := []string{}
	for _, m := range def.members {
		refs = append(refs, m.name)
	}
	for _, c := range def.cmnds {
		if c.alias {
			refs = append(refs, c.name)
		}
	}
	for _, r := range refs {
		if next := p.aliases[def.kind+":"+r]; next != nil && isAliasName(r) {
			if err := p.checkCycle(next, stack); err != nil {
				return err
			}
		}
	}
	return nil
}

type expander struct {
	p      *Policy
	warned map[string]bool
	active map[string]bool // aliases being expanded, to stop at a cycle
}

func (x *expander) undefined(kind, name, file string, line int) {
	w := fmt.Sprintf("%s:%d: %s %q referenced but not defined", file, line, kind, name)
	if !x.warned[w] {
		x.warned[w] = true
		x.p.Warnings = append(x.p.Warnings, w)
	}
}

// members flattens a list, replacing each alias by its members; a
// negated alias negates them. Under sudo's rule that the last matching
// member decides, the flat list matches exactly as the nested one.
func (x *expander) members(kind string, list []member, negate bool, file string) []member {
	var out []member
	for _, m := range list {
		n := m.negated != negate
		if isAliasName(m.name) {
			key := kind + ":" + m.name
			def := x.p.aliases[key]
			if def == nil {
				x.undefined(kind, m.name, file, m.line)
				continue
			}
			if x.active[key] {
				continue
			}
			x.active[key] = true
			out = append(out, x.members(kind, def.members, n, def.file)...)
			delete(x.active, key)
			continue
		}
		out = append(out, member{name: m.name, negated: n, line: m.line})
	}
	return out
}

func (x *expander) commands(c command, negate bool, file string) []command {
	n := c.negated != negate
	if !c.alias {
		c.negated = n
		return []command{c}
	}
	key := "Cmnd_Alias:" + c.name
	def := x.p.aliases[key]
	if def == nil {
		x.undefined("Cmnd_Alias", c.name, file, c.line)
		return nil
	}
	if x.active[key] {
		return nil
	}
	x.active[key] = true
	defer delete(x.active, key)
	var out []command
	for _, m := range def.cmnds {
		out = append(out, x.commands(m, n, def.file)...)
	}
	return out
}

// positives pairs each non-negated member with the names negated after it.
func positives(list []member) (names []string, except [][]string) {
	for i, m := range list {
		if m.negated {
			continue
		}
		var ex []string
		for _, later := range list[i+1:] {
			if later.negated {
				ex = append(ex, later.name)
			}
		}
		names = append(names, m.name)
		except = append(except, ex)
	}
	return names, except
}

func (x *expander) expandDefaultTargets(d *Default) {
	if d.Binding == "command" {
		var out []string
		for _, t := range d.Targets {
			name := strings.TrimPrefix(t, "!")
			if !isAliasName(name) {
				out = append(out, t)
				continue
			}
			for _, c := range x.commands(command{name: name, alias: true, negated: name != t, line: d.Line}, false, d.File) {
				out = append(out, c.display())
			}
		}
		d.Targets = out
		return
	}
	kind := map[string]string{"user": "User_Alias", "host": "Host_Alias", "runas": "Runas_Alias"}[d.Binding]
	if kind == "" {
		return
	}
	var list []member
	for _, t := range d.Targets {
		list = append(list, member{name: strings.TrimPrefix(t, "!"), negated: strings.HasPrefix(t, "!"), line: d.Line})
	}
	d.Targets = []string{}
	for _, m := range x.members(kind, list, false, d.File) {
		d.Targets = append(d.Targets, neg(m.negated)+m.name)
	}
}

// count is the number of grants spec makes.
func (x *expander) count(spec userSpec) int {
	users, _ := positives(x.members("User_Alias", spec.users, false, spec.file))
	n := 0
	for _, priv := range spec.privs {
		hosts, _ := positives(x.members("Host_Alias", priv.hosts, false, spec.file))
		for _, cs := range priv.cmnds {
			n += len(users) * len(hosts) * len(x.commands(cs.cmnd, false, spec.file))
		}
	}
	return n
}

func (x *expander) grants(spec userSpec) {
	users, userExcept := positives(x.members("User_Alias", spec.users, false, spec.file))
	for _, priv := range spec.privs {
		hosts, hostExcept := positives(x.members("Host_Alias", priv.hosts, false, spec.file))
		for _, cs := range priv.cmnds {
			runasUsers, runasGroups := []string{}, []string{}
			if cs.runas != nil {
				for _, m := range x.members("Runas_Alias", cs.runas.users, false, spec.file) {
					runasUsers = append(runasUsers, neg(m.negated)+m.name)
				}
				for _, m := range x.members("Runas_Alias", cs.runas.groups, false, spec.file) {
					runasGroups = append(runasGroups, neg(m.negated)+m.name)
				}
			}
			tags := []string{}
			for _, t := range cs.tags {
				tags = append(tags, t)
			}
			sort.Strings(tags)
			var opts map[string]string
			if len(cs.options) > 0 {
				opts = cs.options
			}
			for _, c := range x.commands(cs.cmnd, false, spec.file) {
				for ui, u := range users {
					for hi, h := range hosts {
						g := Grant{
							Principal: u, PrincipalType: principalType(u), PrincipalExcept: userExcept[ui],
							Host: h, HostExcept: hostExcept[hi],
							RunAsUsers: runasUsers, RunAsGroups: runasGroups, RunAsDefault: cs.runas == nil,
							Command: c.display(), Path: c.name, Args: c.args, HasArgs: c.hasArgs,
							Digest: digestType(c.digest), Negated: c.negated,
							Tags: tags, Options: opts, File: spec.file, Line: cs.line,
						}
						if g.RunAsDefault {
							g.RunAsUsers = []string{x.p.runasDefault()}
						}
						g.RunAs = runAsDisplay(g)
						g.NoPasswd, g.NoPasswdBy = x.p.noPasswd(g, cs.tags)
						x.p.Grants = append(x.p.Grants, g)
					}
				}
			}
		}
	}
}

func digestType(d string) string {
	t, _, _ := strings.Cut(d, ":")
	return t
}

func principalType(p string) string {
	switch {
	case p == "ALL":
		return "all"
	case strings.HasPrefix(p, "%:"):
		return "nonunix_group"
	case strings.HasPrefix(p, "%#"):
		return "gid"
	case strings.HasPrefix(p, "%"):
		return "group"
	case strings.HasPrefix(p, "#"):
		return "uid"
	case strings.HasPrefix(p, "+"):
		return "netgroup"
	}
	return "user"
}

// runAsDisplay is the runas part as sudo -l prints it.
func runAsDisplay(g Grant) string {
	s := "(" + strings.Join(g.RunAsUsers, ", ")
	if len(g.RunAsGroups) > 0 {
		s += " : " + strings.Join(g.RunAsGroups, ", ")
	}
	return s + ")"
}

// runasDefault is the user a command without a runas list runs as.
func (p *Policy) runasDefault() string {
	user := "root"
	for _, d := range p.Defaults {
		if d.Binding == "" && d.Name == "runas_default" && d.Value != "" {
			user = d.Value
		}
	}
	return user
}

// bindingOrder is the order sudo applies Defaults in: later kinds
// override earlier ones.
var bindingOrder = []string{"", "host", "user", "runas", "command"}

// noPasswd decides whether sudo asks a password for g: an explicit
// NOPASSWD or PASSWD tag decides; otherwise the authenticate flag as the
// Defaults that apply to g leave it.
func (p *Policy) noPasswd(g Grant, tags map[int]string) (bool, string) {
	if t, ok := tags[0]; ok {
		if t == "NOPASSWD" {
			return true, "tag"
		}
		return false, ""
	}
	if p.authDefaults == nil {
		p.authDefaults = []Default{}
		for _, kind := range bindingOrder {
			for _, d := range p.Defaults {
				if d.Binding == kind && d.Name == "authenticate" {
					p.authDefaults = append(p.authDefaults, d)
				}
			}
		}
	}
	auth, by := true, ""
	{
		for _, d := range p.authDefaults {
			if !defaultApplies(d, g) {
				continue
			}
			auth = !d.Negated
			by = fmt.Sprintf("Defaults %s (%s:%d)", map[bool]string{true: "!authenticate", false: "authenticate"}[d.Negated], d.File, d.Line)
		}
	}
	if auth {
		return false, ""
	}
	return true, by
}

// defaultApplies reports whether a bound Defaults entry names g's
// principal, host, runas user or command (literally, or ALL).
func defaultApplies(d Default, g Grant) bool {
	var subject []string
	switch d.Binding {
	case "":
		return true
	case "user":
		subject = []string{g.Principal}
	case "host":
		subject = []string{g.Host}
	case "runas":
		subject = g.RunAsUsers
	case "command":
		subject = []string{g.Command, g.Path}
	}
	matched := false
	for _, t := range d.Targets {
		name := strings.TrimPrefix(t, "!")
		if name == "ALL" || contains(subject, name) {
			matched = !strings.HasPrefix(t, "!")
		}
	}
	return matched
}
