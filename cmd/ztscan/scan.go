package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztscan/ztscan/collectors"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/config"
	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/internal/version"
	"github.com/ztscan/ztscan/reports"
	"github.com/ztscan/ztscan/rules"
)

// targetFlags pick what to scan.
type targetFlags struct {
	root    string
	timeout time.Duration
}

func (t *targetFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.root, "root", "", "scan an offline root filesystem (unpacked image) instead of the live host")
	cmd.Flags().DurationVar(&t.timeout, "timeout", collectors.DefaultTimeout, "time limit for each collector")
}

func (t *targetFlags) host() (hostfs.Host, error) {
	if t.timeout <= 0 {
		return nil, usageError("--timeout must be positive")
	}
	if t.root == "" {
		return hostfs.Live(), nil
	}
	h, err := hostfs.Rootfs(t.root)
	if err != nil {
		return nil, scanError(err)
	}
	return h, nil
}

func newScanCommand(e *env) *cobra.Command {
	var tf targetFlags
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Collect facts, evaluate the rules and report (the default command)",
		Example: `  ztscan                                  # the live host, a table on a terminal
  ztscan scan --root /srv/images/web -f junit -o json=report.json
  ztscan --only 'ZT-SSH-*' --fail-on critical`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			outs, err := rf.validate(e)
			if err != nil {
				return err
			}
			cfg, err := rf.loadConfig()
			if err != nil {
				return err
			}
			// Compiling the rules and collecting the facts are independent:
			// do both at once (compilation is most of a scan's CPU time).
			engine := rf.loadEngineAsync(e, cfg)
			h, err := tf.host()
			if err != nil {
				if _, engErr := engine(); engErr != nil {
					return engErr // bad usage is reported before a bad target
				}
				return err
			}
			started := time.Now().UTC()
			snap := collectSnapshot(e, h, cfg, tf.timeout, rf.quiet)
			eng, err := engine()
			if err != nil {
				return err
			}
			r, err := judge(e, eng, &rf, snap, started)
			if err != nil {
				return err
			}
			if err := rf.emit(e, outs, r); err != nil {
				return err
			}
			if err := rf.ship.deliver(e, r); err != nil {
				return err
			}
			return rf.exitCode(r)
		},
	}
	tf.register(cmd)
	rf.register(cmd)
	return cmd
}

// collectSnapshot runs every collector against h.
// On a terminal (and without quiet) a progress line shows on stderr.
func collectSnapshot(e *env, h hostfs.Host, cfg *config.Config, timeout time.Duration, quiet bool) *facts.Snapshot {
	started := time.Now().UTC()
	prog := startProgress(e.stderr, quiet)
	factMap, statuses := collectors.Run(e.ctx, h, collectors.All(cfg.Values), collectors.RunOptions{Timeout: timeout, Progress: prog.callback()})
	prog.finish()
	snap := &facts.Snapshot{
		SchemaVersion: facts.SchemaVersion,
		Tool:          facts.Tool{Name: "ztscan", Version: version.String()},
		CollectedAt:   started,
		Target:        facts.Target{Kind: string(h.Kind()), Root: h.Root()},
		Facts:         factMap,
		Collectors:    statuses,
	}
	fillTarget(snap)
	return snap
}

// fillTarget copies the host's identity from the host collector's facts.
func fillTarget(snap *facts.Snapshot) {
	raw, ok := snap.Facts["host"]
	if !ok {
		return
	}
	var hf struct {
		Hostname string `json:"hostname"`
		OS       struct {
			ID         string `json:"id"`
			VersionID  string `json:"version_id"`
			PrettyName string `json:"pretty_name"`
		} `json:"os"`
		Kernel struct {
			Release string `json:"release"`
			Arch    string `json:"arch"`
		} `json:"kernel"`
	}
	if json.Unmarshal(raw, &hf) != nil {
		return
	}
	snap.Target.Hostname = hf.Hostname
	snap.Target.OS = facts.OS{ID: hf.OS.ID, VersionID: hf.OS.VersionID, PrettyName: hf.OS.PrettyName, KernelRelease: hf.Kernel.Release, Arch: hf.Kernel.Arch}
}

// judge evaluates a snapshot and builds the report.
func judge(e *env, eng *rules.Engine, rf *reportFlags, snap *facts.Snapshot, started time.Time) (*reports.Report, error) {
	input, err := json.Marshal(snap)
	if err != nil {
		return nil, scanError(fmt.Errorf("encode facts: %w", err))
	}
	outcomes, err := eng.Eval(e.ctx, input)
	if err != nil {
		return nil, scanError(err)
	}
	outcomes, err = reports.Select(outcomes, rf.only, rf.skip, rf.severity)
	if err != nil {
		return nil, usageError("%v", err)
	}
	r := reports.Build(reports.BuildInput{
		Tool:       snap.Tool,
		Target:     snap.Target,
		StartedAt:  started,
		FinishedAt: time.Now().UTC(),
		Collectors: snap.Collectors,
	}, outcomes)
	if rf.waivers != nil {
		// Apply recomputes the summary (reports.Summarize), so waived
		// failures count as waived and never toward --fail-on.
		rf.waivers.Apply(r)
	}
	if rf.baseline != nil {
		// After the waivers: a failure waived now is not a new failure.
		r.Drift = reports.Diff(rf.baseline, r)
	}
	return r, nil
}
