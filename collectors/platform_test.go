package collectors

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/cpuid"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

func collectPlatform(t *testing.T, h hostfs.Host, c *Platform) PlatformFacts {
	t.Helper()
	v, err := c.Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	return v.(PlatformFacts)
}

func TestPlatformFixture(t *testing.T) {
	for _, kind := range fixtureKinds {
		f := collectPlatform(t, hostfs.Fixture(kind, fixtureRoot("server-luks-lvm"), nil), &Platform{})
		checkGolden(t, "platform/server-luks-lvm-"+string(kind), f)
	}
	live := collectPlatform(t, hostfs.Fixture(hostfs.KindHost, fixtureRoot("server-luks-lvm"), nil), &Platform{})
	if !live.CPU.AES || live.CPU.LogicalCPUs != 2 || live.CPU.Vendor != "GenuineIntel" || live.Virtualization.Role != "none" {
		t.Errorf("cpu/virt %+v %+v", live.CPU, live.Virtualization)
	}
	r := live.Encryption.Root
	if r == nil || !r.Encrypted || r.Device != "dm-1" || strings.Join(r.Layers, " | ") != "dm-1 (lvm vg0-root) | dm-0 (dm-crypt LUKS2 sda3_crypt)" {
		t.Errorf("root %+v", r)
	}
	if len(live.Encryption.Data) != 1 || live.Encryption.Data[0].Mount != "/srv" || !live.Encryption.Data[0].Encrypted {
		t.Errorf("data %+v (the bind of /srv and /boot must not be listed)", live.Encryption.Data)
	}
	img := collectPlatform(t, hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("server-luks-lvm"), nil), &Platform{})
	// An LVM root on an image: whether its PV is a crypttab mapping only
	// the running host can prove, so no verdict (not an assumed pass).
	if img.CPU.Status != "unavailable" || img.Encryption.Source != "/etc/crypttab" || img.Encryption.Root == nil || img.Encryption.Root.Encrypted || img.Encryption.Root.Status != "unavailable" {
		t.Errorf("rootfs %+v", img)
	}
	if bare := collectPlatform(t, hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("hardened"), nil), &Platform{}); bare.Encryption.Status != "unavailable" {
		t.Errorf("image without crypttab: %+v", bare.Encryption)
	}
}

