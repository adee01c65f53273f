package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "ztscan ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

// TestExitCodes holds the CLI to SPEC's exit codes, each with the one-line
// error that names what was wrong.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("{\n  \"schema_version\": \"1\",\n  oops\n}\n"), 0o644)
	wrongSchema := filepath.Join(dir, "v9.json")
	os.WriteFile(wrongSchema, []byte(`{"schema_version":"9","target":{"kind":"host"},"facts":{},"collectors":[]}`), 0o644)
	badConfig := filepath.Join(dir, "config.yaml")
	os.WriteFile(badConfig, []byte("ssh:\n  max_auth_trys: 3\n"), 0o644)
	badRules := filepath.Join(dir, "rules")
	os.MkdirAll(badRules, 0o755)
	os.WriteFile(filepath.Join(badRules, "x.rego"), []byte("package ztscan.custom\n\n# METADATA\n# title: no id severity\n# custom:\n#   id: ACME-X-001\nx := 1\n"), 0o644)
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, []byte("x"), 0o644)

	cases := []struct {
		name     string
		args     []string
		code     int
		stderrIn []string
	}{
		{"root missing", []string{"scan", "--root", filepath.Join(dir, "missing"), "-f", "json"}, 3, []string{"missing"}},
		{"root not a directory", []string{"--root", notDir}, 3, []string{"not a directory"}},
		{"unknown flag", []string{"scan", "--bogus"}, 2, []string{"--bogus"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{"frobnicate"}},
		{"bad format", []string{"scan", "-f", "yaml"}, 2, []string{"yaml"}},
		{"bad output spec", []string{"scan", "-o", "json"}, 2, []string{"FMT=PATH"}},
		{"bad fail-on", []string{"scan", "--fail-on", "severe"}, 2, []string{"--fail-on"}},
		{"invalid facts file", []string{"eval", garbage}, 2, []string{garbage, "line 3"}},
		{"facts file missing", []string{"eval", filepath.Join(dir, "nope.json")}, 2, []string{"nope.json"}},
		{"facts of another schema", []string{"eval", wrongSchema}, 2, []string{wrongSchema, "schema_version"}},
		{"empty stdin", []string{"eval", "-"}, 2, []string{"stdin"}},
		{"bad config", []string{"scan", "--config", badConfig, "--root", dir}, 2, []string{badConfig + ":2", "max_auth_trys"}},
		{"bad custom rule", []string{"scan", "--rules", badRules, "--root", dir}, 2, []string{"x.rego", "severity"}},
		{"only matches nothing", []string{"scan", "--only", "ZT-NOPE-*", "--root", dir}, 2, []string{"ZT-NOPE-*"}},
		{"eval needs a file", []string{"eval"}, 2, nil},
		{"rules show unknown", []string{"rules", "show", "ZT-NOPE-001"}, 2, []string{"ZT-NOPE-001"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", stderr)
			}
			for _, s := range c.stderrIn {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q does not mention %q", stderr, s)
				}
			}
		})
	}
}

// TestCollectEvalRoundTrip: collect exits 0 even when a collector fails,
// and eval of the snapshot (file or stdin) gives the same verdicts as a
// direct scan.
func TestCollectEvalRoundTrip(t *testing.T) {
	root := materialize(t, "broken-ssh-refused")
	code, snap, stderr := runCLI(t, "", "collect", "--root", root)
	if code != 0 {
		t.Fatalf("collect exit %d: %s", code, stderr)
	}
	var s struct {
		Collectors []struct{ Name, Status, Error string } `json:"collectors"`
	}
	if err := json.Unmarshal([]byte(snap), &s); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range s.Collectors {
		if c.Name == "sshd" {
			found = true
			if c.Status != "error" || !strings.Contains(c.Error, "01-typo.conf") {
				t.Errorf("sshd collector: %+v, want error naming 01-typo.conf", c)
			}
		}
	}
	if !found {
		t.Fatal("no sshd collector in the snapshot")
	}

	_, direct, _ := runCLI(t, "", "scan", "--root", root, "-f", "json", "--fail-on", "none")
	code, viaStdin, stderr := runCLI(t, snap, "eval", "-", "-f", "json", "--fail-on", "none")
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	if verdicts(t, direct) != verdicts(t, viaStdin) {
		t.Errorf("eval of the snapshot differs from the direct scan:\n%s\n---\n%s", verdicts(t, direct), verdicts(t, viaStdin))
	}
	if !strings.Contains(verdicts(t, viaStdin), "ZT-SSH-001 error") {
		t.Errorf("a refused sshd config must make SSH rules error:\n%s", verdicts(t, viaStdin))
	}
}

