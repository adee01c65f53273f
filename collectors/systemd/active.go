package systemd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// ActiveState is what the running systemd says of a unit.
type ActiveState struct {
	ActiveState   string `json:"active_state"`
	SubState      string `json:"sub_state"`
	UnitFileState string `json:"unit_file_state"`
}

// Running reports whether the unit is active (or activating/reloading).
func (s ActiveState) Running() bool {
	return s.ActiveState == "active" || s.ActiveState == "activating" || s.ActiveState == "reloading"
}

// ErrNoRuntime says the target has no running systemd to ask (an offline
// root, or a host where commands cannot run).
var ErrNoRuntime = errors.New("no running systemd on this target")

// QueryActive asks the live host's systemd for the state of names
// (`systemctl show --property=Id,ActiveState,SubState,UnitFileState`);
// the answers are then returned by Active. Units systemd does not know
// come back with ActiveState "inactive" and UnitFileState empty, as
// systemctl prints them. On a target that cannot run commands it returns
// ErrNoRuntime and records nothing.
func (u *Units) QueryActive(ctx context.Context, names ...string) error {
	if !u.h.CanRun() || u.h.Kind() != hostfs.KindHost {
		return ErrNoRuntime
	}
	if _, err := u.h.Stat("/run/systemd/system"); err != nil {
		// sd_booted(3): without this directory systemd is not PID 1
		// (a container, a chroot), and systemctl has no one to ask.
		return fmt.Errorf("%w: /run/systemd/system is missing (systemd is not PID 1)", ErrNoRuntime)
	}
	if len(names) == 0 {
		return nil
	}
	args := append([]string{"show", "--property=Id,ActiveState,SubState,UnitFileState", "--"}, names...)
	out, err := u.h.Run(ctx, "systemctl", args...)
	if err != nil {
		return fmt.Errorf("systemctl show: %w", err)
	}
	states, err := ParseShow(out)
	if err != nil {
		return fmt.Errorf("systemctl show: %w", err)
	}
	if len(states) != len(names) {
		return fmt.Errorf("systemctl show: %d answers for %d units", len(states), len(names))
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.active == nil {
		u.active = map[string]ActiveState{}
	}
	// systemctl answers in the order asked; Id is the unit's own name,
	// which differs from the name asked for an alias.
	for i, n := range names {
		u.active[n] = states[i].ActiveState
	}
	return nil
}

// Active is the runtime state QueryActive recorded for name.
func (u *Units) Active(name string) (ActiveState, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	s, ok := u.active[name]
	return s, ok
}

// ShownUnit is one block of `systemctl show` output.
type ShownUnit struct {
	ID string
	ActiveState
}

// ParseShow reads `systemctl show` output: Key=Value lines, one block per
// unit, blocks separated by an empty line.
func ParseShow(out []byte) ([]ShownUnit, error) {
	var units []ShownUnit
	cur, started := ShownUnit{}, false
	flush := func() {
		if started {
			units = append(units, cur)
		}
		cur, started = ShownUnit{}, false
	}
	for i, line := range strings.Split(string(out), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: not Key=Value: %q", i+1, line)
		}
		started = true
		switch k {
		case "Id":
			cur.ID = v
		case "ActiveState":
			cur.ActiveState.ActiveState = v
		case "SubState":
			cur.SubState = v
		case "UnitFileState":
			cur.UnitFileState = v
		}
	}
	flush()
	return units, nil
}
