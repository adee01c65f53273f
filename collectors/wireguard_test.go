package collectors

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"golang.org/x/sys/unix"
)

func collectWireGuard(t testing.TB, name string, h hostfs.Host) *WireGuardFacts {
	t.Helper()
	v, err := NewWireGuard().Collect(context.Background(), h)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	f := v.(*WireGuardFacts)
	recordSnapshot(t, "wireguard/"+name, f)
	return f
}

// fakeWG answers `wg show all dump` with a recorded output.
type fakeWG struct {
	out []byte
	err error
}

func (r fakeWG) Run(_ context.Context, _ []byte, name string, args ...string) ([]byte, error) {
	if name != "wg" || strings.Join(args, " ") != "show all dump" {
		return nil, hostfs.ErrNotAllowed
	}
	return r.out, r.err
}

func TestWireGuardGolden(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the golden files record root-owned fixture files (fixture.Materialize chowns only as root)")
	}
	h, _ := imageHost(t, "hardened-data")
	checkGolden(t, "wireguard/hardened-data", collectWireGuard(t, "hardened-data", h))
}

func TestWireGuardHardened(t *testing.T) {
	h, _ := imageHost(t, "hardened-data")
	f := collectWireGuard(t, "hardened-data", h)
	if !f.Installed || !f.Server || f.ServerEvidence != "wg0.conf has ListenPort 51820" || len(f.Configs) != 2 {
		t.Fatalf("%+v", f)
	}
	if f.Live.Status != "unavailable" {
		t.Errorf("live on an offline root: %+v", f.Live)
	}
	wg0 := f.Configs[0]
	if wg0.Status != "ok" || len(wg0.Config.Peers) != 2 || !wg0.Config.Peers[0].HasPresharedKey || wg0.Config.Interface.HasPrivateKey {
		t.Errorf("wg0 %+v", wg0)
	}
	if !f.Configs[1].Config.Interface.HasPrivateKey || f.Configs[1].Config.Interface.ListenPort != nil {
		t.Errorf("wg1 %+v", f.Configs[1].Config.Interface)
	}
	if len(f.KeyFiles) != 1 || f.KeyFiles[0].File.Path != "/etc/wireguard/wg0.key" || f.KeyFiles[0].Kind != "private-key" ||
		strings.Join(f.KeyFiles[0].ReferencedBy, ",") != "/etc/wireguard/wg0.conf:4" {
		t.Errorf("key files %+v", f.KeyFiles)
	}
}

func TestWireGuardLive(t *testing.T) {
	_, root := imageHost(t, "hardened-data")
	priv, psk := fixtureWGSecrets(t)[0], fixtureWGSecrets(t)[1]
	pub := "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
	dump := "wg0\t" + priv + "\t" + pub + "\t51820\toff\n" +
		"wg0\t" + pub + "\t" + psk + "\t198.51.100.7:51820\t10.8.0.3/32,fd00:8::3/128\t1700000000\t10\t20\toff\n" +
		"wg0\t" + pub + "\t(none)\t(none)\t0.0.0.0/0\t0\t0\t0\toff\n"
	f := collectWireGuard(t, "live", hostfs.Fixture(hostfs.KindHost, root, fakeWG{out: []byte(dump)}))
	if f.Live.Status != "ok" || len(f.Live.Interfaces) != 1 || len(f.Live.Interfaces[0].Peers) != 2 || !f.Live.Interfaces[0].HasPrivateKey {
		t.Fatalf("live %+v", f.Live)
	}
	f = collectWireGuard(t, "live-denied", hostfs.Fixture(hostfs.KindHost, root, fakeWG{err: &hostfs.CommandError{Path: "/usr/bin/wg", Args: []string{"show", "all", "dump"}, Err: errors.New("exit status 1"), Stderr: "Unable to access interface: Operation not permitted"}}))
	if f.Live.Status != "error" || !strings.Contains(f.Live.Reason, "Operation not permitted") {
		t.Errorf("live %+v", f.Live)
	}
	f = collectWireGuard(t, "live-missing", hostfs.Fixture(hostfs.KindHost, root, fakeWG{err: errors.New("wg: executable file not found (looked in /usr/bin/wg, /bin/wg)")}))
	if f.Live.Status != "unavailable" {
		t.Errorf("live %+v", f.Live)
	}
}

func TestWireGuardNotInstalled(t *testing.T) {
	f := collectWireGuard(t, "empty", hostfs.Fixture(hostfs.KindRootfs, t.TempDir(), nil))
	if f.Installed || f.Server || f.ConfigDir.Exists || len(f.Configs) != 0 {
		t.Errorf("%+v", f)
	}
}

