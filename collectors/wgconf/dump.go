package wgconf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// LiveInterface is one interface of `wg show all dump`, keys redacted.
type LiveInterface struct {
	Name          string     `json:"name"`
	HasPrivateKey bool       `json:"has_private_key"`
	ListenPort    int        `json:"listen_port"`
	FwMark        string     `json:"fwmark"`
	Peers         []LivePeer `json:"peers"`
}

// LivePeer is one peer of a live interface.
type LivePeer struct {
	HasPresharedKey bool     `json:"has_preshared_key"`
	Endpoint        string   `json:"endpoint,omitempty"`
	AllowedIPs      []string `json:"allowed_ips"`
	// LatestHandshake is Unix seconds (0: never).
	LatestHandshake     int64  `json:"latest_handshake"`
	PersistentKeepalive string `json:"persistent_keepalive"`
}

// ParseDump parses `wg show all dump`: an interface line has 5
// tab-separated fields (name, private key, public key, port, fwmark), a
// peer line 9 (name, public key, preshared key, endpoint, allowed ips,
// handshake, rx, tx, keepalive). Keys are read only to learn whether
// they are set.
func ParseDump(out []byte) ([]LiveInterface, error) {
	byName := map[string]*LiveInterface{}
	var order []string
	for i, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		switch len(f) {
		case 5:
			port, err := strconv.Atoi(f[3])
			if err != nil {
				return nil, fmt.Errorf("wg dump line %d: listen port %q", i+1, f[3])
			}
			byName[f[0]] = &LiveInterface{Name: f[0], HasPrivateKey: f[1] != "(none)", ListenPort: port, FwMark: f[4], Peers: []LivePeer{}}
			order = append(order, f[0])
		case 9:
			li := byName[f[0]]
			if li == nil {
				return nil, fmt.Errorf("wg dump line %d: peer of unknown interface %q", i+1, f[0])
			}
			hs, err := strconv.ParseInt(f[5], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("wg dump line %d: handshake %q", i+1, f[5])
			}
			p := LivePeer{HasPresharedKey: f[2] != "(none)", LatestHandshake: hs, PersistentKeepalive: f[8], AllowedIPs: []string{}}
			if f[3] != "(none)" {
				p.Endpoint = f[3]
			}
			if f[4] != "(none)" {
				for _, a := range strings.Split(f[4], ",") {
					if norm, err := normalizeAllowedIP(a); err == nil {
						p.AllowedIPs = append(p.AllowedIPs, norm)
					}
				}
			}
			li.Peers = append(li.Peers, p)
		default:
			return nil, fmt.Errorf("wg dump line %d: %d fields, want 5 or 9", i+1, len(f))
		}
	}
	sort.Strings(order)
	out2 := make([]LiveInterface, 0, len(order))
	for _, n := range order {
		out2 = append(out2, *byName[n])
	}
	return out2, nil
}
