package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"

	"github.com/ztscan/ztscan/collectors/fwmodel"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/iptables"
	"github.com/ztscan/ztscan/collectors/nftables"
	"github.com/ztscan/ztscan/collectors/systemd"
)

// Persisted firewall configuration of an image.
const (
	nftablesConf  = "/etc/nftables.conf"
	iptablesRules = "/etc/iptables/rules.v4"
	ip6tableRules = "/etc/iptables/rules.v6"
)

// Firewall collects the host firewall: the kernel's ruleset on the live
// host (nft -j list ruleset, iptables-save and ip6tables-save of both
// backends, ufw's state), or on an offline root the ruleset it loads at
// boot (/etc/nftables.conf with its includes, /etc/iptables/rules.v4|v6,
// ufw's files). It then asks fwmodel what the input and forward hooks do
// with packets, so rules judge behaviour, not the presence of a package.
type Firewall struct {
	// loader parses an image's nftables.conf with the scanning machine's
	// nft; tests substitute one.
	loader interface {
		JSON(ctx context.Context, f *nftables.Flattened) ([]byte, error)
	}
}

// NewFirewall returns the "firewall" collector.
func NewFirewall() *Firewall { return &Firewall{loader: nftables.NewLoader()} }

// Name is the facts key.
func (*Firewall) Name() string { return "firewall" }

// FirewallSource is one origin of rules and what became of it.
type FirewallSource struct {
	Part
	// Name: nftables, iptables, ip6tables, iptables-legacy,
	// ip6tables-legacy, iptables-persistent-v4|v6, ufw-v4|v6.
	Name string `json:"name"`
	// Files are the files read (offline root), in order.
	Files []string `json:"files"`
	// Boot says how an offline root loads the source at boot
	// ("nftables.service is enabled"), or why it does not.
	Boot string `json:"boot,omitempty"`
	// Loaded: its tables are part of the evaluated ruleset.
	Loaded bool `json:"loaded"`
	Tables int  `json:"tables"`
}

// FirewallTable summarises one table.
type FirewallTable struct {
	Family string          `json:"family"`
	Name   string          `json:"name"`
	Source string          `json:"source"`
	Chains []FirewallChain `json:"chains"`
	Sets   []string        `json:"sets"`
}

// FirewallChain summarises one chain.
type FirewallChain struct {
	Name     string `json:"name"`
	Base     bool   `json:"base"`
	Type     string `json:"type,omitempty"`
	Hook     string `json:"hook,omitempty"`
	Priority int    `json:"priority"`
	Policy   string `json:"policy,omitempty"`
	Rules    int    `json:"rules"`
}

// Collect gathers the ruleset and derives the facts rules read.
func (c *Firewall) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	rs := &fwmodel.Ruleset{}
	var sources []FirewallSource
	var ufw iptables.UFWConfig
	var err error
	if h.Kind() == hostfs.KindRootfs {
		sources, ufw, err = c.persisted(ctx, h, rs)
	} else {
		sources, ufw, err = c.live(ctx, h, rs)
	}
	if err != nil {
		return nil, err
	}
	f := deriveFirewall(rs, sources, ufw, h.Kind())
	if h.Kind() != hostfs.KindRootfs {
		f.Listeners = listenerExposures(ctx, h, rs, f)
	}
	return f, nil
}

// live reads the kernel's ruleset through the host's own tools.
func (c *Firewall) live(ctx context.Context, h hostfs.Host, rs *fwmodel.Ruleset) ([]FirewallSource, iptables.UFWConfig, error) {
	var sources []FirewallSource
	readable := 0
	src := FirewallSource{Name: "nftables", Files: []string{}}
	out, err := h.Run(ctx, "nft", "-j", "list", "ruleset")
	switch {
	case err == nil:
		parsed, perr := nftables.Parse(out)
		if perr != nil {
			return nil, iptables.UFWConfig{}, fmt.Errorf("nft -j list ruleset: %w", perr)
		}
		rs.Tables = parsed.Tables
		src.Part, src.Loaded, src.Tables = PartOK(), true, len(parsed.Tables)
		readable++
	case notInstalled(err):
		src.Part = PartUnavailable("nft is not installed")
	case permissionDenied(err):
		return nil, iptables.UFWConfig{}, fmt.Errorf("reading the firewall needs root (CAP_NET_ADMIN): %w", err)
	default:
		return nil, iptables.UFWConfig{}, fmt.Errorf("nft -j list ruleset: %w", err)
	}
	sources = append(sources, src)
	backend := map[string]string{}
	for _, t := range []struct{ cmd, name, family string }{
		{"iptables-save", "iptables", "ipv4"}, {"ip6tables-save", "ip6tables", "ipv6"},
		{"iptables-legacy-save", "iptables-legacy", "ipv4"}, {"ip6tables-legacy-save", "ip6tables-legacy", "ipv6"},
	} {
		legacy := strings.Contains(t.cmd, "legacy")
		if legacy && backend[t.family] == "legacy" {
			// iptables-save already was the legacy one.
			sources = append(sources, FirewallSource{Name: t.name, Files: []string{}, Part: PartUnavailable("read by " + t.cmd[:strings.Index(t.cmd, "-legacy")] + "-save")})
			continue
		}
		s, be, err := liveSave(ctx, h, rs, t.cmd, t.name, t.family)
		if err != nil {
			return nil, iptables.UFWConfig{}, err
		}
		if !legacy {
			backend[t.family] = be
		}
		if s.Status == "ok" {
			readable++
		}
		sources = append(sources, s)
	}
	if readable == 0 {
		return nil, iptables.UFWConfig{}, Unavailable("cannot read the kernel's ruleset: neither nft nor iptables-save is installed")
	}
	ufw, err := iptables.ReadUFWConfig(h)
	if err != nil {
		return nil, ufw, err
	}
	return sources, ufw, nil
}

