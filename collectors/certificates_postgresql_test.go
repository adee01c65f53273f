package collectors

import (
	"testing"

	"github.com/ztscan/ztscan/collectors/certinfo/certtest"
)

// TestCertificatesFromPostgreSQL: a cluster with ssl = on contributes its
// certificate (relative paths resolve against the data directory) and its
// key, paired with the certificate; a cluster with ssl = off contributes
// nothing.
func TestCertificatesFromPostgreSQL(t *testing.T) {
	ct := &certTree{dir: t.TempDir()}
	pg := certtest.MustIssue(certtest.Spec{CommonName: "db.internal", Key: "p256", NotBefore: certDay(-10), NotAfter: certDay(60)})
	ct.keys = append(ct.keys, pg.KeyPEM)
	ct.write(t, "etc/postgresql/15/main/postgresql.conf", []byte("data_directory = '/var/lib/postgresql/15/main'\nssl = on\nssl_cert_file = '/etc/ssl/pg/server.pem'\nssl_key_file = '/etc/ssl/pg/server.key'\n"), 0o644)
	ct.write(t, "etc/postgresql/15/main/pg_hba.conf", []byte("local all all peer\n"), 0o640)
	ct.write(t, "etc/postgresql/16/off/postgresql.conf", []byte("ssl = off\nssl_cert_file = '/etc/ssl/pg/unused.pem'\n"), 0o644)
	ct.write(t, "etc/postgresql/16/off/pg_hba.conf", []byte("local all all peer\n"), 0o640)
	ct.write(t, "etc/ssl/pg/server.pem", pg.CertPEM, 0o644)
	ct.write(t, "etc/ssl/pg/server.key", pg.KeyPEM, 0o600)
	f := ct.collect(t)

	var src *CertSource
	for i := range f.Discovery {
		if f.Discovery[i].Source == "postgresql" {
			src = &f.Discovery[i]
		}
	}
	if src == nil || src.Status != "ok" {
		t.Fatalf("postgresql discovery: %+v", src)
	}
	if len(f.Files) != 1 || f.Files[0].Path != "/etc/ssl/pg/server.pem" || f.Files[0].Status != "ok" {
		t.Fatalf("files: %+v", f.Files)
	}
	if ref := f.Files[0].ReferencedBy[0]; ref.Use != "postgresql ssl_cert_file" || ref.File != "/etc/postgresql/15/main/postgresql.conf" || ref.Line != 3 {
		t.Errorf("reference %+v", ref)
	}
	if len(f.Keys) != 1 || f.Keys[0].Path != "/etc/ssl/pg/server.key" || f.Keys[0].MatchesCertificate == nil || !*f.Keys[0].MatchesCertificate {
		t.Errorf("keys: %+v", f.Keys)
	}
}
