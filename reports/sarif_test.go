package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// sarifSchemaFile is the official SARIF 2.1.0 schema, copied verbatim from
// oasis-tcs/sarif-spec (Documents/CommitteeSpecifications/2.1.0).
var sarifSchemaFile = filepath.Join("testdata", "schema", "sarif-schema-2.1.0.json")

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	// The schema is self-contained; nothing may be fetched.
	c.LoadURL = func(s string) (io.ReadCloser, error) { return nil, fmt.Errorf("no network in tests: %s", s) }
	const id = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
	if err := c.AddResource(id, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func renderSARIFDoc(t *testing.T, r *Report) (map[string]any, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, "sarif", r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("sarif is not JSON: %v", err)
	}
	return doc, buf.Bytes()
}

// TestSARIFValidatesAgainstSchema checks the fixture report, a report with
// hostile text and an empty report against the official schema (formats
// uri, uri-reference and date-time asserted, as draft-07 does).
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	schema := compileSARIFSchema(t)
	hostile := fixtureReport(t)
	hostile.Results[0].Message = "a\x00b\x1b[31m\u202e <x> \"q\""
	hostile.Results[0].Status = "fail"
	hostile.Results[0].Evidence = map[string]any{"file": "/etc/with space:colon/ü", "line": 7.0}
	hostile.Scan.Target.Root = "/srv/image with space"
	empty := &Report{Tool: hostile.Tool, Scan: hostile.Scan}
	empty.Summary = Summarize(nil)
	for name, r := range map[string]*Report{"fixture": fixtureReport(t), "hostile": hostile, "empty": empty} {
		t.Run(name, func(t *testing.T) {
			doc, _ := renderSARIFDoc(t, r)
			if err := schema.Validate(doc); err != nil {
				t.Errorf("does not validate against the SARIF 2.1.0 schema:\n%#v", err)
			}
		})
	}
}

// TestSARIFSchemaRejectsBrokenLog proves the validator is live: a log
// missing what the schema requires fails.
func TestSARIFSchemaRejectsBrokenLog(t *testing.T) {
	schema := compileSARIFSchema(t)
	doc, _ := renderSARIFDoc(t, fixtureReport(t))
	run := doc["runs"].([]any)[0].(map[string]any)
	delete(run["results"].([]any)[0].(map[string]any), "message")
	if err := schema.Validate(doc); err == nil {
		t.Error("a result without message validated")
	}
}

