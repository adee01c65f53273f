package reports

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func res(id, severity, status string) Result {
	return Result{ID: id, Severity: severity, Status: status, Evidence: map[string]any{}, References: []string{}}
}

func TestScore(t *testing.T) {
	tests := []struct {
		name    string
		results []Result
		want    float64
	}{
		{"no results scores 100: nothing was found wrong", nil, 100},
		{"only error, skip and waived are not applicable", []Result{
			res("A-B-1", "critical", "error"), res("A-B-2", "high", "skip"), res("A-B-3", "critical", "waived"),
		}, 100},
		{"all pass", []Result{res("A-B-1", "high", "pass"), res("A-B-2", "low", "pass")}, 100},
		{"all fail", []Result{res("A-B-1", "high", "fail")}, 0},
		// One critical failure outweighs ten passing lows: 10/(10+10).
		{"critical weighs 10, low 1", append(repeat(res("A-B-1", "low", "pass"), 10), res("A-B-2", "critical", "fail")), 50},
		// 6 / (6 + 3) = 66.67 -> 66.7
		{"high 6 against medium 3, rounded to one decimal", []Result{res("A-B-1", "high", "pass"), res("A-B-2", "medium", "fail")}, 66.7},
		// 0.5 / (0.5 + 1) = 33.33 -> 33.3
		{"info weighs 0.5", []Result{res("A-B-1", "info", "pass"), res("A-B-2", "low", "fail")}, 33.3},
		{"waived, error and skip do not dilute", []Result{
			res("A-B-1", "high", "pass"), res("A-B-2", "high", "fail"),
			res("A-B-3", "critical", "waived"), res("A-B-4", "critical", "error"), res("A-B-5", "critical", "skip"),
		}, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Score(tt.results); got != tt.want {
				t.Errorf("Score = %v, want %v", got, tt.want)
			}
		})
	}
}

func repeat(r Result, n int) []Result {
	out := make([]Result, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func TestSummarizeCountsEverySeverity(t *testing.T) {
	got := Summarize([]Result{res("A-B-1", "high", "pass"), res("A-B-2", "high", "fail"), res("A-B-3", "info", "waived")})
	want := Summary{
		Counts: Counts{Total: 3, Pass: 1, Fail: 1, Waived: 1},
		Score:  50,
		BySeverity: map[string]Counts{
			"critical": {}, "high": {Total: 2, Pass: 1, Fail: 1}, "medium": {}, "low": {}, "info": {Total: 1, Waived: 1},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summarize (-want +got):\n%s", diff)
	}
}

func TestExitCode(t *testing.T) {
	// The worst failure is medium; a high error and a critical waiver must
	// not count, as neither is a failing result.
	r := &Report{Results: []Result{
		res("A-B-1", "medium", "fail"), res("A-B-2", "high", "error"),
		res("A-B-3", "critical", "waived"), res("A-B-4", "critical", "skip"), res("A-B-5", "critical", "pass"),
	}}
	tests := []struct {
		failOn string
		want   int
	}{
		{"info", 1}, {"low", 1}, {"medium", 1}, {"MEDIUM", 1}, {"high", 0}, {"critical", 0}, {"none", 0},
		{"bogus", 1}, // fails closed
	}
	for _, tt := range tests {
		if got := r.ExitCode(tt.failOn); got != tt.want {
			t.Errorf("ExitCode(%q) = %d, want %d", tt.failOn, got, tt.want)
		}
	}
	if got := (&Report{}).ExitCode("info"); got != 0 {
		t.Errorf("empty report ExitCode(info) = %d, want 0", got)
	}
}

func TestParseSeverity(t *testing.T) {
	tests := []struct {
		in         string
		severity   string
		severityOK bool
		failOn     string
		failOnOK   bool
	}{
		{"high", "high", true, "high", true},
		{" Critical ", "critical", true, "critical", true},
		{"INFO", "info", true, "info", true},
		{"none", "", false, "none", true},
		{"NONE", "", false, "none", true},
		{"hihg", "", false, "", false},
		{"", "", false, "", false},
	}
	for _, tt := range tests {
		got, err := ParseSeverity(tt.in)
		if (err == nil) != tt.severityOK || got != tt.severity {
			t.Errorf("ParseSeverity(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.severity, tt.severityOK)
		}
		got, err = ParseFailOn(tt.in)
		if (err == nil) != tt.failOnOK || got != tt.failOn {
			t.Errorf("ParseFailOn(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.failOn, tt.failOnOK)
		}
	}
}
