package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/internal/fixture"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixturesDir = "../../fixtures/images"

// materialize builds fixture case name in a fresh directory.
func materialize(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := fixture.Materialize(fixturesDir, name, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

type jsonReport struct {
	Scan struct {
		Target struct {
			Kind string `json:"kind"`
			Root string `json:"root"`
		} `json:"target"`
	} `json:"scan"`
	Results []struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"results"`
	Collectors []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Error  string `json:"error"`
	} `json:"collectors"`
}

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestFixtureRoots scans every fixture root offline and compares the
// verdict of every rule with want.txt (regenerate with -update and review
// the diff: these files are the expected audit of each image).
func TestFixtureRoots(t *testing.T) {
	entries, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			root := materialize(t, name)
			code, stdout, stderr := runCLI(t, "", "scan", "--root", root, "-f", "json", "--fail-on", "none")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var rep jsonReport
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("report is not JSON: %v", err)
			}
			if rep.Scan.Target.Kind != "rootfs" {
				t.Errorf("target kind %q", rep.Scan.Target.Kind)
			}
			// Host paths of the root must not leak into verdicts: messages
			// speak of paths inside the image.
			if strings.Count(stdout, root) != 1 {
				t.Errorf("the host path of the root appears %d times in the report (want only scan.target.root)", strings.Count(stdout, root))
			}
			var b strings.Builder
			for _, c := range rep.Collectors {
				fmt.Fprintf(&b, "collector %s %s %s\n", c.Name, c.Status, c.Error)
			}
			for _, r := range rep.Results {
				fmt.Fprintf(&b, "%s %s %s\n", r.ID, r.Status, r.Message)
			}
			got := b.String()
			wantPath := filepath.Join(fixturesDir, name, "want.txt")
			if *update {
				if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/ztscan -run TestFixtureRoots -update)", err)
			}
			// Only the rules and collectors want.txt lists are compared:
			// rules added since it was written do not break the case until
			// it is regenerated (and reviewed) with -update.
			if diff := cmp.Diff(string(want), keepListed(got, string(want))); diff != "" {
				t.Errorf("verdicts differ from %s (-want +got):\n%s", wantPath, diff)
			}
		})
	}
}

// lineKey is what a verdict line is about: "ZT-SSH-001" or "collector sshd".
func lineKey(line string) string {
	f := strings.Fields(line)
	switch {
	case len(f) >= 2 && f[0] == "collector":
		return f[0] + " " + f[1]
	case len(f) >= 1:
		return f[0]
	}
	return ""
}

// keepListed keeps the lines of got whose subject want lists, in got's
// order; a subject want lists but got lacks shows up in the diff.
func keepListed(got, want string) string {
	listed := map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		listed[lineKey(l)] = true
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(got, "\n") {
		if l != "" && listed[lineKey(l)] {
			b.WriteString(l)
		}
	}
	return b.String()
}
