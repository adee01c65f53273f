package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/sudoersconf"
)

// sudoersDir is the drop-in directory every distribution's sudoers
// includes; ZT-PRIV-003 judges every file in it.
const sudoersDir = "/etc/sudoers.d"

// Sudoers collects sudo's policy with ztscan's own parser (the same on a
// live host and an image: sudo has no "print the effective policy" mode
// for all users), and the mode and owner of every sudoers file.
type Sudoers struct{}

// NewSudoers returns the sudoers collector.
func NewSudoers() *Sudoers { return &Sudoers{} }

func (*Sudoers) Name() string { return "sudoers" }

// SudoersFacts is facts.sudoers.
type SudoersFacts struct {
	Installed         bool   `json:"installed"`
	InstalledEvidence string `json:"installed_evidence"`
	Path              string `json:"path"`
	// Policy says whether the policy could be parsed; its reason names the
	// file and line sudo would reject (or the unreadable file).
	Policy SudoersPolicy `json:"policy"`
	// Files are /etc/sudoers, every file it includes and every entry of
	// /etc/sudoers.d (Included false: sudo skips the name), by path.
	Files []SudoersFile `json:"files"`
}

// SudoersPolicy is the parsed policy, or why there is none.
type SudoersPolicy struct {
	Part
	Grants   []sudoersconf.Grant   `json:"grants"`
	Defaults []sudoersconf.Default `json:"defaults"`
	Aliases  []sudoersconf.Alias   `json:"aliases"`
	Warnings []string              `json:"warnings"`
}

// SudoersFile is one sudoers file and whether sudo reads it.
type SudoersFile struct {
	FileFacts
	Included bool `json:"included"`
}

func (c *Sudoers) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &SudoersFacts{Path: sudoersconf.Path, Files: []SudoersFile{}, Policy: SudoersPolicy{
		Grants: []sudoersconf.Grant{}, Defaults: []sudoersconf.Default{}, Aliases: []sudoersconf.Alias{}, Warnings: []string{}}}
	if err := sudoInstalled(h, f); err != nil {
		return nil, err
	}
	main := DescribeFile(h, sudoersconf.Path)
	if main.Error != "" {
		return nil, fmt.Errorf("%s: %s", sudoersconf.Path, main.Error)
	}
	if !f.Installed && !main.Exists {
		f.Policy.Part = PartUnavailable("sudo is not installed and " + sudoersconf.Path + " does not exist")
		return f, nil
	}
	if !main.Exists {
		return nil, fmt.Errorf("%s does not exist although sudo is installed (%s): sudo refuses to run without it", sudoersconf.Path, f.InstalledEvidence)
	}
	policy, err := sudoersconf.Load(h, sudoersconf.Path, sudoersconf.Options{Hostname: shortHostname(h)})
	read := map[string]bool{}
	if err != nil {
		f.Policy.Part = PartError(err)
	} else {
		f.Policy.Part = PartOK()
		f.Policy.Grants, f.Policy.Defaults, f.Policy.Aliases, f.Policy.Warnings = policy.Grants, policy.Defaults, policy.Aliases, policy.Warnings
		for _, p := range policy.Files {
			read[p] = true
		}
	}
	f.Files = sudoersFiles(h, read, err == nil)
	return f, nil
}

// sudoersFiles describes /etc/sudoers, every file the policy read and
// every entry of /etc/sudoers.d. included is only known when the policy
// was parsed; otherwise it follows sudo's name rules for sudoers.d.
func sudoersFiles(h hostfs.Host, read map[string]bool, parsed bool) []SudoersFile {
	paths := map[string]bool{sudoersconf.Path: true}
	for p := range read {
		paths[p] = true
	}
	entries, err := h.ReadDir(sudoersDir)
	if err == nil {
		for _, e := range entries {
			paths[path.Join(sudoersDir, e.Name)] = true
		}
	}
	var out []SudoersFile
	for p := range paths {
		sf := SudoersFile{FileFacts: DescribeFile(h, p)}
		if parsed {
			sf.Included = read[p]
		} else {
			name := path.Base(p)
			sf.Included = p == sudoersconf.Path || !strings.HasSuffix(name, "~") && !strings.Contains(name, ".")
		}
		if sf.Type == "directory" {
			continue
		}
		out = append(out, sf)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		out = append(out, SudoersFile{FileFacts: FileFacts{Path: sudoersDir, Exists: true, Error: err.Error()}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if out == nil {
		out = []SudoersFile{}
	}
	return out
}

// sudoInstalled decides from the package database, then the binary.
func sudoInstalled(h hostfs.Host, f *SudoersFacts) error {
	if pkgs, err := InstalledPackages(h); err == nil {
		if name, p, ok := findPackage(pkgs, "sudo", "sudo-ldap"); ok {
			f.Installed, f.InstalledEvidence = true, packageEvidence(name, p)
			return nil
		}
	}
	file, err := firstRegularFile(h, "/usr/bin/sudo", "/bin/sudo", "/usr/local/bin/sudo")
	if err != nil {
		return fmt.Errorf("checking for sudo: %w", err)
	}
	if file != "" {
		f.Installed, f.InstalledEvidence = true, file+" exists"
		return nil
	}
	f.InstalledEvidence = "no sudo package and no sudo binary"
	return nil
}

// shortHostname is the name sudo substitutes for %h in include paths.
func shortHostname(h hostfs.Host) string {
	name := rootfsHostname(h)
	if h.Kind() == hostfs.KindHost {
		if data, err := h.ReadFileLimit("/proc/sys/kernel/hostname", 4096); err == nil {
			name = strings.TrimSpace(string(data))
		}
	}
	name, _, _ = strings.Cut(name, ".")
	return name
}
