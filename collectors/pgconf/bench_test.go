package pgconf

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseHBA: a 2,000-record pg_hba.conf with @file lists.
func BenchmarkParseHBA(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&sb, "hostssl app%d,@dbs \"user %d\" 10.%d.%d.0/24 scram-sha-256 # rule %d\n", i, i, i/256, i%256, i)
	}
	fsys := memFS{"/d/dbs": []byte("a b c d e f\n")}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if h := ParseHBA(fsys, "/d/pg_hba.conf", data, HBAOptions{}); h.FirstError() != "" {
			b.Fatal(h.FirstError())
		}
	}
}
