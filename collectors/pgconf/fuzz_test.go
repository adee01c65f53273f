package pgconf

import (
	"strings"
	"testing"
)

// FuzzParseHBA: any pg_hba.conf parses without panic or hang; each
// record is either rejected with a message or has a type and a method,
// and non-local records an address.
func FuzzParseHBA(f *testing.F) {
	f.Add([]byte("local all all peer\nhost \"all\",@dbs +g 10.1/8 scram-sha-256\nhostssl all all 10.0.0.1 255.0.255.0 cert clientcert=verify-full\n"))
	f.Add([]byte("host a\"b\"c ,x, 0x0a000001/32 md5 \\\n map=x # c\ninclude_dir conf.d\n@dbs\n"))
	f.Add([]byte("host all all fe80::1%eth0/64 ldap ldapurl=\"ldap://h/dc=x?uid\"\x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := memFS{"/d/dbs": []byte("a b @dbs\n"), "/d/conf.d/x.conf": data}
		h := ParseHBA(fsys, "/d/pg_hba.conf", data, HBAOptions{})
		for _, e := range h.Entries {
			if e.Error != "" {
				continue
			}
			if e.Type == "" || e.Method == "" || (e.Type != "local" && e.Address == "") {
				t.Fatalf("incomplete entry %+v", e)
			}
			for _, o := range e.Options {
				if strings.HasPrefix(o, "ldapbindpasswd=") && o != "ldapbindpasswd=<redacted>" {
					t.Fatalf("secret kept: %s", o)
				}
			}
		}
	})
}

// FuzzParseConf: any postgresql.conf parses or fails with a file:line.
func FuzzParseConf(f *testing.F) {
	f.Add([]byte("ssl = on\nport 5432 # c\nssl_cert_file = 'a''b\\n'\ninclude 'x'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := LoadConf(memFS{"/p/postgresql.conf": data, "/p/x": data}, "/p/postgresql.conf")
		if err != nil && !strings.HasPrefix(err.Error(), "/") {
			t.Fatalf("error without a file: %v", err)
		}
	})
}
