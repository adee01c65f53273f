package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/pgconf"
)

// PostgreSQL collects every PostgreSQL cluster's server configuration:
// the settings ZT-DB-* judge (with the file and line that set them) and
// pg_hba.conf, normalised. Live and offline roots read the same files.
type PostgreSQL struct{}

// NewPostgreSQL returns the postgresql collector.
func NewPostgreSQL() *PostgreSQL { return &PostgreSQL{} }

func (*PostgreSQL) Name() string { return "postgresql" }

// PostgreSQLFacts is facts.postgresql.
type PostgreSQLFacts struct {
	Installed         bool        `json:"installed"`
	InstalledEvidence string      `json:"installed_evidence"`
	Clusters          []PGCluster `json:"clusters"`
}

// PGCluster is one cluster. Status "error" means the server would refuse
// to start with its postgresql.conf; Reason names file and line.
type PGCluster struct {
	Part
	// Name is "15/main" (Debian) or the data directory (RHEL).
	Name          string               `json:"name"`
	Version       string               `json:"version"`
	ConfigFile    string               `json:"config_file"`
	DataDirectory string               `json:"data_directory"`
	ConfigFiles   []FileFacts          `json:"config_files"`
	Settings      map[string]PGSetting `json:"settings"`
	TLSFiles      []PGTLSFile          `json:"tls_files"`
	HBA           PGHBA                `json:"hba"`
}

