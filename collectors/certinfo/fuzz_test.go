package certinfo

import (
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/certinfo/certtest"
)

// FuzzParseBundle: any input gives certificates or an error, never a
// panic, and an error never quotes the input.
func FuzzParseBundle(f *testing.F) {
	leaf := certtest.MustIssue(certtest.Spec{CommonName: "fuzz", Key: "p256"})
	f.Add(leaf.CertPEM)
	f.Add(append(append([]byte{}, leaf.CertPEM...), leaf.KeyPEM...))
	f.Add(leaf.Cert.Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("ssh-ed25519-cert-v01@openssh.com AAAA host"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle("/f.pem", data, now)
		if err != nil {
			if len(data) > 16 && strings.Contains(err.Error(), string(data)) {
				t.Fatalf("error quotes the input: %v", err)
			}
			return
		}
		if len(b.Certs) == 0 {
			t.Fatal("no error and no certificate")
		}
	})
}

// FuzzParseKey: never a panic, and no error quotes the key.
func FuzzParseKey(f *testing.F) {
	leaf := certtest.MustIssue(certtest.Spec{CommonName: "fuzz", Key: "p256"})
	f.Add(leaf.KeyPEM)
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseKey(data)
		if err != nil && len(data) > 16 && strings.Contains(err.Error(), string(data)) {
			t.Fatalf("error quotes the input: %v", err)
		}
	})
}