func TestPlatformEncryptionStacks(t *testing.T) {
	mountinfo := func(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
	disk := func(name string) map[string]string {
		return map[string]string{"sys/class/block/" + name + "/uevent": "DEVNAME=" + name + "\nDEVTYPE=disk\n"}
	}
	tests := []struct {
		name      string
		files     map[string]string
		status    string
		encrypted bool
	}{
		{"plain partition", merge(disk("sda1"), map[string]string{
			"proc/self/mountinfo":            mountinfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw"),
			"sys/dev/block/8:1/uevent":       "DEVNAME=sda1\n",
			"sys/class/block/sda1/partition": "1\n",
		}), "ok", false},
		{"btrfs by source path on crypt", merge(map[string]string{
			"proc/self/mountinfo":                   mountinfo("1 0 0:31 /@ / rw - btrfs /dev/mapper/root rw"),
			"sys/class/block/dm-0/dm/name":          "root\n",
			"sys/class/block/dm-0/dm/uuid":          "CRYPT-LUKS2-abc-root\n",
			"sys/class/block/dm-0/slaves/nvme0n1p2": "->../../nvme0n1p2",
		}, disk("nvme0n1p2")), "ok", true},
		{"raid of one crypt and one plain disk", merge(disk("sdb"), map[string]string{
			"proc/self/mountinfo":             mountinfo("1 0 9:0 / / rw - xfs /dev/md0 rw"),
			"sys/dev/block/9:0/uevent":        "DEVNAME=md0\n",
			"sys/class/block/md0/slaves/dm-0": "->../../dm-0",
			"sys/class/block/md0/slaves/sdb":  "->../../sdb",
			"sys/class/block/dm-0/dm/uuid":    "CRYPT-PLAIN-x\n",
		}), "ok", false},
		{"container overlay", map[string]string{"proc/self/mountinfo": mountinfo("1 0 0:50 / / rw - overlay overlay rw,lowerdir=/a")}, "unavailable", false},
		{"loop in the stack", map[string]string{
			"proc/self/mountinfo":              mountinfo("1 0 254:0 / / rw - ext4 /dev/dm-0 rw"),
			"sys/dev/block/254:0/uevent":       "DEVNAME=dm-0\n",
			"sys/class/block/dm-0/dm/uuid":     "LVM-x\n",
			"sys/class/block/dm-0/slaves/dm-0": "->../../dm-0",
		}, "error", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := mountedEncryption(hostfs.Fixture(hostfs.KindHost, platTree(t, tc.files), nil))
			if e.Status != "ok" || e.Root == nil || e.Root.Status != tc.status || e.Root.Encrypted != tc.encrypted {
				t.Errorf("%+v root %+v", e, e.Root)
			}
		})
	}
	if e := mountedEncryption(hostfs.Fixture(hostfs.KindHost, platTree(t, map[string]string{"proc/self/mountinfo": "garbage\n"}), nil)); e.Status != "error" {
		t.Errorf("garbage mountinfo: %+v", e)
	}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestPlatformVirtualization(t *testing.T) {
	kvm := func() (string, bool) { return "KVMKVMKVM", true }
	tests := []struct {
		name          string
		files         map[string]string
		cpuid         func() (string, bool)
		role, sys, vm string
	}{
		{"bare metal", map[string]string{"sys/class/dmi/id/sys_vendor": "Dell Inc.\n"}, nil, "none", "none", "none"},
		{"docker on kvm", map[string]string{".dockerenv": ""}, kvm, "container", "docker", "kvm"},
		{"podman", map[string]string{"run/.containerenv": ""}, nil, "container", "podman", "none"},
		{"nspawn marker", map[string]string{"run/systemd/container": "systemd-nspawn\n"}, nil, "container", "systemd-nspawn", "none"},
		{"pid 1 environ", map[string]string{"proc/1/environ": "PATH=/bin\x00container=lxc\x00"}, nil, "container", "lxc", "none"},
		{"unknown container", map[string]string{"run/host/container-manager": "acme\n"}, nil, "container", "container-other", "none"},
		{"wsl", map[string]string{"proc/sys/kernel/osrelease": "5.15.90.1-microsoft-standard-WSL2\n"}, nil, "container", "wsl", "none"},
		{"openvz", map[string]string{"proc/vz/veinfo": ""}, nil, "container", "openvz", "none"},
		{"cgroup v1 docker", map[string]string{"proc/1/cgroup": "12:pids:/docker/0123abcd\n"}, nil, "container", "docker", "none"},
		{"dmi qemu", map[string]string{"sys/class/dmi/id/sys_vendor": "QEMU\n"}, nil, "vm", "qemu", "qemu"},
		{"cpuid beats dmi", map[string]string{"sys/class/dmi/id/sys_vendor": "QEMU\n"}, kvm, "vm", "kvm", "kvm"},
		{"virtualbox dmi beats cpuid", map[string]string{"sys/class/dmi/id/product_name": "VirtualBox\n"}, kvm, "vm", "oracle", "oracle"},
		{"xen dom0 is the host", map[string]string{"sys/hypervisor/type": "xen\n", "proc/xen/capabilities": "control_d\n"}, nil, "none", "none", "none"},
		{"xen domU", map[string]string{"sys/hypervisor/type": "xen\n"}, nil, "vm", "xen", "xen"},
		{"hypervisor flag only", map[string]string{"proc/cpuinfo": "processor : 0\nflags : fpu hypervisor\n"}, nil, "vm", "vm-other", "vm-other"},
		{"hyper-v dmi", map[string]string{"sys/class/dmi/id/sys_vendor": "Microsoft Corporation\n", "sys/class/dmi/id/product_name": "Virtual Machine\n"}, nil, "vm", "microsoft", "microsoft"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := detectVirt(hostfs.Fixture(hostfs.KindHost, platTree(t, tc.files), nil), tc.cpuid)
			if v.Role != tc.role || v.System != tc.sys || v.VM != tc.vm {
				t.Errorf("got %s/%s vm %s (%q), want %s/%s vm %s", v.Role, v.System, v.VM, v.Evidence, tc.role, tc.sys, tc.vm)
			}
		})
	}
}

// TestPlatformVirtualizationMatchesSystemd compares the live detection
// with systemd-detect-virt on this machine.
func TestPlatformVirtualizationMatchesSystemd(t *testing.T) {
	bin := testenv.RequireTool(t, "systemd-detect-virt")
	ask := func(flag string) string {
		out, _ := exec.Command(bin, flag).Output() // exit 1 with "none"
		return strings.TrimSpace(string(out))
	}
	v := detectVirt(hostfs.Live(), cpuid.Hypervisor)
	if got, want := v.Container, ask("--container"); got != want {
		t.Errorf("container %q, systemd-detect-virt --container says %q (%q)", got, want, v.Evidence)
	}
	if got, want := v.VM, ask("--vm"); got != want {
		t.Errorf("vm %q, systemd-detect-virt --vm says %q (%q)", got, want, v.Evidence)
	}
	if got, want := v.System, ask(""); want != "" && got != want {
		t.Errorf("system %q, systemd-detect-virt says %q", got, want)
	}
	t.Logf("%+v", v)
}

func BenchmarkPlatform(b *testing.B) {
	h := hostfs.Fixture(hostfs.KindHost, fixtureRoot("server-luks-lvm"), nil)
	for b.Loop() {
		if _, err := (&Platform{}).Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
