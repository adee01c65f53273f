package auditrules

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Where the audit userspace keeps its persisted rules.
const (
	RulesDir  = "/etc/audit/rules.d"
	RulesFile = "/etc/audit/audit.rules"
)

// MaxRulesBytes bounds the persisted rules read in all: a real rule set is
// a few KiB, a bigger one is garbage or an attack.
const MaxRulesBytes = 4 << 20

// Persisted is the rule set the target loads at boot.
type Persisted struct {
	// Source: "augenrules" (rules.d exists: auditd.service runs
	// augenrules --load, which rebuilds audit.rules from it),
	// "audit.rules" (no rules.d) or "none" (neither exists).
	Source string `json:"source"`
	// Awk is the awk augenrules runs with ("gawk" or "mawk"): it decides
	// whether indented -e/-D/-b/-f lines are moved.
	Awk   string   `json:"awk,omitempty"`
	Files []string `json:"files"`
	// Lines are the rule lines in load order, each with its origin.
	Lines []Line   `json:"-"`
	Set   *RuleSet `json:"-"`
}

// Load reads and parses the target's persisted rules. Errors name the
// file (and line, for a rule auditctl would refuse).
func Load(h hostfs.Host, opts Options) (*Persisted, error) {
	p := &Persisted{Files: []string{}}
	fi, err := h.Stat(RulesDir)
	switch {
	case err == nil && fi.IsDir():
		p.Source = "augenrules"
		flavor := awkFlavor(h)
		p.Awk = map[AwkFlavor]string{Gawk: "gawk", Mawk: "mawk"}[flavor]
		srcs, err := readRulesDir(h)
		if err != nil {
			return nil, err
		}
		for _, s := range srcs {
			p.Files = append(p.Files, s.File)
		}
		p.Lines = Augenrules(srcs, flavor)
	case err == nil:
		return nil, fmt.Errorf("%s: not a directory (%s)", RulesDir, hostfs.FileType(fi.Mode))
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	default:
		data, err := h.ReadFileLimit(RulesFile, MaxRulesBytes)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			p.Source = "none"
			p.Set = &RuleSet{Rules: []Rule{}}
			return p, nil
		case err != nil:
			return nil, err
		}
		p.Source = "audit.rules"
		p.Files = append(p.Files, RulesFile)
		p.Lines = SplitLines(RulesFile, data)
	}
	set, err := Parse(p.Lines, opts)
	if err != nil {
		return nil, err
	}
	p.Set = set
	return p, nil
}

// readRulesDir reads rules.d's *.rules files in `ls -1v` order. A
// directory named *.rules is skipped (cat complains and augenrules goes
// on); a FIFO or device is an error, where augenrules' cat would block.
func readRulesDir(h hostfs.Host) ([]Source, error) {
	entries, err := h.ReadDir(RulesDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if IsRulesFile(e.Name) {
			names = append(names, e.Name)
		}
	}
	SortRulesFiles(names)
	var out []Source
	total := 0
	for _, n := range names {
		p := path.Join(RulesDir, n)
		fi, err := h.Stat(p)
		if err != nil {
			return nil, err
		}
		if fi.IsDir() {
			continue
		}
		data, err := h.ReadFileLimit(p, int64(MaxRulesBytes-total))
		if err != nil {
			if errors.Is(err, hostfs.ErrTooLarge) {
				return nil, fmt.Errorf("%s: the rules in %s exceed %d bytes: %w", p, RulesDir, MaxRulesBytes, err)
			}
			return nil, err
		}
		total += len(data)
		out = append(out, Source{File: p, Data: data})
	}
	return out, nil
}

// awkFlavor finds which awk /usr/bin/awk is on the target, following its
// links (Debian: /usr/bin/awk -> /etc/alternatives/awk -> /usr/bin/mawk).
func awkFlavor(h hostfs.Host) AwkFlavor {
	for _, start := range []string{"/usr/bin/awk", "/bin/awk"} {
		p := start
		for i := 0; i < hostfs.MaxSymlinks; i++ {
			target, err := h.Readlink(p)
			if err != nil {
				break
			}
			if !strings.HasPrefix(target, "/") {
				target = path.Join(path.Dir(p), target)
			}
			p = target
		}
		if _, err := h.Stat(p); err != nil {
			continue
		}
		if strings.Contains(path.Base(p), "mawk") {
			return Mawk
		}
		return Gawk
	}
	return Gawk
}
