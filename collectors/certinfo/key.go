package certinfo

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// KeyInfo is what facts may say about a private-key file: never the key.
type KeyInfo struct {
	// Format is "pem" or "der".
	Format string `json:"format"`
	// BlockType is the PEM block type ("PRIVATE KEY", "RSA PRIVATE KEY",
	// "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY").
	BlockType string `json:"block_type,omitempty"`
	// Encrypted keys cannot be described further without the passphrase.
	Encrypted    bool   `json:"encrypted"`
	KeyAlgorithm string `json:"key_algorithm"`
	KeyBits      int    `json:"key_bits"`
	KeyCurve     string `json:"key_curve,omitempty"`
	// PublicKeySHA256 is the SHA-256 of the public half's DER
	// SubjectPublicKeyInfo: equal to a certificate's PublicKeySHA256 when
	// the key belongs to it. Empty when Encrypted.
	PublicKeySHA256 string `json:"public_key_sha256,omitempty"`
	// Keys counts the private-key blocks of the file.
	Keys int `json:"keys"`
}

// DescribeKey reads the private-key file at path inside h and describes
// its first key. The key is parsed in memory only, the buffer is zeroed
// afterwards, and errors never quote the content.
func DescribeKey(h hostfs.Host, path string) (*KeyInfo, error) {
	data, err := h.ReadFileLimit(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	k, err := ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ParseKey describes the first private key of data (PEM, or DER PKCS#8,
// PKCS#1 or SEC 1).
func ParseKey(data []byte) (*KeyInfo, error) {
	if !bytes.Contains(data, []byte("-----BEGIN ")) {
		k := &KeyInfo{Format: "der", Keys: 1}
		if err := k.fromDER(data); err != nil {
			return nil, errors.New("not PEM, and not a DER private key")
		}
		return k, nil
	}
	k := &KeyInfo{Format: "pem"}
	rest := data
	var first *pem.Block
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = next
		if !IsPrivateKeyBlock(block.Type) {
			clear(block.Bytes)
			continue
		}
		k.Keys++
		if first == nil {
			first = block
		} else {
			clear(block.Bytes)
		}
	}
	if first == nil {
		if bytes.Contains(rest, []byte("-----BEGIN ")) {
			return nil, errors.New("malformed PEM block")
		}
		return nil, errors.New("no PRIVATE KEY block")
	}
	defer clear(first.Bytes)
	k.BlockType = first.Type
	// PKCS#8 encryption, or OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" header.
	if first.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(first.Headers["Proc-Type"], "ENCRYPTED") {
		k.Encrypted = true
		k.KeyAlgorithm = "unknown"
		return k, nil
	}
	if first.Type == "OPENSSH PRIVATE KEY" {
		// An SSH key, not a TLS one: say so without parsing it further.
		k.KeyAlgorithm = "openssh"
		return k, nil
	}
	if err := k.fromDER(first.Bytes); err != nil {
		return nil, fmt.Errorf("%s block does not parse: %w", first.Type, err)
	}
	return k, nil
}

func (k *KeyInfo) fromDER(der []byte) error {
	var priv any
	var err error
	if priv, err = x509.ParsePKCS8PrivateKey(der); err != nil {
		if priv, err = x509.ParsePKCS1PrivateKey(der); err != nil {
			if priv, err = x509.ParseECPrivateKey(der); err != nil {
				return errors.New("neither PKCS#8, PKCS#1 nor SEC 1")
			}
		}
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return errors.New("unsupported key type")
	}
	pub := signer.Public()
	k.KeyAlgorithm, k.KeyBits, k.KeyCurve = keyInfo(pub)
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err == nil {
		sum := sha256.Sum256(spki)
		k.PublicKeySHA256 = hex.EncodeToString(sum[:])
	}
	return nil
}
