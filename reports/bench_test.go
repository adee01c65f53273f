package reports

import (
	"fmt"
	"io"
	"testing"

	"github.com/ztscan/ztscan/rules"
)

// benchOutcomes is a large custom-rule set: 500 results across every
// section, status and severity, with some evidence each.
func benchOutcomes() []rules.Outcome {
	statuses := []string{rules.Pass, rules.Pass, rules.Fail, rules.Error, rules.Skip, rules.Waived}
	out := make([]rules.Outcome, 0, 500)
	for i := range 500 {
		section := sectionOrder[i%len(sectionOrder)]
		out = append(out, rules.Outcome{
			Rule: rules.Rule{
				ID: fmt.Sprintf("ZT-%s-%03d", section, i), Title: fmt.Sprintf("Control number %d of section %s", i, section),
				Section: section, Severity: rules.Severities[i%len(rules.Severities)],
				Remediation: "Apply the documented hardening.", References: []string{"Guide"},
			},
			Verdict: rules.Verdict{
				Status:   statuses[i%len(statuses)],
				Message:  fmt.Sprintf("observed value %d differs from the expected value for this control on this host", i),
				Evidence: map[string]any{"value": i, "path": "/etc/x", "nested": map[string]any{"a": []any{1, 2, 3}}},
			},
		})
	}
	return out
}

func BenchmarkBuildRender(b *testing.B) {
	outcomes := benchOutcomes()
	in := fixtureInput()
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				r := Build(in, outcomes)
				if err := Render(io.Discard, format, r, RenderOptions{Width: 120}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
