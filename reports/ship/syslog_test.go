package ship

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkReceived compares what rsyslog received with what was sent: the
// same number of messages in the same order (so the octet-counted
// framing held), and for each the header, the structured data and the
// JSON body.
func checkReceived(t *testing.T, got []string, want []Event, maxSize int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("received %d messages, sent %d", len(got), len(want))
	}
	for i, line := range got {
		e := want[i]
		m, err := parse5424(line)
		if err != nil {
			t.Fatalf("message %d (%s) does not parse as RFC 5424: %v\n%.300s", i, e.ID, err, line)
		}
		if len(line) > maxSize {
			t.Errorf("%s: %d octets, over max_size %d", e.ID, len(line), maxSize)
		}
		if m.pri != 16*8+syslogSeverity(e) {
			t.Errorf("%s: PRI %d, want local0 and severity %d", e.ID, m.pri, syslogSeverity(e))
		}
		if m.host != e.Host || m.app != "ztscan" || m.procID != "-" || m.msgID != "ztscan-"+e.Kind || m.sdID != sdID {
			t.Errorf("%s: header host=%q app=%q procid=%q msgid=%q sd=%q", e.ID, m.host, m.app, m.procID, m.msgID, m.sdID)
		}
		if ts, _ := time.Parse(time.RFC3339Nano, m.timestamp); !ts.Equal(e.Time) {
			t.Errorf("%s: timestamp %s, want %s", e.ID, m.timestamp, e.Time)
		}
		if m.params["event_id"] != e.ID || m.params["scan_id"] != e.ScanID {
			t.Errorf("%s: SD ids %v", e.ID, m.params)
		}
		if e.Kind == KindResult {
			if m.params["id"] != e.RuleID || m.params["status"] != e.Status || m.params["severity"] != e.Severity || m.params["section"] != e.Section {
				t.Errorf("%s: SD %v", e.ID, m.params)
			}
		} else if m.params["fail"] != strconv.Itoa(e.Summary.Fail) || m.params["score"] == "" {
			t.Errorf("summary SD %v", m.params)
		}
		body := bodyOf(t, []byte(m.msg))
		if len(e.Body) <= maxSize/2 {
			if m.msg != string(e.Body) {
				t.Errorf("%s: body changed in transit:\n got %.300s\nwant %.300s", e.ID, m.msg, e.Body)
			}
			continue
		}
		// The oversized one: still JSON, marked truncated, the rest intact.
		zt := body["ztscan"].(map[string]any)
		if zt["truncated"] != true || zt["evidence"] != "" || zt["status"] != e.Status {
			t.Errorf("%s: oversized body not truncated cleanly: %v", e.ID, zt)
		}
	}
}

func TestSyslogToRsyslog(t *testing.T) {
	pki := newTestPKI(t)
	cases := []struct {
		name  string
		tls   *rsyslogTLS
		query string
	}{
		{"tcp", nil, ""},
		{"tls", &rsyslogTLS{pki: pki}, "ca=" + url.QueryEscape(pki.CA)},
		{"mutual tls", &rsyslogTLS{pki: pki, clientAuth: true},
			fmt.Sprintf("ca=%s&cert=%s&key=%s&server_name=localhost", pki.CA, pki.ClientCert, pki.ClientKey)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := startRsyslog(t, 0, c.tls)
			scheme := "syslog+tcp"
			if c.tls != nil {
				scheme = "syslog+tls"
			}
			target := mustParse(t, fmt.Sprintf("%s://127.0.0.1:%d?timeout=10s&%s", scheme, rs.port, c.query))
			events := testEvents(t)
			spool := t.TempDir()
			res := Run(context.Background(), []*Target{target}, events, Options{SpoolDir: spool})[0]
			if res.Err != nil || res.Delivered != len(events) || res.Spooled != 0 || res.FailuresTotal != 0 {
				t.Fatalf("result %+v", res)
			}
			checkReceived(t, rs.messages(t, len(events)), events, syslogDefaultSize)
		})
	}
}

// TestSyslogTLSRefused: a certificate the receiver does not accept, or a
// server certificate ztscan does not trust, delivers nothing and spools
// everything.
func TestSyslogTLSRefused(t *testing.T) {
	pki := newTestPKI(t)
	rs := startRsyslog(t, 0, &rsyslogTLS{pki: pki, clientAuth: true})
	cases := []struct{ name, query, errIn string }{
		{"no client certificate", "ca=" + pki.CA, ""}, // a TLS alert, a reset or a broken pipe
		{"untrusted server", fmt.Sprintf("ca=%s&cert=%s&key=%s", pki.OtherCA, pki.ClientCert, pki.ClientKey), "certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := mustParse(t, fmt.Sprintf("syslog+tls://127.0.0.1:%d?timeout=3s&%s", rs.port, c.query))
			events := testEvents(t)
			res := Run(context.Background(), []*Target{target}, events, Options{SpoolDir: t.TempDir()})[0]
			if res.Err == nil || !strings.Contains(res.Err.Error(), c.errIn) || res.Spooled != len(events) || res.Delivered != 0 {
				t.Fatalf("result %+v", res)
			}
		})
	}
	if got := rs.messages(t, 0); len(got) != 0 {
		t.Errorf("refused clients got %d messages through", len(got))
	}
}

