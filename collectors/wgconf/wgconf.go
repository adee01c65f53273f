// Package wgconf parses WireGuard's wg-quick configuration files
// (/etc/wireguard/NAME.conf) and `wg show all dump`, keeping the shape of
// a tunnel and never its keys: a private key or pre-shared key is only
// ever recorded as present.
package wgconf

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Config is one wg-quick configuration file.
type Config struct {
	Interface Interface `json:"interface"`
	Peers     []Peer    `json:"peers"`
}

// Interface is the [Interface] section.
type Interface struct {
	Line          int      `json:"line"`
	ListenPort    *int     `json:"listen_port"`
	HasPrivateKey bool     `json:"has_private_key"`
	Addresses     []string `json:"addresses"`
	DNS           []string `json:"dns"`
	MTU           string   `json:"mtu,omitempty"`
	Table         string   `json:"table,omitempty"`
	FwMark        string   `json:"fwmark,omitempty"`
	SaveConfig    bool     `json:"save_config"`
	// Hooks are PreUp, PostUp, PreDown and PostDown commands: they run as
	// root when the tunnel changes state.
	Hooks []Hook `json:"hooks"`
	// KeyFiles are the files the hooks load keys from
	// (`wg set %i private-key FILE`, `preshared-key FILE`), %i replaced.
	KeyFiles []KeyFileRef `json:"key_files"`
}

// Hook is one PreUp/PostUp/PreDown/PostDown line.
type Hook struct {
	Key     string `json:"key"`
	Command string `json:"command"`
	Line    int    `json:"line"`
}

// KeyFileRef is a key file a hook names.
type KeyFileRef struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // private-key or preshared-key
	Line int    `json:"line"`
}

// Peer is one [Peer] section. Peers are identified by position and line:
// public keys are not secret, but nothing a rule judges needs them.
type Peer struct {
	Line                int      `json:"line"`
	HasPublicKey        bool     `json:"has_public_key"`
	HasPresharedKey     bool     `json:"has_preshared_key"`
	AllowedIPs          []string `json:"allowed_ips"`
	Endpoint            string   `json:"endpoint,omitempty"`
	PersistentKeepalive string   `json:"persistent_keepalive,omitempty"`
}

// ParseError is a line wg-quick or wg setconf would refuse.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// wgQuickKeys are the [Interface] keys wg-quick handles itself; it
// matches them case-sensitively and passes everything else to
// `wg setconf`, which matches case-insensitively.
var wgQuickKeys = map[string]bool{"Address": true, "DNS": true, "MTU": true, "Table": true, "PreUp": true, "PostUp": true, "PreDown": true, "PostDown": true, "SaveConfig": true}

var keyFileRE = regexp.MustCompile(`(private-key|preshared-key)\s+([^\s;&|<>()'"$]+)`)

// Parse parses a wg-quick file for interface iface (the file's base name,
// used for %i in hooks).
func Parse(data []byte, iface string) (*Config, error) {
	c := &Config{Interface: Interface{Addresses: []string{}, DNS: []string{}, Hooks: []Hook{}, KeyFiles: []KeyFileRef{}}, Peers: []Peer{}}
	section := ""
	sawInterface := false
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		if strings.IndexByte(raw, 0) >= 0 {
			return nil, &ParseError{n, "NUL byte in line"}
		}
		line := raw
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			switch strings.ToLower(strings.Join(strings.Fields(line), "")) {
			case "[interface]":
				if sawInterface {
					// wg setconf merges repeated sections; wg-quick too.
					section = "interface"
					continue
				}
				section, sawInterface = "interface", true
				c.Interface.Line = n
			case "[peer]":
				section = "peer"
				c.Peers = append(c.Peers, Peer{Line: n, AllowedIPs: []string{}})
			default:
				return nil, &ParseError{n, fmt.Sprintf("unknown section %q", line)}
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, &ParseError{n, "line is not KEY = VALUE"}
		}
		key = strings.TrimSpace(key)
		value = strings.TrimSpace(value)
		var err error
		switch section {
		case "interface":
			err = c.setInterface(key, value, n, iface)
		case "peer":
			err = setPeer(&c.Peers[len(c.Peers)-1], key, value)
		default:
			err = fmt.Errorf("%s outside of a section", key)
		}
		if err != nil {
			return nil, &ParseError{n, err.Error()}
		}
	}
	if !sawInterface && len(c.Peers) == 0 {
		return nil, &ParseError{0, "no [Interface] or [Peer] section"}
	}
	for _, p := range c.Peers {
		if !p.HasPublicKey {
			return nil, &ParseError{p.Line, "peer has no PublicKey"}
		}
	}
	sort.SliceStable(c.Interface.KeyFiles, func(i, j int) bool { return c.Interface.KeyFiles[i].Path < c.Interface.KeyFiles[j].Path })
	return c, nil
}

