package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/ztscan/ztscan/reports"
	"github.com/ztscan/ztscan/reports/metrics"
	"github.com/ztscan/ztscan/reports/ship"
)

// shipFlags are --ship, --spool and --metrics: where a report goes besides
// stdout and -o files.
type shipFlags struct {
	urls        []string
	spoolDir    string
	metricsPath string
	targets     []*ship.Target
}

func (s *shipFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&s.urls, "ship", nil, "send one event per result and a summary to URL (repeatable): syslog+tls://HOST:6514?ca=PATH, syslog+tcp://HOST:514, loki+http(s)://HOST:3100, splunk+https://HOST:8088?token_file=PATH, file:///var/log/ztscan/findings.ndjson (docs/siem.md)")
	fl.StringVar(&s.spoolDir, "spool", ship.DefaultSpoolDir, "directory where events a --ship destination did not confirm wait for the next run")
	fl.StringVar(&s.metricsPath, "metrics", "", "write Prometheus metrics to PATH (a *.prom file in node_exporter's textfile directory), atomically")
}

// validate parses every --ship URL and checks the spool and the metrics
// path before any collector runs: a typo exits 2 at once, and a spool
// that could not keep events is known before an outage needs it.
func (s *shipFlags) validate() error {
	s.targets = nil
	for _, u := range s.urls {
		t, err := ship.Parse(u)
		if err != nil {
			return usageError("--ship %v", err)
		}
		s.targets = append(s.targets, t)
	}
	if len(s.targets) > 0 && s.spoolDir != "" {
		if err := ship.CheckSpool(s.spoolDir); err != nil {
			return usageError("--spool: %v (give a writable directory with --spool DIR)", err)
		}
	}
	if s.metricsPath != "" {
		if err := metrics.CheckPath(s.metricsPath); err != nil {
			return usageError("--metrics %s: %v", s.metricsPath, err)
		}
	}
	return nil
}

// deliver ships the report, then writes the metrics (which say how the
// shipping went). A destination that failed is reported on stderr, one
// line each, and in the metrics, but is not an error: the exit code keeps
// meaning what the findings say, and the events wait in the spool. An
// unwritable metrics file is an error (exit 2), as an unwritable -o file
// is; the old file is kept.
func (s *shipFlags) deliver(e *env, r *reports.Report) error {
	var results []ship.Result
	if len(s.targets) > 0 {
		events, err := ship.Events(r)
		if err != nil {
			fmt.Fprintf(e.stderr, "ztscan: ship: %s\n", oneLine(err.Error()))
			for _, t := range s.targets {
				results = append(results, ship.Result{Destination: t.Name, Err: err, FailuresTotal: 1})
			}
		} else {
			results = ship.Run(e.ctx, s.targets, events, ship.Options{SpoolDir: s.spoolDir})
			for _, res := range results {
				if res.Err != nil {
					fmt.Fprintf(e.stderr, "ztscan: %s\n", oneLine(res.Line()))
				}
			}
		}
	}
	if s.metricsPath != "" {
		if err := metrics.Write(s.metricsPath, metrics.Input{Report: r, Ship: results}); err != nil {
			return usageError("--metrics %s: %v", s.metricsPath, err)
		}
	}
	return nil
}
