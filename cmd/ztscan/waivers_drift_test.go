package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// extrasReport is what these tests read of a JSON report.
type extrasReport struct {
	Results []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Waiver *struct {
			ID, Reason, Expires, Source string
		} `json:"waiver"`
	} `json:"results"`
	Summary struct {
		Fail, Waived int
	} `json:"summary"`
	Waivers *struct {
		Applied, Expired, Unused []struct {
			ID    string   `json:"id"`
			Rules []string `json:"rules"`
		}
	} `json:"waivers"`
	Drift *struct {
		NewFailures []struct{ ID string } `json:"new_failures"`
		Fixed       []struct{ ID string } `json:"fixed"`
	} `json:"drift"`
}

func parseExtras(t *testing.T, out string) extrasReport {
	t.Helper()
	var r extrasReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	return r
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWaivers: on broken-ssh-password ZT-SSH-001 (critical) fails; a
// waiver makes it waived and the run green, an expired one does not, one
// that matches nothing is reported unused, and a broken file is exit 2
// naming file and line before anything is scanned.
func TestWaivers(t *testing.T) {
	root := materialize(t, "broken-ssh-password")
	dir := t.TempDir()
	scan := func(waivers string, extra ...string) (int, extrasReport, string) {
		args := append([]string{"scan", "--root", root, "--only", "ZT-SSH-001", "-f", "json", "--fail-on", "high", "--waivers", waivers}, extra...)
		code, out, stderr := runCLI(t, "", args...)
		if code == exitUsage {
			return code, extrasReport{}, stderr
		}
		return code, parseExtras(t, out), stderr
	}
	if code, _, stderr := runCLI(t, "", "scan", "--root", root, "--only", "ZT-SSH-001", "-f", "json", "--fail-on", "high"); code != 1 {
		t.Fatalf("without waivers: exit %d, want 1 (%s)", code, stderr)
	}

	valid := writeFile(t, dir, "valid.yaml", "- id: zt-ssh-00?\n  reason: jump host being replaced, CHG-7\n  expires: 2999-12-31\n  owner: ops\n- id: ZT-KRN-*\n  reason: unused here\n  expires: 2999-12-31\n")
	code, r, stderr := scan(valid)
	if code != 0 {
		t.Errorf("waived: exit %d, want 0 (%s)", code, stderr)
	}
	if len(r.Results) != 1 || r.Results[0].Status != "waived" || r.Results[0].Waiver == nil || r.Results[0].Waiver.Reason != "jump host being replaced, CHG-7" {
		t.Errorf("results = %+v", r.Results)
	}
	if r.Summary.Fail != 0 || r.Summary.Waived != 1 {
		t.Errorf("summary = %+v", r.Summary)
	}
	if r.Waivers == nil || len(r.Waivers.Applied) != 1 || len(r.Waivers.Unused) != 1 || r.Waivers.Unused[0].ID != "ZT-KRN-*" {
		t.Errorf("waivers = %+v", r.Waivers)
	}
	// The table says so too.
	_, table, _ := runCLI(t, "", "scan", "--root", root, "--only", "ZT-SSH-001", "-f", "table", "--waivers", valid)
	for _, want := range []string{"WAIVED", "Waived (1)", "Waivers not applied (0 expired, 1 unused)"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	expired := writeFile(t, dir, "expired.yaml", "- id: ZT-SSH-001\n  reason: was temporary\n  expires: 2020-01-31\n")
	code, r, _ = scan(expired)
	if code != 1 || r.Results[0].Status != "fail" {
		t.Errorf("expired waiver: exit %d, status %s; want 1, fail", code, r.Results[0].Status)
	}
	if r.Waivers == nil || len(r.Waivers.Expired) != 1 || strings.Join(r.Waivers.Expired[0].Rules, ",") != "ZT-SSH-001" {
		t.Errorf("expired waiver not listed: %+v", r.Waivers)
	}

	otherHost := writeFile(t, dir, "other.yaml", "- id: ZT-SSH-001\n  reason: r\n  expires: 2999-01-01\n  hosts: [no-such-host-*]\n")
	if code, r, _ = scan(otherHost); code != 1 || len(r.Waivers.Unused) != 1 {
		t.Errorf("waiver for other hosts: exit %d, waivers %+v", code, r.Waivers)
	}

	for name, c := range map[string]struct{ content, want string }{
		"bad-date.yaml":    {"- id: ZT-SSH-001\n  reason: r\n  expires: soon\n", ":1: expires \"soon\" is not a date"},
		"unknown-key.yaml": {"- id: ZT-SSH-001\n  reason: r\n  expires: 2999-01-01\n  hostz: [a]\n", ":4: unknown key \"hostz\""},
		"syntax.yaml":      {"- id: ZT-SSH-001\n  reason: [oops\n", "syntax.yaml:"},
		"not-a-list.yaml":  {"waivers: []\n", ":1: want a list"},
	} {
		p := writeFile(t, dir, name, c.content)
		code, _, stderr := scan(p)
		if code != 2 || !strings.Contains(stderr, p) || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 naming the file and %q", name, code, stderr, c.want)
		}
		if strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
			t.Errorf("%s: stderr is not one line: %q", name, stderr)
		}
	}
	if code, _, stderr := scan(filepath.Join(dir, "missing.yaml")); code != 2 || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("missing waivers file: exit %d %q", code, stderr)
	}
}

