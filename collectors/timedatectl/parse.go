// Package timedatectl reads what systemd's timedatectl prints about the
// clock: `timedatectl show` (timedated's properties), `timedatectl
// show-timesync --all` (timesyncd's properties) and `timedatectl
// timesync-status` (the human report, the only one that states the
// measured offset: show-timesync's NTPMessage timestamps are rounded to
// the second).
package timedatectl

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	maxOutput     = 1 << 20
	maxProperties = 4096
)

// ParseProperties reads Key=Value lines, as `systemctl show` and
// `timedatectl show` print them. A key given twice keeps its last value.
func ParseProperties(out []byte) (map[string]string, error) {
	if len(out) > maxOutput {
		return nil, fmt.Errorf("%d bytes of output is not a property list", len(out))
	}
	props := map[string]string{}
	for i, line := range strings.Split(string(out), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !propertyName.MatchString(k) {
			return nil, fmt.Errorf("line %d: not a Key=Value property: %q", i+1, clip(line))
		}
		if len(props) >= maxProperties {
			return nil, fmt.Errorf("line %d: more than %d properties", i+1, maxProperties)
		}
		props[k] = v
	}
	return props, nil
}

var propertyName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// Show is timedated's view (`timedatectl show`).
type Show struct {
	Timezone string `json:"timezone"`
	// NTP says whether network time synchronisation is enabled (the
	// timesyncd unit, or another NTP unit timedated knows, is enabled and
	// started); NTPSynchronized is the kernel's view (adjtimex: not
	// STA_UNSYNC), as timedated reads it.
	NTP             *bool `json:"ntp"`
	NTPSynchronized *bool `json:"ntp_synchronized"`
	CanNTP          *bool `json:"can_ntp"`
	LocalRTC        *bool `json:"local_rtc"`
}

// ParseShow reads `timedatectl show`.
func ParseShow(out []byte) (Show, error) {
	props, err := ParseProperties(out)
	if err != nil {
		return Show{}, fmt.Errorf("timedatectl show: %w", err)
	}
	if _, ok := props["NTPSynchronized"]; !ok {
		return Show{}, fmt.Errorf("timedatectl show: no NTPSynchronized property")
	}
	s := Show{Timezone: props["Timezone"]}
	for _, b := range []struct {
		key string
		dst **bool
	}{{"NTP", &s.NTP}, {"NTPSynchronized", &s.NTPSynchronized}, {"CanNTP", &s.CanNTP}, {"LocalRTC", &s.LocalRTC}} {
		v, ok := props[b.key]
		if !ok {
			continue
		}
		val, err := parseBool(v)
		if err != nil {
			return Show{}, fmt.Errorf("timedatectl show: %s: %w", b.key, err)
		}
		*b.dst = &val
	}
	return s, nil
}

func parseBool(v string) (bool, error) {
	switch v {
	case "yes", "true", "1", "on":
		return true, nil
	case "no", "false", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", clip(v))
}

// Timesync is timesyncd's view: `timedatectl show-timesync --all`
// completed by the offset of `timedatectl timesync-status`.
type Timesync struct {
	ServerName    string   `json:"server_name"`
	ServerAddress string   `json:"server_address"`
	SystemServers []string `json:"system_servers"`
	LinkServers   []string `json:"link_servers"`
	// FallbackServers are used only when no other is configured.
	FallbackServers []string `json:"fallback_servers"`
	// NTPMessage holds the fields of the last reply (Leap, Stratum,
	// RootDelay, ...) as timedatectl prints them.
	NTPMessage map[string]string `json:"ntp_message"`
}

// ParseShowTimesync reads `timedatectl show-timesync --all`.
func ParseShowTimesync(out []byte) (Timesync, error) {
	props, err := ParseProperties(out)
	if err != nil {
		return Timesync{}, fmt.Errorf("timedatectl show-timesync: %w", err)
	}
	if len(props) == 0 {
		return Timesync{}, fmt.Errorf("timedatectl show-timesync: no properties")
	}
	ts := Timesync{
		ServerName:      props["ServerName"],
		ServerAddress:   props["ServerAddress"],
		SystemServers:   strings.Fields(props["SystemNTPServers"]),
		LinkServers:     strings.Fields(props["LinkNTPServers"]),
		FallbackServers: strings.Fields(props["FallbackNTPServers"]),
		NTPMessage:      map[string]string{},
	}
	if m, ok := props["NTPMessage"]; ok && m != "" {
		ts.NTPMessage, err = ParseNTPMessage(m)
		if err != nil {
			return Timesync{}, fmt.Errorf("timedatectl show-timesync: NTPMessage: %w", err)
		}
	}
	return ts, nil
}

var messageKey = regexp.MustCompile(`(?:^|[ ,])([A-Za-z]+)=`)

// ParseNTPMessage reads the "{ Leap=0, Version=4, ... }" structure.
// Values may hold spaces (timestamps), and systemd before 250 printed
// "Ignored=no PacketCount=1" without a comma, so a value ends where the
// next "Key=" begins.
func ParseNTPMessage(v string) (map[string]string, error) {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "{") || !strings.HasSuffix(v, "}") {
		return nil, fmt.Errorf("%q is not a { ... } structure", clip(v))
	}
	body := strings.TrimSpace(v[1 : len(v)-1])
	out := map[string]string{}
	locs := messageKey.FindAllStringSubmatchIndex(body, -1)
	if len(locs) == 0 && body != "" {
		return nil, fmt.Errorf("%q has no Key=Value fields", clip(v))
	}
	if len(locs) > 0 && strings.TrimSpace(body[:locs[0][0]]) != "" {
		return nil, fmt.Errorf("%q: text before the first field", clip(v))
	}
	for i, l := range locs {
		end := len(body)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		key := body[l[2]:l[3]]
		out[key] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(body[l[1]:end]), ","))
	}
	return out, nil
}

