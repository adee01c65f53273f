// Package metrics writes a scan's metrics in the Prometheus text
// exposition format, for node_exporter's textfile collector: the file is
// replaced atomically, so the collector never reads half of it. The file
// describes the last scan that produced a report; when a scan cannot
// run, the old file stays and ztscan_last_success_timestamp_seconds ages,
// which is what to alert on.
package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/internal/atomicfile"
	"github.com/ztscan/ztscan/reports"
	"github.com/ztscan/ztscan/reports/ship"
)

// Input is what the metrics describe.
type Input struct {
	Report *reports.Report
	Ship   []ship.Result // one per --ship destination, empty without
}

var (
	statuses      = []string{"pass", "fail", "error", "skip", "waived"}
	collectorStat = []string{"ok", "error", "unavailable"}
)

// Write renders the metrics and replaces path with them atomically; on
// error the old file is kept.
func Write(path string, in Input) error {
	var buf bytes.Buffer
	if err := Render(&buf, in); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}

// CheckPath reports, before a scan, a metrics path that cannot be
// written: a missing or read-only directory, or a path that is a
// directory. node_exporter reads only files ending in .prom, so another
// name is refused as a likely mistake.
func CheckPath(path string) error {
	if !strings.HasSuffix(path, ".prom") {
		return errors.New("node_exporter's textfile collector reads only *.prom files")
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// Render writes the metrics in the text format, families and series in a
// fixed order.
func Render(w io.Writer, in Input) error {
	r := in.Report
	if r == nil {
		return errors.New("metrics: no report")
	}
	var b strings.Builder
	family(&b, "ztscan_scan_info", "gauge", "Always 1: what the last scan looked at and which ztscan did it.")
	sample(&b, "ztscan_scan_info", labels("target_kind", r.Scan.Target.Kind, "hostname", r.Scan.Target.Hostname, "version", r.Tool.Version), 1)

	family(&b, "ztscan_results", "gauge", "Results of the last scan by checklist section, rule severity and status.")
	type combo struct{ section, severity string }
	counts := map[combo]map[string]int{}
	for _, res := range r.Results {
		c := combo{res.Section, res.Severity}
		if counts[c] == nil {
			counts[c] = map[string]int{}
		}
		counts[c][res.Status]++
	}
	combos := make([]combo, 0, len(counts))
	for c := range counts {
		combos = append(combos, c)
	}
	sort.Slice(combos, func(i, j int) bool {
		if combos[i].section != combos[j].section {
			return combos[i].section < combos[j].section
		}
		return combos[i].severity < combos[j].severity
	})
	// Every status of a section and severity that has rules, zeros
	// included: "no failure" is a 0, not a missing series.
	for _, c := range combos {
		for _, st := range statuses {
			sample(&b, "ztscan_results", labels("section", c.section, "severity", c.severity, "status", st), float64(counts[c][st]))
		}
	}

	family(&b, "ztscan_score", "gauge", "Score of the last scan, 0-100: the severity-weighted share of applicable results that pass.")
	sample(&b, "ztscan_score", "", r.Summary.Score)
	family(&b, "ztscan_scan_duration_seconds", "gauge", "Duration of the last scan, collection and evaluation.")
	sample(&b, "ztscan_scan_duration_seconds", "", float64(r.Scan.DurationMS)/1000)
	family(&b, "ztscan_last_success_timestamp_seconds", "gauge", "Unix time at which the last scan that produced a report finished.")
	sample(&b, "ztscan_last_success_timestamp_seconds", "", float64(r.Scan.FinishedAt.UnixMilli())/1000)

	family(&b, "ztscan_collector_status", "gauge", "1 for the status each collector ended with in the last scan, 0 for the others.")
	cols := append([]facts.CollectorStatus{}, r.Collectors...)
	sort.Slice(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
	for _, c := range cols {
		for _, st := range collectorStat {
			v := 0.0
			if c.Status == st {
				v = 1
			}
			sample(&b, "ztscan_collector_status", labels("collector", c.Name, "status", st), v)
		}
	}
	family(&b, "ztscan_collector_duration_seconds", "gauge", "Time each collector took in the last scan.")
	for _, c := range cols {
		sample(&b, "ztscan_collector_duration_seconds", labels("collector", c.Name), float64(c.DurationMS)/1000)
	}

	if len(in.Ship) > 0 {
		ships := append([]ship.Result{}, in.Ship...)
		sort.Slice(ships, func(i, j int) bool { return ships[i].Destination < ships[j].Destination })
		family(&b, "ztscan_ship_failures_total", "counter", "Runs in which shipping to a destination failed (kept in the spool directory across runs).")
		for _, s := range ships {
			sample(&b, "ztscan_ship_failures_total", labels("destination", s.Destination), s.FailuresTotal)
		}
		family(&b, "ztscan_ship_ok", "gauge", "1 when the last run delivered every event to the destination, 0 when it did not.")
		for _, s := range ships {
			v := 1.0
			if s.Err != nil {
				v = 0
			}
			sample(&b, "ztscan_ship_ok", labels("destination", s.Destination), v)
		}
		family(&b, "ztscan_ship_delivered_events", "gauge", "Events the destination confirmed in the last run, spooled ones included.")
		for _, s := range ships {
			sample(&b, "ztscan_ship_delivered_events", labels("destination", s.Destination), float64(s.Delivered))
		}
		family(&b, "ztscan_spool_events", "gauge", "Events waiting in the spool for the destination, sent first on the next run.")
		for _, s := range ships {
			sample(&b, "ztscan_spool_events", labels("destination", s.Destination), float64(s.Spooled))
		}
		family(&b, "ztscan_ship_dropped_events", "gauge", "Events lost in the last run (spool unavailable or over its size bound).")
		for _, s := range ships {
			sample(&b, "ztscan_ship_dropped_events", labels("destination", s.Destination), float64(s.Dropped))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func family(b *strings.Builder, name, typ, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

func sample(b *strings.Builder, name, lbls string, v float64) {
	b.WriteString(name + lbls + " " + strconv.FormatFloat(v, 'f', -1, 64) + "\n")
}

// labels formats name/value pairs as {a="x",b="y"}.
func labels(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i] + `="` + escapeLabel(kv[i+1]) + `"`)
	}
	b.WriteByte('}')
	return b.String()
}

// escapeLabel escapes a label value as the text format requires:
// backslash, double quote and line feed.
func escapeLabel(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}
