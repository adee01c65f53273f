package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/rules"
)

func TestBuild(t *testing.T) {
	in := fixtureInput()
	outcomes := []rules.Outcome{
		{Rule: rules.Rule{ID: "ZT-SSH-002", Section: "SSH", Severity: "high"}, Verdict: rules.Verdict{Status: rules.Fail}},
		{Rule: rules.Rule{ID: "ZT-FW-001", Section: "FW", Severity: "critical", References: []string{"a"}}, Verdict: rules.Verdict{Status: rules.Pass, Evidence: map[string]any{"k": 1}}},
		{Rule: rules.Rule{ID: "ZT-AUD-001", Severity: "low"}, Verdict: rules.Verdict{Status: "maybe", Message: "hm"}},
	}
	r := Build(in, outcomes)

	var ids []string
	for _, res := range r.Results {
		ids = append(ids, res.ID)
	}
	if diff := cmp.Diff([]string{"ZT-AUD-001", "ZT-FW-001", "ZT-SSH-002"}, ids); diff != "" {
		t.Errorf("results are not sorted by ID (-want +got):\n%s", diff)
	}
	// An unknown status must not vanish from the counts.
	if got := r.Results[0]; got.Status != rules.Error || !strings.Contains(got.Message, `"maybe"`) {
		t.Errorf("unknown status became %q %q, want an error naming it", got.Status, got.Message)
	}
	if got := r.Results[0].Section; got != "AUD" {
		t.Errorf("a rule without a section got %q, want it from the ID: AUD", got)
	}
	if r.Results[2].Evidence == nil || r.Results[2].References == nil {
		t.Errorf("evidence and references must be {} and [], never null")
	}
	if r.Scan.DurationMS != 2345 {
		t.Errorf("duration_ms = %d, want 2345", r.Scan.DurationMS)
	}
	if r.Scan.StartedAt.Location() != time.UTC {
		t.Errorf("started_at is in %v, want UTC", r.Scan.StartedAt.Location())
	}
	var names []string
	for _, c := range r.Collectors {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"auditrules", "chrony", "nftables", "sshd"}, names); diff != "" {
		t.Errorf("collectors are not sorted by name (-want +got):\n%s", diff)
	}
	if want := (Counts{Total: 3, Pass: 1, Fail: 1, Error: 1}); r.Summary.Counts != want {
		t.Errorf("summary counts = %+v, want %+v", r.Summary.Counts, want)
	}
	if r.Scan.ID == "" || len(r.Scan.ID) != 16 {
		t.Errorf("scan id %q is not 16 hex digits", r.Scan.ID)
	}
	// The caller's slices must not be reordered behind its back.
	if outcomes[0].Rule.ID != "ZT-SSH-002" || in.Collectors[0].Name != "sshd" {
		t.Errorf("Build reordered its input")
	}
}

func TestScanID(t *testing.T) {
	in := fixtureInput()
	same := Build(in, nil).Scan.ID
	if again := Build(in, nil).Scan.ID; again != same {
		t.Errorf("same inputs gave ids %s and %s", same, again)
	}
	// The local zone of the caller must not change the id.
	local := in
	local.StartedAt = in.StartedAt.In(time.FixedZone("CET", 3600))
	if id := Build(local, nil).Scan.ID; id != same {
		t.Errorf("same instant in another zone gave id %s, want %s", id, same)
	}
	later := in
	later.StartedAt = in.StartedAt.Add(time.Second)
	other := in
	other.Target.Hostname = "golden-02"
	for name, changed := range map[string]BuildInput{"later scan": later, "other host": other} {
		if id := Build(changed, nil).Scan.ID; id == same {
			t.Errorf("%s has the same id %s", name, id)
		}
	}
}

