package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/pamconf"
	"github.com/ztscan/ztscan/collectors/sshdconfig"
)

// sshdConfigPath is where sshd reads its configuration.
const sshdConfigPath = "/etc/ssh/sshd_config"

// SSHD collects sshd's effective configuration. On the live host it asks
// sshd itself (`sshd -T`); on an offline root, or when sshd -T cannot run
// for a reason other than a bad config, ztscan's own parser gives exactly
// what sshd -T would print. Either way the parser also supplies the Match
// blocks and the list of files read.
type SSHD struct{}

// NewSSHD returns the sshd collector.
func NewSSHD() *SSHD { return &SSHD{} }

func (*SSHD) Name() string { return "sshd" }

// SSHDFacts is facts.sshd.
type SSHDFacts struct {
	Installed         bool             `json:"installed"`
	InstalledEvidence string           `json:"installed_evidence"`
	Version           string           `json:"version,omitempty"`
	Source            string           `json:"source,omitempty"`
	FallbackReason    string           `json:"fallback_reason,omitempty"`
	ParserDivergence  string           `json:"parser_divergence,omitempty"`
	DefaultsVersion   string           `json:"defaults_version,omitempty"`
	ConfigPath        string           `json:"config_path"`
	Effective         map[string]any   `json:"effective,omitempty"`
	MatchBlocks       []SSHDMatchBlock `json:"match_blocks"`
	ConfigFiles       []FileFacts      `json:"config_files"`
	HostKeys          []FileFacts      `json:"host_keys"`
	TrustedUserCAKeys *FileFacts       `json:"trusted_user_ca_keys,omitempty"`
	PAM               PAMFacts         `json:"pam"`
}

// SSHDMatchBlock is one Match block and what it sets.
type SSHDMatchBlock struct {
	Criteria string         `json:"criteria"`
	File     string         `json:"file"`
	Line     int            `json:"line"`
	Settings map[string]any `json:"settings"`
}

// PAMFacts is the PAM stack of one service.
type PAMFacts struct {
	Part
	File    string           `json:"file,omitempty"`
	Modules []pamconf.Module `json:"modules"`
}

func (c *SSHD) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &SSHDFacts{ConfigPath: sshdConfigPath, MatchBlocks: []SSHDMatchBlock{}, ConfigFiles: []FileFacts{}, HostKeys: []FileFacts{}}
	pkgVersion, err := sshdInstalled(h, f)
	if err != nil {
		return nil, err
	}
	if !f.Installed {
		return f, nil
	}
	f.Version = opensshVersion(pkgVersion)

	cfg, parseErr := sshdconfig.Load(h, sshdConfigPath, sshdconfig.Options{Version: f.Version})
	if cfg != nil && !cfg.VersionExact() && f.Version != "" {
		f.DefaultsVersion = "9.2p1"
	}
	if h.CanRun() {
		out, runErr := h.Run(ctx, "sshd", "-T", "-f", sshdConfigPath)
		switch {
		case runErr == nil:
			f.Source = "sshd -T"
			f.Effective = sshdconfig.ToMap(sshdconfig.ParseDump(out))
		case sshdRefusedConfig(runErr):
			// sshd's own verdict on its config is final: never report a
			// guessed effective configuration for a service that will not
			// start.
			return nil, fmt.Errorf("sshd refuses its configuration: %s", commandStderr(runErr))
		default:
			f.FallbackReason = fmt.Sprintf("sshd -T could not run (%v); effective configuration computed by ztscan's parser", runErr)
		}
	}
	if parseErr != nil {
		if f.Source == "sshd -T" {
			// sshd accepted what the parser refused: keep sshd's answer and
			// say so, the parser is the one that is wrong.
			f.ParserDivergence = parseErr.Error()
		} else {
			return nil, locateConfigError(parseErr)
		}
	}
	if cfg != nil {
		if f.Effective == nil {
			settings, err := cfg.Effective(nil)
			if err != nil {
				return nil, err
			}
			f.Source = "parser"
			f.Effective = sshdconfig.ToMap(settings)
		}
		for _, mb := range cfg.MatchBlocks() {
			f.MatchBlocks = append(f.MatchBlocks, SSHDMatchBlock{Criteria: mb.Criteria, File: mb.File, Line: mb.Line, Settings: sshdconfig.ToMap(mb.Settings)})
		}
		for _, p := range cfg.Files() {
			f.ConfigFiles = append(f.ConfigFiles, DescribeFile(h, p))
		}
	} else {
		f.ConfigFiles = append(f.ConfigFiles, DescribeFile(h, sshdConfigPath))
	}
	for _, p := range stringList(f.Effective["hostkey"]) {
		f.HostKeys = append(f.HostKeys, DescribeFile(h, p))
	}
	if ca, _ := f.Effective["trustedusercakeys"].(string); ca != "" && ca != "none" {
		ff := DescribeFile(h, sshdPath(ca))
		f.TrustedUserCAKeys = &ff
	}
	f.PAM = collectPAM(h, "sshd")
	return f, nil
}