// liveSave reads one iptables-save flavour. Tables of the nf_tables
// backend are nftables tables too: they replace the nft view of the same
// table, whose xt expressions the evaluator cannot judge. A legacy backend
// with no table loaded contributes nothing.
func liveSave(ctx context.Context, h hostfs.Host, rs *fwmodel.Ruleset, cmd, name, family string) (FirewallSource, string, error) {
	src := FirewallSource{Name: name, Files: []string{}}
	if strings.Contains(cmd, "legacy") && !legacyTablesLoaded(h, family) {
		src.Part = PartUnavailable("no legacy x_tables table is loaded")
		return src, "", nil
	}
	out, err := h.Run(ctx, cmd)
	switch {
	case err == nil:
	case notInstalled(err):
		src.Part = PartUnavailable(cmd + " is not installed")
		return src, "", nil
	case permissionDenied(err):
		return src, "", fmt.Errorf("reading the firewall needs root (CAP_NET_ADMIN): %w", err)
	default:
		// iptables-nft-save refuses tables it did not make (a native
		// nft "table ip filter"): the nft view of them stands.
		src.Part = PartError(err)
		return src, "", nil
	}
	save, err := iptables.Parse(out, cmd, family, "")
	if err != nil {
		return src, "", err
	}
	nftFamily := "ip"
	if family == "ipv6" {
		nftFamily = "ip6"
	}
	for _, t := range save.Tables {
		if save.Backend == "legacy" || strings.Contains(cmd, "legacy") {
			t.Source = "iptables-legacy"
			if !hasEffect(t) {
				continue
			}
			rs.AddTable(t)
			src.Tables++
			continue
		}
		t.Source = "iptables-nft"
		if save.Incompatible[t.Name] {
			continue // a table made with nft: its nft view stands
		}
		if old := rs.Table(nftFamily, t.Name); old != nil {
			if !madeByIptables(old) {
				continue
			}
			*old = *t
			for _, ch := range old.Chains {
				ch.Table = old
			}
			src.Tables++
		} else if hasEffect(t) {
			// nft is not installed: iptables-nft is the only view.
			rs.AddTable(t)
			src.Tables++
		}
	}
	src.Part, src.Loaded = PartOK(), src.Tables > 0
	return src, save.Backend, nil
}

// madeByIptables says whether an nft table looks like iptables-nft's: its
// base chains carry the built-in chain names (INPUT, FORWARD, ...).
func madeByIptables(t *fwmodel.Table) bool {
	for _, c := range t.Chains {
		if c.Base && c.Name != strings.ToUpper(c.Hook) {
			return false
		}
	}
	return true
}

// hasEffect says whether an iptables table does anything: a rule, or a
// built-in chain whose policy is not ACCEPT.
func hasEffect(t *fwmodel.Table) bool {
	for _, c := range t.Chains {
		if len(c.Rules) > 0 || c.Base && c.Policy != "accept" {
			return true
		}
	}
	return false
}

// legacyTablesLoaded reads /proc/net/ip_tables_names: the legacy tables
// the kernel has (empty when only nf_tables is used).
func legacyTablesLoaded(h hostfs.Host, family string) bool {
	file := "/proc/net/ip_tables_names"
	if family == "ipv6" {
		file = "/proc/net/ip6_tables_names"
	}
	data, err := h.ReadFileLimit(file, 64<<10)
	return err == nil && strings.TrimSpace(string(data)) != ""
}

func notInstalled(err error) bool {
	return errors.Is(err, exec.ErrNotFound) || errors.Is(err, hostfs.ErrNotAllowed)
}

func permissionDenied(err error) bool {
	msg := strings.ToLower(commandStderr(err))
	return strings.Contains(msg, "operation not permitted") || strings.Contains(msg, "permission denied")
}

