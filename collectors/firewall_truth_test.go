package collectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/fwmodel"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/iptables"
	"github.com/ztscan/ztscan/internal/testenv"
)

// The packet-truth test: two network namespaces, a server and a peer,
// joined by two veth pairs (the "public" link veth-s/veth-c and a
// management link mgmt-s/mgmt-c). Each ruleset is loaded into the
// server's namespace with the real tools (nft, iptables-restore of both
// backends, ufw-init), read back the way the live collector reads it, and
// every probe (port x source x link) is evaluated by fwmodel and then
// sent for real from the peer. The evaluator's verdict must be what
// happened to the packets: accept = connected, drop = timed out, reject =
// refused at once.

var truthPorts = []int{22, 80, 443, 5432, 8080}

type truthSource struct {
	family string
	src    string // address on the peer
	dst    string // server address on the same link
	iif    string // server interface the packet arrives on
}

var truthSources = []truthSource{
	{"ipv4", "10.99.0.2", "10.99.0.1", "veth-s"},
	{"ipv4", "10.99.0.3", "10.99.0.1", "veth-s"},
	{"ipv4", "10.98.0.2", "10.98.0.1", "mgmt-s"},
	{"ipv6", "fd99::2", "fd99::1", "veth-s"},
	{"ipv6", "fd98::2", "fd98::1", "mgmt-s"},
}

type truthCase struct {
	name string
	// load puts the ruleset into namespace ns.
	load func(t *testing.T, ns string)
	// want pins a few verdicts ("ipv4 10.99.0.3 22" -> "accept") so that a
	// case cannot pass by both sides being wrong alike.
	want map[string]string
	ping bool
}

func nftFile(name string) func(t *testing.T, ns string) {
	return func(t *testing.T, ns string) {
		nsRun(t, ns, nil, "nft", "-f", filepath.Join("testdata", "firewall", name))
	}
}

func restoreFile(tool, name string) func(t *testing.T, ns string) {
	return func(t *testing.T, ns string) {
		data, err := os.ReadFile(filepath.Join("testdata", "firewall", name))
		if err != nil {
			t.Fatal(err)
		}
		nsRun(t, ns, data, tool)
	}
}

