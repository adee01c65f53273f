package sshdconfig

import (
	"errors"
	"strings"
)

// Algorithm lists of Debian 12's OpenSSH 9.2p1 build (ssh -Q cipher, mac,
// kex, key-sig, sig) and its server defaults (myproposal.h). sshd expands
// "+list", "-list" and "^list" against these exactly as below.

const (
	allCiphers = "3des-cbc,aes128-cbc,aes192-cbc,aes256-cbc,aes128-ctr,aes192-ctr,aes256-ctr," +
		"aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com"
	allMACs = "hmac-sha1,hmac-sha1-96,hmac-sha2-256,hmac-sha2-512,hmac-md5,hmac-md5-96," +
		"umac-64@openssh.com,umac-128@openssh.com,hmac-sha1-etm@openssh.com," +
		"hmac-sha1-96-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com," +
		"hmac-md5-etm@openssh.com,hmac-md5-96-etm@openssh.com,umac-64-etm@openssh.com,umac-128-etm@openssh.com"
	allKex = "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group14-sha256," +
		"diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1," +
		"diffie-hellman-group-exchange-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521," +
		"curve25519-sha256,curve25519-sha256@libssh.org,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com"
	// allKeys is sshkey_alg_list(0, 0, 1): every key and signature type.
	allKeys = "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com," +
		"sk-ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp256-cert-v01@openssh.com," +
		"ecdsa-sha2-nistp384,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521," +
		"ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com," +
		"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com," +
		"ssh-dss,ssh-dss-cert-v01@openssh.com,ssh-rsa,ssh-rsa-cert-v01@openssh.com,rsa-sha2-256," +
		"rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com"
	// allSigs is sshkey_alg_list(0, 1, 1): plain (non-certificate) types.
	allSigs = "ssh-ed25519,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384," +
		"ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com," +
		"ssh-dss,ssh-rsa,rsa-sha2-256,rsa-sha2-512"

	defCiphers = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr," +
		"aes128-gcm@openssh.com,aes256-gcm@openssh.com"
	defMACs = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com," +
		"hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com," +
		"umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"
	defKex = "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256," +
		"curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521," +
		"diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512," +
		"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"
	defKeys = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com," +
		"ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com," +
		"sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com," +
		"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519," +
		"ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com," +
		"sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"
	defSigs = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521," +
		"sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"
	defGSSKex = "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-," +
		"gss-group14-sha1-,gss-gex-sha1-"
	allGSSKex = "gss-gex-sha1-,gss-group1-sha1-,gss-group14-sha1-,gss-group14-sha256-," +
		"gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-"
)

// keyImplNames are the sshkey implementation names wildcards are tried
// against in sshkey_names_valid2 (certificate and signature-only included).
var keyImplNames = strings.Split(allKeys, ",")

// keyShortNames are the short names sshkey_type_from_name accepts for
// plain keys, ignoring case.
var keyShortNames = []string{"ED25519", "ED25519-SK", "ECDSA", "ECDSA-SK", "DSA", "RSA"}

func inList(name, list string) bool {
	for _, n := range strings.Split(list, ",") {
		if n == name {
			return true
		}
	}
	return false
}

// namesValid is ciphers_valid / mac_valid / kex_names_valid: every name
// up to the first empty element must be a known algorithm (no wildcards).
func namesValid(names, op string) bool {
	all := map[string]string{"ciphers": allCiphers, "macs": allMACs, "kexalgorithms": allKex}[op]
	if names == "" {
		return false
	}
	for _, n := range strings.Split(names, ",") {
		if n == "" {
			break
		}
		if !inList(n, all) {
			return false
		}
	}
	return true
}

func gssKexNamesValid(names string) bool {
	if names == "" {
		return false
	}
	for _, n := range strings.Split(names, ",") {
		if n == "" {
			break
		}
		if !inList(n, allGSSKex) {
			return false
		}
	}
	return true
}

// keyNamesValid is sshkey_names_valid2(names, 1, plainOnly).
func keyNamesValid(names string, plainOnly bool) bool {
	if names == "" {
		return false
	}
	for _, n := range strings.Split(names, ",") {
		if n == "" {
			break
		}
		known, cert := false, false
		for _, k := range keyImplNames {
			if k == n {
				known, cert = true, strings.Contains(k, "-cert-")
				break
			}
		}
		if !known {
			for _, s := range keyShortNames {
				if equalFoldASCII(s, n) {
					known = true
					break
				}
			}
		}
		if !known {
			wild := false
			for _, k := range keyImplNames {
				if matchPatternList(k, n, false) != 0 {
					wild = true
					break
				}
			}
			if !wild {
				return false
			}
			continue
		}
		if plainOnly && cert {
			return false
		}
	}
	return true
}

var errAssemble = errors.New("invalid argument")

// assembleNames is kex.c:kex_assemble_names: "+" appends to the default,
// "-" removes patterns from it, "^" prepends, anything else replaces it;
// patterns are then expanded against every supported name.
func assembleNames(list, def, all string) (string, error) {
	if list == "" {
		return def, nil
	}
	switch list[0] {
	case '+':
		list = namesCat(def, list[1:])
	case '-':
		return filterDenylist(def, list[1:]), nil
	case '^':
		list = namesCat(list[1:], def)
	}
	ret := ""
	for _, cp := range strings.Split(list, ",") {
		if strings.HasPrefix(cp, "!") {
			return "", errAssemble
		}
		ret = namesCat(ret, filterAllowlist(all, cp))
	}
	if ret == "" {
		return "", errAssemble
	}
	return ret, nil
}

// namesCat is kex_names_cat: a followed by the names of b not already in
// a, stopping at the first empty element of b.
func namesCat(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	have := map[string]bool{}
	for _, n := range strings.Split(a, ",") {
		have[n] = true
	}
	var sb strings.Builder
	sb.WriteString(a)
	for _, p := range strings.Split(b, ",") {
		if p == "" {
			break
		}
		if have[p] {
			continue
		}
		have[p] = true
		sb.WriteString(",")
		sb.WriteString(p)
	}
	return sb.String()
}

func filterAllowlist(proposal, filter string) string {
	var out []string
	for _, n := range strings.Split(proposal, ",") {
		if matchPatternList(n, filter, false) == 1 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

func filterDenylist(proposal, filter string) string {
	var out []string
	for _, n := range strings.Split(proposal, ",") {
		if matchPatternList(n, filter, false) != 1 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}
