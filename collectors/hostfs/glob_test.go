package hostfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func globRoot(t testing.TB) *testRoot {
	tr := newTestRoot(t)
	for _, f := range []string{
		"/etc/a.conf", "/etc/b.conf", "/etc/c.conf", "/etc/ab.conf", "/etc/.hidden.conf",
		"/etc/star*name", "/etc/q?mark", "/etc/plain",
		"/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/10-a.conf", "/etc/ssh/sshd_config.d/20-b.conf",
		"/etc/ssh/sshd_config.d/.swp.conf", "/usr/x/y/target", "/usr/x/sibling",
	} {
		tr.file(t, f, "x\n")
	}
	tr.link(t, tr.parent, "/out-abs")         // host path: inside, ROOT+host path (absent)
	tr.link(t, "../..", "/etc/up")            // climbs to the root, no further
	tr.link(t, "/etc/ssh", "/sshlink")        // link to a directory
	tr.link(t, "/usr/x/y", "/etc/deep")       // ".." after it is /usr/x
	tr.link(t, "/nonexistent", "/etc/d.conf") // dangling: a name, as glob(3) lists it
	return tr
}

func TestGlob(t *testing.T) {
	tr := globRoot(t)
	tests := []struct {
		pattern string
		want    []string
		wantErr error
		anyErr  bool
	}{
		{pattern: "/etc/*.conf", want: []string{"/etc/a.conf", "/etc/ab.conf", "/etc/b.conf", "/etc/c.conf", "/etc/d.conf"}},
		{pattern: "/etc/?.conf", want: []string{"/etc/a.conf", "/etc/b.conf", "/etc/c.conf", "/etc/d.conf"}},
		{pattern: "/etc/[ab].conf", want: []string{"/etc/a.conf", "/etc/b.conf"}},
		{pattern: "/etc/[^ab].conf", want: []string{"/etc/c.conf", "/etc/d.conf"}},
		{pattern: "/etc/.*.conf", want: []string{"/etc/.hidden.conf"}},
		{pattern: `/etc/star\*name`, want: []string{"/etc/star*name"}},
		{pattern: `/etc/q\?mark`, want: []string{"/etc/q?mark"}},
		{pattern: `/etc/\p*`, want: []string{"/etc/plain"}},
		{pattern: "/etc/ssh/sshd_config.d/*.conf", want: []string{"/etc/ssh/sshd_config.d/10-a.conf", "/etc/ssh/sshd_config.d/20-b.conf"}},
		{pattern: "/etc/*/sshd_config", want: []string{"/etc/ssh/sshd_config"}},
		{pattern: "/sshlink/*.d/*", want: []string{"/sshlink/sshd_config.d/10-a.conf", "/sshlink/sshd_config.d/20-b.conf"}},
		{pattern: "/etc/up/etc/a.*", want: []string{"/etc/up/etc/a.conf"}},
		{pattern: "/etc/up/*", want: []string{"/etc/up/etc", "/etc/up/out-abs", "/etc/up/sshlink", "/etc/up/usr"}},
		{pattern: "/out-abs/*", want: nil},
		{pattern: "/../../*" + canaryName[2:], want: nil},
		{pattern: "/etc/deep/../s*", want: []string{"/etc/deep/../sibling"}},
		{pattern: "/etc/ss*/", want: []string{"/etc/ssh/"}},
		{pattern: "/etc/plain", want: []string{"/etc/plain"}},
		{pattern: "/etc/missing", want: nil},
		{pattern: "/nope/*", want: nil},
		{pattern: "/etc/plain/*", want: nil},
		{pattern: "/", want: []string{"/"}},
		{pattern: "etc/*.conf", anyErr: true},
		{pattern: "/etc/[", anyErr: true},
		{pattern: "/etc/\x00*", anyErr: true},
	}
	for mode, h := range resolverModes(t, tr.dir) {
		for _, tt := range tests {
			t.Run(mode+tt.pattern, func(t *testing.T) {
				got, err := h.Glob(tt.pattern)
				tr.noEscape(t, "Glob", got)
				if tt.anyErr {
					if err == nil {
						t.Fatalf("Glob(%q) = %q, want an error", tt.pattern, got)
					}
					return
				}
				if err != nil {
					t.Fatalf("Glob(%q): %v", tt.pattern, err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Glob(%q) (-want +got):\n%s", tt.pattern, diff)
				}
				if !sort.StringsAreSorted(got) {
					t.Errorf("Glob(%q) not sorted: %q", tt.pattern, got)
				}
				// Every match is readable or listable through the same
				// resolution: Glob and the other lookups agree.
				for _, m := range got {
					if _, err := h.Lstat(m); err != nil {
						t.Errorf("Lstat(%q) of a match: %v", m, err)
					}
				}
			})
		}
	}
}

func TestGlobTooMany(t *testing.T) {
	tr := newTestRoot(t)
	dir := filepath.Join(tr.dir, "many")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range MaxGlobMatches + 904 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for mode, h := range resolverModes(t, tr.dir) {
		t.Run(mode, func(t *testing.T) {
			if got, err := h.Glob("/many/*"); !errors.Is(err, ErrTooMany) {
				t.Errorf("Glob(/many/*) = %d matches, %v; want ErrTooMany", len(got), err)
			}
			if got, err := h.Glob("/many/f0000?"); err != nil || len(got) != 10 {
				t.Errorf("Glob(/many/f0000?) = %d matches, %v; want 10", len(got), err)
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	tr := globRoot(t)
	want := []DirEntry{
		{Name: "10-a.conf"}, {Name: "20-b.conf"}, {Name: ".swp.conf"},
	}
	sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
	for mode, h := range resolverModes(t, tr.dir) {
		t.Run(mode, func(t *testing.T) {
			for _, p := range []string{"/etc/ssh/sshd_config.d", "/sshlink/sshd_config.d", "/etc/up/sshlink/sshd_config.d/"} {
				got, err := h.ReadDir(p)
				tr.noEscape(t, "ReadDir", got)
				if err != nil {
					t.Fatalf("ReadDir(%q): %v", p, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("ReadDir(%q) (-want +got):\n%s", p, diff)
				}
			}
			root, err := h.ReadDir("/etc/up")
			tr.noEscape(t, "ReadDir", root)
			if err != nil || len(root) != 4 || root[0].Name != "etc" {
				t.Errorf("ReadDir(/etc/up) = %v, %v; want the root's 4 entries", root, err)
			}
			etc, _ := h.ReadDir("/etc")
			for _, e := range etc {
				if e.Name == "d.conf" && e.Type != os.ModeSymlink {
					t.Errorf("ReadDir type of a symlink = %v", e.Type)
				}
			}
			if !sort.SliceIsSorted(etc, func(i, j int) bool { return etc[i].Name < etc[j].Name }) {
				t.Errorf("ReadDir(/etc) not sorted")
			}
			if _, err := h.ReadDir("/out-abs"); err == nil {
				t.Error("ReadDir through a link to a host path succeeded")
			}
		})
	}
}
