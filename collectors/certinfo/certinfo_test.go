package certinfo

import (
	"bytes"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/certinfo/certtest"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

// now is the evaluation time of every test: fixed, so days_left is exact.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func day(n int) time.Time { return now.Add(time.Duration(n) * 24 * time.Hour) }

// corpusEntry is one generated file and what certinfo must say of it.
type corpusEntry struct {
	name    string
	data    []byte
	keyPEM  []byte // the private key the case contains, if any (leak check)
	wantErr string
	check   func(t *testing.T, b *Bundle)
}

func corpus(t *testing.T) []corpusEntry {
	t.Helper()
	ca := certtest.MustIssue(certtest.Spec{CommonName: "Test Root CA", IsCA: true, Key: "p384", Fresh: true, NotBefore: day(-400), NotAfter: day(3000), Serial: 1})
	inter := certtest.MustIssue(certtest.Spec{CommonName: "Test Intermediate", IsCA: true, Key: "p256", Fresh: true, NotBefore: day(-100), NotAfter: day(1000), Parent: ca, Serial: 2})
	leaf := certtest.MustIssue(certtest.Spec{CommonName: "www.example.test", DNSNames: []string{"www.example.test", "example.test"}, Key: "ed25519", NotBefore: day(-10), NotAfter: day(50), Parent: inter, Serial: 3})
	expired := certtest.MustIssue(certtest.Spec{CommonName: "old.example.test", Key: "rsa2048", NotBefore: day(-100), NotAfter: day(-1), Serial: 4})
	expiring := certtest.MustIssue(certtest.Spec{CommonName: "soon.example.test", Key: "rsa3072", NotBefore: day(-80), NotAfter: day(10), Serial: 5})
	long := certtest.MustIssue(certtest.Spec{CommonName: "long.example.test", Key: "p256", NotBefore: day(-1), NotAfter: day(364), Serial: 6})
	rsa4096 := certtest.MustIssue(certtest.Spec{CommonName: "big.example.test", Key: "rsa4096", NotBefore: day(-1), NotAfter: day(89), Serial: 7})
	notYet := certtest.MustIssue(certtest.Spec{CommonName: "future.example.test", Key: "p256", NotBefore: day(5), NotAfter: day(60), Serial: 8})
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	return []corpusEntry{
		{name: "chain.pem", data: cat(leaf.CertPEM, inter.CertPEM, ca.CertPEM), check: func(t *testing.T, b *Bundle) {
			if len(b.Certs) != 3 {
				t.Fatalf("%d certificates, want 3", len(b.Certs))
			}
			l, i, r := b.Certs[0], b.Certs[1], b.Certs[2]
			want := []string{"Ed25519/256/", "ECDSA/256/P-256", "ECDSA/384/P-384"}
			for n, c := range b.Certs {
				if got := c.KeyAlgorithm + "/" + strconv.Itoa(c.KeyBits) + "/" + c.KeyCurve; got != want[n] {
					t.Errorf("cert %d key %s, want %s", n, got, want[n])
				}
				if c.Index != n {
					t.Errorf("cert %d has index %d", n, c.Index)
				}
			}
			if l.IsCA || !i.IsCA || !r.IsCA || !r.SelfSigned || i.SelfSigned || l.SelfSigned {
				t.Errorf("CA/self-signed flags wrong: leaf %v/%v inter %v/%v root %v/%v", l.IsCA, l.SelfSigned, i.IsCA, i.SelfSigned, r.IsCA, r.SelfSigned)
			}
			if diff := cmp.Diff([]string{"DNS:www.example.test", "DNS:example.test"}, l.SANs); diff != "" {
				t.Errorf("SANs (-want +got):\n%s", diff)
			}
			if *l.DaysLeft != 50 || *l.ValidityDays != 60 || l.Expired {
				t.Errorf("leaf days_left %d validity %d expired %v", *l.DaysLeft, *l.ValidityDays, l.Expired)
			}
			if l.SignatureAlgorithm != "ECDSA-SHA256" || l.Issuer != i.Subject {
				t.Errorf("leaf signature %s issuer %q", l.SignatureAlgorithm, l.Issuer)
			}
		}},
		{name: "expired.pem", data: expired.CertPEM, check: func(t *testing.T, b *Bundle) {
			c := b.Certs[0]
			if !c.Expired || *c.DaysLeft != -1 || c.KeyAlgorithm != "RSA" || c.KeyBits != 2048 || c.Serial != "04" {
				t.Errorf("expired: %+v", c)
			}
		}},
		{name: "expiring.pem", data: expiring.CertPEM, check: func(t *testing.T, b *Bundle) {
			if c := b.Certs[0]; c.Expired || *c.DaysLeft != 10 || c.KeyBits != 3072 || c.SignatureAlgorithm != "SHA256-RSA" {
				t.Errorf("expiring: %+v", c)
			}
		}},
		{name: "long.pem", data: long.CertPEM, check: func(t *testing.T, b *Bundle) {
			if c := b.Certs[0]; *c.ValidityDays != 365 || !c.SelfSigned || c.IsCA {
				t.Errorf("long-lived: validity %d self-signed %v CA %v", *c.ValidityDays, c.SelfSigned, c.IsCA)
			}
		}},
		{name: "rsa4096.pem", data: rsa4096.CertPEM, check: func(t *testing.T, b *Bundle) {
			if c := b.Certs[0]; c.KeyBits != 4096 {
				t.Errorf("rsa4096: %d bits", c.KeyBits)
			}
		}},
		{name: "notyet.pem", data: notYet.CertPEM, check: func(t *testing.T, b *Bundle) {
			if c := b.Certs[0]; !c.NotYetValid || c.Expired {
				t.Errorf("not yet valid: %+v", c)
			}
		}},
		{name: "der.crt", data: leaf.Cert.Raw, check: func(t *testing.T, b *Bundle) {
			if b.Format != "der" || len(b.Certs) != 1 || b.Certs[0].Subject != "CN=www.example.test,O=ztscan test" {
				t.Errorf("DER: format %s, %d certs, subject %q", b.Format, len(b.Certs), b.Certs[0].Subject)
			}
		}},
		{name: "combined.pem", data: cat(expiring.CertPEM, expiring.KeyPEM), keyPEM: expiring.KeyPEM, check: func(t *testing.T, b *Bundle) {
			if b.PrivateKeyBlocks != 1 || len(b.Certs) != 1 {
				t.Errorf("combined: %d key blocks, %d certs", b.PrivateKeyBlocks, len(b.Certs))
			}
		}},
		{name: "with-dhparam.pem", data: cat(long.CertPEM, pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: []byte{0x30, 0}})), check: func(t *testing.T, b *Bundle) {
			if diff := cmp.Diff([]string{"DH PARAMETERS"}, b.OtherBlocks); diff != "" {
				t.Error(diff)
			}
		}},
		{name: "garbage.pem", data: []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all!!\n-----END CERTIFICATE-----\n"), wantErr: "malformed PEM block"},
		{name: "bad-der-in-pem.pem", data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), wantErr: "certificate #1"},
		{name: "binary.bin", data: []byte{0x00, 0xff, 0x13, 0x37, 0x30, 0x82}, wantErr: "not PEM, and not a DER certificate"},
		{name: "empty.pem", data: nil, wantErr: "empty file"},
		{name: "key-only.pem", data: expired.KeyPEM, keyPEM: expired.KeyPEM, wantErr: "no CERTIFICATE block"},
		{name: "truncated-chain.pem", data: cat(leaf.CertPEM, inter.CertPEM[:len(inter.CertPEM)/2]), wantErr: "malformed PEM block after 1 certificate(s)"},
	}
}

