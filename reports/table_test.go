package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jedib0t/go-pretty/v6/text"
)

func renderString(t *testing.T, format string, r *Report, opt RenderOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, format, r, opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestTableNoColorHasNoEscapes: without Color nothing may reach the
// terminal as an escape sequence, including ones planted in messages.
func TestTableNoColorHasNoEscapes(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		out := renderString(t, "table", fixtureReport(t), RenderOptions{Width: 80, Quiet: quiet})
		if strings.ContainsAny(out, "\x1b\u009b\x00\x07") {
			t.Errorf("quiet=%v: table without colour holds an escape or control character:\n%q", quiet, out)
		}
	}
}

func TestTableColor(t *testing.T) {
	out := renderString(t, "table", fixtureReport(t), RenderOptions{Width: 100, Color: true})
	for status, code := range statusColors {
		if !strings.Contains(out, code+strings.ToUpper(status)+ansiReset) {
			t.Errorf("status %s is not coloured %q", status, code)
		}
	}
}

// TestTableWidth: result rows fit the terminal, so rows do not wrap into
// each other; wide (CJK) characters count double.
func TestTableWidth(t *testing.T) {
	for _, width := range []int{80, 100, 160} {
		out := renderString(t, "table", fixtureReport(t), RenderOptions{Width: width})
		for _, line := range strings.Split(out, "\n") {
			isRow := strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "  ")
			if w := text.StringWidthWithoutEscSequences(line); isRow && w > width {
				t.Errorf("width %d: row is %d columns: %q", width, w, line)
			}
		}
	}
}

func TestTableQuiet(t *testing.T) {
	out := renderString(t, "table", fixtureReport(t), RenderOptions{Width: 100, Quiet: true})
	for _, absent := range []string{"PASS", "Target:", "Collectors not ok", "Waived (", "Waivers not applied", "Drift from"} {
		if strings.Contains(out, absent) {
			t.Errorf("quiet output shows %q:\n%s", absent, out)
		}
	}
	for _, present := range []string{"Failures (4)", "Errors (2)", "17 rules: "} {
		if !strings.Contains(out, present) {
			t.Errorf("quiet output lacks %q:\n%s", present, out)
		}
	}
}

func TestTableSummaryLine(t *testing.T) {
	tests := []struct {
		name    string
		results []Result
		want    string
	}{
		{"empty", nil, "0 rules: 0 pass, 0 fail, 0 error, 0 skip, 0 waived. Score 100.0/100\n"},
		{"fails by severity, most severe first", []Result{
			res("A-B-1", "low", "fail"), res("A-B-2", "critical", "fail"), res("A-B-3", "critical", "fail"),
			res("A-B-4", "high", "pass"), res("A-B-5", "high", "error"), res("A-B-6", "low", "skip"),
		}, "6 rules: 1 pass, 3 fail (2 critical, 1 low), 1 error, 1 skip, 0 waived. Score 22.2/100\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Results: tt.results, Summary: Summarize(tt.results)}
			out := renderString(t, "table", r, RenderOptions{Quiet: true})
			lines := strings.SplitAfter(out, "\n")
			if got := lines[len(lines)-2]; got != tt.want {
				t.Errorf("summary line = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTableDrift(t *testing.T) {
	r := fixtureReportPlain(t)
	r.Drift = &Drift{
		NewFailures: []DriftEntry{{ID: "ZT-FW-002", Title: "Inbound default deny", Severity: "critical", OldStatus: "pass", NewStatus: "fail"}},
		Fixed:       []DriftEntry{{ID: "ZT-SSH-001", Title: "Root login is disabled", Severity: "high", OldStatus: "fail", NewStatus: "pass"}},
	}
	out := renderString(t, "table", r, RenderOptions{})
	for _, want := range []string{"Drift from baseline: 1 new failures, 1 fixed, 0 changed", "new failure  critical  ZT-FW-002    pass -> fail"} {
		if !strings.Contains(out, want) {
			t.Errorf("drift section lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, "yaml", fixtureReport(t), RenderOptions{})
	if err == nil || !strings.Contains(err.Error(), "ecs, html, json, junit, markdown, ocsf, sarif, table") {
		t.Errorf("err = %v, want it to list the known formats", err)
	}
}

func TestTerminalLine(t *testing.T) {
	tests := map[string]string{
		"plain":                       "plain",
		"a\x1b[31mred\x1b[0m":         "ared",
		"title\x1b]0;pwned\x07 after": "title after",
		"two\nlines\tand tab":         "two lines and tab",
		"bell\x07 del\x7f":            `bell\x07 del\x7f`,
		"\u202eevil":                  `\u202eevil`,
		"bad \xff utf8":               "bad \ufffd utf8",
		"温度 🌡":                        "温度 🌡",
	}
	for in, want := range tests {
		if got := terminalLine(in); got != want {
			t.Errorf("terminalLine(%q) = %q, want %q", in, got, want)
		}
	}
}
