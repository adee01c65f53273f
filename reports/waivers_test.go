package reports

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/rules"
)

func TestParseWaiversErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not a list", "id: ZT-SSH-001\n", "w.yaml:1: want a list"},
		{"item not a mapping", "- ZT-SSH-001\n", "w.yaml:1: a waiver is a mapping"},
		{"unknown key", "- id: ZT-SSH-001\n  reason: r\n  expires: 2030-01-01\n  expire: 2030-01-01\n", `w.yaml:4: unknown key "expire"`},
		{"missing reason", "- id: ZT-SSH-001\n  expires: 2030-01-01\n", "w.yaml:1: waiver lacks reason"},
		{"missing expires", "- id: ZT-SSH-001\n  reason: r\n", "w.yaml:1: waiver lacks expires"},
		{"empty reason", "- id: ZT-SSH-001\n  reason: ' '\n  expires: 2030-01-01\n", "reason is empty"},
		{"bad date", "- id: ZT-SSH-001\n  reason: r\n  expires: next year\n", `w.yaml:1: expires "next year" is not a date`},
		{"bad month", "- id: ZT-SSH-001\n  reason: r\n  expires: 2030-13-01\n", "is not a date"},
		{"bad glob", "- id: ZT-[SSH\n  reason: r\n  expires: 2030-01-01\n", "not a valid glob"},
		{"bad host glob", "- id: ZT-SSH-001\n  reason: r\n  expires: 2030-01-01\n  hosts: ['[x']\n", "hosts entry"},
		{"duplicate key", "- id: ZT-SSH-001\n  id: ZT-SSH-002\n  reason: r\n  expires: 2030-01-01\n", "w.yaml:2: id given twice"},
		{"id is a list", "- id: [a]\n  reason: r\n  expires: 2030-01-01\n", "w.yaml:1: id must be a single value"},
		{"hosts a mapping", "- id: A-B-1\n  reason: r\n  expires: 2030-01-01\n  hosts: {a: b}\n", "hosts must be a list"},
		{"alias", "- &a {id: A-B-1, reason: r, expires: 2030-01-01}\n- *a\n", "w.yaml:2: a waiver is a mapping with id, reason and expires, found an alias"},
		{"syntax", "- id: ZT-SSH-001\n  reason: [unclosed\n", "w.yaml:"},
		{"tab indentation", "- id: ZT-SSH-001\n\treason: r\n", "w.yaml:2"},
		{"second document", "- id: A-B-1\n  reason: r\n  expires: 2030-01-01\n---\n- id: x\n", "w.yaml:4: a second YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWaivers("w.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "waivers w.yaml") {
				t.Errorf("err = %v, want it to start with the file", err)
			}
		})
	}
}

func TestParseWaiversValid(t *testing.T) {
	for _, empty := range []string{"", "# only comments\n", "[]\n", "~\n"} {
		wf, err := ParseWaivers("w.yaml", []byte(empty))
		if err != nil || len(wf.Waivers) != 0 {
			t.Errorf("%q: %v %v", empty, wf, err)
		}
	}
	wf, err := ParseWaivers("w.yaml", []byte("- id: zt-ssh-*\n  reason: legacy\n  expires: 2030-01-02\n  hosts: bastion-*\n  owner: ops\n"))
	if err != nil {
		t.Fatal(err)
	}
	w := wf.Waivers[0]
	if w.ID != "ZT-SSH-*" || w.Expires != "2030-01-02" || len(w.Hosts) != 1 || w.Owner != "ops" || w.Line != 1 {
		t.Errorf("waiver = %+v", w)
	}
}

func TestLoadWaiversBadFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.yaml")
	os.WriteFile(huge, []byte(strings.Repeat("# x\n", maxWaiversSize/4+1)), 0o644)
	for name, want := range map[string]string{
		fifo:                          "not a regular file",
		huge:                          "larger than",
		filepath.Join(dir, "missing"): "no such file",
		dir:                           "not a regular file",
	} {
		_, err := LoadWaivers(name)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want %q naming the file", name, err, want)
		}
	}
}

// waiverReport is a report of three failures and an error on host web-1,
// scanned at noon UTC on 2025-03-10.
func waiverReport() *Report {
	r := &Report{Scan: Scan{StartedAt: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC), Target: facts.Target{Kind: "host", Hostname: "web-1"}}}
	r.Results = []Result{
		{ID: "ZT-SSH-001", Severity: "critical", Status: rules.Fail, Message: "root login"},
		{ID: "ZT-SSH-002", Severity: "high", Status: rules.Fail, Message: "passwords"},
		{ID: "ZT-FW-001", Severity: "high", Status: rules.Fail, Message: "no firewall"},
		{ID: "ZT-KRN-001", Severity: "high", Status: rules.Error, Message: "unknown"},
		{ID: "ZT-KRN-002", Severity: "low", Status: rules.Pass},
	}
	r.Summary = Summarize(r.Results)
	return r
}

