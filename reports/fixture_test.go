package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/rules"
)

// fixtureOutcome is one hand-written outcome of testdata/outcomes.json. A
// waiver is attached after Build, as the waiver stage will do.
type fixtureOutcome struct {
	Rule    rules.Rule    `json:"rule"`
	Verdict rules.Verdict `json:"verdict"`
	Waiver  *Waiver       `json:"waiver"`
}

var (
	fixtureStarted  = time.Date(2025, 2, 3, 4, 5, 6, 789_000_000, time.UTC)
	fixtureFinished = fixtureStarted.Add(2345 * time.Millisecond)
)

func fixtureInput() BuildInput {
	return BuildInput{
		Tool: facts.Tool{Name: "ztscan", Version: "1.0.0-test"},
		Target: facts.Target{Kind: "rootfs", Root: "/srv/images/base", Hostname: "golden-01", OS: facts.OS{
			ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)", KernelRelease: "6.1.0-18-amd64", Arch: "x86_64",
		}},
		StartedAt:  fixtureStarted,
		FinishedAt: fixtureFinished,
		// Deliberately out of name order: Build sorts them.
		Collectors: []facts.CollectorStatus{
			{Name: "sshd", Status: facts.StatusOK, DurationMS: 12},
			{Name: "auditrules", Status: facts.StatusError, Error: "/etc/audit/rules.d/50-zt.rules:12: unknown field \"arch=b128\"", DurationMS: 3},
			{Name: "chrony", Status: facts.StatusUnavailable, Error: "unavailable: needs a running system", DurationMS: 0},
			{Name: "nftables", Status: facts.StatusOK, DurationMS: 40},
		},
	}
}

// loadFixture reads the hand-written outcomes and their waivers.
func loadFixture(t testing.TB) ([]rules.Outcome, map[string]*Waiver) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "outcomes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fixture []fixtureOutcome
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatalf("testdata/outcomes.json: %v", err)
	}
	outcomes := make([]rules.Outcome, 0, len(fixture))
	waivers := map[string]*Waiver{}
	for _, f := range fixture {
		outcomes = append(outcomes, rules.Outcome{Rule: f.Rule, Verdict: f.Verdict})
		if f.Waiver != nil {
			waivers[f.Rule.ID] = f.Waiver
		}
	}
	return outcomes, waivers
}

// fixtureReport is the report every golden file renders: the outcomes,
// then testdata/waivers.yaml (one applied, one expired, two unused) and the
// drift from testdata/baseline.json, as the CLI does with --waivers and
// --baseline.
func fixtureReport(t testing.TB) *Report {
	t.Helper()
	r := fixtureReportPlain(t)
	wf, err := LoadWaivers(filepath.Join("testdata", "waivers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wf.Path = "waivers.yaml" // golden files must not depend on the checkout path
	wf.Apply(r)
	baseline, err := LoadReport(filepath.Join("testdata", "baseline.json"))
	if err != nil {
		t.Fatal(err)
	}
	r.Drift = Diff(baseline, r)
	return r
}

// fixtureReportPlain is the fixture report without waivers file or drift.
func fixtureReportPlain(t testing.TB) *Report {
	t.Helper()
	outcomes, waivers := loadFixture(t)
	r := Build(fixtureInput(), outcomes)
	for i := range r.Results {
		r.Results[i].Waiver = waivers[r.Results[i].ID]
	}
	return r
}
