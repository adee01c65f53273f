package pgconf

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfLastValueWinsAndIncludes(t *testing.T) {
	fsys := memFS{
		"/etc/pg/postgresql.conf": []byte("ssl = off\nport 5433 # comment\ninclude 'extra.conf'\ninclude_if_exists 'missing.conf'\ninclude_dir 'conf.d'\nlisten_addresses = '10.0.0.5, localhost'\n"),
		"/etc/pg/extra.conf":      []byte("SSL = on\nssl_cert_file = '/etc/ssl/certs/db.pem'\n"),
		"/etc/pg/conf.d/b.conf":   []byte("password_encryption = md5\n"),
		"/etc/pg/conf.d/a.conf":   []byte("password_encryption = scram-sha-256\nport = 5432\n"),
		"/etc/pg/conf.d/.x.conf":  []byte("port = 1\n"),
		"/etc/pg/conf.d/c.txt":    []byte("port = 2\n"),
		"/etc/pg/conf.d/q.conf":   []byte(`ssl_key_file = 'it''s\\here' # c` + "\n"),
	}
	c, err := LoadConf(fsys, "/etc/pg/postgresql.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Setting{
		"ssl":                 {"on", "/etc/pg/extra.conf", 1},
		"port":                {"5432", "/etc/pg/conf.d/a.conf", 2},
		"ssl_cert_file":       {"/etc/ssl/certs/db.pem", "/etc/pg/extra.conf", 2},
		"password_encryption": {"md5", "/etc/pg/conf.d/b.conf", 1},
		"listen_addresses":    {"10.0.0.5, localhost", "/etc/pg/postgresql.conf", 6},
		"ssl_key_file":        {`it's\here`, "/etc/pg/conf.d/q.conf", 1},
	}
	if diff := cmp.Diff(want, c.Settings); diff != "" {
		t.Error(diff)
	}
	wantFiles := []string{"/etc/pg/postgresql.conf", "/etc/pg/extra.conf", "/etc/pg/conf.d/a.conf", "/etc/pg/conf.d/b.conf", "/etc/pg/conf.d/q.conf"}
	if diff := cmp.Diff(wantFiles, c.Files); diff != "" {
		t.Error(diff)
	}
}

