package collectors

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ztscan/ztscan/collectors/certinfo/certtest"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/fixture"
)

var certNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func certDay(n int) time.Time { return certNow.Add(time.Duration(n) * 24 * time.Hour) }

// certTree is a fake root with nginx, sshd and loose certificate files,
// and every private key written into it (for the leak check).
type certTree struct {
	dir  string
	keys [][]byte
}

func (ct *certTree) write(t *testing.T, p string, data []byte, mode os.FileMode) {
	t.Helper()
	full := filepath.Join(ct.dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(full, mode); err != nil {
		t.Fatal(err)
	}
}

func newCertTree(t *testing.T) *certTree {
	t.Helper()
	ct := &certTree{dir: t.TempDir()}
	ca := certtest.MustIssue(certtest.Spec{CommonName: "Client CA", IsCA: true, Key: "p384", Fresh: true, NotBefore: certDay(-30), NotAfter: certDay(3000)})
	www := certtest.MustIssue(certtest.Spec{CommonName: "www.example.com", DNSNames: []string{"www.example.com"}, Key: "p256", Fresh: true, NotBefore: certDay(-20), NotAfter: certDay(10)})
	api := certtest.MustIssue(certtest.Spec{CommonName: "api.internal", Key: "rsa2048", NotBefore: certDay(-300), NotAfter: certDay(65), Parent: ca})
	old := certtest.MustIssue(certtest.Spec{CommonName: "old.example.com", Key: "ed25519", NotBefore: certDay(-100), NotAfter: certDay(-5)})
	ct.keys = append(ct.keys, www.KeyPEM, api.KeyPEM, old.KeyPEM)

	ct.write(t, "etc/nginx/nginx.conf", []byte(`events { }
http {
    ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
    server {
        listen 443 ssl;
        server_name www.example.com;
        ssl_certificate /etc/nginx/tls/www.pem;
        ssl_certificate_key /etc/nginx/tls/www.key;
    }
    server {
        listen 8443 ssl;
        server_name api.internal;
        ssl_certificate tls/api.pem;
        ssl_certificate_key tls/api.key;
        ssl_verify_client on;
        ssl_client_certificate tls/client-ca.pem;
    }
    server {
        listen 9443 ssl;
        server_name dyn.example.com later.example.com;
        ssl_certificate /etc/nginx/tls/$ssl_server_name.pem;
        ssl_certificate_key /etc/nginx/tls/$ssl_server_name.key;
        ssl_certificate /etc/nginx/tls/later.pem;
        ssl_certificate_key /etc/nginx/tls/later.key;
    }
}
`), 0o644)
	ct.write(t, "etc/nginx/tls/www.pem", www.CertPEM, 0o644)
	ct.write(t, "etc/nginx/tls/www.key", www.KeyPEM, 0o600)
	ct.write(t, "etc/nginx/tls/api.pem", append(append([]byte{}, api.CertPEM...), ca.CertPEM...), 0o644)
	ct.write(t, "etc/nginx/tls/api.key", api.KeyPEM, 0o644)
	ct.write(t, "etc/nginx/tls/client-ca.pem", ca.CertPEM, 0o644)
	ct.write(t, "etc/ssl/certs/ca-certificates.crt", ca.CertPEM, 0o644)

	// an OpenSSH host certificate, valid for 30 days
	_, hostKey, _ := ed25519.GenerateKey(rand.Reader)
	_, caKey, _ := ed25519.GenerateKey(rand.Reader)
	hostPub, _ := ssh.NewPublicKey(hostKey.Public())
	caSigner, _ := ssh.NewSignerFromKey(caKey)
	sc := &ssh.Certificate{Key: hostPub, Serial: 42, CertType: ssh.HostCert, KeyId: "host01", ValidPrincipals: []string{"host01.example.com"},
		ValidAfter: uint64(certDay(-1).Unix()), ValidBefore: uint64(certDay(29).Unix())}
	if err := sc.SignCert(rand.Reader, caSigner); err != nil {
		t.Fatal(err)
	}
	ct.write(t, "etc/ssh/sshd_config", []byte("HostKey /etc/ssh/ssh_host_ed25519_key\nHostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub\nTrustedUserCAKeys /etc/ssh/user_ca.pub\n"), 0o644)
	ct.write(t, "etc/ssh/ssh_host_ed25519_key-cert.pub", ssh.MarshalAuthorizedKey(sc), 0o644)

	// loose files for tls.certificate_paths
	ct.write(t, "etc/ssl/app/old.pem", old.CertPEM, 0o644)
	ct.write(t, "etc/ssl/app/combined.pem", append(append([]byte{}, old.CertPEM...), old.KeyPEM...), 0o644)
	ct.write(t, "etc/ssl/app/garbage.pem", []byte("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"), 0o644)
	if err := os.Symlink("/usr/share/ca-certificates/mozilla/Some_Root.crt", filepath.Join(ct.dir, "etc/ssl/app/Some_Root.pem")); err != nil {
		t.Fatal(err)
	}
	return ct
}

// collectCerts runs the collector at certNow and fails the test if the
// facts contain any private key the tree holds.
func (ct *certTree) collect(t *testing.T, extra ...string) *CertificatesFacts {
	t.Helper()
	h, err := hostfs.Rootfs(ct.dir)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCertificates(extra...)
	c.now = func() time.Time { return certNow }
	v, err := c.Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	assertNoKeyMaterial(t, data, ct.keys)
	return v.(*CertificatesFacts)
}

// assertNoKeyMaterial fails when the snapshot holds any line of a private
// key's PEM body, or a PEM private-key header.
func assertNoKeyMaterial(t *testing.T, snapshot []byte, keys [][]byte) {
	t.Helper()
	if bytes.Contains(snapshot, []byte("PRIVATE KEY-----")) {
		t.Fatal("facts contain a PEM private-key header")
	}
	for _, k := range keys {
		for _, line := range strings.Split(string(k), "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") && bytes.Contains(snapshot, []byte(line)) {
				t.Fatalf("facts contain private key material: %q", line)
			}
		}
	}
}

