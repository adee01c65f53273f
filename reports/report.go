package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/rules"
)

// SchemaVersion is the version of the JSON report this build writes.
const SchemaVersion = "1"

// Report is the result of one scan, as SPEC.md defines its JSON form.
type Report struct {
	SchemaVersion string                  `json:"schema_version"`
	Tool          facts.Tool              `json:"tool"`
	Scan          Scan                    `json:"scan"`
	Summary       Summary                 `json:"summary"`
	Results       []Result                `json:"results"`
	Collectors    []facts.CollectorStatus `json:"collectors"`
	Waivers       *WaiverReport           `json:"waivers,omitempty"`
	Drift         *Drift                  `json:"drift,omitempty"`
}

// Scan says when and what was scanned.
type Scan struct {
	ID         string       `json:"id"`
	StartedAt  time.Time    `json:"started_at"`
	FinishedAt time.Time    `json:"finished_at"`
	DurationMS int64        `json:"duration_ms"`
	Target     facts.Target `json:"target"`
}

// Result is one rule's verdict with the rule's metadata.
type Result struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Section     string         `json:"section"`
	Severity    string         `json:"severity"`
	Description string         `json:"description,omitempty"`
	Status      string         `json:"status"`
	Message     string         `json:"message"`
	Evidence    map[string]any `json:"evidence"`
	Remediation string         `json:"remediation"`
	References  []string       `json:"references"`
	Waiver      *Waiver        `json:"waiver,omitempty"`
}

// Waiver is the accepted exception that turned a failure into "waived".
// ID is the waiver's rule-ID pattern as written in the waivers file;
// Source is where it was written ("waivers.yaml:12").
type Waiver struct {
	ID      string   `json:"id"`
	Reason  string   `json:"reason"`
	Expires string   `json:"expires"`
	Owner   string   `json:"owner"`
	Hosts   []string `json:"hosts,omitempty"`
	Source  string   `json:"source,omitempty"`
}

// WaiverReport says what became of every waiver of the --waivers file:
// which failures each one waived, which waivers have expired (and the
// failures they would otherwise have waived), and which matched nothing.
type WaiverReport struct {
	File    string      `json:"file"`
	Applied []WaiverUse `json:"applied"`
	Expired []WaiverUse `json:"expired"`
	Unused  []WaiverUse `json:"unused"`
}

// WaiverUse is one waiver with the rule IDs it concerns.
type WaiverUse struct {
	Waiver
	Rules []string `json:"rules"`
}

// Drift compares this report with a baseline report.
type Drift struct {
	Baseline     DriftBaseline `json:"baseline"`
	NewFailures  []DriftEntry  `json:"new_failures"`
	Fixed        []DriftEntry  `json:"fixed"`
	Changed      []DriftEntry  `json:"changed"`
	NewRules     []DriftEntry  `json:"new_rules"`
	RemovedRules []DriftEntry  `json:"removed_rules"`
}

// DriftBaseline identifies the report a drift was computed against.
type DriftBaseline struct {
	ScanID    string    `json:"scan_id"`
	StartedAt time.Time `json:"started_at"`
	Hostname  string    `json:"hostname"`
}

// DriftEntry is one rule whose status or severity differs from the
// baseline. OldStatus is empty for a rule the baseline did not have,
// NewStatus for a rule this report no longer has; OldSeverity is set
// only when the severity changed.
type DriftEntry struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Severity    string `json:"severity"`
	OldSeverity string `json:"old_severity,omitempty"`
	OldStatus   string `json:"old_status"`
	NewStatus   string `json:"new_status"`
}

// BuildInput is what Build needs besides the outcomes.
type BuildInput struct {
	Tool       facts.Tool
	Target     facts.Target
	StartedAt  time.Time
	FinishedAt time.Time
	Collectors []facts.CollectorStatus
}

// Build makes the report from the rule outcomes. It is the only place where
// results are sorted, counted and scored.
func Build(in BuildInput, outcomes []rules.Outcome) *Report {
	// Milliseconds in UTC: the report is read by people and SIEMs in other
	// zones, and the ID below is reproducible from the report's own
	// started_at. UTC() also drops the monotonic reading.
	started := in.StartedAt.UTC().Truncate(time.Millisecond)
	finished := in.FinishedAt.UTC().Truncate(time.Millisecond)
	duration := finished.Sub(started).Milliseconds()
	if duration < 0 {
		duration = 0
	}

	results := make([]Result, 0, len(outcomes))
	for _, o := range outcomes {
		results = append(results, resultOf(o))
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].ID < results[j].ID })

	collectors := append([]facts.CollectorStatus{}, in.Collectors...)
	sort.SliceStable(collectors, func(i, j int) bool { return collectors[i].Name < collectors[j].Name })

	return &Report{
		SchemaVersion: SchemaVersion,
		Tool:          in.Tool,
		Scan: Scan{
			ID:         scanID(in.Target.Hostname, started),
			StartedAt:  started,
			FinishedAt: finished,
			DurationMS: duration,
			Target:     in.Target,
		},
		Summary:    Summarize(results),
		Results:    results,
		Collectors: collectors,
	}
}

func resultOf(o rules.Outcome) Result {
	r := Result{
		ID:          o.Rule.ID,
		Title:       o.Rule.Title,
		Section:     o.Rule.Section,
		Severity:    o.Rule.Severity,
		Description: o.Rule.Description,
		Status:      o.Verdict.Status,
		Message:     o.Verdict.Message,
		Evidence:    o.Verdict.Evidence,
		Remediation: o.Rule.Remediation,
		References:  append([]string{}, o.Rule.References...),
	}
	// The JSON contract has an object and an array here, never null, so
	// consumers need no null checks.
	if r.Evidence == nil {
		r.Evidence = map[string]any{}
	}
	if r.Section == "" {
		r.Section = sectionFromID(r.ID)
	}
	if !knownStatus(r.Status) {
		// A status nobody counts would vanish from the summary; make it
		// visible as the error it is.
		r.Message = fmt.Sprintf("rule gave status %q: %s", r.Status, r.Message)
		r.Status = rules.Error
	}
	return r
}

func knownStatus(s string) bool {
	switch s {
	case rules.Pass, rules.Fail, rules.Error, rules.Skip, rules.Waived:
		return true
	}
	return false
}

// sectionFromID is the checklist section an ID names, for outcomes made
// without the engine: "ZT-SSH-001" => "SSH", "ACME-WEB-7" => "WEB".
func sectionFromID(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) >= 3 {
		return strings.Join(parts[1:len(parts)-1], "-")
	}
	return parts[0]
}

// scanID identifies a scan: the same host and start time give the same ID,
// so output is reproducible, while two scans of a host differ.
func scanID(hostname string, started time.Time) string {
	sum := sha256.Sum256([]byte(hostname + "\x00" + started.Format(time.RFC3339Nano)))
	return hex.EncodeToString(sum[:])[:16]
}
