package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/internal/jsonerr"
	"github.com/ztscan/ztscan/rules"
)

// maxReportSize bounds a baseline report read back from disk.
const maxReportSize = 256 << 20

// LoadReport reads a JSON report written by ztscan (-f json) for use as a
// baseline or by `ztscan diff`. It must be of this build's schema version:
// comparing across schema versions would report renamed fields as drift.
func LoadReport(name string) (*Report, error) {
	data, err := readBounded(name, maxReportSize)
	if err != nil {
		return nil, fmt.Errorf("report %w", err)
	}
	return ParseReport(name, data)
}

// ParseReport validates the JSON text of a report named name.
func ParseReport(name string, data []byte) (*Report, error) {
	// First the shape, so that a snapshot or some other JSON is named for
	// what it is rather than failing on a field type.
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("report %s: %s", name, jsonerr.Describe(data, err, "report"))
	}
	var version string
	if raw, ok := probe["schema_version"]; !ok || json.Unmarshal(raw, &version) != nil {
		return nil, fmt.Errorf("report %s: not a ztscan JSON report (no schema_version)", name)
	}
	if version != SchemaVersion {
		return nil, fmt.Errorf("report %s: schema_version %q, this ztscan reads %q: compare reports written by the same major version", name, version, SchemaVersion)
	}
	for _, key := range []string{"scan", "summary", "results"} {
		if _, ok := probe[key]; !ok {
			return nil, fmt.Errorf("report %s: not a ztscan JSON report (no %s; a facts snapshot?)", name, key)
		}
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("report %s: %s", name, jsonerr.Describe(data, err, "report"))
	}
	seen := map[string]bool{}
	for i, res := range r.Results {
		if res.ID == "" {
			return nil, fmt.Errorf("report %s: results[%d] has no id", name, i)
		}
		if seen[res.ID] {
			return nil, fmt.Errorf("report %s: rule %s appears twice", name, res.ID)
		}
		seen[res.ID] = true
		if !knownStatus(res.Status) {
			return nil, fmt.Errorf("report %s: rule %s has unknown status %q", name, res.ID, res.Status)
		}
	}
	return &r, nil
}

// Diff is the drift from old to cur, rule by rule:
//   - a new failure fails now and did not before (or is a new rule that fails);
//   - fixed failed before and passes now;
//   - changed is any other change of status, or of severity;
//   - new and removed rules are listed as such too.
//
// Each list is sorted by ID and is never nil, so JSON has [] not null.
func Diff(old, cur *Report) *Drift {
	d := &Drift{
		Baseline:    DriftBaseline{ScanID: old.Scan.ID, StartedAt: old.Scan.StartedAt, Hostname: old.Scan.Target.Hostname},
		NewFailures: []DriftEntry{}, Fixed: []DriftEntry{}, Changed: []DriftEntry{},
		NewRules: []DriftEntry{}, RemovedRules: []DriftEntry{},
	}
	before := map[string]Result{}
	for _, res := range old.Results {
		before[res.ID] = res
	}
	now := map[string]bool{}
	for _, res := range cur.Results {
		now[res.ID] = true
		prev, existed := before[res.ID]
		e := DriftEntry{ID: res.ID, Title: res.Title, Severity: res.Severity, NewStatus: res.Status}
		if !existed {
			d.NewRules = append(d.NewRules, e)
			if res.Status == rules.Fail {
				d.NewFailures = append(d.NewFailures, e)
			}
			continue
		}
		e.OldStatus = prev.Status
		if prev.Severity != res.Severity {
			e.OldSeverity = prev.Severity
		}
		switch {
		case res.Status == rules.Fail && prev.Status != rules.Fail:
			d.NewFailures = append(d.NewFailures, e)
		case prev.Status == rules.Fail && res.Status == rules.Pass:
			d.Fixed = append(d.Fixed, e)
		case prev.Status != res.Status || e.OldSeverity != "":
			d.Changed = append(d.Changed, e)
		}
	}
	for _, prev := range old.Results {
		if !now[prev.ID] {
			d.RemovedRules = append(d.RemovedRules, DriftEntry{ID: prev.ID, Title: prev.Title, Severity: prev.Severity, OldStatus: prev.Status})
		}
	}
	for _, list := range [][]DriftEntry{d.NewFailures, d.Fixed, d.Changed, d.NewRules, d.RemovedRules} {
		sort.SliceStable(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	return d
}

// ExitCode is 1 when a new failure is at or above failOn ("none" never
// fails), as `ztscan diff` exits.
func (d *Drift) ExitCode(failOn string) int {
	failOn = strings.ToLower(strings.TrimSpace(failOn))
	if failOn == FailOnNone {
		return 0
	}
	threshold := max(rules.SeverityRank(failOn), 0)
	for _, e := range d.NewFailures {
		if severityRankOf(e.Severity) >= threshold {
			return 1
		}
	}
	return 0
}

// Empty says whether nothing changed.
func (d *Drift) Empty() bool {
	return len(d.NewFailures)+len(d.Fixed)+len(d.Changed)+len(d.NewRules)+len(d.RemovedRules) == 0
}

// DriftFormats are the formats RenderDrift writes.
var DriftFormats = []string{"json", "markdown", "table"}

// RenderDrift writes a drift on its own, as `ztscan diff` prints it.
func RenderDrift(w io.Writer, format string, d *Drift, opt RenderOptions) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(d)
	case "table":
		t := &tableWriter{w: w, r: &Report{Drift: d}, opt: opt, width: opt.Width}
		if t.width <= 0 {
			t.width = defaultWidth
		}
		t.drift()
		if d.Empty() {
			t.printf("No drift from baseline scan %s.\n", terminalLine(d.Baseline.ScanID))
		}
		return t.err
	case "markdown":
		m := &mdWriter{w: w}
		m.drift(d, "#")
		if d.Empty() {
			m.printf("No drift from baseline scan %s.\n", mdCell(d.Baseline.ScanID))
		}
		return m.err
	}
	return fmt.Errorf("unknown drift format %q (known: %s)", format, strings.Join(DriftFormats, ", "))
}
