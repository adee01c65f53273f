package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// SensorsFacts are the temperature sensors of a running system: every
// hwmon temperature channel and every thermal zone.
//
// sysfs is read directly rather than through gopsutil's sensors: gopsutil
// opens /sys with the os package (its root is only an environment
// setting), so its reads would escape hostfs's containment, FIFO and size
// checks and could not be pointed at a fixture tree; and it drops what
// the rules need (thermal trip points, disabled channels, the chip).
type SensorsFacts struct {
	// Temperatures lists hwmon channels first (by device and channel),
	// then thermal zones.
	Temperatures []Temperature `json:"temperatures"`
	// Unreadable counts channels whose input could not be read (a sensor
	// the driver lists but that returns an I/O error).
	Unreadable int `json:"unreadable"`
}

// Temperature is one sensor. Degrees are Celsius; a limit the driver
// does not publish is null.
type Temperature struct {
	// Source is "hwmon" or "thermal".
	Source string `json:"source"`
	// Device is "hwmon1" or "thermal_zone0"; Chip the hwmon name
	// ("coretemp") or the zone type ("acpitz"); Channel "temp1".
	Device  string `json:"device"`
	Chip    string `json:"chip"`
	Channel string `json:"channel,omitempty"`
	Label   string `json:"label,omitempty"`
	// Path is the sysfs file of the reading.
	Path string `json:"path"`
	Part
	InputC *float64 `json:"input_c"`
	// MaxC is the warning threshold (hwmon temp*_max, a zone's lowest
	// "hot" trip), CritC the critical one (temp*_crit, the "critical"
	// trip).
	MaxC  *float64 `json:"max_c"`
	CritC *float64 `json:"crit_c"`
	// Alarm is the driver's own alarm flag (temp*_alarm, _max_alarm,
	// _crit_alarm) when it has one.
	Alarm *bool `json:"alarm,omitempty"`
	// Ambient is set for inlet/ambient sensors, recognised by label.
	Ambient bool   `json:"ambient"`
	Trips   []Trip `json:"trips,omitempty"`
}

// Trip is a thermal zone trip point.
type Trip struct {
	Index int     `json:"index"`
	Type  string  `json:"type"`
	TempC float64 `json:"temp_c"`
}

// ambientLabel recognises inlet and ambient sensors as BMCs and board
// drivers name them ("Inlet Temp", "Ambient", "AMB Temp", "Intake").
var ambientLabel = regexp.MustCompile(`(?i)(ambient|inlet|intake|\bamb\b)`)

var tempInput = regexp.MustCompile(`^temp([0-9]+)_input$`)

const maxSensors = 4096

// Sensors collects SensorsFacts.
type Sensors struct{}

// NewSensors returns the "sensors" collector.
func NewSensors() *Sensors { return &Sensors{} }

// Name is the facts key.
func (*Sensors) Name() string { return "sensors" }

// Collect reads /sys/class/hwmon and /sys/class/thermal. No sensor at all
// (a VM, a container) is unavailable with that reason, never an empty
// list a rule could pass.
func (*Sensors) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	if h.Kind() == hostfs.KindRootfs {
		return nil, Unavailable("offline root: temperature sensors are read from a running system")
	}
	out := SensorsFacts{Temperatures: []Temperature{}}
	hw, err := sysClassEntries(h, "/sys/class/hwmon", "hwmon")
	if err != nil {
		return nil, err
	}
	for _, dev := range hw {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out.Temperatures = append(out.Temperatures, hwmonTemperatures(h, dev)...)
	}
	zones, err := sysClassEntries(h, "/sys/class/thermal", "thermal_zone")
	if err != nil {
		return nil, err
	}
	for _, z := range zones {
		out.Temperatures = append(out.Temperatures, thermalZone(h, z))
	}
	if len(out.Temperatures) > maxSensors {
		return nil, fmt.Errorf("/sys/class/hwmon, /sys/class/thermal: %d sensors, more than %d", len(out.Temperatures), maxSensors)
	}
	for _, t := range out.Temperatures {
		if t.Status != "ok" {
			out.Unreadable++
		}
	}
	if len(out.Temperatures) == 0 {
		return nil, Unavailable("no temperature sensors: /sys/class/hwmon and /sys/class/thermal list none (usual in a VM or container, whose host watches the hardware)")
	}
	return out, nil
}

// sysClassEntries lists the entries of a sysfs class directory whose names
// start with prefix, in numeric order; a missing class is empty.
func sysClassEntries(h hostfs.Host, dir, prefix string) ([]string, error) {
	entries, err := h.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name, prefix) {
			out = append(out, e.Name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return naturalLess(out[i], out[j]) })
	return out, nil
}