func TestWireGuardBadInput(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root string)
		want  []string
	}{
		{"binary garbage", func(t *testing.T, root string) {
			writeTB(t, root, "etc/wireguard/wg0.conf", "\x7fELF\x02\x01\x01\x00\xff\xfe garbage\n")
		}, []string{"/etc/wireguard/wg0.conf:1"}},
		{"unknown key", func(t *testing.T, root string) {
			writeTB(t, root, "etc/wireguard/wg0.conf", "[Interface]\nListenPort = 51820\nPostup = true\n")
		}, []string{"/etc/wireguard/wg0.conf:3", "Postup"}},
		{"1 GB sparse config", func(t *testing.T, root string) {
			if err := os.Truncate(filepath.Join(root, "etc/wireguard/wg0.conf"), 1<<30); err != nil {
				t.Fatal(err)
			}
		}, []string{"/etc/wireguard/wg0.conf", "too large"}},
		{"FIFO as config", func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, "etc/wireguard/wg0.conf"))
			if err := unix.Mkfifo(filepath.Join(root, "etc/wireguard/wg0.conf"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"/etc/wireguard/wg0.conf", "not a regular file"}},
		{"symlink loop", func(t *testing.T, root string) {
			os.Remove(filepath.Join(root, "etc/wireguard/wg0.conf"))
			if err := os.Symlink("wg0.conf", filepath.Join(root, "etc/wireguard/wg0.conf")); err != nil {
				t.Fatal(err)
			}
		}, []string{"/etc/wireguard/wg0.conf"}},
		{"unreadable config", func(t *testing.T, root string) {
			p := filepath.Join(root, "etc/wireguard/wg0.conf")
			os.Remove(p)
			os.Mkdir(p, 0o700) // a directory named like a config cannot be read, even by root
		}, []string{"/etc/wireguard/wg0.conf"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, root := imageHost(t, "hardened-data")
			tc.setup(t, root)
			start := time.Now()
			f := collectWireGuard(t, "bad-"+tc.name, h)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			c := f.Configs[0]
			if c.Interface != "wg0" || c.Status != "error" {
				t.Fatalf("wg0 %+v", c)
			}
			for _, w := range tc.want {
				if !strings.Contains(c.Reason, w) {
					t.Errorf("reason %q lacks %q", c.Reason, w)
				}
			}
		})
	}
}

func BenchmarkWireGuardCollect(b *testing.B) {
	h, root := imageHost(b, "hardened-data")
	var sb strings.Builder
	sb.WriteString("[Interface]\nListenPort = 51820\nPostUp = wg set %i private-key /etc/wireguard/%i.key\n")
	for i := 0; i < 500; i++ {
		sb.WriteString("\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.8.1.2/32, fd00:8::1:2/128\n")
	}
	writeTB(b, root, "etc/wireguard/wg0.conf", sb.String())
	c := NewWireGuard()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}

var wgKeyLine = regexp.MustCompile(`(?im)^\s*(?:PrivateKey|PresharedKey)\s*=\s*(\S+)`)

// loadWGSecrets returns the private and pre-shared keys the fixture
// images hold (in configs and key files), and the secrets of the pg_hba
// test cases: what no facts may contain.
var loadWGSecrets = sync.OnceValues(func() ([]string, error) {
	var out []string
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "images", "*", "*", "etc", "wireguard", "*"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(p, ".conf") {
			for _, m := range wgKeyLine.FindAllStringSubmatch(string(b), -1) {
				out = append(out, m[1])
			}
		} else if !strings.HasSuffix(p, ".pub") {
			out = append(out, strings.TrimSpace(string(b)))
		}
	}
	return out, nil
})

// fixtureWGSecrets is loadWGSecrets for a test.
func fixtureWGSecrets(t testing.TB) []string {
	s, err := loadWGSecrets()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestZZNoWireGuardSecretsInFacts collects wireguard and postgresql facts
// from every fixture image, then greps those, every snapshot the other
// tests of the package recorded (live dumps with real keys included) and
// the golden files for the fixtures' private and pre-shared keys. Its
// name sorts it after the tests that record snapshots.
func TestZZNoWireGuardSecretsInFacts(t *testing.T) {
	secrets := fixtureWGSecrets(t)
	if len(secrets) < 5 {
		t.Fatalf("only %d keys found in the fixtures: the grep would prove nothing", len(secrets))
	}
	images, _ := filepath.Glob(filepath.Join("..", "fixtures", "images", "*"))
	for _, img := range images {
		name := filepath.Base(img)
		h, _ := imageHost(t, name)
		for _, c := range []Collector{NewWireGuard(), NewPostgreSQL()} {
			if v, err := c.Collect(context.Background(), h); err == nil {
				recordSnapshot(t, c.Name()+"/image-"+name, v)
			}
		}
	}
	goldens, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.json"))
	for _, g := range goldens {
		b, _ := os.ReadFile(g)
		snapshots.Store("golden "+g, b)
	}
	n := 0
	snapshots.Range(func(k, v any) bool {
		n++
		for _, s := range secrets {
			if strings.Contains(string(v.([]byte)), s) {
				t.Errorf("%s contains the key %q", k, s)
			}
		}
		return true
	})
	if n < len(images)*2 {
		t.Errorf("only %d snapshots grepped", n)
	}
	t.Logf("grepped %d snapshots for %d WireGuard keys", n, len(secrets))
}
