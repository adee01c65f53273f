package collectors

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/systemd"
)

// SandboxDirectives are the [Service] settings that confine a service
// (systemd.exec(5)); facts carry the ones each enabled service sets.
var SandboxDirectives = []string{
	"NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateNetwork",
	"ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock",
	"ProtectHostname", "ProtectProc", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID",
	"RestrictAddressFamilies", "MemoryDenyWriteExecute", "LockPersonality", "CapabilityBoundingSet",
	"AmbientCapabilities", "SystemCallFilter", "SystemCallArchitectures", "DynamicUser", "User", "ReadWritePaths",
}

// emptyMeansNone are the directives whose empty assignment is a value
// (the empty capability set), not a return to the default.
var emptyMeansNone = map[string]bool{"CapabilityBoundingSet": true, "AmbientCapabilities": true}

// Units collects facts.systemd: the enabled services and the sandboxing
// directives in effect for each.
type Units struct{}

// NewUnits returns the "systemd" collector.
func NewUnits() *Units { return &Units{} }

func (*Units) Name() string { return "systemd" }

// SystemdFacts is facts.systemd.
type SystemdFacts struct {
	// Runtime is the live systemd's answer (active states): unavailable
	// on an offline root.
	Runtime  Part              `json:"runtime"`
	Services []ServiceUnit     `json:"services"`
	Problems []systemd.Problem `json:"problems"`
}

// ServiceUnit is one enabled service and its sandboxing.
type ServiceUnit struct {
	UnitState
	// Sandboxing maps each directive of SandboxDirectives the unit sets to
	// its effective value (list directives joined by spaces), with the
	// file and line of the last assignment. An absent key is not set (or
	// reset to its default); CapabilityBoundingSet with an empty value is
	// the empty capability set.
	Sandboxing map[string]Directive `json:"sandboxing"`
}

// Directive is an effective unit setting and where it was set.
type Directive struct {
	Value string `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// UnitState is how facts describe one unit: found or not, its file, its
// enablement and, on the live host, whether it runs.
type UnitState struct {
	Name       string   `json:"name"`
	Found      bool     `json:"found"`
	Path       string   `json:"path,omitempty"`
	State      string   `json:"state,omitempty"`
	Enabled    bool     `json:"enabled"`
	EnabledHow string   `json:"enabled_how,omitempty"`
	Links      []string `json:"enabled_links,omitempty"`
	Masked     bool     `json:"masked"`
	DropIns    []string `json:"drop_ins,omitempty"`
	Error      string   `json:"error,omitempty"`
	// Active is the runtime state: status "unavailable" offline.
	Active ActiveFacts `json:"active"`
}

// ActiveFacts is a unit's runtime state.
type ActiveFacts struct {
	Part
	// Running is set only when the live systemd answered.
	Running     *bool  `json:"running,omitempty"`
	ActiveState string `json:"active_state,omitempty"`
	SubState    string `json:"sub_state,omitempty"`
}

func (*Units) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	units, err := systemd.Load(h)
	if err != nil {
		return nil, err
	}
	if len(units.Names()) == 0 {
		return nil, Unavailable("no systemd unit files in %s", strings.Join(systemd.UnitPaths, ", "))
	}
	f := &SystemdFacts{Services: []ServiceUnit{}, Problems: units.Problems()}
	if f.Problems == nil {
		f.Problems = []systemd.Problem{}
	}
	var names []string
	for _, n := range enabledServices(units) {
		names = append(names, n)
	}
	f.Runtime = queryRuntime(ctx, units, names)
	for _, n := range names {
		un, _ := units.Unit(n)
		su := ServiceUnit{UnitState: describeUnit(units, un, n, f.Runtime), Sandboxing: map[string]Directive{}}
		for _, d := range SandboxDirectives {
			as := un.Values("Service", d)
			if len(as) == 0 {
				if file, line, ok := un.LastReset("Service", d); ok && emptyMeansNone[d] {
					su.Sandboxing[d] = Directive{Value: "", File: file, Line: line}
				}
				continue
			}
			vals := make([]string, len(as))
			for i, a := range as {
				vals[i] = a.Value
			}
			last := as[len(as)-1]
			su.Sandboxing[d] = Directive{Value: strings.Join(vals, " "), File: last.File, Line: last.Line}
		}
		f.Services = append(f.Services, su)
	}
	return f, nil
}

// enabledServices lists the enabled .service units by their own names
// (an alias is the same unit), instances included, sorted. Linked
// instances (getty@tty1.service) are found through their links.
func enabledServices(units *systemd.Units) []string {
	seen := map[string]bool{}
	for _, n := range append(units.Names(), units.LinkedNames()...) {
		if !strings.HasSuffix(n, ".service") || strings.HasSuffix(n, "@.service") {
			continue
		}
		un, ok := units.Unit(n)
		if !ok || !un.Enabled || un.ID != n {
			continue
		}
		seen[n] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// queryRuntime asks the live systemd about names once.
func queryRuntime(ctx context.Context, units *systemd.Units, names []string) Part {
	err := units.QueryActive(ctx, names...)
	switch {
	case err == nil:
		return PartOK()
	case errors.Is(err, systemd.ErrNoRuntime):
		return PartUnavailable(err.Error())
	default:
		return PartError(err)
	}
}

// describeUnit turns a resolved unit (nil: not found) into facts.
func describeUnit(units *systemd.Units, un *systemd.Unit, name string, runtime Part) UnitState {
	st := UnitState{Name: name}
	if un != nil {
		st.Found = true
		st.Path, st.State, st.Enabled, st.EnabledHow = un.Path, un.State, un.Enabled, un.EnabledHow
		st.Links, st.Masked, st.DropIns, st.Error = un.EnabledLinks, un.Masked, un.DropIns, un.Error
	}
	st.Active = ActiveFacts{Part: runtime}
	if runtime.Status == "ok" {
		if a, ok := units.Active(name); ok {
			running := a.Running()
			st.Active.ActiveState, st.Active.SubState, st.Active.Running = a.ActiveState, a.SubState, &running
		} else {
			st.Active.Part = PartError(errors.New("systemctl show gave no answer for " + name))
		}
	}
	return st
}

// unitStates resolves names and, on the live host, asks systemd whether
// they run: one systemctl call for all.
func unitStates(ctx context.Context, units *systemd.Units, names []string) map[string]UnitState {
	runtime := queryRuntime(ctx, units, names)
	out := map[string]UnitState{}
	for _, n := range names {
		un, _ := units.Unit(n)
		out[n] = describeUnit(units, un, n, runtime)
	}
	return out
}
