package collectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/rpmdb"
)

// DpkgStatusFile is dpkg's database of package states.
const DpkgStatusFile = "/var/lib/dpkg/status"

// maxDpkgStatusSize is far above a real status file (a full desktop's is
// a few MB) and still bounds a hostile one.
const maxDpkgStatusSize = 64 << 20

// PackagesFacts list the installed packages of the target's package
// manager, keyed by name as dpkg-query shows it ("libc6", "libc6:i386").
// On an RPM system the keys are rpm names ("openssh-server"); a name
// installed for several architectures keeps its plain key for the first
// and is "name.arch" for the others, as rpm -q names them.
type PackagesFacts struct {
	Manager string `json:"manager"` // "dpkg" or "rpm"
	Source  string `json:"source"`  // the database file read
	// Format is the rpm database format ("sqlite", "ndb", "bdb"); empty
	// for dpkg.
	Format    string             `json:"format,omitempty"`
	Installed map[string]Package `json:"installed"`
}

// Package is one installed package.
type Package struct {
	Version string `json:"version"`
	Arch    string `json:"arch"`
	// Source is the source package name (the Source field without its
	// version), or the package's own name when they are the same.
	Source string `json:"source"`
}

// Packages collects PackagesFacts.
type Packages struct{}

// NewPackages returns the "packages" collector.
func NewPackages() *Packages { return &Packages{} }

// Name is the facts key.
func (*Packages) Name() string { return "packages" }

// Collect reads dpkg's status file, or else the rpm database (read
// without running rpm). A target with neither (an Alpine root) is
// unavailable, not an empty package list.
func (*Packages) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f, err := installedPackages(h)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Unavailable("no package database (%s, nor an rpm database in /var/lib/rpm or /usr/lib/sysimage/rpm)", DpkgStatusFile)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// InstalledPackages parses the target's dpkg status file, or its rpm
// database when it has no dpkg, on each call (milliseconds for thousands
// of packages), so that nothing is shared between hosts. A missing
// database is an error wrapping fs.ErrNotExist.
func InstalledPackages(h hostfs.Host) (map[string]Package, error) {
	f, err := installedPackages(h)
	if err != nil {
		return nil, err
	}
	return f.Installed, nil
}

// installedPackages parses the target's package database once per scan:
// a dozen collectors ask whether a package is installed. The result is
// shared: callers must not modify it.
func installedPackages(h hostfs.Host) (PackagesFacts, error) {
	return hostfs.Memo(h, "packages", func() (PackagesFacts, error) { return readPackageDatabase(h) })
}

func readPackageDatabase(h hostfs.Host) (PackagesFacts, error) {
	pkgs, err := dpkgPackages(h)
	if err == nil {
		return PackagesFacts{Manager: "dpkg", Source: DpkgStatusFile, Installed: pkgs}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return PackagesFacts{}, err
	}
	path, rerr := rpmdb.Find(h)
	if rerr != nil {
		if errors.Is(rerr, fs.ErrNotExist) {
			return PackagesFacts{}, err // dpkg's own "not found", naming its file
		}
		return PackagesFacts{}, rerr
	}
	list, format, rerr := rpmdb.Read(h, path)
	if rerr != nil {
		return PackagesFacts{}, rerr
	}
	return PackagesFacts{Manager: "rpm", Source: path, Format: format, Installed: rpmInstalled(list)}, nil
}

// rpmInstalled keys rpm packages by name; the same name for another
// architecture is "name.arch", and another version of the same arch
// (several kernels) "name-version-release.arch", as rpm -q accepts them.
func rpmInstalled(list []rpmdb.Package) map[string]Package {
	out := make(map[string]Package, len(list))
	for _, p := range list {
		key := p.Name
		if _, dup := out[key]; dup {
			key = p.Name + "." + p.Arch
			if _, dup := out[key]; dup {
				key = p.Name + "-" + p.Version + "-" + p.Release + "." + p.Arch
			}
		}
		out[key] = Package{Version: p.EVR(), Arch: p.Arch, Source: p.SourceName()}
	}
	return out
}