func TestWaiversApply(t *testing.T) {
	wf, err := ParseWaivers("w.yaml", []byte(`
- id: ZT-SSH-001
  reason: valid through the scan day
  expires: 2025-03-10
  owner: ops
- id: ZT-SSH-*
  reason: expired the day before
  expires: 2025-03-09
- id: ZT-SSH-00?
  reason: second match, waives ZT-SSH-002 only
  expires: 2026-01-01
- id: ZT-FW-001
  reason: other hosts only
  expires: 2026-01-01
  hosts: [db-*, WEB-2]
- id: ZT-KRN-*
  reason: errors and passes are never waived
  expires: 2026-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	r := waiverReport()
	wf.Apply(r)
	status := map[string]string{}
	for _, res := range r.Results {
		status[res.ID] = res.Status
	}
	want := map[string]string{"ZT-SSH-001": "waived", "ZT-SSH-002": "waived", "ZT-FW-001": "fail", "ZT-KRN-001": "error", "ZT-KRN-002": "pass"}
	for id, st := range want {
		if status[id] != st {
			t.Errorf("%s: %s, want %s", id, status[id], st)
		}
	}
	w := r.Results[0].Waiver
	if w == nil || w.Reason != "valid through the scan day" || w.Owner != "ops" || w.Source != "w.yaml:2" || r.Results[0].Message != "root login" {
		t.Errorf("ZT-SSH-001 waiver %+v, message %q", w, r.Results[0].Message)
	}
	if r.Summary.Waived != 2 || r.Summary.Fail != 1 {
		t.Errorf("summary not recomputed: %+v", r.Summary.Counts)
	}
	if got := r.ExitCode("critical"); got != 0 {
		t.Errorf("exit code with only a high failure left and --fail-on critical = %d", got)
	}
	if got := r.ExitCode("high"); got != 1 {
		t.Errorf("ZT-FW-001 still fails: exit %d", got)
	}
	wr := r.Waivers
	if len(wr.Applied) != 2 || len(wr.Expired) != 1 || len(wr.Unused) != 2 {
		t.Fatalf("applied %d expired %d unused %d", len(wr.Applied), len(wr.Expired), len(wr.Unused))
	}
	if e := wr.Expired[0]; e.ID != "ZT-SSH-*" || strings.Join(e.Rules, ",") != "ZT-SSH-002" {
		t.Errorf("expired = %+v", e)
	}
	if wr.Unused[0].ID != "ZT-FW-001" || wr.Unused[1].ID != "ZT-KRN-*" {
		t.Errorf("unused = %+v", wr.Unused)
	}

	// The next day the first waiver has expired too.
	r = waiverReport()
	r.Scan.StartedAt = r.Scan.StartedAt.Add(12 * time.Hour)
	wf.Apply(r)
	if r.Results[0].Status != rules.Waived || r.Results[0].Waiver.Reason != "second match, waives ZT-SSH-002 only" {
		t.Errorf("after expiry ZT-SSH-001 = %s %+v, want waived by the next matching waiver", r.Results[0].Status, r.Results[0].Waiver)
	}
	if len(r.Waivers.Expired) != 2 {
		t.Errorf("expired = %+v", r.Waivers.Expired)
	}

	// Host globs are case-insensitive.
	r = waiverReport()
	r.Scan.Target.Hostname = "web-2"
	wf.Apply(r)
	if r.Results[2].Status != rules.Waived {
		t.Errorf("ZT-FW-001 on web-2 = %s, want waived", r.Results[2].Status)
	}
}

// FuzzParseWaivers: any input gives waivers or an error naming the file,
// never a panic.
func FuzzParseWaivers(f *testing.F) {
	f.Add([]byte("- id: ZT-SSH-*\n  reason: r\n  expires: 2030-01-01\n  hosts: [a-*]\n"))
	f.Add([]byte("- &a {id: A, reason: r, expires: 2030-01-01}\n- *a\n"))
	f.Add([]byte("[]"))
	f.Add([]byte("- id: [\n"))
	data, _ := os.ReadFile(filepath.Join("testdata", "waivers.yaml"))
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		wf, err := ParseWaivers("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "waivers f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		r := waiverReport()
		wf.Apply(r)
		if r.Summary.Total != 5 {
			t.Fatalf("summary %+v", r.Summary)
		}
	})
}
