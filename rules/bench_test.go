package rules

import (
	"context"
	"os"
	"testing"
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
