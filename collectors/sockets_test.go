package collectors

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/procnet"
	"github.com/ztscan/ztscan/internal/testenv"
)

// The fixture tables are written as a little-endian kernel prints them.
func requireLittleEndian(t testing.TB) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("fixture socket tables are little-endian")
	}
}

func TestSocketsFixtureHost(t *testing.T) {
	requireLittleEndian(t)
	h := hostfs.Fixture(hostfs.KindHost, filepath.Join("testdata", "sockets", "host"), nil)
	f, err := CollectSockets(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "sockets-host", f)

	byKey := map[string]Listener{}
	for _, l := range f.Listeners {
		byKey[fmt.Sprintf("%s/%s/%s/%d", l.Proto, l.Family, l.Address, l.Port)] = l
	}
	for key, want := range map[string]struct {
		pid         int
		proc, unit  string
		scope       string
		v4Mapped    bool
		ownerStatus string
	}{
		// sshd's listener is shared with a child: the lowest PID wins.
		"tcp/inet/0.0.0.0/22":     {412, "sshd", "ssh.service", "wildcard", false, "ok"},
		"tcp/inet6/::/22":         {412, "sshd", "ssh.service", "wildcard", true, "ok"},
		"tcp/inet/127.0.0.1/5432": {500, "postgres", "postgresql@15-main.service", "loopback", false, "ok"},
		// cgroup v1 only: the name=systemd hierarchy names the unit.
		"tcp/inet/0.0.0.0/3306":           {600, "mariadbd", "mariadb.service", "wildcard", false, "ok"},
		"tcp/inet6/::1/6379":              {701, "redis-server", "redis-server.service", "loopback", false, "ok"},
		"tcp/inet6/::ffff:127.0.0.1/9000": {990, "java", "", "loopback", false, "ok"},
		"tcp/inet/127.0.0.1/8080":         {800, "app", "myapp.service", "loopback", false, "ok"},
		"tcp/inet6/fe80::1/23":            {0, "", "", "specific", false, "unavailable"},
		"udp/inet/0.0.0.0/51820":          {0, "[kernel]", "", "wildcard", false, "ok"},
		"udp/inet6/::/51820":              {0, "[kernel]", "", "wildcard", true, "ok"},
		"udp/inet/127.0.0.53/53":          {950, "systemd-resolve", "systemd-resolved.service", "loopback", false, "ok"},
	} {
		l, ok := byKey[key]
		if !ok {
			t.Errorf("%s: not listed", key)
			continue
		}
		if l.PID != want.pid || l.Process != want.proc || l.Unit != want.unit || l.Scope != want.scope || l.V4Mapped != want.v4Mapped || l.Owner.Status != want.ownerStatus {
			t.Errorf("%s = pid %d %q %q scope %s v4mapped %v owner %s, want %+v", key, l.PID, l.Process, l.Unit, l.Scope, l.V4Mapped, l.Owner.Status, want)
		}
	}
	// Established TCP and connected UDP sockets are not listeners.
	for _, gone := range []string{"tcp/inet/10.0.0.5/22", "udp/inet/10.0.0.5/41000"} {
		if _, ok := byKey[gone]; ok {
			t.Errorf("%s listed as a listener", gone)
		}
	}
	if f.V6Only.Source != "sysctl" || f.V6Only.BindV6Only == nil || *f.V6Only.BindV6Only {
		t.Errorf("v6only = %+v, want sysctl bindv6only=false (a fixture is never asked over netlink)", f.V6Only)
	}
	if f.Owners.Status != "ok" || f.Owners.Unresolved != 1 {
		t.Errorf("owners = %+v, want ok with 1 unresolved", f.Owners)
	}
	ls, err := ListListeners(context.Background(), h)
	if err != nil || len(ls) != len(f.Listeners) {
		t.Errorf("ListListeners = %d, %v; want %d listeners", len(ls), err, len(f.Listeners))
	}
}

func TestSocketsRootfsUnavailable(t *testing.T) {
	h, err := hostfs.Rootfs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ListListeners(context.Background(), h)
	if !IsUnavailable(err) {
		t.Fatalf("err = %v, want Unavailable", err)
	}
}

// writeTree is testenv.WriteTree.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	testenv.WriteTree(t, dir, files)
}

func listenLine(slot int, addr string, port uint16, inode uint64) string {
	local := netip.MustParseAddr(addr)
	remote := netip.IPv4Unspecified()
	if local.Is6() {
		remote = netip.IPv6Unspecified()
	}
	return procnet.FormatLine(slot, procnet.Entry{
		Local:  netip.AddrPortFrom(local, port),
		Remote: netip.AddrPortFrom(remote, 0),
		State:  procnet.StateListen, Inode: inode,
	}) + "\n"
}

