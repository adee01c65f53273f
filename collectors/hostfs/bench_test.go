package hostfs

import (
	"fmt"
	"testing"
)

func benchRoot(b *testing.B) *testRoot {
	tr := newTestRoot(b)
	tr.file(b, "/etc/a/b/c/small.conf", "key value\n")
	for i := range 200 {
		tr.file(b, fmt.Sprintf("/etc/f%03d.conf", i), "x\n")
	}
	return tr
}

// BenchmarkHost measures the common operations per resolution mode, so a
// change to either shows in its own column.
func BenchmarkHost(b *testing.B) {
	tr := benchRoot(b)
	for mode, h := range resolverModes(b, tr.dir) {
		b.Run("ReadFile-4deep/"+mode, func(b *testing.B) {
			for b.Loop() {
				if _, err := h.ReadFile("/etc/a/b/c/small.conf"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Stat-4deep/"+mode, func(b *testing.B) {
			for b.Loop() {
				if _, err := h.Stat("/etc/a/b/c/small.conf"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Glob-200/"+mode, func(b *testing.B) {
			for b.Loop() {
				if m, err := h.Glob("/etc/*.conf"); err != nil || len(m) != 200 {
					b.Fatal(len(m), err)
				}
			}
		})
	}
}
