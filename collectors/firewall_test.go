package collectors

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/fwmodel"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/iptables"
	"github.com/ztscan/ztscan/collectors/nftables"
	"github.com/ztscan/ztscan/internal/fixture"
	"github.com/ztscan/ztscan/internal/testenv"
)

// requireNftLoad: loading an nftables ruleset into a throwaway namespace
// needs root, nft and ip (skip locally, fail in CI).
func requireNftLoad(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireTool(t, "nft")
	testenv.RequireTool(t, "ip")
}

func materialize(t *testing.T, name string) hostfs.Host {
	t.Helper()
	root := t.TempDir()
	if err := fixture.Materialize(filepath.Join("..", "fixtures", "images"), name, root); err != nil {
		t.Fatal(err)
	}
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func collectFirewall(t *testing.T, h hostfs.Host) (*FirewallFacts, error) {
	t.Helper()
	v, err := NewFirewall().Collect(context.Background(), h)
	if err != nil {
		return nil, err
	}
	return v.(*FirewallFacts), nil
}

// TestFirewallImages runs the collector on the fixture images and checks
// the derived facts the FW rules read.
func TestFirewallImages(t *testing.T) {
	cases := []struct {
		image                 string
		nft                   bool // needs the scanner's nft
		active                bool
		input, forward        string
		ssh, web, other       string // exposure of tcp/22, tcp/443, tcp/8080 (ipv4)
		loopback, established string
		icmp                  string
		loggedDrop            bool
	}{
		{image: "fw-nftables-hardened", nft: true, active: true, input: "drop", forward: "drop", ssh: "restricted", web: "accepted_from_any", other: "dropped",
			loopback: "yes", established: "yes", icmp: "rate_limited", loggedDrop: true},
		{image: "fw-ssh-open", nft: true, active: true, input: "drop", forward: "drop", ssh: "accepted_from_any", web: "accepted_from_any", other: "dropped",
			loopback: "yes", established: "yes", icmp: "rate_limited", loggedDrop: true},
		{image: "fw-forward-accept", nft: true, active: true, input: "drop", forward: "accept", ssh: "restricted", web: "accepted_from_any", other: "dropped",
			loopback: "yes", established: "yes", icmp: "rate_limited", loggedDrop: true},
		{image: "fw-no-loopback", nft: true, active: true, input: "drop", forward: "drop", ssh: "restricted", web: "accepted_from_any", other: "dropped",
			loopback: "no", established: "no", icmp: "rate_limited", loggedDrop: true},
		{image: "fw-stock-disabled", active: false, input: "accept", forward: "accept", ssh: "accepted_from_any", web: "accepted_from_any", other: "accepted_from_any",
			loopback: "yes", established: "yes", icmp: "accepted_unlimited"},
		{image: "fw-ufw", active: true, input: "drop", forward: "drop", ssh: "restricted", web: "accepted_from_any", other: "dropped",
			loopback: "yes", established: "yes", icmp: "accepted_unlimited", loggedDrop: true},
	}
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			if tc.nft {
				requireNftLoad(t)
			}
			f, err := collectFirewall(t, materialize(t, tc.image))
			if err != nil {
				t.Fatal(err)
			}
			exp := func(port int) string {
				e, ok := f.PortExposureOf("ipv4", "tcp", port)
				if !ok {
					return "missing"
				}
				return e.Status
			}
			got := []any{f.Active, f.Input["ipv4"].Policy, f.Forward["ipv4"].Policy, exp(22), exp(443), exp(8080),
				f.Loopback["ipv4"].Status, f.Established["ipv4"].Status, f.ICMP["ipv4"].Status, f.Input["ipv4"].LoggedDrop}
			want := []any{tc.active, tc.input, tc.forward, tc.ssh, tc.web, tc.other, tc.loopback, tc.established, tc.icmp, tc.loggedDrop}
			names := []string{"active", "input", "forward", "tcp/22", "tcp/443", "tcp/8080", "loopback", "established", "icmp", "logged drop"}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s = %v, want %v", names[i], got[i], want[i])
				}
			}
			if t.Failed() {
				t.Logf("input: %+v\nsources: %+v", f.Input["ipv4"], f.Sources)
			}
		})
	}
}

