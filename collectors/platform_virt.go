package collectors

import (
	"bytes"
	"strings"

	"github.com/ztscan/ztscan/collectors/cpuid"
	"github.com/ztscan/ztscan/collectors/hostfs"
)

// VirtFacts follow systemd-detect-virt (systemd 252's detect_container
// and detect_vm): a container is reported first, since a container on a
// VM shares the VM's kernel with its neighbours, and the VM under it is
// kept in VM. Names are systemd-detect-virt's ("kvm", "docker", ...).
type VirtFacts struct {
	Part
	// Role is "container", "vm" or "none" (bare metal as far as can be
	// told); System is what systemd-detect-virt prints.
	Role      string `json:"role,omitempty"`
	System    string `json:"system,omitempty"`
	Container string `json:"container,omitempty"`
	VM        string `json:"vm,omitempty"`
	// Evidence names what decided, e.g. "/.dockerenv exists",
	// "cpuid hypervisor vendor KVMKVMKVM".
	Evidence []string `json:"evidence"`
}

func liveHypervisorCPUID() (string, bool) { return cpuid.Hypervisor() }

func detectVirt(h hostfs.Host, cpuidFn func() (string, bool)) VirtFacts {
	v := VirtFacts{Part: PartOK(), Evidence: []string{}}
	v.Container, v.Evidence = detectContainerSystem(h, v.Evidence)
	v.VM, v.Evidence = detectVMSystem(h, cpuidFn, v.Evidence)
	switch {
	case v.Container != "none":
		v.Role, v.System = "container", v.Container
	case v.VM != "none":
		v.Role, v.System = "vm", v.VM
	default:
		v.Role, v.System = "none", "none"
	}
	return v
}

// knownContainers are the names systemd-detect-virt prints; another
// container= value is "container-other".
var knownContainers = map[string]bool{
	"openvz": true, "lxc": true, "lxc-libvirt": true, "systemd-nspawn": true, "docker": true,
	"podman": true, "rkt": true, "wsl": true, "proot": true, "pouch": true,
}

func containerName(s string) string {
	s = strings.TrimSpace(s)
	if knownContainers[s] {
		return s
	}
	return "container-other"
}

func detectContainerSystem(h hostfs.Host, ev []string) (string, []string) {
	exists := func(p string) bool { _, err := h.Lstat(p); return err == nil }
	if exists("/proc/vz") && !exists("/proc/bc") {
		return "openvz", append(ev, "/proc/vz exists without /proc/bc")
	}
	if rel := attrString(h, "/proc/sys/kernel/osrelease"); strings.Contains(rel, "Microsoft") || strings.Contains(rel, "WSL") {
		return "wsl", append(ev, "kernel release "+rel)
	}
	for _, f := range []string{"/run/host/container-manager", "/run/systemd/container"} {
		if s := attrString(h, f); s != "" {
			return containerName(s), append(ev, f+" says "+s)
		}
	}
	// PID 1's environment is readable by root only.
	if data, err := h.ReadFileLimit("/proc/1/environ", 1<<20); err == nil {
		for _, kv := range bytes.Split(data, []byte{0}) {
			if val, ok := bytes.CutPrefix(kv, []byte("container=")); ok && len(val) > 0 {
				return containerName(string(val)), append(ev, "PID 1 has container="+string(val))
			}
		}
	}
	if exists("/run/.containerenv") {
		return "podman", append(ev, "/run/.containerenv exists")
	}
	if exists("/.dockerenv") {
		return "docker", append(ev, "/.dockerenv exists")
	}
	// Not systemd's: a cgroup v1 path of PID 1 that a container runtime
	// created (cgroup namespaces hide it, so its absence proves nothing).
	if data, err := h.ReadFileLimit("/proc/1/cgroup", 1<<20); err == nil {
		for _, m := range []struct{ marker, name string }{{"/docker/", "docker"}, {"/docker-", "docker"}, {"/libpod-", "podman"}, {"/lxc/", "lxc"}, {"/lxc.payload", "lxc"}, {"/kubepods", "container-other"}} {
			if bytes.Contains(data, []byte(m.marker)) {
				return m.name, append(ev, "PID 1's cgroup path contains "+m.marker)
			}
		}
	}
	return "none", ev
}

// dmiVirtVendors is systemd 252's dmi_vendor_table: a prefix of one of
// the DMI strings names the hypervisor.
var dmiVirtVendors = []struct{ prefix, system string }{
	{"KVM", "kvm"}, {"OpenStack", "kvm"}, {"KubeVirt", "kvm"}, {"Amazon EC2", "amazon"},
	{"QEMU", "qemu"}, {"VMware", "vmware"}, {"VMW", "vmware"}, {"innotek GmbH", "oracle"},
	{"VirtualBox", "oracle"}, {"Xen", "xen"}, {"Bochs", "bochs"}, {"Parallels", "parallels"},
	{"BHYVE", "bhyve"}, {"Hyper-V", "microsoft"}, {"Apple Virtualization", "apple"},
	{"Google Compute Engine", "google"},
}

