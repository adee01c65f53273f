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
	"github.com/ztscan/ztscan/collectors/wgconf"
)

// wireguardDir is where wg-quick looks for NAME.conf.
const wireguardDir = "/etc/wireguard"

// WireGuard collects the wg-quick configurations, the modes and owners
// of the configs and of the key files they use, and (live host) the
// running interfaces from `wg show all dump`. No key ever enters facts:
// private keys, pre-shared keys and public keys are recorded as present.
type WireGuard struct{}

// NewWireGuard returns the wireguard collector.
func NewWireGuard() *WireGuard { return &WireGuard{} }

func (*WireGuard) Name() string { return "wireguard" }

// WireGuardFacts is facts.wireguard.
type WireGuardFacts struct {
	Installed         bool           `json:"installed"`
	InstalledEvidence string         `json:"installed_evidence"`
	ConfigDir         FileFacts      `json:"config_dir"`
	Configs           []WGConfigFile `json:"configs"`
	KeyFiles          []WGKeyFile    `json:"key_files"`
	// Server is true when a configuration sets ListenPort: peers connect
	// to this host. A running interface cannot tell (wg picks a random
	// port for a client too). ServerEvidence says which files decided.
	Server         bool   `json:"server"`
	ServerEvidence string `json:"server_evidence"`
	Live           WGLive `json:"live"`
}

// WGConfigFile is one /etc/wireguard/NAME.conf. Status "error": wg-quick
// would refuse it (Reason names file and line) or it cannot be read.
type WGConfigFile struct {
	Part
	Interface string         `json:"interface"`
	File      FileFacts      `json:"file"`
	Config    *wgconf.Config `json:"config"`
}

// WGKeyFile is a file holding key material: named by a hook
// (`wg set %i private-key FILE`) or found in /etc/wireguard.
type WGKeyFile struct {
	File         FileFacts `json:"file"`
	Kind         string    `json:"kind"` // private-key, preshared-key, key-like name
	ReferencedBy []string  `json:"referenced_by"`
}

// WGLive is the running state; unavailable on an offline root.
type WGLive struct {
	Part
	Interfaces []wgconf.LiveInterface `json:"interfaces"`
}

func (c *WireGuard) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &WireGuardFacts{Configs: []WGConfigFile{}, KeyFiles: []WGKeyFile{}, Live: WGLive{Interfaces: []wgconf.LiveInterface{}}}
	f.ConfigDir = DescribeFile(h, wireguardDir)
	if f.ConfigDir.Error != "" {
		return nil, fmt.Errorf("%s: %s", wireguardDir, f.ConfigDir.Error)
	}
	var entries []hostfs.DirEntry
	if f.ConfigDir.Exists {
		var err error
		if entries, err = h.ReadDir(wireguardDir); err != nil {
			return nil, fmt.Errorf("listing %s: %w", wireguardDir, err)
		}
	}
	keys := map[string]*WGKeyFile{}
	addKey := func(p, kind, ref string) {
		k := keys[p]
		if k == nil {
			k = &WGKeyFile{File: DescribeFile(h, p), Kind: kind, ReferencedBy: []string{}}
			keys[p] = k
		}
		if ref != "" {
			k.ReferencedBy = append(k.ReferencedBy, ref)
			if k.Kind == "key-like name" {
				k.Kind = kind
			}
		}
	}
	for _, e := range entries {
		p := path.Join(wireguardDir, e.Name)
		switch {
		case strings.HasSuffix(e.Name, ".conf") && len(e.Name) > len(".conf"):
			cf := collectWGConfig(h, p, strings.TrimSuffix(e.Name, ".conf"))
			if cf.Config != nil {
				for _, kf := range cf.Config.Interface.KeyFiles {
					addKey(kf.Path, kf.Kind, fmt.Sprintf("%s:%d", p, kf.Line))
				}
			}
			f.Configs = append(f.Configs, cf)
		case e.Type.IsRegular() && keyLikeName(e.Name):
			addKey(p, "key-like name", "")
		}
	}
	for _, p := range wgSortedKeys(keys) {
		f.KeyFiles = append(f.KeyFiles, *keys[p])
	}
	f.Live = liveWireGuard(ctx, h)
	wgInstalled(h, f)
	decideServer(f)
	return f, nil
}

