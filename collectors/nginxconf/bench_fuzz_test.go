package nginxconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// BenchmarkLoad200Files parses a 200-file tree (nginx.conf and 199 server
// files of ~20 directives each) and derives the server model.
func BenchmarkLoad200Files(b *testing.B) {
	dir := b.TempDir()
	write := func(p, body string) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("etc/nginx/nginx.conf", events+"http {\n    ssl_protocols TLSv1.2 TLSv1.3;\n    limit_req_zone $binary_remote_addr zone=ip:10m rate=5r/s;\n    include sites/*.conf;\n}\n")
	for i := 0; i < 199; i++ {
		write(fmt.Sprintf("etc/nginx/sites/%03d.conf", i), fmt.Sprintf(`# site %d
server {
    listen 10.0.0.%d:443 ssl http2;
    server_name site%d.example.com www.site%d.example.com;
    ssl_certificate /etc/ssl/site%d.pem;
    ssl_certificate_key /etc/ssl/private/site%d.key;
    ssl_verify_client on;
    ssl_client_certificate /etc/ssl/ca.pem;
    add_header Strict-Transport-Security "max-age=63072000" always;
    limit_req zone=ip burst=10 nodelay;
    location / {
        proxy_pass http://127.0.0.1:%d;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
    location ~ \.(png|css|js)$ { expires 7d; }
}
`, i, i%250, i, i, i, i, 8000+i))
	}
	h, err := hostfs.Rootfs(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		c, err := Load(h, "/etc/nginx/nginx.conf")
		if err != nil {
			b.Fatal(err)
		}
		m, err := BuildModel(c)
		if err != nil || len(m.Servers) != 199 || len(c.Files) != 200 {
			b.Fatalf("%v: %d servers, %d files", err, len(m.Servers), len(c.Files))
		}
	}
}

// FuzzParse: the tokenizer and block parser never panic or hang, and an
// error is always an *Error with a line.
func FuzzParse(f *testing.F) {
	seeds := []string{
		events + `http { server { listen 443 ssl; server_name "a b" 'c'; location ~ \.x$ { return 200 "x\"y"; } } }`,
		`a ${b}c "d" 'e' f\;g # h` + "\n;",
		`if ($a = "b") { }`,
		"types { text/html html; }",
		"a \"unterminated",
		strings.Repeat("x", 5000) + ";",
		"}{;",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dirs, err := Parse("/f.conf", data)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.File != "/f.conf" || e.Line < 1 {
				t.Fatalf("bad error %T %v", err, err)
			}
			return
		}
		var walk func([]*Directive)
		walk = func(ds []*Directive) {
			for _, d := range ds {
				if d.Line < 1 {
					t.Fatalf("directive %q without a line", d.Name)
				}
				walk(d.Block)
			}
		}
		walk(dirs)
	})
}

// FuzzModel: whatever parses, BuildModel either models or refuses with
// an *Error; never a panic.
func FuzzModel(f *testing.F) {
	f.Add([]byte(events + "http { server { listen [::1]:443 ssl; ssl_protocols TLSv1.2; limit_req zone=a; } limit_req_zone k zone=a:1m rate=1r/s; }"))
	f.Add([]byte(events + "stream { server { listen 1.2.3.4:99 ssl; } }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dirs, err := Parse("/f.conf", data)
		if err != nil {
			return
		}
		c := &Config{Main: "/f.conf", Prefix: "/", Directives: dirs}
		if err := checkTree(c); err != nil {
			return
		}
		if _, err := BuildModel(c); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("bad error %T %v", err, err)
			}
		}
	})
}
