package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// MACFacts describe the mandatory access control systems: what the
// running kernel enforces (live host only) and what the configuration
// asks for at next boot (both kinds).
type MACFacts struct {
	SELinux  SELinuxFacts  `json:"selinux"`
	AppArmor AppArmorFacts `json:"apparmor"`
}

// SELinuxFacts pair the kernel state with /etc/selinux/config.
type SELinuxFacts struct {
	Kernel SELinuxKernel `json:"kernel"`
	Config SELinuxConfig `json:"config"`
}

// SELinuxKernel is the state of selinuxfs. Mode is "enforcing",
// "permissive" or "disabled" (no selinuxfs: SELinux is not running).
type SELinuxKernel struct {
	Part
	Enabled bool   `json:"enabled"`
	Mode    string `json:"mode,omitempty"`
}

// SELinuxConfig is selinux_config(5): SELINUX= and SELINUXTYPE=, lowercased.
type SELinuxConfig struct {
	Part
	File        string `json:"file"`
	SELinux     string `json:"selinux,omitempty"`
	SELinuxType string `json:"selinuxtype,omitempty"`
}

// AppArmorFacts pair the kernel state with the boot configuration.
type AppArmorFacts struct {
	Kernel AppArmorKernel `json:"kernel"`
	Config AppArmorConfig `json:"config"`
}

// AppArmorKernel is what securityfs reports: whether the module is
// enabled and how many loaded profiles are in each mode.
type AppArmorKernel struct {
	Part
	Enabled  bool           `json:"enabled"`
	Profiles map[string]int `json:"profiles"`
}

// AppArmorConfig is what the next boot will do. Profiles counts the
// profile files of /etc/apparmor.d by the mode they would load in.
type AppArmorConfig struct {
	Part
	Installed         bool           `json:"installed"`
	ServiceEnabled    bool           `json:"service_enabled"`
	DisabledOnCmdline bool           `json:"disabled_on_cmdline"`
	Profiles          map[string]int `json:"profiles"`
}

const (
	selinuxConfigFile = "/etc/selinux/config"
	apparmorDir       = "/etc/apparmor.d"
	maxProfileSize    = 4 << 20
)

// MAC collects MACFacts.
type MAC struct{}

// NewMAC returns the "mac" collector.
func NewMAC() *MAC { return &MAC{} }

// Name is the facts key.
func (*MAC) Name() string { return "mac" }

// Collect never fails as a whole: each side has its own status.
func (*MAC) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	out := MACFacts{
		SELinux:  SELinuxFacts{Config: selinuxConfig(h)},
		AppArmor: AppArmorFacts{Config: apparmorConfig(h)},
	}
	if h.Kind() == hostfs.KindRootfs {
		why := "offline root: no running kernel"
		out.SELinux.Kernel = SELinuxKernel{Part: PartUnavailable(why)}
		out.AppArmor.Kernel = AppArmorKernel{Part: PartUnavailable(why)}
		return out, nil
	}
	out.SELinux.Kernel = selinuxKernel(h)
	out.AppArmor.Kernel = apparmorKernel(h)
	return out, nil
}

// selinuxKernel reads selinuxfs: the enforce file exists only while
// SELinux runs, and holds 1 (enforcing) or 0 (permissive).
func selinuxKernel(h hostfs.Host) SELinuxKernel {
	const enforce = "/sys/fs/selinux/enforce"
	data, err := h.ReadFileLimit(enforce, 64)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return SELinuxKernel{Part: PartOK(), Enabled: false, Mode: "disabled"}
	case err != nil:
		return SELinuxKernel{Part: PartError(err)}
	}
	switch strings.TrimSpace(string(data)) {
	case "1":
		return SELinuxKernel{Part: PartOK(), Enabled: true, Mode: "enforcing"}
	case "0":
		return SELinuxKernel{Part: PartOK(), Enabled: true, Mode: "permissive"}
	}
	return SELinuxKernel{Part: PartError(fmt.Errorf("%s: unexpected content %q", enforce, macShortText(data))), Enabled: true}
}

