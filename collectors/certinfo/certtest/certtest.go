// Package certtest issues X.509 certificates and keys for tests (of
// certinfo and of every collector that reads certificates): expired,
// expiring, long-lived, CAs and chains, with RSA, ECDSA and Ed25519 keys.
// Keys of one kind are generated once per process and reused, because
// RSA 3072/4096 generation is slow.
package certtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// Spec describes a certificate to issue.
type Spec struct {
	CommonName string
	DNSNames   []string
	IsCA       bool
	NotBefore  time.Time
	NotAfter   time.Time
	// Key is rsa2048, rsa3072, rsa4096, p256, p384, p521 or ed25519
	// (default p256). Fresh gives a key of its own instead of the shared
	// one of that kind (a chain needs distinct keys).
	Key   string
	Fresh bool
	// Parent signs the certificate; nil means self-signed.
	Parent *Issued
	Serial int64
}

// Issued is a certificate with its key, in PEM and parsed.
type Issued struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte // PKCS#8
}

var keys sync.Map // kind -> crypto.Signer

// NewKey generates a key of kind.
func NewKey(kind string) (crypto.Signer, error) {
	switch kind {
	case "rsa1024":
		return rsa.GenerateKey(rand.Reader, 1024)
	case "rsa2048":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "rsa3072":
		return rsa.GenerateKey(rand.Reader, 3072)
	case "rsa4096":
		return rsa.GenerateKey(rand.Reader, 4096)
	case "p224":
		return ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case "", "p256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("unknown key kind %q", kind)
}

func sharedKey(kind string) (crypto.Signer, error) {
	if k, ok := keys.Load(kind); ok {
		return k.(crypto.Signer), nil
	}
	k, err := NewKey(kind)
	if err != nil {
		return nil, err
	}
	v, _ := keys.LoadOrStore(kind, k)
	return v.(crypto.Signer), nil
}

// Issue creates the certificate s describes.
func Issue(s Spec) (*Issued, error) {
	var key crypto.Signer
	var err error
	if s.Fresh {
		key, err = NewKey(s.Key)
	} else {
		key, err = sharedKey(s.Key)
	}
	if err != nil {
		return nil, err
	}
	if s.NotBefore.IsZero() {
		s.NotBefore = time.Now().Add(-time.Hour)
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = s.NotBefore.Add(60 * 24 * time.Hour)
	}
	if s.Serial == 0 {
		s.Serial = time.Now().UnixNano()
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(s.Serial),
		Subject:               pkix.Name{CommonName: s.CommonName, Organization: []string{"ztscan test"}},
		DNSNames:              s.DNSNames,
		NotBefore:             s.NotBefore,
		NotAfter:              s.NotAfter,
		BasicConstraintsValid: true,
		IsCA:                  s.IsCA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if s.IsCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	parent, signer := tmpl, key
	if s.Parent != nil {
		parent, signer = s.Parent.Cert, s.Parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Issued{
		Cert:    cert,
		Key:     key,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}),
	}, nil
}

// MustIssue is Issue for tests: it panics on error (only on a broken
// Spec, which is a bug in the test).
func MustIssue(s Spec) *Issued {
	i, err := Issue(s)
	if err != nil {
		panic(err)
	}
	return i
}