var truthCases = []truthCase{
	{name: "policy-drop", load: nftFile("policy-drop.nft"), want: map[string]string{"ipv4 10.99.0.2 80": "accept", "ipv4 10.99.0.2 22": "drop"}},
	{name: "final-reject", load: nftFile("final-reject.nft"), want: map[string]string{"ipv6 fd99::2 443": "accept", "ipv4 10.99.0.2 22": "reject"}},
	{name: "jump-user-chains", load: nftFile("jump-user-chains.nft"), want: map[string]string{"ipv4 10.99.0.3 22": "accept", "ipv4 10.99.0.2 22": "reject", "ipv4 10.99.0.2 443": "accept"}},
	{name: "goto-return", load: nftFile("goto-return.nft"), want: map[string]string{"ipv4 10.98.0.2 22": "accept", "ipv4 10.99.0.2 22": "drop", "ipv4 10.99.0.2 5432": "accept"}},
	{name: "named-sets", load: nftFile("named-sets.nft"), want: map[string]string{"ipv4 10.99.0.3 22": "accept", "ipv4 10.99.0.2 22": "drop", "ipv6 fd99::2 8080": "accept"}},
	{name: "source-ssh", load: nftFile("source-ssh.nft"), want: map[string]string{"ipv4 10.99.0.3 22": "accept", "ipv6 fd98::2 22": "accept", "ipv6 fd99::2 22": "drop"}},
	{name: "iifname-ssh", load: nftFile("iifname-ssh.nft"), want: map[string]string{"ipv4 10.98.0.2 22": "accept", "ipv4 10.99.0.3 22": "drop", "ipv4 10.99.0.2 80": "accept", "ipv4 10.98.0.2 80": "drop"}},
	{name: "established-first", load: nftFile("established-first.nft"), want: map[string]string{"ipv4 10.99.0.2 443": "accept", "ipv4 10.99.0.2 5432": "drop", "ipv4 10.99.0.2 8080": "accept"}},
	{name: "icmp-limit", load: nftFile("icmp-limit.nft"), ping: true, want: map[string]string{"ipv4 10.99.0.2 ping": "accept", "ipv4 10.99.0.2 22": "accept"}},
	{name: "ipv6-only-table", load: nftFile("ipv6-only-table.nft"), want: map[string]string{"ipv6 fd98::2 22": "accept", "ipv6 fd99::2 22": "drop", "ipv4 10.99.0.2 22": "accept"}},
	{name: "vmap", load: nftFile("vmap.nft"), want: map[string]string{"ipv4 10.99.0.3 22": "accept", "ipv4 10.99.0.2 22": "drop", "ipv6 fd98::2 22": "accept"}},
	{name: "ranges", load: nftFile("ranges.nft"), want: map[string]string{"ipv4 10.99.0.2 8080": "drop", "ipv4 10.99.0.3 8080": "accept", "ipv4 10.99.0.2 22": "accept", "ipv4 10.99.0.2 443": "drop"}},
	{name: "negation", load: nftFile("negation.nft"), want: map[string]string{"ipv4 10.99.0.3 22": "accept", "ipv4 10.99.0.2 22": "drop", "ipv4 10.98.0.2 5432": "accept", "ipv4 10.99.0.2 8080": "reject"}},
	{name: "two-base-chains", load: nftFile("two-base-chains.nft"), want: map[string]string{"ipv4 10.99.0.2 5432": "drop", "ipv4 10.99.0.2 80": "accept"}},
	{name: "prerouting-drop", load: nftFile("prerouting-drop.nft"), want: map[string]string{"ipv4 10.99.0.2 5432": "drop", "ipv4 10.98.0.2 8080": "drop", "ipv4 10.99.0.2 8080": "accept"}},
	{name: "meta-l4proto", load: nftFile("meta-l4proto.nft"), want: map[string]string{"ipv4 10.99.0.2 8080": "accept", "ipv4 10.99.0.2 22": "drop", "ipv6 fd99::2 22": "accept"}},
	{name: "log-counter", load: nftFile("log-counter.nft"), want: map[string]string{"ipv4 10.99.0.2 80": "accept", "ipv4 10.99.0.2 443": "drop"}},
	{name: "limit-over", load: nftFile("limit-over.nft"), want: map[string]string{"ipv4 10.99.0.2 80": "accept", "ipv4 10.99.0.2 443": "accept"}},
	{name: "anon-prefix-set", load: nftFile("anon-prefix-set.nft"), want: map[string]string{"ipv4 10.98.0.2 5432": "accept", "ipv4 10.99.0.2 5432": "drop", "ipv6 fd99::2 22": "accept"}},
	{name: "iptables-nft", load: restoreFile("iptables-restore", "iptables-nft.rules"), want: map[string]string{"ipv4 10.99.0.3 22": "accept", "ipv4 10.99.0.2 22": "drop", "ipv4 10.98.0.2 5432": "accept", "ipv4 10.99.0.2 8080": "reject"}},
	{name: "ip6tables-nft", load: restoreFile("ip6tables-restore", "ip6tables-nft.rules"), want: map[string]string{"ipv6 fd98::2 22": "accept", "ipv6 fd99::2 22": "reject", "ipv6 fd99::2 80": "drop"}},
	{name: "iptables-legacy", load: restoreFile("iptables-legacy-restore", "iptables-legacy.rules"), want: map[string]string{"ipv4 10.98.0.2 22": "accept", "ipv4 10.99.0.2 22": "drop", "ipv4 10.99.0.2 8080": "reject"}},
	{name: "nft-plus-iptables", load: func(t *testing.T, ns string) {
		nftFile("nft-plus-iptables.nft")(t, ns)
		restoreFile("iptables-restore", "nft-plus-iptables.rules")(t, ns)
	}, want: map[string]string{"ipv4 10.99.0.2 5432": "drop", "ipv4 10.99.0.2 8080": "drop", "ipv4 10.99.0.2 22": "drop", "ipv4 10.99.0.3 22": "accept"}},
	{name: "ufw", load: loadUFW, ping: true, want: map[string]string{"ipv4 10.99.0.3 22": "drop", "ipv4 10.99.0.2 443": "accept", "ipv4 10.99.0.2 22": "drop", "ipv4 10.99.0.2 ping": "accept"}},
}

func TestFirewallPacketTruth(t *testing.T) {
	requireNftLoad(t)
	for _, tool := range []string{"iptables-restore", "ip6tables-restore", "iptables-legacy-restore"} {
		requireTestTool(t, tool)
	}
	if _, err := os.Stat("/lib/ufw/ufw-init"); err != nil {
		requireTestTool(t, "ufw")
	}
	if len(truthCases) < 20 {
		t.Fatalf("only %d rulesets", len(truthCases))
	}
	for _, tc := range truthCases {
		t.Run(tc.name, func(t *testing.T) {
			server, peer := setupTruthNamespaces(t)
			tc.load(t, server)
			listen(t, server)
			rs := readLiveRuleset(t, server)
			checkTruth(t, tc, rs, peer)
			if tc.name == "ufw" {
				checkUFWAssembly(t, rs)
			}
		})
	}
}

