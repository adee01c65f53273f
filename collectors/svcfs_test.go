package collectors

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/fixture"
)

// svcImageCases are the fixture images of the services, packages and
// filesystem controls (fixtures/images).
var svcImageCases = []string{"svc-hardened", "svc-broken", "debian12-stock"}

func svcImage(t testing.TB, name string) string {
	t.Helper()
	root := t.TempDir()
	if err := fixture.Materialize(filepath.Join("..", "fixtures", "images"), name, root); err != nil {
		t.Fatal(err)
	}
	return root
}

func collectOn(t testing.TB, c Collector, h hostfs.Host) any {
	t.Helper()
	v, err := c.Collect(context.Background(), h)
	return collectorOutcome(v, err)
}

func TestServiceImagesGolden(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the golden files record root-owned fixture files (fixture.Materialize chowns only as root)")
	}
	for _, name := range svcImageCases {
		t.Run(name, func(t *testing.T) {
			h, err := hostfs.Rootfs(svcImage(t, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []Collector{NewUnits(), NewServices(), NewFilesystem()} {
				checkGolden(t, c.Name()+"/"+name, collectOn(t, c, h))
			}
		})
	}
}

// TestServiceImagesFacts checks the facts the rules hinge on, as any user.
func TestServiceImagesFacts(t *testing.T) {
	ctx := context.Background()
	hard, _ := hostfs.Rootfs(svcImage(t, "svc-hardened"))
	broken, _ := hostfs.Rootfs(svcImage(t, "svc-broken"))

	sv, err := NewServices().Collect(ctx, hard)
	if err != nil {
		t.Fatal(err)
	}
	s := sv.(*ServicesFacts)
	if !s.Fail2ban.Installed || !s.Fail2ban.SSHDJail.Enabled || s.Fail2ban.SSHDJail.File != "/etc/fail2ban/jail.d/defaults-debian.conf" || !s.Fail2ban.Unit.Enabled {
		t.Errorf("fail2ban = %+v", s.Fail2ban)
	}
	uu := s.AutoUpdates.UnattendedUpgrades
	if uu.Settings["apt::periodic::unattended-upgrade"].Value != "1" || !uu.Timers["apt-daily.timer"].Enabled || !uu.Installed {
		t.Errorf("unattended-upgrades = %+v", uu)
	}
	if c := s.Unwanted["cups"]["cups.service"]; !c.Masked || c.Enabled {
		t.Errorf("masked cups = %+v", c)
	}
	if s.Runtime.Status != "unavailable" {
		t.Errorf("runtime on an offline root = %+v", s.Runtime)
	}

	uv, err := NewUnits().Collect(ctx, hard)
	if err != nil {
		t.Fatal(err)
	}
	var app *ServiceUnit
	for i, su := range uv.(*SystemdFacts).Services {
		if su.Name == "myapp.service" {
			app = &uv.(*SystemdFacts).Services[i]
		}
	}
	if app == nil || app.Sandboxing["NoNewPrivileges"].Value != "yes" || app.Sandboxing["SystemCallFilter"].Value != "@system-service ~@privileged @resources" {
		t.Fatalf("myapp sandboxing = %+v", app)
	}
	// the drop-in's "CapabilityBoundingSet=" is the empty set, not unset
	if c, set := app.Sandboxing["CapabilityBoundingSet"]; !set || c.Value != "" || c.File != "/etc/systemd/system/myapp.service.d/10-sandbox.conf" {
		t.Errorf("CapabilityBoundingSet = %+v (set %v)", c, set)
	}

	fv, err := NewFilesystem().Collect(ctx, hard)
	if err != nil {
		t.Fatal(err)
	}
	fsf := fv.(*FilesystemFacts)
	if !fsf.Root.ReadOnly || !fsf.Tmp.NoExec || !fsf.Tmp.NoDev || !fsf.Tmp.NoSuid || fsf.Root.Evidence != "/etc/fstab:2" {
		t.Errorf("mounts: root %+v tmp %+v", fsf.Root, fsf.Tmp)
	}
	if o := fsf.OpenFiles.SystemdDefault; o == nil || o.Soft != 65535 || o.Hard != 524288 {
		t.Errorf("DefaultLimitNOFILE = %+v", o)
	}

	bv, err := NewFilesystem().Collect(ctx, broken)
	if err != nil {
		t.Fatal(err)
	}
	bf := bv.(*FilesystemFacts)
	if bf.WorldWritable.Total != 1 || bf.WorldWritable.Files[0].Path != "/usr/bin/evil-helper" || bf.WorldWritable.Files[0].Mode != "0777" {
		t.Errorf("world-writable = %+v", bf.WorldWritable)
	}
	var wg FileFacts
	for _, f := range bf.SensitiveFiles {
		if f.Path == "/etc/wireguard/wg0.conf" {
			wg = f
		}
	}
	if wg.Mode != "0644" {
		t.Errorf("wireguard config = %+v", wg)
	}
	bs, _ := NewServices().Collect(ctx, broken)
	if c := bs.(*ServicesFacts).Unwanted["cups"]; !c["cups.service"].Enabled || !c["cups.socket"].Enabled {
		t.Errorf("cups = %+v", c)
	}
	bu, _ := NewUnits().Collect(ctx, broken)
	var loop bool
	for _, p := range bu.(*SystemdFacts).Problems {
		loop = loop || strings.Contains(p.Path, "loop-a.service") && strings.Contains(p.Error, "too many levels")
	}
	if !loop {
		t.Errorf("the *.wants link loop is not reported: %+v", bu.(*SystemdFacts).Problems)
	}
}

// systemctlRecorder answers `systemctl show` for a live-kind fixture
// host from a table of states, in the order asked, as systemd does.
type systemctlRecorder struct {
	states map[string]string // unit -> "ActiveState SubState"
	calls  int
	fail   error
}

func (r *systemctlRecorder) Run(_ context.Context, _ []byte, name string, args ...string) ([]byte, error) {
	r.calls++
	if name != "systemctl" || len(args) < 3 || args[0] != "show" {
		return nil, fmt.Errorf("unexpected command %s %v", name, args)
	}
	if r.fail != nil {
		return nil, r.fail
	}
	var b strings.Builder
	for i, u := range args[3:] {
		if i > 0 {
			b.WriteString("\n")
		}
		st := r.states[u]
		if st == "" {
			st = "inactive dead"
		}
		a, s, _ := strings.Cut(st, " ")
		fmt.Fprintf(&b, "Id=%s\nActiveState=%s\nSubState=%s\nUnitFileState=enabled\n", u, a, s)
	}
	return []byte(b.String()), nil
}

func TestServicesLive(t *testing.T) {
	root := svcImage(t, "svc-hardened")
	os.MkdirAll(filepath.Join(root, "run/systemd/system"), 0o755)
	os.MkdirAll(filepath.Join(root, "proc/self"), 0o755)
	os.WriteFile(filepath.Join(root, "proc/self/mountinfo"), []byte(
		"22 1 8:1 / / ro,relatime shared:1 - ext4 /dev/sda1 ro,errors=remount-ro\n"+
			"30 22 0:27 / /tmp rw,nosuid,nodev,noexec shared:5 - tmpfs tmpfs rw,size=1048576k\n"+
			"31 22 0:28 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"), 0o644)
	rec := &systemctlRecorder{states: map[string]string{"fail2ban.service": "active running"}}
	h := hostfs.Fixture(hostfs.KindHost, root, rec)
	v, err := NewServices().Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	s := v.(*ServicesFacts)
	if u := s.Fail2ban.Unit; u.Active.Running == nil || !*u.Active.Running || u.Active.Status != "ok" || u.Active.SubState != "running" {
		t.Errorf("fail2ban live = %+v", u)
	}
	if rec.calls != 1 {
		t.Errorf("%d systemctl calls, want one for all units", rec.calls)
	}
	fv, _ := NewFilesystem().Collect(context.Background(), h)
	f := fv.(*FilesystemFacts)
	if f.Mounts.Source != "/proc/self/mountinfo" || !f.Root.ReadOnly || !f.Tmp.NoExec || f.Mounts.Entries[2].MountPoint != "/mnt/with space" {
		t.Errorf("live mounts = %+v / %+v / %+v", f.Mounts, f.Root, f.Tmp)
	}
	// systemctl failing is an error part, never "not running"
	rec.fail = fmt.Errorf("exit status 1: Failed to connect to bus")
	v, _ = NewServices().Collect(context.Background(), h)
	if a := v.(*ServicesFacts).Fail2ban.Unit.Active; a.Status != "error" || a.Running != nil {
		t.Errorf("failed systemctl: %+v", a)
	}
	// no /run/systemd/system: systemd is not PID 1, runtime unavailable
	os.RemoveAll(filepath.Join(root, "run/systemd/system"))
	v, _ = NewServices().Collect(context.Background(), h)
	if a := v.(*ServicesFacts).Fail2ban.Unit.Active; a.Status != "unavailable" {
		t.Errorf("not booted with systemd: %+v", a)
	}
}

func TestWorldWritableBounds(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 30; i++ {
		p := filepath.Join(root, "etc", fmt.Sprintf("d%02d", i))
		os.MkdirAll(p, 0o755)
		os.WriteFile(filepath.Join(p, "f"), nil, 0o644)
		os.Chmod(filepath.Join(p, "f"), 0o666)
	}
	os.MkdirAll(filepath.Join(root, "usr/bin"), 0o755)
	os.Mkdir(filepath.Join(root, "etc/sticky"), 0o755)
	os.Chmod(filepath.Join(root, "etc/sticky"), os.ModeSticky|0o777)
	os.Symlink("/", filepath.Join(root, "usr/bin/rootlink")) // never followed
	os.Symlink("loop2", filepath.Join(root, "usr/bin/loop1"))
	os.Symlink("loop1", filepath.Join(root, "usr/bin/loop2"))
	h, _ := hostfs.Rootfs(root)
	w := (&Filesystem{MaxListed: 5}).walkWorldWritable(context.Background(), h)
	if w.Total != 30 || len(w.Files) != 5 || w.StickyTotal != 1 || w.Truncated || len(w.Errors) != 0 {
		t.Errorf("walk = total %d listed %d sticky %d truncated %v errors %v", w.Total, len(w.Files), w.StickyTotal, w.Truncated, w.Errors)
	}
	w = (&Filesystem{MaxEntries: 10}).walkWorldWritable(context.Background(), h)
	if !w.Truncated || w.Scanned != 10 || !strings.Contains(w.Reason, "10 entries") {
		t.Errorf("bounded walk = %+v", w)
	}
	w = (&Filesystem{MaxTime: time.Nanosecond}).walkWorldWritable(context.Background(), h)
	if !w.Truncated {
		t.Errorf("time-bounded walk not truncated")
	}
}

func TestParseMountinfoErrors(t *testing.T) {
	if _, err := parseMountinfo([]byte("garbage line\n")); err == nil {
		t.Error("garbage mountinfo accepted")
	}
	if _, _, err := parseRlimit("lots"); err == nil {
		t.Error("bad rlimit accepted")
	}
	if s, h, err := parseRlimit("1024:infinity"); err != nil || s != 1024 || h != -1 {
		t.Errorf("parseRlimit = %d %d %v", s, h, err)
	}
}

// BenchmarkWorldWritableDebian walks a full Debian root (/tmp/deb12 or
// $ZTSCAN_DEBIAN_ROOT).
func BenchmarkWorldWritableDebian(b *testing.B) {
	root := os.Getenv("ZTSCAN_DEBIAN_ROOT")
	if root == "" {
		root = "/tmp/deb12"
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin")); err != nil {
		b.Skip("no Debian root")
	}
	h, _ := hostfs.Rootfs(root)
	var scanned int
	for b.Loop() {
		w := NewFilesystem().walkWorldWritable(context.Background(), h)
		if w.Truncated {
			b.Fatal(w.Reason)
		}
		scanned = w.Scanned
	}
	b.ReportMetric(float64(scanned), "entries")
}

// BenchmarkFilesystemDebian is the whole filesystem collector on it.
func BenchmarkFilesystemDebian(b *testing.B) {
	root := os.Getenv("ZTSCAN_DEBIAN_ROOT")
	if root == "" {
		root = "/tmp/deb12"
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin")); err != nil {
		b.Skip("no Debian root")
	}
	h, _ := hostfs.Rootfs(root)
	for b.Loop() {
		if _, err := NewFilesystem().Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
