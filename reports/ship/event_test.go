package ship

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ztscan/ztscan/reports"
)

// TestEvents: one event per result, in report order, whose body is the
// line `-f ecs` writes for it, then one summary event; IDs are stable
// per scan and rule.
func TestEvents(t *testing.T) {
	r := testReport(t)
	events, err := Events(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(r.Results)+1 {
		t.Fatalf("%d events for %d results", len(events), len(r.Results))
	}
	var ecs bytes.Buffer
	if err := reports.Render(&ecs, "ecs", r, reports.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(ecs.String()), "\n")
	ids := map[string]bool{}
	for i, res := range r.Results {
		e := events[i]
		if e.Kind != KindResult || e.RuleID != res.ID || e.Status != res.Status || e.Severity != res.Severity || e.Section != res.Section {
			t.Errorf("event %d: %+v", i, e)
		}
		if string(e.Body) != lines[i] {
			t.Errorf("%s: body is not the ecs line", res.ID)
		}
		if e.ID != r.Scan.ID+"-"+res.ID || ids[e.ID] {
			t.Errorf("id %q", e.ID)
		}
		ids[e.ID] = true
		if !e.Time.Equal(r.Scan.StartedAt) || e.Host != "web-01.example.com" {
			t.Errorf("%s: time %s host %q", res.ID, e.Time, e.Host)
		}
	}
	sum := events[len(events)-1]
	if sum.Kind != KindSummary || sum.ID != r.Scan.ID+"-summary" || sum.Summary.Fail != 2 {
		t.Fatalf("summary %+v", sum)
	}
	body := bodyOf(t, sum.Body)
	if msg, _ := body["message"].(string); !strings.HasPrefix(msg, "ztscan web-01.example.com: score ") ||
		!strings.HasSuffix(msg, ", 2 fail (1 critical, 1 high), 1 pass, 1 error, 1 skip, 0 waived") {
		t.Errorf("summary message %q", body["message"])
	}
	ev := body["event"].(map[string]any)
	if ev["dataset"] != "ztscan.summary" || ev["outcome"] != "failure" || ev["id"] != sum.ID {
		t.Errorf("summary event fields %v", ev)
	}
	again, _ := Events(r)
	for i := range events {
		if !bytes.Equal(again[i].Body, events[i].Body) {
			t.Errorf("event %d is not deterministic", i)
		}
	}
}

func TestFitBody(t *testing.T) {
	events := testEvents(t)
	var big Event
	for _, e := range events {
		if len(e.Body) > 10000 {
			big = e
		}
	}
	for _, limit := range []int{8000, 3000, 1000, 100} {
		out := fitBody(big.Body, limit)
		if !json.Valid(out) {
			t.Fatalf("limit %d: invalid JSON", limit)
		}
		m := bodyOf(t, out)
		zt := m["ztscan"].(map[string]any)
		if zt["truncated"] != true || zt["status"] != "fail" {
			t.Errorf("limit %d: %v", limit, zt)
		}
		if limit >= 3000 && len(out) > limit {
			t.Errorf("limit %d: %d bytes", limit, len(out))
		}
	}
	small := events[len(events)-2].Body
	if !bytes.Equal(fitBody(small, 8000), small) {
		t.Error("a body that fits was changed")
	}
}

func FuzzSyslogFormat(f *testing.F) {
	f.Add("web-01", `we"ird]\sec`, "ZT-A-1", `{"a":"b"}`, 100)
	f.Add("", "", "", `{}`, 3000)
	f.Fuzz(func(t *testing.T, host, section, id, body string, size int) {
		if !json.Valid([]byte(body)) {
			return
		}
		d := &syslogDest{facility: 16, maxSize: syslogMinSize + size%8192}
		e := Event{ID: "s-" + id, Kind: KindResult, Time: time.Unix(1700000000, 0).UTC(), Host: host, ScanID: "s",
			RuleID: id, Section: section, Severity: "high", Status: "fail", Body: []byte(body)}
		m, err := parse5424(string(d.format(e)))
		if err != nil {
			t.Fatalf("not RFC 5424: %v", err)
		}
		if m.params["section"] != strings.ToValidUTF8(section, "\uFFFD") || m.params["id"] != strings.ToValidUTF8(id, "\uFFFD") {
			t.Errorf("SD did not round-trip: %q %q", m.params["section"], m.params["id"])
		}
		if !json.Valid([]byte(m.msg)) {
			t.Errorf("MSG is not JSON: %q", m.msg)
		}
	})
}
