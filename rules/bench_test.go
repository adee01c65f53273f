package rules

import (
	"context"
	"os"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// BenchmarkLoad is parsing, validating and compiling every rule: paid once
// per scan.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(context.Background(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEval is one evaluation of a realistic snapshot.
func BenchmarkEval(b *testing.B) {
	e, err := Load(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := os.ReadFile("testdata/snapshots/debian12-stock-live.json")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.Eval(context.Background(), snap); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBuiltinsPassEveryCompilerCheck: scans compile the built-in rules
// without the validation-only stages, so the suite compiles them with all.
func TestBuiltinsPassEveryCompilerCheck(t *testing.T) {
	srcs, err := BuiltinSources(false)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := ParseModules(srcs)
	if err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler()
	if c.Compile(mods); c.Failed() {
		t.Fatalf("built-in rules fail a compiler check: %v", c.Errors)
	}
}
