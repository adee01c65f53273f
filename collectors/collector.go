// Package collectors snapshots facts of a target. Each collector lives in
// its own file, owns one key of the snapshot's facts, and reads the target
// only through hostfs.Host.
package collectors

import (
	"context"
	"errors"
	"fmt"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Collector gathers one group of facts.
type Collector interface {
	// Name is the collector's key in facts and in the collectors list.
	Name() string
	// Collect returns a JSON-serialisable value. A fact the collector
	// cannot know on this target is an UnavailableError (the whole group)
	// or a Part with status unavailable (one piece), never an empty value
	// a rule could read as "fine".
	Collect(ctx context.Context, h hostfs.Host) (any, error)
}

// UnavailableError says a collector's facts do not exist on this target
// (sockets of an offline root): its rules skip with the reason.
type UnavailableError struct{ Reason string }

func (e *UnavailableError) Error() string { return e.Reason }

// Unavailable builds an UnavailableError.
func Unavailable(format string, args ...any) error {
	return &UnavailableError{Reason: fmt.Sprintf(format, args...)}
}

// IsUnavailable reports whether err is (or wraps) an UnavailableError.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}

// Part is a piece of a collector's facts that can be missing while the
// rest is known, e.g. the runtime sysctl values of an offline root. Rules
// test its status: "ok", "error" (could not be read) or "unavailable"
// (does not exist on this target).
type Part struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// PartOK, PartError and PartUnavailable build Parts.
func PartOK() Part                    { return Part{Status: "ok"} }
func PartError(err error) Part        { return Part{Status: "error", Reason: err.Error()} }
func PartUnavailable(why string) Part { return Part{Status: "unavailable", Reason: why} }
