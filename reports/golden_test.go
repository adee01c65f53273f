package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden renders the fixture report in every format and compares it
// byte for byte with the reviewed golden file; rendering twice also proves
// the output deterministic.
func TestGolden(t *testing.T) {
	tests := []struct {
		file   string
		format string
		opt    RenderOptions
	}{
		{"report.table", "table", RenderOptions{Width: 100}},
		{"report.table-color", "table", RenderOptions{Width: 100, Color: true}},
		{"report.table-quiet", "table", RenderOptions{Width: 100, Quiet: true}},
		{"report.json", "json", RenderOptions{}},
		{"report.junit.xml", "junit", RenderOptions{}},
		{"report.sarif", "sarif", RenderOptions{}},
		{"report.html", "html", RenderOptions{}},
		{"report.md", "markdown", RenderOptions{}},
		{"report.ecs.ndjson", "ecs", RenderOptions{}},
		{"report.ocsf.ndjson", "ocsf", RenderOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var first, second bytes.Buffer
			if err := Render(&first, tt.format, fixtureReport(t), tt.opt); err != nil {
				t.Fatal(err)
			}
			if err := Render(&second, tt.format, fixtureReport(t), tt.opt); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Fatalf("two renderings differ:\n%s", cmp.Diff(first.String(), second.String()))
			}
			path := filepath.Join("testdata", "golden", tt.file)
			if *update {
				if err := os.WriteFile(path, first.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./reports/ -update)", err)
			}
			if diff := cmp.Diff(string(want), first.String()); diff != "" {
				t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
			}
		})
	}
}
