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

// dataImages are the fixture images of the data-layer and VPN controls.
var dataImages = []string{"hardened-data", "broken-db-trust", "broken-db-md5", "broken-db-any-source", "broken-vpn-perms", "broken-vpn-full-tunnel"}

func collectPostgreSQL(t testing.TB, name string, h hostfs.Host) *PostgreSQLFacts {
	t.Helper()
	v, err := NewPostgreSQL().Collect(context.Background(), h)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	f := v.(*PostgreSQLFacts)
	recordSnapshot(t, "postgresql/"+name, f)
	return f
}

func imageHost(t testing.TB, name string) (hostfs.Host, string) {
	t.Helper()
	root := materializeCase(t, filepath.Join("..", "fixtures", "images"), name)
	return hostfs.Fixture(hostfs.KindRootfs, root, nil), root
}

func TestPostgreSQLGolden(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the golden files record root-owned fixture files (fixture.Materialize chowns only as root)")
	}
	h, _ := imageHost(t, "hardened-data")
	checkGolden(t, "postgresql/hardened-data", collectPostgreSQL(t, "hardened-data", h))
	checkGolden(t, "postgresql/rhel", collectPostgreSQL(t, "rhel", hostfs.Fixture(hostfs.KindRootfs, filepath.Join("testdata", "postgresql", "rhel"), nil)))
}

func TestPostgreSQLHardened(t *testing.T) {
	h, _ := imageHost(t, "hardened-data")
	f := collectPostgreSQL(t, "hardened-data", h)
	if !f.Installed || !strings.Contains(f.InstalledEvidence, "postgresql-15") || len(f.Clusters) != 1 {
		t.Fatalf("%+v", f)
	}
	c := f.Clusters[0]
	if c.Status != "ok" || c.HBA.Status != "ok" || c.Name != "15/main" || c.Version != "15" {
		t.Fatalf("cluster %+v", c)
	}
	want := map[string]PGSetting{
		"ssl":                 {Value: "on", Source: "file", File: "/etc/postgresql/15/main/conf.d/50-zerotrust.conf", Line: 3},
		"password_encryption": {Value: "scram-sha-256", Source: "file", File: "/etc/postgresql/15/main/conf.d/50-zerotrust.conf", Line: 6},
		"port":                {Value: "5432", Source: "file", File: "/etc/postgresql/15/main/postgresql.conf", Line: 6},
		"ssl_ca_file":         {Value: "", Source: "default"},
	}
	for k, w := range want {
		if c.Settings[k] != w {
			t.Errorf("%s = %+v, want %+v", k, c.Settings[k], w)
		}
	}
	last := c.HBA.Entries[len(c.HBA.Entries)-1]
	if strings.Join(last.Users, ",") != "alice,bob" || last.Address != "10.30.0.0/24" || last.Line != 9 {
		t.Errorf("@admins entry %+v", last)
	}
	if len(c.TLSFiles) != 2 || c.TLSFiles[0].File.Path != "/etc/ssl/certs/db.example.com.pem" {
		t.Errorf("tls files %+v", c.TLSFiles)
	}
}