// TestJSONFieldNames holds the JSON report to SPEC.md's names: a consumer
// (SIEM, CI script, ztscan diff) reads these keys.
func TestJSONFieldNames(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, "json", fixtureReportPlain(t), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	requireKeys(t, "report", doc, "schema_version", "tool", "scan", "summary", "results", "collectors")
	for _, key := range []string{"drift", "waivers"} {
		if _, ok := doc[key]; ok {
			t.Errorf("%s must be absent without --baseline and --waivers", key)
		}
	}
	if doc["schema_version"] != "1" {
		t.Errorf("schema_version = %v, want \"1\"", doc["schema_version"])
	}
	requireKeys(t, "tool", obj(t, doc["tool"]), "name", "version")
	scan := obj(t, doc["scan"])
	requireKeys(t, "scan", scan, "id", "started_at", "finished_at", "duration_ms", "target")
	requireKeys(t, "scan.target", obj(t, scan["target"]), "kind", "root", "hostname", "os")
	summary := obj(t, doc["summary"])
	requireKeys(t, "summary", summary, "total", "pass", "fail", "error", "skip", "waived", "score", "by_severity")
	bySeverity := obj(t, summary["by_severity"])
	for _, sev := range rules.Severities {
		requireKeys(t, "summary.by_severity."+sev, obj(t, bySeverity[sev]), "total", "pass", "fail", "error", "skip", "waived")
	}
	results, _ := doc["results"].([]any)
	if len(results) == 0 {
		t.Fatal("no results")
	}
	waivers := 0
	for _, r := range results {
		result := obj(t, r)
		requireKeys(t, "result", result, "id", "title", "section", "severity", "status", "message", "evidence", "remediation", "references")
		if _, ok := result["evidence"].(map[string]any); !ok {
			t.Errorf("%v: evidence is %T, want an object", result["id"], result["evidence"])
		}
		if _, ok := result["references"].([]any); !ok {
			t.Errorf("%v: references is %T, want an array", result["id"], result["references"])
		}
		if w, ok := result["waiver"]; ok {
			waivers++
			requireKeys(t, "result.waiver", obj(t, w), "id", "reason", "expires", "owner")
		}
	}
	if waivers != 1 {
		t.Errorf("%d results carry a waiver, want 1 (the others must omit it)", waivers)
	}
	collectors, _ := doc["collectors"].([]any)
	for _, c := range collectors {
		requireKeys(t, "collector", obj(t, c), "name", "status", "duration_ms")
	}
}

func TestJSONDrift(t *testing.T) {
	r := fixtureReport(t)
	r.Drift = &Drift{NewFailures: []DriftEntry{{ID: "ZT-FW-002", Title: "t", Severity: "critical", OldStatus: "pass", NewStatus: "fail"}}}
	var buf bytes.Buffer
	if err := Render(&buf, "json", r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	drift := obj(t, doc["drift"])
	requireKeys(t, "drift", drift, "new_failures", "fixed", "changed")
	entries, _ := drift["new_failures"].([]any)
	if len(entries) != 1 {
		t.Fatalf("new_failures = %v", drift["new_failures"])
	}
	requireKeys(t, "drift entry", obj(t, entries[0]), "id", "title", "severity", "old_status", "new_status")
}

func TestJSONTrailingNewlineAndIndent(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, "json", Build(fixtureInput(), nil), RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "}\n") || !strings.HasPrefix(out, "{\n  \"schema_version\"") {
		t.Errorf("want a 2-space indented document with a trailing newline, got:\n%s", out)
	}
	if !strings.Contains(out, `"results": []`) || !strings.Contains(out, `"collectors": [`) {
		t.Errorf("empty results must be [], not null:\n%s", out)
	}
}

func obj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is %T, want an object", v, v)
	}
	return m
}

func requireKeys(t *testing.T, where string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: key %q is missing", where, k)
		}
	}
}

func TestSectionTitle(t *testing.T) {
	tests := map[string]string{
		"FW": "Firewall and segmentation", "NET": "Network exposure", "SSH": "SSH", "ID": "Identity and accounts",
		"PRIV": "Least privilege", "MAC": "Mandatory access control", "KRN": "Kernel",
		"TLS": "Transport identity and certificates", "TIME": "Time", "AUD": "Audit and monitoring",
		"SVC": "Services", "PKG": "Packages", "FS": "Filesystem", "DB": "Data layer", "VPN": "VPN",
		"PHY": "Physical", "PLAT": "Platform", "TUNE": "Tuning", "WEB": "WEB",
	}
	for code, want := range tests {
		if got := SectionTitle(code); got != want {
			t.Errorf("SectionTitle(%q) = %q, want %q", code, got, want)
		}
	}
	for _, code := range Sections() {
		if SectionTitle(code) == code && code != "SSH" && code != "VPN" {
			t.Errorf("section %s has no title", code)
		}
	}
}

func TestGroupBySectionOrder(t *testing.T) {
	results := []Result{
		{ID: "ACME-WEB-1", Section: "WEB"}, {ID: "ZT-TUNE-001", Section: "TUNE"}, {ID: "ACME-BAK-1", Section: "BAK"},
		{ID: "ZT-FW-001", Section: "FW"}, {ID: "ZT-SSH-001", Section: "SSH"}, {ID: "ZT-FW-002", Section: "FW"},
	}
	var got []string
	for _, g := range groupBySection(results) {
		got = append(got, g.Code)
	}
	if diff := cmp.Diff([]string{"FW", "SSH", "TUNE", "BAK", "WEB"}, got); diff != "" {
		t.Errorf("section order (-want +got):\n%s", diff)
	}
}
