package collectors

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// EncryptionFacts say whether the root and data filesystems sit on
// dm-crypt. On a live host each mounted block filesystem is followed
// down its device stack (/sys/class/block/<dev>/slaves, dm/uuid); on an
// offline root only /etc/crypttab and /etc/fstab can say what is meant.
type EncryptionFacts struct {
	Part
	// Source is "/proc/self/mountinfo" or "/etc/crypttab".
	Source string   `json:"source,omitempty"`
	Root   *Volume  `json:"root,omitempty"`
	Data   []Volume `json:"data"`
	// Crypttab lists /etc/crypttab's mappings (never key material: only
	// whether a key file is named).
	Crypttab []CrypttabEntry `json:"crypttab"`
}

// Volume is one mounted filesystem and the devices under it.
type Volume struct {
	Mount  string `json:"mount"`
	FSType string `json:"fstype,omitempty"`
	Source string `json:"source,omitempty"`
	Device string `json:"device,omitempty"`
	Part
	// Encrypted: every path from the filesystem down to a disk crosses a
	// dm-crypt mapping. Layers describe the stack, top first.
	Encrypted bool     `json:"encrypted"`
	Layers    []string `json:"layers"`
}

// CrypttabEntry is one line of crypttab(5).
type CrypttabEntry struct {
	Name    string   `json:"name"`
	Device  string   `json:"device"`
	KeyFile bool     `json:"key_file"`
	Options []string `json:"options"`
}

// mountEntry is one line of mountinfo.
type mountEntry struct {
	major, minor     int
	root, mount      string
	fstype, source   string
	hasBlockDevNum   bool
	sourceIsBlockDev bool
}

// mountedEncryption follows the live host's mounts.
func mountedEncryption(h hostfs.Host) EncryptionFacts {
	out := EncryptionFacts{Source: "/proc/self/mountinfo", Data: []Volume{}, Crypttab: readCrypttab(h)}
	data, err := h.ReadFileLimit("/proc/self/mountinfo", 16<<20)
	if err != nil {
		out.Part = PartError(fmt.Errorf("/proc/self/mountinfo: %w", err))
		return out
	}
	mounts, err := parseMountinfoDevices(string(data))
	if err != nil {
		out.Part = PartError(fmt.Errorf("/proc/self/mountinfo: %w", err))
		return out
	}
	// The last mount of a path hides the earlier ones.
	top := map[string]mountEntry{}
	for _, m := range mounts {
		top[m.mount] = m
	}
	rootMount, ok := top["/"]
	if !ok {
		out.Part = PartError(fmt.Errorf("/proc/self/mountinfo: no mount at /"))
		return out
	}
	out.Part = PartOK()
	root := volumeOf(h, rootMount)
	out.Root = &root
	seenDev := map[string]bool{root.Device: root.Device != ""}
	var points []string
	for p := range top {
		points = append(points, p)
	}
	sort.Strings(points)
	for _, p := range points {
		m := top[p]
		if p == "/" || !isDataMount(m) {
			continue
		}
		v := volumeOf(h, m)
		if v.Device == "" || seenDev[v.Device] {
			continue // not a block device, or a bind of one already listed
		}
		seenDev[v.Device] = true
		out.Data = append(out.Data, v)
	}
	return out
}

// isDataMount: a block filesystem that holds data. /boot and the EFI
// partition are read by firmware and cannot be encrypted; read-only
// images (squashfs, ISO) hold nothing of the host's own.
func isDataMount(m mountEntry) bool {
	if !m.hasBlockDevNum && !m.sourceIsBlockDev {
		return false
	}
	if m.mount == "/boot" || m.mount == "/efi" || strings.HasPrefix(m.mount, "/boot/") {
		return false
	}
	switch m.fstype {
	case "squashfs", "iso9660", "udf", "erofs":
		return false
	}
	return true
}

