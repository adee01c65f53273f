package reports

import (
	"fmt"
	"path"
	"strings"

	"github.com/ztscan/ztscan/rules"
)

// Select keeps the outcomes that --only, --skip and --severity ask for,
// in their order. only and skip hold rule IDs or globs (ZT-SSH-*, matched
// case-insensitively); an empty only keeps every rule. A pattern that
// matches no rule is an error, so that a typo never yields an empty, green
// report. minSeverity "" keeps every severity.
func Select(outcomes []rules.Outcome, only, skip []string, minSeverity string) ([]rules.Outcome, error) {
	onlyPatterns, err := compilePatterns("--only", only, outcomes)
	if err != nil {
		return nil, err
	}
	skipPatterns, err := compilePatterns("--skip", skip, outcomes)
	if err != nil {
		return nil, err
	}
	minRank := 0
	if minSeverity != "" {
		sev, err := ParseSeverity(minSeverity)
		if err != nil {
			return nil, fmt.Errorf("--severity: %w", err)
		}
		minRank = rules.SeverityRank(sev)
	}

	out := make([]rules.Outcome, 0, len(outcomes))
	for _, o := range outcomes {
		if len(onlyPatterns) > 0 && !matchesAny(onlyPatterns, o.Rule.ID) {
			continue
		}
		if matchesAny(skipPatterns, o.Rule.ID) {
			continue
		}
		if severityRankOf(o.Rule.Severity) < minRank {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

// compilePatterns normalises the patterns of one flag and checks that each
// is a valid glob matching at least one rule.
func compilePatterns(flag string, patterns []string, outcomes []rules.Outcome) ([]string, error) {
	var out []string
	for _, p := range patterns {
		p = strings.ToUpper(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("%s %s: bad pattern: %w", flag, p, err)
		}
		found := false
		for _, o := range outcomes {
			if globMatch(p, o.Rule.ID) {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no rule matches %s %s", flag, p)
		}
		out = append(out, p)
	}
	return out, nil
}

func matchesAny(patterns []string, id string) bool {
	for _, p := range patterns {
		if globMatch(p, id) {
			return true
		}
	}
	return false
}

// globMatch matches an upper-cased pattern against a rule ID. Rule IDs have
// no slash, so path.Match's rules are the shell's here.
func globMatch(pattern, id string) bool {
	ok, _ := path.Match(pattern, strings.ToUpper(id))
	return ok
}
