package sshdconfig

import (
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes as the main file and as a drop-in: Load
// and Effective must return (a result or an error) without panicking and
// quickly.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"", "Port 22\n", "Match User a\n\tX11Forwarding yes\n", "Include sshd_config\n",
		"Ciphers -aes*\nMACs +hmac-md5\n", "\"unterminated\n", "ListenAddress [::1]:22\n",
		"RekeyLimit 1.5G 1h\nMaxStartups 1:2:3\n", "Match Address 10.0.0.0/8,!10.1.0.0/16\n",
		"Include sshd_config.d/*.conf\n", "PermitOpen [::1]:80 a:*\n",
	} {
		f.Add([]byte(seed))
	}
	if data, err := os.ReadFile("testdata/corpus/debian-stock/root/etc/ssh/sshd_config"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := memFS{
			"/etc/ssh/sshd_config":             string(data),
			"/etc/ssh/sshd_config.d/x.conf":    string(data),
			"/etc/passwd":                      "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
			"/etc/group":                       "root:x:0:\nalice:x:1000:\nwheel:x:10:alice\n",
			"/etc/ssh/sshd_config.d/.hidden":   "Port 1\n",
			"/etc/ssh/sshd_config.d/inc.other": "Include /etc/ssh/sshd_config.d/x.conf\n",
		}
		start := time.Now()
		cfg, err := Load(fsys, "/etc/ssh/sshd_config", Options{})
		if err == nil {
			for _, conn := range []*ConnSpec{nil, {User: "alice", Host: "h.example", Addr: "10.1.2.3", LocalAddr: "::1", LocalPort: "22"}} {
				if s, err := cfg.Effective(conn); err == nil && len(s) == 0 {
					t.Fatal("empty dump without error")
				}
			}
			_ = cfg.MatchBlocks()
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

// FuzzParseDump: arbitrary sshd -T output never panics, and ToMap keeps
// every keyword ParseDump found.
func FuzzParseDump(f *testing.F) {
	f.Add([]byte("port 22\nport 2222\nhostkey /a\npermitopen any\n"))
	f.Add([]byte("\r\n \nkey\n=x y\n"))
	if data, err := os.ReadFile("testdata/corpus/debian-stock/want.txt"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		settings := ParseDump(data)
		m := ToMap(settings)
		for _, s := range settings {
			if _, ok := m[s.Keyword]; !ok {
				t.Fatalf("keyword %q lost", s.Keyword)
			}
			if s.Keyword != strings.ToLower(s.Keyword) && s.Keyword != lowerASCII(s.Keyword) {
				t.Fatalf("keyword %q not lowercased", s.Keyword)
			}
		}
	})
}