func TestSocketsBadInput(t *testing.T) {
	requireLittleEndian(t)
	good := procnet.Header + "\n" + listenLine(0, "0.0.0.0", 22, 7)
	udp := procnet.Header + "\n"
	for _, tc := range []struct {
		name    string
		files   map[string]string
		fifo    string
		wantErr string // "" : success
		check   func(t *testing.T, f SocketsFacts)
	}{
		{name: "garbage table", files: map[string]string{"proc/net/tcp": procnet.Header + "\n   0: zz\n", "proc/net/udp": udp},
			wantErr: "/proc/net/tcp: line 2"},
		{name: "no header", files: map[string]string{"proc/net/tcp": "hello\n", "proc/net/udp": udp},
			wantErr: "/proc/net/tcp: missing socket table header"},
		{name: "missing tcp", files: map[string]string{"proc/net/udp": udp}, wantErr: "/proc/net/tcp"},
		{name: "fifo table", files: map[string]string{"proc/net/udp": udp}, fifo: "proc/net/tcp", wantErr: "/proc/net/tcp"},
		{name: "no ipv6, no bindv6only", files: map[string]string{"proc/net/tcp": good, "proc/net/udp": udp},
			check: func(t *testing.T, f SocketsFacts) {
				if len(f.Listeners) != 1 || f.Listeners[0].Owner.Status != "unavailable" {
					t.Errorf("listeners = %+v", f.Listeners)
				}
				if f.V6Only.BindV6Only != nil || !strings.Contains(f.V6Only.Reason, "bindv6only") {
					t.Errorf("v6only = %+v, want the unreadable sysctl named", f.V6Only)
				}
				if f.Owners.Status != "ok" || !strings.Contains(f.Listeners[0].Owner.Reason, "no process") {
					t.Errorf("owners = %+v, listener owner %+v: want a finished scan that found no holder", f.Owners, f.Listeners[0].Owner)
				}
			}},
		{name: "bindv6only 1", files: map[string]string{
			"proc/net/tcp": procnet.Header + "\n", "proc/net/udp": udp,
			"proc/net/tcp6": procnet.Header + "\n" + listenLine(0, "::", 80, 9), "proc/net/udp6": udp,
			"proc/sys/net/ipv6/bindv6only": "1\n", "proc/1/fd/5": "->socket:[9]", "proc/1/comm": "nginx\n",
		}, check: func(t *testing.T, f SocketsFacts) {
			if len(f.Listeners) != 1 || f.Listeners[0].V4Mapped || f.Listeners[0].PID != 1 || f.Listeners[0].Process != "nginx" {
				t.Errorf("listeners = %+v, want one v6-only nginx listener", f.Listeners)
			}
		}},
		{name: "fd link loop", files: map[string]string{
			"proc/net/tcp": good, "proc/net/udp": udp,
			"proc/1/fd/3": "->../fd/3", "proc/1/fd": "->fd", "proc/2/fd/1": "->socket:[7]",
		}, check: func(t *testing.T, f SocketsFacts) {
			if f.Listeners[0].PID != 2 {
				t.Errorf("listeners = %+v, want the owner found past a looping fd directory", f.Listeners)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// "proc/1/fd": "->fd" would collide with the file map order; build links after dirs.
			files := map[string]string{}
			var lateLinks [][2]string
			for k, v := range tc.files {
				if k == "proc/1/fd" {
					lateLinks = append(lateLinks, [2]string{k, strings.TrimPrefix(v, "->")})
					continue
				}
				files[k] = v
			}
			writeTree(t, dir, files)
			for _, l := range lateLinks {
				os.RemoveAll(filepath.Join(dir, l[0]))
				os.MkdirAll(filepath.Dir(filepath.Join(dir, l[0])), 0o755)
				if err := os.Symlink(l[1], filepath.Join(dir, l[0])); err != nil {
					t.Fatal(err)
				}
			}
			if tc.fifo != "" {
				if err := syscall.Mkfifo(filepath.Join(dir, tc.fifo), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			h := hostfs.Fixture(hostfs.KindHost, dir, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			f, err := CollectSockets(ctx, h)
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

// socketsHost writes a host with n listening sockets held by n/10
// processes (10 sockets and 10 other descriptors each).
func socketsHost(t testing.TB, n int) hostfs.Host {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(procnet.Header + "\n")
	files := map[string]string{}
	for i := range n {
		inode := uint64(100000 + i)
		b.WriteString(listenLine(i, "0.0.0.0", uint16(10000+i), inode))
		pid := 1000 + i/10
		files[fmt.Sprintf("proc/%d/fd/%d", pid, 10+i%10)] = fmt.Sprintf("->socket:[%d]", inode)
		if i%10 == 0 {
			for fd := range 10 {
				files[fmt.Sprintf("proc/%d/fd/%d", pid, fd)] = "->/dev/null"
			}
			files[fmt.Sprintf("proc/%d/comm", pid)] = "worker\n"
			files[fmt.Sprintf("proc/%d/cgroup", pid)] = "0::/system.slice/worker.service\n"
		}
	}
	files["proc/net/tcp"] = b.String()
	files["proc/net/udp"] = procnet.Header + "\n"
	files["proc/sys/net/ipv6/bindv6only"] = "0\n"
	writeTree(t, dir, files)
	return hostfs.Fixture(hostfs.KindHost, dir, nil)
}

func TestSockets5000(t *testing.T) {
	requireLittleEndian(t)
	if testing.Short() {
		t.Skip("writes 10,000 fixture links")
	}
	h := socketsHost(t, 5000)
	start := time.Now()
	f, err := CollectSockets(context.Background(), h)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Listeners) != 5000 || f.Owners.Unresolved != 0 || f.Owners.Processes != 500 {
		t.Fatalf("%d listeners, owners %+v; want 5000 resolved over 500 processes", len(f.Listeners), f.Owners)
	}
	t.Logf("5000 sockets, 500 processes, 10000 descriptors: %s", elapsed)
}

func BenchmarkSockets5000(b *testing.B) {
	requireLittleEndian(b)
	h := socketsHost(b, 5000)
	for b.Loop() {
		if _, err := CollectSockets(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