func selinuxConfig(h hostfs.Host) SELinuxConfig {
	c := SELinuxConfig{File: selinuxConfigFile}
	data, err := h.ReadFileLimit(selinuxConfigFile, 64<<10)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Part = PartUnavailable("no " + selinuxConfigFile)
		return c
	case err != nil:
		c.Part = PartError(err)
		return c
	}
	kv := parseShellAssignments(data)
	c.SELinux = strings.ToLower(kv["SELINUX"])
	c.SELinuxType = kv["SELINUXTYPE"]
	switch c.SELinux {
	case "enforcing", "permissive", "disabled":
		c.Part = PartOK()
	case "":
		c.Part = PartError(fmt.Errorf("%s: no SELINUX= setting", selinuxConfigFile))
	default:
		// libselinux treats an unknown mode as an error at boot.
		c.Part = PartError(fmt.Errorf("%s: SELINUX=%s is not enforcing, permissive or disabled", selinuxConfigFile, kv["SELINUX"]))
	}
	return c
}

// apparmorKernel reads the module parameter (absent: not built or not
// loaded) and the list of loaded profiles, "name (mode)" per line.
func apparmorKernel(h hostfs.Host) AppArmorKernel {
	k := AppArmorKernel{Profiles: map[string]int{"enforce": 0, "complain": 0, "kill": 0, "unconfined": 0}}
	data, err := h.ReadFileLimit("/sys/module/apparmor/parameters/enabled", 64)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		k.Part = PartOK()
		return k
	case err != nil:
		k.Part = PartError(err)
		return k
	}
	k.Enabled = strings.TrimSpace(string(data)) == "Y"
	k.Part = PartOK()
	if !k.Enabled {
		return k
	}
	const profiles = "/sys/kernel/security/apparmor/profiles"
	list, err := h.ReadFileLimit(profiles, 16<<20)
	if err != nil {
		k.Part = PartError(err)
		return k
	}
	for _, line := range strings.Split(string(list), "\n") {
		line = strings.TrimSpace(line)
		open := strings.LastIndex(line, " (")
		if open < 0 || !strings.HasSuffix(line, ")") {
			continue
		}
		k.Profiles[line[open+2:len(line)-1]]++
	}
	return k
}

func macShortText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// apparmorConfig reports what the next boot would enforce. A problem with
// one input (an unreadable package database) makes the status "error"
// while the other fields keep what could be learned.
func apparmorConfig(h hostfs.Host) AppArmorConfig {
	c := AppArmorConfig{Part: PartOK()}
	var problems []string
	installed, err := apparmorInstalled(h)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.Installed = installed
	c.ServiceEnabled = apparmorServiceEnabled(h)
	disabled, err := apparmorDisabledOnCmdline(h)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.DisabledOnCmdline = disabled
	profiles, err := apparmorProfileModes(h)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.Profiles = profiles
	if len(problems) > 0 {
		c.Part = Part{Status: "error", Reason: strings.Join(problems, "; ")}
	}
	return c
}

// apparmorInstalled asks dpkg; on a target without dpkg the parser
// binary is the evidence instead.
func apparmorInstalled(h hostfs.Host) (bool, error) {
	pkgs, err := InstalledPackages(h)
	if err == nil {
		_, ok := pkgs["apparmor"]
		return ok, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	file, err := firstRegularFile(h, "/usr/sbin/apparmor_parser", "/sbin/apparmor_parser")
	return file != "", err
}

// apparmorServiceEnabled looks for the enablement symlink systemctl
// creates; the link must resolve (inside the target) to a unit file, and
// a unit masked in /etc/systemd/system is never enabled.
func apparmorServiceEnabled(h hostfs.Host) bool {
	if t, err := h.Readlink("/etc/systemd/system/apparmor.service"); err == nil && path.Clean(t) == "/dev/null" {
		return false
	}
	links, _ := h.Glob("/etc/systemd/system/*.wants/apparmor.service")
	for _, l := range links {
		if fi, err := h.Stat(l); err == nil && fi.IsRegular() {
			return true
		}
	}
	return false
}

var grubAssignment = regexp.MustCompile(`^\s*(?:export\s+)?(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)=(.*)$`)

// apparmorDisabledOnCmdline evaluates the kernel command line grub
// builds: /etc/default/grub, then /etc/default/grub.d/*.cfg, each later
// assignment replacing the variable ($VAR references expanded). The
// kernel parses parameters left to right, so the last word wins.
func apparmorDisabledOnCmdline(h hostfs.Host) (bool, error) {
	vars := map[string]string{}
	files := []string{"/etc/default/grub"}
	extra, _ := h.Glob("/etc/default/grub.d/*.cfg")
	files = append(files, extra...)
	for _, f := range files {
		data, err := h.ReadFileLimit(f, 1<<20)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, err
		}
		for _, line := range strings.Split(string(data), "\n") {
			m := grubAssignment.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			vars[m[1]] = expandGrubVars(unquoteShell(strings.TrimSpace(m[2])), vars)
		}
	}
	disabled := false
	for _, word := range strings.Fields(vars["GRUB_CMDLINE_LINUX"] + " " + vars["GRUB_CMDLINE_LINUX_DEFAULT"]) {
		k, v, _ := strings.Cut(word, "=")
		switch k {
		case "apparmor":
			disabled = v == "0"
		case "security":
			disabled = v != "apparmor"
		case "lsm":
			disabled = !macListHas(strings.Split(v, ","), "apparmor")
		}
	}
	return disabled, nil
}