func verdicts(t *testing.T, report string) string {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, report)
	}
	var b strings.Builder
	for _, r := range rep.Results {
		b.WriteString(r.ID + " " + r.Status + " " + r.Message + "\n")
	}
	return b.String()
}

func TestFailOnAndOutputs(t *testing.T) {
	root := materialize(t, "broken-ssh-password") // ZT-SSH-001 (critical) fails
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "report.json")
	junitPath := filepath.Join(dir, "report.xml")
	code, _, stderr := runCLI(t, "", "--root", root, "-f", "table", "--fail-on", "high", "-o", "json="+jsonPath, "-o", "junit="+junitPath)
	if code != 1 {
		t.Errorf("critical fail with --fail-on high: exit %d, want 1 (%s)", code, stderr)
	}
	for _, p := range []string{jsonPath, junitPath} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", p, err)
		}
	}
	if code, _, _ := runCLI(t, "", "--root", root, "-f", "json", "--fail-on", "none"); code != 0 {
		t.Errorf("--fail-on none: exit %d", code)
	}
	if code, _, _ := runCLI(t, "", "--root", root, "-f", "json", "--only", "ZT-SSH-014", "--fail-on", "info"); code != 0 {
		t.Errorf("--only a passing rule: exit %d", code)
	}
	// An unwritable -o keeps the old file and says so.
	os.WriteFile(jsonPath, []byte("old"), 0o644)
	code, _, stderr = runCLI(t, "", "--root", root, "-f", "json", "--fail-on", "none", "-o", "json="+filepath.Join(dir, "no-such-dir", "r.json"))
	if code != 2 || !strings.Contains(stderr, "no-such-dir") {
		t.Errorf("unwritable -o: exit %d %q", code, stderr)
	}
}

func TestOnlyAndSkipSelectRules(t *testing.T) {
	root := materialize(t, "hardened")
	_, out, _ := runCLI(t, "", "--root", root, "-f", "json", "--fail-on", "none", "--only", "ZT-SSH-*", "--skip", "ZT-SSH-01?")
	v := verdicts(t, out)
	if strings.Contains(v, "ZT-KRN-") || strings.Contains(v, "ZT-SSH-010") || !strings.Contains(v, "ZT-SSH-001") {
		t.Errorf("selection wrong:\n%s", v)
	}
}

func TestRulesCommands(t *testing.T) {
	code, out, _ := runCLI(t, "", "rules", "list")
	if code != 0 || !strings.Contains(out, "ZT-SSH-001") || !strings.Contains(out, "ZT-KRN-008") {
		t.Errorf("rules list: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "rules", "show", "zt-ssh-001")
	if code != 0 || !strings.Contains(out, "critical") || !strings.Contains(out, "Remediation") {
		t.Errorf("rules show: %d %q", code, out)
	}
}

// TestCustomRulesExample runs the worked example of docs/custom-rules.md.
func TestCustomRulesExample(t *testing.T) {
	const dir = "../../examples/custom-rules"
	code, out, stderr := runCLI(t, "", "rules", "test", dir)
	if code != 0 || !strings.Contains(out, "4 passed, 0 failed") {
		t.Fatalf("rules test: exit %d %q %q", code, out, stderr)
	}
	root := materialize(t, "debian12-stock") // Debian's sshd_config has AcceptEnv LANG LC_*
	_, rep, stderr := runCLI(t, "", "--root", root, "--rules", dir, "--only", "ACME-*", "-f", "json", "--fail-on", "none")
	if v := verdicts(t, rep); v != "ACME-SSH-001 fail AcceptEnv passes LANG LC_*\n" {
		t.Errorf("custom rule verdict %q (%s)", v, stderr)
	}
	// A failing custom test makes `rules test` exit 1 with the count.
	broken := t.TempDir()
	os.WriteFile(filepath.Join(broken, "x_test.rego"), []byte("package ztscan.x_test\n\ntest_always_fails if { false }\n"), 0o644)
	code, out, _ = runCLI(t, "", "rules", "test", broken)
	if code != 1 || !strings.Contains(out, "0 passed, 1 failed") {
		t.Errorf("failing test: exit %d %q", code, out)
	}
}

// TestExampleConfigIsValid keeps docs/configuration.md's example true.
func TestExampleConfigIsValid(t *testing.T) {
	code, out, stderr := runCLI(t, "", "config", "show", "--config", "../../examples/config.yaml")
	if code != 0 {
		t.Fatalf("examples/config.yaml: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "crypto_profile: strict") || !strings.Contains(out, "break_glass_account: breakglass") {
		t.Errorf("overrides not applied:\n%s", out)
	}
}
