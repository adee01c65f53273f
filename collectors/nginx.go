package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/nginxconf"
)

// nginxConfigPath is the main file of Debian's nginx (nginx -V:
// --conf-path=/etc/nginx/nginx.conf); relative includes resolve against
// its directory.
const nginxConfigPath = "/etc/nginx/nginx.conf"

// nginxPackages are the packages that ship an nginx binary.
var nginxPackages = []string{"nginx", "nginx-core", "nginx-light", "nginx-full", "nginx-extras", "openresty"}

// Nginx collects nginx's server blocks as nginx would configure them,
// from its configuration files (the same on the live host and on an
// image: nothing is executed; `nginx -T` is the parser's test oracle).
type Nginx struct{}

// NewNginx returns the nginx collector.
func NewNginx() *Nginx { return &Nginx{} }

func (*Nginx) Name() string { return "nginx" }

// NginxFacts is facts.nginx.
type NginxFacts struct {
	Installed         bool   `json:"installed"`
	InstalledEvidence string `json:"installed_evidence"`
	// Version is the upstream nginx version from the package database
	// ("1.22.1"); empty when unknown.
	Version     string      `json:"version,omitempty"`
	ConfigPath  string      `json:"config_path"`
	Prefix      string      `json:"prefix"`
	ConfigFiles []FileFacts `json:"config_files"`
	// DefaultSSLProtocols is what nginx enables when ssl_protocols is not
	// set, for Version; null when the version is unknown.
	DefaultSSLProtocols       []string                 `json:"default_ssl_protocols"`
	DefaultSSLProtocolsSource string                   `json:"default_ssl_protocols_source"`
	Servers                   []nginxconf.Server       `json:"servers"`
	LimitReqZones             []nginxconf.LimitReqZone `json:"limit_req_zones"`
}

func (*Nginx) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &NginxFacts{ConfigPath: nginxConfigPath, ConfigFiles: []FileFacts{}, Servers: []nginxconf.Server{}, LimitReqZones: []nginxconf.LimitReqZone{}}
	if err := nginxInstalled(h, f); err != nil {
		return nil, err
	}
	if !f.Installed {
		return f, nil
	}
	cfg, err := nginxconf.Load(h, nginxConfigPath)
	if err != nil {
		return nil, fmt.Errorf("nginx would refuse its configuration: %w", err)
	}
	model, err := nginxconf.BuildModel(cfg)
	if err != nil {
		return nil, fmt.Errorf("nginx would refuse its configuration: %w", err)
	}
	f.Prefix = cfg.Prefix
	for _, file := range cfg.Files {
		f.ConfigFiles = append(f.ConfigFiles, DescribeFile(h, file.Path))
	}
	f.Servers, f.LimitReqZones = model.Servers, model.LimitReqZones
	f.DefaultSSLProtocols, f.DefaultSSLProtocolsSource = nginxDefaultProtocols(f.Version)
	return f, nil
}

// nginxInstalled decides from the package database, then from the main
// configuration file (an image without a package database).
func nginxInstalled(h hostfs.Host, f *NginxFacts) error {
	pkgs, pkgErr := InstalledPackages(h)
	if pkgErr == nil {
		if name, p, ok := findPackage(pkgs, nginxPackages...); ok {
			f.Installed, f.InstalledEvidence = true, packageEvidence(name, p)
			f.Version = nginxUpstreamVersion(p.Version)
			return nil
		}
	}
	fi, err := h.Stat(nginxConfigPath)
	switch {
	case err == nil && fi.IsRegular():
		f.Installed = true
		f.InstalledEvidence = nginxConfigPath + " exists"
		if pkgErr == nil {
			f.InstalledEvidence += " (no nginx package installed)"
		}
		return nil
	case err == nil:
		return fmt.Errorf("%s is a %s, not a regular file", nginxConfigPath, hostfs.FileType(fi.Mode))
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("checking for nginx: %w", err)
	}
	f.InstalledEvidence = "no nginx package (nginx, nginx-core, nginx-light, nginx-full, nginx-extras, openresty) and no " + nginxConfigPath
	return nil
}

var nginxVersionRE = regexp.MustCompile(`^(?:\d+:)?(\d+)\.(\d+)\.(\d+)`)

// nginxUpstreamVersion turns a package version ("1.22.1-9+deb12u1",
// openresty's "1.21.4.1-1") into the nginx version ("1.22.1", "1.21.4").
func nginxUpstreamVersion(pkgVersion string) string {
	m := nginxVersionRE.FindStringSubmatch(pkgVersion)
	if m == nil {
		return ""
	}
	return m[1] + "." + m[2] + "." + m[3]
}

// nginxDefaultProtocols is ngx_http_ssl_module's default ssl_protocols:
// TLSv1 TLSv1.1 TLSv1.2 TLSv1.3 until 1.23.4, TLSv1.2 TLSv1.3 since.
func nginxDefaultProtocols(version string) ([]string, string) {
	m := nginxVersionRE.FindStringSubmatch(version)
	if m == nil {
		return nil, "nginx version unknown: its default ssl_protocols cannot be known"
	}
	v := [3]int{}
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	if v[0] > 1 || v[0] == 1 && (v[1] > 23 || v[1] == 23 && v[2] >= 4) {
		return []string{"TLSv1.2", "TLSv1.3"}, "default of nginx " + version + " (1.23.4 and later)"
	}
	return []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}, "default of nginx " + version + " (before 1.23.4)"
}
