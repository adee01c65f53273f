// Package chrony reads the machine-readable (CSV) output of chronyc:
// `chronyc -c tracking` and `chronyc -c sources`. The CSV form is used
// because its numbers are raw seconds, where the human form rounds and
// spells signs out ("seconds fast of NTP time").
package chrony

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits on hostile or broken output: a real tracking report is one line,
// a real source list a few dozen.
const (
	maxOutput  = 1 << 20
	maxSources = 4096
)

// NotSynchronised is the leap status chronyd reports before it has
// selected a source (and whenever it has lost them all).
const NotSynchronised = "Not synchronised"

// Tracking is one `chronyc -c tracking` report. Times are in seconds.
type Tracking struct {
	// ReferenceID is the 32-bit reference identifier in hex
	// ("7F000001"); "00000000" when there is no reference.
	ReferenceID string `json:"reference_id"`
	// ReferenceName is the source's name or address (empty for a local
	// reference or none).
	ReferenceName string `json:"reference_name"`
	Stratum       int    `json:"stratum"`
	// RefTime is when the last measurement from the reference was
	// processed, in seconds since the Unix epoch (0 when never).
	RefTime float64 `json:"ref_time"`
	// SystemTime is chronyd's remaining correction of the system clock:
	// positive when the clock is slow (behind NTP time). ClockOffset is
	// its negation, the convention of the rest of ztscan.
	SystemTime float64 `json:"system_time"`
	// LastOffset and RMSOffset are the estimated offsets of the last
	// clock update and their long-term average.
	LastOffset      float64 `json:"last_offset"`
	RMSOffset       float64 `json:"rms_offset"`
	FrequencyPPM    float64 `json:"frequency_ppm"`
	ResidualFreqPPM float64 `json:"residual_freq_ppm"`
	SkewPPM         float64 `json:"skew_ppm"`
	RootDelay       float64 `json:"root_delay"`
	RootDispersion  float64 `json:"root_dispersion"`
	UpdateInterval  float64 `json:"update_interval"`
	// LeapStatus is "Normal", "Insert second", "Delete second" or
	// "Not synchronised".
	LeapStatus string `json:"leap_status"`
}

// Synchronised reports whether chronyd has a reference it tracks.
func (t Tracking) Synchronised() bool {
	return t.LeapStatus != NotSynchronised && t.ReferenceID != "00000000" && t.Stratum > 0 && t.Stratum < 16
}

// ClockOffset is how far the system clock is ahead of NTP time, in
// seconds (negative: behind).
func (t Tracking) ClockOffset() float64 { return -t.SystemTime }

// MaxError bounds the clock's error as chronyd knows it: the offset plus
// half the root delay plus the root dispersion (chrony's "root distance").
func (t Tracking) MaxError() float64 {
	return math.Abs(t.SystemTime) + t.RootDelay/2 + t.RootDispersion
}

// ParseTracking reads `chronyc -c tracking`: one line of 14 fields.
func ParseTracking(out []byte) (Tracking, error) {
	if len(out) > maxOutput {
		return Tracking{}, fmt.Errorf("chronyc tracking: output of %d bytes is not a tracking report", len(out))
	}
	lines := nonEmptyLines(string(out))
	if len(lines) != 1 {
		return Tracking{}, fmt.Errorf("chronyc tracking: want one CSV line, got %d", len(lines))
	}
	f := strings.Split(lines[0], ",")
	if len(f) != 14 {
		return Tracking{}, fmt.Errorf("chronyc tracking: want 14 fields, got %d in %q", len(f), clip(lines[0]))
	}
	p := fieldParser{line: 1}
	t := Tracking{
		ReferenceID:     p.hexID(f[0]),
		ReferenceName:   f[1],
		Stratum:         p.int(f[2], "stratum", 0, 16),
		RefTime:         p.float(f[3], "ref time"),
		SystemTime:      p.float(f[4], "system time"),
		LastOffset:      p.float(f[5], "last offset"),
		RMSOffset:       p.float(f[6], "RMS offset"),
		FrequencyPPM:    p.float(f[7], "frequency"),
		ResidualFreqPPM: p.float(f[8], "residual frequency"),
		SkewPPM:         p.float(f[9], "skew"),
		RootDelay:       p.float(f[10], "root delay"),
		RootDispersion:  p.float(f[11], "root dispersion"),
		UpdateInterval:  p.float(f[12], "update interval"),
		LeapStatus:      f[13],
	}
	switch t.LeapStatus {
	case "Normal", "Insert second", "Delete second", NotSynchronised:
	default:
		p.fail("unknown leap status %q", clip(t.LeapStatus))
	}
	if p.err != nil {
		return Tracking{}, fmt.Errorf("chronyc tracking: %w", p.err)
	}
	return t, nil
}

