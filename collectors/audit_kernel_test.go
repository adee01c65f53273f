package collectors

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

// auditctl runs the real auditctl (test harness only: the collector never
// runs it, it reads the kernel over netlink).
func auditctl(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("auditctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// requireKernelAudit saves the kernel's rules and enabled flag and
// restores them when the test ends, even on failure.
func requireKernelAudit(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	bin := testenv.RequireTool(t, "auditctl")
	k, err := openNetlinkAudit()
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("kernel audit is required in CI: %v", err)
		}
		t.Skipf("kernel audit not usable here: %v", err)
	}
	st, err := k.Status()
	k.Close()
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("kernel audit status: %v", err)
		}
		t.Skipf("kernel audit status: %v", err)
	}
	if st.Enabled == 2 {
		if testenv.InCI() {
			t.Fatal("the kernel's audit rules are immutable (-e 2): the test cannot load rules; reboot the CI machine without -e 2")
		}
		t.Skip("the kernel's audit rules are immutable (-e 2)")
	}
	saved := auditctl(t, bin, "-l")
	savedFile := filepath.Join(t.TempDir(), "saved.rules")
	if strings.TrimSpace(saved) == "No rules" {
		saved = ""
	}
	if err := os.WriteFile(savedFile, []byte(saved), 0o600); err != nil {
		t.Fatal(err)
	}
	enabled := st.Enabled
	t.Cleanup(func() {
		if out, err := exec.Command(bin, "-D").CombinedOutput(); err != nil {
			t.Errorf("restore: auditctl -D: %v: %s", err, out)
		}
		if saved != "" {
			if out, err := exec.Command(bin, "-R", savedFile).CombinedOutput(); err != nil {
				t.Errorf("restore: auditctl -R %s: %v: %s", savedFile, err, out)
			}
		}
		if out, err := exec.Command(bin, "-e", map[uint32]string{0: "0", 1: "1"}[enabled]).CombinedOutput(); err != nil {
			t.Errorf("restore: auditctl -e: %v: %s", err, out)
		}
	})
	return bin
}

