package pgconf

import (
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// memFS is an in-memory FS for tests and fuzzing.
type memFS map[string][]byte

func (m memFS) ReadFile(p string) ([]byte, error) {
	if b, ok := m[p]; ok {
		return b, nil
	}
	return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
}

func (m memFS) ReadDir(dir string) ([]hostfs.DirEntry, error) {
	var out []hostfs.DirEntry
	for p := range m {
		if path.Dir(p) == dir {
			out = append(out, hostfs.DirEntry{Name: path.Base(p)})
		} else if strings.HasPrefix(p, dir+"/") {
			continue
		}
	}
	if len(out) == 0 {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: fs.ErrNotExist}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
