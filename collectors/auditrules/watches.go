package auditrules

import (
	"path"
	"strings"

	"github.com/elastic/go-libaudit/v2/rule"
)

// Watch is one thing a rule audits: accesses to a path (or, for a dir
// watch, a tree), the executions of a binary, or every execution.
type Watch struct {
	// Via is how: "watch" (-w PATH), "path" or "dir" (-F path=/-F dir=),
	// "exe" (-F exe=: what that binary does) or "exec_all" (an execve rule
	// with no path filter: every program run).
	Via  string `json:"via"`
	Path string `json:"path,omitempty"`
	// Perms is the access audited, a subset of "rwxa" in that order; ""
	// when the rule names syscalls this summary does not map.
	Perms string `json:"perms"`
	// Conditions are the rule's other filters (arch, auid, success...):
	// the events are audited only when they hold.
	Conditions []string `json:"conditions,omitempty"`
}

// Watches lists what r audits. Only "always" rules of the exit list
// audit file accesses; a "never" rule suppresses events and audits none.
func (r Rule) Watches() []Watch {
	switch p := r.parsed.(type) {
	case *rule.FileWatchRule:
		return []Watch{{Via: "watch", Path: cleanPath(p.Path), Perms: permString(p.Permissions)}}
	case *rule.SyscallRule:
		return syscallWatches(p)
	}
	return nil
}

func permString(ps []rule.AccessType) string {
	if len(ps) == 0 {
		return "rwxa"
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(accessLetter[p])
	}
	return canonicalPerms(b.String())
}

var accessLetter = map[rule.AccessType]string{rule.ReadAccessType: "r", rule.WriteAccessType: "w", rule.ExecuteAccessType: "x", rule.AttributeChangeAccessType: "a"}

// canonicalPerms orders the letters of a perm= value as "rwxa".
func canonicalPerms(s string) string {
	var b strings.Builder
	for _, c := range "rwxa" {
		if strings.ContainsRune(s, c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func syscallWatches(r *rule.SyscallRule) []Watch {
	if r.List != "exit" || r.Action != "always" {
		return nil
	}
	allSyscalls := len(r.Syscalls) == 0
	execs := false
	for _, s := range r.Syscalls {
		switch s {
		case "all":
			allSyscalls = true
		case "execve", "execveat":
			execs = true
		}
	}
	var targets []Watch
	var conditions []string
	perm, hasPerm := "", false
	for _, f := range r.Filters {
		if f.Type == rule.ValueFilterType && f.Comparator == "=" {
			switch f.LHS {
			case "path", "dir", "exe":
				targets = append(targets, Watch{Via: f.LHS, Path: cleanPath(f.RHS)})
				continue
			case "perm":
				perm, hasPerm = canonicalPerms(f.RHS), true
				continue
			case "key":
				continue
			}
		}
		conditions = append(conditions, filterText(f))
	}
	var perms string
	switch {
	case hasPerm:
		perms = perm
	case allSyscalls:
		perms = "rwxa"
	case execs:
		perms = "x"
	}
	if len(targets) == 0 {
		if allSyscalls || execs || strings.Contains(perm, "x") {
			return []Watch{{Via: "exec_all", Perms: "x", Conditions: conditions}}
		}
		return nil
	}
	for i := range targets {
		targets[i].Perms = perms
		if targets[i].Via == "exe" {
			// exe= selects the process, not the file: what is audited is
			// that binary being run.
			targets[i].Perms = ""
			if allSyscalls || execs || strings.Contains(perm, "x") {
				targets[i].Perms = "x"
			}
		}
		targets[i].Conditions = conditions
	}
	return targets
}

func filterText(f rule.FilterSpec) string {
	if f.Type == rule.InterFieldFilterType {
		return "-C " + f.LHS + f.Comparator + f.RHS
	}
	return "-F " + f.LHS + f.Comparator + f.RHS
}

// cleanPath is a watched path as the kernel matches it: "/etc/ssh/" and
// "/etc/ssh" are the same directory.
func cleanPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return p
	}
	return path.Clean(p)
}
