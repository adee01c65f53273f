package collectors

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func nginxRoot(t *testing.T, name string) hostfs.Host {
	t.Helper()
	h, err := hostfs.Rootfs(filepath.Join("testdata", "nginx", name))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// goldenNginx keeps config file paths only: modes and owners of a
// checkout differ between machines.
func goldenNginx(t *testing.T, name string, f *NginxFacts) {
	t.Helper()
	g := *f
	var paths []string
	for _, c := range f.ConfigFiles {
		if !c.Exists {
			t.Errorf("config file %s does not exist", c.Path)
		}
		paths = append(paths, c.Path)
	}
	g.ConfigFiles = []FileFacts{}
	checkGolden(t, "nginx/"+name, struct {
		NginxFacts
		ConfigFilePaths []string `json:"config_file_paths"`
	}{g, paths})
}

func TestNginxCollector(t *testing.T) {
	for _, name := range []string{"mtls", "legacy"} {
		t.Run(name, func(t *testing.T) {
			v, err := NewNginx().Collect(context.Background(), nginxRoot(t, name))
			if err != nil {
				t.Fatal(err)
			}
			f := v.(*NginxFacts)
			if !f.Installed || f.InstalledEvidence != "/etc/nginx/nginx.conf exists" || f.DefaultSSLProtocols != nil {
				t.Errorf("installed %v (%s), default protocols %v", f.Installed, f.InstalledEvidence, f.DefaultSSLProtocols)
			}
			goldenNginx(t, name, f)
		})
	}
}

func TestNginxRefusedConfig(t *testing.T) {
	_, err := NewNginx().Collect(context.Background(), nginxRoot(t, "refused"))
	if err == nil || !strings.Contains(err.Error(), `/etc/nginx/nginx.conf:4: unexpected end of file, expecting "}"`) {
		t.Fatalf("error %v", err)
	}
}

func TestNginxNotInstalled(t *testing.T) {
	h, err := hostfs.Rootfs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewNginx().Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	f := v.(*NginxFacts)
	if f.Installed || f.Servers == nil || !strings.Contains(f.InstalledEvidence, "no nginx package") {
		t.Errorf("%+v", f)
	}
}

// TestNginxVersionFromPackages: the package database gives the version,
// and the version gives the default ssl_protocols.
func TestNginxVersionFromPackages(t *testing.T) {
	tests := []struct {
		pkg, version, want string
		defaults           string
	}{
		{"nginx", "1.22.1-9+deb12u1", "1.22.1", "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"},
		{"nginx-core", "1.23.4-1", "1.23.4", "TLSv1.2 TLSv1.3"},
		{"openresty", "1.21.4.1-1~bookworm1", "1.21.4", "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"},
		{"nginx-extras", "1.26.0-2", "1.26.0", "TLSv1.2 TLSv1.3"},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			dir := t.TempDir()
			status := "Package: " + tt.pkg + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + tt.version + "\n"
			writeNginxFile(t, filepath.Join(dir, "var/lib/dpkg/status"), status)
			writeNginxFile(t, filepath.Join(dir, "etc/nginx/nginx.conf"), "events { }\n")
			h, err := hostfs.Rootfs(dir)
			if err != nil {
				t.Fatal(err)
			}
			v, err := NewNginx().Collect(context.Background(), h)
			if err != nil {
				t.Fatal(err)
			}
			f := v.(*NginxFacts)
			if f.Version != tt.want || strings.Join(f.DefaultSSLProtocols, " ") != tt.defaults || !strings.Contains(f.InstalledEvidence, tt.pkg) {
				t.Errorf("version %q defaults %v evidence %q", f.Version, f.DefaultSSLProtocols, f.InstalledEvidence)
			}
		})
	}
}

// TestNginxInstalledWithoutConfig: the package is there and its main file
// is not: an error, never "no servers".
func TestNginxInstalledWithoutConfig(t *testing.T) {
	dir := t.TempDir()
	writeNginxFile(t, filepath.Join(dir, "var/lib/dpkg/status"), "Package: nginx\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.22.1-9\n")
	h, err := hostfs.Rootfs(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewNginx().Collect(context.Background(), h)
	if err == nil || !strings.Contains(err.Error(), "/etc/nginx/nginx.conf") {
		t.Fatalf("error %v", err)
	}
}

func writeNginxFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
