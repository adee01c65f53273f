package collectors

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ztscan/ztscan/collectors/hostfs"
)

// rpmRoot is a root whose only package database is rpm's, in the given
// place, holding the checked-in one-package sqlite database.
func rpmRoot(t *testing.T, dbPath string, content []byte) hostfs.Host {
	t.Helper()
	root := t.TempDir()
	p := filepath.Join(root, dbPath)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestPackagesRPM(t *testing.T) {
	db, err := os.ReadFile("rpmdb/testdata/rpmdb.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"} {
		t.Run(p, func(t *testing.T) {
			v, err := NewPackages().Collect(context.Background(), rpmRoot(t, p, db))
			if err != nil {
				t.Fatal(err)
			}
			want := PackagesFacts{Manager: "rpm", Source: "/" + p, Format: "sqlite", Installed: map[string]Package{
				"zt-demo": {Version: "2:1.2-3.fc40", Arch: "noarch", Source: "zt-demo"},
			}}
			if d := cmp.Diff(want, v); d != "" {
				t.Error(d)
			}
		})
	}
	// InstalledPackages serves other collectors on RPM systems too
	pkgs, err := InstalledPackages(rpmRoot(t, "var/lib/rpm/rpmdb.sqlite", db))
	if err != nil || pkgs["zt-demo"].Version != "2:1.2-3.fc40" {
		t.Errorf("InstalledPackages = %v, %v", pkgs, err)
	}
}

func TestPackagesBadDatabases(t *testing.T) {
	_, err := NewPackages().Collect(context.Background(), rpmRoot(t, "var/lib/rpm/rpmdb.sqlite", []byte(strings.Repeat("not a database\n", 50))))
	if err == nil || IsUnavailable(err) || !strings.HasPrefix(err.Error(), "/var/lib/rpm/rpmdb.sqlite: ") {
		t.Errorf("garbage rpmdb: err = %v, want an error naming the file", err)
	}
	_, err = NewPackages().Collect(context.Background(), rpmRoot(t, "var/lib/rpm/Packages", make([]byte, 4096)))
	if err == nil || !strings.Contains(err.Error(), "/var/lib/rpm/Packages") || !strings.Contains(err.Error(), "not an rpm database") {
		t.Errorf("zeroed Packages: err = %v", err)
	}
	// a 1 GB sparse dpkg status: refused by size, at once, naming the file
	root := t.TempDir()
	status := filepath.Join(root, "var/lib/dpkg/status")
	os.MkdirAll(filepath.Dir(status), 0o755)
	f, err := os.Create(status)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	h, _ := hostfs.Rootfs(root)
	start := time.Now()
	_, err = NewPackages().Collect(context.Background(), h)
	if err == nil || !strings.Contains(err.Error(), DpkgStatusFile) {
		t.Errorf("1 GB status: err = %v, want an error naming %s", err, DpkgStatusFile)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("1 GB status took %v", d)
	}
	// neither database: unavailable, naming both
	h, _ = hostfs.Rootfs(t.TempDir())
	_, err = NewPackages().Collect(context.Background(), h)
	if !IsUnavailable(err) || !strings.Contains(err.Error(), "/var/lib/rpm") {
		t.Errorf("no database: err = %v", err)
	}
}