func TestCertificatesCollector(t *testing.T) {
	ct := newCertTree(t)
	f := ct.collect(t, "/etc/ssl/app/*.pem", "/etc/ssl/missing.pem")
	if !f.EvaluatedAt.Equal(certNow) {
		t.Errorf("evaluated_at %v", f.EvaluatedAt)
	}
	for _, s := range f.Discovery {
		if s.Status != "ok" && !(s.Source == "postgresql" && s.Status == "unavailable") {
			t.Errorf("discovery %s: %s %s", s.Source, s.Status, s.Reason)
		}
	}
	status := map[string]string{}
	byPath := map[string]CertFile{}
	for _, cf := range f.Files {
		status[cf.Path] = cf.Status
		byPath[cf.Path] = cf
	}
	want := map[string]string{
		"/etc/nginx/tls/www.pem":                 "ok",
		"/etc/nginx/tls/api.pem":                 "ok",
		"/etc/nginx/tls/client-ca.pem":           "ok",
		"/etc/nginx/tls/later.pem":               "unavailable",
		"/etc/ssh/ssh_host_ed25519_key-cert.pub": "ok",
		"/etc/ssl/app/old.pem":                   "ok",
		"/etc/ssl/app/combined.pem":              "ok",
		"/etc/ssl/app/garbage.pem":               "error",
		"/etc/ssl/missing.pem":                   "unavailable",
	}
	for p, st := range want {
		if status[p] != st {
			t.Errorf("%s: status %q, want %q", p, status[p], st)
		}
	}
	if len(f.Files) != len(want) {
		t.Errorf("%d files, want %d: %v", len(f.Files), len(want), status)
	}
	if r := byPath["/etc/ssl/app/garbage.pem"].Reason; !strings.Contains(r, "/etc/ssl/app/garbage.pem") {
		t.Errorf("garbage error names no file: %q", r)
	}
	api := byPath["/etc/nginx/tls/api.pem"]
	if len(api.Certificates) != 2 || api.Certificates[0].IsCA || !api.Certificates[1].IsCA || *api.Certificates[0].ValidityDays != 365 || api.Certificates[0].KeyBits != 2048 {
		t.Errorf("api bundle: %+v", api.Certificates)
	}
	if ref := api.ReferencedBy[0]; ref.Use != "nginx ssl_certificate" || ref.File != "/etc/nginx/nginx.conf" || ref.Line != 13 {
		t.Errorf("api reference %+v", ref)
	}
	if c := byPath["/etc/nginx/tls/www.pem"].Certificates[0]; *c.DaysLeft != 10 || c.Expired {
		t.Errorf("www: %+v", c)
	}
	if c := byPath["/etc/ssl/app/old.pem"].Certificates[0]; !c.Expired || *c.DaysLeft != -5 {
		t.Errorf("old: %+v", c)
	}
	if byPath["/etc/ssl/app/combined.pem"].PrivateKeyBlocks != 1 {
		t.Error("combined.pem: the private key block is not counted")
	}
	sshc := byPath["/etc/ssh/ssh_host_ed25519_key-cert.pub"]
	if c := sshc.Certificates[0]; sshc.Format != "openssh" || c.Kind != "openssh" || c.Subject != "host:host01" || *c.DaysLeft != 29 || c.KeyAlgorithm != "Ed25519" || c.Serial != "42" {
		t.Errorf("ssh certificate: %s %+v", sshc.Format, c)
	}
	keys := map[string]PrivateKeyFile{}
	for _, k := range f.Keys {
		keys[k.Path] = k
	}
	if k := keys["/etc/nginx/tls/www.key"]; k.Status != "ok" || k.File.Mode != "0600" || k.MatchesCertificate == nil || !*k.MatchesCertificate || k.Key.KeyAlgorithm != "ECDSA" {
		t.Errorf("www.key: %+v", k)
	}
	if k := keys["/etc/nginx/tls/api.key"]; k.File.Mode != "0644" || k.MatchesCertificate == nil || !*k.MatchesCertificate {
		t.Errorf("api.key: %+v", k)
	}
	if k := keys["/etc/nginx/tls/later.key"]; k.Status != "unavailable" {
		t.Errorf("later.key: %+v", k)
	}
	skipped := map[string]string{}
	for _, s := range f.Skipped {
		skipped[s.Path] = s.Reason
	}
	for _, p := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/nginx/tls/$ssl_server_name.pem", "/etc/nginx/tls/$ssl_server_name.key", "/etc/ssh/user_ca.pub", "/etc/ssl/app/Some_Root.pem"} {
		if skipped[p] == "" {
			t.Errorf("%s not skipped (skipped: %v)", p, skipped)
		}
	}
}

