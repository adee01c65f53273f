package rules

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/config"
)

// -update may already be defined by another test file of this package
// (package-level vars initialise before init), so define it only if not.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// snapshotSections are the sections the realistic snapshots of
// testdata/snapshots were written for.
var snapshotSections = []string{"SSH", "KRN", "MAC"}

// implementedSections are the checklist sections with at least one
// built-in rule: a section that has begun must be complete, so a checklist
// ID of it without a rule fails the suite.
func implementedSections(e *Engine) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range e.Rules() {
		if s := sectionOf(r.ID); r.Builtin && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// checklistRow is one control of the checklist.
type checklistRow struct {
	ID       string
	Severity string
}

var checklistRowPattern = regexp.MustCompile(`^\|\s*(ZT-[A-Z0-9]+-[0-9]+)\s*\|\s*([a-z]+)\s*\|`)

// readChecklist reads the checklist copy in testdata and, where the shared
// original sits beside the repository (CI), fails when the copy drifted.
func readChecklist(t *testing.T) map[string]checklistRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "checklist.md"))
	if err != nil {
		t.Fatalf("read checklist copy: %v", err)
	}
	shared := filepath.Join("..", "..", "shared", "checklist.md")
	if orig, err := os.ReadFile(shared); err == nil {
		if !bytes.Equal(orig, b) {
			t.Errorf("rules/testdata/checklist.md differs from %s: copy the shared checklist again (cp %s rules/testdata/checklist.md) and update the rules", shared, shared)
		}
	}
	rows := map[string]checklistRow{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		m := checklistRowPattern.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("checklist lists %s twice", m[1])
		}
		rows[m[1]] = checklistRow{ID: m[1], Severity: m[2]}
	}
	if len(rows) == 0 {
		t.Fatal("no rows found in testdata/checklist.md")
	}
	return rows
}

// defaultConfig is the built-in configuration as data.config.
func defaultConfig(t *testing.T) map[string]any {
	t.Helper()
	cfg, err := config.Defaults()
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	return cfg.Values
}

func loadEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := Load(context.Background(), Options{Config: defaultConfig(t)})
	if err != nil {
		t.Fatalf("load built-in rules: %v", err)
	}
	return e
}

func inSection(id string, sections []string) bool {
	for _, s := range sections {
		if sectionOf(id) == s {
			return true
		}
	}
	return false
}

// TestRegoUnitTests runs every built-in *_test.rego with OPA's tester.
func TestRegoUnitTests(t *testing.T) {
	srcs, err := BuiltinSources(true)
	if err != nil {
		t.Fatal(err)
	}
	// The same runner `ztscan rules test` uses; the tests state
	// data.config themselves, so none is given.
	results, err := RunTests(context.Background(), srcs, nil)
	if err != nil {
		t.Fatalf("run rego tests: %v", err)
	}
	if len(results) == 0 {
		t.Fatal("no Rego tests found")
	}
	failed := 0
	for _, r := range results {
		switch {
		case r.Skipped:
			failed++
			t.Errorf("%s.%s: skipped (todo_ test)", r.Package, r.Name)
		case !r.Passed:
			failed++
			t.Errorf("%s.%s (%s): %s", r.Package, r.Name, r.Location, r.Error)
		}
	}
	t.Logf("%d Rego tests, %d failing", len(results), failed)
}

// regoTestNames lists the test_ rules of the built-in _test.rego files.
func regoTestNames(t *testing.T) map[string]bool {
	t.Helper()
	srcs, err := BuiltinSources(true)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range srcs {
		if !strings.HasSuffix(s.Name, "_test.rego") {
			continue
		}
		mods, err := ParseModules([]Source{s})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range mods[s.Name].Rules {
			if n := r.Head.Name.String(); strings.HasPrefix(n, "test_") {
				names[n] = true
			}
		}
	}
	return names
}

