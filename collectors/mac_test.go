package collectors

import (
	"context"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func collectMAC(t testing.TB, name string, kind hostfs.Kind) MACFacts {
	t.Helper()
	v, err := NewMAC().Collect(context.Background(), hostfs.Fixture(kind, fixtureRoot(name), nil))
	if err != nil {
		t.Fatal(err)
	}
	return v.(MACFacts)
}

func TestMACFixtures(t *testing.T) {
	for _, name := range fixtureCases {
		for _, kind := range fixtureKinds {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				checkGolden(t, "mac/"+name+"-"+string(kind), collectMAC(t, name, kind))
			})
		}
	}
}

func TestMACExpectations(t *testing.T) {
	type want struct {
		seKernel, seMode, seConfig, seSetting string
		aaKernel                              string
		aaEnabled                             bool
		aaKernelEnforce, aaKernelComplain     int
		aaConfig                              string
		installed, service, cmdlineOff        bool
		enforce, complain                     int
	}
	tests := []struct {
		name string
		kind hostfs.Kind
		want want
	}{
		{"debian-stock", hostfs.KindRootfs, want{"unavailable", "", "unavailable", "", "unavailable", false, 0, 0, "ok", true, true, false, 3, 0}},
		{"debian-stock", hostfs.KindHost, want{"ok", "disabled", "unavailable", "", "ok", true, 6, 0, "ok", true, true, false, 3, 0}},
		// sshd, chronyd enforce; tcpdump (flag) and curl (force-complain)
		// complain; firefox disabled; variables-only and .dpkg-old skipped
		{"hardened", hostfs.KindHost, want{"ok", "disabled", "unavailable", "", "ok", true, 2, 1, "ok", true, true, false, 2, 2}},
		// garbage dpkg db, dangling service link, apparmor=0, bad SELINUX=
		{"broken", hostfs.KindHost, want{"error", "", "error", "sometimes", "ok", false, 0, 0, "error", false, false, true, 0, 0}},
		{"rhel-selinux", hostfs.KindHost, want{"ok", "permissive", "ok", "enforcing", "ok", false, 0, 0, "ok", false, false, false, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+string(tc.kind), func(t *testing.T) {
			f := collectMAC(t, tc.name, tc.kind)
			aa := f.AppArmor
			got := want{
				f.SELinux.Kernel.Status, f.SELinux.Kernel.Mode, f.SELinux.Config.Status, f.SELinux.Config.SELinux,
				aa.Kernel.Status, aa.Kernel.Enabled, aa.Kernel.Profiles["enforce"], aa.Kernel.Profiles["complain"],
				aa.Config.Status, aa.Config.Installed, aa.Config.ServiceEnabled, aa.Config.DisabledOnCmdline,
				aa.Config.Profiles["enforce"], aa.Config.Profiles["complain"],
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestProfileMode(t *testing.T) {
	tests := []struct {
		text, mode string
		ok         bool
	}{
		{"#include <tunables/global>\n/usr/bin/man {\n}\n", "enforce", true},
		{"profile foo /usr/bin/foo flags=(attach_disconnected,complain) {\n}", "complain", true},
		{"/usr/bin/foo (complain) {\n}", "complain", true},
		{"profile unconfined_app /opt/app flags=(unconfined) {}", "unconfined", true},
		{"@{bin}/ping flags=(kill) {", "kill", true},
		{"# profile commented {\n", "", false},
		{"@{HOME}=/home/*/\n", "", false},
		{"abi <abi/3.0>,\ninclude <tunables/global>\n", "", false},
	}
	for _, tc := range tests {
		mode, ok := profileMode(tc.text)
		if mode != tc.mode || ok != tc.ok {
			t.Errorf("profileMode(%q) = %q, %v; want %q, %v", tc.text, mode, ok, tc.mode, tc.ok)
		}
	}
}

func TestGrubCmdline(t *testing.T) {
	tests := []struct {
		grub string
		off  bool
	}{
		{`GRUB_CMDLINE_LINUX_DEFAULT="quiet"`, false},
		{`GRUB_CMDLINE_LINUX="apparmor=0"`, true},
		{`GRUB_CMDLINE_LINUX="apparmor=0 apparmor=1"`, false},
		{`GRUB_CMDLINE_LINUX='security=selinux selinux=1'`, true},
		{`GRUB_CMDLINE_LINUX="lsm=landlock,lockdown,yama,integrity,bpf"`, true},
		{`GRUB_CMDLINE_LINUX="lsm=landlock,apparmor"`, false},
		{"GRUB_CMDLINE_LINUX=\"apparmor=0\"\nGRUB_CMDLINE_LINUX=\"\"", false},
		{"#GRUB_CMDLINE_LINUX=\"apparmor=0\"", false},
	}
	for _, tc := range tests {
		root := t.TempDir()
		mustWrite(t, root+"/etc/default/grub", tc.grub+"\n")
		off, err := apparmorDisabledOnCmdline(hostfs.Fixture(hostfs.KindRootfs, root, nil))
		if err != nil || off != tc.off {
			t.Errorf("%q: disabled=%v err=%v, want %v", tc.grub, off, err, tc.off)
		}
	}
}

func BenchmarkMACLive(b *testing.B) {
	h, c := hostfs.Live(), NewMAC()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
