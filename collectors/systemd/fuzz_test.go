package systemd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range resolutionRoot {
		if !strings.HasPrefix(s, "->") {
			f.Add([]byte(s))
		}
	}
	f.Add([]byte("[Service]\nExecStart=/bin/a \\\n  # comment\n  --flag\\\n"))
	f.Add([]byte("[Service]\nA=\\\\\n[X"))
	f.Fuzz(func(t *testing.T, data []byte) {
		secs, err := Parse("fuzz.service", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.service") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, sec := range secs {
			for k, as := range sec {
				if k == "" || strings.ContainsAny(k, "\n=") {
					t.Fatalf("bad key %q", k)
				}
				for _, a := range as {
					if a.Line < 1 || strings.Contains(a.Value, "\n") {
						t.Fatalf("bad assignment %+v", a)
					}
				}
			}
		}
	})
}

func TestParseContinuations(t *testing.T) {
	secs, err := Parse("x.service", []byte("[Service]\nExecStart=/bin/a \\\n# hidden\n  --flag\nEnvironment=A=1\\\\\nB=2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := secs["Service"]["ExecStart"][0]; got.Value != "/bin/a  --flag" || got.Line != 2 {
		t.Errorf("continued line = %+v", got)
	}
	if got := secs["Service"]["Environment"][0].Value; got != `A=1\\` {
		t.Errorf("escaped backslash continues the line: %q", got)
	}
	if got := secs["Service"]["B"][0].Line; got != 6 {
		t.Errorf("line after an escaped backslash: %d", got)
	}
}

// BenchmarkResolve500 loads a root with 500 services (each with a
// drop-in and half of them enabled) and resolves every one.
func BenchmarkResolve500(b *testing.B) {
	files := map[string]string{}
	for i := 0; i < 500; i++ {
		name := fmt.Sprintf("svc%03d.service", i)
		files["usr/lib/systemd/system/"+name] = unitText(name) + "NoNewPrivileges=yes\n"
		files["etc/systemd/system/"+name+".d/override.conf"] = "[Service]\nProtectSystem=strict\nPrivateTmp=yes\n"
		if i%2 == 0 {
			files["etc/systemd/system/multi-user.target.wants/"+name] = "->/usr/lib/systemd/system/" + name
		}
	}
	root := tree(b, files)
	b.ResetTimer()
	for b.Loop() {
		u := load(b, root)
		for _, n := range u.Names() {
			if un, ok := u.Unit(n); !ok || un.Error != "" {
				b.Fatalf("%s: %+v", n, un)
			}
		}
	}
}

// BenchmarkResolveDebian resolves every unit of a full Debian root when
// one is at /tmp/deb12 (or $ZTSCAN_DEBIAN_ROOT).
func BenchmarkResolveDebian(b *testing.B) {
	root := os.Getenv("ZTSCAN_DEBIAN_ROOT")
	if root == "" {
		root = "/tmp/deb12"
	}
	if _, err := os.Stat(filepath.Join(root, "usr/lib/systemd/system")); err != nil {
		b.Skip("no Debian root")
	}
	for b.Loop() {
		u := load(b, root)
		for _, n := range u.Names() {
			u.Unit(n)
		}
	}
}
