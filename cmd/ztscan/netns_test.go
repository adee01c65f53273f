package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/internal/testenv"
)

// buildBinary compiles ztscan once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ztscan")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestLiveScanInNetworkNamespace scans the "live host" as seen from a
// network namespace: `ip netns exec` gives ztscan its own network sysctls
// and bind-mounts /etc/netns/NAME/ssh over /etc/ssh, so the real sshd -T
// reads a config of the test's choosing, and nothing of the machine's own
// state is touched.
func TestLiveScanInNetworkNamespace(t *testing.T) {
	testenv.RequireRoot(t)
	ip := testenv.RequireTool(t, "ip")
	testenv.RequireFile(t, "/usr/sbin/sshd")
	keygen := testenv.RequireTool(t, "ssh-keygen")
	bin := buildBinary(t)

	ns := fmt.Sprintf("ztscan-test-%d", os.Getpid())
	etc := filepath.Join("/etc/netns", ns)
	if out, err := exec.Command(ip, "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	t.Cleanup(func() {
		exec.Command(ip, "netns", "delete", ns).Run()
		os.RemoveAll(etc)
	})
	sshDir := filepath.Join(etc, "ssh")
	if err := os.MkdirAll(filepath.Join(sshDir, "sshd_config.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(sshDir, "ssh_host_ed25519_key")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	config := `Include /etc/ssh/sshd_config.d/*.conf
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
PermitRootLogin no
MaxAuthTries 3
X11Forwarding no
`
	dropIn := "# read first: first value wins\nMaxAuthTries 5\nLogLevel VERBOSE\n"
	os.WriteFile(filepath.Join(sshDir, "sshd_config"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(sshDir, "sshd_config.d", "01-local.conf"), []byte(dropIn), 0o644)
	os.MkdirAll("/run/sshd", 0o755)

	nsExec := func(args ...string) []byte {
		cmd := exec.Command(ip, append([]string{"netns", "exec", ns}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("%v: %v %s", args, err, stderr)
			}
		}
		return out
	}
	// Per-namespace kernel state: forwarding on, rp_filter loose.
	nsExec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward && echo 2 > /proc/sys/net/ipv4/conf/all/rp_filter")

	out := nsExec(bin, "scan", "-f", "json", "--fail-on", "none", "--only", "ZT-SSH-*,ZT-KRN-001,ZT-KRN-003")
	var rep jsonReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.ID] = r.Status + ": " + r.Message
	}
	want := map[string]string{
		"ZT-SSH-001": "pass",
		"ZT-SSH-002": "pass",
		"ZT-SSH-005": "fail", // the drop-in's 5 wins over the main file's 3
		"ZT-SSH-012": "pass",
		"ZT-SSH-014": "pass",
		"ZT-KRN-001": "fail",
		"ZT-KRN-003": "fail",
	}
	for id, status := range want {
		if !strings.HasPrefix(got[id], status+":") {
			t.Errorf("%s = %q, want %s", id, got[id], status)
		}
	}
	if rep.Scan.Target.Kind != "host" {
		t.Errorf("target kind %q, want host", rep.Scan.Target.Kind)
	}
	// The effective config came from the real sshd -T, not the parser.
	facts := nsExec(bin, "collect")
	var snap struct {
		Facts struct {
			SSHD struct {
				Source    string         `json:"source"`
				Effective map[string]any `json:"effective"`
			} `json:"sshd"`
		} `json:"facts"`
	}
	if err := json.Unmarshal(facts, &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Facts.SSHD.Source != "sshd -T" || snap.Facts.SSHD.Effective["maxauthtries"] != "5" {
		t.Errorf("sshd facts: source %q maxauthtries %v", snap.Facts.SSHD.Source, snap.Facts.SSHD.Effective["maxauthtries"])
	}
}
