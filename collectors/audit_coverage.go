package collectors

import (
	"io/fs"
	"path"
	"strings"

	"github.com/ztscan/ztscan/collectors/auditrules"
	"github.com/ztscan/ztscan/collectors/hostfs"
)

// AuditCoverage says, for each configured path, which rules of one side
// (persisted or kernel) audit it and how.
type AuditCoverage struct {
	Part
	Source string                 `json:"source"`
	Paths  map[string]WatchedPath `json:"paths"`
	// ExecAll are the rules that audit every execve (with their
	// conditions): they cover the execution of any binary.
	ExecAll []CoverRef `json:"exec_all"`
}

// WatchedPath is one configured path and the rules that cover it.
type WatchedPath struct {
	Exists bool `json:"exists"`
	// Resolved is where the path's symlinks lead on the target (nc ->
	// /etc/alternatives/nc -> /usr/bin/nc.openbsd): an execution runs the
	// final file, so rules on it count too.
	Resolved string `json:"resolved,omitempty"`
	// Perms is the union of what the covering rules audit ("rwxa" order).
	Perms string `json:"perms"`
	// ExecAudited: running this path is audited, by a rule on it or by an
	// execve rule for every program.
	ExecAudited bool       `json:"exec_audited"`
	Rules       []CoverRef `json:"rules"`
}

// CoverRef is one rule covering a path.
type CoverRef struct {
	Rule string `json:"rule"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Via is how (see auditrules.Watch); Watched is the path the rule
	// names (a parent directory for a tree watch).
	Via        string   `json:"via"`
	Watched    string   `json:"watched,omitempty"`
	Perms      string   `json:"perms"`
	Conditions []string `json:"conditions,omitempty"`
}

// coverage matches rules against paths. A "-w DIR" (or -F dir=) covers
// the tree below DIR; "-F path=" covers that inode only; "-F exe=" covers
// the runs of that binary.
func coverage(h hostfs.Host, source string, rules []auditrules.Rule, paths []string) AuditCoverage {
	c := AuditCoverage{Part: PartOK(), Source: source, Paths: map[string]WatchedPath{}, ExecAll: []CoverRef{}}
	isDir := map[string]bool{}
	dir := func(p string) bool {
		v, ok := isDir[p]
		if !ok {
			fi, err := h.Stat(p)
			v = err == nil && fi.IsDir()
			isDir[p] = v
		}
		return v
	}
	type watch struct {
		auditrules.Watch
		rule auditrules.Rule
	}
	var watches []watch
	for _, r := range rules {
		for _, w := range r.Watches() {
			if w.Via == "exec_all" {
				c.ExecAll = append(c.ExecAll, CoverRef{Rule: r.Text, File: r.File, Line: r.Line, Via: w.Via, Perms: w.Perms, Conditions: w.Conditions})
				continue
			}
			watches = append(watches, watch{w, r})
		}
	}
	for _, p := range paths {
		wp := WatchedPath{Rules: []CoverRef{}}
		_, err := h.Lstat(p)
		wp.Exists = err == nil
		names := []string{p}
		if resolved, ok := resolveInTarget(h, p); ok && resolved != p {
			wp.Resolved = resolved
			names = append(names, resolved)
		}
		perms := ""
		for _, w := range watches {
			hit := false
			for _, n := range names {
				switch {
				case w.Path == n:
					hit = true
				case (w.Via == "dir" || w.Via == "watch" && dir(w.Path)) && strings.HasPrefix(n, strings.TrimSuffix(w.Path, "/")+"/"):
					hit = true
				}
			}
			if !hit {
				continue
			}
			wp.Rules = append(wp.Rules, CoverRef{Rule: w.rule.Text, File: w.rule.File, Line: w.rule.Line, Via: w.Via, Watched: w.Path, Perms: w.Perms, Conditions: w.Conditions})
			perms += w.Perms
		}
		wp.Perms = canonicalAuditPerms(perms)
		wp.ExecAudited = strings.Contains(wp.Perms, "x") || len(c.ExecAll) > 0
		c.Paths[p] = wp
	}
	return c
}

func canonicalAuditPerms(s string) string {
	var b strings.Builder
	for _, c := range "rwxa" {
		if strings.ContainsRune(s, c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// resolveInTarget follows p's symlinks (every component) inside the
// target; ok is false when p does not exist or a link is unreadable.
func resolveInTarget(h hostfs.Host, p string) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(path.Clean(p), "/"), "/")
	cur := "/"
	for hops := 0; len(parts) > 0; {
		next := path.Join(cur, parts[0])
		parts = parts[1:]
		fi, err := h.Lstat(next)
		if err != nil {
			return "", false
		}
		if fi.Mode&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > hostfs.MaxSymlinks {
			return "", false
		}
		target, err := h.Readlink(next)
		if err != nil {
			return "", false
		}
		if !strings.HasPrefix(target, "/") {
			target = path.Join(cur, target)
		}
		rest := strings.Split(strings.TrimPrefix(path.Clean(target), "/"), "/")
		cur = "/"
		parts = append(rest, parts...)
	}
	return cur, true
}
