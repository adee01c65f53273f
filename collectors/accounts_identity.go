package collectors

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/pamconf"
	"github.com/ztscan/ztscan/collectors/sshdconfig"
)

// SSHKeys is what an account's authorized_keys files hold: how many keys
// (never the keys), per file sshd's AuthorizedKeysFile names.
type SSHKeys struct {
	Part
	Files []KeyFile `json:"files"`
	Keys  int       `json:"keys"`
}

// KeyFile is one authorized_keys file.
type KeyFile struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Keys   int    `json:"keys"`
}

// maxKeysFile bounds one authorized_keys file.
const maxKeysFile = 1 << 20

// defaultAuthorizedKeys is OpenSSH's AuthorizedKeysFile default.
var defaultAuthorizedKeys = []string{".ssh/authorized_keys", ".ssh/authorized_keys2"}

// authorizedKeys counts each account's authorized keys in the files sshd
// would read for it: AuthorizedKeysFile from the parsed sshd_config (Match
// User blocks applied) when it parses, else OpenSSH's default.
func authorizedKeys(h hostfs.Host, accounts []Account) {
	cfg, err := sshdconfig.Load(h, sshdConfigPath, sshdconfig.Options{})
	if err != nil {
		cfg = nil
	}
	for i := range accounts {
		a := &accounts[i]
		patterns := defaultAuthorizedKeys
		if cfg != nil {
			if settings, err := cfg.Effective(&sshdconfig.ConnSpec{User: a.Name}); err == nil {
				if v := stringList(sshdconfig.ToMap(settings)["authorizedkeysfile"]); len(v) > 0 {
					patterns = strings.Fields(strings.Join(v, " "))
				}
			}
		}
		a.SSHKeys = countKeys(h, *a, patterns)
	}
}

func countKeys(h hostfs.Host, a Account, patterns []string) SSHKeys {
	k := SSHKeys{Part: PartOK(), Files: []KeyFile{}}
	for _, p := range patterns {
		if p == "none" {
			continue
		}
		file := expandKeysPath(p, a)
		if !strings.HasPrefix(file, "/") {
			if !strings.HasPrefix(a.Home, "/") {
				continue
			}
			file = path.Join(a.Home, file)
		}
		kf := KeyFile{Path: file}
		data, err := h.ReadFileLimit(file, maxKeysFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			k.Part = PartError(err)
		default:
			kf.Exists = true
			for _, line := range strings.Split(string(data), "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					kf.Keys++
				}
			}
		}
		k.Keys += kf.Keys
		k.Files = append(k.Files, kf)
	}
	return k
}

// expandKeysPath applies sshd's %h, %u, %U and %% tokens.
func expandKeysPath(p string, a Account) string {
	r := strings.NewReplacer("%%", "%", "%h", a.Home, "%u", a.Name, "%U", strconv.FormatUint(uint64(a.UID), 10))
	return r.Replace(p)
}

// Identity is where the target gets identities from besides its files.
type Identity struct {
	NSSwitch NSSwitch    `json:"nsswitch"`
	SSSD     SSSD        `json:"sssd"`
	PAM      IdentityPAM `json:"pam"`
}

// NSSwitch is nsswitch.conf's passwd, group and shadow lines.
type NSSwitch struct {
	Part
	File      string              `json:"file"`
	Databases map[string][]string `json:"databases"`
	// Central are the sources of those lines that are directories
	// (sss, ldap, winbind, nis, ...).
	Central []string `json:"central"`
}

// SSSD is sssd's configuration and whether it starts at boot.
type SSSD struct {
	Installed  bool      `json:"installed"`
	Config     FileFacts `json:"config"`
	ConfigPart Part      `json:"config_status"`
	// ConfigModeOK: sssd refuses to start unless sssd.conf is mode 0600
	// (or stricter) and owned by root.
	ConfigModeOK    bool     `json:"config_mode_ok"`
	Domains         []string `json:"domains"`
	Enabled         bool     `json:"enabled"`
	EnabledEvidence string   `json:"enabled_evidence"`
}

// IdentityPAM lists the directory-backed modules of the system-wide
// authentication stacks.
type IdentityPAM struct {
	Part
	Files   []string         `json:"files"`
	Modules []pamconf.Module `json:"modules"`
}

const (
	nsswitchFile = "/etc/nsswitch.conf"
	sssdConf     = "/etc/sssd/sssd.conf"
)

// centralNSS are nsswitch sources backed by a directory service.
var centralNSS = map[string]bool{"sss": true, "ldap": true, "winbind": true, "nis": true, "nisplus": true, "hesiod": true}

// centralPAM are PAM modules that authenticate against a directory.
var centralPAM = map[string]bool{"pam_sss": true, "pam_ldap": true, "pam_krb5": true, "pam_winbind": true}

func collectIdentity(h hostfs.Host) Identity {
	return Identity{NSSwitch: readNSSwitch(h), SSSD: readSSSD(h), PAM: identityPAM(h)}
}