// cpuidVendors is systemd's table of CPUID leaf 0x40000000 signatures.
var cpuidVendors = map[string]string{
	"XenVMMXenVMM": "xen", "KVMKVMKVM": "kvm", "Linux KVM Hv": "kvm", "TCGTCGTCGTCG": "qemu",
	"VMwareVMware": "vmware", "Microsoft Hv": "microsoft", "bhyve bhyve ": "bhyve",
	"QNXQVMBSQG": "qnx", "ACRNACRNACRN": "acrn", "SRESRESRESRE": "sre", "Apple VZ": "apple",
}

func detectVMSystem(h hostfs.Host, cpuidFn func() (string, bool), ev []string) (string, []string) {
	dmi, dmiEv := dmiVirt(h)
	// systemd trusts DMI first for these, whose CPUID signature is that
	// of another hypervisor (VirtualBox and EC2 Nitro say KVM).
	if dmi == "oracle" || dmi == "amazon" {
		return dmi, append(ev, dmiEv)
	}
	if dmi == "xen" || attrString(h, "/sys/hypervisor/type") == "xen" {
		if strings.Contains(attrString(h, "/proc/xen/capabilities"), "control_d") {
			return "none", append(ev, "Xen dom0 (/proc/xen/capabilities has control_d): the host itself")
		}
	}
	if cpuidFn != nil {
		if vendor, present := cpuidFn(); present {
			if sys, ok := cpuidVendors[vendor]; ok {
				return sys, append(ev, "cpuid hypervisor vendor "+vendor)
			}
		}
	}
	if dmi != "" {
		return dmi, append(ev, dmiEv)
	}
	if t := attrString(h, "/sys/hypervisor/type"); t == "xen" {
		return "xen", append(ev, "/sys/hypervisor/type is xen")
	}
	if c := attrString(h, "/proc/device-tree/hypervisor/compatible"); c != "" {
		for _, m := range []struct{ s, sys string }{{"linux,kvm", "kvm"}, {"xen", "xen"}, {"vmware", "vmware"}} {
			if strings.Contains(c, m.s) {
				return m.sys, append(ev, "device tree hypervisor "+c)
			}
		}
		return "vm-other", append(ev, "device tree hypervisor "+c)
	}
	cpuinfo, _ := h.ReadFileLimit("/proc/cpuinfo", 16<<20)
	if bytes.Contains(cpuinfo, []byte("User Mode Linux")) {
		return "uml", append(ev, "/proc/cpuinfo says User Mode Linux")
	}
	if si := attrString(h, "/proc/sysinfo"); strings.Contains(si, "VM00 Control Program") {
		if strings.Contains(si, "z/VM") {
			return "zvm", append(ev, "/proc/sysinfo: z/VM")
		}
		return "kvm", append(ev, "/proc/sysinfo: KVM")
	}
	if smbiosVMBit(h) {
		return "vm-other", append(ev, "SMBIOS BIOS characteristics say virtual machine")
	}
	if cpuHasHypervisorFlag(h) {
		return "vm-other", append(ev, "/proc/cpuinfo has the hypervisor flag, vendor unknown")
	}
	return "none", ev
}

func dmiVirt(h hostfs.Host) (string, string) {
	for _, f := range []string{"product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version"} {
		s := attrString(h, "/sys/class/dmi/id/"+f)
		for _, v := range dmiVirtVendors {
			if strings.HasPrefix(s, v.prefix) {
				return v.system, "DMI " + f + " is " + s
			}
		}
	}
	if attrString(h, "/sys/class/dmi/id/sys_vendor") == "Microsoft Corporation" && attrString(h, "/sys/class/dmi/id/product_name") == "Virtual Machine" {
		return "microsoft", "DMI says Microsoft Corporation Virtual Machine"
	}
	return "", ""
}

// smbiosVMBit reads SMBIOS type 0 (BIOS information) byte 0x13 bit 4,
// "system is a virtual machine", as systemd's detect_vm_smbios.
func smbiosVMBit(h hostfs.Host) bool {
	raw, err := h.ReadFileLimit("/sys/firmware/dmi/entries/0-0/raw", 64<<10)
	if err != nil || len(raw) < 0x14 || raw[1] < 0x14 {
		return false
	}
	return raw[0x13]&(1<<4) != 0
}
