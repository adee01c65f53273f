package collectors

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func collectSysctl(t testing.TB, h hostfs.Host) SysctlFacts {
	t.Helper()
	v, err := NewSysctl().Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	return v.(SysctlFacts)
}

func TestSysctlFixtures(t *testing.T) {
	for _, name := range fixtureCases {
		for _, kind := range fixtureKinds {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				f := collectSysctl(t, hostfs.Fixture(kind, fixtureRoot(name), nil))
				checkGolden(t, "sysctl/"+name+"-"+string(kind), f)
			})
		}
	}
}

func TestSysctlHardenedMerge(t *testing.T) {
	f := collectSysctl(t, hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("hardened"), nil))
	want := map[string]struct{ value, file string }{
		// /etc/sysctl.d/10-vendor.conf masks /usr/lib/sysctl.d/10-vendor.conf by name
		"net.ipv4.ip_forward": {"0", "/etc/sysctl.d/10-vendor.conf"},
		// a concrete key beats the glob of 50-default.conf
		"net.ipv4.conf.all.rp_filter": {"1", "/etc/sysctl.d/99-zt.conf"},
		// concrete assignment in 50-default.conf, not the glob
		"net.ipv4.conf.default.rp_filter": {"2", "/usr/lib/sysctl.d/50-default.conf"},
		// '-' (ignore failure) still assigns
		"net.ipv4.conf.all.accept_source_route": {"0", "/etc/sysctl.d/99-zt.conf"},
		// glob in 99-zt.conf reaches both concrete keys of our list
		"net.ipv4.conf.all.accept_redirects":     {"0", "/etc/sysctl.d/99-zt.conf"},
		"net.ipv4.conf.default.accept_redirects": {"0", "/etc/sysctl.d/99-zt.conf"},
		// slash-form key in /run
		"net.ipv4.tcp_syncookies": {"1", "/run/sysctl.d/60-run.conf"},
		// 99-zt.conf sorts after 60-run.conf
		"kernel.dmesg_restrict": {"1", "/etc/sysctl.d/99-zt.conf"},
		// /etc/sysctl.conf applied last; same value keeps the first place
		"kernel.kptr_restrict":            {"2", "/etc/sysctl.d/99-zt.conf"},
		"net.ipv4.tcp_congestion_control": {"bbr", "/etc/sysctl.conf"},
	}
	for key, w := range want {
		got, ok := f.Persisted.Values[key]
		if !ok || got.Value != w.value || got.File != w.file {
			t.Errorf("%s = %+v (set %v), want %s from %s", key, got, ok, w.value, w.file)
		}
	}
	wantFiles := []string{"/etc/sysctl.d/10-vendor.conf", "/usr/lib/sysctl.d/50-default.conf", "/run/sysctl.d/60-run.conf", "/etc/sysctl.d/99-zt.conf", "/etc/sysctl.conf"}
	if strings.Join(f.Persisted.Files, " ") != strings.Join(wantFiles, " ") {
		t.Errorf("files = %q, want %q", f.Persisted.Files, wantFiles)
	}
	if e := f.Effective["kernel.yama.ptrace_scope"]; e.Source != "persisted" || e.Value != "2" {
		t.Errorf("effective ptrace_scope = %+v", e)
	}
	live := collectSysctl(t, hostfs.Fixture(hostfs.KindHost, fixtureRoot("hardened"), nil))
	if len(live.Runtime.Missing) != 1 || live.Runtime.Missing[0] != "kernel.yama.ptrace_scope" {
		t.Errorf("missing = %q", live.Runtime.Missing)
	}
	if _, ok := live.Effective["kernel.yama.ptrace_scope"]; ok {
		t.Error("live effective value for a key the kernel lacks")
	}
}

func TestSysctlStockDefaults(t *testing.T) {
	f := collectSysctl(t, hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("debian-stock"), nil))
	// 99-sysctl.conf -> ../sysctl.conf: applied once, under its link name
	if n := strings.Count(strings.Join(f.Persisted.Files, " "), "sysctl.conf"); n != 1 {
		t.Errorf("sysctl.conf applied %d times: %q", n, f.Persisted.Files)
	}
	if e := f.Effective["net.ipv4.ip_forward"]; e != (EffectiveSysctl{"0", "kernel-default"}) {
		t.Errorf("ip_forward = %+v", e)
	}
	for _, k := range []string{"kernel.dmesg_restrict", "kernel.randomize_va_space", "net.ipv4.tcp_congestion_control"} {
		if e, ok := f.Effective[k]; ok {
			t.Errorf("%s has build-dependent default %+v", k, e)
		}
	}
	if f.Runtime.Status != "unavailable" {
		t.Errorf("rootfs runtime = %+v", f.Runtime.Part)
	}
}

