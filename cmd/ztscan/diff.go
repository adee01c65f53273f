package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ztscan/ztscan/reports"
)

func newDiffCommand(e *env) *cobra.Command {
	var format, failOn string
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Drift between two JSON reports: new failures, fixed, changed, new and removed rules",
		Long: `diff compares two reports written with -f json (or -o json=PATH), rule by
rule: new failures (failing now, not before), fixed (failed, passes now),
changed (any other change of status or severity), new and removed rules.

Exit codes: 0 no new failure at or above --fail-on; 1 there are;
2 bad usage or a file that is not a report of this schema version.`,
		Example: `  ztscan diff yesterday.json today.json
  ztscan diff --fail-on critical -f markdown base.json head.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			fo, err := reports.ParseFailOn(failOn)
			if err != nil {
				return usageError("--fail-on: %v", err)
			}
			if format == "" {
				format = "json"
				if isTerminal(e.stdout) {
					format = "table"
				}
			}
			if !slices.Contains(reports.DriftFormats, format) {
				return usageError("--format %q: want one of %s", format, strings.Join(reports.DriftFormats, ", "))
			}
			old, err := reports.LoadReport(args[0])
			if err != nil {
				return inputError(err)
			}
			cur, err := reports.LoadReport(args[1])
			if err != nil {
				return inputError(err)
			}
			d := reports.Diff(old, cur)
			opt := reports.RenderOptions{Width: terminalWidth(e.stdout)}
			if err := reports.RenderDrift(e.stdout, format, d, opt); err != nil {
				return fmt.Errorf("render %s: %w", format, err)
			}
			if code := d.ExitCode(fo); code != exitOK {
				return findings{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "table, json or markdown (default table on a terminal, json otherwise)")
	cmd.Flags().StringVar(&failOn, "fail-on", "high", "exit 1 when a new failure is at or above this severity (info, low, medium, high, critical, none)")
	return cmd
}
