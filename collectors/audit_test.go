package collectors

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	libaudit "github.com/elastic/go-libaudit/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/auditrules"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/config"
	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/rules"
	"golang.org/x/sys/unix"
)

// fakeKernel stands in for the netlink client: a status and rules given
// as auditctl text, built into the kernel's binary form.
type fakeKernel struct {
	status libaudit.AuditStatus
	rules  []string
	isDir  func(string) bool
	err    error
}

func (k *fakeKernel) Status() (*libaudit.AuditStatus, error) {
	if k.err != nil {
		return nil, k.err
	}
	st := k.status
	return &st, nil
}

func (k *fakeKernel) Rules() ([][]byte, error) {
	var out [][]byte
	for _, r := range k.rules {
		w, err := auditrules.Wire(r, auditrules.Options{IsDir: k.isDir})
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func (k *fakeKernel) Close() error { return nil }

// persistedTexts is what a kernel that loaded the image's rules holds.
func persistedTexts(t testing.TB, h hostfs.Host) []string {
	t.Helper()
	p, err := auditrules.Load(h, targetRuleOptions(h))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range p.Set.Rules {
		out = append(out, r.Text)
	}
	return out
}

func collectAudit(t testing.TB, h hostfs.Host, k AuditKernel) *AuditFacts {
	t.Helper()
	a := NewAudit(nil)
	if k != nil {
		a.WithKernel(k)
	}
	v, err := a.Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	return v.(*AuditFacts)
}

// judge runs the audit and logging collectors on h and evaluates the AUD
// rules with the default configuration: id -> "status message".
func judge(t *testing.T, h hostfs.Host, a *Audit) map[string]string {
	t.Helper()
	ctx := context.Background()
	data, statuses := Run(ctx, h, []Collector{a, NewLogging()}, RunOptions{})
	snap := facts.Snapshot{SchemaVersion: "1", CollectedAt: time.Unix(0, 0).UTC(), Target: facts.Target{Kind: string(h.Kind()), Root: "/"}, Facts: data, Collectors: statuses}
	js, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rules.Load(ctx, rules.Options{Config: cfg.Values})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := eng.Eval(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range outs {
		if strings.HasPrefix(o.Rule.ID, "ZT-AUD-") {
			got[o.Rule.ID] = o.Verdict.Status + " " + o.Verdict.Message
		}
	}
	return got
}

func TestAuditImagesGolden(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the golden files record root-owned fixture files (fixture.Materialize chowns only as root)")
	}
	for _, name := range []string{"aud-hardened", "aud-broken", "debian12-stock"} {
		t.Run(name, func(t *testing.T) {
			h, err := hostfs.Rootfs(svcImage(t, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []Collector{NewAudit(nil), NewLogging()} {
				checkGolden(t, c.Name()+"/"+name, collectOn(t, c, h))
			}
		})
	}
}

func TestAuditImagesVerdicts(t *testing.T) {
	want := map[string]map[string]string{
		"aud-hardened": {
			"ZT-AUD-001": "pass auditd is installed (package auditd 1:3.0.9-1 is installed) and auditd.service is enabled; kernel state not available on an offline root",
			"ZT-AUD-002": "pass identity files watched with -p wa in the persisted rules (offline root: loaded rules not available): /etc/passwd, /etc/shadow, /etc/group, /etc/gshadow",
			"ZT-AUD-003": "pass access-control files watched with -p wa in the persisted rules (offline root: loaded rules not available): /etc/ssh/sshd_config, /etc/sudoers, /etc/sudoers.d, /etc/pam.d",
			"ZT-AUD-004": "pass running sudo is audited in the persisted rules (offline root: loaded rules not available): /usr/bin/sudo (-a always,exit -S all -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=-1 -F key=privileged)",
			"ZT-AUD-005": "pass network configuration is watched with -p wa in the persisted rules (offline root: loaded rules not available): firewall: /etc/nftables.conf; network: /etc/network",
			"ZT-AUD-006": "pass running curl is audited in the persisted rules (offline root: loaded rules not available)",
			"ZT-AUD-007": "skip loaded audit rules not available on this target: an offline root has no running kernel: only the persisted rules are known",
			"ZT-AUD-008": "pass AIDE: database /var/lib/aide/aide.db initialised, run by timer dailyaidecheck.timer",
			"ZT-AUD-009": "pass rsyslog enabled (offline root: running state not available), forwarding /etc/rsyslog.d/90-forward.conf:2 -> siem.example.net:6514 (tcp, TLS)",
		},
		"aud-broken": {
			"ZT-AUD-001": "fail audit=0 on the kernel command line (/etc/default/grub) turns auditing off at boot; auditd.service is disabled",
			"ZT-AUD-002": "fail identity files not watched for wa in the persisted rules (offline root: loaded rules not available): /etc/group is watched with -p w, needs wa (persisted rules); /etc/gshadow is not watched (persisted rules); /etc/shadow is not watched (persisted rules)",
			"ZT-AUD-004": "fail running sudo (/usr/bin/sudo) is not audited in the persisted rules (offline root: loaded rules not available)",
			"ZT-AUD-005": "fail network configuration changes are not watched in the persisted rules (offline root: loaded rules not available): firewall: none of /etc/nftables.conf is watched with -p wa (persisted rules); network: none of /etc/network is watched with -p wa (persisted rules)",
			"ZT-AUD-006": "fail running outbound tools is not audited in the persisted rules (offline root: loaded rules not available): nc (persisted rules)",
			"ZT-AUD-008": "fail no file integrity monitoring: AIDE database /var/lib/aide/aide.db is not initialised (aide --init wrote a new database that was never moved into place); Wazuh/OSSEC agent is not installed (none of the packages wazuh-agent, ossec-hids-agent, ossec-hids is installed); no enabled timer or cron job runs AIDE",
			"ZT-AUD-009": "fail no active log shipping: rsyslog has no remote forwarding action",
		},
	}
	for name, verdicts := range want {
		t.Run(name, func(t *testing.T) {
			h, err := hostfs.Rootfs(svcImage(t, name))
			if err != nil {
				t.Fatal(err)
			}
			got := judge(t, h, NewAudit(nil))
			for id, w := range verdicts {
				if got[id] != w {
					t.Errorf("%s:\n got %s\nwant %s", id, got[id], w)
				}
			}
		})
	}
}

// TestAuditLiveFixture is the live-only case: the image's rules are
// persisted, and the kernel (substituted) holds other rules.
func TestAuditLiveFixture(t *testing.T) {
	root := svcImage(t, "aud-hardened")
	h := hostfs.Fixture(hostfs.KindHost, root, nil)
	isDir := targetRuleOptions(h).IsDir
	persisted := persistedTexts(t, h)
	locked := libaudit.AuditStatus{Enabled: 2, Failure: 1, PID: 412, BacklogLimit: 8192}
	for _, tc := range []struct {
		name    string
		kernel  *fakeKernel
		verdict map[string]string
	}{
		{
			name:   "loaded as persisted",
			kernel: &fakeKernel{status: locked, rules: persisted, isDir: isDir},
			verdict: map[string]string{
				"ZT-AUD-007": "pass all 13 persisted audit rules (augenrules) are loaded",
				"ZT-AUD-002": "pass identity files watched with -p wa in the persisted and loaded rules: /etc/passwd, /etc/shadow, /etc/group, /etc/gshadow",
			},
		},
		{
			name:   "persisted but not loaded (auditd never ran augenrules)",
			kernel: &fakeKernel{status: libaudit.AuditStatus{Enabled: 1, Failure: 1, BacklogLimit: 64}, isDir: isDir},
			verdict: map[string]string{
				"ZT-AUD-007": "fail the loaded audit rules differ from the persisted ones (augenrules): 13 persisted rules missing at runtime: ",
				"ZT-AUD-002": "fail identity files not watched for wa in the persisted and loaded rules: /etc/group is not watched (loaded rules); ",
			},
		},
		{
			name:    "not root",
			kernel:  &fakeKernel{err: syscall.EPERM},
			verdict: map[string]string{"ZT-AUD-007": "error audit rule comparison could not be read: kernel rules: reading the kernel audit status and rules needs root (CAP_AUDIT_CONTROL): operation not permitted"},
		},
		{
			name:    "kernel without audit",
			kernel:  &fakeKernel{err: ErrNoKernelAudit},
			verdict: map[string]string{"ZT-AUD-001": "fail the kernel has no audit support", "ZT-AUD-007": "fail the loaded audit rules differ from the persisted ones (augenrules): 13 persisted rules missing at runtime: /etc/audit/rules.d/50-access.rules:2: -w /etc/ssh -p wa -k access, "},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := judge(t, h, NewAudit(nil).WithKernel(tc.kernel))
			for id, w := range tc.verdict {
				if !strings.HasPrefix(got[id], w) {
					t.Errorf("%s:\n got %s\nwant prefix %s", id, got[id], w)
				}
			}
		})
	}
}

func TestAuditComparison(t *testing.T) {
	h := hostfs.Fixture(hostfs.KindHost, svcImage(t, "aud-hardened"), nil)
	persisted := persistedTexts(t, h)
	k := &fakeKernel{status: libaudit.AuditStatus{Enabled: 1, Failure: 1, BacklogLimit: 8192}, rules: append(append([]string{}, persisted[1:]...), "-w /tmp/extra -p w"), isDir: targetRuleOptions(h).IsDir}
	f := collectAudit(t, h, k)
	c := f.Comparison
	if c.Status != "ok" || c.Identical {
		t.Fatalf("comparison = %+v", c)
	}
	if len(c.MissingAtRuntime) != 1 || c.MissingAtRuntime[0].Text != persisted[0] || c.MissingAtRuntime[0].File != "/etc/audit/rules.d/50-access.rules" || c.MissingAtRuntime[0].Line != 2 {
		t.Errorf("missing = %+v", c.MissingAtRuntime)
	}
	if diff := cmp.Diff([]string{"-w /tmp/extra -p w"}, c.NotPersisted); diff != "" {
		t.Errorf("not persisted (-want +got)\n%s", diff)
	}
	want := []AuditControlDiff{{Option: "-e", Persisted: 2, Runtime: 1, File: "/etc/audit/rules.d/99-finalize.rules", Line: 2}}
	if diff := cmp.Diff(want, c.Controls); diff != "" {
		t.Errorf("controls (-want +got)\n%s", diff)
	}
	if f.Kernel.FailureMode != "printk" || f.Kernel.Immutable {
		t.Errorf("kernel = %+v", f.Kernel)
	}
}

// TestAuditCoverageForms: -w DIR covers below it, -F dir= too, -F path=
// only itself, exe= the binary's runs, and nc is followed through the
// alternatives links to the real binary.
func TestAuditCoverageForms(t *testing.T) {
	h, _ := hostfs.Rootfs(svcImage(t, "aud-broken"))
	rs := []string{"-w /etc/ssh/ -p wa", "-a always,exit -F dir=/etc/pam.d -F perm=w", "-a always,exit -F path=/etc/sudoers.d -F perm=wa -F auid>=1000", "-a always,exit -F arch=b64 -S execve -F exe=/bin/nc.openbsd"}
	var parsed []auditrules.Rule
	for _, r := range rs {
		n, err := auditrules.Normalise(r, targetRuleOptions(h))
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, n)
	}
	c := coverage(h, "persisted", parsed, []string{"/etc/ssh/sshd_config", "/etc/pam.d", "/etc/pam.d/sshd", "/etc/sudoers.d", "/etc/sudoers.d/README", "/usr/bin/nc"})
	for p, want := range map[string]string{"/etc/ssh/sshd_config": "wa", "/etc/pam.d": "w", "/etc/pam.d/sshd": "w", "/etc/sudoers.d": "wa", "/etc/sudoers.d/README": "", "/usr/bin/nc": "x"} {
		if got := c.Paths[p].Perms; got != want {
			t.Errorf("%s: perms %q, want %q (%+v)", p, got, want, c.Paths[p])
		}
	}
	if nc := c.Paths["/usr/bin/nc"]; nc.Resolved != "/bin/nc.openbsd" || !nc.ExecAudited || !nc.Exists {
		t.Errorf("nc = %+v", nc)
	}
}

// TestAuditBadInput: garbage, a FIFO in rules.d and a 1 GB sparse
// audit.rules end as errors naming the file, fast.
func TestAuditBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, root string)
		want  string
	}{
		{"garbage line", func(t *testing.T, root string) {
			writeAuditFile(t, root, "etc/audit/rules.d/10-ok.rules", "-w /etc/passwd -p wa\n")
			writeAuditFile(t, root, "etc/audit/rules.d/20-bad.rules", "# header\n\n-w /etc/shadow -p wa\n-a always,exit -F arch=b64 -S frobnicate\n")
		}, "/etc/audit/rules.d/20-bad.rules:4: "},
		{"binary garbage", func(t *testing.T, root string) {
			writeAuditFile(t, root, "etc/audit/audit.rules", "\x7fELF\x02\x01\x01\x00\x00\x00garbage\n")
		}, "/etc/audit/audit.rules:1: "},
		{"FIFO in rules.d", func(t *testing.T, root string) {
			writeAuditFile(t, root, "etc/audit/rules.d/10-ok.rules", "-w /etc/passwd -p wa\n")
			if err := unix.Mkfifo(filepath.Join(root, "etc/audit/rules.d/50-pipe.rules"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "/etc/audit/rules.d/50-pipe.rules"},
		{"1 GB sparse audit.rules", func(t *testing.T, root string) {
			p := filepath.Join(root, "etc/audit/audit.rules")
			writeAuditFile(t, root, "etc/audit/audit.rules", "")
			if err := os.Truncate(p, 1<<30); err != nil {
				t.Fatal(err)
			}
		}, "/etc/audit/audit.rules"},
		{"rules.d is a file", func(t *testing.T, root string) {
			writeAuditFile(t, root, "etc/audit/rules.d", "-w /x -p w\n")
		}, "/etc/audit/rules.d: not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(t, root)
			h, err := hostfs.Rootfs(root)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			f := collectAudit(t, h, nil)
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if f.Persisted.Status != "error" || !strings.Contains(f.Persisted.Reason, tc.want) {
				t.Errorf("persisted = %+v, want an error naming %q", f.Persisted.Part, tc.want)
			}
			if f.Coverage.Persisted.Status != "error" || f.Comparison.Status != "error" {
				t.Errorf("coverage %+v comparison %+v: want errors", f.Coverage.Persisted.Part, f.Comparison.Part)
			}
		})
	}
}

func writeAuditFile(t *testing.T, root, rel, data string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAuditKernelTimeout(t *testing.T) {
	h := hostfs.Fixture(hostfs.KindHost, t.TempDir(), nil)
	a := NewAudit(nil)
	a.kernel = func() (AuditKernel, error) { return &fakeKernel{err: errors.New("boom")}, nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, _ := a.kernelSide(ctx, h)
	if f.Status != "error" {
		t.Errorf("kernel = %+v", f.Part)
	}
}

func BenchmarkAuditCollect(b *testing.B) {
	root := svcImage(b, "aud-hardened")
	h := hostfs.Fixture(hostfs.KindHost, root, nil)
	k := &fakeKernel{status: libaudit.AuditStatus{Enabled: 2}, rules: persistedTexts(b, h), isDir: targetRuleOptions(h).IsDir}
	a := NewAudit(nil).WithKernel(k)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoggingCollect(b *testing.B) {
	h, _ := hostfs.Rootfs(svcImage(b, "aud-hardened"))
	for i := 0; i < b.N; i++ {
		if _, err := NewLogging().Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
