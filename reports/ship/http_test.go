package ship

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// serverCA writes an httptest TLS server's certificate as a CA file.
func serverCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "srv-ca.pem")
	writePEM(t, p, "CERTIFICATE", srv.Certificate().Raw)
	return p
}

// fakeLoki checks every push against Loki's documented request shape and
// keeps the entries it accepted. fail, when set, answers a request
// instead (by request number, from 1).
type fakeLoki struct {
	t       *testing.T
	mu      sync.Mutex
	reqs    int
	entries map[string][]string // event line by stream labels
	lines   []string
	fail    func(n int) int
}

func (f *fakeLoki) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs++
	if f.fail != nil {
		if code := f.fail(f.reqs); code != 0 {
			http.Error(w, "injected failure", code)
			return
		}
	}
	t := f.t
	if r.Method != http.MethodPost || r.URL.Path != "/loki/api/v1/push" {
		t.Errorf("request %s %s", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if got := r.Header.Get("X-Scope-OrgID"); got != "team-a" {
		t.Errorf("X-Scope-OrgID %q", got)
	}
	if u, p, ok := r.BasicAuth(); !ok || u != "ztscan" || p != "s3cret" {
		t.Errorf("basic auth %q %q %v", u, p, ok)
	}
	var push struct {
		Streams []struct {
			Stream map[string]string `json:"stream"`
			Values [][]string        `json:"values"`
		} `json:"streams"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&push); err != nil {
		t.Errorf("push body: %v", err)
		http.Error(w, err.Error(), 400)
		return
	}
	if f.entries == nil {
		f.entries = map[string][]string{}
	}
	for _, s := range push.Streams {
		if s.Stream["job"] != "ztscan" || s.Stream["host"] == "" {
			t.Errorf("labels %v", s.Stream)
		}
		for _, v := range s.Values {
			if len(v) != 2 {
				t.Fatalf("value %v: want [timestamp, line]", v)
			}
			if _, err := strconv.ParseInt(v[0], 10, 64); err != nil {
				t.Errorf("timestamp %q is not nanoseconds as a string", v[0])
			}
			f.entries[labelKey(s.Stream)] = append(f.entries[labelKey(s.Stream)], v[1])
			f.lines = append(f.lines, v[1])
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func TestLoki(t *testing.T) {
	fl := &fakeLoki{t: t}
	srv := httptest.NewTLSServer(fl)
	defer srv.Close()
	target := mustParse(t, fmt.Sprintf("loki+https://ztscan:s3cret@%s?tenant=team-a&ca=%s", srv.Listener.Addr(), serverCA(t, srv)))
	if strings.Contains(target.Name, "s3cret") {
		t.Errorf("name %q shows the password", target.Name)
	}
	events := testEvents(t)
	for i := 0; i < 6; i++ { // > 1 MiB: several batches
		events = append(events, events...)
	}
	res := Run(context.Background(), []*Target{target}, events, Options{SpoolDir: t.TempDir()})[0]
	if res.Err != nil || res.Delivered != len(events) {
		t.Fatalf("result %+v", res)
	}
	if fl.reqs < 2 {
		t.Errorf("%d requests: batching did not split %d events", fl.reqs, len(events))
	}
	if len(fl.lines) != len(events) {
		t.Fatalf("loki got %d lines, want %d", len(fl.lines), len(events))
	}
	e := events[0]
	key := labelKey(map[string]string{"job": "ztscan", "host": e.Host, "type": "result", "section": e.Section, "severity": e.Severity, "status": e.Status})
	if got := fl.entries[key]; len(got) == 0 || got[0] != string(e.Body) {
		t.Errorf("stream %s: %d entries, first %.100s", key, len(got), got)
	}
	sum := labelKey(map[string]string{"job": "ztscan", "host": e.Host, "type": "summary"})
	if len(fl.entries[sum]) != 64 {
		t.Errorf("summary stream has %d entries", len(fl.entries[sum]))
	}
}

// TestLokiAnswers: retry what may pass later, set aside what Loki refuses,
// keep for a later run what needs a configuration fix.
func TestLokiAnswers(t *testing.T) {
	cases := []struct {
		name                         string
		fail                         func(n int) int
		delivered, spooled, rejected int
		reqs                         int
	}{
		{"500 then ok", func(n int) int { return map[int]int{1: 500, 2: 503}[n] }, 6, 0, 0, 3},
		{"429 then ok", func(n int) int { return map[int]int{1: 429}[n] }, 6, 0, 0, 2},
		{"400 refused", func(int) int { return 400 }, 0, 0, 6, 1},
		{"401 not retried", func(int) int { return 401 }, 0, 6, 0, 1},
		{"always 502", func(int) int { return 502 }, 0, 6, 0, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fl := &fakeLoki{t: t, fail: c.fail}
			srv := httptest.NewServer(fl)
			defer srv.Close()
			target := mustParse(t, "loki+http://ztscan:s3cret@"+srv.Listener.Addr().String()+"?tenant=team-a&timeout=2s")
			spool := t.TempDir()
			res := Run(context.Background(), []*Target{target}, testEvents(t), Options{SpoolDir: spool})[0]
			if res.Delivered != c.delivered || res.Spooled != c.spooled || res.Rejected != c.rejected {
				t.Errorf("result %+v", res)
			}
			if (c.delivered == 6) != (res.Err == nil) {
				t.Errorf("err %v", res.Err)
			}
			if c.reqs > 0 && fl.reqs != c.reqs {
				t.Errorf("%d requests, want %d", fl.reqs, c.reqs)
			}
			if c.rejected > 0 {
				if n := countDir(filepath.Join(spool, target.key, rejectedDir)); n != c.rejected {
					t.Errorf("%d events in rejected/, want %d", n, c.rejected)
				}
			}
		})
	}
}

// TestPartialBatch: the first batch of a spooled file goes through, the
// second does not: the spool keeps exactly the rest, and the next run
// delivers it with no event twice.
func TestPartialBatch(t *testing.T) {
	events := testEvents(t)
	for i := 0; i < 6; i++ {
		events = append(events, events...)
	}
	down := true
	fl := &fakeLoki{t: t, fail: func(n int) int {
		if down && n > 1 {
			return 503
		}
		return 0
	}}
	srv := httptest.NewServer(fl)
	defer srv.Close()
	target := mustParse(t, "loki+http://ztscan:s3cret@"+srv.Listener.Addr().String()+"?tenant=team-a&timeout=1s")
	spool := t.TempDir()
	res := Run(context.Background(), []*Target{target}, events, Options{SpoolDir: spool})[0]
	if res.Err == nil || res.Delivered == 0 || res.Delivered+res.Spooled != len(events) {
		t.Fatalf("first run %+v", res)
	}
	fl.mu.Lock()
	down = false
	fl.mu.Unlock()
	res = Run(context.Background(), []*Target{target}, nil, Options{SpoolDir: spool})[0]
	if res.Err != nil || res.Spooled != 0 {
		t.Fatalf("second run %+v", res)
	}
	if len(fl.lines) != len(events) {
		t.Errorf("loki got %d lines for %d events", len(fl.lines), len(events))
	}
}

// fakeHEC checks requests against Splunk's HEC documentation.
type fakeHEC struct {
	t      *testing.T
	token  string
	mu     sync.Mutex
	events []map[string]any
}

func (f *fakeHEC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.t
	if r.Method != http.MethodPost || r.URL.Path != "/services/collector/event" {
		t.Errorf("request %s %s", r.Method, r.URL.Path)
	}
	if r.Header.Get("Authorization") != "Splunk "+f.token {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"text":"Invalid token","code":4}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	dec := json.NewDecoder(bytes.NewReader(body))
	for dec.More() {
		var ev map[string]any
		if err := dec.Decode(&ev); err != nil {
			t.Errorf("HEC body: %v", err)
			w.WriteHeader(400)
			io.WriteString(w, `{"text":"Invalid data format","code":6}`)
			return
		}
		if _, ok := ev["time"].(float64); !ok {
			t.Errorf("time %v is not epoch seconds", ev["time"])
		}
		if _, ok := ev["event"].(map[string]any); !ok {
			t.Errorf("event %v is not an object", ev["event"])
		}
		f.events = append(f.events, ev)
	}
	io.WriteString(w, `{"text":"Success","code":0}`)
}

func TestSplunkHEC(t *testing.T) {
	hec := &fakeHEC{t: t, token: "11111111-2222-3333-4444-555555555555"}
	srv := httptest.NewTLSServer(hec)
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "hec.token")
	os.WriteFile(tokenFile, []byte(hec.token+"\n"), 0o600)
	ca := serverCA(t, srv)
	target := mustParse(t, fmt.Sprintf("splunk+https://%s?token_file=%s&index=security&ca=%s", srv.Listener.Addr(), tokenFile, ca))
	events := testEvents(t)
	res := Run(context.Background(), []*Target{target}, events, Options{SpoolDir: t.TempDir()})[0]
	if res.Err != nil || res.Delivered != len(events) {
		t.Fatalf("result %+v", res)
	}
	if len(hec.events) != len(events) {
		t.Fatalf("HEC got %d events, want %d", len(hec.events), len(events))
	}
	for i, got := range hec.events {
		e := events[i]
		if got["sourcetype"] != "ztscan:"+e.Kind || got["source"] != "ztscan" || got["index"] != "security" || got["host"] != e.Host {
			t.Errorf("%s: metadata %v %v %v %v", e.ID, got["sourcetype"], got["source"], got["index"], got["host"])
		}
		if tm := got["time"].(float64); time.Duration((tm-float64(e.Time.Unix()))*1e9) > time.Second {
			t.Errorf("%s: time %v", e.ID, tm)
		}
		if fields := got["fields"].(map[string]any); fields["ztscan_event_id"] != e.ID {
			t.Errorf("%s: fields %v", e.ID, fields)
		}
		want, _ := json.Marshal(bodyOf(t, e.Body))
		gotBody, _ := json.Marshal(got["event"])
		if !bytes.Equal(want, gotBody) {
			t.Errorf("%s: event body changed", e.ID)
		}
	}

	// A wrong token: no retry storm, everything spooled, the token
	// itself nowhere in the error.
	bad := mustParse(t, fmt.Sprintf("splunk+https://%s?token=wrong-token&ca=%s&timeout=2s", srv.Listener.Addr(), ca))
	res = Run(context.Background(), []*Target{bad}, events, Options{SpoolDir: t.TempDir()})[0]
	if res.Err == nil || res.Spooled != len(events) || strings.Contains(res.Line(), "wrong-token") {
		t.Fatalf("bad token: %+v", res)
	}
}

func TestLokiMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	fl := &fakeLoki{t: t}
	srv := httptest.NewUnstartedServer(fl)
	pair, err := tls.LoadX509KeyPair(pki.ServerCert, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(pki.CA)
	if err != nil {
		t.Fatal(err)
	}
	caPool := x509.NewCertPool()
	caPool.AppendCertsFromPEM(caPEM)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: caPool}
	srv.StartTLS()
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	ok := mustParse(t, fmt.Sprintf("loki+https://ztscan:s3cret@localhost:%d?tenant=team-a&ca=%s&cert=%s&key=%s", port, pki.CA, pki.ClientCert, pki.ClientKey))
	res := Run(context.Background(), []*Target{ok}, testEvents(t), Options{SpoolDir: t.TempDir()})[0]
	if res.Err != nil || res.Delivered != 6 {
		t.Fatalf("mutual TLS: %+v", res)
	}
	noCert := mustParse(t, fmt.Sprintf("loki+https://ztscan:s3cret@localhost:%d?tenant=team-a&ca=%s&timeout=2s", port, pki.CA))
	res = Run(context.Background(), []*Target{noCert}, testEvents(t), Options{SpoolDir: t.TempDir()})[0]
	if res.Err == nil || res.Spooled != 6 {
		t.Fatalf("without a client certificate: %+v", res)
	}
}
