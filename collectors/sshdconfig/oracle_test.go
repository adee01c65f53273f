package sshdconfig

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/corpus/*/want.txt from the parser")

const sshdPath = "/usr/sbin/sshd"

// corpusCase is one directory of testdata/corpus: root/ is a mini root
// filesystem (root/etc/ssh/sshd_config, includes, optional etc/passwd,
// etc/group), specs.txt lists -C connection specs, want.txt is the golden
// output of the parser.
type corpusCase struct {
	name  string
	dir   string
	specs []string
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	dirs, err := filepath.Glob("testdata/corpus/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var cases []corpusCase
	for _, d := range dirs {
		c := corpusCase{name: filepath.Base(d), dir: d}
		if data, err := os.ReadFile(filepath.Join(d, "specs.txt")); err == nil {
			for _, l := range strings.Split(string(data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					c.specs = append(c.specs, l)
				}
			}
		}
		cases = append(cases, c)
	}
	return cases
}

// parseSpec turns "user=a,host=b,..." into a ConnSpec.
func parseSpec(spec string) *ConnSpec {
	c := &ConnSpec{}
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "user":
			c.User = v
		case "host":
			c.Host = v
		case "addr":
			c.Addr = v
		case "laddr":
			c.LocalAddr = v
		case "lport":
			c.LocalPort = v
		case "rdomain":
			c.RDomain = v
		}
	}
	return c
}

// parserOutput renders what the parser says for the case: one section per
// connection spec ("" = plain -T), each the dump or "ERROR: <message>".
func parserOutput(c corpusCase) (map[string]string, string) {
	out := map[string]string{}
	var golden strings.Builder
	cfg, err := Load(dirFS{filepath.Join(c.dir, "root")}, "/etc/ssh/sshd_config", Options{})
	for _, spec := range append([]string{""}, c.specs...) {
		var text string
		switch {
		case err != nil:
			text = "ERROR: " + err.Error() + "\n"
		default:
			var conn *ConnSpec
			if spec != "" {
				conn = parseSpec(spec)
			}
			s, e := cfg.Effective(conn)
			if e != nil {
				text = "ERROR: " + e.Error() + "\n"
			} else {
				text = String(s)
			}
		}
		out[spec] = text
		fmt.Fprintf(&golden, "## -T %s\n%s", spec, text)
	}
	return out, golden.String()
}

// TestGolden checks the parser against want.txt, so it is verified even
// where sshd is not installed. Run with -update to regenerate.
func TestGolden(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			_, got := parserOutput(c)
			wantPath := filepath.Join(c.dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("missing golden file (run go test -update): %v", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("golden mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

var (
	hostKeysOnce sync.Once
	hostKeysDir  string
	hostKeysErr  error
)

// hostKeys generates one set of host keys per test run: sshd -T refuses
// to run without a loadable host key.
func hostKeys(t *testing.T) string {
	hostKeysOnce.Do(func() {
		hostKeysDir, hostKeysErr = os.MkdirTemp("", "sshdconfig-hostkeys")
		if hostKeysErr != nil {
			return
		}
		for _, typ := range []string{"rsa", "ecdsa", "ed25519"} {
			cmd := exec.Command("ssh-keygen", "-q", "-t", typ, "-N", "", "-f",
				filepath.Join(hostKeysDir, "ssh_host_"+typ+"_key"))
			if out, err := cmd.CombinedOutput(); err != nil {
				hostKeysErr = fmt.Errorf("ssh-keygen %s: %v: %s", typ, err, out)
				return
			}
		}
	})
	if hostKeysErr != nil {
		t.Fatal(hostKeysErr)
	}
	return hostKeysDir
}

func requireOracle(t *testing.T) {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	fail := t.Skipf
	if ci {
		fail = t.Fatalf
	}
	if _, err := os.Stat(sshdPath); err != nil {
		fail("%s not available: %v", sshdPath, err)
	}
	if os.Geteuid() != 0 {
		fail("the sshd oracle needs root (mount namespace, host keys)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		fail("unshare not available: %v", err)
	}
}

// runSSHD runs the real sshd -T on the case inside a private mount
// namespace: a copy of the case's etc/ssh plus generated host keys is
// bind-mounted over /etc/ssh (so relative Includes resolve as on a real
// host), and the case's passwd/group/services over the host's when given.
func runSSHD(t *testing.T, c corpusCase, spec string) (stdout, stderr string, ok bool) {
	t.Helper()
	keys := hostKeys(t)
	tmp := t.TempDir()
	etcssh := filepath.Join(tmp, "ssh")
	if out, err := exec.Command("cp", "-a", filepath.Join(c.dir, "root", "etc", "ssh"), etcssh).CombinedOutput(); err != nil {
		t.Fatalf("copy case: %v: %s", err, out)
	}
	entries, _ := os.ReadDir(keys)
	for _, e := range entries {
		dst := filepath.Join(etcssh, e.Name())
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(keys, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	script := fmt.Sprintf("mount --bind %q /etc/ssh", etcssh)
	for _, f := range []string{"passwd", "group", "services"} {
		src, _ := filepath.Abs(filepath.Join(c.dir, "root", "etc", f))
		if _, err := os.Stat(src); err == nil {
			script += fmt.Sprintf(" && mount --bind %q /etc/%s", src, f)
		}
	}
	script += " && cd / && exec " + sshdPath + " -T -f /etc/ssh/sshd_config"
	if spec != "" {
		script += fmt.Sprintf(" -C %q", spec)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-m", "sh", "-c", script)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("running sshd: %v", err)
	}
	return o.String(), e.String(), err == nil
}

var sshdLineError = regexp.MustCompile(` line \d+: `)

// sshdPrimaryError picks the line of sshd's stderr that states why it
// refused: the first "file line N:" error that is not an informational
// deprecation notice, else the last line (messages without a location,
// such as the include depth limit).
func sshdPrimaryError(stderr string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.Contains(l, ": Deprecated option ") || strings.Contains(l, ": Unsupported option ") ||
			strings.Contains(l, "Unable to load host key") || strings.HasSuffix(l, "bad configuration options") {
			continue
		}
		lines = append(lines, l)
	}
	for _, l := range lines {
		if sshdLineError.MatchString(l) {
			return l
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}

// settingsDiff compares two dumps keyword by keyword.
func settingsDiff(want, got []Setting) string {
	return cmp.Diff(want, got)
}

// TestOracle compares the parser with the real sshd -T for every corpus
// case and connection spec.
func TestOracle(t *testing.T) {
	requireOracle(t)
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mine, _ := parserOutput(c)
			for _, spec := range append([]string{""}, c.specs...) {
				stdout, stderr, ok := runSSHD(t, c, spec)
				got := mine[spec]
				if !ok {
					want := sshdPrimaryError(stderr)
					if !strings.HasPrefix(got, "ERROR: ") {
						t.Errorf("-C %q: sshd refused (%s) but the parser accepted", spec, want)
						break
					}
					if diff := cmp.Diff(want, strings.TrimSpace(strings.TrimPrefix(got, "ERROR: "))); diff != "" {
						t.Errorf("-C %q: error differs (-sshd +parser):\n%s", spec, diff)
					}
					continue
				}
				if strings.HasPrefix(got, "ERROR: ") {
					t.Errorf("-C %q: sshd accepted but the parser refused: %s", spec, got)
					continue
				}
				if diff := settingsDiff(ParseDump([]byte(stdout)), ParseDump([]byte(got))); diff != "" {
					t.Errorf("-C %q: sshd -T differs (-sshd +parser):\n%s", spec, diff)
				}
			}
		})
	}
}
