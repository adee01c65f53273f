package certinfo

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/certinfo/certtest"
)

func TestParseKey(t *testing.T) {
	rsaCert := certtest.MustIssue(certtest.Spec{CommonName: "rsa", Key: "rsa2048"})
	ecCert := certtest.MustIssue(certtest.Spec{CommonName: "ec", Key: "p256"})
	edCert := certtest.MustIssue(certtest.Spec{CommonName: "ed", Key: "ed25519"})
	ecDER, err := x509.MarshalECPrivateKey(ecCert.Key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		data      []byte
		wantAlg   string
		wantBits  int
		wantMatch *certtest.Issued
		wantEnc   bool
		wantErr   string
	}{
		{name: "pkcs8 rsa", data: rsaCert.KeyPEM, wantAlg: "RSA", wantBits: 2048, wantMatch: rsaCert},
		{name: "sec1 ec", data: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), wantAlg: "ECDSA", wantBits: 256, wantMatch: ecCert},
		{name: "ed25519", data: edCert.KeyPEM, wantAlg: "Ed25519", wantBits: 256, wantMatch: edCert},
		{name: "der sec1", data: ecDER, wantAlg: "ECDSA", wantBits: 256, wantMatch: ecCert},
		{name: "cert then key", data: append(append([]byte{}, ecCert.CertPEM...), ecCert.KeyPEM...), wantAlg: "ECDSA", wantBits: 256, wantMatch: ecCert},
		{name: "pkcs8 encrypted", data: pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}}), wantAlg: "unknown", wantEnc: true},
		{name: "legacy encrypted", data: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{1}}), wantAlg: "unknown", wantEnc: true},
		{name: "cert only", data: ecCert.CertPEM, wantErr: "no PRIVATE KEY block"},
		{name: "garbage block", data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("secret-looking-junk")}), wantErr: "PRIVATE KEY block does not parse"},
		{name: "binary", data: []byte{0, 1, 2, 3}, wantErr: "not PEM, and not a DER private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(append([]byte{}, tt.data...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret-looking-junk") {
					t.Fatal("the error quotes the key file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.KeyAlgorithm != tt.wantAlg || k.Encrypted != tt.wantEnc || (!tt.wantEnc && k.KeyBits != tt.wantBits) {
				t.Errorf("got %+v", k)
			}
			if tt.wantMatch != nil {
				b, err := ParseBundle("x", tt.wantMatch.CertPEM, now)
				if err != nil {
					t.Fatal(err)
				}
				if b.Certs[0].PublicKeySHA256 != k.PublicKeySHA256 {
					t.Errorf("public key fingerprint %s does not match the certificate's %s", k.PublicKeySHA256, b.Certs[0].PublicKeySHA256)
				}
			}
		})
	}
}