// TestCertificatesMismatchedKey: a key that is not the certificate's is
// reported (nginx would refuse to start).
func TestCertificatesMismatchedKey(t *testing.T) {
	ct := newCertTree(t)
	other := certtest.MustIssue(certtest.Spec{CommonName: "other", Key: "p256", Fresh: true})
	ct.keys = append(ct.keys, other.KeyPEM)
	ct.write(t, "etc/nginx/tls/www.key", other.KeyPEM, 0o600)
	f := ct.collect(t)
	for _, k := range f.Keys {
		if k.Path == "/etc/nginx/tls/www.key" && (k.MatchesCertificate == nil || *k.MatchesCertificate) {
			t.Errorf("mismatch not reported: %+v", k)
		}
	}
}

// TestCertificatesBrokenNginx: an nginx configuration nginx would refuse
// is a discovery error (rules then error), not an empty certificate list.
func TestCertificatesBrokenNginx(t *testing.T) {
	ct := newCertTree(t)
	ct.write(t, "etc/nginx/nginx.conf", []byte("events { }\nhttp {\n"), 0o644)
	f := ct.collect(t)
	if f.Discovery[0].Source != "nginx" || f.Discovery[0].Status != "error" || !strings.Contains(f.Discovery[0].Reason, "/etc/nginx/nginx.conf:3") {
		t.Errorf("nginx discovery %+v", f.Discovery[0])
	}
}

// TestCertificatesNothingThere: no nginx, no sshd, no paths.
func TestCertificatesNothingThere(t *testing.T) {
	ct := &certTree{dir: t.TempDir()}
	f := ct.collect(t)
	if len(f.Files) != 0 || len(f.Keys) != 0 {
		t.Errorf("%+v", f)
	}
	for _, s := range f.Discovery {
		if s.Status != "unavailable" {
			t.Errorf("%s: %s", s.Source, s.Status)
		}
	}
	if got := CertificatePaths(map[string]any{"tls": map[string]any{"certificate_paths": []any{"/a", "", "/b/*.pem"}}}); strings.Join(got, " ") != "/a /b/*.pem" {
		t.Errorf("CertificatePaths %v", got)
	}
}

// TestCertificatesHostileFiles: FIFO, huge sparse file and a symlink loop
// as certificate paths are errors of those files only, and quick.
func TestCertificatesHostileFiles(t *testing.T) {
	ct := &certTree{dir: t.TempDir()}
	ct.write(t, "etc/ssl/app/ok.pem", certtest.MustIssue(certtest.Spec{CommonName: "ok"}).CertPEM, 0o644)
	if err := os.MkdirAll(filepath.Join(ct.dir, "etc/ssl/app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(filepath.Join(ct.dir, "etc/ssl/app/fifo.pem")); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(ct.dir, "etc/ssl/app/huge.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	big.Close()
	if err := os.Symlink("loop.pem", filepath.Join(ct.dir, "etc/ssl/app/loop.pem")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	f := ct.collect(t, "/etc/ssl/app/*.pem")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	for _, cf := range f.Files {
		wantOK := cf.Path == "/etc/ssl/app/ok.pem"
		if (cf.Status == "ok") != wantOK || (!wantOK && !strings.Contains(cf.Reason+cf.File.Error, cf.Path)) {
			t.Errorf("%s: %s %q %q", cf.Path, cf.Status, cf.Reason, cf.File.Error)
		}
	}
	if len(f.Files) != 4 {
		t.Errorf("%d files", len(f.Files))
	}
}

func mkfifo(p string) error { return syscall.Mkfifo(p, 0o644) }

// TestFixtureImagesLeakNoKeys runs the certificate and nginx collectors
// over every fixture image and fails if a facts snapshot holds any line
// of a private key found anywhere in that image.
func TestFixtureImagesLeakNoKeys(t *testing.T) {
	dir := filepath.Join("..", "fixtures", "images")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			root := t.TempDir()
			if err := fixture.Materialize(dir, e.Name(), root); err != nil {
				t.Fatal(err)
			}
			var keys [][]byte
			_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || !d.Type().IsRegular() {
					return nil
				}
				if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte("PRIVATE KEY-----")) {
					keys = append(keys, data)
				}
				return nil
			})
			h, err := hostfs.Rootfs(root)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []Collector{NewCertificates("/etc/ssl/private/*", "/etc/ssh/*"), NewNginx()} {
				v, err := c.Collect(context.Background(), h)
				if err != nil {
					continue // a refused configuration has no facts to leak
				}
				data, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				assertNoKeyMaterial(t, data, keys)
			}
		})
	}
}