func parseMountinfoDevices(s string) ([]mountEntry, error) {
	var out []mountEntry
	for i, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		sep := -1
		for j := 6; j < len(f); j++ {
			if f[j] == "-" {
				sep = j
				break
			}
		}
		if len(f) < 7 || sep < 0 || sep+2 >= len(f) {
			return nil, fmt.Errorf("line %d: not a mountinfo line", i+1)
		}
		majS, minS, ok := strings.Cut(f[2], ":")
		maj, err1 := strconv.Atoi(majS)
		minor, err2 := strconv.Atoi(minS)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: %q is not major:minor", i+1, f[2])
		}
		m := mountEntry{major: maj, minor: minor, root: unescapeOctal(f[3]), mount: unescapeOctal(f[4]), fstype: f[sep+1], source: unescapeOctal(f[sep+2])}
		m.hasBlockDevNum = maj != 0
		m.sourceIsBlockDev = strings.HasPrefix(m.source, "/dev/") && !strings.HasPrefix(m.source, "/dev/pts")
		out = append(out, m)
	}
	return out, nil
}

// volumeOf resolves a mount's block device and walks its stack.
func volumeOf(h hostfs.Host, m mountEntry) Volume {
	v := Volume{Mount: m.mount, FSType: m.fstype, Source: m.source, Layers: []string{}}
	dev := ""
	if m.hasBlockDevNum {
		for _, kv := range strings.Split(attrString(h, fmt.Sprintf("/sys/dev/block/%d:%d/uevent", m.major, m.minor)), "\n") {
			if name, ok := strings.CutPrefix(kv, "DEVNAME="); ok {
				dev = name
			}
		}
	}
	if dev == "" && m.sourceIsBlockDev {
		dev = blockDeviceByPath(h, m.source)
	}
	if dev == "" {
		v.Part = PartUnavailable(fmt.Sprintf("%s (%s from %s) is not on a block device this host shows (a container's or network filesystem: its encryption is decided where its storage lives)", m.mount, m.fstype, m.source))
		return v
	}
	v.Device = dev
	enc, err := walkBlockStack(h, dev, &v.Layers, 0, map[string]bool{})
	if err != nil {
		v.Part = PartError(err)
		return v
	}
	v.Part, v.Encrypted = PartOK(), enc
	return v
}

// blockDeviceByPath maps /dev/mapper/NAME or /dev/NAME to a kernel name.
func blockDeviceByPath(h hostfs.Host, p string) string {
	if name, ok := strings.CutPrefix(p, "/dev/mapper/"); ok {
		dms, _ := h.Glob("/sys/class/block/dm-*")
		for _, d := range dms {
			if attrString(h, d+"/dm/name") == name {
				return d[strings.LastIndex(d, "/")+1:]
			}
		}
		return ""
	}
	name := strings.TrimPrefix(p, "/dev/")
	if strings.Contains(name, "/") {
		return ""
	}
	if _, err := h.Stat("/sys/class/block/" + name); err == nil {
		return name
	}
	return ""
}

// maxStackDepth bounds the device stack walk (real stacks are 2-4 deep).
const maxStackDepth = 16

// walkBlockStack reports whether every path from dev down crosses a
// dm-crypt mapping, appending a description of each layer.
func walkBlockStack(h hostfs.Host, dev string, layers *[]string, depth int, seen map[string]bool) (bool, error) {
	if depth > maxStackDepth || seen[dev] {
		return false, fmt.Errorf("/sys/class/block/%s: device stack deeper than %d or looping", dev, maxStackDepth)
	}
	seen[dev] = true
	dir := "/sys/class/block/" + dev
	if _, err := h.Stat(dir); err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	uuid := attrString(h, dir+"/dm/uuid")
	kind := blockKind(h, dir, dev, uuid)
	desc := dev + " (" + kind
	if name := attrString(h, dir+"/dm/name"); name != "" {
		desc += " " + name
	}
	*layers = append(*layers, desc+")")
	if strings.HasPrefix(uuid, "CRYPT-") {
		return true, nil
	}
	slaves, err := h.ReadDir(dir + "/slaves")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("%s/slaves: %w", dir, err)
	}
	if len(slaves) == 0 {
		return false, nil // a disk, partition or loop device: plain storage
	}
	all := true
	for _, s := range slaves {
		enc, err := walkBlockStack(h, s.Name, layers, depth+1, seen)
		if err != nil {
			return false, err
		}
		all = all && enc
	}
	return all, nil
}

