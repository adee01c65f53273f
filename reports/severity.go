package reports

import (
	"fmt"
	"strings"

	"github.com/ztscan/ztscan/rules"
)

// FailOnNone is the --fail-on value that never fails on findings.
const FailOnNone = "none"

// ParseSeverity validates a --severity value (case-insensitive) and
// returns it in canonical lower case.
func ParseSeverity(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if rules.SeverityRank(v) < 0 {
		return "", fmt.Errorf("severity %q is not one of %s", s, strings.Join(rules.Severities, ", "))
	}
	return v, nil
}

// ParseFailOn validates a --fail-on value: a severity, or "none".
func ParseFailOn(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == FailOnNone {
		return v, nil
	}
	if rules.SeverityRank(v) < 0 {
		return "", fmt.Errorf("--fail-on %q is not one of %s, %s", s, strings.Join(rules.Severities, ", "), FailOnNone)
	}
	return v, nil
}

// ExitCode is the process exit code SPEC.md gives for this report: 1 when a
// result with status fail has a severity at or above failOn, else 0. failOn
// "none" never fails. An unrecognised failOn fails closed (as "info"), so a
// bad value reaching here can not hide findings; the CLI validates it with
// ParseFailOn first.
func (r *Report) ExitCode(failOn string) int {
	failOn = strings.ToLower(strings.TrimSpace(failOn))
	if failOn == FailOnNone {
		return 0
	}
	threshold := rules.SeverityRank(failOn)
	if threshold < 0 {
		threshold = 0
	}
	for _, res := range r.Results {
		if res.Status == rules.Fail && severityRankOf(res.Severity) >= threshold {
			return 1
		}
	}
	return 0
}

// severityRankOf ranks a result's severity; an unknown one ranks highest,
// so it can never slip under a --fail-on threshold.
func severityRankOf(s string) int {
	if r := rules.SeverityRank(s); r >= 0 {
		return r
	}
	return len(rules.Severities)
}