func TestSysctlBroken(t *testing.T) {
	f := collectSysctl(t, hostfs.Fixture(hostfs.KindHost, fixtureRoot("broken"), nil))
	if f.Persisted.Values["net.ipv4.ip_forward"].Value != "1" {
		t.Errorf("valid line after bad ones not applied: %+v", f.Persisted.Values)
	}
	if len(f.Persisted.Errors) < 4 {
		t.Errorf("errors = %+v", f.Persisted.Errors)
	}
	if _, ok := f.Runtime.Errors["kernel.kptr_restrict"]; !ok {
		t.Errorf("directory in place of a /proc/sys file not an error: %+v", f.Runtime)
	}
}

// TestSysctlHostileTree builds what git cannot hold: a FIFO named like a
// configuration file and links that point outside the root at a canary.
func TestSysctlHostileTree(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	canary := filepath.Join(base, "canary.conf")
	mustWrite(t, canary, "net.ipv4.ip_forward = 1\nkernel.kptr_restrict = 9\n")
	mustMkdir(t, filepath.Join(root, "etc/sysctl.d"))
	mustMkdir(t, filepath.Join(root, "usr/lib/sysctl.d"))
	if err := unix.Mkfifo(filepath.Join(root, "etc/sysctl.d/x.conf"), 0o644); err != nil {
		t.Fatal(err)
	}
	// absolute and relative escapes: both must stay inside root
	mustSymlink(t, canary, filepath.Join(root, "etc/sysctl.d/10-abs.conf"))
	mustSymlink(t, "../../../canary.conf", filepath.Join(root, "etc/sysctl.d/20-rel.conf"))
	mustSymlink(t, "../..", filepath.Join(root, "usr/lib/sysctl.d/up"))
	mustWrite(t, filepath.Join(root, "etc/sysctl.d/30-ok.conf"), "kernel.kptr_restrict = 2\n")
	mustSymlink(t, "31-loop.conf", filepath.Join(root, "etc/sysctl.d/31-loop.conf"))

	for _, kind := range fixtureKinds {
		done := make(chan SysctlFacts, 1)
		go func() { done <- collectSysctl(t, hostfs.Fixture(kind, root, nil)) }()
		var f SysctlFacts
		select {
		case f = <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("collector hung on a FIFO")
		}
		if f.Persisted.Status != "error" {
			t.Errorf("%s: persisted status %q, want error", kind, f.Persisted.Status)
		}
		if v := f.Persisted.Values["kernel.kptr_restrict"]; v.Value != "2" {
			t.Errorf("%s: kptr_restrict = %+v: canary read outside the root?", kind, v)
		}
		if _, ok := f.Persisted.Values["net.ipv4.ip_forward"]; ok {
			t.Errorf("%s: ip_forward set: canary read outside the root", kind)
		}
		errs := map[string]string{}
		for _, e := range f.Persisted.Errors {
			errs[e.File] = e.Error
		}
		if !strings.Contains(errs["/etc/sysctl.d/x.conf"], "fifo") {
			t.Errorf("%s: FIFO error = %q (all %v)", kind, errs["/etc/sysctl.d/x.conf"], errs)
		}
		for _, f := range []string{"/etc/sysctl.d/10-abs.conf", "/etc/sysctl.d/20-rel.conf", "/etc/sysctl.d/31-loop.conf"} {
			if errs[f] == "" {
				t.Errorf("%s: %s: no error entry", kind, f)
			}
		}
	}
}

// TestSysctlLive reads the machine running the tests.
func TestSysctlLive(t *testing.T) {
	f := collectSysctl(t, hostfs.Live())
	if f.Runtime.Status != "ok" {
		t.Fatalf("runtime = %+v", f.Runtime.Part)
	}
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Skip("no /proc/sys/net/ipv4/ip_forward:", err)
	}
	if got := f.Runtime.Values["net.ipv4.ip_forward"]; got != strings.TrimSpace(string(data)) {
		t.Errorf("ip_forward = %q, file says %q", got, data)
	}
	if e := f.Effective["net.ipv4.ip_forward"]; e.Source != "runtime" || (e.Value != "0" && e.Value != "1") {
		t.Errorf("effective ip_forward = %+v", e)
	}
	if f.Persisted.Status == "" {
		t.Error("persisted has no status")
	}
}

func BenchmarkSysctlLive(b *testing.B) {
	h, c := hostfs.Live(), NewSysctl()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}

func mustWrite(t *testing.T, p, content string) {
	t.Helper()
	mustMkdir(t, filepath.Dir(p))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	mustMkdir(t, filepath.Dir(link))
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
