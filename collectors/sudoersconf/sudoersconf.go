// Package sudoersconf reads a target's sudoers policy as sudo 1.9 does:
// /etc/sudoers and the files it includes (#include, @include,
// #includedir, @includedir), aliases, Defaults and user specifications
// with runas lists, options and tags inherited along a command list. The
// result is one normalised Grant per (principal, host, runas, command,
// tags), each with the file and line that made it. A file sudo would
// reject is an *Error naming the file, line and column, worded as
// visudo -c words it.
package sudoersconf

import (
	"fmt"
	"sort"
)

// Path is where sudo reads its policy.
const Path = "/etc/sudoers"

// Error is a policy sudo refuses: visudo -c prints "file:line:col: msg".
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Col == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Policy is the parsed sudoers tree.
type Policy struct {
	// Files are the files read, in the order sudo reads them.
	Files []string `json:"files"`
	// Defaults are the Defaults settings in file order.
	Defaults []Default `json:"defaults"`
	// Aliases are the alias definitions, sorted by kind and name.
	Aliases []Alias `json:"aliases"`
	// Grants are the flattened user specifications, in file order.
	Grants []Grant `json:"grants"`
	// Warnings are what visudo -c warns about without refusing the file
	// (an alias referenced but not defined matches nothing).
	Warnings []string `json:"warnings"`

	aliases map[string]*aliasDef // kind+":"+name
	specs   []userSpec
	// authDefaults are the authenticate settings in the order sudo
	// applies them (global, host, user, runas, command).
	authDefaults []Default
}

// Default is one Defaults setting.
type Default struct {
	// Binding is "" (global), "user" (Defaults:), "host" (Defaults@),
	// "runas" (Defaults>) or "command" (Defaults!).
	Binding string `json:"binding,omitempty"`
	// Targets are the members the binding names, aliases expanded.
	Targets []string `json:"targets,omitempty"`
	Name    string   `json:"name"`
	Negated bool     `json:"negated,omitempty"`
	// Operator is "=", "+=" or "-=" when a value is given.
	Operator string `json:"operator,omitempty"`
	Value    string `json:"value,omitempty"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// Alias is one alias definition with its members as written.
type Alias struct {
	Kind    string   `json:"kind"` // User_Alias, Runas_Alias, Host_Alias, Cmnd_Alias
	Name    string   `json:"name"`
	Members []string `json:"members"`
	File    string   `json:"file"`
	Line    int      `json:"line"`
}

// Grant is one normalised privilege: Principal may run Command as RunAs
// on Host with Tags.
type Grant struct {
	// Principal is a user list member as written: "alice", "%wheel",
	// "%#10", "#0", "+netgroup", "%:nonunix" or "ALL".
	Principal     string `json:"principal"`
	PrincipalType string `json:"principal_type"` // user, uid, group, gid, nonunix_group, netgroup, all
	// PrincipalExcept are members negated after Principal in the same
	// list ("ALL, !bob"): the grant does not apply to them.
	PrincipalExcept []string `json:"principal_except,omitempty"`
	Host            string   `json:"host"`
	HostExcept      []string `json:"host_except,omitempty"`
	// RunAsUsers and RunAsGroups are the runas lists in effect, aliases
	// expanded, a negated member prefixed with '!'. RunAsDefault is true
	// when the command has no runas list: sudo runs it as runas_default
	// (root unless Defaults runas_default says otherwise).
	RunAsUsers   []string `json:"runas_users"`
	RunAsGroups  []string `json:"runas_groups"`
	RunAsDefault bool     `json:"runas_default,omitempty"`
	// RunAs is the runas part as sudo -l prints it: "(ALL : ALL)".
	RunAs string `json:"runas"`
	// Command is the command as sudo -l prints it (digest, path and
	// arguments as written); Path is "ALL", "sudoedit", "list" or the
	// command path (or ^regex$); Args are the arguments as written (escapes
	// kept), HasArgs tells `/bin/ls` (any arguments) from `/bin/ls ""`
	// (none).
	Command string `json:"command"`
	Path    string `json:"path"`
	Args    string `json:"args,omitempty"`
	HasArgs bool   `json:"has_args,omitempty"`
	Digest  string `json:"digest,omitempty"`
	// Negated is a "!command": the grant takes it away.
	Negated bool `json:"negated,omitempty"`
	// Tags are the tags in effect (inherited along the command list),
	// sorted: "NOPASSWD", "PASSWD", "NOEXEC", "SETENV", ...
	Tags []string `json:"tags"`
	// Options are ROLE, TYPE, CWD, CHROOT, NOTBEFORE, NOTAFTER, TIMEOUT
	// in effect, by lowercase name.
	Options map[string]string `json:"options,omitempty"`
	// NoPasswd says sudo runs this command without asking a password:
	// a NOPASSWD tag, or Defaults !authenticate applying to the grant
	// (NoPasswdBy says which).
	NoPasswd   bool   `json:"nopasswd"`
	NoPasswdBy string `json:"nopasswd_by,omitempty"`
	File       string `json:"file"`
	Line       int    `json:"line"`
}

// HasTag reports whether tag is in effect on g.
func (g Grant) HasTag(tag string) bool { return contains(g.Tags, tag) }

// sortAliases orders the alias list for output.
func (p *Policy) sortAliases() {
	sort.Slice(p.Aliases, func(i, j int) bool {
		if p.Aliases[i].Kind != p.Aliases[j].Kind {
			return p.Aliases[i].Kind < p.Aliases[j].Kind
		}
		return p.Aliases[i].Name < p.Aliases[j].Name
	})
}
