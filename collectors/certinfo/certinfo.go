// Package certinfo describes certificate files and private-key files of a
// target for facts: every certificate of a PEM bundle (or a DER file) with
// its names, validity, key and signature, and of a key file only what can
// be said in public (format, algorithm, size, whether it is encrypted, the
// fingerprint of its public half). Key material is parsed in memory to
// learn those things and never leaves this package.
package certinfo

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// MaxFileSize caps a certificate or key file. A bundle with a long chain
// is a few tens of KiB; anything near this is garbage.
const MaxFileSize = 1 << 20

// maxCertificates caps the certificates kept from one file.
const maxCertificates = 256

// Cert is one certificate as facts show it.
type Cert struct {
	// File and Index locate the certificate: Index is its position in
	// the bundle, 0 for the first.
	File  string `json:"file"`
	Index int    `json:"index"`
	// Kind is "x509" or "openssh" (an OpenSSH host or user certificate).
	Kind    string   `json:"kind"`
	Subject string   `json:"subject"`
	Issuer  string   `json:"issuer"`
	SANs    []string `json:"sans"`
	Serial  string   `json:"serial"`
	// NotBefore and NotAfter are UTC; NotAfter is null for an OpenSSH
	// certificate valid forever (Forever is then true).
	NotBefore *time.Time `json:"not_before"`
	NotAfter  *time.Time `json:"not_after"`
	Forever   bool       `json:"forever,omitempty"`
	// DaysLeft is whole days from the evaluation time to NotAfter,
	// rounded down (negative once expired); null when Forever.
	DaysLeft *int `json:"days_left"`
	Expired  bool `json:"expired"`
	// NotYetValid is true when the evaluation time is before NotBefore.
	NotYetValid bool `json:"not_yet_valid"`
	// ValidityDays is NotAfter - NotBefore in days, rounded up; null when
	// Forever.
	ValidityDays *int `json:"validity_days"`
	IsCA         bool `json:"is_ca"`
	SelfSigned   bool `json:"self_signed"`
	// KeyAlgorithm is RSA, ECDSA, Ed25519, DSA or unknown; KeyBits the
	// modulus or curve size; KeyCurve P-256, P-384, P-521 for ECDSA.
	KeyAlgorithm       string `json:"key_algorithm"`
	KeyBits            int    `json:"key_bits"`
	KeyCurve           string `json:"key_curve,omitempty"`
	SignatureAlgorithm string `json:"signature_algorithm"`
	// PublicKeySHA256 is the SHA-256 of the DER SubjectPublicKeyInfo
	// (of the SSH wire key for OpenSSH), to pair keys with certificates.
	PublicKeySHA256 string `json:"public_key_sha256"`
	SHA256          string `json:"sha256"`
}

// Bundle is what a certificate file holds.
type Bundle struct {
	Path string `json:"path"`
	// Format is "pem", "der" or "openssh".
	Format string `json:"format"`
	Certs  []Cert `json:"certificates"`
	// PrivateKeyBlocks counts PEM private-key blocks found in the file
	// (a combined cert+key file): their content is never kept.
	PrivateKeyBlocks int `json:"private_key_blocks"`
	// OtherBlocks lists the types of other PEM blocks (DH PARAMETERS, ...).
	OtherBlocks []string `json:"other_blocks"`
}

// ReadPEM reads every certificate of the PEM bundle (or DER certificate)
// at path inside h and describes each relative to now. Errors name the
// file; a file without any certificate is an error.
func ReadPEM(h hostfs.Host, path string, now time.Time) ([]Cert, error) {
	b, err := ReadBundle(h, path, now)
	if err != nil {
		return nil, err
	}
	return b.Certs, nil
}

