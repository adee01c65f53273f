package sshdconfig

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// dirFS serves a mini root filesystem from a directory, with glob(3)
// semantics: sorted, and '*'/'?' never match a leading dot.
type dirFS struct{ root string }

func (d dirFS) host(p string) string {
	return filepath.Join(d.root, filepath.FromSlash(path.Clean("/"+p)))
}

func (d dirFS) ReadFile(p string) ([]byte, error) { return os.ReadFile(d.host(p)) }

func (d dirFS) Glob(pattern string) ([]string, error) {
	matches, err := filepath.Glob(d.host(pattern))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		rel, err := filepath.Rel(d.root, m)
		if err != nil {
			continue
		}
		p := "/" + filepath.ToSlash(rel)
		if hiddenMismatch(pattern, p) {
			continue
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// hiddenMismatch reports a path component starting with '.' that the
// pattern matched with a wildcard, which glob(3) does not allow.
func hiddenMismatch(pattern, p string) bool {
	pc := strings.Split(path.Clean(pattern), "/")
	mc := strings.Split(p, "/")
	if len(pc) != len(mc) {
		return false
	}
	for i := range mc {
		if strings.HasPrefix(mc[i], ".") && !strings.HasPrefix(pc[i], ".") {
			return true
		}
	}
	return false
}

// memFS is an in-memory FS for unit tests, fuzzing and benchmarks.
type memFS map[string]string

func (m memFS) ReadFile(p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
}

func (m memFS) Glob(pattern string) ([]string, error) {
	var out []string
	for p := range m {
		if ok, _ := path.Match(pattern, p); ok && !hiddenMismatch(pattern, p) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