// TestAuditRealKernel loads rule sets into the kernel with auditctl,
// reads them back through the collector (netlink) and checks the
// comparison with persisted rules.d files.
func TestAuditRealKernel(t *testing.T) {
	bin := requireKernelAudit(t)
	identity := "-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n"
	for _, tc := range []struct {
		name        string
		persisted   map[string]string // rules.d files
		loaded      string            // what auditctl -R loads
		missing     []string
		notPersist  []string
		controlDiff []string
	}{
		{name: "identical", persisted: map[string]string{"10-id.rules": "-D\n" + identity}, loaded: identity},
		{name: "missing watch", persisted: map[string]string{"10-id.rules": identity}, loaded: "-w /etc/passwd -p wa -k identity\n",
			missing: []string{"-w /etc/shadow -p wa -k identity"}},
		{name: "extra rule", persisted: map[string]string{"10-id.rules": identity}, loaded: identity + "-w /etc/hosts -p wa -k extra\n",
			notPersist: []string{"-w /etc/hosts -p wa -k extra"}},
		{name: "syscall rule with -F fields, spelled differently", persisted: map[string]string{"30-access.rules": "-a exit,always -F arch=b64 -S openat -S open -F exit=-EACCES -F auid>=1000 -F auid!=unset -k access\n"},
			loaded: "-a always,exit -F arch=b64 -S open,openat -F exit=-EACCES -F auid>=1000 -F auid!=-1 -k access\n"},
		{name: "arch filters: the b32 twin is missing", persisted: map[string]string{"40-exec.rules": "-a always,exit -F arch=b64 -S execve -k exec\n-a always,exit -F arch=b32 -S execve -k exec\n"},
			loaded: "-a always,exit -F arch=b64 -S execve -k exec\n", missing: []string{"-a always,exit -F arch=b32 -S execve -F key=exec"}},
		{name: "dir watch with a trailing slash", persisted: map[string]string{"50-ssh.rules": "-w /etc/ssh/ -p wa -k ssh\n-a always,exit -F dir=/etc/ssh -F perm=w -F auid>=1000 -k sshdir\n"},
			loaded: "-w /etc/ssh -p wa -k ssh\n-a always,exit -F dir=/etc/ssh -F perm=w -F auid>=1000 -k sshdir\n"},
		{name: "exe rule", persisted: map[string]string{"60-out.rules": "-a always,exit -F arch=b64 -S execve -F exe=/usr/bin/curl -k outbound\n-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset -k priv\n"},
			loaded: "-a always,exit -F arch=b64 -S execve -F exe=/usr/bin/curl -k outbound\n-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=-1 -k priv\n"},
		{name: "-e 2 set last by augenrules (persisted only)", persisted: map[string]string{"01-lock.rules": "-e 2\n-f 1\n", "10-id.rules": identity},
			loaded: identity, controlDiff: []string{"-e 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range tc.persisted {
				writeAuditFile(t, root, "etc/audit/rules.d/"+name, body)
			}
			loadFile := filepath.Join(t.TempDir(), "load.rules")
			if err := os.WriteFile(loadFile, []byte(tc.loaded), 0o600); err != nil {
				t.Fatal(err)
			}
			auditctl(t, bin, "-D")
			auditctl(t, bin, "-R", loadFile)
			h := hostfs.Fixture(hostfs.KindHost, root, nil)
			f := collectAudit(t, h, nil)
			if f.Kernel.Status != "ok" || f.Persisted.Status != "ok" || f.Comparison.Status != "ok" {
				t.Fatalf("kernel %+v persisted %+v comparison %+v", f.Kernel.Part, f.Persisted.Part, f.Comparison.Part)
			}
			// the collector's netlink read prints what auditctl -l prints
			listed := strings.Split(strings.TrimSpace(auditctl(t, bin, "-l")), "\n")
			if diff := cmp.Diff(listed, f.Kernel.Rules); diff != "" {
				t.Errorf("kernel rules differ from auditctl -l (-auditctl +collector)\n%s", diff)
			}
			var missing []string
			for _, r := range f.Comparison.MissingAtRuntime {
				missing = append(missing, r.Text)
			}
			if diff := cmp.Diff(tc.missing, missing); diff != "" {
				t.Errorf("missing at runtime (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tc.notPersist, nilIfEmpty(f.Comparison.NotPersisted)); diff != "" {
				t.Errorf("not persisted (-want +got)\n%s", diff)
			}
			var diffs []string
			for _, d := range f.Comparison.Controls {
				if d.Option == "-e" || d.Option == "-f" {
					diffs = append(diffs, d.Option+" "+strconv.Itoa(d.Persisted))
				}
			}
			if tc.controlDiff != nil {
				if diff := cmp.Diff(tc.controlDiff, diffs); diff != "" {
					t.Errorf("control differences (-want +got)\n%s", diff)
				}
				if e := f.Persisted.Controls.Enabled; e == nil || e.File != "/etc/audit/rules.d/01-lock.rules" || e.Line != 1 {
					t.Errorf("-e 2 origin = %+v", e)
				}
			}
			if f.Comparison.Identical != (len(tc.missing) == 0 && len(tc.notPersist) == 0) {
				t.Errorf("identical = %v", f.Comparison.Identical)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestAuditRealKernelNotRoot: without CAP_AUDIT_CONTROL the kernel side
// is an error with the reason (checked by dropping the capability in a
// child process that runs this test binary).
func TestAuditRealKernelNotRoot(t *testing.T) {
	if os.Getenv("ZTSCAN_AUDIT_NOCAP_CHILD") == "1" {
		h := hostfs.Fixture(hostfs.KindHost, t.TempDir(), nil)
		f := collectAudit(t, h, nil)
		if f.Kernel.Status != "error" || !strings.Contains(f.Kernel.Reason, "CAP_AUDIT_CONTROL") {
			t.Fatalf("kernel = %+v", f.Kernel.Part)
		}
		return
	}
	testenv.RequireRoot(t)
	setpriv := testenv.RequireTool(t, "setpriv")
	if _, err := openNetlinkAudit(); errors.Is(err, ErrNoKernelAudit) {
		t.Skip("no kernel audit")
	}
	cmd := exec.Command(setpriv, "--inh-caps=-all", "--bounding-set=-audit_control,-audit_read,-audit_write", "--", os.Args[0], "-test.run=^TestAuditRealKernelNotRoot$", "-test.v")
	cmd.Env = append(os.Environ(), "ZTSCAN_AUDIT_NOCAP_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
