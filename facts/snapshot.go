// Package facts holds the snapshot that collectors produce and rules judge:
// the one interface between collecting and judging. Pure data, no I/O.
package facts

import (
	"encoding/json"
	"fmt"
	"time"
)

// SchemaVersion is the version of the snapshot format this build writes
// and reads.
const SchemaVersion = "1"

// Collector statuses.
const (
	StatusOK          = "ok"
	StatusError       = "error"
	StatusUnavailable = "unavailable"
)

// Snapshot is what `ztscan collect` writes and `ztscan eval` reads.
type Snapshot struct {
	SchemaVersion string                     `json:"schema_version"`
	Tool          Tool                       `json:"tool"`
	CollectedAt   time.Time                  `json:"collected_at"`
	Target        Target                     `json:"target"`
	Facts         map[string]json.RawMessage `json:"facts"`
	Collectors    []CollectorStatus          `json:"collectors"`
}

// Tool identifies the program that wrote a snapshot or report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target says what was scanned.
type Target struct {
	Kind     string `json:"kind"` // host | rootfs
	Root     string `json:"root"`
	Hostname string `json:"hostname,omitempty"`
	OS       OS     `json:"os"`
}

// OS is the target's identity from os-release and the kernel.
type OS struct {
	ID            string `json:"id,omitempty"`
	VersionID     string `json:"version_id,omitempty"`
	PrettyName    string `json:"pretty_name,omitempty"`
	KernelRelease string `json:"kernel_release,omitempty"`
	Arch          string `json:"arch,omitempty"`
}

// CollectorStatus records how one collector ran.
type CollectorStatus struct {
	Name       string `json:"name"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// Validate checks what eval needs of a snapshot read from a file.
func (s *Snapshot) Validate() error {
	if s.SchemaVersion != SchemaVersion {
		return fmt.Errorf("schema_version %q is not supported (want %q)", s.SchemaVersion, SchemaVersion)
	}
	if s.Target.Kind != "host" && s.Target.Kind != "rootfs" {
		return fmt.Errorf("target.kind %q is not host or rootfs", s.Target.Kind)
	}
	if s.Facts == nil {
		return fmt.Errorf("no facts object")
	}
	seen := map[string]bool{}
	for _, c := range s.Collectors {
		switch c.Status {
		case StatusOK, StatusError, StatusUnavailable:
		default:
			return fmt.Errorf("collector %q has status %q", c.Name, c.Status)
		}
		if seen[c.Name] {
			return fmt.Errorf("collector %q is listed twice", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// Collector returns the status of the named collector, if it ran.
func (s *Snapshot) Collector(name string) (CollectorStatus, bool) {
	for _, c := range s.Collectors {
		if c.Name == name {
			return c, true
		}
	}
	return CollectorStatus{}, false
}