// Source is one line of `chronyc -c sources`.
type Source struct {
	// Mode is "server", "peer" or "refclock" (chronyc's ^, = and #).
	Mode string `json:"mode"`
	// State is chronyc's state character spelled out: "selected" (*),
	// "combined" (+), "not_combined" (-), "unusable" (?), "falseticker"
	// (x), "too_variable" (~).
	State   string `json:"state"`
	Name    string `json:"name"`
	Stratum int    `json:"stratum"`
	Poll    int    `json:"poll"`
	// Reach is the reachability register as chronyc prints it (octal).
	Reach string `json:"reach"`
	// LastRx is the age of the last sample in seconds; -1 when never.
	LastRx int64 `json:"last_rx"`
	// Offset is the last sample's offset of the local clock from the
	// source (positive: local clock ahead), adjusted for later clock
	// corrections; MeasuredOffset is as measured; Error is its margin.
	Offset         float64 `json:"offset"`
	MeasuredOffset float64 `json:"measured_offset"`
	Error          float64 `json:"error"`
}

var sourceModes = map[string]string{"^": "server", "=": "peer", "#": "refclock"}

var sourceStates = map[string]string{
	"*": "selected", "+": "combined", "-": "not_combined",
	"?": "unusable", "x": "falseticker", "~": "too_variable",
}

// neverReceived is what chronyc prints as LastRx before the first sample.
const neverReceived = 4294967295

// ParseSources reads `chronyc -c sources`: one 10-field line per source;
// no sources is no lines.
func ParseSources(out []byte) ([]Source, error) {
	if len(out) > maxOutput {
		return nil, fmt.Errorf("chronyc sources: output of %d bytes is too large", len(out))
	}
	lines := nonEmptyLines(string(out))
	if len(lines) > maxSources {
		return nil, fmt.Errorf("chronyc sources: %d sources, more than %d", len(lines), maxSources)
	}
	srcs := make([]Source, 0, len(lines))
	for i, line := range lines {
		f := strings.Split(line, ",")
		if len(f) != 10 {
			return nil, fmt.Errorf("chronyc sources: line %d: want 10 fields, got %d in %q", i+1, len(f), clip(line))
		}
		p := fieldParser{line: i + 1}
		s := Source{
			Mode:           p.enum(f[0], sourceModes, "mode"),
			State:          p.enum(f[1], sourceStates, "state"),
			Name:           f[2],
			Stratum:        p.int(f[3], "stratum", 0, 16),
			Poll:           p.int(f[4], "poll", -32, 32),
			Reach:          f[5],
			Offset:         p.float(f[7], "offset"),
			MeasuredOffset: p.float(f[8], "measured offset"),
			Error:          p.float(f[9], "error"),
		}
		if _, err := strconv.ParseUint(f[5], 8, 8); err != nil {
			p.fail("reach %q is not an octal byte", clip(f[5]))
		}
		rx, err := strconv.ParseInt(f[6], 10, 64)
		switch {
		case err != nil || rx < 0:
			p.fail("last rx %q is not a number of seconds", clip(f[6]))
		case rx == neverReceived:
			s.LastRx = -1
		default:
			s.LastRx = rx
		}
		if p.err != nil {
			return nil, fmt.Errorf("chronyc sources: %w", p.err)
		}
		srcs = append(srcs, s)
	}
	return srcs, nil
}

// fieldParser keeps the first error of a line so that a record reads as
// one expression.
type fieldParser struct {
	line int
	err  error
}

func (p *fieldParser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("line %d: %s", p.line, fmt.Sprintf(format, args...))
	}
}

func (p *fieldParser) float(s, what string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.fail("%s %q is not a number", what, clip(s))
		return 0
	}
	return v
}

func (p *fieldParser) int(s, what string, lo, hi int) int {
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		p.fail("%s %q is not a number in %d..%d", what, clip(s), lo, hi)
		return 0
	}
	return v
}

func (p *fieldParser) hexID(s string) string {
	if len(s) != 8 {
		p.fail("reference id %q is not 8 hex digits", clip(s))
		return ""
	}
	if _, err := strconv.ParseUint(s, 16, 32); err != nil {
		p.fail("reference id %q is not 8 hex digits", clip(s))
		return ""
	}
	return strings.ToUpper(s)
}

func (p *fieldParser) enum(s string, names map[string]string, what string) string {
	v, ok := names[s]
	if !ok {
		p.fail("unknown %s %q", what, clip(s))
	}
	return v
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// clip keeps error messages short when the input is garbage.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