// TestBaselineAndDiff: a report of the hardened image is the baseline of a
// scan of the broken one; the drift lists ZT-SSH-001 as a new failure, the
// table shows it, and `ztscan diff` exits by --fail-on.
func TestBaselineAndDiff(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	only := []string{"--only", "ZT-SSH-*", "--fail-on", "none"}
	if code, _, stderr := runCLI(t, "", append([]string{"scan", "--root", materialize(t, "hardened"), "-f", "table", "-o", "json=" + good}, only...)...); code != 0 {
		t.Fatalf("baseline scan: exit %d %s", code, stderr)
	}
	broken := materialize(t, "broken-ssh-password")
	code, out, stderr := runCLI(t, "", append([]string{"scan", "--root", broken, "-f", "json", "--baseline", good, "-o", "json=" + bad}, only...)...)
	if code != 0 {
		t.Fatalf("scan with baseline: exit %d %s", code, stderr)
	}
	r := parseExtras(t, out)
	if r.Drift == nil || !containsID(r.Drift.NewFailures, "ZT-SSH-001") {
		t.Errorf("drift = %+v, want ZT-SSH-001 among the new failures", r.Drift)
	}
	_, table, _ := runCLI(t, "", append([]string{"scan", "--root", broken, "-f", "table", "--baseline", good}, only...)...)
	if !strings.Contains(table, "Drift from baseline scan") || !strings.Contains(table, "new failure  critical  ZT-SSH-001") {
		t.Errorf("table lacks the drift:\n%s", table)
	}
	_, html, _ := runCLI(t, "", append([]string{"scan", "--root", broken, "-f", "html", "--baseline", good}, only...)...)
	if !strings.Contains(html, `<h2 id="drift">`) {
		t.Error("html lacks the drift")
	}

	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"new critical failure", []string{"diff", good, bad, "-f", "json"}, 1, `"new_failures": [`},
		{"fail-on none", []string{"diff", good, bad, "--fail-on", "none", "-f", "markdown"}, 0, "| new failure | critical | ZT-SSH-001 |"},
		{"only fixes", []string{"diff", bad, good, "-f", "table"}, 0, "fixed"},
		{"same report", []string{"diff", good, good, "-f", "table"}, 0, "No drift from baseline scan"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, "", c.args...)
			if code != c.code || !strings.Contains(out, c.out) {
				t.Errorf("exit %d (want %d), stdout lacks %q:\n%s%s", code, c.code, c.out, out, stderr)
			}
		})
	}
}

func containsID(list []struct{ ID string }, id string) bool {
	for _, e := range list {
		if e.ID == id {
			return true
		}
	}
	return false
}

