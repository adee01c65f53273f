package collectors

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// HostFacts identify the target: its name, distribution, kernel and
// whether it runs virtualised. They are the context every report shows.
type HostFacts struct {
	Hostname       string              `json:"hostname"`
	OS             OSFacts             `json:"os"`
	Kernel         KernelFacts         `json:"kernel"`
	Virtualization VirtualizationFacts `json:"virtualization"`
}

// OSFacts come from os-release(5).
type OSFacts struct {
	Part
	ID         string `json:"id,omitempty"`
	VersionID  string `json:"version_id,omitempty"`
	PrettyName string `json:"pretty_name,omitempty"`
	File       string `json:"file,omitempty"`
}

// KernelFacts name the kernel: the running one on the live host, the
// installed one (highest version) in an offline root. Source says where
// the release was learned: "uname", "/lib/modules/<ver>" or "/boot/vmlinuz-<ver>".
type KernelFacts struct {
	Part
	Release string `json:"release,omitempty"`
	Arch    string `json:"arch,omitempty"`
	Source  string `json:"source,omitempty"`
}

// VirtualizationFacts say whether the live host is a VM guest ("guest"),
// a container ("container") or bare metal as far as we can tell ("none"),
// and the technology when known ("kvm", "docker", ...).
type VirtualizationFacts struct {
	Part
	Role   string `json:"role,omitempty"`
	System string `json:"system,omitempty"`
}

// Host collects HostFacts.
type Host struct {
	// uname is unix.Uname; tests replace it so that live-kind fixtures
	// have a deterministic kernel.
	uname func(*unix.Utsname) error
}

// NewHost returns the "host" collector.
func NewHost() *Host { return &Host{uname: unix.Uname} }

// Name is the facts key.
func (*Host) Name() string { return "host" }

// Collect gathers HostFacts; it never fails as a whole, each piece
// carries its own status.
func (c *Host) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	out := HostFacts{OS: collectOSRelease(h)}
	if h.Kind() == hostfs.KindRootfs {
		out.Hostname = rootfsHostname(h)
		out.Kernel = installedKernel(h)
		out.Virtualization = VirtualizationFacts{Part: PartUnavailable("offline root: virtualization is a property of a running system")}
		return out, nil
	}
	out.Hostname, out.Kernel = c.runningKernel()
	out.Virtualization = detectVirtualization(h)
	return out, nil
}

func (c *Host) runningKernel() (string, KernelFacts) {
	var u unix.Utsname
	uname := c.uname
	if uname == nil {
		uname = unix.Uname
	}
	if err := uname(&u); err != nil {
		return "", KernelFacts{Part: PartError(err)}
	}
	return unix.ByteSliceToString(u.Nodename[:]), KernelFacts{
		Part:    PartOK(),
		Release: unix.ByteSliceToString(u.Release[:]),
		Arch:    unix.ByteSliceToString(u.Machine[:]),
		Source:  "uname",
	}
}

// collectOSRelease reads os-release(5): /etc/os-release, else the vendor
// copy /usr/lib/os-release, exactly the lookup order the man page gives.
func collectOSRelease(h hostfs.Host) OSFacts {
	var firstErr error
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		data, err := h.ReadFileLimit(p, 64<<10)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && firstErr == nil {
				firstErr = err
			}
			continue
		}
		kv := parseShellAssignments(data)
		return OSFacts{Part: PartOK(), ID: kv["ID"], VersionID: kv["VERSION_ID"], PrettyName: kv["PRETTY_NAME"], File: p}
	}
	if firstErr != nil {
		return OSFacts{Part: PartError(firstErr)}
	}
	return OSFacts{Part: PartUnavailable("no /etc/os-release or /usr/lib/os-release")}
}

// parseShellAssignments reads the KEY=value subset of shell syntax that
// os-release and /etc/selinux/config use: optional single or double
// quotes, '#' comments, no expansion.
func parseShellAssignments(data []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		out[strings.TrimSpace(k)] = unquoteShell(strings.TrimSpace(v))
	}
	return out
}

