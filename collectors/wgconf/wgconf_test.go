package wgconf

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Keys of the test files: never expected in any output.
const (
	testPrivateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
	testPSK        = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE="
	testPublicKey  = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
)

const serverConf = `[Interface]
# wg0: the VPN server
Address = 10.8.0.1/24, fd00:8::1/64
ListenPort = 51820
PrivateKey = ` + testPrivateKey + `
PostUp = wg set %i private-key /etc/wireguard/%i.key; iptables -A FORWARD -i %i -j ACCEPT
PostDown = iptables -D FORWARD -i %i -j ACCEPT
SaveConfig = false

[Peer]
PublicKey = ` + testPublicKey + `
PresharedKey = ` + testPSK + `
AllowedIPs = 10.8.0.2/32,fd00:8::2/128
Endpoint = 198.51.100.7:51820
PersistentKeepalive = 25

[peer]
publickey=` + testPublicKey + `
allowedips = 0.0.0.0/0, ::/0 # full tunnel
`

func TestParseServer(t *testing.T) {
	c, err := Parse([]byte(serverConf), "wg0")
	if err != nil {
		t.Fatal(err)
	}
	port := 51820
	want := &Config{
		Interface: Interface{Line: 1, ListenPort: &port, HasPrivateKey: true, Addresses: []string{"10.8.0.1/24", "fd00:8::1/64"}, DNS: []string{},
			Hooks: []Hook{
				{Key: "PostUp", Command: "wg set %i private-key /etc/wireguard/%i.key; iptables -A FORWARD -i %i -j ACCEPT", Line: 6},
				{Key: "PostDown", Command: "iptables -D FORWARD -i %i -j ACCEPT", Line: 7},
			},
			KeyFiles: []KeyFileRef{{Path: "/etc/wireguard/wg0.key", Kind: "private-key", Line: 6}},
		},
		Peers: []Peer{
			{Line: 10, HasPublicKey: true, HasPresharedKey: true, AllowedIPs: []string{"10.8.0.2/32", "fd00:8::2/128"}, Endpoint: "198.51.100.7:51820", PersistentKeepalive: "25"},
			{Line: 17, HasPublicKey: true, AllowedIPs: []string{"0.0.0.0/0", "::/0"}},
		},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Error(diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[Interface]\nFoo = 1\n", `line 2: unknown [Interface] key "Foo"`},
		{"[Interface]\npostup = echo\n", `line 2: unknown [Interface] key "postup"`},
		{"ListenPort = 1\n", "line 1: ListenPort outside of a section"},
		{"[Interface]\nListenPort = 70000\n", "line 2: ListenPort"},
		{"[Interface]\n[Peer]\nAllowedIPs = 10.0.0.0/8\n", "line 2: peer has no PublicKey"},
		{"[Peer]\nPublicKey = " + testPublicKey + "\nAllowedIPs = 10.0.0.300/8\n", "line 3: AllowedIPs entry"},
		{"[Interface]\nPrivateKey = short\n", "line 2: PrivateKey is not a base64 key"},
		{"[Tunnel]\n", "line 1: unknown section"},
		{"[Interface]\nnot a pair\n", "line 2: line is not KEY = VALUE"},
		{"\x7fELF\x02\x01\x01\x00\xff\n", "line 1"},
		{"# only a comment\n", "no [Interface] or [Peer] section"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.in), "wg0")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), testPrivateKey) || strings.Contains(err.Error(), "short")) {
			t.Errorf("error leaks a key: %v", err)
		}
	}
}

func TestParseDump(t *testing.T) {
	dump := "wg0\t" + testPrivateKey + "\t" + testPublicKey + "\t51820\toff\n" +
		"wg0\t" + testPublicKey + "\t" + testPSK + "\t198.51.100.7:51820\t10.8.0.2/32,fd00:8::2/128\t1700000000\t100\t200\t25\n" +
		"wg0\t" + testPublicKey + "\t(none)\t(none)\t0.0.0.0/0\t0\t0\t0\toff\n" +
		"wg1\t(none)\t(none)\t0\toff\n"
	got, err := ParseDump([]byte(dump))
	if err != nil {
		t.Fatal(err)
	}
	want := []LiveInterface{
		{Name: "wg0", HasPrivateKey: true, ListenPort: 51820, FwMark: "off", Peers: []LivePeer{
			{HasPresharedKey: true, Endpoint: "198.51.100.7:51820", AllowedIPs: []string{"10.8.0.2/32", "fd00:8::2/128"}, LatestHandshake: 1700000000, PersistentKeepalive: "25"},
			{AllowedIPs: []string{"0.0.0.0/0"}, PersistentKeepalive: "off"},
		}},
		{Name: "wg1", FwMark: "off", Peers: []LivePeer{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
	for _, bad := range []string{"wg0\tx\n", "wg9\ta\tb\tc\td\t0\t0\t0\t0\n", "wg0\ta\tb\tport\toff\n"} {
		if _, err := ParseDump([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// FuzzParse: any input parses or fails with a line; no key-shaped value
// of the input ever reaches the result.
func FuzzParse(f *testing.F) {
	f.Add([]byte(serverConf))
	f.Add([]byte("[Interface]\nPrivateKey=" + testPrivateKey + "\n[Peer]\nPublicKey=" + testPublicKey + "\nAllowedIPs=10.0.0.1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "wg0")
		if err != nil {
			return
		}
		out := strings.Join(append(append([]string{}, c.Interface.Addresses...), c.Interface.DNS...), " ")
		for _, p := range c.Peers {
			out += " " + strings.Join(p.AllowedIPs, " ")
		}
		for _, k := range []string{testPrivateKey, testPSK} {
			if strings.Contains(string(data), k) && strings.Contains(out, k) {
				t.Fatalf("key in output: %s", out)
			}
		}
	})
}

// FuzzParseDump: any `wg show all dump` output parses or fails cleanly.
func FuzzParseDump(f *testing.F) {
	f.Add([]byte("wg0\t" + testPrivateKey + "\t" + testPublicKey + "\t51820\toff\nwg0\t" + testPublicKey + "\t(none)\t(none)\t0.0.0.0/0\t0\t0\t0\toff\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, err := ParseDump(data)
		if err == nil {
			for _, i := range ifs {
				if strings.Contains(i.Name+i.FwMark, testPrivateKey) {
					t.Fatal("key in output")
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[Interface]\nListenPort = 51820\nPrivateKey = " + testPrivateKey + "\n")
	for i := 0; i < 1000; i++ {
		sb.WriteString("\n[Peer]\nPublicKey = " + testPublicKey + "\nPresharedKey = " + testPSK + "\nAllowedIPs = 10.8.3.4/32, fd00:8::3:4/128\nEndpoint = 198.51.100.7:51820\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "wg0"); err != nil {
			b.Fatal(err)
		}
	}
}
