package sudoersconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// bigTree writes a sudoers tree of about lines lines: a main file with
// aliases and Defaults and 50 files in sudoers.d with user specifications.
func bigTree(tb testing.TB, lines int) string {
	tb.Helper()
	root := tb.TempDir()
	etc := filepath.Join(root, "etc")
	if err := os.MkdirAll(filepath.Join(etc, "sudoers.d"), 0o755); err != nil {
		tb.Fatal(err)
	}
	var main strings.Builder
	main.WriteString("Defaults env_reset, secure_path=\"/usr/sbin:/usr/bin\"\nroot ALL=(ALL:ALL) ALL\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&main, "Cmnd_Alias SVC%d = /usr/bin/systemctl restart svc%d, /usr/bin/systemctl status svc%d\n", i, i, i)
		fmt.Fprintf(&main, "User_Alias TEAM%d = u%d, %%g%d, !u%dx\n", i, i, i, i)
	}
	main.WriteString("@includedir /etc/sudoers.d\n")
	if err := os.WriteFile(filepath.Join(etc, "sudoers"), []byte(main.String()), 0o440); err != nil {
		tb.Fatal(err)
	}
	per := (lines - 400) / 50
	for f := 0; f < 50; f++ {
		var b strings.Builder
		for i := 0; i < per; i++ {
			n := (f*per + i) % 200
			switch i % 4 {
			case 0:
				fmt.Fprintf(&b, "TEAM%d ALL = (root) NOPASSWD: SVC%d, PASSWD: /usr/bin/journalctl -u svc%d\n", n, n, n)
			case 1:
				fmt.Fprintf(&b, "u%d host%d, !web%d = (ALL : ALL) /usr/bin/less /var/log/app%d.log, \\\n", i, n, n, n)
				fmt.Fprintf(&b, "    NOEXEC: /usr/bin/vim /etc/app%d.conf\n", n)
				i++
			case 2:
				fmt.Fprintf(&b, "Defaults:u%d !lecture, timestamp_timeout=%d\n", n, n%10)
			default:
				fmt.Fprintf(&b, "%%g%d ALL = sudoedit /etc/app%d/*.conf # comment %d\n", n, n, i)
			}
		}
		if err := os.WriteFile(filepath.Join(etc, "sudoers.d", fmt.Sprintf("%02d-team", f)), []byte(b.String()), 0o440); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

func BenchmarkLoad5000Lines(b *testing.B) {
	root := bigTree(b, 5000)
	h, err := hostfs.Rootfs(root)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Load(h, Path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoad5000LinesFast holds the benchmark's target in the test suite:
// a 5,000-line tree parses well under 50 ms.
func TestLoad5000LinesFast(t *testing.T) {
	root := bigTree(t, 5000)
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	best := time.Hour
	for i := 0; i < 5; i++ {
		start := time.Now()
		p, err := Load(h, Path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Files) != 51 || len(p.Grants) < 2000 {
			t.Fatalf("%d files, %d grants", len(p.Files), len(p.Grants))
		}
		best = min(best, time.Since(start))
	}
	if best > 50*time.Millisecond {
		t.Errorf("5,000-line sudoers tree took %v (limit 50 ms)", best)
	}
	t.Logf("5,000-line tree: %v", best)
}
