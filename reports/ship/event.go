// Package ship delivers a report's events to SIEMs and log pipelines:
// syslog over TCP or TLS (RFC 5424 messages, RFC 5425 octet counting),
// Loki's push API, Splunk's HTTP Event Collector and NDJSON files that an
// agent tails. A destination that stays down gets its events spooled on
// disk; they are sent first on the next run. See docs/siem.md.
package ship

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ztscan/ztscan/reports"
)

// Event kinds.
const (
	KindResult  = "result"
	KindSummary = "summary"
)

// Event is one message for a SIEM: one per result plus one summary per
// scan. Body is the JSON object every destination carries (the ECS
// document of `ztscan -f ecs` for a result); the other fields are what
// destinations put in their own envelope (syslog header and structured
// data, Loki labels, HEC metadata). Events are spooled as they are, so a
// resent event is byte for byte the one first tried.
type Event struct {
	// ID is stable for a scan and rule ("<scan id>-<rule id>", the ECS
	// event.id): a receiver that sees an event twice can tell.
	ID       string           `json:"id"`
	Kind     string           `json:"kind"`
	Time     time.Time        `json:"time"` // the scan's start
	Host     string           `json:"host"`
	ScanID   string           `json:"scan_id"`
	RuleID   string           `json:"rule_id,omitempty"`
	Section  string           `json:"section,omitempty"`
	Severity string           `json:"severity,omitempty"`
	Status   string           `json:"status,omitempty"`
	Summary  *reports.Summary `json:"summary,omitempty"`
	Body     json.RawMessage  `json:"body"`
}

// Events turns a report into its events: the results in report order
// (sorted by ID), then the summary.
func Events(r *reports.Report) ([]Event, error) {
	bodies, err := ecsBodies(r)
	if err != nil {
		return nil, err
	}
	events := make([]Event, 0, len(r.Results)+1)
	t := r.Scan.StartedAt.UTC()
	host := r.Scan.Target.Hostname
	for _, res := range r.Results {
		body, ok := bodies[res.ID]
		if !ok {
			return nil, fmt.Errorf("ecs renderer gave no event for %s", res.ID)
		}
		events = append(events, Event{
			ID: r.Scan.ID + "-" + res.ID, Kind: KindResult, Time: t, Host: host, ScanID: r.Scan.ID,
			RuleID: res.ID, Section: res.Section, Severity: res.Severity, Status: res.Status, Body: body,
		})
	}
	sum, err := summaryBody(r)
	if err != nil {
		return nil, err
	}
	s := r.Summary
	events = append(events, Event{
		ID: r.Scan.ID + "-summary", Kind: KindSummary, Time: t, Host: host, ScanID: r.Scan.ID,
		Summary: &s, Body: sum,
	})
	return events, nil
}

// ecsBodies renders the report with the ecs renderer (one object per line
// per result) and keys the objects by rule ID, so that shipped events and
// `-f ecs` files are the same documents.
func ecsBodies(r *reports.Report) (map[string]json.RawMessage, error) {
	var buf bytes.Buffer
	if err := reports.Render(&buf, "ecs", r, reports.RenderOptions{}); err != nil {
		return nil, fmt.Errorf("ecs events: %w", err)
	}
	out := make(map[string]json.RawMessage, len(r.Results))
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var probe struct {
			Rule struct {
				ID string `json:"id"`
			} `json:"rule"`
		}
		if err := json.Unmarshal(line, &probe); err != nil {
			return nil, fmt.Errorf("ecs events: %w", err)
		}
		out[probe.Rule.ID] = json.RawMessage(bytes.Clone(line))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ecs events: %w", err)
	}
	return out, nil
}

// summaryBody is the scan's summary event, in the shape of the result
// events (ECS fields outside ztscan.*) so one index or stream takes both.
func summaryBody(r *reports.Report) (json.RawMessage, error) {
	target := r.Scan.Target
	collectors := map[string]int{}
	for _, c := range r.Collectors {
		collectors[c.Status]++
	}
	s := r.Summary
	outcome := "success"
	if s.Fail > 0 {
		outcome = "failure"
	}
	ts := r.Scan.StartedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	doc := map[string]any{
		"@timestamp": ts,
		"ecs":        map[string]any{"version": "8.11.0"},
		"event": map[string]any{
			"kind": "state", "category": []string{"configuration"}, "type": []string{"info"},
			"outcome": outcome, "dataset": "ztscan.summary", "module": "ztscan", "provider": "ztscan",
			"id": r.Scan.ID + "-summary", "start": ts,
			"end":      r.Scan.FinishedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
			"duration": r.Scan.DurationMS * int64(time.Millisecond),
		},
		"host":     map[string]any{"hostname": target.Hostname, "name": target.Hostname},
		"observer": map[string]any{"vendor": "ztscan", "product": "ztscan", "version": r.Tool.Version},
		"agent":    map[string]any{"type": "ztscan", "version": r.Tool.Version},
		"message":  summaryMessage(r),
		"ztscan": map[string]any{
			"summary": s,
			"scan": map[string]any{
				"id": r.Scan.ID, "score": s.Score, "target_kind": target.Kind, "target_root": target.Root,
				"duration_ms": r.Scan.DurationMS,
			},
			"collectors": collectors,
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("summary event: %w", err)
	}
	return b, nil
}

func summaryMessage(r *reports.Report) string {
	s := r.Summary
	host := r.Scan.Target.Hostname
	if host == "" {
		host = r.Scan.Target.Root
	}
	var worst []string
	for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
		if n := s.BySeverity[sev].Fail; n > 0 {
			worst = append(worst, fmt.Sprintf("%d %s", n, sev))
		}
	}
	fails := fmt.Sprintf("%d fail", s.Fail)
	if len(worst) > 0 {
		fails += " (" + strings.Join(worst, ", ") + ")"
	}
	return fmt.Sprintf("ztscan %s: score %.1f, %s, %d pass, %d error, %d skip, %d waived",
		host, s.Score, fails, s.Pass, s.Error, s.Skip, s.Waived)
}