func unquoteShell(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
		if v != "" {
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`, "\\`", "`").Replace(v)
		}
	}
	return v
}

// rootfsHostname is the static hostname of hostname(5); an image often
// has none, which leaves the field empty.
func rootfsHostname(h hostfs.Host) string {
	data, err := h.ReadFileLimit("/etc/hostname", 4096)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return ""
}

// installedKernel guesses the kernel an offline root would boot: the
// highest version with a modules directory (every packaged kernel has
// one), else the highest /boot/vmlinuz-*. A container image has neither.
func installedKernel(h hostfs.Host) KernelFacts {
	for _, dir := range []string{"/lib/modules", "/usr/lib/modules"} {
		if v := highestVersion(moduleDirs(h, dir)); v != "" {
			return KernelFacts{Part: PartOK(), Release: v, Source: dir + "/" + v}
		}
	}
	images, _ := h.Glob("/boot/vmlinuz-*")
	var versions []string
	for _, img := range images {
		if fi, err := h.Stat(img); err == nil && fi.IsRegular() {
			versions = append(versions, strings.TrimPrefix(path.Base(img), "vmlinuz-"))
		}
	}
	if v := highestVersion(versions); v != "" {
		return KernelFacts{Part: PartOK(), Release: v, Source: "/boot/vmlinuz-" + v}
	}
	return KernelFacts{Part: PartUnavailable("offline root has no kernel (no /lib/modules/<version>, /usr/lib/modules/<version> or /boot/vmlinuz-<version>)")}
}

func moduleDirs(h hostfs.Host, dir string) []string {
	entries, err := h.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if fi, err := h.Stat(path.Join(dir, e.Name)); err == nil && fi.IsDir() {
			out = append(out, e.Name)
		}
	}
	return out
}

func highestVersion(versions []string) string {
	if len(versions) == 0 {
		return ""
	}
	sort.Slice(versions, func(i, j int) bool { return naturalLess(versions[i], versions[j]) })
	return versions[len(versions)-1]
}

// naturalLess compares digit runs numerically, so 6.1.0-13 sorts after
// 6.1.0-9 as a package manager would order them.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := isASCIIDigit(a[0]), isASCIIDigit(b[0])
		if da && db {
			na, ra := leadingRun(a, true)
			nb, rb := leadingRun(b, true)
			na, nb = strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func leadingRun(s string, digits bool) (string, string) {
	i := 0
	for i < len(s) && isASCIIDigit(s[i]) == digits {
		i++
	}
	return s[:i], s[i:]
}

// detectVirtualization is a light version of systemd-detect-virt that
// only reads files: container markers first (a container on a VM is
// first of all a container), then DMI vendor strings, then the CPU's
// hypervisor flag.
func detectVirtualization(h hostfs.Host) VirtualizationFacts {
	if system := detectContainer(h); system != "" {
		return VirtualizationFacts{Part: PartOK(), Role: "container", System: system}
	}
	if system := dmiHypervisor(h); system != "" {
		return VirtualizationFacts{Part: PartOK(), Role: "guest", System: system}
	}
	if cpuHasHypervisorFlag(h) {
		return VirtualizationFacts{Part: PartOK(), Role: "guest", System: "unknown"}
	}
	return VirtualizationFacts{Part: PartOK(), Role: "none", System: "none"}
}

func detectContainer(h hostfs.Host) string {
	if _, err := h.Lstat("/.dockerenv"); err == nil {
		return "docker"
	}
	if data, err := h.ReadFileLimit("/run/systemd/container", 4096); err == nil {
		if s := strings.TrimSpace(string(data)); s != "" {
			return s
		}
	}
	// PID 1's environment is readable by root only; without it the
	// other markers decide.
	if data, err := h.ReadFileLimit("/proc/1/environ", 1<<20); err == nil {
		for _, kv := range bytes.Split(data, []byte{0}) {
			if v, ok := bytes.CutPrefix(kv, []byte("container=")); ok && len(v) > 0 {
				return string(v)
			}
		}
	}
	return ""
}

// dmiVendors maps DMI sys_vendor or product_name substrings to the names
// systemd-detect-virt prints.
var dmiVendors = []struct{ match, system string }{
	{"KVM", "kvm"},
	{"QEMU", "qemu"},
	{"VMware", "vmware"},
	{"VirtualBox", "oracle"},
	{"innotek GmbH", "oracle"},
	{"Xen", "xen"},
	{"Bochs", "bochs"},
	{"Parallels", "parallels"},
	{"BHYVE", "bhyve"},
	{"Amazon EC2", "amazon"},
	{"Google Compute Engine", "google"},
	{"Microsoft Corporation Virtual Machine", "microsoft"},
}

func dmiHypervisor(h hostfs.Host) string {
	var ids []string
	for _, f := range []string{"sys_vendor", "product_name", "board_vendor", "bios_vendor"} {
		if data, err := h.ReadFileLimit("/sys/class/dmi/id/"+f, 4096); err == nil {
			ids = append(ids, strings.TrimSpace(string(data)))
		}
	}
	joined := strings.Join(ids, " ")
	for _, v := range dmiVendors {
		if strings.Contains(joined, v.match) {
			return v.system
		}
	}
	return ""
}

func cpuHasHypervisorFlag(h hostfs.Host) bool {
	data, err := h.ReadFileLimit("/proc/cpuinfo", 8<<20)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "flags" {
			continue
		}
		for _, flag := range strings.Fields(v) {
			if flag == "hypervisor" {
				return true
			}
		}
		return false // the first CPU speaks for all
	}
	return false
}
