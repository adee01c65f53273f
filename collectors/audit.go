package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/ztscan/ztscan/collectors/auditrules"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/systemd"
	"github.com/ztscan/ztscan/config"
)

// Audit collects facts.audit: the auditd package and service, the kernel
// audit status and loaded rules (live host, over netlink), the persisted
// rules as augenrules builds them, the comparison of the two, and which
// of the configured paths the rules watch.
type Audit struct {
	paths  []string
	kernel func() (AuditKernel, error)
}

// NewAudit returns the "audit" collector; cfg is data.config (nil: the
// built-in defaults), whose audit.* lists name the paths whose watch
// coverage facts report.
func NewAudit(cfg map[string]any) *Audit {
	return &Audit{paths: AuditPaths(cfg), kernel: openNetlinkAudit}
}

// WithKernel makes the collector read the kernel side from k instead of
// the netlink socket (tests, and fixtures of a live host).
func (a *Audit) WithKernel(k AuditKernel) *Audit {
	a.kernel = func() (AuditKernel, error) { return k, nil }
	return a
}

func (*Audit) Name() string { return "audit" }

// AuditPaths lists every path the audit.* configuration names, sorted.
func AuditPaths(cfg map[string]any) []string {
	if cfg == nil {
		if d, err := config.Defaults(); err == nil {
			cfg = d.Values
		}
	}
	audit, _ := cfg["audit"].(map[string]any)
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "paths" {
					for _, p := range stringList(e) {
						seen[p] = true
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(audit)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// AuditFacts is facts.audit.
type AuditFacts struct {
	Installed         bool                `json:"installed"`
	InstalledEvidence string              `json:"installed_evidence"`
	Service           UnitState           `json:"service"`
	BootCmdline       AuditCmdline        `json:"boot_cmdline"`
	Kernel            AuditKernelFacts    `json:"kernel"`
	Persisted         AuditPersistedFacts `json:"persisted"`
	Comparison        AuditComparison     `json:"comparison"`
	Coverage          AuditCoverageFacts  `json:"coverage"`
}

// AuditPersistedFacts is the rule set the target loads at boot.
type AuditPersistedFacts struct {
	Part
	Source   string              `json:"source,omitempty"`
	Awk      string              `json:"awk,omitempty"`
	Files    []string            `json:"files"`
	Rules    []auditrules.Rule   `json:"rules"`
	Controls auditrules.Controls `json:"controls"`
}

// AuditComparison is persisted against loaded: rules persisted but not
// in the kernel (lost since boot, or never loaded because auditctl
// stopped at an error), rules in the kernel that a reboot would drop, and
// control settings (-e, -f, -b) not in effect.
type AuditComparison struct {
	Part
	Identical        bool               `json:"identical"`
	MissingAtRuntime []auditrules.Rule  `json:"missing_at_runtime"`
	NotPersisted     []string           `json:"not_persisted"`
	Controls         []AuditControlDiff `json:"control_differences"`
}

// AuditControlDiff is one persisted control setting the kernel does not
// have.
type AuditControlDiff struct {
	Option    string `json:"option"`
	Persisted int    `json:"persisted"`
	Runtime   int    `json:"runtime"`
	File      string `json:"file"`
	Line      int    `json:"line"`
}

// AuditCoverageFacts is the watch coverage of the persisted rules and,
// on the live host, of the loaded ones.
type AuditCoverageFacts struct {
	Persisted AuditCoverage `json:"persisted"`
	Kernel    AuditCoverage `json:"kernel"`
}

func (a *Audit) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &AuditFacts{}
	inst, ev, err := auditdInstalled(h)
	if err != nil {
		return nil, err
	}
	f.Installed, f.InstalledEvidence = inst, ev
	f.Service = serviceState(ctx, h, "auditd.service")
	f.BootCmdline = auditCmdline(h)

	opts := targetRuleOptions(h)
	f.Persisted = persistedRules(h, opts)
	var kernelRules []auditrules.Rule
	f.Kernel, kernelRules = a.kernelSide(ctx, h)

	f.Coverage.Persisted = AuditCoverage{Part: f.Persisted.Part, Source: "persisted", Paths: map[string]WatchedPath{}, ExecAll: []CoverRef{}}
	if f.Persisted.Status == "ok" {
		f.Coverage.Persisted = coverage(h, "persisted", f.Persisted.Rules, a.paths)
	}
	f.Coverage.Kernel = AuditCoverage{Part: f.Kernel.Part, Source: "kernel", Paths: map[string]WatchedPath{}, ExecAll: []CoverRef{}}
	if f.Kernel.Status == "ok" {
		f.Coverage.Kernel = coverage(h, "kernel", kernelRules, a.paths)
	}
	f.Comparison = compareAudit(f.Persisted, f.Kernel, kernelRules)
	return f, nil
}

// auditdInstalled: the auditd (Debian) or audit (Red Hat) package, else
// the daemon's binary.
func auditdInstalled(h hostfs.Host) (bool, string, error) {
	pkgs, pkgErr := InstalledPackages(h)
	if pkgErr != nil && !errors.Is(pkgErr, fs.ErrNotExist) {
		return false, "", fmt.Errorf("package database: %w", pkgErr)
	}
	if pkgErr == nil {
		if name, p, ok := findPackage(pkgs, "auditd", "audit"); ok {
			return true, packageEvidence(name, p), nil
		}
		return false, "neither package auditd nor audit is installed", nil
	}
	file, err := firstRegularFile(h, "/usr/sbin/auditd", "/sbin/auditd")
	if err != nil {
		return false, "", err
	}
	if file != "" {
		return true, file + " exists (no package database)", nil
	}
	return false, "no package database and no /usr/sbin/auditd", nil
}

// serviceState is one unit's enablement and, live, its running state.
func serviceState(ctx context.Context, h hostfs.Host, name string) UnitState {
	units, err := systemd.Load(h)
	if err != nil {
		st := UnitState{Name: name, Error: err.Error()}
		st.Active = ActiveFacts{Part: PartError(err)}
		return st
	}
	return unitStates(ctx, units, []string{name})[name]
}

// targetRuleOptions make the rule parser look at the target: directory
// watches and user/group names are the target's.
func targetRuleOptions(h hostfs.Host) auditrules.Options {
	ids := idNamesFor(h)
	lookup := func(m map[uint32]string) func(string) (uint32, bool) {
		return func(name string) (uint32, bool) {
			for id, n := range m {
				if n == name {
					return id, true
				}
			}
			return 0, false
		}
	}
	return auditrules.Options{
		IsDir: func(p string) bool {
			fi, err := h.Stat(p)
			return err == nil && fi.IsDir()
		},
		LookupUser:  lookup(ids.users),
		LookupGroup: lookup(ids.groups),
	}
}

func persistedRules(h hostfs.Host, opts auditrules.Options) AuditPersistedFacts {
	f := AuditPersistedFacts{Files: []string{}, Rules: []auditrules.Rule{}}
	p, err := auditrules.Load(h, opts)
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Part = PartOK()
	f.Source, f.Awk, f.Files = p.Source, p.Awk, p.Files
	f.Rules, f.Controls = p.Set.Rules, p.Set.Controls
	return f
}

// compareAudit compares the two sides as multisets of normalised rules
// (the kernel keeps a duplicate only once: auditctl refuses it).
func compareAudit(p AuditPersistedFacts, k AuditKernelFacts, kernelRules []auditrules.Rule) AuditComparison {
	c := AuditComparison{MissingAtRuntime: []auditrules.Rule{}, NotPersisted: []string{}, Controls: []AuditControlDiff{}}
	switch {
	case p.Status != "ok":
		c.Part = Part{Status: p.Status, Reason: "persisted rules: " + p.Reason}
		return c
	case k.Status != "ok":
		c.Part = Part{Status: k.Status, Reason: "kernel rules: " + k.Reason}
		return c
	}
	c.Part = PartOK()
	loaded := map[string]int{}
	for _, r := range kernelRules {
		loaded[r.Text]++
	}
	persisted := map[string]int{}
	for _, r := range p.Rules {
		persisted[r.Text]++
		if loaded[r.Text] > 0 {
			loaded[r.Text]--
			continue
		}
		c.MissingAtRuntime = append(c.MissingAtRuntime, r)
	}
	for _, r := range kernelRules {
		if persisted[r.Text] > 0 {
			persisted[r.Text]--
			continue
		}
		c.NotPersisted = append(c.NotPersisted, r.Text)
	}
	sort.Strings(c.NotPersisted)
	for _, d := range []struct {
		option  string
		setting *auditrules.Setting
		runtime int
	}{
		{"-e", p.Controls.Enabled, k.Enabled},
		{"-f", p.Controls.Failure, k.Failure},
		{"-b", p.Controls.BacklogLimit, int(k.BacklogLimit)},
	} {
		if d.setting != nil && d.setting.Value != d.runtime {
			c.Controls = append(c.Controls, AuditControlDiff{Option: d.option, Persisted: d.setting.Value, Runtime: d.runtime, File: d.setting.File, Line: d.setting.Line})
		}
	}
	c.Identical = len(c.MissingAtRuntime) == 0 && len(c.NotPersisted) == 0
	return c
}