// blockKind names a layer from its dm uuid prefix or sysfs shape.
func blockKind(h hostfs.Host, dir, dev, uuid string) string {
	switch {
	case strings.HasPrefix(uuid, "CRYPT-"):
		parts := strings.SplitN(uuid, "-", 3)
		return "dm-crypt " + parts[1]
	case strings.HasPrefix(uuid, "LVM-"):
		return "lvm"
	case strings.HasPrefix(uuid, "mpath-"):
		return "multipath"
	case strings.HasPrefix(uuid, "part"):
		return "dm partition"
	case uuid != "":
		return "device-mapper " + strings.SplitN(uuid, "-", 2)[0]
	case strings.HasPrefix(dev, "md"):
		return "md raid"
	case strings.HasPrefix(dev, "loop"):
		return "loop"
	}
	if _, err := h.Stat(dir + "/partition"); err == nil || strings.Contains(attrString(h, dir+"/uevent"), "DEVTYPE=partition") {
		return "partition"
	}
	return "disk"
}

// readCrypttab parses /etc/crypttab: name, device, key file, options.
func readCrypttab(h hostfs.Host) []CrypttabEntry {
	out := []CrypttabEntry{}
	data, err := h.ReadFileLimit("/etc/crypttab", 1<<20)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		e := CrypttabEntry{Name: f[0], Device: f[1], Options: []string{}}
		if len(f) > 2 {
			e.KeyFile = f[2] != "none" && f[2] != "-"
		}
		if len(f) > 3 {
			e.Options = strings.Split(f[3], ",")
		}
		out = append(out, e)
	}
	return out
}

// configuredEncryption is an offline root's evidence: crypttab mappings
// and whether fstab mounts / from one of them (directly, or through an
// LVM volume when crypttab maps the physical volume).
func configuredEncryption(h hostfs.Host) EncryptionFacts {
	out := EncryptionFacts{Source: "/etc/crypttab", Data: []Volume{}, Crypttab: readCrypttab(h)}
	if len(out.Crypttab) == 0 {
		out.Part = PartUnavailable("offline root without /etc/crypttab mappings: disk encryption is set up when the image is installed, and checked on the running host")
		return out
	}
	out.Part = PartOK()
	names := map[string]bool{}
	for _, e := range out.Crypttab {
		names[e.Name] = true
	}
	data, _ := h.ReadFileLimit("/etc/fstab", 1<<20)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.HasPrefix(f[0], "#") || f[1] != "/" {
			continue
		}
		v := Volume{Mount: "/", FSType: f[2], Source: f[0], Part: PartOK(), Layers: []string{}}
		mapped := strings.TrimPrefix(f[0], "/dev/mapper/")
		switch {
		case mapped != f[0] && names[mapped]:
			v.Encrypted = true
			v.Layers = append(v.Layers, "crypttab mapping "+mapped)
		case mapped != f[0] && strings.Contains(mapped, "-"):
			// /dev/mapper/VG-LV: LVM. It is encrypted only if its physical
			// volume is one of the crypttab mappings, which only the
			// running host's device stack can prove: no verdict from the
			// image, rather than a pass on an assumption.
			v.Part = PartUnavailable("/ is the LVM volume " + mapped + ": whether its physical volume is one of the crypttab mappings can only be checked on the running host")
			v.Layers = append(v.Layers, "LVM volume "+mapped)
		default:
			v.Layers = append(v.Layers, "not a crypttab mapping")
		}
		out.Root = &v
	}
	return out
}