func (c *Config) setInterface(key, value string, line int, iface string) error {
	in := &c.Interface
	if wgQuickKeys[key] {
		switch key {
		case "Address":
			in.Addresses = append(in.Addresses, splitList(value)...)
		case "DNS":
			in.DNS = append(in.DNS, splitList(value)...)
		case "MTU":
			in.MTU = value
		case "Table":
			in.Table = value
		case "SaveConfig":
			in.SaveConfig = value == "true"
		default:
			in.Hooks = append(in.Hooks, Hook{Key: key, Command: value, Line: line})
			cmd := strings.ReplaceAll(value, "%i", iface)
			for _, m := range keyFileRE.FindAllStringSubmatch(cmd, -1) {
				if strings.HasPrefix(m[2], "/") {
					in.KeyFiles = append(in.KeyFiles, KeyFileRef{Path: m[2], Kind: m[1], Line: line})
				}
			}
		}
		return nil
	}
	value = stripSpace(value)
	switch strings.ToLower(key) {
	case "privatekey":
		if !isKey(value) {
			return fmt.Errorf("PrivateKey is not a base64 key")
		}
		in.HasPrivateKey = true
	case "listenport":
		p, err := strconv.ParseUint(value, 10, 16)
		if err != nil {
			return fmt.Errorf("ListenPort %q is not a port", value)
		}
		v := int(p)
		in.ListenPort = &v
	case "fwmark":
		in.FwMark = value
	default:
		return fmt.Errorf("unknown [Interface] key %q", key)
	}
	return nil
}

func setPeer(p *Peer, key, value string) error {
	value = stripSpace(value)
	switch strings.ToLower(key) {
	case "publickey":
		if !isKey(value) {
			return fmt.Errorf("PublicKey is not a base64 key")
		}
		p.HasPublicKey = true
	case "presharedkey":
		if !isKey(value) {
			return fmt.Errorf("PresharedKey is not a base64 key")
		}
		p.HasPresharedKey = true
	case "allowedips":
		for _, a := range splitList(value) {
			norm, err := normalizeAllowedIP(a)
			if err != nil {
				return err
			}
			p.AllowedIPs = append(p.AllowedIPs, norm)
		}
	case "endpoint":
		p.Endpoint = value
	case "persistentkeepalive":
		p.PersistentKeepalive = value
	default:
		return fmt.Errorf("unknown [Peer] key %q", key)
	}
	return nil
}

// normalizeAllowedIP is the network of an AllowedIPs entry in CIDR form
// (a bare address is a host route, as wg reads it).
func normalizeAllowedIP(s string) (string, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", fmt.Errorf("AllowedIPs entry %q is not an address", s)
		}
		return netip.PrefixFrom(a, a.BitLen()).String(), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", fmt.Errorf("AllowedIPs entry %q is not a CIDR", s)
	}
	return p.Masked().String(), nil
}

// isKey reports whether s looks like a WireGuard key (32 bytes, base64):
// only the shape is checked, the value is never kept.
func isKey(s string) bool { return len(s) == 44 && strings.HasSuffix(s, "=") }

// stripSpace removes all whitespace, as wg's config parser does.
func stripSpace(s string) string { return strings.Join(strings.Fields(s), "") }

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