// writeCorpus writes the corpus into a fake root under /etc/ssl/test.
func writeCorpus(t *testing.T, entries []corpusEntry) (hostfs.Host, string) {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "ssl", "test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.WriteFile(filepath.Join(dir, e.name), e.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	return h, dir
}

func TestReadBundleCorpus(t *testing.T) {
	entries := corpus(t)
	h, _ := writeCorpus(t, entries)
	for _, e := range entries {
		t.Run(e.name, func(t *testing.T) {
			p := "/etc/ssl/test/" + e.name
			b, err := ReadBundle(h, p, now)
			if e.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), e.wantErr) || !strings.Contains(err.Error(), p) {
					t.Fatalf("error %v, want one naming %s and containing %q", err, p, e.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range b.Certs {
				if c.File != p {
					t.Errorf("certificate file %q, want %q", c.File, p)
				}
			}
			e.check(t, b)
			certs, err := ReadPEM(h, p, now)
			if err != nil || len(certs) != len(b.Certs) {
				t.Errorf("ReadPEM: %d certs, %v", len(certs), err)
			}
		})
	}
}

// TestOpenSSLOracle compares subject, issuer, serial, dates, key size and
// signature algorithm with what `openssl x509` prints for every
// certificate of the corpus that openssl can read as PEM.
func TestOpenSSLOracle(t *testing.T) {
	openssl := requireTool(t, "openssl")
	entries := corpus(t)
	h, dir := writeCorpus(t, entries)
	compared := 0
	for _, e := range entries {
		if e.wantErr != "" || strings.HasSuffix(e.name, ".crt") {
			continue
		}
		b, err := ReadBundle(h, "/etc/ssl/test/"+e.name, now)
		if err != nil {
			t.Fatal(err)
		}
		// openssl x509 reads the first certificate of a file.
		c := b.Certs[0]
		out, err := exec.Command(openssl, "x509", "-in", filepath.Join(dir, e.name), "-noout", "-nameopt", "RFC2253",
			"-subject", "-issuer", "-serial", "-startdate", "-enddate", "-text").CombinedOutput()
		if err != nil {
			t.Fatalf("%s: openssl: %v\n%s", e.name, err, out)
		}
		text := string(out)
		field := func(prefix string) string {
			for _, l := range strings.Split(text, "\n") {
				if v, ok := strings.CutPrefix(l, prefix); ok {
					return strings.TrimSpace(v)
				}
			}
			return ""
		}
		if got := field("subject="); got != c.Subject {
			t.Errorf("%s: subject %q, openssl %q", e.name, c.Subject, got)
		}
		if got := field("issuer="); got != c.Issuer {
			t.Errorf("%s: issuer %q, openssl %q", e.name, c.Issuer, got)
		}
		if got := strings.TrimLeft(field("serial="), "0"); got != strings.TrimLeft(c.Serial, "0") {
			t.Errorf("%s: serial %q, openssl %q", e.name, c.Serial, got)
		}
		for _, d := range []struct {
			prefix string
			t      *time.Time
		}{{"notBefore=", c.NotBefore}, {"notAfter=", c.NotAfter}} {
			ot, err := time.Parse("Jan _2 15:04:05 2006 MST", field(d.prefix))
			if err != nil || !ot.Equal(*d.t) {
				t.Errorf("%s: %s %v, openssl %q (%v)", e.name, d.prefix, d.t, field(d.prefix), err)
			}
		}
		switch c.KeyAlgorithm {
		case "Ed25519":
			if !strings.Contains(text, "Public Key Algorithm: ED25519") {
				t.Errorf("%s: openssl does not say ED25519", e.name)
			}
		default:
			if !strings.Contains(text, "Public-Key: ("+strconv.Itoa(c.KeyBits)+" bit)") {
				t.Errorf("%s: openssl does not say %d bit", e.name, c.KeyBits)
			}
		}
		osig := map[string]string{"SHA256-RSA": "sha256WithRSAEncryption", "ECDSA-SHA256": "ecdsa-with-SHA256", "ECDSA-SHA384": "ecdsa-with-SHA384", "Ed25519": "ED25519"}[c.SignatureAlgorithm]
		if osig == "" || !strings.Contains(text, "Signature Algorithm: "+osig) {
			t.Errorf("%s: signature %s not confirmed by openssl", e.name, c.SignatureAlgorithm)
		}
		compared++
	}
	if compared < 8 {
		t.Errorf("only %d certificates compared", compared)
	}
}

// requireTool is testenv.RequireTool (skip locally, fail in CI).
func requireTool(t testing.TB, name string) string {
	t.Helper()
	return testenv.RequireTool(t, name)
}
