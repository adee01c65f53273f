package sshdconfig

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func BenchmarkLoadEffective(b *testing.B) {
	b.Run("debian-stock", func(b *testing.B) {
		fsys := dirFS{filepath.Join("testdata", "corpus", "debian-stock", "root")}
		for b.Loop() {
			cfg, err := Load(fsys, "/etc/ssh/sshd_config", Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cfg.Effective(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("2000-lines", func(b *testing.B) {
		var sb strings.Builder
		// 1,000 global lines, then 1,000 lines of Match blocks (global-only
		// keywords are not allowed after the first Match).
		for i := 0; i < 1000; i++ {
			switch i % 5 {
			case 0:
				fmt.Fprintf(&sb, "# comment %d\n", i)
			case 1:
				fmt.Fprintf(&sb, "AllowUsers user%d@10.%d.0.0/16\n", i, i%250)
			case 2:
				fmt.Fprintf(&sb, "AcceptEnv VAR_%d\n", i)
			case 3:
				fmt.Fprintf(&sb, "MaxAuthTries %d\n", i%10+1)
			case 4:
				fmt.Fprintf(&sb, "Ciphers +aes128-cbc\n")
			}
		}
		for i := 0; i < 1000; i++ {
			switch i % 4 {
			case 0:
				fmt.Fprintf(&sb, "Match User u%d Address 192.168.%d.0/24\n", i, i%250)
			case 1:
				fmt.Fprintf(&sb, "\tPasswordAuthentication no\n")
			case 2:
				fmt.Fprintf(&sb, "\tBanner /etc/banner%d\n", i)
			case 3:
				fmt.Fprintf(&sb, "\tAllowUsers u%d\n", i)
			}
		}
		fsys := memFS{"/etc/ssh/sshd_config": sb.String()}
		conn := &ConnSpec{User: "u5", Host: "h", Addr: "192.168.5.9", LocalAddr: "10.0.0.1", LocalPort: "22"}
		b.ResetTimer()
		for b.Loop() {
			cfg, err := Load(fsys, "/etc/ssh/sshd_config", Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cfg.Effective(conn); err != nil {
				b.Fatal(err)
			}
		}
	})
}