// TestFirewallBadInput: each broken input is an error naming its file.
func TestFirewallBadInput(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) hostfs.Host
		nft   bool
		want  []string
	}{
		{name: "include loop", setup: func(t *testing.T) hostfs.Host { return materialize(t, "fw-include-loop") },
			want: []string{"include loop", "/etc/nftables.conf"}},
		{name: "nft refuses", nft: true, setup: func(t *testing.T) hostfs.Host { return materialize(t, "fw-refused") },
			want: []string{"nft refuses", "/etc/nftables.d/10-web.nft:2:"}},
		{name: "1 GB nftables.conf", setup: func(t *testing.T) hostfs.Host {
			h := materialize(t, "fw-nftables-hardened")
			f, err := os.OpenFile(filepath.Join(h.Root(), "etc/nftables.conf"), os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(1 << 30); err != nil {
				t.Fatal(err)
			}
			f.Close()
			return h
		}, want: []string{"/etc/nftables.conf"}},
		{name: "truncated rules.v4", setup: func(t *testing.T) hostfs.Host {
			h := materialize(t, "fw-stock-disabled")
			dir := filepath.Join(h.Root(), "etc/iptables")
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, "rules.v4"), []byte("*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n"), 0o644)
			return h
		}, want: []string{"/etc/iptables/rules.v4:3", "not committed"}},
		{name: "nftables.conf is a FIFO", setup: func(t *testing.T) hostfs.Host {
			h := materialize(t, "fw-stock-disabled")
			p := filepath.Join(h.Root(), "etc/nftables.conf")
			os.Remove(p)
			if err := exec.Command("mkfifo", p).Run(); err != nil {
				t.Skip("mkfifo:", err)
			}
			return h
		}, want: []string{"/etc/nftables.conf", "not a regular file"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.nft {
				requireNftLoad(t)
			}
			_, err := collectFirewall(t, tc.setup(t))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

type unavailableLoader struct{}

func (unavailableLoader) JSON(context.Context, *nftables.Flattened) ([]byte, error) {
	return nil, nftables.ErrUnavailable
}

// TestFirewallNoPrivilege: an image whose ruleset the scanning machine
// cannot parse is unavailable, never guessed.
func TestFirewallNoPrivilege(t *testing.T) {
	c := &Firewall{loader: unavailableLoader{}}
	_, err := c.Collect(context.Background(), materialize(t, "fw-nftables-hardened"))
	if !IsUnavailable(err) || !strings.Contains(err.Error(), "/etc/nftables.conf") {
		t.Fatalf("err = %v, want unavailable naming /etc/nftables.conf", err)
	}
}

// bigSave is an iptables-save file of 2,000 rules, each naming its own
// port and half of them a source: the worst case for the per-port
// exposure intervals.
func bigSave() []byte {
	var b strings.Builder
	b.WriteString("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n")
	for i := 0; i < 1999; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "-A INPUT -s 10.%d.%d.0/24 -p tcp -m tcp --dport %d -j ACCEPT\n", i/256, i%256, 2000+i)
		} else {
			fmt.Fprintf(&b, "-A INPUT -p tcp -m tcp --dport %d -j ACCEPT\n", 2000+i)
		}
	}
	b.WriteString("COMMIT\n")
	return []byte(b.String())
}

func BenchmarkFirewallDerive2000Rules(b *testing.B) {
	save, err := iptables.Parse(bigSave(), "big", "ipv4", "test")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		rs := &fwmodel.Ruleset{Tables: save.Tables}
		deriveFirewall(rs, nil, iptables.UFWConfig{}, hostfs.KindRootfs)
	}
}
