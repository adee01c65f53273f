package collectors

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

// Helper modes of the test binary, run inside a network namespace with
// "ip netns exec NS <test binary> -test.run=TestNetHelperProcess".
const helperEnv = "ZTSCAN_NET_HELPER"

// TestNetHelperProcess is not a test: as a helper it either holds the
// listeners named in ZTSCAN_NET_LISTEN ("tcp4:0.0.0.0:5432,udp4:...")
// until its stdin closes, or runs the sockets and interfaces collectors on
// the live host and prints their facts as JSON.
func TestNetHelperProcess(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "listen":
		var keep []io.Closer
		for _, spec := range strings.Split(os.Getenv("ZTSCAN_NET_LISTEN"), ",") {
			network, addr, _ := strings.Cut(spec, ":")
			var c io.Closer
			var err error
			if strings.HasPrefix(network, "udp") {
				c, err = net.ListenPacket(network, addr)
			} else {
				c, err = net.Listen(network, addr)
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "listen %s: %v\n", spec, err)
				os.Exit(2)
			}
			keep = append(keep, c)
		}
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		for _, c := range keep {
			c.Close()
		}
		os.Exit(0)
	case "collect":
		ctx := context.Background()
		out := map[string]any{}
		h := hostfs.Live()
		s, err := CollectSockets(ctx, h)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		i, err := CollectInterfaces(ctx, h)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		out["sockets"], out["interfaces"] = s, i
		json.NewEncoder(os.Stdout).Encode(out)
		os.Exit(0)
	}
}

// netns is a network namespace for one test, deleted at cleanup.
type netns struct {
	t    *testing.T
	ip   string
	name string
}

func newNetns(t *testing.T) *netns {
	testenv.RequireRoot(t)
	ip := testenv.RequireTool(t, "ip")
	n := &netns{t: t, ip: ip, name: fmt.Sprintf("ztscan-net-%d", os.Getpid())}
	n.run("netns", "add", n.name)
	t.Cleanup(func() { exec.Command(ip, "netns", "delete", n.name).Run() })
	return n
}