func TestSARIFStructure(t *testing.T) {
	r := fixtureReport(t)
	doc, _ := renderSARIFDoc(t, r)
	if doc["version"] != "2.1.0" || !strings.Contains(doc["$schema"].(string), "sarif-schema-2.1.0.json") {
		t.Errorf("version %v, $schema %v", doc["version"], doc["$schema"])
	}
	runs := doc["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	if driver["name"] != "ztscan" || driver["version"] != "1.0.0-test" || driver["informationUri"] != InformationURI {
		t.Errorf("driver = %v", driver)
	}
	rulesList := driver["rules"].([]any)
	if len(rulesList) != len(r.Results) {
		t.Errorf("%d rules, want one per result (%d)", len(rulesList), len(r.Results))
	}
	bySeverity := map[string]string{}
	for _, res := range r.Results {
		bySeverity[res.ID] = res.Severity
	}
	for _, x := range rulesList {
		rule := x.(map[string]any)
		id := rule["id"].(string)
		props := rule["properties"].(map[string]any)
		if props["security-severity"] != securitySeverity[bySeverity[id]] {
			t.Errorf("%s: security-severity %v for %s", id, props["security-severity"], bySeverity[id])
		}
		help := rule["help"].(map[string]any)
		if !strings.Contains(help["text"].(string), "Remediation: ") || !strings.Contains(help["markdown"].(string), "**Remediation:**") {
			t.Errorf("%s: help lacks the remediation: %v", id, help)
		}
		for _, k := range []string{"name", "shortDescription", "fullDescription", "defaultConfiguration"} {
			if rule[k] == nil {
				t.Errorf("%s: no %s", id, k)
			}
		}
		if tags, _ := props["tags"].([]any); len(tags) == 0 || tags[0] != "security" {
			t.Errorf("%s: tags %v", id, props["tags"])
		}
	}
	fw := rulesList[ruleIndexOf(t, rulesList, "ZT-FW-002")].(map[string]any)
	if fw["name"] != "InboundDefaultDeny" || !strings.HasPrefix(fw["fullDescription"].(map[string]any)["text"].(string), "Traffic that no rule allows") {
		t.Errorf("ZT-FW-002 rule: %v", fw)
	}

	results := run["results"].([]any)
	if len(results) != r.Summary.Fail {
		t.Errorf("%d results, want one per failure (%d)", len(results), r.Summary.Fail)
	}
	wantLevel := map[string]string{"critical": "error", "high": "error", "medium": "warning", "low": "warning", "info": "note"}
	for _, x := range results {
		res := x.(map[string]any)
		id := res["ruleId"].(string)
		idx := int(res["ruleIndex"].(float64))
		if rulesList[idx].(map[string]any)["id"] != id {
			t.Errorf("%s: ruleIndex %d points at another rule", id, idx)
		}
		if res["level"] != wantLevel[bySeverity[id]] {
			t.Errorf("%s: level %v for %s", id, res["level"], bySeverity[id])
		}
		loc := res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)
		if loc["uriBaseId"] != "ROOT" || strings.HasPrefix(loc["uri"].(string), "/") {
			t.Errorf("%s: artifactLocation %v, want a relative URI under ROOT", id, loc)
		}
		if fp := res["partialFingerprints"].(map[string]any)[fingerprintKey]; fp == nil || len(fp.(string)) != 32 {
			t.Errorf("%s: partialFingerprints %v", id, res["partialFingerprints"])
		}
	}
	krn := findResult(t, results, "ZT-KRN-007")
	phys := krn["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
	if phys["artifactLocation"].(map[string]any)["uri"] != "etc/sysctl.d/60-bpf.conf" || phys["region"].(map[string]any)["startLine"] != 3.0 {
		t.Errorf("ZT-KRN-007 location = %v, want etc/sysctl.d/60-bpf.conf:3 from the evidence", phys)
	}
	base := run["originalUriBaseIds"].(map[string]any)["ROOT"].(map[string]any)
	if base["uri"] != "file:///srv/images/base/" {
		t.Errorf("ROOT = %v", base)
	}
	if run["automationDetails"].(map[string]any)["id"] != "ztscan/golden-01/" {
		t.Errorf("automationDetails = %v", run["automationDetails"])
	}

	inv := run["invocations"].([]any)[0].(map[string]any)
	notes := inv["toolExecutionNotifications"].([]any)
	if want := r.Summary.Error + 2; len(notes) != want { // 2 collectors not ok
		t.Errorf("%d notifications, want %d (errors and collectors not ok)", len(notes), want)
	}
	aud := notes[0].(map[string]any)
	if aud["associatedRule"].(map[string]any)["id"] != "ZT-AUD-001" || aud["level"] != "error" {
		t.Errorf("first notification = %v", aud)
	}
	audLoc := aud["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
	if audLoc["artifactLocation"].(map[string]any)["uri"] != "etc/audit/rules.d/50-zt.rules" || audLoc["region"].(map[string]any)["startLine"] != 12.0 {
		t.Errorf("ZT-AUD-001 notification location = %v", audLoc)
	}
}

func ruleIndexOf(t *testing.T, rulesList []any, id string) int {
	t.Helper()
	for i, x := range rulesList {
		if x.(map[string]any)["id"] == id {
			return i
		}
	}
	t.Fatalf("no rule %s", id)
	return -1
}

func findResult(t *testing.T, results []any, id string) map[string]any {
	t.Helper()
	for _, x := range results {
		if m := x.(map[string]any); m["ruleId"] == id {
			return m
		}
	}
	t.Fatalf("no result for %s", id)
	return nil
}

// TestSARIFFingerprintsStable: a later scan of the same host, with another
// start time, scan ID and message, keeps every fingerprint; another host
// gets others.
func TestSARIFFingerprintsStable(t *testing.T) {
	fingerprints := func(r *Report) map[string]any {
		doc, _ := renderSARIFDoc(t, r)
		out := map[string]any{}
		for _, x := range doc["runs"].([]any)[0].(map[string]any)["results"].([]any) {
			res := x.(map[string]any)
			out[res["ruleId"].(string)] = res["partialFingerprints"].(map[string]any)[fingerprintKey]
		}
		return out
	}
	first := fingerprints(fixtureReport(t))
	later := fixtureReport(t)
	later.Scan.ID, later.Scan.StartedAt = "ffffffffffffffff", later.Scan.StartedAt.Add(24*time.Hour)
	for i := range later.Results {
		later.Results[i].Message += " (again)"
	}
	if second := fingerprints(later); fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("fingerprints changed between scans:\n%v\n%v", first, second)
	}
	other := fixtureReport(t)
	other.Scan.Target.Hostname = "golden-02"
	for id, fp := range fingerprints(other) {
		if first[id] == fp {
			t.Errorf("%s: same fingerprint on another host", id)
		}
	}
}

