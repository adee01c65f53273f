package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/facts"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	if p := startProgress(&buf, false); p != nil {
		t.Fatal("progress on a buffer, which is not a terminal")
	}
	var none *progress // what startProgress gives on a pipe or with --quiet
	none.update(1, 2, facts.CollectorStatus{Name: "x"})
	none.finish()
	if none.callback() != nil {
		t.Error("a nil progress gives a callback")
	}

	p := startProgressOn(&buf, 30)
	cb := p.callback()
	cb(1, 12, facts.CollectorStatus{Name: "sshd"})
	cb(2, 12, facts.CollectorStatus{Name: "a-collector-with-a-long-name"})
	p.finish()
	out := buf.String()
	if !strings.Contains(out, "\r\x1b[Kcollecting facts 1/12 (sshd) ") {
		t.Errorf("no progress line: %q", out)
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("line not erased at the end: %q", out)
	}
	for _, line := range strings.Split(out, "\r\x1b[K") {
		if len(line) >= 30 {
			t.Errorf("line %q is wider than the terminal", line)
		}
	}
}
