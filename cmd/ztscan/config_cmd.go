package main

import (
	"github.com/spf13/cobra"
)

func newConfigCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration",
	}
	var rf reportFlags
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the configuration rules see (defaults overlaid by --config)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := rf.loadConfig()
			if err != nil {
				return err
			}
			out, err := cfg.YAML()
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(out)
			return err
		},
	}
	show.Flags().StringVar(&rf.configPath, "config", "", "configuration file (default /etc/ztscan/config.yaml when present)")
	cmd.AddCommand(show)
	return cmd
}
