package reports

import (
	"math"

	"github.com/ztscan/ztscan/rules"
)

// Counts is how many results have each status.
type Counts struct {
	Total  int `json:"total"`
	Pass   int `json:"pass"`
	Fail   int `json:"fail"`
	Error  int `json:"error"`
	Skip   int `json:"skip"`
	Waived int `json:"waived"`
}

// Summary counts the results overall and per severity, and scores them.
type Summary struct {
	Counts
	Score      float64           `json:"score"`
	BySeverity map[string]Counts `json:"by_severity"`
}

// severityWeights weigh a result in the score: one critical finding must
// outweigh several low ones, and an info finding (tuning advice) barely
// moves the score.
var severityWeights = map[string]float64{
	"critical": 10,
	"high":     6,
	"medium":   3,
	"low":      1,
	"info":     0.5,
}

// unknownSeverityWeight is used for a severity outside the five (rule
// loading rejects those, but a hand-made outcome could still carry one).
const unknownSeverityWeight = 1

func (c *Counts) add(status string) {
	c.Total++
	switch status {
	case rules.Pass:
		c.Pass++
	case rules.Fail:
		c.Fail++
	case rules.Error:
		c.Error++
	case rules.Skip:
		c.Skip++
	case rules.Waived:
		c.Waived++
	}
}

// Summarize counts results and computes the score. Every one of the five
// severities is present in BySeverity, even at zero, so that consumers can
// index it without checks.
func Summarize(results []Result) Summary {
	s := Summary{BySeverity: map[string]Counts{}}
	for _, sev := range rules.Severities {
		s.BySeverity[sev] = Counts{}
	}
	for _, r := range results {
		s.add(r.Status)
		c := s.BySeverity[r.Severity]
		c.add(r.Status)
		s.BySeverity[r.Severity] = c
	}
	s.Score = Score(results)
	return s
}

// Score is the share of applicable results that pass, weighted by
// severity (critical 10, high 6, medium 3, low 1, info 0.5), as a
// percentage rounded to one decimal. Only pass and fail are applicable:
// error, skip and waived say nothing about compliance either way. With no
// applicable result the score is 100, as nothing was found wrong.
func Score(results []Result) float64 {
	var passed, applicable float64
	for _, r := range results {
		if r.Status != rules.Pass && r.Status != rules.Fail {
			continue
		}
		w, ok := severityWeights[r.Severity]
		if !ok {
			w = unknownSeverityWeight
		}
		applicable += w
		if r.Status == rules.Pass {
			passed += w
		}
	}
	if applicable == 0 {
		return 100
	}
	return math.Round(passed/applicable*1000) / 10
}
