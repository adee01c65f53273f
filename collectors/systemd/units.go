package systemd

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// UnitPaths is the system unit search path, highest precedence first, as
// systemd 252 builds it on Debian (split-/usr roots keep /lib; on a
// merged-/usr root /lib is a link to /usr/lib and the duplicates collapse
// because a name is taken from the first directory that has it).
var UnitPaths = []string{
	"/etc/systemd/system",
	"/run/systemd/system",
	"/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system",
	"/lib/systemd/system",
}

// configPaths hold the links `systemctl enable` creates: persistent in
// /etc, runtime (`enable --runtime`) in /run.
var configPaths = []string{"/etc/systemd/system", "/run/systemd/system"}

// Limits on hostile trees.
const (
	maxUnitFileSize  = 4 << 20 // far above any real unit; bounds garbage
	maxEntriesPerDir = 100000
)

// Problem is something Load could not read; the rest is still resolved.
type Problem struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Link is one enablement symlink (wants/requires/upholds) or alias link
// in a configuration directory.
type Link struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"` // "wants", "requires", "upholds", "alias"
	Runtime bool   `json:"runtime,omitempty"`
}

// entry is the highest-precedence directory entry for one unit name.
type entry struct {
	path string
	link bool
}

// Units is the unit name map of a target, built once by Load; units are
// parsed on first use and cached.
type Units struct {
	h        hostfs.Host
	entries  map[string]entry
	dropDirs map[string][]string // "foo.service.d" -> dirs holding it, by precedence
	links    map[string][]Link   // unit name (link name or its target) -> links
	aliases  map[string][]string // real unit name -> alias names
	problems []Problem

	mu     sync.Mutex
	cache  map[string]*Unit
	active map[string]ActiveState
}

// Load reads the unit directories of h. Only an unreadable target as a
// whole is an error; a directory or link that cannot be read is a
// Problem, reported with the path.
func Load(h hostfs.Host) (*Units, error) {
	u := &Units{
		h:        h,
		entries:  map[string]entry{},
		dropDirs: map[string][]string{},
		links:    map[string][]Link{},
		aliases:  map[string][]string{},
		cache:    map[string]*Unit{},
	}
	seenDir := map[string]bool{}
	for _, dir := range UnitPaths {
		real, err := u.canonicalDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				u.problem(dir, err)
			}
			continue
		}
		if seenDir[real] {
			continue // /lib/systemd/system when /lib -> usr/lib
		}
		seenDir[real] = true
		if err := u.scanDir(dir); err != nil {
			return nil, err
		}
	}
	u.scanEnablement()
	u.scanAliases()
	return u, nil
}

// canonicalDir identifies a directory by its resolved path, so that
// the same directory reached through /lib and /usr/lib is read once.
func (u *Units) canonicalDir(dir string) (string, error) {
	fi, err := u.h.Stat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s: not a directory", dir)
	}
	// Without inode numbers in FileInfo, the resolved path of the
	// directory stands in: follow the links of each component.
	return u.realPath(dir)
}

