package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ztscan/ztscan/rules"
)

// ECS (Elastic Common Schema) events, one JSON object per line per result,
// for Filebeat or Elastic Agent to ship as they are: every field outside
// ztscan.* is an ECS field of the type the ECS reference gives
// (testdata/ecs-fields.txt lists them), so no ingest pipeline is needed.
// Evidence has a different shape for every rule; as an object it would
// make dynamic mappings conflict (a "file" that is a string in one event
// and an object in the next is rejected), so it travels as a JSON string.

// ecsVersion is the ECS version the events follow.
const ecsVersion = "8.11.0"

// ecsRiskScore is event.risk_score per severity, on the 0-100 scale of
// Elastic's detection rules (low 21, medium 47, high 73, critical 99).
var ecsRiskScore = map[string]float64{"info": 0, "low": 21, "medium": 47, "high": 73, "critical": 99}

type ecsEvent struct {
	Timestamp string         `json:"@timestamp"`
	ECS       ecsVersionInfo `json:"ecs"`
	Event     ecsEventInfo   `json:"event"`
	Rule      ecsRule        `json:"rule"`
	Host      ecsHost        `json:"host"`
	Observer  ecsProduct     `json:"observer"`
	Agent     ecsAgent       `json:"agent"`
	Message   string         `json:"message"`
	Ztscan    ecsZtscan      `json:"ztscan"`
}

type ecsVersionInfo struct {
	Version string `json:"version"`
}

type ecsEventInfo struct {
	Kind      string   `json:"kind"`
	Category  []string `json:"category"`
	Type      []string `json:"type"`
	Outcome   string   `json:"outcome"`
	Dataset   string   `json:"dataset"`
	Module    string   `json:"module"`
	Provider  string   `json:"provider"`
	ID        string   `json:"id"`
	RiskScore float64  `json:"risk_score"`
	Start     string   `json:"start,omitempty"`
	End       string   `json:"end,omitempty"`
}

type ecsRule struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Reference   []string `json:"reference"`
	Ruleset     string   `json:"ruleset"`
}

type ecsHost struct {
	Hostname     string `json:"hostname,omitempty"`
	Name         string `json:"name,omitempty"`
	Architecture string `json:"architecture,omitempty"`
	OS           ecsOS  `json:"os"`
}

type ecsOS struct {
	Type     string `json:"type"`
	Family   string `json:"family,omitempty"`
	Platform string `json:"platform,omitempty"`
	Name     string `json:"name,omitempty"`
	Full     string `json:"full,omitempty"`
	Version  string `json:"version,omitempty"`
	Kernel   string `json:"kernel,omitempty"`
}

type ecsProduct struct {
	Vendor  string `json:"vendor"`
	Product string `json:"product"`
	Version string `json:"version,omitempty"`
}

type ecsAgent struct {
	Type    string `json:"type"`
	Version string `json:"version,omitempty"`
}

// ecsZtscan is what ECS has no field for.
type ecsZtscan struct {
	Status      string        `json:"status"`
	Severity    string        `json:"severity"`
	Section     string        `json:"section"`
	Title       string        `json:"title"`
	Remediation string        `json:"remediation"`
	Evidence    string        `json:"evidence"`
	Waiver      *Waiver       `json:"waiver,omitempty"`
	Scan        ecsZtscanScan `json:"scan"`
}

type ecsZtscanScan struct {
	ID     string  `json:"id"`
	Score  float64 `json:"score"`
	Target string  `json:"target_kind"`
	Root   string  `json:"target_root"`
}

// ecsOutcome is event.outcome: ECS allows success, failure and unknown;
// a rule that errored, skipped or was waived says nothing either way.
func ecsOutcome(status string) string {
	switch status {
	case rules.Pass:
		return "success"
	case rules.Fail:
		return "failure"
	}
	return "unknown"
}

func renderECS(w io.Writer, r *Report, _ RenderOptions) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, res := range r.Results {
		if err := enc.Encode(ecsEventOf(r, res)); err != nil {
			return fmt.Errorf("ecs event %s: %w", res.ID, err)
		}
	}
	return nil
}

func ecsEventOf(r *Report, res Result) ecsEvent {
	target := r.Scan.Target
	description := res.Description
	if description == "" {
		description = res.Title
	}
	message := fmt.Sprintf("%s %s: %s", res.ID, strings.ToUpper(res.Status), res.Message)
	if res.Status == rules.Waived {
		message = res.ID + " " + waivedMessage(res) // "ZT-X-1 waived by ... until ...: reason"
	}
	return ecsEvent{
		Timestamp: ecsTime(r.Scan.StartedAt),
		ECS:       ecsVersionInfo{Version: ecsVersion},
		Event: ecsEventInfo{
			Kind:     "state",
			Category: []string{"configuration"},
			Type:     []string{"info"},
			Outcome:  ecsOutcome(res.Status),
			Dataset:  "ztscan.result",
			Module:   "ztscan",
			Provider: "ztscan",
			// One event per rule and scan: shipping a report twice
			// overwrites rather than duplicates when used as _id.
			ID:        r.Scan.ID + "-" + res.ID,
			RiskScore: riskScore(res.Severity),
			Start:     ecsTime(r.Scan.StartedAt),
			End:       ecsTime(r.Scan.FinishedAt),
		},
		Rule: ecsRule{
			ID: res.ID, Name: res.Title, Category: SectionTitle(res.Section),
			Description: description, Reference: nonNil(res.References), Ruleset: "ztscan",
		},
		Host: ecsHost{
			Hostname: target.Hostname, Name: target.Hostname, Architecture: target.OS.Arch,
			OS: ecsOS{
				Type: "linux", Family: target.OS.ID, Platform: target.OS.ID, Name: osName(target.OS.PrettyName, target.OS.ID),
				Full: target.OS.PrettyName, Version: target.OS.VersionID, Kernel: target.OS.KernelRelease,
			},
		},
		Observer: ecsProduct{Vendor: "ztscan", Product: "ztscan", Version: r.Tool.Version},
		Agent:    ecsAgent{Type: "ztscan", Version: r.Tool.Version},
		Message:  terminalLine(message),
		Ztscan: ecsZtscan{
			Status: res.Status, Severity: res.Severity, Section: res.Section, Title: res.Title,
			Remediation: res.Remediation, Evidence: compactJSON(res.Evidence), Waiver: res.Waiver,
			Scan: ecsZtscanScan{ID: r.Scan.ID, Score: r.Summary.Score, Target: target.Kind, Root: target.Root},
		},
	}
}

// osName is the OS name without its version ("Debian GNU/Linux" from
// "Debian GNU/Linux 12 (bookworm)"), as host.os.name wants.
func osName(pretty, id string) string {
	fields := strings.Fields(pretty)
	for i, f := range fields {
		if f != "" && (f[0] >= '0' && f[0] <= '9' || f[0] == '(') {
			fields = fields[:i]
			break
		}
	}
	if len(fields) > 0 {
		return strings.Join(fields, " ")
	}
	return id
}

func riskScore(severity string) float64 {
	if s, ok := ecsRiskScore[severity]; ok {
		return s
	}
	return ecsRiskScore["critical"]
}

func ecsTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprintf("evidence not encodable: %v", err))
	}
	return string(b)
}