// requireTestTool is testenv.RequireTool (skip locally, fail in CI).
func requireTestTool(t *testing.T, name string) {
	t.Helper()
	testenv.RequireTool(t, name)
}

var nsSeq int

func setupTruthNamespaces(t *testing.T) (server, peer string) {
	t.Helper()
	nsSeq++
	server = fmt.Sprintf("ztfw-s-%d-%d", os.Getpid(), nsSeq)
	peer = fmt.Sprintf("ztfw-c-%d-%d", os.Getpid(), nsSeq)
	for _, ns := range []string{server, peer} {
		run(t, nil, "ip", "netns", "add", ns)
		ns := ns
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", ns).Run() })
	}
	for _, link := range []struct{ s, c, s4, c4, s6, c6 string }{
		{"veth-s", "veth-c", "10.99.0.1/24", "10.99.0.2/24", "fd99::1/64", "fd99::2/64"},
		{"mgmt-s", "mgmt-c", "10.98.0.1/24", "10.98.0.2/24", "fd98::1/64", "fd98::2/64"},
	} {
		run(t, nil, "ip", "link", "add", link.s, "netns", server, "type", "veth", "peer", "name", link.c, "netns", peer)
		nsRun(t, server, nil, "ip", "addr", "add", link.s4, "dev", link.s)
		nsRun(t, server, nil, "ip", "addr", "add", link.s6, "dev", link.s, "nodad")
		nsRun(t, peer, nil, "ip", "addr", "add", link.c4, "dev", link.c)
		nsRun(t, peer, nil, "ip", "addr", "add", link.c6, "dev", link.c, "nodad")
		nsRun(t, server, nil, "ip", "link", "set", link.s, "up")
		nsRun(t, peer, nil, "ip", "link", "set", link.c, "up")
		// Static neighbours: neighbour discovery is ICMPv6 that a
		// ruleset may drop, which is not what the probes test.
		smac := linkMAC(t, server, link.s)
		cmac := linkMAC(t, peer, link.c)
		nsRun(t, server, nil, "ip", "-6", "neigh", "replace", strings.Split(link.c6, "/")[0], "lladdr", cmac, "dev", link.s, "nud", "permanent")
		nsRun(t, peer, nil, "ip", "-6", "neigh", "replace", strings.Split(link.s6, "/")[0], "lladdr", smac, "dev", link.c, "nud", "permanent")
	}
	nsRun(t, peer, nil, "ip", "addr", "add", "10.99.0.3/24", "dev", "veth-c")
	// ICMP errors (the rejections) are rate-limited per destination;
	// parallel probes would see a rejection as a drop.
	nsRun(t, server, nil, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0")
	nsRun(t, server, nil, "ip", "link", "set", "lo", "up")
	nsRun(t, peer, nil, "ip", "link", "set", "lo", "up")
	return server, peer
}

func linkMAC(t *testing.T, ns, dev string) string {
	out := nsRun(t, ns, nil, "cat", "/sys/class/net/"+dev+"/address")
	return strings.TrimSpace(string(out))
}

func run(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func nsRun(t *testing.T, ns string, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	return run(t, stdin, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// inNamespace runs f on an OS thread switched into namespace ns; sockets
// f opens belong to ns for good.
func inNamespace(ns string, f func() error) error {
	runtime.LockOSThread()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer self.Close()
	target, err := os.Open("/run/netns/" + ns)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	ferr := f()
	if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err != nil {
		// The thread stays locked and dies with the goroutine.
		return err
	}
	runtime.UnlockOSThread()
	return ferr
}

// listen opens dual-stack listeners on every probe port in ns.
func listen(t *testing.T, ns string) {
	t.Helper()
	for _, port := range truthPorts {
		var l net.Listener
		err := inNamespace(ns, func() error {
			var err error
			l, err = net.Listen("tcp", fmt.Sprintf("[::]:%d", port))
			return err
		})
		if err != nil {
			t.Fatalf("listen %d in %s: %v", port, ns, err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
}

// nsRunner answers the live collector's commands by running them in ns.
type nsRunner struct{ ns string }

func (r nsRunner) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	bin, err := hostfs.LookPath(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", r.ns, bin}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &hostfs.CommandError{Path: bin, Args: args, Err: err, Stderr: stderr.String()}
	}
	return out, nil
}

// readLiveRuleset reads ns's ruleset through the live collector's path.
func readLiveRuleset(t *testing.T, ns string) *fwmodel.Ruleset {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "proc/net"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ip_tables_names", "ip6_tables_names"} {
		data := nsRun(t, ns, nil, "sh", "-c", "cat /proc/net/"+f+" 2>/dev/null || true")
		os.WriteFile(filepath.Join(dir, "proc/net", f), data, 0o644)
	}
	h := hostfs.Fixture(hostfs.KindHost, dir, nsRunner{ns})
	rs := &fwmodel.Ruleset{}
	if _, _, err := NewFirewall().live(context.Background(), h, rs); err != nil {
		t.Fatalf("reading the ruleset of %s: %v", ns, err)
	}
	return rs
}

// observe sends one probe from the peer namespace.
func observe(peer string, s truthSource, port int) string {
	var result string
	err := inNamespace(peer, func() error {
		// 1.5 s: an ICMPv6 rejection that arrives while connect() still
		// holds the socket is only a soft error, reported when the SYN is
		// retransmitted (after 1 s); a drop never answers.
		d := net.Dialer{Timeout: 1500 * time.Millisecond, LocalAddr: &net.TCPAddr{IP: net.ParseIP(s.src)}}
		c, err := d.Dial("tcp", net.JoinHostPort(s.dst, fmt.Sprint(port)))
		switch {
		case err == nil:
			c.Close()
			result = "accept"
		case errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EACCES):
			result = "reject"
		case isTimeout(err):
			result = "drop"
		default:
			result = "error: " + err.Error()
		}
		return nil
	})
	if err != nil {
		return "error: " + err.Error()
	}
	return result
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// ping sends one ICMP echo request from the peer namespace over a raw
// socket and waits for the reply.
func ping(peer string, s truthSource) string {
	result := "drop"
	err := inNamespace(peer, func() error {
		network, typ := "ip4:icmp", byte(8)
		if s.family == "ipv6" {
			network, typ = "ip6:ipv6-icmp", 128
		}
		c, err := net.ListenPacket(network, s.src)
		if err != nil {
			return err
		}
		defer c.Close()
		msg := []byte{typ, 0, 0, 0, 0x5a, 0x54, 0, 1, 'z', 't', 's', 'c'}
		if s.family == "ipv4" {
			sum := icmpChecksum(msg)
			msg[2], msg[3] = byte(sum>>8), byte(sum)
		} // the kernel fills in the ICMPv6 checksum
		if _, err := c.WriteTo(msg, &net.IPAddr{IP: net.ParseIP(s.dst)}); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 1500)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return nil // timed out: dropped
			}
			reply := byte(0)
			if s.family == "ipv6" {
				reply = 129
			}
			if from.String() == s.dst && n >= 8 && buf[0] == reply && buf[4] == 0x5a {
				result = "accept"
				return nil
			}
		}
	})
	if err != nil {
		return "error: " + err.Error()
	}
	return result
}

func icmpChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// predict is the evaluator's verdict for a concrete packet, or why it has
// none.
func predict(rs *fwmodel.Ruleset, p fwmodel.Packet) string {
	res := rs.Evaluate(p, fwmodel.InputHooks)
	if len(res.Outcomes) != 1 {
		return fmt.Sprintf("%d outcomes", len(res.Outcomes))
	}
	o := res.Outcomes[0]
	if len(o.Uncertain) > 0 {
		return "uncertain: " + strings.Join(o.Uncertain, "; ")
	}
	return o.Verdict
}

func checkTruth(t *testing.T, tc truthCase, rs *fwmodel.Ruleset, peer string) {
	t.Helper()
	type probe struct {
		key       string
		predicted string
		observed  string
	}
	var probes []*probe
	var wg sync.WaitGroup
	for _, s := range truthSources {
		for _, port := range truthPorts {
			p := fwmodel.Packet{Family: s.family, L4Proto: "tcp", Dport: port, Saddr: netip.MustParseAddr(s.src), Daddr: netip.MustParseAddr(s.dst), Iif: s.iif}
			pr := &probe{key: fmt.Sprintf("%s %s %d", s.family, s.src, port), predicted: predict(rs, p)}
			probes = append(probes, pr)
			wg.Add(1)
			go func() { defer wg.Done(); pr.observed = observe(peer, s, port) }()
		}
		if tc.ping {
			proto := "icmp"
			if s.family == "ipv6" {
				proto = "ipv6-icmp"
			}
			p := fwmodel.Packet{Family: s.family, L4Proto: proto, ICMPType: "echo-request", Saddr: netip.MustParseAddr(s.src), Daddr: netip.MustParseAddr(s.dst), Iif: s.iif}
			pr := &probe{key: fmt.Sprintf("%s %s ping", s.family, s.src), predicted: predict(rs, p)}
			probes = append(probes, pr)
			wg.Add(1)
			go func() { defer wg.Done(); pr.observed = ping(peer, s) }()
		}
	}
	wg.Wait()
	seen := map[string]string{}
	for _, pr := range probes {
		seen[pr.key] = pr.observed
		observed := pr.observed
		if strings.HasSuffix(pr.key, "ping") && pr.predicted == "reject" {
			observed = strings.Replace(observed, "drop", "reject", 1) // ping cannot tell a rejection from a drop
		}
		if pr.predicted != observed {
			t.Errorf("%s: evaluator says %s, the packets were %s", pr.key, pr.predicted, pr.observed)
		}
	}
	for k, want := range tc.want {
		if seen[k] != want {
			t.Errorf("%s: packets were %q, the case expects %q", k, seen[k], want)
		}
	}
}

// loadUFW starts ufw's own init script in ns on the fw-ufw fixture's
// configuration (--datadir), so the ruleset is the one ufw generates.
func loadUFW(t *testing.T, ns string) {
	t.Helper()
	data := t.TempDir()
	if err := exec.Command("cp", "-a", filepath.Join("..", "fixtures", "images", "fw-ufw", "root", "etc"), data).Run(); err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(data, "etc", "default", "ufw")
	b, err := os.ReadFile(def)
	if err != nil {
		t.Fatal(err)
	}
	// ufw would apply its sysctl file; the namespace's defaults serve.
	b = append(b, []byte("\nIPT_SYSCTL=\n")...)
	os.WriteFile(def, b, 0o644)
	nsRun(t, ns, nil, "/lib/ufw/ufw-init", "--datadir", data, "start")
}

// checkUFWAssembly compares the ruleset ztscan assembles from ufw's files
// (what an image scan evaluates) with the one ufw-init loaded.
func checkUFWAssembly(t *testing.T, live *fwmodel.Ruleset) {
	t.Helper()
	h := materialize(t, "fw-ufw")
	cfg, err := iptables.ReadUFWConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	built := &fwmodel.Ruleset{}
	for _, fam := range []string{"ipv4", "ipv6"} {
		tables, _, err := iptables.BuildUFW(h, cfg, fam)
		if err != nil {
			t.Fatal(err)
		}
		built.Tables = append(built.Tables, tables...)
	}
	for _, s := range truthSources {
		for _, port := range truthPorts {
			p := fwmodel.Packet{Family: s.family, L4Proto: "tcp", Dport: port, Saddr: netip.MustParseAddr(s.src), Daddr: netip.MustParseAddr(s.dst), Iif: s.iif}
			if a, b := predict(live, p), predict(built, p); a != b {
				t.Errorf("ufw %s %s %d: loaded ruleset says %s, assembled from the files %s", s.family, s.src, port, a, b)
			}
		}
	}
}

// TestFirewallLiveListeners runs the whole collector as on a live host
// inside the server namespace (the test binary re-executed there), with
// real listeners, and checks the per-socket exposure.
func TestFirewallLiveListeners(t *testing.T) {
	if os.Getenv("ZTSCAN_FW_HELPER") == "1" {
		v, err := NewFirewall().Collect(context.Background(), hostfs.Live())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		b, _ := json.Marshal(v)
		os.Stdout.Write(b)
		os.Exit(0)
	}
	requireNftLoad(t)
	server, _ := setupTruthNamespaces(t)
	nftFile("source-ssh.nft")(t, server)
	listen(t, server)
	cmd := exec.Command("ip", "netns", "exec", server, os.Args[0], "-test.run=^TestFirewallLiveListeners$")
	cmd.Env = append(os.Environ(), "ZTSCAN_FW_HELPER=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("collector in %s: %v: %s", server, err, stderr.String())
	}
	var f FirewallFacts
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if f.Listeners.Status != "ok" {
		t.Fatalf("listeners: %+v", f.Listeners.Part)
	}
	got := map[string]string{}
	for _, l := range f.Listeners.Items {
		got[fmt.Sprintf("%s/%d %s", l.Proto, l.Port, l.Family)] = l.Status
	}
	want := map[string]string{
		"tcp/22 ipv4": "restricted", "tcp/22 ipv6": "restricted",
		"tcp/443 ipv4": "accepted_from_any", "tcp/443 ipv6": "accepted_from_any",
		"tcp/5432 ipv4": "dropped", "tcp/8080 ipv6": "dropped",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], w, got)
		}
	}
	if f.Input["ipv4"].Policy != "drop" || !f.Active {
		t.Errorf("input %+v active %v", f.Input["ipv4"], f.Active)
	}
}
