package collectors

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/config"
	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/rules"
)

// evalNet judges facts of the sockets and interfaces collectors (absent
// ones count as not run) with the built-in rules and the default config,
// and returns the verdicts of the NET rules by ID.
func evalNet(t *testing.T, fs map[string]any) map[string]rules.Verdict {
	t.Helper()
	snap := facts.Snapshot{SchemaVersion: facts.SchemaVersion, Target: facts.Target{Kind: "host", Root: "/"}, Facts: map[string]json.RawMessage{}}
	for name, v := range fs {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		snap.Facts[name] = raw
		snap.Collectors = append(snap.Collectors, facts.CollectorStatus{Name: name, Status: "ok"})
	}
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rules.Load(context.Background(), rules.Options{Config: cfg.Values})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := eng.Eval(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]rules.Verdict{}
	for _, o := range outs {
		if strings.HasPrefix(o.Rule.ID, "ZT-NET-") {
			got[o.Rule.ID] = o.Verdict
		}
	}
	return got
}

func interfaceByName(f InterfacesFacts) map[string]Interface {
	m := map[string]Interface{}
	for _, i := range f.Interfaces {
		m[i.Name] = i
	}
	return m
}

func TestInterfacesFixtures(t *testing.T) {
	type want struct {
		kind              string
		physical, adminUp bool
		carrier           string // "true", "false", "null"
		underlay, source  string
	}
	for _, tc := range []struct {
		name     string
		links    map[string]want
		verdicts map[string]string // rule ID -> status
		messages map[string]string // rule ID -> part of the message
	}{
		{
			name: "server",
			links: map[string]want{
				"lo":      {kind: "loopback", adminUp: true, carrier: "true"},
				"eth0":    {kind: "physical", physical: true, adminUp: true, carrier: "true"},
				"eth1":    {kind: "physical", physical: true, adminUp: true, carrier: "false"},
				"eth2":    {kind: "physical", physical: true, carrier: "null"},
				"wg0":     {kind: "wireguard", adminUp: true, carrier: "true", underlay: "eth0", source: "default_route"},
				"gre1":    {kind: "gre", adminUp: true, carrier: "true", underlay: "eth0", source: "link"},
				"ipip1":   {kind: "ipip", adminUp: true, carrier: "true", underlay: "eth0", source: "default_route"},
				"vxlan0":  {kind: "vxlan", adminUp: true, carrier: "true", underlay: "eth0", source: "default_route"},
				"ip6tnl1": {kind: "ip6tnl", adminUp: true, carrier: "true", underlay: "eth0", source: "default_route"},
				"br0":     {kind: "bridge", adminUp: true, carrier: "true"},
				"bond0":   {kind: "bond", adminUp: true, carrier: "true"},
				"vlan10":  {kind: "vlan", adminUp: true, carrier: "true"},
				"veth1a":  {kind: "veth", adminUp: true, carrier: "false"},
				"dummy0":  {kind: "virtual", adminUp: true, carrier: "true"},
				"tun0":    {kind: "tun", adminUp: true, carrier: "true"},
			},
			verdicts: map[string]string{"ZT-NET-004": "fail", "ZT-NET-005": "fail", "ZT-NET-006": "pass"},
			messages: map[string]string{
				"ZT-NET-004": "ipip1 (ipip) MTU 1500, underlay eth0 MTU 1500 - overhead 20 = 1480",
				// eth1 is physical, up, without carrier; veth1a is not judged.
				"ZT-NET-005": "without carrier: eth1",
				"ZT-NET-006": "eth0 MTU 1500 carries gre1, ip6tnl1, ipip1, vxlan0, wg0",
			},
		},
		{
			name: "noroute",
			links: map[string]want{
				"lo":  {kind: "loopback", adminUp: true, carrier: "true"},
				"wg0": {kind: "wireguard", adminUp: true, carrier: "true"},
			},
			verdicts: map[string]string{"ZT-NET-004": "error", "ZT-NET-005": "skip", "ZT-NET-006": "error"},
			messages: map[string]string{"ZT-NET-004": "wg0 (wireguard): no link device, no route"},
		},
		{
			name: "ipv6only",
			links: map[string]want{
				"lo":     {kind: "loopback", adminUp: true, carrier: "true"},
				"ens3":   {kind: "physical", physical: true, adminUp: true, carrier: "true"},
				"vxlan0": {kind: "vxlan", adminUp: true, carrier: "true", underlay: "ens3", source: "default_route"},
			},
			verdicts: map[string]string{"ZT-NET-004": "pass", "ZT-NET-005": "pass", "ZT-NET-006": "pass"},
			messages: map[string]string{"ZT-NET-006": "ens3 MTU 9000 carries vxlan0"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hostfs.Fixture(hostfs.KindHost, filepath.Join("testdata", "interfaces", tc.name), nil)
			f, err := CollectInterfaces(context.Background(), h)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "interfaces-"+tc.name, f)
			byName := interfaceByName(f)
			if len(byName) != len(tc.links) {
				t.Errorf("%d links, want %d (bonding_masters is not a link)", len(byName), len(tc.links))
			}
			for name, w := range tc.links {
				i, ok := byName[name]
				if !ok {
					t.Errorf("%s missing", name)
					continue
				}
				carrier := "null"
				if i.Carrier != nil {
					carrier = map[bool]string{true: "true", false: "false"}[*i.Carrier]
				}
				var underlay, source string
				if i.Tunnel != nil {
					underlay, source = i.Tunnel.Underlay, i.Tunnel.UnderlaySource
				}
				got := want{i.Kind, i.Physical, i.AdminUp, carrier, underlay, source}
				if got != w {
					t.Errorf("%s = %+v, want %+v", name, got, w)
				}
			}
			verdicts := evalNet(t, map[string]any{"interfaces": f})
			for id, status := range tc.verdicts {
				v := verdicts[id]
				if v.Status != status || !strings.Contains(v.Message, tc.messages[id]) {
					t.Errorf("%s = %s %q, want %s with %q", id, v.Status, v.Message, status, tc.messages[id])
				}
			}
		})
	}
}