func TestEvidenceLocation(t *testing.T) {
	tests := []struct {
		name     string
		evidence string
		uri      string
		line     int
	}{
		{"file and line", `{"file": "/etc/ssh/sshd_config", "line": 12}`, "etc/ssh/sshd_config", 12},
		{"file facts object", `{"file": {"path": "/etc/ssh/ca.pub", "mode": "0644"}}`, "etc/ssh/ca.pub", 0},
		{"sshd config_path", `{"permitrootlogin": "yes", "source": "parser", "config_path": "/etc/ssh/sshd_config"}`, "etc/ssh/sshd_config", 0},
		{"nested with line", `{"kernel.x": {"value": "0", "file": "/etc/sysctl.d/1.conf", "line": 4}}`, "etc/sysctl.d/1.conf", 4},
		{"top level wins over nested", `{"config_path": "/etc/a", "blocks": [{"file": "/etc/b", "line": 2}]}`, "etc/a", 0},
		{"line preferred at the same depth", `{"a": {"file": "/etc/a"}, "b": {"file": "/etc/b", "line": 9}}`, "etc/b", 9},
		{"relative path is no location", `{"file": "sshd_config", "config_path": "unknown"}`, "", 0},
		{"bad line ignored", `{"file": "/etc/x", "line": -3}`, "etc/x", 0},
		{"escaped", `{"path": "/etc/a b/c#d"}`, "etc/a%20b/c%23d", 0},
		{"colon in first segment", `{"path": "/a:b/c"}`, "./a:b/c", 0},
		{"root itself", `{"path": "/"}`, "", 0},
		{"none", `{"mtu": 1500}`, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev map[string]any
			if err := json.Unmarshal([]byte(tt.evidence), &ev); err != nil {
				t.Fatal(err)
			}
			loc, ok := evidenceLocation(ev)
			if ok != (tt.uri != "") || loc.uri != tt.uri || loc.line != tt.line {
				t.Errorf("got %q:%d (%v), want %q:%d", loc.uri, loc.line, ok, tt.uri, tt.line)
			}
		})
	}
}

// TestEvidenceLocationBounded: deeply nested or huge evidence is searched
// in bounded time.
func TestEvidenceLocationBounded(t *testing.T) {
	deep := map[string]any{}
	cur := deep
	for range 10000 {
		next := map[string]any{}
		cur["x"] = next
		cur = next
	}
	cur["file"] = "/etc/deep"
	wide := map[string]any{}
	list := make([]any, 100000)
	for i := range list {
		list[i] = map[string]any{"k": i}
	}
	wide["items"] = list
	start := time.Now()
	if _, ok := evidenceLocation(deep); ok {
		t.Error("found a file below the depth limit")
	}
	evidenceLocation(wide)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}
