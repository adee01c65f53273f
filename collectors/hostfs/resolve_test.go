package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// symlinkRoot builds a root whose links try every way out: absolute and
// relative targets, ".." past the root, host paths, chains and loops.
func symlinkRoot(t testing.TB) *testRoot {
	tr := newTestRoot(t)
	tr.file(t, "/etc/passwd", "root:x:0:0:root:/:/bin/sh\n")
	tr.file(t, "/canary", "the root's own /canary\n")
	tr.file(t, "/usr/lib/os-release", "ID=test\n")
	tr.link(t, "/etc/passwd", "/etc/abs")
	tr.link(t, "passwd", "/etc/rel")
	tr.link(t, "../../../../etc/passwd", "/etc/up")
	tr.link(t, "/canary", "/etc/x")
	tr.link(t, "../../"+canaryName, "/etc/escape-rel")
	tr.link(t, tr.canaryPath, "/etc/escape-abs") // a host path means ROOT+host path
	tr.link(t, tr.parent, "/escape-dir")
	tr.link(t, "../..", "/etc/up2")
	tr.link(t, "chain2", "/etc/chain1")
	tr.link(t, "/etc/chain3", "/etc/chain2")
	tr.link(t, "../etc/rel", "/etc/chain3")
	tr.link(t, "/etc", "/dirlink")
	tr.link(t, "usr", "/mid")
	tr.link(t, "../usr/lib/os-release", "/etc/os-release")
	tr.link(t, "/nonexistent", "/etc/dangling")
	tr.link(t, "self", "/etc/self")
	tr.link(t, "loopb", "/etc/loopa")
	tr.link(t, "loopa", "/etc/loopb")
	tr.link(t, "/etc/dirloop/x", "/etc/dirloop") // a loop through a middle component
	tr.link(t, "/dev/zero", "/etc/zero")         // the root has no /dev/zero
	// MaxSymlinks links in a row are allowed, one more is a loop, as in
	// the kernel.
	for i := range MaxSymlinks + 1 {
		target := fmt.Sprintf("n%02d", i+1)
		if i+1 == MaxSymlinks+1 {
			target = "passwd"
		}
		tr.link(t, target, fmt.Sprintf("/etc/n%02d", i))
	}
	return tr
}

