package systemd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

// tree builds a root from path -> content; a content starting with "->"
// is a symlink to the rest.
func tree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if strings.HasSuffix(p, "/") {
			continue
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func load(t testing.TB, root string) *Units {
	t.Helper()
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	u, err := Load(h)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// requireTool is testenv.RequireTool (skip locally, fail in CI).
func requireTool(t testing.TB, name string) string {
	t.Helper()
	return testenv.RequireTool(t, name)
}
