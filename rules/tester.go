package rules

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is one Rego test's outcome.
type TestResult struct {
	Package  string
	Name     string
	Location string
	Passed   bool
	Skipped  bool
	Error    string
	Duration time.Duration
}

// RunTests runs the test_ rules of srcs (which must include the modules
// under test; the built-in lib is added so custom rules can import
// data.ztscan.lib). Results are sorted by package and name.
func RunTests(ctx context.Context, srcs []Source, cfg map[string]any) ([]TestResult, error) {
	lib, err := BuiltinSources(false)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, s := range srcs {
		have[s.Name] = true
	}
	for _, s := range lib {
		if !have[s.Name] && s.Name == "builtin/lib.rego" {
			srcs = append(srcs, s)
		}
	}
	mods, err := ParseModules(srcs)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = map[string]any{}
	}
	store := inmem.NewFromObject(map[string]any{"config": cfg})
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	compiler := ast.NewCompiler().WithEnablePrintStatements(true)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		SetModules(mods).
		SetTimeout(30*time.Second).
		RaiseBuiltinErrors(true).
		RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("rego tests: %w", err)
	}
	var out []TestResult
	for r := range ch {
		tr := TestResult{Package: r.Package, Name: r.Name, Passed: r.Pass(), Skipped: r.Skip, Duration: r.Duration}
		if r.Location != nil {
			tr.Location = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
		}
		if r.Error != nil {
			tr.Error = r.Error.Error()
			tr.Passed = false
		} else if r.Fail {
			tr.Error = "test evaluated to false or undefined"
		}
		out = append(out, tr)
	}
	if compiler.Failed() {
		return nil, compiler.Errors
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