func TestReadFileSymlinks(t *testing.T) {
	tr := symlinkRoot(t)
	const passwd = "root:x:0:0:root:/:/bin/sh\n"
	tests := []struct {
		name    string
		path    string
		want    string
		wantErr error // nil with want "": any error
		anyErr  bool
	}{
		{name: "plain", path: "/etc/passwd", want: passwd},
		{name: "absolute target restarts at root", path: "/etc/abs", want: passwd},
		{name: "absolute /canary is the root's", path: "/etc/x", want: "the root's own /canary\n"},
		{name: "relative target", path: "/etc/rel", want: passwd},
		{name: "dotdot in target stops at root", path: "/etc/up", want: passwd},
		{name: "dotdot in path stops at root", path: "/../../etc/passwd", want: passwd},
		{name: "dotdot mid path", path: "/etc/../../../etc/./passwd", want: passwd},
		{name: "dotdot after link is physical", path: "/dirlink/../etc/passwd", want: passwd},
		{name: "link to dotdot dir", path: "/etc/up2/etc/passwd", want: passwd},
		{name: "chain", path: "/etc/chain1", want: passwd},
		{name: "link to dir then file", path: "/dirlink/passwd", want: passwd},
		{name: "link to dir then link", path: "/dirlink/chain1", want: passwd},
		{name: "link in middle component", path: "/mid/lib/os-release", want: "ID=test\n"},
		{name: "relative up then down", path: "/etc/os-release", want: "ID=test\n"},
		{name: "MaxSymlinks links", path: "/etc/n01", want: passwd},
		{name: "MaxSymlinks+1 links", path: "/etc/n00", wantErr: ErrLoop},
		{name: "relative escape", path: "/etc/escape-rel", wantErr: fs.ErrNotExist},
		{name: "host absolute escape", path: "/etc/escape-abs", wantErr: fs.ErrNotExist},
		{name: "escape via parent dir link", path: "/escape-dir/" + canaryName, wantErr: fs.ErrNotExist},
		{name: "escape via dotdot link", path: "/etc/up2/" + canaryName, wantErr: fs.ErrNotExist},
		{name: "escape via dotdot path", path: "/../" + canaryName, wantErr: fs.ErrNotExist},
		{name: "host device not reached", path: "/etc/zero", wantErr: fs.ErrNotExist},
		{name: "dangling", path: "/etc/dangling", wantErr: fs.ErrNotExist},
		{name: "missing", path: "/etc/shadow", wantErr: fs.ErrNotExist},
		{name: "missing dir", path: "/nope/shadow", wantErr: fs.ErrNotExist},
		{name: "self loop", path: "/etc/self", wantErr: ErrLoop},
		{name: "two-link loop", path: "/etc/loopa", wantErr: ErrLoop},
		{name: "loop in middle component", path: "/etc/dirloop/passwd", wantErr: ErrLoop},
		{name: "file as directory", path: "/etc/passwd/x", wantErr: unix.ENOTDIR},
		{name: "trailing slash on file", path: "/etc/passwd/", wantErr: unix.ENOTDIR},
		{name: "trailing slash on link to file", path: "/etc/abs/", wantErr: unix.ENOTDIR},
		{name: "directory", path: "/etc", wantErr: ErrNotRegular},
		{name: "link to directory", path: "/dirlink/", wantErr: ErrNotRegular},
		{name: "relative path", path: "etc/passwd", anyErr: true},
		{name: "empty path", path: "", anyErr: true},
		{name: "NUL", path: "/etc/passwd\x00.bak", anyErr: true},
	}
	for mode, h := range resolverModes(t, tr.dir) {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				start := time.Now()
				got, err := h.ReadFile(tt.path)
				if d := time.Since(start); d > time.Second {
					t.Errorf("ReadFile(%q) took %v: loops must end fast", tt.path, d)
				}
				tr.noEscape(t, "ReadFile", got)
				tr.noEscape(t, "ReadFile", err)
				switch {
				case tt.wantErr != nil:
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("ReadFile(%q) = %q, %v; want error %v", tt.path, got, err, tt.wantErr)
					}
				case tt.anyErr:
					if err == nil {
						t.Fatalf("ReadFile(%q) = %q, want an error", tt.path, got)
					}
				default:
					if err != nil || string(got) != tt.want {
						t.Fatalf("ReadFile(%q) = %q, %v; want %q", tt.path, got, err, tt.want)
					}
				}
				// Stat follows the same resolution as ReadFile.
				fi, serr := h.Stat(tt.path)
				tr.noEscape(t, "Stat", fi)
				if (err == nil) && (serr != nil || !fi.IsRegular()) {
					t.Fatalf("Stat(%q) = %+v, %v after ReadFile succeeded", tt.path, fi, serr)
				}
			})
		}
	}
}