func hwmonTemperatures(h hostfs.Host, dev string) []Temperature {
	dir := "/sys/class/hwmon/" + dev
	chip := attrString(h, dir+"/name")
	entries, err := h.ReadDir(dir)
	if err != nil {
		return []Temperature{{Source: "hwmon", Device: dev, Path: dir, Part: PartError(err)}}
	}
	// Before Linux 3.x some drivers put the attributes in device/.
	attrDir := dir
	if !hasTempInput(entries) {
		if sub, err := h.ReadDir(dir + "/device"); err == nil && hasTempInput(sub) {
			attrDir, entries = dir+"/device", sub
		}
	}
	var chans []int
	for _, e := range entries {
		if m := tempInput.FindStringSubmatch(e.Name); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				chans = append(chans, n)
			}
		}
	}
	sort.Ints(chans)
	var out []Temperature
	for _, n := range chans {
		base := fmt.Sprintf("%s/temp%d_", attrDir, n)
		if attrString(h, base+"enable") == "0" {
			continue // a channel the board leaves unconnected
		}
		t := Temperature{Source: "hwmon", Device: dev, Chip: chip, Channel: fmt.Sprintf("temp%d", n), Label: attrString(h, base+"label"), Path: base + "input"}
		if v, err := readMilliCelsius(h, base+"input"); err != nil {
			t.Part = PartError(err)
		} else {
			t.Part, t.InputC = PartOK(), &v
		}
		if v, err := readMilliCelsius(h, base+"max"); err == nil {
			t.MaxC = &v
		}
		if v, err := readMilliCelsius(h, base+"crit"); err == nil {
			t.CritC = &v
		}
		for _, a := range []string{"alarm", "max_alarm", "crit_alarm"} {
			if s := attrString(h, base+a); s == "0" || s == "1" {
				on := s == "1" || (t.Alarm != nil && *t.Alarm)
				t.Alarm = &on
			}
		}
		t.Ambient = ambientLabel.MatchString(t.Label)
		out = append(out, t)
	}
	return out
}

func hasTempInput(entries []hostfs.DirEntry) bool {
	for _, e := range entries {
		if tempInput.MatchString(e.Name) {
			return true
		}
	}
	return false
}

var tripTemp = regexp.MustCompile(`^trip_point_([0-9]+)_temp$`)

func thermalZone(h hostfs.Host, zone string) Temperature {
	dir := "/sys/class/thermal/" + zone
	t := Temperature{Source: "thermal", Device: zone, Chip: attrString(h, dir+"/type"), Path: dir + "/temp"}
	if v, err := readMilliCelsius(h, dir+"/temp"); err != nil {
		t.Part = PartError(err)
	} else {
		t.Part, t.InputC = PartOK(), &v
	}
	entries, _ := h.ReadDir(dir)
	for _, e := range entries {
		m := tripTemp.FindStringSubmatch(e.Name)
		if m == nil {
			continue
		}
		idx, _ := strconv.Atoi(m[1])
		v, err := readMilliCelsius(h, path.Join(dir, e.Name))
		typ := attrString(h, fmt.Sprintf("%s/trip_point_%d_type", dir, idx))
		// A trip at 0 (or below) is an unset passive trip, as x86_pkg_temp
		// lists them until thermald programs one.
		if err != nil || v <= 0 {
			continue
		}
		t.Trips = append(t.Trips, Trip{Index: idx, Type: typ, TempC: v})
		switch typ {
		case "critical":
			if t.CritC == nil || v < *t.CritC {
				t.CritC = sensorFloat(v)
			}
		case "hot":
			if t.MaxC == nil || v < *t.MaxC {
				t.MaxC = sensorFloat(v)
			}
		}
	}
	sort.Slice(t.Trips, func(i, j int) bool { return t.Trips[i].Index < t.Trips[j].Index })
	t.Ambient = ambientLabel.MatchString(t.Chip)
	return t
}

func sensorFloat(v float64) *float64 { return &v }

// attrString is a small sysfs attribute without its newline; "" when
// absent or unreadable (labels and names are optional).
func attrString(h hostfs.Host, p string) string {
	data, err := h.ReadFileLimit(p, 4096)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// readMilliCelsius reads a millidegree attribute as degrees Celsius.
func readMilliCelsius(h hostfs.Host, p string) (float64, error) {
	data, err := h.ReadFileLimit(p, 4096)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || n < -1_000_000 || n > 10_000_000 {
		return 0, fmt.Errorf("%s: %q is not a temperature in millidegrees", p, sensorClip(string(data)))
	}
	return math.Round(float64(n)) / 1000, nil
}

func sensorClip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
