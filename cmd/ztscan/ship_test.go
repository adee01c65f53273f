package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestShipFlagsBad: every mistake in --ship, --spool or --metrics exits 2
// with one line naming it, before anything is scanned.
func TestShipFlagsBad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o600)
	root := t.TempDir()
	good := "file://" + filepath.Join(dir, "findings.ndjson")
	cases := []struct {
		name     string
		args     []string
		stderrIn []string
	}{
		{"bad scheme", []string{"--ship", "http://loki:3100"}, []string{"--ship", "http://loki:3100", "scheme"}},
		{"not a URL", []string{"--ship", "syslog+tls://h:port"}, []string{"--ship", "syslog+tls://h:port"}},
		{"insecure", []string{"--ship", "syslog+tls://h?insecure=true"}, []string{"insecure is not offered"}},
		{"token hidden", []string{"--ship", "splunk+https://h?token=SECRET&x=1"}, []string{"splunk+https://h", "unknown parameter x"}},
		{"spool unusable", []string{"--ship", good, "--spool", filepath.Join(file, "spool")}, []string{"--spool", file}},
		{"metrics dir missing", []string{"--metrics", filepath.Join(dir, "missing", "z.prom")}, []string{"--metrics", "missing"}},
		{"metrics not prom", []string{"--metrics", filepath.Join(dir, "z.txt")}, []string{"--metrics", ".prom"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"scan", "--root", root, "-f", "json"}, c.args...)
			code, _, stderr := runCLI(t, "", args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2: %s", code, stderr)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || strings.Contains(stderr, "SECRET") {
				t.Errorf("want one line without secrets: %q", stderr)
			}
			for _, s := range c.stderrIn {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q does not contain %q", stderr, s)
				}
			}
		})
	}
	snap := filepath.Join(dir, "snap.json")
	_, out, _ := runCLI(t, "", "collect", "--root", root)
	os.WriteFile(snap, []byte(out), 0o600)
	code, _, stderr := runCLI(t, "", "eval", snap, snap, "--metrics", filepath.Join(dir, "z.prom"))
	if code != 2 || !strings.Contains(stderr, "--metrics") {
		t.Errorf("eval of two snapshots with --metrics: exit %d %q", code, stderr)
	}
}

// TestShipAndMetrics: a scan ships to a file and to a syslog receiver
// that is down; the exit code is the findings', stderr has one line for
// the failed destination, the metrics say which destination failed and
// what waits in the spool.
func TestShipAndMetrics(t *testing.T) {
	root := materialize(t, "broken-ssh-password") // ZT-SSH-001 (critical) fails
	dir := t.TempDir()
	ndjson := filepath.Join(dir, "findings.ndjson")
	prom := filepath.Join(dir, "ztscan.prom")
	spool := filepath.Join(dir, "spool")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	downAddr := l.Addr().String()
	l.Close()
	down := fmt.Sprintf("syslog+tcp://%s?timeout=1s", downAddr)

	baseCode, report, _ := runCLI(t, "", "scan", "--root", root, "-f", "json")
	code, _, stderr := runCLI(t, "", "scan", "--root", root, "-f", "json",
		"--ship", "file://"+ndjson, "--ship", down, "--spool", spool, "--metrics", prom)
	if code != baseCode || code != 1 {
		t.Errorf("exit %d with shipping, %d without: shipping must not change it", code, baseCode)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "syslog+tcp://"+downAddr) || !strings.Contains(lines[0], "spooled") {
		t.Errorf("stderr: want one line for the down destination, got %q", stderr)
	}
	var rep jsonReport
	json.Unmarshal([]byte(report), &rep)
	f, err := os.Open(ndjson)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		if !json.Valid(sc.Bytes()) {
			t.Errorf("line %d is not JSON", n+1)
		}
	}
	if n != len(rep.Results)+1 {
		t.Errorf("%d lines in %s, want %d results and a summary", n, ndjson, len(rep.Results))
	}
	data, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	ok := map[string]float64{}
	for _, m := range fams["ztscan_ship_ok"].GetMetric() {
		ok[labelValue(m, "destination")] = m.GetGauge().GetValue()
	}
	if ok["file://"+ndjson] != 1 || ok["syslog+tcp://"+downAddr] != 0 || len(ok) != 2 {
		t.Errorf("ztscan_ship_ok %v", ok)
	}
	for _, m := range fams["ztscan_spool_events"].GetMetric() {
		if labelValue(m, "destination") == "syslog+tcp://"+downAddr && m.GetGauge().GetValue() != float64(n) {
			t.Errorf("spool holds %v events, want %d", m.GetGauge().GetValue(), n)
		}
	}
	if fams["ztscan_results"] == nil || fams["ztscan_last_success_timestamp_seconds"] == nil {
		t.Error("scan metrics missing")
	}
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