func (n *netns) run(args ...string) {
	n.t.Helper()
	if out, err := exec.Command(n.ip, args...).CombinedOutput(); err != nil {
		n.t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// in runs "ip ARGS" inside the namespace.
func (n *netns) in(args ...string) {
	n.t.Helper()
	n.run(append([]string{"-n", n.name}, args...)...)
}

// helper starts the test binary in the namespace in the given mode.
func (n *netns) helper(mode string, env ...string) *exec.Cmd {
	self, err := os.Executable()
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(n.ip, "netns", "exec", n.name, self, "-test.run=^TestNetHelperProcess$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode), env...)
	return cmd
}

// listen starts a helper holding listeners; it is killed at cleanup.
func (n *netns) listen(specs ...string) int {
	n.t.Helper()
	cmd := n.helper("listen", "ZTSCAN_NET_LISTEN="+strings.Join(specs, ","))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		n.t.Fatalf("listener helper: %q %v", line, err)
	}
	return cmd.Process.Pid
}

// collect runs the collectors inside the namespace.
func (n *netns) collect() (SocketsFacts, InterfacesFacts) {
	n.t.Helper()
	cmd := n.helper("collect")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		n.t.Fatalf("collect helper: %v", err)
	}
	var got struct {
		Sockets    SocketsFacts    `json:"sockets"`
		Interfaces InterfacesFacts `json:"interfaces"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		n.t.Fatalf("collect helper output: %v\n%s", err, out)
	}
	return got.Sockets, got.Interfaces
}

func findListener(ls []Listener, proto, family, addr string, port int) (Listener, bool) {
	for _, l := range ls {
		if l.Proto == proto && l.Family == family && l.Address == addr && l.Port == port {
			return l, true
		}
	}
	return Listener{}, false
}

// TestNetnsListeners starts real listeners in a namespace and checks the
// facts and the NET-001..003 verdicts on them: first a well-behaved host
// (backends on loopback, HTTPS public), then one with a database on
// 0.0.0.0, telnet on the dual-stack wildcard and a v6-only wildcard.
func TestNetnsListeners(t *testing.T) {
	n := newNetns(t)
	n.in("link", "set", "lo", "up")

	pid := n.listen("tcp4:127.0.0.1:8080", "tcp6:[::1]:8081", "tcp4:0.0.0.0:443", "udp4:127.0.0.1:5353")
	s, _ := n.collect()
	if len(s.Listeners) != 4 {
		t.Fatalf("listeners = %+v, want 4", s.Listeners)
	}
	for _, l := range s.Listeners {
		if l.PID != pid || l.Owner.Status != "ok" || l.Process == "" {
			t.Errorf("%s %s:%d owner = pid %d %q %+v, want the helper (pid %d)", l.Proto, l.Address, l.Port, l.PID, l.Process, l.Owner, pid)
		}
	}
	if s.V6Only.Source != "sock_diag" {
		t.Errorf("v6only = %+v, want sock_diag on the live root", s.V6Only)
	}
	v := evalNet(t, map[string]any{"sockets": s})
	for id, want := range map[string]string{"ZT-NET-001": "pass", "ZT-NET-002": "pass", "ZT-NET-003": "pass"} {
		if v[id].Status != want {
			t.Errorf("well-behaved: %s = %s %q, want %s", id, v[id].Status, v[id].Message, want)
		}
	}

	// Go's "tcp" on [::] is dual stack (V6ONLY 0), "tcp6" on [::] is v6 only.
	n.listen("tcp4:0.0.0.0:5432", "tcp:[::]:23", "tcp6:[::]:9000", "udp4:0.0.0.0:11211")
	s, _ = n.collect()
	telnet, ok := findListener(s.Listeners, "tcp", "inet6", "::", 23)
	if !ok || !telnet.V4Mapped || telnet.Scope != "wildcard" {
		t.Errorf("[::]:23 = %+v %v, want a v4-mapped wildcard", telnet, ok)
	}
	v6, ok := findListener(s.Listeners, "tcp", "inet6", "::", 9000)
	if !ok || v6.V4Mapped {
		t.Errorf("[::]:9000 = %+v %v, want v6-only (IPV6_V6ONLY read over sock_diag)", v6, ok)
	}
	if _, ok := findListener(s.Listeners, "udp", "inet", "0.0.0.0", 11211); !ok {
		t.Errorf("udp 0.0.0.0:11211 not listed: %+v", s.Listeners)
	}
	v = evalNet(t, map[string]any{"sockets": s})
	for id, want := range map[string]struct{ status, text string }{
		"ZT-NET-001": {"fail", "tcp 0.0.0.0:5432"},
		"ZT-NET-002": {"fail", "tcp 0.0.0.0:5432"},
		"ZT-NET-003": {"fail", "tcp [::]:23"},
	} {
		if v[id].Status != want.status || !strings.Contains(v[id].Message, want.text) {
			t.Errorf("exposed: %s = %s %q, want %s with %q", id, v[id].Status, v[id].Message, want.status, want.text)
		}
	}
	if !strings.Contains(v["ZT-NET-002"].Message, "udp 0.0.0.0:11211") {
		t.Errorf("ZT-NET-002 = %q, want memcached's UDP port named", v["ZT-NET-002"].Message)
	}
}

// TestNetnsInterfaces builds a veth pair (peer down: no carrier) and two
// vxlan tunnels in a namespace: one pinned to the veth (the kernel sizes
// its MTU), one routed over it with the default MTU 1500, too large.
func TestNetnsInterfaces(t *testing.T) {
	n := newNetns(t)
	n.in("link", "set", "lo", "up")
	n.in("link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
	n.in("addr", "add", "10.99.0.1/24", "dev", "veth0")
	n.in("link", "set", "veth0", "up")
	n.in("link", "add", "vxgood", "type", "vxlan", "id", "42", "remote", "10.99.0.2", "dstport", "4789", "dev", "veth0")
	n.in("link", "add", "vxbad", "type", "vxlan", "id", "43", "remote", "10.99.0.2", "dstport", "4790")
	n.in("link", "set", "vxgood", "up")
	n.in("link", "set", "vxbad", "up")

	start := time.Now()
	_, f := n.collect()
	t.Logf("collect helper (process start included): %s", time.Since(start))
	if f.KindSource != "netlink" {
		t.Errorf("kind_source = %q, want netlink on the live root", f.KindSource)
	}
	links := interfaceByName(f)
	veth0 := links["veth0"]
	if veth0.Kind != "veth" || veth0.Physical || !veth0.AdminUp || veth0.Carrier == nil || *veth0.Carrier {
		t.Errorf("veth0 = %+v, want an admin-up veth without carrier", veth0)
	}
	if v1 := links["veth1"]; v1.AdminUp || v1.Carrier != nil {
		t.Errorf("veth1 = %+v, want admin down with carrier unknown", v1)
	}
	for name, want := range map[string]Tunnel{
		"vxgood": {Part: PartOK(), Remote: "10.99.0.2", RemoteFamily: "inet", Underlay: "veth0", UnderlaySource: "link", UnderlayMTU: 1500},
		"vxbad":  {Part: PartOK(), Remote: "10.99.0.2", RemoteFamily: "inet", Underlay: "veth0", UnderlaySource: "route", UnderlayMTU: 1500},
	} {
		l := links[name]
		if l.Kind != "vxlan" || l.Tunnel == nil || *l.Tunnel != want {
			t.Errorf("%s = %+v tunnel %+v, want vxlan over %+v", name, l, l.Tunnel, want)
		}
	}
	if links["vxgood"].MTU != 1450 || links["vxbad"].MTU != 1500 {
		t.Errorf("MTUs vxgood %d vxbad %d, want 1450 and 1500", links["vxgood"].MTU, links["vxbad"].MTU)
	}
	v := evalNet(t, map[string]any{"interfaces": f})
	for id, want := range map[string]struct{ status, text string }{
		"ZT-NET-004": {"fail", "vxbad (vxlan) MTU 1500, underlay veth0 MTU 1500 - overhead 50 = 1450"},
		// veth0 is up without carrier, but it is not physical.
		"ZT-NET-005": {"skip", "no physical interfaces"},
		"ZT-NET-006": {"pass", "veth0 MTU 1500 carries vxbad, vxgood"},
	} {
		if v[id].Status != want.status || !strings.Contains(v[id].Message, want.text) {
			t.Errorf("%s = %s %q, want %s with %q", id, v[id].Status, v[id].Message, want.status, want.text)
		}
	}
	if strings.Contains(v["ZT-NET-004"].Message, "vxgood (vxlan)") {
		t.Errorf("ZT-NET-004 = %q: vxgood fits its underlay", v["ZT-NET-004"].Message)
	}
}