func expandGrubVars(s string, vars map[string]string) string {
	for _, name := range []string{"GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_CMDLINE_LINUX"} {
		s = strings.ReplaceAll(s, "${"+name+"}", vars[name])
		s = strings.ReplaceAll(s, "$"+name, vars[name])
	}
	return s
}

func macListHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// profileHeader matches the first line of a profile: "profile NAME ...",
// or an attachment path ("/usr/bin/man", "@{bin}/x"), then optional flags
// and the opening brace.
var profileHeader = regexp.MustCompile(`^\s*(?:profile\s+\S+|/\S*|@\{\w+\}\S*)(?:\s+[^\s(]+)??(?:\s*(?:flags\s*=\s*)?\(([^)]*)\))?\s*\{`)

// apparmorProfileModes counts top-level profile files by load mode, as
// apparmor.service loads them: a name in disable/ is skipped, a name in
// force-complain/ or a complain flag loads in complain mode, other flags
// (kill, unconfined, ...) are counted under their own name.
func apparmorProfileModes(h hostfs.Host) (map[string]int, error) {
	modes := map[string]int{"enforce": 0, "complain": 0}
	entries, err := h.ReadDir(apparmorDir)
	if errors.Is(err, fs.ErrNotExist) {
		return modes, nil
	}
	if err != nil {
		return modes, err
	}
	var firstErr error
	for _, e := range entries {
		if e.Type.IsDir() || skippedProfileName(e.Name) {
			continue
		}
		file := path.Join(apparmorDir, e.Name)
		if fi, err := h.Stat(file); err != nil || !fi.IsRegular() {
			continue // subdirectory behind a link, or dangling
		}
		if macPathExists(h, path.Join(apparmorDir, "disable", e.Name)) {
			continue
		}
		data, err := h.ReadFileLimit(file, maxProfileSize)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		mode, ok := profileMode(string(data))
		if !ok {
			continue
		}
		if macPathExists(h, path.Join(apparmorDir, "force-complain", e.Name)) {
			mode = "complain"
		}
		modes[mode]++
	}
	return modes, firstErr
}

// skippedProfileName mirrors the names apparmor_parser skips in a
// directory: hidden files, editor backups and package manager leftovers.
func skippedProfileName(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") || name == "README" {
		return true
	}
	for _, suffix := range []string{".dpkg-new", ".dpkg-old", ".dpkg-dist", ".dpkg-bak", ".dpkg-remove", ".pacsave", ".pacnew", ".rpmnew", ".rpmsave", ".orig", ".rej"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

func macPathExists(h hostfs.Host, p string) bool {
	_, err := h.Lstat(p)
	return err == nil
}

// profileMode finds the file's first profile header and the mode its
// flags select. ok is false when the file declares no profile.
func profileMode(text string) (mode string, ok bool) {
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 && !strings.HasPrefix(strings.TrimSpace(line[i:]), "#include") {
			line = line[:i]
		}
		m := profileHeader.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		mode = "enforce"
		for _, flag := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			switch flag {
			case "complain", "kill", "unconfined", "prompt":
				mode = flag
			}
		}
		return mode, true
	}
	return "", false
}
