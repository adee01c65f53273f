package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/systemd"
)

// Filesystem collects facts.filesystem: mounts and the options of / and
// /tmp, world-writable files in system directories, the modes of
// sensitive configuration files, and open-files limits.
type Filesystem struct {
	// Bounds of the world-writable walk; zero means the defaults.
	MaxEntries int
	MaxTime    time.Duration
	MaxListed  int
}

// NewFilesystem returns the "filesystem" collector.
func NewFilesystem() *Filesystem { return &Filesystem{} }

func (*Filesystem) Name() string { return "filesystem" }

// Walk bounds: a full Debian image has about 10,000 entries under these
// roots; the limits stop a hostile tree, not a real one.
const (
	defaultWalkEntries = 200000
	defaultWalkTime    = 5 * time.Second
	defaultWalkListed  = 50
)

// worldWritableRoots are the directories ZT-FS-003 covers.
var worldWritableRoots = []string{"/etc", "/usr/bin", "/usr/sbin", "/usr/lib/systemd"}

// sensitiveConfigs are the files ZT-FS-004 judges, as globs.
var sensitiveConfigs = []string{"/etc/ssh/sshd_config", "/etc/nftables.conf", "/etc/wireguard/*.conf", "/etc/postgresql/*/*/pg_hba.conf"}

// FilesystemFacts is facts.filesystem.
type FilesystemFacts struct {
	Mounts         MountsFacts        `json:"mounts"`
	Root           MountPoint         `json:"root"`
	Tmp            MountPoint         `json:"tmp"`
	TmpMount       UnitState          `json:"tmp_mount_unit"`
	WorldWritable  WorldWritableFacts `json:"world_writable"`
	SensitiveFiles []FileFacts        `json:"sensitive_files"`
	OpenFiles      OpenFilesFacts     `json:"open_files"`
}

// MountsFacts: the mount table (live: /proc/self/mountinfo) or the
// configured one (rootfs: /etc/fstab).
type MountsFacts struct {
	Part
	Source  string  `json:"source"`
	Entries []Mount `json:"entries"`
}

// Mount is one mount.
type Mount struct {
	MountPoint string   `json:"mount_point"`
	Device     string   `json:"device"`
	FSType     string   `json:"fstype"`
	Options    []string `json:"options"`
	Line       int      `json:"line"`
}

// MountPoint says whether a path is a mount of its own and with which
// options (per-mount and superblock options together).
type MountPoint struct {
	Path      string   `json:"path"`
	Mounted   bool     `json:"mounted"`
	Source    string   `json:"source,omitempty"` // mountinfo, fstab, tmp.mount
	FSType    string   `json:"fstype,omitempty"`
	Options   []string `json:"options"`
	ReadOnly  bool     `json:"read_only"`
	NoDev     bool     `json:"nodev"`
	NoSuid    bool     `json:"nosuid"`
	NoExec    bool     `json:"noexec"`
	Evidence  string   `json:"evidence,omitempty"`
	MountUnit string   `json:"mount_unit,omitempty"`
}

// WorldWritableFacts is the bounded walk's outcome.
type WorldWritableFacts struct {
	Part
	Roots []string `json:"roots"`
	// Files lists the first MaxListed world-writable entries that are not
	// sticky directories; Total counts them all.
	Files []WritableEntry `json:"files"`
	Total int             `json:"total"`
	// StickyDirs are world-writable directories with the sticky bit
	// (like /tmp): reported apart, not findings.
	StickyDirs  []WritableEntry `json:"sticky_dirs"`
	StickyTotal int             `json:"sticky_total"`
	Scanned     int             `json:"scanned"`
	// Truncated: the walk stopped at a bound; Total is then a lower bound.
	Truncated bool     `json:"truncated"`
	Reason    string   `json:"truncated_reason,omitempty"`
	Errors    []string `json:"errors"`
}

// WritableEntry is one world-writable path.
type WritableEntry struct {
	Path string `json:"path"`
	Type string `json:"type"`
	Mode string `json:"mode"`
}

func (c *Filesystem) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &FilesystemFacts{SensitiveFiles: []FileFacts{}}
	f.Mounts = readMounts(h)
	f.Root = mountPoint(f.Mounts, "/")
	f.Tmp = mountPoint(f.Mounts, "/tmp")
	units, err := systemd.Load(h)
	if err != nil {
		return nil, err
	}
	f.TmpMount = tmpMountUnit(ctx, units, &f.Tmp)
	f.WorldWritable = c.walkWorldWritable(ctx, h)
	for _, pattern := range sensitiveConfigs {
		matches, err := h.Glob(pattern)
		if err != nil {
			f.SensitiveFiles = append(f.SensitiveFiles, FileFacts{Path: pattern, Error: err.Error()})
			continue
		}
		for _, m := range matches {
			f.SensitiveFiles = append(f.SensitiveFiles, DescribeFile(h, m))
		}
	}
	f.OpenFiles = readOpenFiles(h)
	return f, nil
}

