package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/internal/fixture"
)

// BenchmarkScanLive is a whole live scan (collect, evaluate, render JSON)
// through run(), as the CLI does it. Target: well under 0.2 s.
func BenchmarkScanLive(b *testing.B) {
	for b.Loop() {
		if code := run(context.Background(), []string{"scan", "-f", "json", "--fail-on", "none"}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkScanRootfs is a whole --root scan of the stock Debian 12 image.
func BenchmarkScanRootfs(b *testing.B) {
	root := b.TempDir()
	if err := fixture.Materialize(fixturesDir, "debian12-stock", root); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if code := run(context.Background(), []string{"scan", "--root", root, "-f", "json", "--fail-on", "none"}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
