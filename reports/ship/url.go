package ship

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds the whole delivery to one destination in one run:
// connecting, retries with backoff, and the receiver's confirmation.
const DefaultTimeout = 30 * time.Second

// Schemes are the destination URL schemes --ship accepts.
var Schemes = []string{"syslog+tls", "syslog+tcp", "loki+http", "loki+https", "splunk+https", "file"}

// Target is one parsed --ship destination.
type Target struct {
	// Name is the URL without secrets, query or user info: what stderr,
	// metrics and the spool's directory name show.
	Name    string
	key     string
	timeout time.Duration
	dest    destination
}

// destination is one kind of receiver.
type destination interface {
	// send delivers one batch; nil means the receiver confirmed it.
	send(ctx context.Context, batch []Event) error
	// batchBytes bounds the encoded size of one batch.
	batchBytes() int
}

// Parse checks a --ship URL and loads what it names (CA, certificates,
// token files), so a mistake is reported before the scan runs. Errors
// name the URL without its secrets.
func Parse(raw string) (*Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q: not a URL", redactRaw(raw))
	}
	name := redact(u)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
	}
	if !slices.Contains(Schemes, u.Scheme) {
		return nil, fail("scheme %q is not one of %s", u.Scheme, strings.Join(Schemes, ", "))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fail("bad query: %v", err)
	}
	p := params{q: q, used: map[string]bool{}}
	t := &Target{Name: name, timeout: DefaultTimeout}
	if v := p.get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fail("timeout=%q: want a positive duration such as 30s", v)
		}
		t.timeout = d
	}
	switch u.Scheme {
	case "syslog+tls", "syslog+tcp":
		t.dest, err = parseSyslog(u, &p)
	case "loki+http", "loki+https":
		t.dest, err = parseLoki(u, &p)
	case "splunk+https":
		t.dest, err = parseSplunk(u, &p)
	case "file":
		t.dest, err = parseFile(u, &p)
	}
	if err != nil {
		return nil, fail("%v", err)
	}
	if err := p.unused(); err != nil {
		return nil, fail("%v", err)
	}
	t.key = spoolKey(u, name)
	return t, nil
}

// params tracks which query parameters a destination read, so an unknown
// one (a typo, or an option ztscan does not offer) is an error rather
// than silently ignored.
type params struct {
	q    url.Values
	used map[string]bool
}

func (p *params) get(k string) string {
	p.used[k] = true
	return p.q.Get(k)
}

func (p *params) unused() error {
	var bad []string
	for k := range p.q {
		if !p.used[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	if slices.Contains(bad, "insecure") {
		return errors.New("insecure is not offered: give the receiver's CA with ca=PATH")
	}
	return fmt.Errorf("unknown parameter %s", strings.Join(bad, ", "))
}

// hostPort is the URL's host with defPort when it names none.
func hostPort(u *url.URL, defPort int) (string, error) {
	host := u.Hostname()
	if host == "" {
		return "", errors.New("no host")
	}
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return "", errors.New("empty port")
		}
		port = strconv.Itoa(defPort)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("bad port %q", port)
	}
	return net.JoinHostPort(host, port), nil
}

// tlsConfig builds a client TLS configuration from ca=, cert=, key= and
// server_name=. Without ca= the system's roots are used. Certificate
// verification cannot be turned off.
func tlsConfig(p *params, host string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host}
	if v := p.get("server_name"); v != "" {
		cfg.ServerName = v
	}
	if ca := p.get("ca"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("ca=%s: %w", ca, unwrapPath(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca=%s: no PEM certificate in the file", ca)
		}
		cfg.RootCAs = pool
	}
	cert, key := p.get("cert"), p.get("key")
	switch {
	case cert != "" && key != "":
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("cert=%s key=%s: %v", cert, key, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case cert != "" || key != "":
		return nil, errors.New("cert= and key= go together (mutual TLS)")
	}
	return cfg, nil
}

// noTLSParams rejects TLS options on a plain transport, where they would
// suggest a protection that is not there.
func noTLSParams(p *params) error {
	for _, k := range []string{"ca", "cert", "key", "server_name"} {
		if p.q.Has(k) {
			return fmt.Errorf("%s= needs a TLS scheme", k)
		}
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// secretParams never appear in messages, metrics or file names.
var secretParams = []string{"token"}

// redact is the URL as ztscan shows it: scheme, host and path, with no
// user info and no query (which may hold a token).
func redact(u *url.URL) string {
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	name := c.String()
	if u.Scheme == "file" {
		name = "file://" + u.Path
	}
	// A mistyped URL can put a token in the host or path.
	return redactRaw(name)
}

// redactRaw hides secrets in a string that did not parse as a URL.
func redactRaw(raw string) string {
	for _, k := range secretParams {
		if i := strings.Index(raw, k+"="); i >= 0 {
			end := strings.IndexAny(raw[i:], "&#")
			if end < 0 {
				end = len(raw) - i
			}
			raw = raw[:i] + k + "=REDACTED" + raw[i+end:]
		}
	}
	if i := strings.Index(raw, "@"); i >= 0 {
		if j := strings.Index(raw, "://"); j >= 0 && j < i {
			raw = raw[:j+3] + "REDACTED" + raw[i:]
		}
	}
	return raw
}

// spoolKey names a destination's spool directory: readable, and unique
// per destination (the hash covers the query without secrets: two Loki
// tenants on one server are two destinations).
func spoolKey(u *url.URL, name string) string {
	q := u.Query()
	for _, k := range secretParams {
		q.Del(k)
	}
	for _, k := range []string{"timeout", "ca", "cert", "key", "server_name", "token_file"} {
		q.Del(k) // how we connect, not where the events go
	}
	sum := sha256.Sum256([]byte(name + "?" + q.Encode()))
	readable := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '+':
			return r
		}
		return '_'
	}, strings.TrimPrefix(strings.TrimPrefix(name, u.Scheme+"://"), "/"))
	if len(readable) > 80 {
		readable = readable[:80]
	}
	return u.Scheme + "_" + readable + "-" + hex.EncodeToString(sum[:])[:12]
}

// absFile checks a file:// path: absolute, in a directory that exists.
func absFile(path string) error {
	if path == "" || !filepath.IsAbs(path) {
		return fmt.Errorf("want file:///absolute/path, got %q", path)
	}
	if strings.HasSuffix(path, "/") {
		return errors.New("the path names a directory")
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, unwrapPath(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}