func TestConfErrors(t *testing.T) {
	tests := []struct {
		name  string
		files memFS
		want  string
	}{
		{"include loop", memFS{"/p/postgresql.conf": []byte("include 'a.conf'\n"), "/p/a.conf": []byte("include 'postgresql.conf'\n")}, "maximum nesting depth exceeded"},
		{"self include", memFS{"/p/postgresql.conf": []byte("x = 1\ninclude 'postgresql.conf'\n")}, "/p/postgresql.conf: could not open configuration file: maximum nesting depth exceeded (included from /p/postgresql.conf:2)"},
		{"missing include", memFS{"/p/postgresql.conf": []byte("include 'nope.conf'\n")}, "/p/nope.conf: could not open configuration file"},
		{"missing include_dir", memFS{"/p/postgresql.conf": []byte("include_dir 'nope'\n")}, "/p/nope: could not open configuration directory"},
		{"unterminated", memFS{"/p/postgresql.conf": []byte("ssl = 'on\n")}, "/p/postgresql.conf:1: unterminated quoted string"},
		{"two values", memFS{"/p/postgresql.conf": []byte("\nport = 5432 5433\n")}, "/p/postgresql.conf:2: syntax error near token \"5433\""},
		{"no value", memFS{"/p/postgresql.conf": []byte("port =\n")}, "/p/postgresql.conf:1: syntax error near end of line"},
		{"garbage", memFS{"/p/postgresql.conf": []byte("\x7fELF\x02\x01\x01\x00\xff\n")}, "/p/postgresql.conf:1: syntax error"},
		{"missing file", memFS{}, "/p/postgresql.conf: could not open configuration file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConf(tc.files, "/p/postgresql.conf")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestPGBoolNames(t *testing.T) {
	for in, want := range map[string]string{"on": "on", "ON": "on", "true": "on", "t": "on", "yes": "on", "1": "on", "off": "off", "of": "off", "f": "off", "no": "off", "0": "off"} {
		if c, err := LoadConf(memFS{"/p": []byte("ssl = " + in)}, "/p"); err != nil || c.Settings["ssl"].Value != in {
			t.Errorf("%s: %v", in, err)
		}
		_ = want
	}
}

// TestHBAIncludeDirectives: PostgreSQL 16 include, include_if_exists and
// include_dir; 15 rejects them as connection types.
func TestHBAIncludeDirectives(t *testing.T) {
	fsys := memFS{
		"/d/pg_hba.conf":         []byte("local all all peer\ninclude extra.conf\ninclude_if_exists missing.conf\ninclude_dir conf.d\nhostssl all all 10.0.0.0/8 scram-sha-256\n"),
		"/d/extra.conf":          []byte("host all all 192.168.0.0/16 md5\n"),
		"/d/conf.d/10-app.conf":  []byte("hostssl app app 10.20.0.0/16 cert\n"),
		"/d/conf.d/.hidden.conf": []byte("host all all 0.0.0.0/0 trust\n"),
		"/d/conf.d/README":       []byte("host all all 0.0.0.0/0 trust\n"),
	}
	h, err := LoadHBA(fsys, "/d/pg_hba.conf", HBAOptions{Version: 16})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h.Entries {
		got = append(got, e.File+":"+e.Type+":"+e.Address+":"+e.Error)
	}
	want := []string{"/d/pg_hba.conf:local::", "/d/extra.conf:host:192.168.0.0/16:", "/d/conf.d/10-app.conf:hostssl:10.20.0.0/16:", "/d/pg_hba.conf:hostssl:10.0.0.0/8:"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
	h15, _ := LoadHBA(fsys, "/d/pg_hba.conf", HBAOptions{Version: 15})
	if h15.Entries[1].Error != `invalid connection type "include"` {
		t.Errorf("15: %+v", h15.Entries[1])
	}
}

func TestHBALoops(t *testing.T) {
	tests := []struct {
		name  string
		files memFS
		want  string
	}{
		{"@file loop", memFS{"/d/pg_hba.conf": []byte("host @a all 10.0.0.0/8 md5\n"), "/d/a": []byte("x @b\n"), "/d/b": []byte("@a\n")}, "maximum nesting depth exceeded"},
		{"@file self", memFS{"/d/pg_hba.conf": []byte("host @pg_hba.conf all 10.0.0.0/8 md5\n")}, "maximum nesting depth exceeded"},
		{"include loop", memFS{"/d/pg_hba.conf": []byte("include pg_hba.conf\n")}, "maximum nesting depth exceeded"},
		{"include_dir loop", memFS{"/d/pg_hba.conf": []byte("include_dir d\n"), "/d/d/x.conf": []byte("include_dir .\n")}, "maximum nesting depth exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := LoadHBA(tc.files, "/d/pg_hba.conf", HBAOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if msg := h.FirstError(); !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "/d/") {
				t.Fatalf("first error %q, want a file and %q", msg, tc.want)
			}
		})
	}
}

func TestHBASecretsRedacted(t *testing.T) {
	h := ParseHBA(memFS{}, "/d/pg_hba.conf", []byte("host all all 10.0.0.0/8 ldap ldapserver=l ldapbasedn=dc=x ldapbinddn=cn=svc ldapbindpasswd=Sup3rSecret\nhost all all 10.0.0.0/8 radius radiusservers=r radiussecrets=RadSecret\n"), HBAOptions{})
	s := strings.Join(append(h.Entries[0].Options, h.Entries[1].Options...), " ")
	if strings.Contains(s, "Sup3rSecret") || strings.Contains(s, "RadSecret") || !strings.Contains(s, "ldapbindpasswd=<redacted>") {
		t.Errorf("options %s", s)
	}
}
