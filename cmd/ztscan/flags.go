package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ztscan/ztscan/config"
	"github.com/ztscan/ztscan/internal/atomicfile"
	"github.com/ztscan/ztscan/reports"
	"github.com/ztscan/ztscan/rules"
)

// reportFlags are the flags shared by scan and eval: what to judge with
// and how to report.
type reportFlags struct {
	format     string
	outputs    []string
	failOn     string
	ruleDirs   []string
	only, skip []string
	severity   string
	configPath string
	quiet      bool
	noColor    bool
	// waiversPath and baselinePath are read by validate, before any
	// collector runs, so a bad file costs nothing.
	waiversPath  string
	baselinePath string
	waivers      *reports.WaiverFile
	baseline     *reports.Report
	// ship holds --ship, --spool and --metrics (ship.go).
	ship shipFlags
}

func (f *reportFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "", "stdout format: "+strings.Join(reports.Formats(), ", ")+" (default table on a terminal, json otherwise)")
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "also write FMT=PATH (repeatable); files are replaced atomically")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a rule fails at or above this severity (info, low, medium, high, critical, none)")
	fl.StringArrayVar(&f.ruleDirs, "rules", nil, "directory of extra Rego rules (repeatable)")
	fl.StringSliceVar(&f.only, "only", nil, "evaluate only these rule IDs or globs (ZT-SSH-*), comma-separated or repeated")
	fl.StringSliceVar(&f.skip, "skip", nil, "do not evaluate these rule IDs or globs")
	fl.StringVar(&f.severity, "severity", "info", "minimum severity shown")
	fl.StringVar(&f.configPath, "config", "", "configuration file (default "+config.DefaultPath+" when present)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "show only failures, errors and the summary")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour the table")
	fl.StringVar(&f.waiversPath, "waivers", "", "YAML list of accepted failures {id (glob), reason, expires, hosts, owner}; a waived failure never fails the run")
	fl.StringVar(&f.baselinePath, "baseline", "", "a previous JSON report: the report gains a drift section (new failures, fixed, changed)")
	f.ship.register(fl)
}

// output is one destination of a rendered report.
type output struct {
	format string
	path   string // "" = stdout
}

// validate checks every flag value before any work is done, so a typo
// costs nothing and says exactly what was wrong.
func (f *reportFlags) validate(e *env) ([]output, error) {
	failOn, err := reports.ParseFailOn(f.failOn)
	if err != nil {
		return nil, usageError("--fail-on: %v", err)
	}
	f.failOn = failOn
	severity, err := reports.ParseSeverity(f.severity)
	if err != nil {
		return nil, usageError("--severity: %v", err)
	}
	f.severity = severity
	stdoutFormat := f.format
	if stdoutFormat == "" {
		stdoutFormat = "json"
		if isTerminal(e.stdout) {
			stdoutFormat = "table"
		}
	}
	if !slices.Contains(reports.Formats(), stdoutFormat) {
		return nil, usageError("--format %q: want one of %s", stdoutFormat, strings.Join(reports.Formats(), ", "))
	}
	outs := []output{{format: stdoutFormat}}
	for _, o := range f.outputs {
		format, path, ok := strings.Cut(o, "=")
		if !ok || path == "" {
			return nil, usageError("--output %q: want FMT=PATH", o)
		}
		if !slices.Contains(reports.Formats(), format) {
			return nil, usageError("--output %q: format %q is not one of %s", o, format, strings.Join(reports.Formats(), ", "))
		}
		outs = append(outs, output{format: format, path: path})
	}
	if f.waiversPath != "" {
		wf, err := reports.LoadWaivers(f.waiversPath)
		if err != nil {
			return nil, inputError(err)
		}
		f.waivers = wf
	}
	if f.baselinePath != "" {
		b, err := reports.LoadReport(f.baselinePath)
		if err != nil {
			return nil, inputError(fmt.Errorf("--baseline: %w", err))
		}
		f.baseline = b
	}
	if err := f.ship.validate(); err != nil {
		return nil, err
	}
	return outs, nil
}

func (f *reportFlags) loadConfig() (*config.Config, error) {
	path, explicit := f.configPath, f.configPath != ""
	if !explicit {
		path = config.DefaultPath
	}
	cfg, err := config.Load(path, explicit)
	if err != nil {
		return nil, inputError(err)
	}
	return cfg, nil
}

func (f *reportFlags) loadEngine(e *env, cfg *config.Config) (*rules.Engine, error) {
	eng, err := rules.Load(e.ctx, rules.Options{ExtraDirs: f.ruleDirs, Config: cfg.Values})
	if err != nil {
		return nil, inputError(fmt.Errorf("rules: %w", err))
	}
	return eng, nil
}

// loadEngineAsync starts loading the rules and returns a function that
// waits for the engine, already checked against --only/--skip.
func (f *reportFlags) loadEngineAsync(e *env, cfg *config.Config) func() (*rules.Engine, error) {
	type loaded struct {
		eng *rules.Engine
		err error
	}
	ch := make(chan loaded, 1)
	go func() {
		eng, err := f.loadEngine(e, cfg)
		if err == nil {
			err = f.checkSelection(eng)
		}
		ch <- loaded{eng, err}
	}()
	var once sync.Once
	var res loaded
	return func() (*rules.Engine, error) {
		once.Do(func() { res = <-ch })
		return res.eng, res.err
	}
}

// checkSelection fails early when --only or --skip names no rule, before
// any collector runs.
func (f *reportFlags) checkSelection(eng *rules.Engine) error {
	all := make([]rules.Outcome, 0, len(eng.Rules()))
	for _, r := range eng.Rules() {
		all = append(all, rules.Outcome{Rule: r})
	}
	if _, err := reports.Select(all, f.only, f.skip, f.severity); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// emit renders r to every destination: stdout and each -o file.
func (f *reportFlags) emit(e *env, outs []output, r *reports.Report) error {
	for _, o := range outs {
		opt := reports.RenderOptions{Quiet: f.quiet}
		if o.path == "" {
			opt.Color = o.format == "table" && !f.noColor && colorAllowed(e.stdout)
			opt.Width = terminalWidth(e.stdout)
			if err := reports.Render(e.stdout, o.format, r, opt); err != nil {
				return fmt.Errorf("render %s: %w", o.format, err)
			}
			continue
		}
		var buf bytes.Buffer
		if err := reports.Render(&buf, o.format, r, opt); err != nil {
			return fmt.Errorf("render %s: %w", o.format, err)
		}
		if err := atomicfile.Write(o.path, buf.Bytes(), 0o644); err != nil {
			return usageError("--output %s=%s: %v", o.format, o.path, err)
		}
	}
	return nil
}

func (f *reportFlags) exitCode(r *reports.Report) error {
	if f.failOn == reports.FailOnNone {
		return nil
	}
	if code := r.ExitCode(f.failOn); code != exitOK {
		return findings{code: code}
	}
	return nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// colorAllowed follows the NO_COLOR convention and colours terminals only.
func colorAllowed(w any) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	return isTerminal(w)
}

func terminalWidth(w any) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	return 0
}