// Status is the part of `timedatectl timesync-status` ztscan judges.
type Status struct {
	Server string `json:"server"`
	Leap   string `json:"leap"`
	// Stratum is -1 when the report has none.
	Stratum int `json:"stratum"`
	// Offset is how far the local clock is ahead of the server at the
	// last reply (negative: behind); HasOffset says the report had one.
	Offset       time.Duration `json:"-"`
	HasOffset    bool          `json:"-"`
	RootDistance time.Duration `json:"-"`
	PacketCount  int           `json:"packet_count"`
}

// ParseTimesyncStatus reads the "Name: value" report of `timedatectl
// timesync-status`. timesyncd prints its offset as the difference
// "server time minus local time"; it is returned here with the opposite
// sign, the local clock's offset, the convention of ztscan.
func ParseTimesyncStatus(out []byte) (Status, error) {
	if len(out) > maxOutput {
		return Status{}, fmt.Errorf("timedatectl timesync-status: %d bytes of output is not a report", len(out))
	}
	st := Status{Stratum: -1}
	seen := false
	for i, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(strings.TrimRight(line, "\r"))
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return Status{}, fmt.Errorf("timedatectl timesync-status: line %d: not \"Name: value\": %q", i+1, clip(line))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		seen = true
		var err error
		switch k {
		case "Server":
			st.Server = v
		case "Leap":
			st.Leap = v
		case "Stratum":
			st.Stratum, err = strconv.Atoi(v)
			if err == nil && (st.Stratum < 0 || st.Stratum > 16) {
				err = fmt.Errorf("stratum %d out of range", st.Stratum)
			}
		case "Offset":
			st.Offset, err = ParseTimespan(v)
			st.Offset = -st.Offset
			st.HasOffset = err == nil
		case "Root distance":
			d, _, _ := strings.Cut(v, " (")
			st.RootDistance, err = ParseTimespan(d)
		case "Packet count":
			st.PacketCount, err = strconv.Atoi(v)
		}
		if err != nil {
			return Status{}, fmt.Errorf("timedatectl timesync-status: line %d: %s: %w", i+1, k, err)
		}
	}
	if !seen {
		return Status{}, fmt.Errorf("timedatectl timesync-status: empty report")
	}
	return st, nil
}

var timespanUnits = map[string]time.Duration{
	"ns": time.Nanosecond, "nsec": time.Nanosecond,
	"us": time.Microsecond, "usec": time.Microsecond, "µs": time.Microsecond,
	"ms": time.Millisecond, "msec": time.Millisecond,
	"s": time.Second, "sec": time.Second, "": time.Second,
	"min": time.Minute, "m": time.Minute,
	"h": time.Hour, "hr": time.Hour,
	"d": 24 * time.Hour,
	"w": 7 * 24 * time.Hour,
	// systemd's month and year: 30.44 and 365.25 days.
	"M": 2629800 * time.Second, "month": 2629800 * time.Second,
	"y": 31557600 * time.Second,
}

var timespanPart = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)([a-zµ]*|M)$`)

// ParseTimespan reads systemd's format_timespan output ("+4.077ms",
// "-1min 2.5s", "0", "34min 8s"); a leading sign applies to the whole.
func ParseTimespan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	parts := strings.Fields(s)
	if len(parts) == 0 || len(parts) > 16 {
		return 0, fmt.Errorf("%q is not a time span", clip(s))
	}
	var total float64
	for _, p := range parts {
		m := timespanPart.FindStringSubmatch(p)
		if m == nil {
			return 0, fmt.Errorf("%q is not a time span", clip(s))
		}
		unit, ok := timespanUnits[m[2]]
		if !ok {
			return 0, fmt.Errorf("%q: unknown unit %q", clip(s), m[2])
		}
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a time span", clip(s))
		}
		total += n * float64(unit)
	}
	if total > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is out of range", clip(s))
	}
	d := time.Duration(math.Round(total))
	if neg {
		d = -d
	}
	return d, nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