func readNSSwitch(h hostfs.Host) NSSwitch {
	n := NSSwitch{File: nsswitchFile, Databases: map[string][]string{}, Central: []string{}}
	data, err := h.ReadFileLimit(nsswitchFile, 1<<20)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			n.Part = PartUnavailable(nsswitchFile + " does not exist (glibc then reads only the local files)")
		} else {
			n.Part = PartError(err)
		}
		return n
	}
	n.Part = PartOK()
	central := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		db, rest, ok := strings.Cut(line, ":")
		db = strings.TrimSpace(db)
		if !ok || (db != "passwd" && db != "group" && db != "shadow") {
			continue
		}
		sources := []string{}
		for _, s := range strings.Fields(rest) {
			if strings.HasPrefix(s, "[") || strings.HasSuffix(s, "]") || strings.Contains(s, "=") {
				continue // [NOTFOUND=return] actions
			}
			sources = append(sources, s)
			if centralNSS[s] {
				central[s] = true
			}
		}
		n.Databases[db] = sources
	}
	for s := range central {
		n.Central = append(n.Central, s)
	}
	sort.Strings(n.Central)
	return n
}

func readSSSD(h hostfs.Host) SSSD {
	s := SSSD{Config: DescribeFile(h, sssdConf), Domains: []string{}}
	if pkgs, err := InstalledPackages(h); err == nil {
		_, a := pkgs["sssd"]
		_, b := pkgs["sssd-common"]
		s.Installed = a || b
	}
	if fi, err := h.Stat("/usr/sbin/sssd"); err == nil && fi.IsRegular() {
		s.Installed = true
	}
	s.Enabled, s.EnabledEvidence = unitWanted(h, "sssd.service")
	switch {
	case s.Config.Error != "":
		s.ConfigPart = PartError(fmt.Errorf("%s: %s", sssdConf, s.Config.Error))
		return s
	case !s.Config.Exists:
		s.ConfigPart = PartUnavailable(sssdConf + " does not exist")
		return s
	}
	mode, _ := strconv.ParseUint(s.Config.Mode, 8, 32)
	s.ConfigModeOK = s.Config.UID == 0 && mode&0o177 == 0
	files := []string{sssdConf}
	if snippets, err := h.Glob("/etc/sssd/conf.d/*.conf"); err == nil {
		files = append(files, snippets...)
	}
	domains := map[string]bool{}
	for _, file := range files {
		data, err := h.ReadFileLimit(file, 1<<20)
		if err != nil {
			s.ConfigPart = PartError(err)
			return s
		}
		sssdDomains(string(data), domains)
	}
	for d, on := range domains {
		if on {
			s.Domains = append(s.Domains, d)
		}
	}
	sort.Strings(s.Domains)
	s.ConfigPart = PartOK()
	return s
}

// sssdDomains records the domains an sssd.conf activates: those listed in
// [sssd] domains, and [domain/NAME] sections with enabled = true (sssd
// 2.2 and later); enabled = false turns a listed one off.
func sssdDomains(data string, domains map[string]bool) {
	section := ""
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case section == "sssd" && k == "domains":
			for _, d := range strings.Split(v, ",") {
				if d = strings.TrimSpace(d); d != "" {
					domains[d] = true
				}
			}
		case strings.HasPrefix(section, "domain/") && k == "enabled":
			domains[strings.TrimPrefix(section, "domain/")] = strings.EqualFold(v, "true")
		}
	}
}

// unitWanted finds unit in a .wants directory of /etc/systemd/system, the
// link resolving inside the target.
func unitWanted(h hostfs.Host, unit string) (bool, string) {
	links, err := h.Glob("/etc/systemd/system/*.wants/" + unit)
	if err != nil {
		return false, err.Error()
	}
	for _, l := range links {
		if fi, err := h.Stat(l); err == nil && fi.IsRegular() {
			return true, l
		}
	}
	if len(links) > 0 {
		return false, links[0] + " does not resolve to a unit file inside the target"
	}
	return false, "no /etc/systemd/system/*.wants/" + unit
}

// identityPAM reads the system-wide auth stacks (common-auth on Debian,
// system-auth on RHEL) and keeps the directory-backed modules.
func identityPAM(h hostfs.Host) IdentityPAM {
	p := IdentityPAM{Files: []string{}, Modules: []pamconf.Module{}}
	var errs []string
	for _, svc := range []string{"common-auth", "system-auth"} {
		stack, err := pamconf.LoadService(h, svc)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		p.Files = append(p.Files, path.Join(pamconf.Dir, svc))
		for _, m := range stack {
			if centralPAM[strings.TrimSuffix(path.Base(m.Module), ".so")] {
				p.Modules = append(p.Modules, m)
			}
		}
	}
	switch {
	case len(errs) > 0:
		p.Part = PartError(errors.New(strings.Join(errs, "; ")))
	case len(p.Files) == 0:
		p.Part = PartUnavailable("neither /etc/pam.d/common-auth nor /etc/pam.d/system-auth exists")
	default:
		p.Part = PartOK()
	}
	return p
}
