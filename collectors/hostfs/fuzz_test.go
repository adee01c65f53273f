package hostfs

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"testing"
)

// fuzzRoot is a small root full of links that point everywhere: absolute,
// relative, up past the root, to host paths, in loops. Files have distinct
// sizes so that Stat results identify them.
func fuzzRoot(t testing.TB) *testRoot {
	tr := newTestRoot(t)
	tr.file(t, "/etc/passwd", "p\n")
	tr.file(t, "/etc/ssh/sshd_config", "Port 22\n")
	tr.file(t, "/usr/lib/os-release", "ID=fuzz\n\n")
	tr.link(t, "/etc", "/a")
	tr.link(t, "../..", "/etc/up")
	tr.link(t, "../../../"+canaryName, "/etc/out")
	tr.link(t, tr.parent, "/host")
	tr.link(t, "/usr/lib/../lib/os-release", "/etc/os-release")
	tr.link(t, "ssh/../passwd", "/etc/p")
	tr.link(t, "l2", "/etc/l1")
	tr.link(t, "/etc/l1", "/etc/l2")
	tr.link(t, ".", "/etc/dot")
	tr.link(t, "/", "/r")
	tr.link(t, "/etc/ssh/x/..", "/etc/ssh/x")
	tr.link(t, "sshd_config/", "/etc/ssh/slash")
	return tr
}

// FuzzResolve: whatever the path, resolution ends (no hang, no panic),
// never leaves the root, never returns the canary, and the kernel's
// openat2 and the userland resolver agree on the outcome.
func FuzzResolve(f *testing.F) {
	tr := fuzzRoot(f)
	modes := resolverModes(f, tr.dir)
	res := newResolver(tr.dir)
	for _, seed := range []string{
		"/", "/etc/passwd", "/a/passwd", "/etc/up/etc/up/a/ssh/sshd_config", "/etc/out", "/host/" + canaryName,
		"/etc/os-release", "/etc/p", "/etc/l1", "/etc/dot/dot/dot/passwd", "/r/r/r/etc/../..", "/etc/ssh/x/x",
		"/etc/ssh/slash", "/etc/ssh/slash/", "/../../..", "/a/../a/./p/", "//etc//passwd", "/etc/passwd/..",
		"/etc/ssh/x/..", "/a/up/host/..",
	} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, p string, follow bool) {
		resolved, err := res.resolve(p, follow)
		if err == nil {
			if path.Clean(resolved) != resolved || !strings.HasPrefix(resolved, "/") {
				t.Fatalf("resolve(%q) = %q: not a clean absolute path", p, resolved)
			}
			if hp := res.host(resolved); hp != tr.dir && !strings.HasPrefix(hp, tr.dir+"/") {
				t.Fatalf("resolve(%q) = host path %q, outside the root %q", p, hp, tr.dir)
			}
		}
		type outcome struct {
			info     FileInfo
			data     string
			statOK   bool
			readOK   bool
			notExist bool
			loop     bool
		}
		results := map[string]outcome{}
		for mode, h := range modes {
			var fi FileInfo
			var err error
			if follow {
				fi, err = h.Stat(p)
			} else {
				fi, err = h.Lstat(p)
			}
			tr.noEscape(t, mode+" Stat", fi)
			tr.noEscape(t, mode+" Stat", err)
			data, rerr := h.ReadFile(p)
			tr.noEscape(t, mode+" ReadFile", data)
			entries, _ := h.ReadDir(p)
			tr.noEscape(t, mode+" ReadDir", entries)
			fi.Path, fi.ModTime = "", fi.ModTime.Round(0)
			results[mode] = outcome{
				info: fi, data: string(data), statOK: err == nil, readOK: rerr == nil,
				notExist: errors.Is(err, fs.ErrNotExist), loop: errors.Is(err, ErrLoop),
			}
			if err == nil && fi.IsRegular() && follow && rerr != nil {
				t.Fatalf("%s: Stat(%q) is a regular file but ReadFile fails: %v", mode, p, rerr)
			}
		}
		want := results["userland"]
		for mode, got := range results {
			if got != want {
				t.Fatalf("%q (follow %v): %s = %+v, userland = %+v", p, follow, mode, got, want)
			}
		}
	})
}