// TestRuleSeverityMatchesChecklist: a rule's severity is the checklist's.
func TestRuleSeverityMatchesChecklist(t *testing.T) {
	rows := readChecklist(t)
	for _, r := range loadEngine(t).Rules() {
		row, ok := rows[r.ID]
		if !ok {
			continue // reported by TestChecklistCoverage
		}
		if r.Severity != row.Severity {
			t.Errorf("%s (%s:%d): severity %s, the checklist says %s", r.ID, r.File, r.Line, r.Severity, row.Severity)
		}
	}
}

// TestEveryRuleHasTests: test_<rule>_pass*, _fail*, and _error* or _skip*.
func TestEveryRuleHasTests(t *testing.T) {
	names := regoTestNames(t)
	has := func(prefix string) bool {
		for n := range names {
			if strings.HasPrefix(n, prefix) {
				return true
			}
		}
		return false
	}
	for _, r := range loadEngine(t).Rules() {
		if !r.Builtin {
			continue
		}
		rule := r.path[len(r.path)-1]
		var lacking []string
		for _, kind := range []string{"pass", "fail"} {
			if !has("test_" + rule + "_" + kind) {
				lacking = append(lacking, "test_"+rule+"_"+kind+"*")
			}
		}
		if !has("test_"+rule+"_error") && !has("test_"+rule+"_skip") {
			lacking = append(lacking, "test_"+rule+"_error* or test_"+rule+"_skip*")
		}
		if len(lacking) > 0 {
			t.Errorf("%s (rule %s, %s:%d) has no %s", r.ID, rule, r.File, r.Line, strings.Join(lacking, ", "))
		}
	}
}

// TestChecklistCoverage: every checklist ID of an implemented section has a
// rule, and every built-in rule has a checklist ID.
func TestChecklistCoverage(t *testing.T) {
	rows := readChecklist(t)
	e := loadEngine(t)
	for _, r := range e.Rules() {
		if _, ok := rows[r.ID]; !ok && r.Builtin {
			t.Errorf("%s (%s:%d) is not in the checklist", r.ID, r.File, r.Line)
		}
	}
	var ids []string
	for id := range rows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	implemented := implementedSections(e)
	for _, id := range ids {
		if !inSection(id, implemented) {
			continue
		}
		if _, ok := e.Rule(id); !ok {
			t.Errorf("%s (section %s) has no rule", id, sectionOf(id))
		}
	}
}

// snapshotVerdict is the golden form of one rule's verdict on a snapshot.
type snapshotVerdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// TestSnapshots evaluates the realistic snapshots in testdata/snapshots and
// compares the verdicts of the implemented sections with <name>.want.json
// (go test ./rules -run TestSnapshots -update rewrites them; review the diff).
func TestSnapshots(t *testing.T) {
	e := loadEngine(t)
	files, err := filepath.Glob(filepath.Join("testdata", "snapshots", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var snapshots []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".want.json") {
			snapshots = append(snapshots, f)
		}
	}
	if len(snapshots) == 0 {
		t.Fatal("no snapshots in testdata/snapshots")
	}
	for _, f := range snapshots {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			outs, err := e.Eval(context.Background(), b)
			if err != nil {
				t.Fatalf("eval: %v", err)
			}
			got := map[string]snapshotVerdict{}
			for _, o := range outs {
				if inSection(o.Rule.ID, snapshotSections) {
					got[o.Rule.ID] = snapshotVerdict{Status: o.Verdict.Status, Message: o.Verdict.Message}
				}
			}
			wantFile := strings.TrimSuffix(f, ".json") + ".want.json"
			if updating() {
				j, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(wantFile, append(j, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wb, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("read %s (go test ./rules -run TestSnapshots -update writes it): %v", wantFile, err)
			}
			var want map[string]snapshotVerdict
			if err := json.Unmarshal(wb, &want); err != nil {
				t.Fatalf("%s: %v", wantFile, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: verdicts differ from %s (-want +got):\n%s", f, wantFile, diff)
			}
		})
	}
}