// TestBadBaselines: a baseline that is not a report of this schema
// version is exit 2 naming the file, for --baseline and for diff.
func TestBadBaselines(t *testing.T) {
	dir := t.TempDir()
	root := materialize(t, "hardened")
	good := filepath.Join(dir, "good.json")
	if code, _, stderr := runCLI(t, "", "scan", "--root", root, "--only", "ZT-SSH-001", "-f", "table", "--fail-on", "none", "-o", "json="+good); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	data, _ := os.ReadFile(good)
	v2 := writeFile(t, dir, "v2.json", strings.Replace(string(data), `"schema_version": "1"`, `"schema_version": "2"`, 1))
	garbage := writeFile(t, dir, "garbage.json", "{\n  \"schema_version\": \"1\",\n  \"results\": [\n    oops\n")
	_, snap, _ := runCLI(t, "", "collect", "--root", root)
	snapshot := writeFile(t, dir, "facts.json", snap)
	empty := writeFile(t, dir, "empty.json", "")
	cases := map[string]string{v2: `schema_version "2"`, garbage: "line 4", snapshot: "not a ztscan JSON report", empty: "empty", filepath.Join(dir, "none.json"): "no such file"}
	for file, want := range cases {
		for _, args := range [][]string{
			{"scan", "--root", root, "--only", "ZT-SSH-001", "-f", "json", "--baseline", file},
			{"eval", "-", "-f", "json", "--baseline", file},
			{"diff", file, good},
			{"diff", good, file},
		} {
			code, _, stderr := runCLI(t, snap, args...)
			if code != 2 || !strings.Contains(stderr, file) || !strings.Contains(stderr, want) {
				t.Errorf("%v: exit %d, stderr %q; want 2 naming the file and %q", args, code, stderr, want)
			}
		}
	}
	for _, args := range [][]string{{"diff", good}, {"diff", good, good, "-f", "sarif"}, {"diff", good, good, "--fail-on", "severe"}} {
		if code, _, _ := runCLI(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestUnwritableOutputKeepsOldFile: an -o path that can not be replaced
// fails with exit 2 naming it, and what was there is left alone.
func TestUnwritableOutputKeepsOldFile(t *testing.T) {
	root := materialize(t, "hardened")
	dir := t.TempDir()
	notDir := writeFile(t, dir, "file", "x")
	asDir := filepath.Join(dir, "report.html")
	os.Mkdir(asDir, 0o755)
	writeFile(t, asDir, "keep", "old")
	for _, path := range []string{filepath.Join(notDir, "r.sarif"), asDir} {
		code, _, stderr := runCLI(t, "", "scan", "--root", root, "--only", "ZT-SSH-001", "-f", "json", "--fail-on", "none", "-o", "sarif="+path, "-o", "html="+path)
		if code != 2 || !strings.Contains(stderr, path) {
			t.Errorf("-o %s: exit %d %q", path, code, stderr)
		}
	}
	if b, err := os.ReadFile(filepath.Join(asDir, "keep")); err != nil || string(b) != "old" {
		t.Errorf("old content touched: %q %v", b, err)
	}
	if os.Geteuid() == 0 {
		return // root writes into read-only directories
	}
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o755)
	old := writeFile(t, ro, "report.md", "old report")
	os.Chmod(ro, 0o555)
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	code, _, stderr := runCLI(t, "", "scan", "--root", root, "--only", "ZT-SSH-001", "-f", "json", "--fail-on", "none", "-o", "markdown="+old)
	if b, _ := os.ReadFile(old); code != 2 || string(b) != "old report" || !strings.Contains(stderr, old) {
		t.Errorf("read-only dir: exit %d %q, file now %q", code, stderr, b)
	}
}

// TestNewFormatsFromCLI: every renderer is reachable with -f and -o.
func TestNewFormatsFromCLI(t *testing.T) {
	root := materialize(t, "broken-ssh-password")
	for format, want := range map[string]string{
		"sarif": `"version": "2.1.0"`, "html": "<!DOCTYPE html>", "markdown": "## ztscan report",
		"ecs": `"event":{"kind":"state"`, "ocsf": `"class_uid":2003`,
	} {
		code, out, stderr := runCLI(t, "", "scan", "--root", root, "--only", "ZT-SSH-*", "-f", format, "--fail-on", "none")
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("-f %s: exit %d %s, output lacks %q", format, code, stderr, want)
		}
	}
}
