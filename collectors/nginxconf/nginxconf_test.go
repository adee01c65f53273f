package nginxconf

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func TestLexerTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
	}{
		{"plain", "a b c;", [][]string{{"a", "b", "c"}}},
		{"double quotes and escapes", `a "x \"y\" \\ \t \q";`, [][]string{{"a", "x \"y\" \\ \t \\q"}}},
		{"single quotes", `a 'it\'s' '';`, [][]string{{"a", "it's", ""}}},
		// nginx keeps the backslash of any escape but \" \' \\ \t \r \n
		{"escaped semicolon and space", `a b\;c d\ e;`, [][]string{{"a", `b\;c`, `d\ e`}}},
		{"comment only at word start", "a b#c; # d;\ne f;", [][]string{{"a", "b#c"}, {"e", "f"}}},
		{"variable braces", "set $v ${host}x;", [][]string{{"set", "$v", "${host}x"}}},
		{"brace ends a word", "a b{c;}", [][]string{{"a", "b"}, {"c"}}},
		{"close paren after quote", `if ($a = "b") { }`, [][]string{{"if", "($a", "=", "b", ")"}}},
		{"newline in quotes", "a \"x\ny\";", [][]string{{"a", "x\ny"}}},
		{"escaped newline letters", `a "\r\n";`, [][]string{{"a", "\r\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirs, err := Parse("/t.conf", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			var walk func([]*Directive)
			walk = func(ds []*Directive) {
				for _, d := range ds {
					got = append(got, append([]string{d.Name}, d.Args...))
					walk(d.Block)
				}
			}
			walk(dirs)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLexerErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a "b"c;`, `/t.conf:1: unexpected "c"`},
		{"a {\n", `/t.conf:2: unexpected end of file, expecting "}"`},
		{"}", `/t.conf:1: unexpected "}"`},
		{"a b }", `/t.conf:1: unexpected "}"`},
		{"\n\n{", `/t.conf:3: unexpected "{"`},
		{"a 'b", `/t.conf:1: unexpected end of file, expecting ";" or "}"`},
	}
	for _, tt := range tests {
		_, err := Parse("/t.conf", []byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: error %v, want %s", tt.in, err, tt.want)
		}
	}
}

// root writes files (path -> content) into a fake root.
func root(t *testing.T, files map[string]string) (hostfs.Host, string) {
	t.Helper()
	dir := t.TempDir()
	for p, body := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := hostfs.Rootfs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h, dir
}

const events = "events { }\n"

func TestBuildModel(t *testing.T) {
	h, _ := root(t, map[string]string{"/etc/nginx/nginx.conf": events + `http {
    ssl_protocols TLSv1.2;
    ssl_protocols TLSv1.3;
    ssl_certificate /etc/ssl/a.pem;
    ssl_certificate_key /etc/ssl/a.key;
    limit_req_zone $binary_remote_addr zone=ip:10m rate=5r/s;
    limit_req zone=ip burst=5;
    include sites/*.conf;
}`,
		"/etc/nginx/sites/a.conf": `server {
    listen 443 ssl http2 default_server;
    listen [::]:443 ssl;
    listen unix:/run/x.sock;
    server_name a.example b.example;
    ssl_certificate rsa.pem;
    ssl_certificate_key rsa.key;
    ssl_certificate ec.pem;
    ssl_certificate_key ec.key;
    ssl_verify_client optional;
    location / { limit_req zone=ip nodelay; location /in { } }
    location /x { }
}
server { server_name plain; }
`})
	c, err := Load(h, "/etc/nginx/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildModel(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Servers) != 2 {
		t.Fatalf("%d servers", len(m.Servers))
	}
	a, plain := m.Servers[0], m.Servers[1]
	wantListen := []Listen{
		{Address: "*", Port: 443, SSL: true, HTTP2: true, DefaultServer: true, Raw: "443 ssl http2 default_server", File: "/etc/nginx/sites/a.conf", Line: 2},
		{Address: "[::]", Port: 443, SSL: true, Raw: "[::]:443 ssl", File: "/etc/nginx/sites/a.conf", Line: 3},
		{Address: "unix:/run/x.sock", Raw: "unix:/run/x.sock", File: "/etc/nginx/sites/a.conf", Line: 4},
	}
	if diff := cmp.Diff(wantListen, a.Listen); diff != "" {
		t.Errorf("listen (-want +got):\n%s", diff)
	}
	if !a.SSL || plain.SSL || !plain.Listen[0].Implicit || plain.Listen[0].Port != 80 {
		t.Errorf("ssl %v/%v, implicit listen %+v", a.SSL, plain.SSL, plain.Listen)
	}
	if got := a.SSLProtocols; got == nil || got.Level != "http" || strings.Join(got.Values, " ") != "TLSv1.2 TLSv1.3" {
		t.Errorf("ssl_protocols %+v, want TLSv1.2 TLSv1.3 from http (bitmask adds up)", got)
	}
	if len(a.SSLCertificate) != 2 || a.SSLCertificate[1].Values[0] != "ec.pem" || a.SSLCertificate[0].Level != "server" {
		t.Errorf("server certificates %+v", a.SSLCertificate)
	}
	if len(plain.SSLCertificate) != 1 || plain.SSLCertificate[0].Level != "http" {
		t.Errorf("inherited certificates %+v", plain.SSLCertificate)
	}
	if a.SSLVerifyClient == nil || a.SSLVerifyClient.Values[0] != "optional" || plain.SSLVerifyClient != nil {
		t.Errorf("verify client %+v / %+v", a.SSLVerifyClient, plain.SSLVerifyClient)
	}
	if len(a.LimitReq) != 1 || a.LimitReq[0].Level != "http" || a.LimitReq[0].Burst != 5 {
		t.Errorf("server limit_req %+v", a.LimitReq)
	}
	wantLoc := []string{"/:location:true", "/in:location:true", "/x:http:false"}
	var gotLoc []string
	for _, l := range a.Locations {
		gotLoc = append(gotLoc, fmt.Sprintf("%s:%s:%v", l.Location, l.LimitReq[0].Level, l.LimitReq[0].NoDelay))
	}
	if diff := cmp.Diff(wantLoc, gotLoc); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
	if len(m.LimitReqZones) != 1 || m.LimitReqZones[0].Name != "ip" || m.LimitReqZones[0].Rate != "5r/s" || m.LimitReqZones[0].Size != "10m" {
		t.Errorf("zones %+v", m.LimitReqZones)
	}
}

func TestListenErrors(t *testing.T) {
	for _, l := range []string{"70000", "0", "1.2.3.4:x", "[::1", ":80", "80 bogus", "unix:"} {
		h, _ := root(t, map[string]string{"/etc/nginx/nginx.conf": events + "http { server { listen " + l + "; } }"})
		c, err := Load(h, "/etc/nginx/nginx.conf")
		if err == nil {
			_, err = BuildModel(c)
		}
		if err == nil || !strings.HasPrefix(err.Error(), "/etc/nginx/nginx.conf:2: ") {
			t.Errorf("listen %s: error %v, want one at /etc/nginx/nginx.conf:2", l, err)
		}
	}
}

// TestHostileInput: a FIFO, a 1 GiB sparse file, an unreadable file and a
// symlink loop as includes all end in an error naming the file, quickly.
func TestHostileInput(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"fifo", func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "etc/nginx/bad.conf"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"sparse 1GiB", func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "etc/nginx/bad.conf"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(1 << 30); err != nil {
				t.Fatal(err)
			}
		}},
		{"unreadable", func(t *testing.T, dir string) {
			if os.Geteuid() == 0 {
				t.Skip("root reads mode 0000 files")
			}
			if err := os.WriteFile(filepath.Join(dir, "etc/nginx/bad.conf"), []byte("x;"), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"symlink loop", func(t *testing.T, dir string) {
			if err := os.Symlink("bad.conf", filepath.Join(dir, "etc/nginx/bad.conf")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, dir := root(t, map[string]string{"/etc/nginx/nginx.conf": events + "include bad.conf;\n"})
			tt.setup(t, dir)
			start := time.Now()
			_, err := Load(h, "/etc/nginx/nginx.conf")
			if err == nil || !strings.Contains(err.Error(), "/etc/nginx/bad.conf") {
				t.Fatalf("error %v, want one naming /etc/nginx/bad.conf", err)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("not an *Error: %T", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestDepthLimit: a chain of distinct includes deeper than the limit is
// refused with the depth named.
func TestDepthLimit(t *testing.T) {
	files := map[string]string{"/etc/nginx/nginx.conf": events + "include d0.conf;\n"}
	for i := 0; i <= MaxIncludeDepth+1; i++ {
		files[fmt.Sprintf("/etc/nginx/d%d.conf", i)] = fmt.Sprintf("include d%d.conf;\n", i+1)
	}
	h, _ := root(t, files)
	_, err := Load(h, "/etc/nginx/nginx.conf")
	if err == nil || !strings.Contains(err.Error(), "nested deeper than") {
		t.Fatalf("error %v", err)
	}
}

// TestTokenLimitOracle moves a token across nginx's 4096-byte limit, in
// both quoting styles and after a long comment, and checks the parser
// refuses exactly what nginx refuses.
func TestTokenLimitOracle(t *testing.T) {
	nginx := requireTool(t, "nginx", "/usr/sbin/nginx")
	for _, n := range []int{4093, 4094, 4095, 4096, 4097} {
		for _, style := range []string{"bare", "double", "single", "comment"} {
			t.Run(fmt.Sprintf("%s-%d", style, n), func(t *testing.T) {
				tok := strings.Repeat("y", n)
				var conf string
				switch style {
				case "bare":
					conf = events + "worker_rlimit_nofile 1; env " + tok + ";\n"
				case "double":
					conf = events + "env \"" + tok + "\";\n"
				case "single":
					conf = events + "env '" + tok + "';\n"
				case "comment":
					conf = events + "#" + tok + "\nenv x;\n"
				}
				dir := t.TempDir()
				if err := os.MkdirAll(filepath.Join(dir, "conf"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "conf", "nginx.conf"), []byte(conf), 0o644); err != nil {
					t.Fatal(err)
				}
				out, runErr := exec.Command(nginx, "-t", "-q", "-c", filepath.Join(dir, "conf", "nginx.conf"), "-p", dir+"/",
					"-g", "pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr;").CombinedOutput()
				h, err := hostfs.Rootfs(dir)
				if err != nil {
					t.Fatal(err)
				}
				_, perr := Load(h, "/conf/nginx.conf")
				if (runErr == nil) != (perr == nil) {
					t.Fatalf("nginx: %v %s; parser: %v", runErr, out, perr)
				}
			})
		}
	}
}
