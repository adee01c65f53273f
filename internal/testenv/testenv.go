// Package testenv holds the test suite's rules for real components: a test
// that needs a tool or root skips on a developer's machine without them,
// and fails in CI (CI=true), where a missing tool is a broken setup.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// InCI reports whether the suite runs in CI.
func InCI() bool { return os.Getenv("CI") == "true" }

// RequireTool returns the path of a tool the test drives.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if InCI() {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// RequireFile is RequireTool for a fixed path (e.g. /usr/sbin/sshd).
func RequireFile(t testing.TB, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if InCI() {
			t.Fatalf("%s is required in CI: %v", path, err)
		}
		t.Skipf("%s not present", path)
	}
	return path
}

// RequireRoot skips (or fails in CI) unless the test runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		if InCI() {
			t.Fatal("this test needs root in CI")
		}
		t.Skip("needs root")
	}
}

// WriteTree creates files under dir from a map of relative path to
// content. A content of "->TARGET" makes a symlink to TARGET; a path ending
// in "/" makes just the directory.
func WriteTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Tree is WriteTree into a fresh temporary directory, which it returns.
func Tree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	WriteTree(t, dir, files)
	return dir
}