func TestInterfacesRootfsUnavailable(t *testing.T) {
	h, err := hostfs.Rootfs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CollectInterfaces(context.Background(), h); !IsUnavailable(err) {
		t.Fatalf("err = %v, want Unavailable", err)
	}
}

func TestInterfacesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		wantErr string
		check   func(t *testing.T, f InterfacesFacts)
	}{
		{name: "no sysfs", files: map[string]string{"proc/net/route": "Iface\n"}, wantErr: "/sys/class/net"},
		{name: "garbage mtu", files: map[string]string{
			"sys/class/net/eth0/ifindex": "2\n", "sys/class/net/eth0/mtu": "lots\n",
		}, wantErr: "/sys/class/net/eth0/mtu: not an integer"},
		{name: "huge attribute", files: map[string]string{
			"sys/class/net/eth0/ifindex": "2\n", "sys/class/net/eth0/mtu": strings.Repeat("1", 10000),
		}, wantErr: "/sys/class/net/eth0/mtu"},
		{name: "garbage route table", files: map[string]string{
			"sys/class/net/wg0/ifindex": "5\n", "sys/class/net/wg0/mtu": "1420\n", "sys/class/net/wg0/type": "65534\n",
			"sys/class/net/wg0/flags": "0x1\n", "sys/class/net/wg0/operstate": "unknown\n", "sys/class/net/wg0/carrier": "1\n",
			"sys/class/net/wg0/uevent": "DEVTYPE=wireguard\n", "proc/net/route": "\x00\x01garbage",
		}, check: func(t *testing.T, f InterfacesFacts) {
			if f.Routes.Status != "error" || f.Interfaces[0].Tunnel.Status != "error" || !strings.Contains(f.Interfaces[0].Tunnel.Reason, "/proc/net/route") {
				t.Errorf("routes %+v, tunnel %+v: want errors naming /proc/net/route", f.Routes, f.Interfaces[0].Tunnel)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			f, err := CollectInterfaces(context.Background(), hostfs.Fixture(hostfs.KindHost, dir, nil))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, f)
		})
	}
}

// TestInterfacesLinkHealth: physical links carry speed, duplex and the
// error counters the driver keeps; a link without carrier has no speed
// (null, not 0), and virtual interfaces have no link record.
func TestInterfacesLinkHealth(t *testing.T) {
	h := hostfs.Fixture(hostfs.KindHost, "testdata/interfaces/server", nil)
	v, err := NewInterfaces().Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Interface{}
	for _, itf := range v.(InterfacesFacts).Interfaces {
		byName[itf.Name] = itf
	}
	eth0 := byName["eth0"].Link
	if eth0 == nil || eth0.Status != "ok" || eth0.SpeedMbps == nil || *eth0.SpeedMbps != 10000 || eth0.Duplex != "full" {
		t.Fatalf("eth0 link %+v", eth0)
	}
	if eth0.Counters["rx_crc_errors"] != 17 || eth0.Counters["rx_dropped"] != 3 {
		t.Errorf("eth0 counters %v", eth0.Counters)
	}
	if _, ok := eth0.Counters["rx_frame_errors"]; ok {
		t.Error("a counter the driver does not keep must be absent, not 0")
	}
	if eth1 := byName["eth1"].Link; eth1 == nil || eth1.SpeedMbps != nil {
		t.Errorf("eth1 (no carrier) must have no speed: %+v", eth1)
	}
	if byName["wg0"].Link != nil || byName["lo"].Link != nil {
		t.Error("virtual interfaces have no link health")
	}
}
