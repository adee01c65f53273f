package collectors

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/fixture"
)

// accountCases are the roots of testdata/accounts (fixture overlay format).
var accountCases = []string{"debian-local", "sssd", "sssd-bad-mode", "broken", "garbage"}

// snapshots are the facts (as JSON) every accounts and sudoers test
// produced; TestNoHashInFacts greps them all for the fixtures' hashes.
var snapshots sync.Map // name -> []byte

func recordSnapshot(t testing.TB, name string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %s: %v", name, err)
	}
	snapshots.Store(name, b)
	if hit := leakedHash(b); hit != "" {
		t.Errorf("facts of %s contain the password hash %q", name, hit)
	}
}

func materializeCase(t testing.TB, dir, name string) string {
	t.Helper()
	root := t.TempDir()
	if err := fixture.Materialize(dir, name, root); err != nil {
		t.Fatal(err)
	}
	return root
}

func collectAccounts(t testing.TB, name string, kind hostfs.Kind) AccountsFacts {
	t.Helper()
	root := materializeCase(t, filepath.Join("testdata", "accounts"), name)
	v, err := NewAccounts().Collect(context.Background(), hostfs.Fixture(kind, root, nil))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	f := *v.(*AccountsFacts)
	recordSnapshot(t, "accounts/"+name+"-"+string(kind), f)
	return f
}

func TestAccountsGolden(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the golden files record root-owned fixture files (fixture.Materialize chowns only as root)")
	}
	for _, name := range accountCases {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, "accounts/"+name, collectAccounts(t, name, hostfs.KindRootfs))
		})
	}
}

func TestAccountsExpectations(t *testing.T) {
	f := collectAccounts(t, "debian-local", hostfs.KindRootfs)
	byName := map[string]Account{}
	for _, a := range f.Accounts {
		byName[a.Name] = a
	}
	wantPW := map[string][2]string{
		"root": {"locked", ""}, "toor": {"locked", "sha512crypt"}, "alice": {"set", "yescrypt"},
		"breakglass": {"set", "sha512crypt"}, "nopw": {"empty", ""}, "legacy": {"set", "md5crypt"},
		"olddes": {"set", "descrypt"}, "svc": {"locked", ""}, "ghost": {"locked", "no shadow entry"},
	}
	for name, w := range wantPW {
		got := byName[name].Password
		if got.State != w[0] || got.Algorithm != w[1] {
			t.Errorf("%s: password %+v, want state %s algorithm %q", name, got, w[0], w[1])
		}
	}
	if byName["legacy"].Password.Source != "passwd" {
		t.Errorf("legacy's hash is in passwd: source %q", byName["legacy"].Password.Source)
	}
	if strings.Join(f.UID0, ",") != "root,toor" {
		t.Errorf("uid0 %v", f.UID0)
	}
	if byName["daemon"].LoginShell || !byName["alice"].LoginShell {
		t.Errorf("login shells: daemon %v alice %v", byName["daemon"].LoginShell, byName["alice"].LoginShell)
	}
	if k := byName["alice"].SSHKeys; k.Keys != 1 || k.Status != "ok" {
		t.Errorf("alice keys %+v", k)
	}
	if k := byName["breakglass"].SSHKeys; k.Keys != 0 || !k.Files[0].Exists {
		t.Errorf("breakglass keys %+v", k)
	}
	if k := byName["root"].SSHKeys; k.Keys != 1 {
		t.Errorf("root's authorized_keys2 counts: %+v", k)
	}
	if f.Files[1].Path != shadowFile || f.Files[1].Mode != "0640" {
		t.Errorf("shadow file %+v", f.Files[1])
	}
	id := f.Identity
	if len(id.NSSwitch.Central) != 0 || id.SSSD.Enabled || len(id.PAM.Modules) != 0 || id.PAM.Status != "ok" {
		t.Errorf("local-only identity: %+v", id)
	}

	s := collectAccounts(t, "sssd", hostfs.KindRootfs).Identity
	if strings.Join(s.NSSwitch.Central, ",") != "sss" || !s.SSSD.Enabled || !s.SSSD.ConfigModeOK ||
		strings.Join(s.SSSD.Domains, ",") != "corp.example.com,lab.example.com" || len(s.PAM.Modules) != 1 || s.PAM.Modules[0].Module != "pam_sss.so" {
		t.Errorf("sssd identity: %+v", s)
	}
	b := collectAccounts(t, "sssd-bad-mode", hostfs.KindRootfs).Identity
	if b.SSSD.ConfigModeOK || b.SSSD.Enabled || !strings.Contains(b.SSSD.EnabledEvidence, "does not resolve") || b.PAM.Modules[0].Module != "pam_krb5.so" {
		t.Errorf("sssd-bad-mode identity: %+v", b)
	}
}