// locateConfigError names the file for the few errors sshd itself reports
// without one (include loops and nesting), so that every refused
// configuration points at a file.
func locateConfigError(err error) error {
	var ce *sshdconfig.ConfigError
	if errors.As(err, &ce) && ce.Line == 0 && ce.File != "" {
		return fmt.Errorf("%s: %w", ce.File, err)
	}
	return err
}

// sshdInstalled decides from facts whether sshd is there: the package
// database first, then the binary or its config (an image without a
// package database).
func sshdInstalled(h hostfs.Host, f *SSHDFacts) (pkgVersion string, err error) {
	pkgs, pkgErr := InstalledPackages(h)
	if pkgErr == nil {
		if name, p, ok := findPackage(pkgs, "openssh-server", "openssh-server-gssapi"); ok {
			f.Installed, f.InstalledEvidence = true, packageEvidence(name, p)
			return p.Version, nil
		}
	}
	file, err := firstRegularFile(h, "/usr/sbin/sshd", sshdConfigPath)
	if err != nil {
		return "", fmt.Errorf("checking for sshd: %w", err)
	}
	if file != "" {
		f.Installed, f.InstalledEvidence = true, file+" exists"
		if pkgErr == nil {
			f.InstalledEvidence += " (no openssh-server package installed)"
		}
		return "", nil
	}
	f.InstalledEvidence = "no openssh-server package, no /usr/sbin/sshd and no " + sshdConfigPath
	return "", nil
}

var opensshVersionRE = regexp.MustCompile(`^(?:\d+:)?(\d+\.\d+(?:p\d+)?)`)

// opensshVersion turns a Debian package version ("1:9.2p1-2+deb12u3")
// into the upstream OpenSSH version ("9.2p1").
func opensshVersion(pkgVersion string) string {
	if m := opensshVersionRE.FindStringSubmatch(pkgVersion); m != nil {
		return m[1]
	}
	return ""
}

// sshdRefusedConfig tells a config sshd rejects (it names a line, or an
// option) from sshd being unable to run here at all.
func sshdRefusedConfig(err error) bool {
	msg := commandStderr(err)
	return strings.Contains(msg, " line ") || strings.Contains(msg, "Bad configuration option") ||
		strings.Contains(msg, "Unsupported option") || strings.Contains(msg, "terminating") && strings.Contains(msg, "bad configuration")
}

func commandStderr(err error) string {
	var ce *hostfs.CommandError
	if errors.As(err, &ce) && ce.Stderr != "" {
		return ce.Stderr
	}
	return err.Error()
}

// sshdPath makes a relative path from the config absolute the way sshd
// resolves it: relative to /etc/ssh.
func sshdPath(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return "/etc/ssh/" + p
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func collectPAM(h hostfs.Host, service string) PAMFacts {
	file := "/etc/pam.d/" + service
	stack, err := pamconf.LoadService(h, service)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return PAMFacts{Part: PartUnavailable(file + " does not exist"), File: file, Modules: []pamconf.Module{}}
		}
		return PAMFacts{Part: PartError(err), File: file, Modules: []pamconf.Module{}}
	}
	mods := []pamconf.Module(stack)
	if mods == nil {
		mods = []pamconf.Module{}
	}
	return PAMFacts{Part: PartOK(), File: file, Modules: mods}
}
