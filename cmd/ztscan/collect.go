package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ztscan/ztscan/config"
	"github.com/ztscan/ztscan/internal/atomicfile"
)

func newCollectCommand(e *env) *cobra.Command {
	var tf targetFlags
	var outPath string
	var rf reportFlags // only --config is used: collectors read declared paths from it
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect facts only and write the snapshot (JSON)",
		Long: `collect writes the facts snapshot to stdout (or -o PATH). It exits 0 even when
collectors fail: their problems are data in the snapshot. Evaluate it later
with "ztscan eval".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := rf.loadConfig()
			if err != nil {
				return err
			}
			h, err := tf.host()
			if err != nil {
				return err
			}
			snap := collectSnapshot(e, h, cfg, tf.timeout, false)
			data, err := json.MarshalIndent(snap, "", "  ")
			if err != nil {
				return scanError(fmt.Errorf("encode facts: %w", err))
			}
			data = append(data, '\n')
			if outPath == "" || outPath == "-" {
				_, err = e.stdout.Write(data)
				return err
			}
			if err := atomicfile.Write(outPath, data, 0o600); err != nil {
				return usageError("-o %s: %v", outPath, err)
			}
			return nil
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVarP(&outPath, "output", "o", "", "write the snapshot to PATH (atomically) instead of stdout")
	cmd.Flags().StringVar(&rf.configPath, "config", "", "configuration file (default "+config.DefaultPath+" when present): declared paths collectors read")
	return cmd
}