func dpkgPackages(h hostfs.Host) (map[string]Package, error) {
	data, err := h.ReadFileLimit(DpkgStatusFile, maxDpkgStatusSize)
	if err != nil {
		return nil, err
	}
	pkgs, err := parseDpkgStatus(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DpkgStatusFile, err)
	}
	return pkgs, nil
}

// dpkgStanza holds the fields of one stanza that we keep.
type dpkgStanza struct {
	pkg, status, version, arch, source string
	line                               int // first line, for errors
	fields                             int
}

// parseDpkgStatus reads deb822 stanzas separated by blank lines. Only
// packages whose want is install or hold and whose state is "installed"
// with no error flag ("install ok installed", "hold ok installed") are
// kept. Packages of a foreign architecture are named "name:arch", as
// dpkg-query names them; the native architecture is dpkg's own.
func parseDpkgStatus(data []byte) (map[string]Package, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, errors.New("binary data (NUL byte): not a dpkg status file")
	}
	var stanzas []dpkgStanza
	cur := dpkgStanza{}
	flush := func() error {
		if cur.fields > 0 {
			if cur.pkg == "" {
				return fmt.Errorf("line %d: stanza without a Package field", cur.line)
			}
			if strings.ContainsFunc(cur.pkg, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				return fmt.Errorf("line %d: invalid package name %q", cur.line, cur.pkg)
			}
			stanzas = append(stanzas, cur)
		}
		cur = dpkgStanza{}
		return nil
	}
	lineNo := 0
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		lineNo++
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(bytes.TrimSpace(line)) == 0 {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur.fields == 0 {
				return nil, fmt.Errorf("line %d: continuation line outside a field", lineNo)
			}
			continue // continuation of a multi-line field we do not keep
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("line %d: not a \"Field: value\" line", lineNo)
		}
		if cur.fields == 0 {
			cur.line = lineNo
		}
		cur.fields++
		cur.setField(string(name), string(bytes.TrimSpace(value)))
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return installedFromStanzas(stanzas), nil
}

func (s *dpkgStanza) setField(name, value string) {
	switch name {
	case "Package":
		s.pkg = value
	case "Status":
		s.status = value
	case "Version":
		s.version = value
	case "Architecture":
		s.arch = value
	case "Source":
		s.source = value
	}
}

func installedFromStanzas(stanzas []dpkgStanza) map[string]Package {
	native := ""
	for _, s := range stanzas {
		if s.pkg == "dpkg" && s.arch != "" && s.arch != "all" {
			native = s.arch
		}
	}
	if native == "" {
		native = commonestArch(stanzas)
	}
	out := make(map[string]Package, len(stanzas))
	for _, s := range stanzas {
		if !dpkgInstalled(s.status) {
			continue
		}
		name := s.pkg
		if s.arch != "" && s.arch != "all" && native != "" && s.arch != native {
			name += ":" + s.arch
		}
		out[name] = Package{Version: s.version, Arch: s.arch, Source: sourceName(s.source, s.pkg)}
	}
	return out
}

// commonestArch stands in for dpkg's architecture when dpkg itself is
// not listed (a trimmed image): most packages are native.
func commonestArch(stanzas []dpkgStanza) string {
	counts := map[string]int{}
	best := ""
	for _, s := range stanzas {
		if s.arch == "" || s.arch == "all" {
			continue
		}
		counts[s.arch]++
		if n := counts[s.arch]; n > counts[best] || (n == counts[best] && s.arch < best) {
			best = s.arch
		}
	}
	return best
}

func dpkgInstalled(status string) bool {
	return status == "install ok installed" || status == "hold ok installed"
}

// sourceName drops the version dpkg appends when it differs from the
// binary's ("openssh (1:9.2p1-2)").
func sourceName(source, pkg string) string {
	if source == "" {
		return pkg
	}
	name, _, _ := strings.Cut(source, " ")
	return name
}
