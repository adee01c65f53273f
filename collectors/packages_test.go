package collectors

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func TestPackagesFixtures(t *testing.T) {
	for _, name := range fixtureCases {
		for _, kind := range fixtureKinds {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				v, err := NewPackages().Collect(context.Background(), hostfs.Fixture(kind, fixtureRoot(name), nil))
				checkGolden(t, "packages/"+name+"-"+string(kind), collectorOutcome(v, err))
			})
		}
	}
}

// collectorOutcome is what the runner would record: the facts, or the
// error and whether it is an "unavailable".
func collectorOutcome(v any, err error) any {
	if err != nil {
		return map[string]any{"error": err.Error(), "unavailable": IsUnavailable(err)}
	}
	return v
}

func TestPackagesStock(t *testing.T) {
	pkgs, err := InstalledPackages(hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("debian-stock"), nil))
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]Package{
		"libc6":      {Version: "2.36-9+deb12u14", Arch: "amd64", Source: "glibc"},
		"libc6:i386": {Version: "2.36-9+deb12u14", Arch: "i386", Source: "glibc"},
		"apparmor":   {Version: "3.0.8-3", Arch: "amd64", Source: "apparmor"},
		// held: still installed
		"linux-image-6.1.0-13-amd64": {Version: "6.1.55-1", Arch: "amd64", Source: "linux-signed-amd64"},
	}
	for name, want := range checks {
		if got, ok := pkgs[name]; !ok || got != want {
			t.Errorf("%s = %+v (present %v), want %+v", name, got, ok, want)
		}
	}
	if _, ok := pkgs["telnet"]; ok {
		t.Error("telnet (config-files only) listed as installed")
	}
	if p := pkgs["openssh-server"]; p.Source != "openssh" || !strings.Contains(p.Version, "p1") {
		t.Errorf("openssh-server = %+v", p)
	}
}

func TestPackagesErrors(t *testing.T) {
	_, err := NewPackages().Collect(context.Background(), hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("rhel-selinux"), nil))
	if !IsUnavailable(err) || !strings.Contains(err.Error(), DpkgStatusFile) {
		t.Errorf("no dpkg database: err = %v, want unavailable naming %s", err, DpkgStatusFile)
	}
	_, err = NewPackages().Collect(context.Background(), hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("broken"), nil))
	if err == nil || IsUnavailable(err) || !strings.Contains(err.Error(), DpkgStatusFile) {
		t.Errorf("garbage database: err = %v, want an error naming %s", err, DpkgStatusFile)
	}
}

func TestParseDpkgStatus(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]Package
		wantErr  string
	}{
		{"empty", "", map[string]Package{}, ""},
		{"crlf and trailing stanza without newline", "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\nArchitecture: all", map[string]Package{"a": {Version: "1", Arch: "all", Source: "a"}}, ""},
		{"half-installed is not installed", "Package: a\nStatus: install reinstreq half-installed\nVersion: 1\n", map[string]Package{}, ""},
		{"continuation before any field", " stray\n", nil, "line 1"},
		{"field without colon", "Package: a\nnonsense\n", nil, "line 2"},
		{"stanza without package", "Status: install ok installed\n\n", nil, "without a Package"},
		{"nul byte", "Package: a\x00\n", nil, "binary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDpkgStatus([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseRealDpkgStatus(t *testing.T) {
	data, err := os.ReadFile("testdata/dpkg-status-debian12")
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := parseDpkgStatus(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 100 {
		t.Errorf("only %d packages", len(pkgs))
	}
	for _, name := range []string{"dpkg", "base-files", "libc6"} {
		if _, ok := pkgs[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add([]byte("Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"))
	f.Add([]byte("Package: dpkg\nArchitecture: amd64\nStatus: hold ok installed\n\nPackage: b\nArchitecture: i386\nStatus: install ok installed\nSource: x (1)\nDescription: d\n more\n .\n"))
	f.Add([]byte(" \n\n:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := parseDpkgStatus(data)
		if err == nil && pkgs == nil {
			t.Fatal("nil map without error")
		}
		for name, p := range pkgs {
			if name == "" || strings.ContainsAny(name, "\n") || strings.Contains(p.Source, " ") {
				t.Fatalf("bad entry %q: %+v", name, p)
			}
		}
	})
}

// BenchmarkParseDpkgStatus parses this machine's status file, and the same
// packages three times over (renamed) to approach a ~2,000 package system.
func BenchmarkParseDpkgStatus(b *testing.B) {
	data, err := os.ReadFile("testdata/dpkg-status-debian12")
	if err != nil {
		b.Fatal(err)
	}
	var big bytes.Buffer
	for i := range 3 {
		big.Write(bytes.ReplaceAll(data, []byte("\nPackage: "), []byte(fmt.Sprintf("\nPackage: x%d-", i))))
		big.WriteString("\n\n")
	}
	for _, in := range []struct {
		name string
		data []byte
	}{{"debian12", data}, {"debian12x3", big.Bytes()}} {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			n := 0
			for b.Loop() {
				pkgs, err := parseDpkgStatus(in.data)
				if err != nil {
					b.Fatal(err)
				}
				n = len(pkgs)
			}
			b.ReportMetric(float64(n), "packages")
		})
	}
}

func BenchmarkPackagesLive(b *testing.B) {
	h, c := hostfs.Live(), NewPackages()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
