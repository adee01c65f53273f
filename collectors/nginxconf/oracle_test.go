package nginxconf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/certinfo/certtest"
	"github.com/ztscan/ztscan/collectors/hostfs"
)

const oracleDir = "testdata/oracle"

// oracleCase is a tree of testdata/oracle: conf/ is the configuration
// prefix (nginx.conf inside), expect says "error <substring>" for a
// configuration nginx refuses.
type oracleCase struct {
	name    string
	wantErr string // "" = nginx accepts it
}

func oracleCases(t *testing.T) []oracleCase {
	t.Helper()
	entries, err := os.ReadDir(oracleDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []oracleCase
	for _, e := range entries {
		c := oracleCase{name: e.Name()}
		if b, err := os.ReadFile(filepath.Join(oracleDir, e.Name(), "expect")); err == nil {
			line := strings.TrimSpace(string(b))
			if !strings.HasPrefix(line, "error") {
				t.Fatalf("%s/expect: want \"error <substring>\", got %q", e.Name(), line)
			}
			c.wantErr = strings.TrimSpace(strings.TrimPrefix(line, "error"))
			if c.wantErr == "" {
				c.wantErr = ":" // any error names a file
			}
		}
		out = append(out, c)
	}
	if len(out) < 20 {
		t.Fatalf("only %d oracle cases", len(out))
	}
	return out
}

// materialize copies a case into a temporary prefix with the certificate
// files its ssl_* directives name (nginx -t loads them), and logs/.
func materialize(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", filepath.Join(oracleDir, name, "conf"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v %s", name, err, out)
	}
	ca := certtest.MustIssue(certtest.Spec{CommonName: "oracle CA", IsCA: true, Key: "p256", Fresh: true})
	leaf := certtest.MustIssue(certtest.Spec{CommonName: "oracle", DNSNames: []string{"localhost"}, Key: "p256", Parent: ca})
	certs := filepath.Join(dir, "conf", "certs")
	for _, f := range []struct {
		name string
		data []byte
	}{{"server.pem", leaf.CertPEM}, {"server.key", leaf.KeyPEM}, {"ca.pem", ca.CertPEM}} {
		if err := os.MkdirAll(certs, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(certs, f.name), f.data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// load parses a materialized case as ztscan would: main file
// /conf/nginx.conf inside a root.
func load(t *testing.T, dir string) (*Config, error) {
	t.Helper()
	h, err := hostfs.Rootfs(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(h, "/conf/nginx.conf")
	if err != nil {
		return nil, err
	}
	if _, err := BuildModel(c); err != nil {
		return nil, err
	}
	return c, nil
}

// Dump renders the files as `nginx -T` prints them.
func dump(c *Config) string {
	var b strings.Builder
	for _, f := range c.Files {
		b.WriteString("# configuration file " + f.Path + ":\n")
		b.Write(f.Data)
		b.WriteString("\n")
	}
	return b.String()
}

// TestCorpusVerdicts needs no nginx: every case parses or fails as its
// expect file says, and failures name a file.
func TestCorpusVerdicts(t *testing.T) {
	for _, c := range oracleCases(t) {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, materialize(t, c.name))
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.wantErr != "" && err == nil:
				t.Fatalf("accepted; want an error containing %q", c.wantErr)
			case err != nil && !strings.Contains(err.Error(), c.wantErr):
				t.Fatalf("error %q, want it to contain %q", err, c.wantErr)
			case err != nil && !strings.Contains(err.Error(), "/conf/"):
				t.Fatalf("error %q names no configuration file", err)
			}
		})
	}
}

// TestNginxOracle runs `nginx -T` on every case: nginx and the parser
// must agree on accepting it, and on an accepted tree the parser's files
// (order and content) must be exactly what nginx -T dumps.
func TestNginxOracle(t *testing.T) {
	nginx := requireTool(t, "nginx", "/usr/sbin/nginx")
	for _, c := range oracleCases(t) {
		t.Run(c.name, func(t *testing.T) {
			dir := materialize(t, c.name)
			if strings.HasPrefix(c.name, "stream") && !streamModule(t, nginx, dir) {
				t.Skip("this nginx has no stream module (Debian: libnginx-mod-stream)")
			}
			cmd := exec.Command(nginx, "-T", "-q", "-c", filepath.Join(dir, "conf", "nginx.conf"), "-p", dir+"/",
				"-g", "pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr;")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			runErr := cmd.Run()
			cfg, err := load(t, dir)
			switch {
			case runErr == nil && err != nil:
				t.Fatalf("nginx accepts the tree, the parser refuses it: %v", err)
			case runErr != nil && err == nil:
				t.Fatalf("nginx refuses the tree (%v: %s), the parser accepts it", runErr, stderr.String())
			case runErr != nil:
				// Where nginx names file and line, the parser names the same.
				msg := strings.ReplaceAll(stderr.String(), dir, "")
				if m := emergAt.FindStringSubmatch(msg); m != nil && !strings.HasPrefix(err.Error(), m[1]+":") {
					t.Errorf("nginx refuses at %s, the parser at: %v", m[1], err)
				}
				t.Logf("both refuse: nginx: %s; parser: %v", strings.TrimSpace(msg), err)
				return
			}
			got := dump(cfg)
			want := strings.ReplaceAll(stdout.String(), dir, "")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("dump differs from nginx -T (-nginx +parser):\n%s", diff)
			}
		})
	}
}

// emergAt finds "in FILE:LINE" in nginx's [emerg] message.
var emergAt = regexp.MustCompile(`\[emerg\].* in (/\S+:\d+)\n`)

func requireTool(t *testing.T, name string, candidates ...string) string {
	t.Helper()
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// streamModule makes the stream module available to a case: built in
// (--with-stream), or Debian's dynamic module loaded through the case's
// modules-enabled/ (the parser then reads that file too, as nginx does).
func streamModule(t *testing.T, nginx, dir string) bool {
	t.Helper()
	out, _ := exec.Command(nginx, "-V").CombinedOutput()
	if strings.Contains(string(out), "--with-stream ") || strings.Contains(string(out), "--with-stream\n") {
		return true
	}
	const so = "/usr/lib/nginx/modules/ngx_stream_module.so"
	if _, err := os.Stat(so); err != nil {
		return false
	}
	conf := filepath.Join(dir, "conf", "modules-enabled", "50-mod-stream.conf")
	if err := os.WriteFile(conf, []byte("load_module "+so+";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}