// realPath resolves every symlink of p inside the target (at most
// hostfs.MaxSymlinks), component by component.
func (u *Units) realPath(p string) (string, error) {
	parts := strings.Split(strings.Trim(path.Clean(p), "/"), "/")
	cur := "/"
	hops := 0
	for len(parts) > 0 {
		comp := parts[0]
		parts = parts[1:]
		if comp == "" || comp == "." {
			continue
		}
		if comp == ".." {
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, comp)
		fi, err := u.h.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		hops++
		if hops > hostfs.MaxSymlinks {
			return "", fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		t, err := u.h.Readlink(next)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(t, "/") {
			cur = "/"
		}
		parts = append(strings.Split(strings.Trim(t, "/"), "/"), parts...)
	}
	return cur, nil
}

func (u *Units) problem(p string, err error) {
	u.problems = append(u.problems, Problem{Path: p, Error: err.Error()})
}

// Problems lists what could not be read, sorted by path.
func (u *Units) Problems() []Problem {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := append([]Problem(nil), u.problems...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// unitSuffixes are the unit types systemd knows.
var unitSuffixes = []string{".service", ".socket", ".target", ".timer", ".mount", ".automount", ".swap", ".path", ".slice", ".scope", ".device"}

// IsUnitName reports whether name looks like a unit name systemd accepts.
func IsUnitName(name string) bool {
	if name == "" || len(name) > 255 || strings.ContainsAny(name, "/\x00") || strings.HasPrefix(name, ".") {
		return false
	}
	for _, s := range unitSuffixes {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return true
		}
	}
	return false
}

func (u *Units) scanDir(dir string) error {
	entries, err := u.h.ReadDir(dir)
	if err != nil {
		u.problem(dir, err)
		return nil
	}
	if len(entries) > maxEntriesPerDir {
		u.problem(dir, fmt.Errorf("%d entries: more than %d, directory ignored", len(entries), maxEntriesPerDir))
		return nil
	}
	for _, e := range entries {
		p := dir + "/" + e.Name
		switch {
		case strings.HasSuffix(e.Name, ".d") && IsUnitName(strings.TrimSuffix(e.Name, ".d")) || isTypeDropinDir(e.Name):
			u.dropDirs[e.Name] = append(u.dropDirs[e.Name], p)
		case IsUnitName(e.Name):
			if _, taken := u.entries[e.Name]; taken {
				continue // a higher-precedence directory has it
			}
			if e.Type.IsDir() {
				continue
			}
			u.entries[e.Name] = entry{path: p, link: e.Type&fs.ModeSymlink != 0}
		}
	}
	return nil
}

// isTypeDropinDir is a top-level drop-in directory ("service.d") or a
// prefix one ("foo-.service.d"), which apply to many units.
func isTypeDropinDir(name string) bool {
	base, ok := strings.CutSuffix(name, ".d")
	if !ok {
		return false
	}
	for _, s := range unitSuffixes {
		if base == s[1:] {
			return true
		}
	}
	return false
}

// Names lists every unit name found (fragments, aliases and masks),
// sorted.
func (u *Units) Names() []string {
	out := make([]string, 0, len(u.entries))
	for n := range u.entries {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// follow walks the symlink chain of a unit directory entry. It returns
// the final path ("/dev/null" for a mask) and the names met on the way.
func (u *Units) follow(p string) (final string, err error) {
	cur := p
	for hops := 0; ; hops++ {
		if hops > hostfs.MaxSymlinks {
			return "", fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		if cur == "/dev/null" {
			return cur, nil
		}
		fi, err := u.h.Lstat(cur)
		if err != nil {
			return "", err
		}
		if fi.Mode&fs.ModeSymlink == 0 {
			return cur, nil
		}
		t, err := u.h.Readlink(cur)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(t, "/") {
			t = path.Join(path.Dir(cur), t)
		}
		cur = path.Clean(t)
	}
}

// scanAliases records, for each symlinked unit name whose chain ends at a
// unit of another name, that it is an alias of that unit.
func (u *Units) scanAliases() {
	for name, e := range u.entries {
		if !e.link {
			continue
		}
		final, err := u.follow(e.path)
		if err != nil || final == "/dev/null" {
			continue
		}
		target := path.Base(final)
		if target != name && IsUnitName(target) {
			u.aliases[target] = append(u.aliases[target], name)
		}
	}
	for k := range u.aliases {
		sort.Strings(u.aliases[k])
	}
}

// scanEnablement reads the *.wants/, *.requires/ and *.upholds/
// directories of the configuration paths. A link counts for its own name
// and, when its chain resolves, for the unit it points at; a link that
// loops or dangles still enables its name, as systemctl reports it.
func (u *Units) scanEnablement() {
	for _, dir := range configPaths {
		entries, err := u.h.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				u.problem(dir, err)
			}
			continue
		}
		runtime := dir != "/etc/systemd/system"
		for _, e := range entries {
			kind := ""
			for _, k := range []string{"wants", "requires", "upholds"} {
				if strings.HasSuffix(e.Name, "."+k) && IsUnitName(strings.TrimSuffix(e.Name, "."+k)) {
					kind = k
				}
			}
			if kind == "" {
				if e.Type&fs.ModeSymlink != 0 && IsUnitName(e.Name) {
					u.aliasLink(dir+"/"+e.Name, e.Name, runtime)
				}
				continue
			}
			u.wantsDir(dir+"/"+e.Name, kind, runtime)
		}
	}
}

// aliasLink records a symlink in a configuration directory whose target
// has another name: `systemctl enable` creates these for Alias=.
func (u *Units) aliasLink(p, name string, runtime bool) {
	final, err := u.follow(p)
	if err != nil || final == "/dev/null" {
		return
	}
	target := path.Base(final)
	if target == name || !IsUnitName(target) {
		return
	}
	u.links[target] = append(u.links[target], Link{Path: p, Kind: "alias", Runtime: runtime})
}

func (u *Units) wantsDir(dir, kind string, runtime bool) {
	entries, err := u.h.ReadDir(dir)
	if err != nil {
		u.problem(dir, err)
		return
	}
	for _, e := range entries {
		if !IsUnitName(e.Name) {
			continue
		}
		p := dir + "/" + e.Name
		l := Link{Path: p, Kind: kind, Runtime: runtime}
		u.links[e.Name] = append(u.links[e.Name], l)
		if e.Type&fs.ModeSymlink == 0 {
			continue
		}
		final, err := u.follow(p)
		if err != nil {
			// A dangling link is ignored by systemd too; a loop or an
			// unreadable link is worth reporting.
			if !errors.Is(err, fs.ErrNotExist) {
				u.problem(p, err)
			}
			continue
		}
		if t := path.Base(final); t != e.Name && IsUnitName(t) && final != "/dev/null" {
			u.links[t] = append(u.links[t], l)
		}
	}
}

// LinkedNames lists the unit names that only enablement links mention
// (instances such as getty@tty1.service), sorted.
func (u *Units) LinkedNames() []string {
	var out []string
	for n := range u.links {
		if _, ok := u.entries[n]; !ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