func TestStatLstatReadlink(t *testing.T) {
	tr := symlinkRoot(t)
	tests := []struct {
		path      string
		lstatType fs.FileMode // type bits Lstat reports
		statType  fs.FileMode // type bits Stat reports
		statErr   error
		readlink  string // "" : Readlink fails
	}{
		{path: "/etc/passwd", lstatType: 0, statType: 0},
		{path: "/etc/abs", lstatType: fs.ModeSymlink, statType: 0, readlink: "/etc/passwd"},
		{path: "/dirlink", lstatType: fs.ModeSymlink, statType: fs.ModeDir, readlink: "/etc"},
		{path: "/dirlink/", lstatType: fs.ModeDir, statType: fs.ModeDir},
		{path: "/dirlink/rel", lstatType: fs.ModeSymlink, statType: 0, readlink: "passwd"},
		{path: "/mid/lib", lstatType: fs.ModeDir, statType: fs.ModeDir},
		{path: "/etc/dangling", lstatType: fs.ModeSymlink, statErr: fs.ErrNotExist, readlink: "/nonexistent"},
		{path: "/etc/self", lstatType: fs.ModeSymlink, statErr: ErrLoop, readlink: "self"},
		{path: "/etc/escape-abs", lstatType: fs.ModeSymlink, statErr: fs.ErrNotExist, readlink: tr.canaryPath},
		{path: "/etc/escape-rel", lstatType: fs.ModeSymlink, statErr: fs.ErrNotExist, readlink: "../../" + canaryName},
		{path: "/", lstatType: fs.ModeDir, statType: fs.ModeDir},
		{path: "/..", lstatType: fs.ModeDir, statType: fs.ModeDir},
		{path: "/etc/up2/..", lstatType: fs.ModeDir, statType: fs.ModeDir},
	}
	for mode, h := range resolverModes(t, tr.dir) {
		for _, tt := range tests {
			t.Run(mode+tt.path, func(t *testing.T) {
				lfi, err := h.Lstat(tt.path)
				tr.noEscape(t, "Lstat", lfi)
				if err != nil || lfi.Mode.Type() != tt.lstatType {
					t.Errorf("Lstat(%q) = %v, %v; want type %v", tt.path, lfi.Mode, err, tt.lstatType)
				}
				sfi, err := h.Stat(tt.path)
				tr.noEscape(t, "Stat", sfi)
				if tt.statErr != nil {
					if !errors.Is(err, tt.statErr) {
						t.Errorf("Stat(%q) = %v, %v; want %v", tt.path, sfi.Mode, err, tt.statErr)
					}
				} else if err != nil || sfi.Mode.Type() != tt.statType {
					t.Errorf("Stat(%q) = %v, %v; want type %v", tt.path, sfi.Mode, err, tt.statType)
				}
				target, err := h.Readlink(tt.path)
				if tt.readlink == "" {
					if err == nil {
						t.Errorf("Readlink(%q) = %q, want an error", tt.path, target)
					}
				} else if err != nil || target != tt.readlink {
					t.Errorf("Readlink(%q) = %q, %v; want %q", tt.path, target, err, tt.readlink)
				}
			})
		}
	}
}

func TestBadPaths(t *testing.T) {
	tr := symlinkRoot(t)
	long := "/" // longer than PATH_MAX, though it cleans to "/"
	for len(long) < unix.PathMax {
		long += "a/../"
	}
	for mode, h := range resolverModes(t, tr.dir) {
		for _, p := range []string{"", "etc/passwd", "./etc/passwd", "../etc/passwd", "/etc/\x00", "\x00/etc/passwd", long} {
			t.Run(fmt.Sprintf("%s/%.20q", mode, p), func(t *testing.T) {
				if _, err := h.ReadFile(p); err == nil {
					t.Error("ReadFile succeeded")
				}
				if _, err := h.Stat(p); err == nil {
					t.Error("Stat succeeded")
				}
				if _, err := h.Lstat(p); err == nil {
					t.Error("Lstat succeeded")
				}
				if _, err := h.ReadDir(p); err == nil {
					t.Error("ReadDir succeeded")
				}
				if _, err := h.Readlink(p); err == nil {
					t.Error("Readlink succeeded")
				}
				if _, err := h.Glob(p); err == nil {
					t.Error("Glob succeeded")
				}
			})
		}
	}
}

func TestRootfsConstructor(t *testing.T) {
	tr := newTestRoot(t)
	if _, err := Rootfs(filepath.Join(tr.parent, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Rootfs(missing) error = %v, want not exist", err)
	}
	if _, err := Rootfs(tr.canaryPath); err == nil {
		t.Error("Rootfs(regular file) succeeded")
	}
	h, err := Rootfs(tr.dir + "/./")
	if err != nil {
		t.Fatal(err)
	}
	if h.Root() != tr.dir || h.Kind() != KindRootfs || h.CanRun() {
		t.Errorf("Rootfs = root %q kind %q canRun %v", h.Root(), h.Kind(), h.CanRun())
	}
	if live := Live(); live.Root() != "/" || live.Kind() != KindHost || !live.CanRun() {
		t.Errorf("Live() = root %q kind %q canRun %v", live.Root(), live.Kind(), live.CanRun())
	}
}