// ReadBundle is ReadPEM with what else the file holds.
func ReadBundle(h hostfs.Host, path string, now time.Time) (*Bundle, error) {
	data, err := h.ReadFileLimit(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	b, err := ParseBundle(path, data, now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// ParseBundle parses data as a PEM bundle, a DER certificate or an
// OpenSSH certificate (one "ssh-...-cert-v01@openssh.com AAAA..." line).
// Errors never quote the data.
func ParseBundle(path string, data []byte, now time.Time) (*Bundle, error) {
	b := &Bundle{Path: path, Certs: []Cert{}, OtherBlocks: []string{}}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("empty file: no certificate")
	case isOpenSSHCert(trimmed):
		b.Format = "openssh"
		c, err := parseOpenSSHCert(path, trimmed, now)
		if err != nil {
			return nil, err
		}
		b.Certs = append(b.Certs, c)
		return b, nil
	case bytes.Contains(data, []byte("-----BEGIN ")):
		b.Format = "pem"
		if err := b.parsePEM(data, now); err != nil {
			return nil, err
		}
	default:
		b.Format = "der"
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("not PEM, and not a DER certificate: %w", err)
		}
		b.Certs = append(b.Certs, describe(path, 0, c, now))
	}
	if len(b.Certs) == 0 {
		return nil, errors.New("no CERTIFICATE block")
	}
	sort.Strings(b.OtherBlocks)
	return b, nil
}

func (b *Bundle) parsePEM(data []byte, now time.Time) error {
	rest := data
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = next
		switch {
		case block.Type == "CERTIFICATE" || block.Type == "TRUSTED CERTIFICATE" || block.Type == "X509 CERTIFICATE":
			if len(b.Certs) >= maxCertificates {
				return fmt.Errorf("more than %d certificates", maxCertificates)
			}
			der := block.Bytes
			if block.Type == "TRUSTED CERTIFICATE" {
				// OpenSSL's trusted form appends trust settings after
				// the certificate; x509 parses the leading certificate.
				der = leadingSequence(der)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return fmt.Errorf("certificate #%d: %w", len(b.Certs)+1, err)
			}
			b.Certs = append(b.Certs, describe(b.Path, len(b.Certs), c, now))
		case IsPrivateKeyBlock(block.Type):
			b.PrivateKeyBlocks++
		default:
			b.OtherBlocks = append(b.OtherBlocks, block.Type)
		}
		clear(block.Bytes)
	}
	// pem.Decode skips garbage before a block but stops at a damaged
	// one: a BEGIN line left over means a block that does not decode.
	if i := bytes.Index(rest, []byte("-----BEGIN ")); i >= 0 {
		return fmt.Errorf("malformed PEM block after %d certificate(s)", len(b.Certs))
	}
	return nil
}

// leadingSequence returns the first DER SEQUENCE of der (whole der when
// its length cannot be read).
func leadingSequence(der []byte) []byte {
	if len(der) < 2 || der[0] != 0x30 {
		return der
	}
	n, hdr := int(der[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 || len(der) < 2+k {
			return der
		}
		n = 0
		for _, x := range der[2 : 2+k] {
			n = n<<8 | int(x)
		}
		hdr += k
	}
	if hdr+n > len(der) {
		return der
	}
	return der[:hdr+n]
}

// IsPrivateKeyBlock reports whether a PEM block type holds a private key.
func IsPrivateKeyBlock(typ string) bool {
	return strings.HasSuffix(typ, "PRIVATE KEY")
}

func describe(path string, index int, c *x509.Certificate, now time.Time) Cert {
	nb, na := c.NotBefore.UTC(), c.NotAfter.UTC()
	out := Cert{
		File:               path,
		Index:              index,
		Kind:               "x509",
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		SANs:               sans(c),
		Serial:             strings.ToUpper(hex.EncodeToString(c.SerialNumber.Bytes())),
		NotBefore:          &nb,
		NotAfter:           &na,
		IsCA:               c.BasicConstraintsValid && c.IsCA,
		SelfSigned:         bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil,
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
	}
	if out.Serial == "" {
		out.Serial = "00"
	}
	setValidity(&out, now)
	out.KeyAlgorithm, out.KeyBits, out.KeyCurve = keyInfo(c.PublicKey)
	if c.PublicKeyAlgorithm == x509.DSA {
		out.KeyAlgorithm = "DSA"
	}
	spki := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	out.PublicKeySHA256 = hex.EncodeToString(spki[:])
	sum := sha256.Sum256(c.Raw)
	out.SHA256 = hex.EncodeToString(sum[:])
	return out
}

// setValidity fills the fields derived from NotBefore/NotAfter and now.
func setValidity(c *Cert, now time.Time) {
	if c.NotAfter == nil {
		return
	}
	left := int(math.Floor(c.NotAfter.Sub(now).Hours() / 24))
	c.DaysLeft = &left
	c.Expired = !now.Before(*c.NotAfter)
	if c.NotBefore != nil {
		c.NotYetValid = now.Before(*c.NotBefore)
		days := int(math.Ceil(c.NotAfter.Sub(*c.NotBefore).Hours() / 24))
		c.ValidityDays = &days
	}
}

func sans(c *x509.Certificate) []string {
	out := []string{}
	for _, d := range c.DNSNames {
		out = append(out, "DNS:"+d)
	}
	for _, ip := range c.IPAddresses {
		out = append(out, "IP:"+ip.String())
	}
	for _, e := range c.EmailAddresses {
		out = append(out, "email:"+e)
	}
	for _, u := range c.URIs {
		out = append(out, "URI:"+u.String())
	}
	return out
}

// keyInfo names a public key's algorithm, size and curve.
func keyInfo(pub any) (alg string, bits int, curve string) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize, curveName(k.Curve)
	case ed25519.PublicKey:
		return "Ed25519", 256, ""
	}
	return "unknown", 0, ""
}

func curveName(c elliptic.Curve) string {
	switch c {
	case elliptic.P224():
		return "P-224"
	case elliptic.P256():
		return "P-256"
	case elliptic.P384():
		return "P-384"
	case elliptic.P521():
		return "P-521"
	}
	return c.Params().Name
}
