package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/internal/jsonerr"
)

// maxFactsSize bounds a snapshot read by eval.
const maxFactsSize = 256 << 20

func newEvalCommand(e *env) *cobra.Command {
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "eval FACTS...",
		Short: "Evaluate saved fact snapshots (\"-\" reads stdin)",
		Long: `eval judges snapshots written by "ztscan collect". Each snapshot gives one
report; the exit code is the worst of them.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			outs, err := rf.validate(e)
			if err != nil {
				return err
			}
			if len(args) > 1 {
				for _, o := range outs {
					if o.path != "" {
						return usageError("-o writes one report: give eval one snapshot, or run it once per snapshot")
					}
				}
				if rf.ship.metricsPath != "" {
					return usageError("--metrics describes one scan: give eval one snapshot, or run it once per snapshot")
				}
			}
			// Read and check every snapshot first: one bad file fails the
			// command before anything is reported.
			snaps := make([]*facts.Snapshot, 0, len(args))
			for _, a := range args {
				s, err := readSnapshot(e, a)
				if err != nil {
					return inputError(err)
				}
				snaps = append(snaps, s)
			}
			cfg, err := rf.loadConfig()
			if err != nil {
				return err
			}
			eng, err := rf.loadEngine(e, cfg)
			if err != nil {
				return err
			}
			if err := rf.checkSelection(eng); err != nil {
				return err
			}
			var worst error
			for _, s := range snaps {
				r, err := judge(e, eng, &rf, s, time.Now().UTC())
				if err != nil {
					return err
				}
				if err := rf.emit(e, outs, r); err != nil {
					return err
				}
				if err := rf.ship.deliver(e, r); err != nil {
					return err
				}
				if err := rf.exitCode(r); err != nil {
					worst = err
				}
			}
			return worst
		},
	}
	rf.register(cmd)
	return cmd
}

// readSnapshot reads and validates one snapshot; errors name the file and,
// for broken JSON, the line.
func readSnapshot(e *env, name string) (*facts.Snapshot, error) {
	var r io.Reader
	label := name
	if name == "-" {
		r, label = e.stdin, "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("facts %s: %w", name, unwrapPathError(err))
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("facts %s: not a regular file", name)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxFactsSize+1))
	if err != nil {
		return nil, fmt.Errorf("facts %s: %w", label, err)
	}
	if len(data) > maxFactsSize {
		return nil, fmt.Errorf("facts %s: larger than %d bytes", label, maxFactsSize)
	}
	var s facts.Snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("facts %s: %s", label, jsonerr.Describe(data, err, "snapshot"))
	}
	if dec.More() {
		return nil, fmt.Errorf("facts %s: trailing data after the snapshot", label)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("facts %s: %w", label, err)
	}
	return &s, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
