package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	res := func(id, sev, status string) Result { return Result{ID: id, Title: id, Severity: sev, Status: status} }
	old := &Report{Scan: Scan{ID: "old"}, Results: []Result{
		res("A-X-1", "high", "pass"),     // -> fail: new failure
		res("A-X-2", "high", "fail"),     // -> pass: fixed
		res("A-X-3", "high", "fail"),     // -> error: changed
		res("A-X-4", "medium", "fail"),   // -> fail high: changed severity
		res("A-X-5", "low", "fail"),      // unchanged
		res("A-X-6", "low", "pass"),      // removed
		res("A-X-8", "critical", "fail"), // -> waived: changed
		res("A-X-9", "low", "waived"),    // -> fail: new failure
	}}
	cur := &Report{Results: []Result{
		res("A-X-1", "high", "fail"), res("A-X-2", "high", "pass"), res("A-X-3", "high", "error"),
		res("A-X-4", "high", "fail"), res("A-X-5", "low", "fail"), res("A-X-7", "critical", "fail"),
		res("A-X-8", "critical", "waived"), res("A-X-9", "low", "fail"),
	}}
	d := Diff(old, cur)
	ids := func(es []DriftEntry) string {
		var s []string
		for _, e := range es {
			s = append(s, e.ID)
		}
		return strings.Join(s, ",")
	}
	for name, got := range map[string][2]string{
		"new failures": {ids(d.NewFailures), "A-X-1,A-X-7,A-X-9"},
		"fixed":        {ids(d.Fixed), "A-X-2"},
		"changed":      {ids(d.Changed), "A-X-3,A-X-4,A-X-8"},
		"new rules":    {ids(d.NewRules), "A-X-7"},
		"removed":      {ids(d.RemovedRules), "A-X-6"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %s, want %s", name, got[0], got[1])
		}
	}
	if d.Changed[1].OldSeverity != "medium" || d.Changed[0].OldSeverity != "" {
		t.Errorf("changed = %+v", d.Changed)
	}
	if d.Baseline.ScanID != "old" {
		t.Errorf("baseline = %+v", d.Baseline)
	}
	for failOn, want := range map[string]int{"critical": 1, "high": 1, "low": 1, "none": 0} {
		if got := d.ExitCode(failOn); got != want {
			t.Errorf("ExitCode(%s) = %d, want %d", failOn, got, want)
		}
	}
	onlyLow := &Drift{NewFailures: []DriftEntry{{ID: "A-X-9", Severity: "low"}}}
	if onlyLow.ExitCode("high") != 0 || onlyLow.ExitCode("low") != 1 {
		t.Error("a new low failure must fail only --fail-on low")
	}
	same := Diff(old, old)
	if !same.Empty() {
		t.Errorf("a report against itself drifts: %+v", same)
	}
	b, _ := json.Marshal(same)
	if strings.Contains(string(b), "null") {
		t.Errorf("empty drift has nulls: %s", b)
	}
}

func TestParseReportErrors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "baseline.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "not a JSON report (empty)"},
		{"garbage", "{\n  \"schema_version\": \"1\",\n  oops\n}", "line 3: invalid JSON"},
		{"not an object", "[1,2]", "invalid JSON"},
		{"no schema version", `{"results": []}`, "not a ztscan JSON report (no schema_version)"},
		{"other schema", strings.Replace(string(good), `"schema_version": "1"`, `"schema_version": "2"`, 1), `schema_version "2", this ztscan reads "1"`},
		{"snapshot", `{"schema_version":"1","target":{},"facts":{},"collectors":[]}`, "no scan; a facts snapshot?"},
		{"results not a list", `{"schema_version":"1","scan":{},"summary":{},"results":{}}`, "invalid JSON"},
		{"duplicate", `{"schema_version":"1","scan":{},"summary":{},"results":[{"id":"A-B-1","status":"pass"},{"id":"A-B-1","status":"fail"}]}`, "A-B-1 appears twice"},
		{"bad status", `{"schema_version":"1","scan":{},"summary":{},"results":[{"id":"A-B-1","status":"great"}]}`, `unknown status "great"`},
		{"no id", `{"schema_version":"1","scan":{},"summary":{},"results":[{"status":"pass"}]}`, "results[0] has no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseReport("old.json", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "report old.json") {
				t.Errorf("err = %v, want %q naming old.json", err, tt.want)
			}
		})
	}
	if _, err := ParseReport("b.json", good); err != nil {
		t.Errorf("baseline.json: %v", err)
	}
}

// TestReportRoundTrip: a JSON report read back diffs as empty against the
// report it was written from.
func TestReportRoundTrip(t *testing.T) {
	r := fixtureReport(t)
	var buf bytes.Buffer
	if err := Render(&buf, "json", r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	back, err := ParseReport("r.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(back, r); !d.Empty() {
		t.Errorf("round trip drifts: %+v", d)
	}
}

func TestRenderDrift(t *testing.T) {
	r := fixtureReport(t)
	for format, want := range map[string]string{
		"table":    "new failure  critical  ZT-FW-002",
		"markdown": "| new failure | critical | ZT-FW-002 | pass -\\> fail | Inbound default deny |",
		"json":     `"new_failures": [`,
	} {
		var buf bytes.Buffer
		if err := RenderDrift(&buf, format, r.Drift, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%s lacks %q:\n%s", format, want, buf.String())
		}
	}
	var buf bytes.Buffer
	RenderDrift(&buf, "table", Diff(r, r), RenderOptions{})
	if !strings.Contains(buf.String(), "No drift from baseline scan") {
		t.Errorf("empty drift table: %q", buf.String())
	}
	if err := RenderDrift(&buf, "sarif", r.Drift, RenderOptions{}); err == nil {
		t.Error("sarif drift accepted")
	}
}

func FuzzParseReport(f *testing.F) {
	good, _ := os.ReadFile(filepath.Join("testdata", "baseline.json"))
	f.Add(good)
	f.Add([]byte(`{"schema_version":"1","scan":{},"summary":{},"results":[{"id":"A-B-1","status":"pass"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReport("f.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "report f.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		Diff(r, r)
	})
}
