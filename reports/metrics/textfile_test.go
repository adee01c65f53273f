package metrics

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/reports"
	"github.com/ztscan/ztscan/reports/ship"
	"github.com/ztscan/ztscan/rules"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.prom")

func testInput() Input {
	rule := func(id, section, sev string) rules.Rule {
		return rules.Rule{ID: id, Title: id, Section: section, Severity: sev}
	}
	r := reports.Build(reports.BuildInput{
		Tool:       facts.Tool{Name: "ztscan", Version: "1.2.3"},
		Target:     facts.Target{Kind: "host", Root: "/", Hostname: `web "01"`},
		StartedAt:  time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
		FinishedAt: time.Date(2025, 3, 4, 5, 6, 9, 500_000_000, time.UTC),
		Collectors: []facts.CollectorStatus{{Name: "sshd", Status: "ok", DurationMS: 120}, {Name: "journald", Status: "unavailable", DurationMS: 3}},
	}, []rules.Outcome{
		{Rule: rule("ZT-SSH-001", "SSH", "high"), Verdict: rules.Verdict{Status: "fail"}},
		{Rule: rule("ZT-SSH-002", "SSH", "high"), Verdict: rules.Verdict{Status: "pass"}},
		{Rule: rule("ZT-SSH-003", "SSH", "medium"), Verdict: rules.Verdict{Status: "pass"}},
		{Rule: rule("ZT-LOG-001", "LOG", "low"), Verdict: rules.Verdict{Status: "skip"}},
	})
	return Input{Report: r, Ship: []ship.Result{
		{Destination: "syslog+tls://logs:6514", Delivered: 5},
		{Destination: `file:///var/log/a\b"c.ndjson`, Err: errors.New("down"), Spooled: 10, FailuresTotal: 3},
	}}
}

func parse(t *testing.T, data []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not valid Prometheus text format: %v\n%s", err, data)
	}
	return fams
}

// value finds the sample of a family with exactly these label values.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, lbls map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no family %s", name)
	}
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if len(got) != len(lbls) {
			continue
		}
		match := true
		for k, v := range lbls {
			if got[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		if m.Counter != nil {
			return m.Counter.GetValue()
		}
		return m.Gauge.GetValue()
	}
	t.Fatalf("%s%v: no such series", name, lbls)
	return 0
}

func TestRender(t *testing.T) {
	in := testInput()
	var buf bytes.Buffer
	if err := Render(&buf, in); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden.prom")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("metrics differ from %s (go test -update):\n%s", golden, buf.String())
	}
	fams := parse(t, buf.Bytes())
	types := map[string]dto.MetricType{
		"ztscan_results": dto.MetricType_GAUGE, "ztscan_score": dto.MetricType_GAUGE,
		"ztscan_scan_duration_seconds": dto.MetricType_GAUGE, "ztscan_collector_status": dto.MetricType_GAUGE,
		"ztscan_collector_duration_seconds": dto.MetricType_GAUGE, "ztscan_last_success_timestamp_seconds": dto.MetricType_GAUGE,
		"ztscan_ship_failures_total": dto.MetricType_COUNTER, "ztscan_spool_events": dto.MetricType_GAUGE,
		"ztscan_ship_ok": dto.MetricType_GAUGE, "ztscan_scan_info": dto.MetricType_GAUGE,
	}
	for name, typ := range types {
		f, ok := fams[name]
		if !ok || f.GetType() != typ || f.GetHelp() == "" {
			t.Errorf("family %s: present %v, type %v, help %q", name, ok, f.GetType(), f.GetHelp())
		}
	}
	checks := []struct {
		name string
		lbls map[string]string
		want float64
	}{
		{"ztscan_results", map[string]string{"section": "SSH", "severity": "high", "status": "fail"}, 1},
		{"ztscan_results", map[string]string{"section": "SSH", "severity": "high", "status": "pass"}, 1},
		{"ztscan_results", map[string]string{"section": "SSH", "severity": "high", "status": "error"}, 0},
		{"ztscan_results", map[string]string{"section": "LOG", "severity": "low", "status": "skip"}, 1},
		{"ztscan_score", nil, in.Report.Summary.Score},
		{"ztscan_scan_duration_seconds", nil, 2.5},
		{"ztscan_last_success_timestamp_seconds", nil, float64(in.Report.Scan.FinishedAt.Unix()) + 0.5},
		{"ztscan_collector_status", map[string]string{"collector": "journald", "status": "unavailable"}, 1},
		{"ztscan_collector_status", map[string]string{"collector": "journald", "status": "ok"}, 0},
		{"ztscan_collector_duration_seconds", map[string]string{"collector": "sshd"}, 0.12},
		{"ztscan_ship_failures_total", map[string]string{"destination": `file:///var/log/a\b"c.ndjson`}, 3},
		{"ztscan_ship_ok", map[string]string{"destination": "syslog+tls://logs:6514"}, 1},
		{"ztscan_ship_ok", map[string]string{"destination": `file:///var/log/a\b"c.ndjson`}, 0},
		{"ztscan_spool_events", map[string]string{"destination": `file:///var/log/a\b"c.ndjson`}, 10},
		{"ztscan_scan_info", map[string]string{"target_kind": "host", "hostname": `web "01"`, "version": "1.2.3"}, 1},
	}
	for _, c := range checks {
		if got := value(t, fams, c.name, c.lbls); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.lbls, got, c.want)
		}
	}
}

// TestNoShipFamilies: without --ship there are no shipping series at all
// (rather than zeros that would read as "shipping works").
func TestNoShipFamilies(t *testing.T) {
	in := testInput()
	in.Ship = nil
	var buf bytes.Buffer
	Render(&buf, in)
	if strings.Contains(buf.String(), "ztscan_ship") || strings.Contains(buf.String(), "ztscan_spool") {
		t.Error("shipping families without destinations")
	}
	parse(t, buf.Bytes())
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ztscan.prom")
	if err := Write(path, testInput()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	parse(t, data)
	// A failed write keeps the old file whole.
	if err := Write(path, Input{}); err == nil {
		t.Fatal("no error without a report")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, data) {
		t.Error("the old file changed")
	}
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		if err := Write(path, testInput()); err == nil {
			t.Error("wrote into a read-only directory")
		}
		if again, _ := os.ReadFile(path); !bytes.Equal(again, data) {
			t.Error("the old file changed")
		}
	}
}

func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	os.Mkdir(filepath.Join(dir, "d.prom"), 0o700)
	cases := []struct{ path, errIn string }{
		{filepath.Join(dir, "ok.prom"), ""},
		{filepath.Join(dir, "metrics.txt"), "*.prom"},
		{filepath.Join(dir, "missing", "x.prom"), "missing"},
		{filepath.Join(file, "x.prom"), "not a directory"},
		{filepath.Join(dir, "d.prom"), "not a regular file"},
	}
	for _, c := range cases {
		err := CheckPath(c.path)
		if (err == nil) != (c.errIn == "") || (err != nil && !strings.Contains(err.Error(), c.errIn)) {
			t.Errorf("%s: %v, want %q", c.path, err, c.errIn)
		}
	}
}
