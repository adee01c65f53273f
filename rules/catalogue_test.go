package rules

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateCatalogue = flag.Bool("update", false, "rewrite golden files")

// TestCatalogue keeps docs/rules.md equal to the rules' METADATA.
func TestCatalogue(t *testing.T) {
	eng, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := Catalogue(eng.Rules())
	const path = "../docs/rules.md"
	if *updateCatalogue {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (regenerate with go test ./rules -run TestCatalogue -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("docs/rules.md is stale; regenerate with go test ./rules -run TestCatalogue -update:\n%s", diff)
	}
}
