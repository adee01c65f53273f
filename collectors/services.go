package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/svcconf"
	"github.com/ztscan/ztscan/collectors/systemd"
)

// Services collects facts.services: unwanted desktop services, fail2ban,
// and automatic security updates (unattended-upgrades, dnf-automatic).
type Services struct{}

// NewServices returns the "services" collector.
func NewServices() *Services { return &Services{} }

func (*Services) Name() string { return "services" }

// unwantedServices are judged by ZT-SVC-001, each with the units that
// start it (a socket or path unit activates cups on demand).
var unwantedServices = map[string][]string{
	"cups":         {"cups.service", "cups.socket", "cups.path", "cups-browsed.service"},
	"avahi-daemon": {"avahi-daemon.service", "avahi-daemon.socket"},
	"bluetooth":    {"bluetooth.service"},
}

// ServicesFacts is facts.services.
type ServicesFacts struct {
	// Runtime: whether the live systemd answered (unavailable offline).
	Runtime     Part                            `json:"runtime"`
	Unwanted    map[string]map[string]UnitState `json:"unwanted"`
	Fail2ban    Fail2banFacts                   `json:"fail2ban"`
	AutoUpdates AutoUpdatesFacts                `json:"auto_updates"`
}

// Fail2banFacts: installed, its unit, and the sshd jail after jail.conf,
// jail.d/*.conf, jail.local, jail.d/*.local precedence.
type Fail2banFacts struct {
	Part
	Installed bool      `json:"installed"`
	Evidence  string    `json:"installed_evidence"`
	Unit      UnitState `json:"unit"`
	Files     []string  `json:"files"`
	// SSHDJail: enabled after precedence, declared (a [sshd] section
	// exists), and the file and line that decided.
	SSHDJail JailFacts `json:"sshd_jail"`
}

