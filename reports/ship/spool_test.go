package ship

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func fileTarget(t *testing.T, path string) *Target {
	return mustParse(t, "file://"+path+"?timeout=1s")
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func TestFileAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.ndjson")
	os.WriteFile(path, []byte("{\"older\":true}\n"), 0o640)
	target := fileTarget(t, path)
	events := testEvents(t)
	for run := 0; run < 2; run++ {
		res := Run(context.Background(), []*Target{target}, events, Options{SpoolDir: t.TempDir()})[0]
		if res.Err != nil || res.Delivered != len(events) {
			t.Fatalf("run %d: %+v", run, res)
		}
	}
	lines := readLines(t, path)
	if len(lines) != 1+2*len(events) || lines[0] != `{"older":true}` {
		t.Fatalf("%d lines", len(lines))
	}
	for i, e := range append(events, events...) {
		if lines[1+i] != string(e.Body) {
			t.Errorf("line %d is not event %s", 1+i, e.ID)
		}
	}
}

// TestFileConcurrentWriters: batches from several writers never
// interleave inside a line, since each is one write(2) with O_APPEND.
func TestFileConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.ndjson")
	events := testEvents(t)
	for i := 0; i < 4; i++ {
		events = append(events, events...)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			d := &fileDest{path: path}
			if err := d.send(context.Background(), events); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lines := readLines(t, path)
	if len(lines) != 8*len(events) {
		t.Fatalf("%d lines, want %d", len(lines), 8*len(events))
	}
	for i, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("line %d is torn: %.80s", i, l)
		}
	}
}

// TestFileBad: a FIFO (which would block a plain open) and a directory
// fail at once, and the events wait in the spool.
func TestFileBad(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.ndjson")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub.ndjson")
	os.Mkdir(sub, 0o700)
	for _, p := range []string{fifo, sub} {
		start := time.Now()
		res := Run(context.Background(), []*Target{fileTarget(t, p)}, testEvents(t), Options{SpoolDir: t.TempDir()})[0]
		if res.Err == nil || res.Spooled != 6 || time.Since(start) > 3*time.Second {
			t.Errorf("%s: %+v after %s", p, res, time.Since(start))
		}
	}
}

// TestSpoolUnusable: a spool that cannot be created is refused by
// CheckSpool; at shipping time, a delivered run says the spool is
// unusable, and an undelivered one says its events are lost.
func TestSpoolUnusable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o600)
	bad := filepath.Join(file, "spool") // under a regular file: fails even for root
	if err := CheckSpool(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("CheckSpool: %v", err)
	}
	if err := CheckSpool(filepath.Join(dir, "new", "spool")); err != nil {
		t.Errorf("CheckSpool of a creatable directory: %v", err)
	}
	out := filepath.Join(dir, "findings.ndjson")
	res := Run(context.Background(), []*Target{fileTarget(t, out)}, testEvents(t), Options{SpoolDir: bad})[0]
	if res.Delivered != 6 || res.Err == nil || !strings.Contains(res.Err.Error(), "spool") {
		t.Errorf("delivered without a spool: %+v", res)
	}
	down := mustParse(t, fmt.Sprintf("syslog+tcp://127.0.0.1:%d?timeout=500ms", freePort(t)))
	res = Run(context.Background(), []*Target{down}, testEvents(t), Options{SpoolDir: bad})[0]
	if res.Dropped != 6 || !strings.Contains(res.Line(), "6 events LOST") {
		t.Errorf("down without a spool: %+v %q", res, res.Line())
	}
}

// TestSpoolBadFile: a spool file that does not parse is set aside as
// .bad and reported, and does not stop the rest.
func TestSpoolBadFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "findings.ndjson")
	target := fileTarget(t, out)
	spool := t.TempDir()
	dir := filepath.Join(spool, target.key)
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "00000000000000000001-x.ndjson"), []byte("{not json\n"), 0o600)
	res := Run(context.Background(), []*Target{target}, testEvents(t), Options{SpoolDir: spool})[0]
	if res.Delivered != 6 || res.Err == nil || !strings.Contains(res.Err.Error(), ".bad") {
		t.Errorf("%+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "00000000000000000001-x.ndjson.bad")); err != nil {
		t.Error(err)
	}
}

// TestSpoolBound: past its size bound the spool drops its oldest events,
// keeps the newest, and says how many went.
func TestSpoolBound(t *testing.T) {
	down := mustParse(t, fmt.Sprintf("syslog+tcp://127.0.0.1:%d?timeout=300ms", freePort(t)))
	spool := t.TempDir()
	events := testEvents(t)
	var dropped int
	for i := 0; i < 4; i++ {
		res := Run(context.Background(), []*Target{down}, events, Options{SpoolDir: spool, SpoolMax: 50 << 10})[0]
		dropped += res.Dropped
		if res.Spooled+dropped != (i+1)*len(events) {
			t.Fatalf("run %d: %+v (dropped so far %d)", i, res, dropped)
		}
	}
	if dropped == 0 {
		t.Error("nothing dropped past the bound")
	}
}

// TestSpoolBusy: while another run holds a destination's spool, a run
// queues its events there unsent rather than overtaking the queue.
func TestSpoolBusy(t *testing.T) {
	out := filepath.Join(t.TempDir(), "findings.ndjson")
	target := fileTarget(t, out)
	spool := t.TempDir()
	held, err := openSpool(context.Background(), filepath.Join(spool, target.key), DefaultSpoolMax)
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), []*Target{target}, testEvents(t), Options{SpoolDir: spool})[0]
	if res.Delivered != 0 || res.Spooled != 6 || res.Err == nil {
		t.Fatalf("busy: %+v", res)
	}
	held.close()
	res = Run(context.Background(), []*Target{target}, nil, Options{SpoolDir: spool})[0]
	if res.Err != nil || res.Delivered != 6 {
		t.Fatalf("after: %+v", res)
	}
}

// TestSpoolRoundTrip: spooled events come back byte for byte.
func TestSpoolRoundTrip(t *testing.T) {
	events := testEvents(t)
	data, err := encodeEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	back, err := parseSpool(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		if !bytes.Equal(back[i].Body, events[i].Body) || back[i].ID != events[i].ID || !back[i].Time.Equal(events[i].Time) {
			t.Errorf("event %d changed in the spool", i)
		}
	}
}

func FuzzParseSpool(f *testing.F) {
	ev := testEvents(f)
	data, _ := encodeEvents(ev[len(ev)-2:]) // small: the fuzzer minimizes what it finds
	f.Add(data)
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"id":"x","body":{}}` + "\n" + `{"id":"y","body":[1]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := parseSpool(data)
		if err != nil {
			return
		}
		for _, e := range events {
			if e.ID == "" || !json.Valid(e.Body) {
				t.Errorf("accepted %+v", e)
			}
		}
		again, err := encodeEvents(events)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseSpool(again)
		if err != nil || len(back) != len(events) {
			t.Fatalf("re-encoded spool does not parse: %v", err)
		}
	})
}