func TestPostgreSQLRHELLayouts(t *testing.T) {
	f := collectPostgreSQL(t, "rhel", hostfs.Fixture(hostfs.KindRootfs, filepath.Join("testdata", "postgresql", "rhel"), nil))
	if !f.Installed || len(f.Clusters) != 2 {
		t.Fatalf("%+v", f)
	}
	old, c16 := f.Clusters[0], f.Clusters[1]
	if old.Name != "/var/lib/pgsql/data" || old.Version != "13" || old.Settings["password_encryption"].Value != "md5" || old.HBA.Entries[1].Address != "0.0.0.0/0" {
		t.Errorf("13: %+v", old)
	}
	if c16.Settings["ssl"].Value != "on" || c16.Settings["ssl"].Raw != "true" || c16.HBA.File != "/var/lib/pgsql/16/data/hba/main.conf" {
		t.Errorf("16: %+v", c16.Settings)
	}
	var got []string
	for _, e := range c16.HBA.Entries {
		got = append(got, e.File+" "+e.Type+" "+e.Address+" "+e.Method)
	}
	want := "/var/lib/pgsql/16/data/hba/main.conf local  peer|/var/lib/pgsql/16/data/hba.d/app.conf hostssl 10.1.0.0/16 cert|/var/lib/pgsql/16/data/hba/main.conf hostssl 10.0.0.0/8 scram-sha-256"
	if strings.Join(got, "|") != want {
		t.Errorf("16 entries:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if c16.TLSFiles[0].File.Path != "/var/lib/pgsql/16/data/server.crt" || c16.TLSFiles[0].File.Exists {
		t.Errorf("relative ssl_cert_file %+v", c16.TLSFiles[0])
	}
}

func TestPostgreSQLNotInstalled(t *testing.T) {
	root := t.TempDir()
	writeTB(t, root, "var/lib/dpkg/status", "Package: postgresql-client-15\nStatus: install ok installed\nVersion: 15.8-0+deb12u1\n\nPackage: postgresql-common\nStatus: install ok installed\nVersion: 248\n")
	f := collectPostgreSQL(t, "client-only", hostfs.Fixture(hostfs.KindRootfs, root, nil))
	if f.Installed || len(f.Clusters) != 0 || !strings.Contains(f.InstalledEvidence, "no PostgreSQL server package") {
		t.Errorf("%+v", f)
	}
	writeTB(t, root, "var/lib/dpkg/status", "Package: postgresql-15\nStatus: install ok installed\nVersion: 15.8-0+deb12u1\n")
	f = collectPostgreSQL(t, "no-cluster", hostfs.Fixture(hostfs.KindRootfs, root, nil))
	if !f.Installed || len(f.Clusters) != 0 {
		t.Errorf("%+v", f)
	}
}

// TestPostgreSQLBadInput: every bad tree ends quickly with the cluster or
// its pg_hba.conf in error, naming the file.
func TestPostgreSQLBadInput(t *testing.T) {
	const dir = "etc/postgresql/15/main/"
	tests := []struct {
		name  string
		setup func(t *testing.T, root string)
		hba   bool // the error is pg_hba.conf's, not the cluster's
		want  []string
	}{
		{"conf include loop", func(t *testing.T, root string) {
			writeTB(t, root, dir+"conf.d/loop.conf", "include 'loop.conf'\n")
		}, false, []string{"/etc/postgresql/15/main/conf.d/loop.conf", "maximum nesting depth"}},
		{"hba @file loop", func(t *testing.T, root string) {
			writeTB(t, root, dir+"admins", "@admins\n")
		}, true, []string{"/etc/postgresql/15/main/pg_hba.conf:9", "maximum nesting depth"}},
		{"binary garbage hba", func(t *testing.T, root string) {
			writeTB(t, root, dir+"pg_hba.conf", "\x7fELF\x02\x01\x01\x00\xff\xfe garbage\n")
		}, true, []string{"/etc/postgresql/15/main/pg_hba.conf:1", "invalid connection type"}},
		{"binary garbage conf", func(t *testing.T, root string) {
			writeTB(t, root, dir+"conf.d/50-zerotrust.conf", "\x00\x01\x02 = = =\n")
		}, false, []string{"/etc/postgresql/15/main/conf.d/50-zerotrust.conf:1", "syntax error"}},
		{"1 GB sparse hba", func(t *testing.T, root string) {
			if err := os.Truncate(filepath.Join(root, dir+"pg_hba.conf"), 1<<30); err != nil {
				t.Fatal(err)
			}
		}, true, []string{"/etc/postgresql/15/main/pg_hba.conf", "too large"}},
		{"FIFO as pg_hba.conf", func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, dir+"pg_hba.conf"))
			if err := unix.Mkfifo(filepath.Join(root, dir+"pg_hba.conf"), 0o640); err != nil {
				t.Fatal(err)
			}
		}, true, []string{"/etc/postgresql/15/main/pg_hba.conf", "not a regular file"}},
		{"FIFO in conf.d", func(t *testing.T, root string) {
			if err := unix.Mkfifo(filepath.Join(root, dir+"conf.d/fifo.conf"), 0o640); err != nil {
				t.Fatal(err)
			}
		}, false, []string{"/etc/postgresql/15/main/conf.d/fifo.conf"}},
		{"unreadable hba", func(t *testing.T, root string) {
			p := filepath.Join(root, dir+"pg_hba.conf")
			if os.Geteuid() == 0 {
				os.Remove(p)
				os.Mkdir(p, 0o755) // root reads mode-000 files: a directory cannot be read
				return
			}
			os.Chmod(p, 0)
		}, true, []string{"/etc/postgresql/15/main/pg_hba.conf"}},
		{"missing hba", func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, dir+"pg_hba.conf"))
		}, true, []string{"/etc/postgresql/15/main/pg_hba.conf", "does not exist"}},
		{"symlink escaping the root", func(t *testing.T, root string) {
			p := filepath.Join(root, dir+"pg_hba.conf")
			os.Remove(p)
			if err := os.Symlink("../../../../../../../../etc/hostname-does-not-exist", p); err != nil {
				t.Fatal(err)
			}
		}, true, []string{"/etc/postgresql/15/main/pg_hba.conf"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, root := imageHost(t, "hardened-data")
			tc.setup(t, root)
			start := time.Now()
			f := collectPostgreSQL(t, "bad-"+tc.name, h)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			c := f.Clusters[0]
			part := c.Part
			if tc.hba {
				part = c.HBA.Part
			}
			if part.Status != "error" {
				t.Fatalf("status %q (cluster %+v, hba %+v)", part.Status, c.Part, c.HBA.Part)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.ToLower(part.Reason), strings.ToLower(w)) {
					t.Errorf("reason %q lacks %q", part.Reason, w)
				}
			}
		})
	}
}

func TestPostgreSQLTLSFiles(t *testing.T) {
	h, _ := imageHost(t, "hardened-data")
	refs, err := PostgreSQLTLSFiles(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0].Path != "/etc/ssl/certs/db.example.com.pem" || refs[0].Setting != "ssl_cert_file" ||
		refs[0].File != "/etc/postgresql/15/main/conf.d/50-zerotrust.conf" || refs[0].Line != 4 || refs[1].Setting != "ssl_key_file" {
		t.Errorf("%+v", refs)
	}
}

func BenchmarkPostgreSQLCollect(b *testing.B) {
	h, root := imageHost(b, "hardened-data")
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		sb.WriteString("hostssl app,\"db two\" @admins 10.20.0.0/16 scram-sha-256\n")
	}
	writeTB(b, root, "etc/postgresql/15/main/pg_hba.conf", sb.String())
	c := NewPostgreSQL()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}

// writeTB writes a file under root, creating its directories.
func writeTB(t testing.TB, root, rel, data string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
