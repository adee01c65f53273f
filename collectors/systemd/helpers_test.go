package systemd

import (
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

// tree builds a root (see testenv.Tree: "->X" is a symlink, "dir/" a
// directory).
func tree(t testing.TB, files map[string]string) string {
	t.Helper()
	return testenv.Tree(t, files)
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
