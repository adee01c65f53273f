package collectors

import (
	"fmt"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// discoverPostgreSQL follows ssl_cert_file, ssl_ca_file and ssl_key_file
// of every PostgreSQL cluster that has ssl = on; the key is paired with
// its cluster's certificate.
func discoverPostgreSQL(h hostfs.Host, refs *certRefs) CertSource {
	src := CertSource{Source: "postgresql"}
	if clusters, err := findPGClusters(h); err == nil && len(clusters) == 0 {
		src.Part = PartUnavailable("no PostgreSQL cluster")
		return src
	}
	tls, err := PostgreSQLTLSFiles(h)
	if err != nil {
		src.Part = PartError(fmt.Errorf("postgresql configuration: %w", err))
		return src
	}
	certOf := map[string]string{} // cluster -> ssl_cert_file
	for _, t := range tls {
		if t.Setting == "ssl_cert_file" {
			certOf[t.Cluster] = t.Path
		}
	}
	for _, t := range tls {
		ref := CertRef{Use: "postgresql " + t.Setting, File: t.File, Line: t.Line}
		if t.Setting == "ssl_key_file" {
			refs.keys[t.Path] = append(refs.keys[t.Path], ref)
			if cert, ok := certOf[t.Cluster]; ok {
				refs.pairs[t.Path] = append(refs.pairs[t.Path], cert)
			}
			continue
		}
		refs.addCert(t.Path, ref)
	}
	src.Part = PartOK()
	return src
}
