package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/ztscan/ztscan/collectors/certinfo"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/nginxconf"
	"github.com/ztscan/ztscan/collectors/sshdconfig"
)

// Certificates describes the certificates and private keys that services
// use (nginx, sshd host certificates) and those the configuration lists
// (tls.certificate_paths), never the system trust store. Key files are
// described by mode, owner and algorithm only.
type Certificates struct {
	extra []string
	now   func() time.Time
}

// NewCertificates returns the certificates collector; extraPaths are the
// paths and globs of config tls.certificate_paths (see CertificatePaths).
func NewCertificates(extraPaths ...string) *Certificates {
	return &Certificates{extra: append([]string(nil), extraPaths...), now: time.Now}
}

func (*Certificates) Name() string { return "certificates" }

// CertificatePaths reads tls.certificate_paths from configuration values
// (config.Config.Values), for NewCertificates.
func CertificatePaths(values map[string]any) []string {
	tls, _ := values["tls"].(map[string]any)
	list, _ := tls["certificate_paths"].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CertificatesFacts is facts.certificates.
type CertificatesFacts struct {
	// EvaluatedAt is the time days_left, expired and not_yet_valid were
	// computed against (the collection time, not the evaluation of a
	// saved snapshot).
	EvaluatedAt     time.Time        `json:"evaluated_at"`
	ConfiguredPaths []string         `json:"configured_paths"`
	Discovery       []CertSource     `json:"discovery"`
	Files           []CertFile       `json:"files"`
	Keys            []PrivateKeyFile `json:"keys"`
	Skipped         []SkippedCert    `json:"skipped"`
}

// CertSource is one place certificates are discovered from, and whether
// it could be read: a rule must not pass on a source it could not read.
type CertSource struct {
	Part
	Source string `json:"source"` // nginx, sshd, config
}

// CertRef says who references a file.
type CertRef struct {
	// Use is the directive ("nginx ssl_certificate", "sshd HostCertificate",
	// "config tls.certificate_paths").
	Use  string `json:"use"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// CertFile is one certificate file. Status "unavailable" is a referenced
// file absent from this target (an image whose certificates are deployed
// later); "error" a file that cannot be read or parsed.
type CertFile struct {
	Part
	Path             string          `json:"path"`
	ReferencedBy     []CertRef       `json:"referenced_by"`
	File             FileFacts       `json:"file"`
	Format           string          `json:"format,omitempty"`
	Certificates     []certinfo.Cert `json:"certificates"`
	PrivateKeyBlocks int             `json:"private_key_blocks"`
	OtherBlocks      []string        `json:"other_blocks"`
}

// PrivateKeyFile is one private-key file a service references, without the key.
type PrivateKeyFile struct {
	Part
	Path         string            `json:"path"`
	ReferencedBy []CertRef         `json:"referenced_by"`
	File         FileFacts         `json:"file"`
	Key          *certinfo.KeyInfo `json:"key"`
	// Certificates are the certificate files the key is paired with;
	// MatchesCertificate compares the key's public half with their first
	// certificates (null when it cannot be compared).
	Certificates       []string `json:"certificates"`
	MatchesCertificate *bool    `json:"matches_certificate"`
}

// SkippedCert is a reference that is deliberately not read.
type SkippedCert struct {
	Path   string  `json:"path"`
	Reason string  `json:"reason"`
	Ref    CertRef `json:"referenced_by"`
}

// certRefs accumulates what discovery finds.
type certRefs struct {
	certs   map[string][]CertRef
	keys    map[string][]CertRef
	pairs   map[string][]string // key path -> cert paths
	skipped []SkippedCert
}

func (r *certRefs) addCert(p string, ref CertRef) {
	if why := notACertFile(p); why != "" {
		r.skipped = append(r.skipped, SkippedCert{Path: p, Reason: why, Ref: ref})
		return
	}
	r.certs[p] = append(r.certs[p], ref)
}

func (c *Certificates) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	now := c.now().UTC().Truncate(time.Second)
	f := &CertificatesFacts{EvaluatedAt: now, ConfiguredPaths: append([]string{}, c.extra...), Discovery: []CertSource{}, Files: []CertFile{}, Keys: []PrivateKeyFile{}}
	refs := &certRefs{certs: map[string][]CertRef{}, keys: map[string][]CertRef{}, pairs: map[string][]string{}}
	f.Discovery = append(f.Discovery, discoverNginx(h, refs), discoverSSHD(h, refs), discoverPostgreSQL(h, refs), c.discoverConfigured(h, refs))
	for _, p := range certSortedKeys(refs.certs) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f.Files = append(f.Files, describeCertFile(h, p, refs.certs[p], now))
	}
	byPath := map[string]*CertFile{}
	for i := range f.Files {
		byPath[f.Files[i].Path] = &f.Files[i]
	}
	for _, p := range certSortedKeys(refs.keys) {
		f.Keys = append(f.Keys, describeKeyFile(h, p, refs.keys[p], refs.pairs[p], byPath))
	}
	f.Skipped = refs.skipped
	if f.Skipped == nil {
		f.Skipped = []SkippedCert{}
	}
	sort.SliceStable(f.Skipped, func(i, j int) bool { return f.Skipped[i].Path < f.Skipped[j].Path })
	return f, nil
}

// discoverNginx follows ssl_certificate, ssl_certificate_key,
// ssl_client_certificate and ssl_trusted_certificate of every server.
func discoverNginx(h hostfs.Host, refs *certRefs) CertSource {
	src := CertSource{Source: "nginx"}
	nf := &NginxFacts{}
	if err := nginxInstalled(h, nf); err != nil {
		src.Part = PartError(err)
		return src
	}
	if !nf.Installed {
		src.Part = PartUnavailable("nginx is not installed")
		return src
	}
	cfg, err := nginxconf.Load(h, nginxConfigPath)
	if err != nil {
		src.Part = PartError(fmt.Errorf("nginx configuration: %w", err))
		return src
	}
	model, err := nginxconf.BuildModel(cfg)
	if err != nil {
		src.Part = PartError(fmt.Errorf("nginx configuration: %w", err))
		return src
	}
	resolve := func(p string) string {
		if strings.HasPrefix(p, "/") {
			return p
		}
		return cfg.Prefix + "/" + p
	}
	ref := func(use string, v nginxconf.Value) CertRef {
		return CertRef{Use: "nginx " + use, File: v.File, Line: v.Line}
	}
	for _, s := range model.Servers {
		for i, v := range s.SSLCertificate {
			cert := resolve(v.Values[0])
			refs.addCert(cert, ref("ssl_certificate", v))
			if i < len(s.SSLCertificateKey) {
				kv := s.SSLCertificateKey[i]
				key := resolve(kv.Values[0])
				if why := notACertFile(key); why != "" {
					refs.skipped = append(refs.skipped, SkippedCert{Path: key, Reason: why, Ref: ref("ssl_certificate_key", kv)})
					continue
				}
				refs.keys[key] = append(refs.keys[key], ref("ssl_certificate_key", kv))
				if notACertFile(cert) == "" && !certContains(refs.pairs[key], cert) {
					refs.pairs[key] = append(refs.pairs[key], cert)
				}
			}
		}
		for _, x := range []struct {
			use string
			v   *nginxconf.Value
		}{{"ssl_client_certificate", s.SSLClientCertificate}, {"ssl_trusted_certificate", s.SSLTrustedCertificate}} {
			if x.v != nil {
				refs.addCert(resolve(x.v.Values[0]), ref(x.use, *x.v))
			}
		}
	}
	src.Part = PartOK()
	return src
}

// discoverSSHD follows sshd's HostCertificate (OpenSSH certificates).
// TrustedUserCAKeys is a CA public key, not a certificate: not read.
func discoverSSHD(h hostfs.Host, refs *certRefs) CertSource {
	src := CertSource{Source: "sshd"}
	cfg, err := sshdconfig.Load(h, sshdConfigPath, sshdconfig.Options{})
	if errors.Is(err, fs.ErrNotExist) {
		src.Part = PartUnavailable(sshdConfigPath + " does not exist")
		return src
	}
	if err != nil {
		src.Part = PartError(fmt.Errorf("sshd configuration: %w", err))
		return src
	}
	settings, err := cfg.Effective(nil)
	if err != nil {
		src.Part = PartError(fmt.Errorf("sshd configuration: %w", err))
		return src
	}
	eff := sshdconfig.ToMap(settings)
	for _, p := range stringList(eff["hostcertificate"]) {
		refs.addCert(sshdPath(p), CertRef{Use: "sshd HostCertificate", File: sshdConfigPath})
	}
	if ca, _ := eff["trustedusercakeys"].(string); ca != "" && ca != "none" {
		refs.skipped = append(refs.skipped, SkippedCert{Path: sshdPath(ca), Reason: "an SSH CA public key, not a certificate", Ref: CertRef{Use: "sshd TrustedUserCAKeys", File: sshdConfigPath}})
	}
	src.Part = PartOK()
	return src
}

// discoverConfigured expands tls.certificate_paths (globs allowed).
func (c *Certificates) discoverConfigured(h hostfs.Host, refs *certRefs) CertSource {
	src := CertSource{Source: "config"}
	if len(c.extra) == 0 {
		src.Part = PartUnavailable("tls.certificate_paths is empty")
		return src
	}
	ref := CertRef{Use: "config tls.certificate_paths"}
	for _, p := range c.extra {
		if !strings.HasPrefix(p, "/") {
			src.Part = PartError(fmt.Errorf("tls.certificate_paths: %q is not an absolute path", p))
			return src
		}
		if !strings.ContainsAny(p, "*?[") {
			refs.addCert(path.Clean(p), ref)
			continue
		}
		matches, err := h.Glob(p)
		if err != nil {
			src.Part = PartError(fmt.Errorf("tls.certificate_paths %q: %w", p, err))
			return src
		}
		for _, m := range matches {
			if fi, err := h.Stat(m); err == nil && fi.IsDir() {
				continue
			}
			if isTrustStoreLink(h, m) {
				refs.skipped = append(refs.skipped, SkippedCert{Path: m, Reason: "a link into the system trust store", Ref: ref})
				continue
			}
			refs.addCert(m, ref)
		}
	}
	src.Part = PartOK()
	return src
}

// trustStore lists the system trust store: CA bundles every TLS client
// trusts, not certificates this host presents, so they are never judged.
var trustStore = []string{
	"/usr/share/ca-certificates/", "/usr/local/share/ca-certificates/", "/etc/pki/ca-trust/",
	"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/ca-bundle.crt", "/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/pki/tls/cert.pem", "/etc/ssl/cert.pem", "/etc/ca-certificates/",
}

// notACertFile says why a referenced value is not read: nginx variables
// ("$ssl_server_name") and inline "data:" values name no file, and the
// trust store is not this host's identity.
func notACertFile(p string) string {
	switch {
	case strings.Contains(p, "$"):
		return "the path contains an nginx variable, resolved per connection"
	case strings.HasPrefix(p, "data:"):
		return "inline certificate data (data:), not a file"
	}
	for _, t := range trustStore {
		if strings.HasPrefix(p, t) {
			return "the system trust store"
		}
	}
	// OpenSSL's hashed links (/etc/ssl/certs/5ad8a5d6.0) are the trust store.
	if dir, base := path.Split(p); dir == "/etc/ssl/certs/" && len(base) >= 10 && base[8] == '.' {
		return "the system trust store (hashed link)"
	}
	return ""
}

// isTrustStoreLink reports whether p is a symlink into the trust store
// (Debian's /etc/ssl/certs/*.pem point into /usr/share/ca-certificates).
func isTrustStoreLink(h hostfs.Host, p string) bool {
	target, err := h.Readlink(p)
	if err != nil {
		return false
	}
	if !strings.HasPrefix(target, "/") {
		target = path.Join(path.Dir(p), target)
	}
	return notACertFile(target) != ""
}

func describeCertFile(h hostfs.Host, p string, refs []CertRef, now time.Time) CertFile {
	cf := CertFile{Path: p, ReferencedBy: sortCertRefs(refs), File: DescribeFile(h, p), Certificates: []certinfo.Cert{}, OtherBlocks: []string{}}
	if !cf.File.Exists && cf.File.Error == "" {
		cf.Part = PartUnavailable(p + " does not exist on this target")
		return cf
	}
	b, err := certinfo.ReadBundle(h, p, now)
	if err != nil {
		cf.Part = PartError(err)
		return cf
	}
	cf.Part = PartOK()
	cf.Format, cf.Certificates, cf.PrivateKeyBlocks, cf.OtherBlocks = b.Format, b.Certs, b.PrivateKeyBlocks, b.OtherBlocks
	return cf
}

func describeKeyFile(h hostfs.Host, p string, refs []CertRef, certs []string, byPath map[string]*CertFile) PrivateKeyFile {
	kf := PrivateKeyFile{Path: p, ReferencedBy: sortCertRefs(refs), File: DescribeFile(h, p), Certificates: []string{}}
	if certs != nil {
		kf.Certificates = append(kf.Certificates, certs...)
		sort.Strings(kf.Certificates)
	}
	if !kf.File.Exists && kf.File.Error == "" {
		kf.Part = PartUnavailable(p + " does not exist on this target")
		return kf
	}
	info, err := certinfo.DescribeKey(h, p)
	if err != nil {
		kf.Part = PartError(err)
		return kf
	}
	kf.Part, kf.Key = PartOK(), info
	if info.PublicKeySHA256 == "" {
		return kf
	}
	match, known := true, false
	for _, c := range kf.Certificates {
		cf := byPath[c]
		if cf == nil || len(cf.Certificates) == 0 {
			continue
		}
		known = true
		match = match && cf.Certificates[0].PublicKeySHA256 == info.PublicKeySHA256
	}
	if known {
		kf.MatchesCertificate = &match
	}
	return kf
}

func sortCertRefs(refs []CertRef) []CertRef {
	out := append([]CertRef{}, refs...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Use < b.Use
	})
	// the same directive reached through two servers is one reference
	uniq := out[:0]
	for i, r := range out {
		if i == 0 || r != out[i-1] {
			uniq = append(uniq, r)
		}
	}
	return uniq
}

func certSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func certContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
