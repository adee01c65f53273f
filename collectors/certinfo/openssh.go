package certinfo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// isOpenSSHCert reports whether data starts like an OpenSSH certificate
// line ("ssh-ed25519-cert-v01@openssh.com AAAA...").
func isOpenSSHCert(data []byte) bool {
	first, _, _ := bytes.Cut(data, []byte(" "))
	return bytes.HasSuffix(first, []byte("-cert-v01@openssh.com"))
}

// parseOpenSSHCert describes an OpenSSH certificate (sshd's
// HostCertificate). Its validity is valid_after/valid_before; "forever"
// is valid_before = 2^64-1.
func parseOpenSSHCert(path string, data []byte, now time.Time) (Cert, error) {
	pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return Cert{}, fmt.Errorf("OpenSSH certificate: %w", err)
	}
	sc, ok := pub.(*ssh.Certificate)
	if !ok {
		return Cert{}, errors.New("OpenSSH public key, not a certificate")
	}
	c := Cert{
		File:               path,
		Kind:               "openssh",
		Subject:            sc.KeyId,
		Issuer:             ssh.FingerprintSHA256(sc.SignatureKey),
		SANs:               append([]string{}, sc.ValidPrincipals...),
		Serial:             strconv.FormatUint(sc.Serial, 10),
		SignatureAlgorithm: "unknown",
	}
	if sc.Signature != nil {
		c.SignatureAlgorithm = sc.Signature.Format
	}
	if sc.CertType == ssh.HostCert {
		c.Subject = "host:" + sc.KeyId
	} else {
		c.Subject = "user:" + sc.KeyId
	}
	nb := time.Unix(int64(min(sc.ValidAfter, uint64(1<<62))), 0).UTC()
	c.NotBefore = &nb
	if sc.ValidBefore == ssh.CertTimeInfinity {
		c.Forever = true
	} else {
		na := time.Unix(int64(min(sc.ValidBefore, uint64(1<<62))), 0).UTC()
		c.NotAfter = &na
	}
	setValidity(&c, now)
	c.KeyAlgorithm, c.KeyBits, c.KeyCurve = sshKeyInfo(sc.Key)
	sum := sha256.Sum256(sc.Key.Marshal())
	c.PublicKeySHA256 = hex.EncodeToString(sum[:])
	whole := sha256.Sum256(sc.Marshal())
	c.SHA256 = hex.EncodeToString(whole[:])
	return c, nil
}

// sshKeyInfo names an SSH public key's algorithm and size.
func sshKeyInfo(k ssh.PublicKey) (alg string, bits int, curve string) {
	if ck, ok := k.(ssh.CryptoPublicKey); ok {
		alg, bits, curve = keyInfo(ck.CryptoPublicKey())
		if alg != "unknown" {
			return alg, bits, curve
		}
	}
	switch t := k.Type(); {
	case t == ssh.KeyAlgoDSA:
		return "DSA", 1024, ""
	case strings.HasPrefix(t, "sk-ssh-ed25519"):
		return "Ed25519", 256, ""
	case strings.HasPrefix(t, "sk-ecdsa-sha2-nistp256"):
		return "ECDSA", 256, "P-256"
	}
	return "unknown", 0, ""
}