// PGSetting is the effective value of a parameter. Source is "file"
// (File and Line say where) or "default" (the server's built-in value).
type PGSetting struct {
	Value  string `json:"value"`
	Raw    string `json:"raw,omitempty"`
	Source string `json:"source"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
}

// PGTLSFile is a certificate or key file a cluster names (resolved
// against the data directory), described by mode and owner only.
type PGTLSFile struct {
	Setting string    `json:"setting"`
	File    FileFacts `json:"file"`
}

// PGHBA is a cluster's pg_hba.conf. Status "error": the file cannot be
// read, or a record is one the server rejects (it then refuses the whole
// file); Entries still list every record, each rejected one with its error.
type PGHBA struct {
	Part
	File    string            `json:"file"`
	Files   []FileFacts       `json:"files"`
	Entries []pgconf.HBAEntry `json:"entries"`
}

// pgSettings are the parameters facts carry; the defaults are those of
// the server when the file sets nothing (password_encryption was md5
// before PostgreSQL 14).
var pgSettings = []string{"data_directory", "hba_file", "listen_addresses", "password_encryption", "port", "ssl", "ssl_ca_file", "ssl_cert_file", "ssl_key_file"}

func pgDefault(name string, version int) string {
	switch name {
	case "listen_addresses":
		return "localhost"
	case "port":
		return "5432"
	case "ssl":
		return "off"
	case "ssl_cert_file":
		return "server.crt"
	case "ssl_key_file":
		return "server.key"
	case "password_encryption":
		if version != 0 && version < 14 {
			return "md5"
		}
		return "scram-sha-256"
	}
	return ""
}

func (c *PostgreSQL) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &PostgreSQLFacts{Clusters: []PGCluster{}}
	found, err := findPGClusters(h)
	if err != nil {
		return nil, err
	}
	pkg := pgServerPackage(h)
	switch {
	case pkg != "":
		f.Installed, f.InstalledEvidence = true, "package "+pkg+" is installed"
	case len(found) > 0:
		f.Installed, f.InstalledEvidence = true, "cluster configuration found at "+found[0].configFile+" (no PostgreSQL server package installed)"
	default:
		f.InstalledEvidence = "no PostgreSQL server package, no /etc/postgresql/*/*/postgresql.conf and no /var/lib/pgsql data directory"
		return f, nil
	}
	for _, fc := range found {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f.Clusters = append(f.Clusters, collectPGCluster(h, fc))
	}
	return f, nil
}

var pgServerPackageRE = regexp.MustCompile(`^postgresql(\d+)?(-\d+)?(-server)?$`)

// pgServerPackage names an installed PostgreSQL server package (Debian
// postgresql-15, RHEL postgresql-server, PGDG postgresql16-server);
// client, common and contrib packages do not count.
func pgServerPackage(h hostfs.Host) string {
	pkgs, err := InstalledPackages(h)
	if err != nil {
		return ""
	}
	var names []string
	for name := range pkgs {
		if pgServerPackageRE.MatchString(name) {
			names = append(names, name+" "+pkgs[name].Version)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

type foundCluster struct {
	name, version, configFile, dataDir string
}

// findPGClusters lists Debian clusters (/etc/postgresql/VERSION/NAME/
// with postgresql.conf) and RHEL data directories (/var/lib/pgsql/data,
// /var/lib/pgsql/VERSION/data).
func findPGClusters(h hostfs.Host) ([]foundCluster, error) {
	var out []foundCluster
	debian, err := h.Glob("/etc/postgresql/*/*/postgresql.conf")
	if err != nil {
		return nil, fmt.Errorf("looking for clusters in /etc/postgresql: %w", err)
	}
	for _, p := range debian {
		dir := path.Dir(p)
		ver := path.Base(path.Dir(dir))
		out = append(out, foundCluster{name: ver + "/" + path.Base(dir), version: ver, configFile: p, dataDir: "/var/lib/postgresql/" + ver + "/" + path.Base(dir)})
	}
	rhel, err := h.Glob("/var/lib/pgsql/*/data/postgresql.conf")
	if err != nil {
		return nil, fmt.Errorf("looking for clusters in /var/lib/pgsql: %w", err)
	}
	if _, err := h.Lstat("/var/lib/pgsql/data/postgresql.conf"); err == nil {
		rhel = append([]string{"/var/lib/pgsql/data/postgresql.conf"}, rhel...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("looking for clusters in /var/lib/pgsql: %w", err)
	}
	for _, p := range rhel {
		dir := path.Dir(p)
		fc := foundCluster{name: dir, configFile: p, dataDir: dir}
		if b, err := h.ReadFileLimit(dir+"/PG_VERSION", 64); err == nil {
			fc.version = strings.TrimSpace(string(b))
		}
		out = append(out, fc)
	}
	return out, nil
}

func collectPGCluster(h hostfs.Host, fc foundCluster) PGCluster {
	cl := PGCluster{Name: fc.name, Version: fc.version, ConfigFile: fc.configFile, DataDirectory: fc.dataDir,
		ConfigFiles: []FileFacts{}, Settings: map[string]PGSetting{}, TLSFiles: []PGTLSFile{},
		HBA: PGHBA{Files: []FileFacts{}, Entries: []pgconf.HBAEntry{}}}
	version, _ := strconv.Atoi(strings.SplitN(fc.version, ".", 2)[0])
	conf, err := pgconf.LoadConf(h, fc.configFile)
	if err != nil {
		cl.Part = PartError(fmt.Errorf("postgresql.conf: %w", err))
		cl.ConfigFiles = append(cl.ConfigFiles, DescribeFile(h, fc.configFile))
		cl.HBA.Part = PartError(errors.New("not read: postgresql.conf could not be parsed"))
		return cl
	}
	cl.Part = PartOK()
	for _, p := range conf.Files {
		cl.ConfigFiles = append(cl.ConfigFiles, DescribeFile(h, p))
	}
	for _, name := range pgSettings {
		if s, ok := conf.Settings[name]; ok {
			cl.Settings[name] = PGSetting{Value: s.Value, Source: "file", File: s.File, Line: s.Line}
		} else {
			cl.Settings[name] = PGSetting{Value: pgDefault(name, version), Source: "default"}
		}
	}
	ssl := cl.Settings["ssl"]
	if b, ok := pgBool(ssl.Value); ok {
		ssl.Raw, ssl.Value = ssl.Value, b
		if ssl.Raw == ssl.Value {
			ssl.Raw = ""
		}
		cl.Settings["ssl"] = ssl
	}
	if d := cl.Settings["data_directory"]; d.Source == "file" && d.Value != "" {
		cl.DataDirectory = pgPath(path.Dir(fc.configFile), d.Value)
	}
	for _, name := range []string{"ssl_cert_file", "ssl_key_file", "ssl_ca_file"} {
		if v := cl.Settings[name].Value; v != "" {
			cl.TLSFiles = append(cl.TLSFiles, PGTLSFile{Setting: name, File: DescribeFile(h, pgPath(cl.DataDirectory, v))})
		}
	}
	hbaPath := path.Dir(fc.configFile) + "/pg_hba.conf"
	if s := cl.Settings["hba_file"]; s.Source == "file" && s.Value != "" {
		hbaPath = pgPath(cl.DataDirectory, s.Value)
	}
	cl.HBA.File = hbaPath
	hba, err := pgconf.LoadHBA(h, hbaPath, pgconf.HBAOptions{Version: version})
	if err != nil {
		cl.HBA.Part = PartError(err)
		cl.HBA.Files = append(cl.HBA.Files, DescribeFile(h, hbaPath))
		return cl
	}
	cl.HBA.Entries = hba.Entries
	for _, p := range hba.Files {
		cl.HBA.Files = append(cl.HBA.Files, DescribeFile(h, p))
	}
	if msg := hba.FirstError(); msg != "" {
		cl.HBA.Part = PartError(fmt.Errorf("the server rejects pg_hba.conf: %s", msg))
	} else {
		cl.HBA.Part = PartOK()
	}
	return cl
}

// pgPath resolves a path setting as the server does: relative to the
// data directory, its working directory.
func pgPath(base, p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(base, p)
}

// pgBool is parse_bool: on/off, true/false, yes/no, 1/0 and unambiguous
// prefixes, case-insensitively; the result is "on" or "off".
func pgBool(v string) (string, bool) {
	s := strings.ToLower(strings.TrimSpace(v))
	if s == "" {
		return "", false
	}
	for _, w := range []struct{ word, val string }{{"true", "on"}, {"false", "off"}, {"yes", "on"}, {"no", "off"}} {
		if strings.HasPrefix(w.word, s) {
			return w.val, true
		}
	}
	switch s {
	case "on", "1":
		return "on", true
	case "off", "of", "0":
		return "off", true
	}
	return "", false
}

// PostgreSQLTLSRef is a certificate or key file a PostgreSQL cluster
// with ssl = on uses, and the setting that names it.
type PostgreSQLTLSRef struct {
	Cluster string // "15/main"
	Setting string // ssl_cert_file, ssl_key_file, ssl_ca_file
	Path    string // absolute, resolved against the data directory
	File    string // where the setting is (the config file; empty for a default)
	Line    int
}

// PostgreSQLTLSFiles lists the certificate and key files of every cluster
// that has ssl = on, for certificate discovery. A cluster whose
// postgresql.conf cannot be parsed is an error naming it.
func PostgreSQLTLSFiles(h hostfs.Host) ([]PostgreSQLTLSRef, error) {
	found, err := findPGClusters(h)
	if err != nil {
		return nil, err
	}
	var out []PostgreSQLTLSRef
	for _, fc := range found {
		cl := collectPGCluster(h, fc)
		if cl.Status != "ok" {
			return out, fmt.Errorf("cluster %s: %s", cl.Name, cl.Reason)
		}
		if cl.Settings["ssl"].Value != "on" {
			continue
		}
		for _, name := range []string{"ssl_cert_file", "ssl_key_file", "ssl_ca_file"} {
			s := cl.Settings[name]
			if s.Value == "" {
				continue
			}
			file := s.File
			if s.Source == "default" {
				file = ""
			}
			out = append(out, PostgreSQLTLSRef{Cluster: cl.Name, Setting: name, Path: pgPath(cl.DataDirectory, s.Value), File: file, Line: s.Line})
		}
	}
	return out, nil
}
