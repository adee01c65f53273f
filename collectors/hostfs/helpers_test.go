package hostfs

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testRoot is a root directory with a canary file next to it, outside the
// root: any read, stat, listing or glob that ever returns the canary's name,
// content, size or mode has escaped the root.
type testRoot struct {
	dir        string // the root, what Rootfs is given
	parent     string // holds the root and the canary
	canaryPath string // host path of the canary, outside the root
	canaryData []byte // unique content
}

const (
	canaryName = "zz-outside-canary"
	canarySize = 4099  // no file inside any test root has this size
	canaryPerm = 0o604 // nor this mode
)

func newTestRoot(t testing.TB) *testRoot {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "root")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		t.Fatal(err)
	}
	data := []byte("CANARY-" + hex.EncodeToString(token) + "\n")
	data = append(data, bytes.Repeat([]byte{'c'}, canarySize-len(data))...)
	tr := &testRoot{dir: dir, parent: parent, canaryPath: filepath.Join(parent, canaryName), canaryData: data}
	if err := os.WriteFile(tr.canaryPath, data, canaryPerm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tr.canaryPath, canaryPerm); err != nil { // umask
		t.Fatal(err)
	}
	return tr
}

// file writes a regular file at the target path p inside the root.
func (tr *testRoot) file(t testing.TB, p, content string) {
	t.Helper()
	hp := filepath.Join(tr.dir, p)
	if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// link creates the symlink p inside the root with the raw target.
func (tr *testRoot) link(t testing.TB, target, p string) {
	t.Helper()
	hp := filepath.Join(tr.dir, p)
	if err := os.MkdirAll(filepath.Dir(hp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, hp); err != nil {
		t.Fatal(err)
	}
}

func (tr *testRoot) mkdir(t testing.TB, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(tr.dir, p), 0o755); err != nil {
		t.Fatal(err)
	}
}

// resolverModes returns the root as a Host once per way of resolving:
// openat2 when the kernel has it, and the userland resolver always (forced,
// as on a kernel before 5.6), with and without /proc. Every behaviour must
// be the same in all of them.
func resolverModes(t testing.TB, dir string) map[string]Host {
	t.Helper()
	h, err := Rootfs(dir)
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]Host{}
	if h.(*fsHost).inKernel {
		modes["openat2"] = h
	}
	user, _ := Rootfs(dir)
	user.(*fsHost).inKernel = false
	modes["userland"] = user
	// Without /proc, ReadFile reopens by path; the least capable host.
	bare, _ := Rootfs(dir)
	bare.(*fsHost).inKernel = false
	bare.(*fsHost).noProcFD = true
	modes["userland-noproc"] = bare
	return modes
}

// noEscape fails when anything a Host returned carries the canary.
func (tr *testRoot) noEscape(t testing.TB, what string, v any) {
	t.Helper()
	token := tr.canaryData[:40]
	switch v := v.(type) {
	case []byte:
		if bytes.Contains(v, token) {
			t.Fatalf("%s returned the canary's content: escaped the root", what)
		}
	case FileInfo:
		if v.Size == canarySize && v.Mode.Perm() == canaryPerm {
			t.Fatalf("%s returned the canary's stat (%+v): escaped the root", what, v)
		}
	case []DirEntry:
		for _, e := range v {
			if e.Name == canaryName || e.Name == "root" {
				t.Fatalf("%s listed %q, an entry of the root's parent: escaped the root", what, e.Name)
			}
		}
	case []string:
		for _, s := range v {
			if strings.Contains(s, canaryName) {
				t.Fatalf("%s returned %q: escaped the root", what, s)
			}
		}
	case error:
		if v != nil && strings.Contains(v.Error(), tr.parent) {
			t.Fatalf("%s error names a host path: %v", what, v)
		}
	}
}
