package collectors

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"golang.org/x/sys/unix"
)

func collectSudoers(t testing.TB, root string) *SudoersFacts {
	t.Helper()
	v, err := NewSudoers().Collect(context.Background(), hostfs.Fixture(hostfs.KindRootfs, root, nil))
	if err != nil {
		t.Fatalf("%s: %v", root, err)
	}
	f := v.(*SudoersFacts)
	recordSnapshot(t, "sudoers/"+filepath.Base(root), f)
	return f
}

// copyCase copies a sudoers case (testdata/sudoers/NAME) to a temp root
// the test may change.
func copyCase(t *testing.T, name string) string {
	t.Helper()
	root := t.TempDir()
	src := filepath.Join("testdata", "sudoers", name)
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(root, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o440)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestSudoersGolden(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the golden files record root-owned files")
	}
	for _, name := range []string{"debian-default", "aliases", "includes", "defaults-bindings", "bad-include-loop"} {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, "sudoers/"+name, collectSudoers(t, copyCase(t, name)))
		})
	}
}

func TestSudoersFacts(t *testing.T) {
	f := collectSudoers(t, copyCase(t, "includes"))
	if f.Policy.Status != "ok" || f.Installed {
		t.Fatalf("policy %+v installed %v", f.Policy.Part, f.Installed)
	}
	var included, skipped []string
	for _, sf := range f.Files {
		if sf.Included {
			included = append(included, sf.Path)
		} else {
			skipped = append(skipped, sf.Path)
		}
		if sf.Mode != "0440" {
			t.Errorf("%s mode %s", sf.Path, sf.Mode)
		}
	}
	if strings.Join(included, " ") != "/etc/sudoers /etc/sudoers.d/10-bob /etc/sudoers.d/40-carol /etc/sudoers.d/local.conf" ||
		strings.Join(skipped, " ") != "/etc/sudoers.d/20-carol.conf /etc/sudoers.d/30-carol~" {
		t.Errorf("included %v skipped %v", included, skipped)
	}
	var bob bool
	for _, g := range f.Policy.Grants {
		if g.Principal == "bob" && g.Command == "/usr/bin/from-10" && g.NoPasswd && g.File == "/etc/sudoers.d/10-bob" && g.Line == 1 {
			bob = true
		}
	}
	if !bob {
		t.Errorf("bob's NOPASSWD grant from sudoers.d/10-bob:1 is missing: %+v", f.Policy.Grants)
	}

	d := collectSudoers(t, copyCase(t, "defaults-bindings"))
	for _, g := range d.Policy.Grants {
		want := g.Principal == "alice" && g.Path == "/usr/bin/less"
		if g.NoPasswd != want {
			t.Errorf("%s %s: nopasswd %v (by %q)", g.Principal, g.Command, g.NoPasswd, g.NoPasswdBy)
		}
		if want && !strings.Contains(g.NoPasswdBy, "!authenticate (/etc/sudoers:3)") {
			t.Errorf("nopasswd_by %q", g.NoPasswdBy)
		}
	}
}

// TestSudoersBadInput: every bad tree ends quickly with a policy error
// naming the file, and the file facts are still there for ZT-PRIV-003.
func TestSudoersBadInput(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root string)
		want  []string
	}{
		{"include loop", func(t *testing.T, root string) {}, []string{"/etc/sudoers", "include loop"}},
		{"binary garbage", func(t *testing.T, root string) {
			write(t, root, "etc/sudoers.d/garbage", "\x7fELF\x02\x01\x01\x00\x00\xff\xfe garbage\n")
		}, []string{"/etc/sudoers.d/garbage:1"}},
		{"1 GB sparse file", func(t *testing.T, root string) {
			p := filepath.Join(root, "etc/sudoers.d/huge")
			write(t, root, "etc/sudoers.d/huge", "")
			if err := os.Truncate(p, 1<<30); err != nil {
				t.Fatal(err)
			}
		}, []string{"/etc/sudoers.d/huge", "too large"}},
		{"FIFO in sudoers.d", func(t *testing.T, root string) {
			if err := unix.Mkfifo(filepath.Join(root, "etc/sudoers.d/x"), 0o440); err != nil {
				t.Fatal(err)
			}
		}, []string{"/etc/sudoers.d/x", "fifo"}},
		{"symlink loop", func(t *testing.T, root string) {
			if err := os.Symlink("y", filepath.Join(root, "etc/sudoers.d/y")); err != nil {
				t.Fatal(err)
			}
		}, []string{"/etc/sudoers.d/y"}},
		{"symlink escaping the root", func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, "etc/sudoers.d/10-bob"))
			if err := os.Symlink("../../../../../../etc/shadow", filepath.Join(root, "etc/sudoers.d/10-bob")); err != nil {
				t.Fatal(err)
			}
		}, []string{"/etc/sudoers.d/10-bob"}},
		{"unreadable file", func(t *testing.T, root string) {
			if os.Geteuid() == 0 {
				// root reads a mode-000 file; a directory stands in for
				// a file that cannot be read
				os.Remove(filepath.Join(root, "etc/sudoers.d/local.conf"))
				os.Mkdir(filepath.Join(root, "etc/sudoers.d/local.conf"), 0o755)
				return
			}
			os.Chmod(filepath.Join(root, "etc/sudoers.d/local.conf"), 0)
		}, []string{"/etc/sudoers.d/local.conf"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := "includes"
			if tc.name == "include loop" {
				base = "bad-include-loop"
			}
			root := copyCase(t, base)
			tc.setup(t, root)
			start := time.Now()
			f := collectSudoers(t, root)
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if f.Policy.Status != "error" {
				t.Fatalf("policy %+v, want error", f.Policy.Part)
			}
			for _, w := range tc.want {
				if !strings.Contains(f.Policy.Reason, w) {
					t.Errorf("reason %q lacks %q", f.Policy.Reason, w)
				}
			}
			if len(f.Files) == 0 || f.Files[0].Path != "/etc/sudoers" {
				t.Errorf("files %+v", f.Files)
			}
		})
	}
}

func TestSudoersNotInstalled(t *testing.T) {
	f := collectSudoers(t, t.TempDir())
	if f.Installed || f.Policy.Status != "unavailable" {
		t.Errorf("%+v", f)
	}
	root := t.TempDir()
	write(t, root, "usr/bin/sudo", "#!/bin/false\n")
	if _, err := NewSudoers().Collect(context.Background(), hostfs.Fixture(hostfs.KindRootfs, root, nil)); err == nil || !strings.Contains(err.Error(), "/etc/sudoers does not exist") {
		t.Errorf("sudo without sudoers: %v", err)
	}
}

func write(t *testing.T, root, rel, data string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o440); err != nil {
		t.Fatal(err)
	}
}
