package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ztscan/ztscan/config"
	"github.com/ztscan/ztscan/rules"
)

func newRulesCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "The rule catalogue: list, show, test custom rules",
	}
	var dirs []string
	var format string
	load := func() (*rules.Engine, error) {
		cfg, err := config.Defaults()
		if err != nil {
			return nil, err
		}
		eng, err := rules.Load(e.ctx, rules.Options{ExtraDirs: dirs, Config: cfg.Values})
		if err != nil {
			return nil, inputError(fmt.Errorf("rules: %w", err))
		}
		return eng, nil
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List every rule with its severity and title",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			eng, err := load()
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(e, eng.Rules())
			}
			if format != "" && format != "table" {
				return usageError("--format %q: want table or json", format)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tSECTION\tTITLE")
			for _, r := range eng.Rules() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Section, r.Title)
			}
			return tw.Flush()
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule's metadata: description, remediation, references",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			eng, err := load()
			if err != nil {
				return err
			}
			r, ok := eng.Rule(strings.ToUpper(args[0]))
			if !ok {
				return usageError("no rule %q (see ztscan rules list)", args[0])
			}
			if format == "json" {
				return writeJSON(e, r)
			}
			fmt.Fprintf(e.stdout, "%s  %s\n\n", r.ID, r.Title)
			fmt.Fprintf(e.stdout, "Severity:    %s\nSection:     %s\nDefined at:  %s:%d\n", r.Severity, r.Section, r.File, r.Line)
			if r.Description != "" {
				fmt.Fprintf(e.stdout, "\n%s\n", strings.TrimSpace(r.Description))
			}
			fmt.Fprintf(e.stdout, "\nRemediation:\n  %s\n\nReferences:\n", strings.TrimSpace(r.Remediation))
			for _, ref := range r.References {
				fmt.Fprintf(e.stdout, "  - %s\n", ref)
			}
			return nil
		},
	}
	test := &cobra.Command{
		Use:   "test DIR...",
		Short: "Run the Rego unit tests (test_* rules) of custom rule directories",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var srcs []rules.Source
			for _, d := range args {
				s, err := rules.DirSources(d, true)
				if err != nil {
					return inputError(err)
				}
				srcs = append(srcs, s...)
			}
			// Validate the custom rules' METADATA exactly as a scan would.
			if _, err := rules.Load(e.ctx, rules.Options{ExtraDirs: args}); err != nil {
				return inputError(fmt.Errorf("rules: %w", err))
			}
			cfg, err := config.Defaults()
			if err != nil {
				return err
			}
			results, err := rules.RunTests(e.ctx, srcs, cfg.Values)
			if err != nil {
				return inputError(err)
			}
			passed, failed := 0, 0
			for _, r := range results {
				switch {
				case r.Skipped:
				case r.Passed:
					passed++
				default:
					failed++
					fmt.Fprintf(e.stdout, "FAIL %s.%s (%s): %s\n", r.Package, r.Name, r.Location, r.Error)
				}
			}
			fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
			if failed > 0 {
				return findings{code: exitFindings}
			}
			return nil
		},
	}
	for _, c := range []*cobra.Command{list, show, test} {
		if c != test {
			c.Flags().StringArrayVar(&dirs, "rules", nil, "directory of extra Rego rules (repeatable)")
			c.Flags().StringVarP(&format, "format", "f", "table", "table or json")
		}
	}
	cmd.AddCommand(list, show, test)
	return cmd
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
