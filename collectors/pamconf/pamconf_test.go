package pamconf

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func host(tree string) hostfs.Host {
	return hostfs.Fixture(hostfs.KindRootfs, "testdata/"+tree, nil)
}

// summary renders a stack one module a line, for compact expectations.
func summary(s Stack) string {
	var b strings.Builder
	for _, m := range s {
		opt := ""
		if m.IgnoreMissing {
			opt = "-"
		}
		fmt.Fprintf(&b, "%s%s %s %s %q %s:%d", opt, m.Type, m.Control, m.Module, m.Args, m.File, m.Line)
		if m.Substack != "" {
			fmt.Fprintf(&b, " substack=%s", m.Substack)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDebianSSHD(t *testing.T) {
	s, err := LoadService(host("debian12"), "sshd")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range s {
		got = append(got, m.Type+" "+m.Control+" "+m.Module+" "+strings.Join(m.Args, ","))
	}
	want := []string{
		"auth [success=1 default=ignore] pam_unix.so nullok",
		"auth requisite pam_deny.so ",
		"auth required pam_permit.so ",
		"auth optional pam_cap.so ",
		"account required pam_nologin.so ",
		"account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so ",
		"account requisite pam_deny.so ",
		"account required pam_permit.so ",
		"session [success=ok ignore=ignore module_unknown=ignore default=bad] pam_selinux.so close",
		"session required pam_loginuid.so ",
		"session optional pam_keyinit.so force,revoke",
		"session [default=1] pam_permit.so ",
		"session requisite pam_deny.so ",
		"session required pam_permit.so ",
		"session required pam_unix.so ",
		"session optional pam_systemd.so ",
		"session optional pam_motd.so motd=/run/motd.dynamic",
		"session optional pam_motd.so noupdate",
		"session optional pam_mail.so standard,noenv",
		"session required pam_limits.so ",
		"session required pam_env.so ",
		"session required pam_env.so user_readenv=1,envfile=/etc/default/locale",
		"session [success=ok ignore=ignore module_unknown=ignore default=bad] pam_selinux.so open",
		"password [success=1 default=ignore] pam_unix.so obscure,yescrypt",
		"password requisite pam_deny.so ",
		"password required pam_permit.so ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s[0].File != "/etc/pam.d/common-auth" || s[4].File != "/etc/pam.d/sshd" || s[4].Line == 0 {
		t.Errorf("provenance: %+v %+v", s[0], s[4])
	}
}

func TestHandmadeMFA(t *testing.T) {
	s, err := LoadService(host("handmade"), "sshd-mfa")
	if err != nil {
		t.Fatal(err)
	}
	want := `auth required pam_google_authenticator.so ["nullok" "secret=/var/lib/ga/${USER}" "echo_verification_code" "grace_period=86400"] /etc/pam.d/sshd-mfa:2
-auth optional /usr/lib/x86_64-linux-gnu/security/pam_u2f.so ["cue" "authfile=/etc/u2f mappings"] /etc/pam.d/sshd-mfa:4
auth [success=1 default=ignore] pam_unix.so ["nullok"] /etc/pam.d/mfa-common:1 substack=mfa-common
auth requisite pam_deny.so [] /etc/pam.d/mfa-common:2 substack=mfa-common
auth required pam_permit.so [] /etc/pam.d/mfa-common:3 substack=mfa-common
account required pam_unix.so [] /etc/pam.d/common-acct:1
account required pam_time.so [] /etc/pam.d/common-acct:2
session required pam_limits.so [] /etc/pam.d/sshd-mfa:7
`
	if got := summary(s); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		service string
		want    []string
	}{
		{"loop-a", []string{"loop", "/etc/pam.d/loop-a -> /etc/pam.d/loop-b -> /etc/pam.d/loop-a"}},
		{"includes-missing", []string{"/etc/pam.d/includes-missing:2", "/etc/pam.d/missing-file"}},
		{"bad-control", []string{"/etc/pam.d/bad-control:2", "unknown control"}},
		{"bad-bracket", []string{"/etc/pam.d/bad-bracket:1", "value=action"}},
		{"bad-type", []string{"/etc/pam.d/bad-type:1", "unknown module type"}},
		{"deep0", []string{"nested deeper than 16", "/etc/pam.d/deep0 -> "}},
		{"../etc/passwd", []string{"not a service name"}},
	}
	for _, tc := range tests {
		_, err := LoadService(host("handmade"), tc.service)
		if err == nil {
			t.Errorf("%s: no error", tc.service)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.service, err, w)
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: error %q reads as a missing service", tc.service, err)
		}
	}
	if _, err := LoadService(host("handmade"), "nosuch"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing service: %v, want fs.ErrNotExist", err)
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"   # comment", "", ""},
		{"auth required pam_unix.so", `auth|required|pam_unix.so|[]`, ""},
		{"AUTH\tRequired\tpam_unix.so\ttry_first_pass", `auth|required|pam_unix.so|["try_first_pass"]`, ""},
		{"-session optional pam_systemd.so", `-session|optional|pam_systemd.so|[]`, ""},
		{"auth [ success=2  default=ignore ] pam_sss.so", `auth|[success=2 default=ignore]|pam_sss.so|[]`, ""},
		{`auth required pam_x.so [a b\]c] d`, `auth|required|pam_x.so|["a b]c" "d"]`, ""},
		{`auth required pam_x.so [unclosed arg`, `auth|required|pam_x.so|["unclosed arg"]`, ""},
		{"@include common-auth", "@common-auth", ""},
		{"@include", "", "@include"},
		{"auth", "", "missing control"},
		{"auth required", "", "missing module"},
		{"auth [] pam_x.so", "", "empty control"},
	}
	for _, tc := range tests {
		e, ok, err := ParseLine(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		got := ""
		switch {
		case !ok:
		case e.Include != "":
			got = "@" + e.Include
		default:
			opt := ""
			if e.IgnoreMissing {
				opt = "-"
			}
			got = fmt.Sprintf("%s%s|%s|%s|%q", opt, e.Type, e.Control, e.Module.Module, e.Args)
		}
		if got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestContinuation(t *testing.T) {
	lines := splitLines("auth required \\\n  pam_unix.so \\\n nullok\n\nsession optional pam_x.so\n")
	if len(lines) != 4 || lines[0].line != 1 || lines[2].line != 5 || lines[2].text != "session optional pam_x.so" || strings.Fields(lines[0].text)[3] != "nullok" {
		t.Errorf("got %+v", lines)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"auth required pam_unix.so nullok",
		"-session [success=1 default=ignore] pam_x.so [a b\\]c] d",
		"@include common-auth",
		"account include other # c",
		"auth [",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, ok, err := ParseLine(line)
		if err != nil {
			if ok {
				t.Fatal("ok with error")
			}
			return
		}
		if !ok || e.Include != "" {
			return
		}
		if !contains(Types, e.Type) || e.Control == "" || e.Module.Module == "" || e.Args == nil {
			t.Fatalf("incomplete module from %q: %+v", line, e)
		}
		if strings.ContainsAny(e.Module.Module, " \t#") {
			t.Fatalf("module path %q from %q", e.Module.Module, line)
		}
	})
}
