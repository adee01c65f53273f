package ship

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	os.WriteFile(token, []byte("abc\n"), 0o600)
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	cases := []struct {
		raw      string
		name     string // Target.Name when valid
		errIn    []string
		timeout  time.Duration
		notInErr string
	}{
		{raw: "syslog+tls://logs.example.com:6514?ca=" + pki.CA, name: "syslog+tls://logs.example.com:6514"},
		{raw: "syslog+tls://logs.example.com", name: "syslog+tls://logs.example.com"},
		{raw: "syslog+tcp://10.0.0.5:514?facility=auth&max_size=16384&confirm=write&timeout=5s", name: "syslog+tcp://10.0.0.5:514", timeout: 5 * time.Second},
		{raw: "syslog+tcp://[::1]:514", name: "syslog+tcp://[::1]:514"},
		{raw: "loki+http://loki:3100?tenant=a", name: "loki+http://loki:3100"},
		{raw: "loki+https://user:pw@loki.example.com/api/prom/push", name: "loki+https://loki.example.com/api/prom/push"},
		{raw: "splunk+https://splunk:8088?token=SECRET-TOKEN&index=sec", name: "splunk+https://splunk:8088"},
		{raw: "splunk+https://splunk?token_file=" + token, name: "splunk+https://splunk"},
		{raw: "file:///" + filepath.Join(dir, "findings.ndjson")[1:], name: "file://" + filepath.Join(dir, "findings.ndjson")},

		{raw: "http://loki:3100", errIn: []string{`scheme "http"`, "loki+http"}},
		{raw: "syslog+udp://h:514", errIn: []string{"syslog+udp"}},
		{raw: "syslog+tls://h:6514?insecure=1", errIn: []string{"insecure is not offered"}},
		{raw: "syslog+tls://h:6514?cafile=x", errIn: []string{"unknown parameter cafile"}},
		{raw: "syslog+tls://h:99999", errIn: []string{"bad port"}},
		{raw: "syslog+tls://h:", errIn: []string{"empty port"}},
		{raw: "syslog+tls://:6514", errIn: []string{"no host"}},
		{raw: "syslog+tls://h/path", errIn: []string{"no path"}},
		{raw: "syslog+tls://h?ca=/nonexistent/ca.pem", errIn: []string{"ca=/nonexistent/ca.pem", "no such file"}},
		{raw: "syslog+tls://h?ca=" + notPEM, errIn: []string{"no PEM certificate"}},
		{raw: "syslog+tls://h?cert=" + pki.ClientCert, errIn: []string{"cert= and key= go together"}},
		{raw: "syslog+tls://h?cert=" + pki.ClientCert + "&key=" + pki.ServerKey, errIn: []string{"cert="}},
		{raw: "syslog+tcp://h?ca=" + pki.CA, errIn: []string{"ca= needs a TLS scheme"}},
		{raw: "syslog+tcp://h?facility=local9", errIn: []string{"facility"}},
		{raw: "syslog+tcp://h?max_size=100", errIn: []string{"max_size"}},
		{raw: "syslog+tcp://h?timeout=-1s", errIn: []string{"timeout"}},
		{raw: "syslog+tcp://h?timeout=soon", errIn: []string{"timeout"}},
		{raw: "loki+http://loki:3100?ca=" + pki.CA, errIn: []string{"needs a TLS scheme"}},
		{raw: "splunk+https://splunk:8088", errIn: []string{"no HEC token"}},
		{raw: "splunk+https://splunk:8088?token=SECRET-TOKEN&token_file=" + token, errIn: []string{"exclusive"}, notInErr: "SECRET-TOKEN"},
		{raw: "splunk+https://splunk:8088?token=SECRET-TOKEN&bogus=1", errIn: []string{"splunk+https://splunk:8088", "bogus"}, notInErr: "SECRET-TOKEN"},
		{raw: "splunk+https://splunk:8088?token_file=/nonexistent/token", errIn: []string{"token_file=/nonexistent/token"}},
		{raw: "file://relative/findings.ndjson", errIn: []string{"local path"}},
		{raw: "file:///nonexistent-dir/findings.ndjson", errIn: []string{"/nonexistent-dir"}},
		{raw: "file:///tmp/", errIn: []string{"directory"}},
		{raw: "splunk+https://x:8088?token=SECRET-TOKEN%zz", errIn: []string{"bad query"}, notInErr: "SECRET-TOKEN"},
		{raw: "splunk+https://x:8088/%zz?token=SECRET-TOKEN", errIn: []string{"not a URL", "REDACTED"}, notInErr: "SECRET-TOKEN"},
		{raw: "::", errIn: []string{"not a URL"}},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			tg, err := Parse(c.raw)
			if c.errIn == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tg.Name != c.name {
					t.Errorf("name %q, want %q", tg.Name, c.name)
				}
				want := c.timeout
				if want == 0 {
					want = DefaultTimeout
				}
				if tg.timeout != want {
					t.Errorf("timeout %s, want %s", tg.timeout, want)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range c.errIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if c.notInErr != "" && strings.Contains(err.Error(), c.notInErr) {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
}

// TestSpoolKey: destinations that differ in where events go have their
// own spools; how ztscan connects (timeout, certificates) and the token do
// not change it, and the token never shows in the name.
func TestSpoolKey(t *testing.T) {
	key := func(raw string) string { return mustParse(t, raw).key }
	a := key("loki+http://loki:3100?tenant=a")
	if a == key("loki+http://loki:3100?tenant=b") {
		t.Error("two tenants share a spool")
	}
	if a != key("loki+http://loki:3100?tenant=a&timeout=5s") {
		t.Error("timeout changed the spool")
	}
	s := key("splunk+https://splunk:8088?token=SECRET")
	if strings.Contains(s, "SECRET") || s != key("splunk+https://splunk:8088?token=OTHER") {
		t.Errorf("spool key %q", s)
	}
	if strings.ContainsAny(s, "/:?&") {
		t.Errorf("spool key %q is not a plain file name", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"syslog+tls://h:6514?ca=/x", "loki+https://u:p@h/x?tenant=a", "splunk+https://h?token=SECRET", "file:///tmp/x", "syslog+tcp://[::1]:1?facility=auth", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tg, err := Parse(raw)
		if err != nil {
			if strings.Contains(raw, "token=SECRET") && strings.Contains(err.Error(), "token=SECRET") {
				t.Errorf("error shows the token: %v", err)
			}
			return
		}
		if strings.Contains(tg.Name, "?") || strings.Contains(tg.key, "/") {
			t.Errorf("name %q key %q", tg.Name, tg.key)
		}
	})
}