// readMounts reads the live mount table, or /etc/fstab on an offline root.
func readMounts(h hostfs.Host) MountsFacts {
	m := MountsFacts{Part: PartOK(), Entries: []Mount{}}
	if h.Kind() == hostfs.KindHost {
		m.Source = "/proc/self/mountinfo"
		data, err := h.ReadFile(m.Source)
		if err != nil {
			m.Part = PartError(err)
			return m
		}
		entries, err := parseMountinfo(data)
		if err != nil {
			m.Part = PartError(fmt.Errorf("%s: %w", m.Source, err))
			return m
		}
		m.Entries = entries
		return m
	}
	m.Source = "/etc/fstab"
	data, err := h.ReadFile(m.Source)
	if errors.Is(err, fs.ErrNotExist) {
		return m // no fstab: nothing is mounted by configuration
	}
	if err != nil {
		m.Part = PartError(err)
		return m
	}
	m.Entries = parseFstab(data)
	return m
}

// parseMountinfo reads proc(5) mountinfo lines: field 5 is the mount
// point, 6 the per-mount options, then optional fields up to "-", then
// fstype, source and superblock options. Octal escapes (\040) are undone.
func parseMountinfo(data []byte) ([]Mount, error) {
	var out []Mount
	for i, line := range strings.Split(string(data), "\n") {
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
		if sep < 0 || sep+2 >= len(f) {
			return nil, fmt.Errorf("line %d: not a mountinfo line", i+1)
		}
		opts := strings.Split(f[5], ",")
		if sep+3 < len(f) {
			opts = append(opts, strings.Split(f[sep+3], ",")...)
		}
		out = append(out, Mount{MountPoint: unescapeOctal(f[4]), Device: unescapeOctal(f[sep+2]), FSType: f[sep+1], Options: dedup(opts), Line: i + 1})
	}
	return out, nil
}

// parseFstab reads fstab(5): device, mount point, type, options; "#"
// comments. Swap and malformed lines are skipped (mount skips them too).
func parseFstab(data []byte) []Mount {
	out := []Mount{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 || f[2] == "swap" {
			continue
		}
		opts := []string{"defaults"}
		if len(f) >= 4 {
			opts = strings.Split(f[3], ",")
		}
		out = append(out, Mount{MountPoint: unescapeOctal(f[1]), Device: unescapeOctal(f[0]), FSType: f[2], Options: opts, Line: i + 1})
	}
	return out
}

func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, ok := octal3(s[i+1 : i+4]); ok {
				b.WriteByte(n)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func octal3(s string) (byte, bool) {
	if len(s) != 3 {
		return 0, false
	}
	v := 0
	for _, c := range s {
		if c < '0' || c > '7' {
			return 0, false
		}
		v = v*8 + int(c-'0')
	}
	return byte(v), v < 256
}

func dedup(xs []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// mountPoint describes path from the last mount of it (later mounts
// hide earlier ones, as the kernel stacks them).
func mountPoint(m MountsFacts, path string) MountPoint {
	mp := MountPoint{Path: path, Options: []string{}}
	for _, e := range m.Entries {
		if e.MountPoint != path {
			continue
		}
		mp.Mounted, mp.Source, mp.FSType, mp.Options = true, m.Source, e.FSType, e.Options
		mp.Evidence = fmt.Sprintf("%s:%d", m.Source, e.Line)
	}
	setFlags(&mp)
	return mp
}

func setFlags(mp *MountPoint) {
	mp.ReadOnly, mp.NoDev, mp.NoSuid, mp.NoExec = false, false, false, false
	for _, o := range mp.Options {
		switch o {
		case "ro":
			mp.ReadOnly = true
		case "rw":
			mp.ReadOnly = false
		case "nodev":
			mp.NoDev = true
		case "nosuid":
			mp.NoSuid = true
		case "noexec":
			mp.NoExec = true
		}
	}
}

// tmpMountUnit resolves tmp.mount; on an offline root an enabled one with
// no fstab line for /tmp is what mounts /tmp at boot.
func tmpMountUnit(ctx context.Context, units *systemd.Units, tmp *MountPoint) UnitState {
	st := unitStates(ctx, units, []string{"tmp.mount"})["tmp.mount"]
	un, ok := units.Unit("tmp.mount")
	if !ok || tmp.Mounted || !un.Enabled && !(st.Active.Running != nil && *st.Active.Running) {
		return st
	}
	opts, file, line, ok := un.Get("Mount", "Options")
	tmp.Mounted, tmp.Source, tmp.MountUnit = true, "tmp.mount", un.Path
	tmp.Options = []string{}
	if ok {
		tmp.Options = dedup(strings.Split(opts, ","))
		tmp.Evidence = fmt.Sprintf("%s:%d", file, line)
	}
	if t, _, _, ok := un.Get("Mount", "Type"); ok {
		tmp.FSType = t
	}
	setFlags(tmp)
	return st
}