// TestSyslogOutage: the receiver is down for the first scan, whose events
// are spooled; it is up for the second, which delivers the spooled scan
// first, then its own: every event exactly once, in order.
func TestSyslogOutage(t *testing.T) {
	port := freePort(t)
	spool := t.TempDir()
	target := mustParse(t, fmt.Sprintf("syslog+tcp://127.0.0.1:%d?timeout=2s", port))
	first := testEvents(t)

	start := time.Now()
	res := Run(context.Background(), []*Target{target}, first, Options{SpoolDir: spool})[0]
	if res.Err == nil || res.Spooled != len(first) || res.Delivered != 0 || res.FailuresTotal != 1 {
		t.Fatalf("down: %+v", res)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("giving up took %s with timeout=2s", d)
	}
	if !strings.Contains(res.Line(), "spooled") {
		t.Errorf("stderr line %q does not say the events were spooled", res.Line())
	}

	rs := startRsyslog(t, port, nil)
	r2 := testReport(t)
	r2.Scan.ID = "second-scan"
	second, err := Events(r2)
	if err != nil {
		t.Fatal(err)
	}
	res = Run(context.Background(), []*Target{target}, second, Options{SpoolDir: spool})[0]
	if res.Err != nil || res.Delivered != len(first)+len(second) || res.FromSpool != len(first) || res.Spooled != 0 {
		t.Fatalf("up: %+v", res)
	}
	if res.FailuresTotal != 1 {
		t.Errorf("failure counter %v, want 1 kept from the first run", res.FailuresTotal)
	}
	all := append(append([]Event{}, first...), second...)
	got := rs.messages(t, len(all))
	checkReceived(t, got, all, syslogDefaultSize)
	seen := map[string]bool{}
	for _, line := range got {
		m, _ := parse5424(line)
		if seen[m.params["event_id"]] {
			t.Errorf("duplicate %s", m.params["event_id"])
		}
		seen[m.params["event_id"]] = true
	}
	// A third run with nothing spooled sends only its own events.
	res = Run(context.Background(), []*Target{target}, first[:1], Options{SpoolDir: spool})[0]
	if res.Err != nil || res.Delivered != 1 || res.FromSpool != 0 {
		t.Fatalf("third: %+v", res)
	}
}

// TestSyslogNeverReads: a receiver that accepts connections and never
// reads costs the destination's time limit, not more, and loses nothing.
func TestSyslogNeverReads(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // never read, never closed
		}
	}()
	target := mustParse(t, fmt.Sprintf("syslog+tcp://%s?timeout=2s", l.Addr()))
	events := testEvents(t)
	// Enough bytes to fill the socket buffers too.
	for i := 0; i < 6; i++ {
		events = append(events, events...)
	}
	start := time.Now()
	res := Run(context.Background(), []*Target{target}, events, Options{SpoolDir: t.TempDir()})[0]
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("took %s with timeout=2s", d)
	}
	if res.Err == nil || res.Spooled != len(events) || res.Dropped != 0 {
		t.Fatalf("result %+v", res)
	}
}

func TestSyslogFormat(t *testing.T) {
	d := &syslogDest{facility: facilities["auth"], maxSize: syslogDefaultSize}
	e := Event{ID: "s-ZT-A-1", Kind: KindResult, Time: time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC),
		Host: "h st\x01", ScanID: "s", RuleID: "ZT-A-1", Section: `a"b\c]d`, Severity: "critical", Status: "fail",
		Body: []byte(`{"a":1}`)}
	got := string(d.format(e))
	want := `<34>1 2025-01-02T03:04:05.006Z h_st_ ztscan - ztscan-result [ztscan@32473 id="ZT-A-1" status="fail" severity="critical" section="a\"b\\c\]d" scan_id="s" event_id="s-ZT-A-1"] {"a":1}`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	m, err := parse5424(got)
	if err != nil || m.params["section"] != `a"b\c]d` {
		t.Errorf("parse back: %v %v", m.params, err)
	}
}

func TestSyslogSeverity(t *testing.T) {
	cases := []struct {
		status, severity string
		want             int
	}{
		{"fail", "critical", 2}, {"fail", "high", 3}, {"fail", "medium", 4}, {"fail", "low", 5}, {"fail", "info", 6},
		{"error", "high", 4}, {"pass", "critical", 6}, {"skip", "high", 6}, {"waived", "critical", 6},
	}
	for _, c := range cases {
		if got := syslogSeverity(Event{Kind: KindResult, Status: c.status, Severity: c.severity}); got != c.want {
			t.Errorf("%s/%s: %d, want %d", c.status, c.severity, got, c.want)
		}
	}
}
