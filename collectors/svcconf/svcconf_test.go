package svcconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAptConf(t *testing.T) {
	set := map[string]Setting{}
	files := []struct{ name, text string }{
		{"10periodic", "APT::Periodic::Update-Package-Lists \"0\";\n// comment\n"},
		{"20auto-upgrades", "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n"},
		{"50scoped", "/* block\ncomment */\nAPT {\n  Periodic {\n    Unattended-Upgrade \"always\";\n  };\n  NeverAutoRemove { \"^linux-image.*\"; \"^foo$\"; };\n};\n"},
		{"60clear", "#clear APT::Periodic::Update-Package-Lists;\n"},
	}
	for _, f := range files {
		if err := ParseAptConf(f.name, []byte(f.text), set); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]Setting{
		"apt::periodic::unattended-upgrade": {Value: "always", File: "50scoped", Line: 5},
	}
	if d := cmp.Diff(want, set); d != "" {
		t.Error(d)
	}
	for _, bad := range []string{"APT {\n", "}\n", "APT::X \"1\"\n", "A \"unterminated;\n", "#include /etc/x;\n"} {
		if err := ParseAptConf("bad.conf", []byte(bad), map[string]Setting{}); err == nil || !strings.HasPrefix(err.Error(), "bad.conf:") {
			t.Errorf("%q: error %v, want one naming bad.conf:line", bad, err)
		}
	}
}

// TestDebianAptConf parses the apt.conf.d of a Debian 12 root when one is
// at /tmp/deb12 (every file must parse).
func TestDebianAptConf(t *testing.T) {
	files, _ := filepath.Glob("/tmp/deb12/etc/apt/apt.conf.d/*")
	if len(files) == 0 {
		t.Skip("no Debian root at /tmp/deb12")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := ParseAptConf(f, data, map[string]Setting{}); err != nil {
			t.Error(err)
		}
	}
}

func TestAptConfFileOK(t *testing.T) {
	for name, want := range map[string]bool{"20auto-upgrades": true, "50unattended-upgrades": true, "x.conf": true, "x.dpkg-old": false, "x~": false, "x.bak": false, "": false} {
		if AptConfFileOK(name) != want {
			t.Errorf("AptConfFileOK(%q) != %v", name, want)
		}
	}
}

func TestFail2banPrecedence(t *testing.T) {
	cfg := IniSections{}
	for _, f := range []struct{ name, text string }{
		{"jail.conf", "[DEFAULT]\nenabled = false\nbantime = 10m\n[sshd]\nport = ssh\nlogpath = %(sshd_log)s\n  /var/log/extra\n"},
		{"jail.d/defaults-debian.conf", "[sshd]\nenabled = true\n"},
		{"jail.local", "[sshd]\nenabled: no\n"},
		{"jail.d/zz.local", "[sshd]\nEnabled = yes\n"},
	} {
		secs, err := ParseIni(f.name, []byte(f.text))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Merge(secs)
		en, where, declared := JailEnabled(cfg, "sshd")
		t.Logf("after %s: %v %+v %v", f.name, en, where, declared)
	}
	en, where, declared := JailEnabled(cfg, "sshd")
	if !en || where.File != "jail.d/zz.local" || where.Line != 2 || !declared {
		t.Errorf("sshd jail = %v %+v %v", en, where, declared)
	}
	if v := cfg["sshd"]["logpath"].Value; v != "%(sshd_log)s\n/var/log/extra" {
		t.Errorf("continuation: %q", v)
	}
	if en, _, declared := JailEnabled(cfg, "recidive"); en || declared {
		t.Error("undeclared jail enabled")
	}
	for _, bad := range []string{"enabled = true\n", "[sshd]\nnot an option\n", "  cont\n", "[\n"} {
		if _, err := ParseIni("bad.local", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "bad.local:") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func FuzzParseAptConf(f *testing.F) {
	f.Add([]byte("APT { Periodic { X \"1\"; }; L { \"a\"; }; };\n#clear A;\n/* c */ A::B \"v\";"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := ParseAptConf("f", data, map[string]Setting{}); err != nil && !strings.HasPrefix(err.Error(), "f:") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

func FuzzParseIni(f *testing.F) {
	f.Add([]byte("[DEFAULT]\nenabled = false\n[sshd]\nenabled: true\n  more\n; c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := ParseIni("f", data); err != nil && !strings.HasPrefix(err.Error(), "f:") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