// persisted reads what an offline root loads at boot.
func (c *Firewall) persisted(ctx context.Context, h hostfs.Host, rs *fwmodel.Ruleset) ([]FirewallSource, iptables.UFWConfig, error) {
	units, _ := systemd.Load(h)
	var sources []FirewallSource

	nft := FirewallSource{Name: "nftables", Files: []string{}}
	if exists, err := regularFile(h, nftablesConf); err != nil {
		return nil, iptables.UFWConfig{}, err
	} else if !exists {
		nft.Part = PartUnavailable(nftablesConf + " does not exist")
	} else {
		nft.Boot, nft.Loaded = bootState(units, "nftables.service")
		flat, err := nftables.Flatten(h, nftablesConf)
		if err != nil {
			return nil, iptables.UFWConfig{}, err
		}
		nft.Files = flat.Files
		if nft.Loaded {
			out, err := c.loader.JSON(ctx, flat)
			if errors.Is(err, nftables.ErrUnavailable) {
				return nil, iptables.UFWConfig{}, Unavailable("%s cannot be evaluated: %v", nftablesConf, err)
			}
			if err != nil {
				return nil, iptables.UFWConfig{}, err
			}
			parsed, err := nftables.Parse(out)
			if err != nil {
				return nil, iptables.UFWConfig{}, fmt.Errorf("%s: %w", nftablesConf, err)
			}
			rs.Tables = append(rs.Tables, parsed.Tables...)
			nft.Tables = len(parsed.Tables)
		}
		nft.Part = PartOK()
	}
	sources = append(sources, nft)

	boot, loaded := bootState(units, "netfilter-persistent.service")
	for _, f := range []struct{ file, name, family string }{
		{iptablesRules, "iptables-persistent-v4", "ipv4"}, {ip6tableRules, "iptables-persistent-v6", "ipv6"},
	} {
		src := FirewallSource{Name: f.name, Files: []string{}, Boot: boot}
		exists, err := regularFile(h, f.file)
		if err != nil {
			return nil, iptables.UFWConfig{}, err
		}
		if !exists {
			src.Part = PartUnavailable(f.file + " does not exist")
			sources = append(sources, src)
			continue
		}
		data, err := h.ReadFileLimit(f.file, 16<<20)
		if err != nil {
			return nil, iptables.UFWConfig{}, fmt.Errorf("%s: %w", f.file, err)
		}
		save, err := iptables.Parse(data, f.file, f.family, "iptables-persistent")
		if err != nil {
			return nil, iptables.UFWConfig{}, err
		}
		src.Part, src.Files, src.Loaded = PartOK(), []string{f.file}, loaded
		if loaded {
			rs.Tables = append(rs.Tables, save.Tables...)
			src.Tables = len(save.Tables)
		}
		sources = append(sources, src)
	}

	ufw, err := iptables.ReadUFWConfig(h)
	if err != nil {
		return nil, ufw, err
	}
	for _, family := range []string{"ipv4", "ipv6"} {
		src := FirewallSource{Name: "ufw-" + map[string]string{"ipv4": "v4", "ipv6": "v6"}[family], Files: []string{}}
		switch {
		case !ufw.Installed:
			src.Part = PartUnavailable(iptables.UFWConf + " does not exist")
		case !ufw.Enabled:
			src.Part, src.Boot = PartOK(), "ENABLED=no in "+iptables.UFWConf
		case family == "ipv6" && !ufw.IPv6:
			src.Part, src.Boot = PartOK(), "IPV6=no in "+iptables.UFWDefaults
		default:
			src.Boot, src.Loaded = bootState(units, "ufw.service")
			src.Boot = "ENABLED=yes in " + iptables.UFWConf + "; " + src.Boot
			if src.Loaded {
				tables, files, err := iptables.BuildUFW(h, ufw, family)
				if err != nil {
					return nil, ufw, err
				}
				rs.Tables = append(rs.Tables, tables...)
				src.Files, src.Tables = files, len(tables)
			}
			src.Part = PartOK()
		}
		sources = append(sources, src)
	}
	return sources, ufw, nil
}

// bootState says whether a unit runs at boot, from its enablement links.
// Without a unit database (a bare image) the unit is taken as not run.
func bootState(units *systemd.Units, name string) (string, bool) {
	if units == nil {
		return "no systemd unit database: " + name + " is not started", false
	}
	u, ok := units.Unit(name)
	if !ok || u == nil {
		return name + " does not exist", false
	}
	if u.Masked {
		return name + " is masked", false
	}
	if u.Enabled {
		return name + " is enabled (" + u.EnabledHow + ")", true
	}
	return name + " is " + u.State, false
}

// regularFile reports whether path exists; something there that is not a
// regular file is an error naming it.
func regularFile(h hostfs.Host, path string) (bool, error) {
	fi, err := h.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if !fi.IsRegular() {
		return false, fmt.Errorf("%s: not a regular file", path)
	}
	return true, nil
}