// JailFacts is one fail2ban jail.
type JailFacts struct {
	Enabled  bool   `json:"enabled"`
	Declared bool   `json:"declared"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// AutoUpdatesFacts covers Debian's unattended-upgrades and dnf-automatic.
type AutoUpdatesFacts struct {
	UnattendedUpgrades UnattendedFacts   `json:"unattended_upgrades"`
	DnfAutomatic       DnfAutomaticFacts `json:"dnf_automatic"`
}

// UnattendedFacts: the package, the APT::Periodic settings (from
// /etc/apt/apt.conf.d in apt's order) and the apt timers.
type UnattendedFacts struct {
	Part
	Installed bool                       `json:"installed"`
	Evidence  string                     `json:"installed_evidence"`
	Settings  map[string]svcconf.Setting `json:"settings"`
	Timers    map[string]UnitState       `json:"timers"`
}

// DnfAutomaticFacts: the timers and automatic.conf's apply_updates.
type DnfAutomaticFacts struct {
	Part
	Installed    bool                 `json:"installed"`
	Timers       map[string]UnitState `json:"timers"`
	ApplyUpdates *svcconf.Setting     `json:"apply_updates,omitempty"`
}

// aptPeriodicKeys are the settings unattended-upgrades needs (lowercase,
// as apt compares keys).
var aptPeriodicKeys = []string{"apt::periodic::update-package-lists", "apt::periodic::unattended-upgrade"}

func (*Services) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	units, err := systemd.Load(h)
	if err != nil {
		return nil, err
	}
	pkgs, pkgErr := InstalledPackages(h)
	if pkgErr != nil && !errors.Is(pkgErr, fs.ErrNotExist) {
		pkgErr = fmt.Errorf("package database: %w", pkgErr)
	}
	var names []string
	for _, us := range unwantedServices {
		names = append(names, us...)
	}
	names = append(names, "fail2ban.service", "apt-daily.timer", "apt-daily-upgrade.timer", "unattended-upgrades.service", "dnf-automatic.timer", "dnf-automatic-install.timer")
	states := unitStates(ctx, units, names)
	f := &ServicesFacts{Runtime: states["fail2ban.service"].Active.Part, Unwanted: map[string]map[string]UnitState{}}
	for svc, us := range unwantedServices {
		f.Unwanted[svc] = map[string]UnitState{}
		for _, n := range us {
			f.Unwanted[svc][n] = states[n]
		}
	}
	f.Fail2ban = collectFail2ban(h, pkgs, pkgErr, states["fail2ban.service"])
	f.AutoUpdates.UnattendedUpgrades = collectUnattended(h, pkgs, pkgErr, states)
	f.AutoUpdates.DnfAutomatic = collectDnfAutomatic(h, pkgs, pkgErr, states)
	return f, nil
}

// installedBy decides whether a package is there: the package database,
// else (no database) a file it ships.
func installedBy(h hostfs.Host, pkgs map[string]Package, pkgErr error, pkg, file string) (bool, string, error) {
	if pkgErr == nil {
		if name, p, ok := findPackage(pkgs, pkg); ok {
			return true, packageEvidence(name, p), nil
		}
		return false, fmt.Sprintf("package %s is not installed", pkg), nil
	}
	if !errors.Is(pkgErr, fs.ErrNotExist) {
		return false, "", pkgErr
	}
	found, err := firstRegularFile(h, file)
	if err != nil {
		return false, "", err
	}
	if found != "" {
		return true, file + " exists (no package database)", nil
	}
	return false, fmt.Sprintf("no package database and no %s", file), nil
}

func collectFail2ban(h hostfs.Host, pkgs map[string]Package, pkgErr error, unit UnitState) Fail2banFacts {
	f := Fail2banFacts{Part: PartOK(), Unit: unit, Files: []string{}}
	inst, ev, err := installedBy(h, pkgs, pkgErr, "fail2ban", "/usr/bin/fail2ban-server")
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed, f.Evidence = inst, ev
	if !inst {
		return f
	}
	cfg := svcconf.IniSections{}
	var files []string
	for _, pattern := range []string{"/etc/fail2ban/jail.conf", "/etc/fail2ban/jail.d/*.conf", "/etc/fail2ban/jail.local", "/etc/fail2ban/jail.d/*.local"} {
		matches, err := h.Glob(pattern)
		if err != nil {
			f.Part = PartError(err)
			return f
		}
		files = append(files, matches...)
	}
	for _, p := range files {
		data, err := h.ReadFile(p)
		if err != nil {
			f.Part = PartError(err)
			return f
		}
		secs, err := svcconf.ParseIni(p, data)
		if err != nil {
			f.Part = PartError(err)
			return f
		}
		cfg.Merge(secs)
		f.Files = append(f.Files, p)
	}
	enabled, where, declared := svcconf.JailEnabled(cfg, "sshd")
	f.SSHDJail = JailFacts{Enabled: enabled, Declared: declared, File: where.File, Line: where.Line}
	return f
}

func collectUnattended(h hostfs.Host, pkgs map[string]Package, pkgErr error, states map[string]UnitState) UnattendedFacts {
	f := UnattendedFacts{Part: PartOK(), Settings: map[string]svcconf.Setting{}, Timers: map[string]UnitState{
		"apt-daily.timer": states["apt-daily.timer"], "apt-daily-upgrade.timer": states["apt-daily-upgrade.timer"],
	}}
	inst, ev, err := installedBy(h, pkgs, pkgErr, "unattended-upgrades", "/usr/bin/unattended-upgrade")
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed, f.Evidence = inst, ev
	all := map[string]svcconf.Setting{}
	if err := readAptConf(h, all); err != nil {
		f.Part = PartError(err)
		return f
	}
	for _, k := range aptPeriodicKeys {
		if s, ok := all[k]; ok {
			f.Settings[k] = s
		}
	}
	return f
}

// readAptConf reads apt's configuration as apt does: /etc/apt/apt.conf.d
// in name order (files apt would ignore skipped), then /etc/apt/apt.conf.
func readAptConf(h hostfs.Host, set map[string]svcconf.Setting) error {
	var files []string
	entries, err := h.ReadDir("/etc/apt/apt.conf.d")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if e.Type.IsDir() || !svcconf.AptConfFileOK(e.Name) {
			continue
		}
		files = append(files, path.Join("/etc/apt/apt.conf.d", e.Name))
	}
	files = append(files, "/etc/apt/apt.conf")
	for _, p := range files {
		data, err := h.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := svcconf.ParseAptConf(p, data, set); err != nil {
			return err
		}
	}
	return nil
}

func collectDnfAutomatic(h hostfs.Host, pkgs map[string]Package, pkgErr error, states map[string]UnitState) DnfAutomaticFacts {
	f := DnfAutomaticFacts{Part: PartOK(), Timers: map[string]UnitState{
		"dnf-automatic.timer": states["dnf-automatic.timer"], "dnf-automatic-install.timer": states["dnf-automatic-install.timer"],
	}}
	inst, _, err := installedBy(h, pkgs, pkgErr, "dnf-automatic", "/usr/bin/dnf-automatic")
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed = inst || states["dnf-automatic.timer"].Found
	if !f.Installed {
		return f
	}
	data, err := h.ReadFile("/etc/dnf/automatic.conf")
	if errors.Is(err, fs.ErrNotExist) {
		return f
	}
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	secs, err := svcconf.ParseIni("/etc/dnf/automatic.conf", data)
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	if s, ok := secs["commands"]["apply_updates"]; ok {
		f.ApplyUpdates = &s
	}
	return f
}
