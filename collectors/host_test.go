package collectors

import (
	"context"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// fixtureKinds are the two target kinds every fixture is collected as.
var fixtureKinds = []hostfs.Kind{hostfs.KindRootfs, hostfs.KindHost}

var fixtureCases = []string{"debian-stock", "hardened", "broken", "rhel-selinux"}

func fakeUname(u *unix.Utsname) error {
	copy(u.Nodename[:], "fixture-host")
	copy(u.Release[:], "6.1.0-13-amd64")
	copy(u.Machine[:], "x86_64")
	return nil
}

func TestHostFixtures(t *testing.T) {
	for _, name := range fixtureCases {
		for _, kind := range fixtureKinds {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				h := hostfs.Fixture(kind, fixtureRoot(name), nil)
				c := &Host{uname: fakeUname}
				v, err := c.Collect(context.Background(), h)
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, "host/"+name+"-"+string(kind), v)
			})
		}
	}
}

func TestHostFixtureExpectations(t *testing.T) {
	collect := func(name string, kind hostfs.Kind) HostFacts {
		v, err := (&Host{uname: fakeUname}).Collect(context.Background(), hostfs.Fixture(kind, fixtureRoot(name), nil))
		if err != nil {
			t.Fatal(err)
		}
		return v.(HostFacts)
	}
	tests := []struct {
		name                    string
		kind                    hostfs.Kind
		hostname, osID          string
		osStatus, kernelStatus  string
		release, source         string
		virtStatus, role, virtS string
	}{
		{"debian-stock", hostfs.KindRootfs, "stock-debian", "debian", "ok", "ok", "6.1.0-13-amd64", "/lib/modules/6.1.0-13-amd64", "unavailable", "", ""},
		{"debian-stock", hostfs.KindHost, "fixture-host", "debian", "ok", "ok", "6.1.0-13-amd64", "uname", "ok", "guest", "qemu"},
		{"hardened", hostfs.KindRootfs, "", "debian", "ok", "ok", "6.1.0-13-amd64", "/lib/modules/6.1.0-13-amd64", "unavailable", "", ""},
		{"hardened", hostfs.KindHost, "fixture-host", "debian", "ok", "ok", "6.1.0-13-amd64", "uname", "ok", "none", "none"},
		{"broken", hostfs.KindRootfs, "", "", "error", "unavailable", "", "", "unavailable", "", ""},
		{"broken", hostfs.KindHost, "fixture-host", "", "error", "ok", "6.1.0-13-amd64", "uname", "ok", "container", "docker"},
		{"rhel-selinux", hostfs.KindRootfs, "rhel9.example.com", "rhel", "ok", "ok", "5.14.0-362.8.1.el9_3.x86_64", "/boot/vmlinuz-5.14.0-362.8.1.el9_3.x86_64", "unavailable", "", ""},
		{"rhel-selinux", hostfs.KindHost, "fixture-host", "rhel", "ok", "ok", "6.1.0-13-amd64", "uname", "ok", "guest", "vmware"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+string(tc.kind), func(t *testing.T) {
			f := collect(tc.name, tc.kind)
			got := []string{f.Hostname, f.OS.ID, f.OS.Status, f.Kernel.Status, f.Kernel.Release, f.Kernel.Source, f.Virtualization.Status, f.Virtualization.Role, f.Virtualization.System}
			want := []string{tc.hostname, tc.osID, tc.osStatus, tc.kernelStatus, tc.release, tc.source, tc.virtStatus, tc.role, tc.virtS}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d = %q, want %q (all: %q)", i, got[i], want[i], got)
				}
			}
		})
	}
}

func TestNaturalLess(t *testing.T) {
	ordered := []string{"0-rescue-abc", "5.14.0-70.13.1", "5.14.0-362.8.1", "6.1.0-9-amd64", "6.1.0-13-amd64", "6.10.0-1-amd64"}
	for i := 0; i+1 < len(ordered); i++ {
		if !naturalLess(ordered[i], ordered[i+1]) || naturalLess(ordered[i+1], ordered[i]) {
			t.Errorf("want %q < %q", ordered[i], ordered[i+1])
		}
	}
}

// TestHostLive checks the collector against the machine running the tests.
func TestHostLive(t *testing.T) {
	v, err := NewHost().Collect(context.Background(), hostfs.Live())
	if err != nil {
		t.Fatal(err)
	}
	f := v.(HostFacts)
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	if f.Kernel.Status != "ok" || f.Kernel.Release != unix.ByteSliceToString(u.Release[:]) || f.Kernel.Arch != unix.ByteSliceToString(u.Machine[:]) {
		t.Errorf("kernel = %+v, uname release %q", f.Kernel, unix.ByteSliceToString(u.Release[:]))
	}
	if f.Hostname != unix.ByteSliceToString(u.Nodename[:]) {
		t.Errorf("hostname = %q", f.Hostname)
	}
	if f.OS.Status == "ok" && f.OS.ID == "" {
		t.Errorf("os-release read but no ID: %+v", f.OS)
	}
	if f.Virtualization.Status != "ok" || f.Virtualization.Role == "" {
		t.Errorf("virtualization = %+v", f.Virtualization)
	}
}

func BenchmarkHostLive(b *testing.B) {
	h, c := hostfs.Live(), NewHost()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