func TestAccountsBadInput(t *testing.T) {
	f := collectAccounts(t, "broken", hostfs.KindRootfs)
	if f.Passwd.Status != "error" || !strings.Contains(f.Passwd.Reason, "/etc/passwd: line 2") {
		t.Errorf("passwd part %+v", f.Passwd)
	}
	if f.Shadow.Status != "error" || !strings.Contains(f.Shadow.Reason, "/etc/shadow") || !strings.Contains(f.Shadow.Reason, "fifo") {
		t.Errorf("a FIFO as shadow: %+v", f.Shadow)
	}
	g := collectAccounts(t, "garbage", hostfs.KindRootfs)
	if g.Shadow.Status != "error" || !strings.Contains(g.Shadow.Reason, "/etc/shadow: line 1") {
		t.Errorf("garbage shadow: %+v", g.Shadow)
	}
	if g.Identity.NSSwitch.Status != "error" || !strings.Contains(g.Identity.NSSwitch.Reason, "/etc/nsswitch.conf") {
		t.Errorf("nsswitch.conf as a directory: %+v", g.Identity.NSSwitch)
	}
	if g.Identity.PAM.Status != "error" || !strings.Contains(g.Identity.PAM.Reason, "loop") {
		t.Errorf("pam include loop: %+v", g.Identity.PAM)
	}

	// a 1 GB sparse shadow is refused by size, not read
	root := materializeCase(t, filepath.Join("testdata", "accounts"), "sssd")
	big, err := os.OpenFile(filepath.Join(root, "etc", "shadow"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	big.Close()
	v, err := NewAccounts().Collect(context.Background(), hostfs.Fixture(hostfs.KindRootfs, root, nil))
	if err != nil {
		t.Fatal(err)
	}
	if sh := v.(*AccountsFacts).Shadow; sh.Status != "error" || !strings.Contains(sh.Reason, "/etc/shadow") || !strings.Contains(sh.Reason, "too large") {
		t.Errorf("1 GB shadow: %+v", sh)
	}

	// no passwd at all: the collector has nothing to say
	empty := t.TempDir()
	if _, err := NewAccounts().Collect(context.Background(), hostfs.Fixture(hostfs.KindRootfs, empty, nil)); !IsUnavailable(err) {
		t.Errorf("no /etc/passwd: %v, want unavailable", err)
	}
}

func TestPasswordState(t *testing.T) {
	tests := []struct{ field, state, alg string }{
		{"", "empty", ""},
		{"!", "locked", ""},
		{"*", "locked", ""},
		{"!!", "locked", ""},
		{"!$y$j9T$a$b", "locked", "yescrypt"},
		{"$y$j9T$salt$hash", "set", "yescrypt"},
		{"$gy$j9T$salt$hash", "set", "gost-yescrypt"},
		{"$6$salt$hash", "set", "sha512crypt"},
		{"$6$rounds=656000$salt$hash", "set", "sha512crypt"},
		{"$5$salt$hash", "set", "sha256crypt"},
		{"$1$salt$hash", "set", "md5crypt"},
		{"$2b$12$abcdefghijklmnopqrstuv", "set", "bcrypt"},
		{"$2y$10$abc", "set", "bcrypt"},
		{"$7$CU..../....$x", "set", "scrypt"},
		{"$sha1$40000$salt$h", "set", "sha1crypt"},
		{"$99$x$y", "set", "unknown"},
		{"abJnggxhB/yWI", "set", "descrypt"},
		{"_J9..salt12345678901", "set", "bsdicrypt"},
		{"x", "locked", "invalid"},
		{"$6", "locked", "invalid"},
	}
	for _, tc := range tests {
		got := passwordState(tc.field, "shadow")
		if got.State != tc.state || got.Algorithm != tc.alg {
			t.Errorf("%q: %+v, want %s %q", tc.field, got, tc.state, tc.alg)
		}
	}
}

// fixtureHashes are the password fields of every passwd, shadow and
// gshadow file under the test fixtures that are real hashes.
var fixtureHashes = sync.OnceValue(func() []string {
	var out []string
	hashRE := regexp.MustCompile(`^!*(\$[^:]{6,}|[./0-9A-Za-z]{13})$`)
	for _, top := range []string{"testdata", filepath.Join("..", "fixtures")} {
		filepath.Walk(top, func(p string, fi os.FileInfo, err error) error {
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
			switch filepath.Base(p) {
			case "passwd", "shadow", "gshadow":
			default:
				return nil
			}
			data, _ := os.ReadFile(p)
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Split(line, ":"); len(f) > 1 && hashRE.MatchString(f[1]) {
					out = append(out, strings.TrimLeft(f[1], "!*"))
				}
			}
			return nil
		})
	}
	return out
})

// leakedHash returns a fixture hash (or the salt-and-hash part of one)
// found in b, or "".
func leakedHash(b []byte) string {
	s := string(b)
	for _, h := range fixtureHashes() {
		parts := strings.Split(h, "$")
		if strings.Contains(s, h) || strings.Contains(s, parts[len(parts)-1]) {
			return h
		}
	}
	return ""
}

// TestNoHashInFacts collects accounts and sudoers facts from every
// fixture root the tests know, and greps those and every snapshot the
// other tests produced (and the golden files) for the fixtures' hashes.
func TestNoHashInFacts(t *testing.T) {
	if len(fixtureHashes()) < 6 {
		t.Fatalf("only %d hashes found in the fixtures: the grep would prove nothing", len(fixtureHashes()))
	}
	for _, name := range accountCases {
		collectAccounts(t, name, hostfs.KindRootfs)
		collectAccounts(t, name, hostfs.KindHost)
	}
	images, _ := filepath.Glob(filepath.Join("..", "fixtures", "images", "*"))
	for _, img := range images {
		name := filepath.Base(img)
		root := materializeCase(t, filepath.Dir(img), name)
		h := hostfs.Fixture(hostfs.KindRootfs, root, nil)
		for _, c := range []Collector{NewAccounts(), NewSudoers()} {
			v, err := c.Collect(context.Background(), h)
			if err == nil {
				recordSnapshot(t, c.Name()+"/image-"+name, v)
			}
		}
	}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.json"))
	for _, g := range goldens {
		b, _ := os.ReadFile(g)
		snapshots.Store("golden "+g, b)
	}
	n := 0
	snapshots.Range(func(k, v any) bool {
		n++
		if hit := leakedHash(v.([]byte)); hit != "" {
			t.Errorf("%s contains the password hash %q", k, hit)
		}
		return true
	})
	t.Logf("grepped %d snapshots for %d hashes", n, len(fixtureHashes()))
}

// FuzzParseShadow: any input parses or fails with a line number, and
// nothing of a password field ever reaches the entries.
func FuzzParseShadow(f *testing.F) {
	f.Add([]byte("root:$y$j9T$salt$hash:19700:0:99999:7:::\nnopw::1::::::\n"))
	f.Add([]byte("a:!$6$x$y:\n+nis::\n#c\n"))
	f.Add([]byte("\x00:\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseShadow(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		for _, e := range entries {
			b, _ := json.Marshal(e.Password)
			for _, line := range strings.Split(string(data), "\n") {
				fields := strings.Split(line, ":")
				if len(fields) > 1 && fields[0] == e.Name && len(fields[1]) > 16 && strings.Contains(string(b), fields[1]) {
					t.Fatalf("hash field of %q in facts: %s", e.Name, b)
				}
			}
		}
	})
}