func collectWGConfig(h hostfs.Host, p, iface string) WGConfigFile {
	cf := WGConfigFile{Interface: iface, File: DescribeFile(h, p)}
	data, err := h.ReadFile(p)
	if err != nil {
		cf.Part = PartError(err)
		return cf
	}
	cfg, err := wgconf.Parse(data, iface)
	if err != nil {
		var pe *wgconf.ParseError
		if errors.As(err, &pe) && pe.Line > 0 {
			cf.Part = PartError(fmt.Errorf("%s:%d: %s", p, pe.Line, pe.Msg))
		} else {
			cf.Part = PartError(fmt.Errorf("%s: %w", p, err))
		}
		return cf
	}
	cf.Part, cf.Config = PartOK(), cfg
	return cf
}

// keyLikeName says whether a file of /etc/wireguard looks like key
// material (privatekey, wg0.key, peer.psk), not a public key.
func keyLikeName(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "pub") {
		return false
	}
	return strings.Contains(n, "key") || strings.Contains(n, "priv") || strings.Contains(n, "psk") || strings.Contains(n, "preshared")
}

func liveWireGuard(ctx context.Context, h hostfs.Host) WGLive {
	live := WGLive{Interfaces: []wgconf.LiveInterface{}}
	if !h.CanRun() {
		live.Part = PartUnavailable("running interfaces are only known on the live host")
		return live
	}
	out, err := h.Run(ctx, "wg", "show", "all", "dump")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "executable file not found") {
			live.Part = PartUnavailable("wg is not installed: " + err.Error())
		} else {
			live.Part = PartError(fmt.Errorf("wg show all dump: %s", redactWG(commandStderr(err))))
		}
		return live
	}
	ifs, err := wgconf.ParseDump(out)
	if err != nil {
		live.Part = PartError(err)
		return live
	}
	live.Part, live.Interfaces = PartOK(), ifs
	return live
}

// redactWG keeps an error message of wg free of anything key-shaped.
func redactWG(s string) string {
	var out []string
	for _, w := range strings.Fields(s) {
		if len(w) >= 44 && strings.Contains(w, "=") {
			w = "<redacted>"
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

func wgInstalled(h hostfs.Host, f *WireGuardFacts) {
	if pkgs, err := InstalledPackages(h); err == nil {
		if name, p, ok := findPackage(pkgs, "wireguard-tools", "wireguard"); ok {
			f.Installed, f.InstalledEvidence = true, packageEvidence(name, p)
			return
		}
	}
	if len(f.Configs) > 0 {
		f.Installed, f.InstalledEvidence = true, fmt.Sprintf("%d configuration(s) in %s (no wireguard-tools package)", len(f.Configs), wireguardDir)
		return
	}
	if len(f.Live.Interfaces) > 0 {
		f.Installed, f.InstalledEvidence = true, "running WireGuard interfaces"
		return
	}
	f.InstalledEvidence = "no wireguard-tools package, no " + wireguardDir + "/*.conf and no running interface"
}

func decideServer(f *WireGuardFacts) {
	var why []string
	for _, c := range f.Configs {
		if c.Config != nil && c.Config.Interface.ListenPort != nil {
			why = append(why, fmt.Sprintf("%s.conf has ListenPort %d", c.Interface, *c.Config.Interface.ListenPort))
		}
	}
	sort.Strings(why)
	if len(why) > 0 {
		f.Server, f.ServerEvidence = true, strings.Join(why, "; ")
		return
	}
	f.ServerEvidence = "no configuration sets ListenPort"
}

func wgSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
