package collectors

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

var sensorFixtures = []string{"server-luks-lvm", "sensors-over-max", "sensors-over-crit"}

func collectSensors(t *testing.T, h hostfs.Host) (SensorsFacts, error) {
	t.Helper()
	v, err := NewSensors().Collect(context.Background(), h)
	if err != nil {
		return SensorsFacts{}, err
	}
	return v.(SensorsFacts), nil
}

func TestSensorsFixtures(t *testing.T) {
	for _, name := range sensorFixtures {
		f, err := collectSensors(t, hostfs.Fixture(hostfs.KindHost, fixtureRoot(name), nil))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkGolden(t, "sensors/"+name, f)
		if _, err := collectSensors(t, hostfs.Fixture(hostfs.KindRootfs, fixtureRoot(name), nil)); !IsUnavailable(err) {
			t.Errorf("%s rootfs: %v, want unavailable", name, err)
		}
	}
}

func TestSensorsFixtureExpectations(t *testing.T) {
	find := func(f SensorsFacts, dev, ch string) Temperature {
		for _, s := range f.Temperatures {
			if s.Device == dev && s.Channel == ch {
				return s
			}
		}
		t.Fatalf("no %s %s", dev, ch)
		return Temperature{}
	}
	f, err := collectSensors(t, hostfs.Fixture(hostfs.KindHost, fixtureRoot("sensors-over-crit"), nil))
	if err != nil {
		t.Fatal(err)
	}
	core := find(f, "hwmon1", "temp2")
	if core.Label != "Core 0" || *core.InputC != 101 || *core.CritC != 100 || *core.MaxC != 84 || core.Chip != "coretemp" || core.Ambient {
		t.Errorf("core 0 %+v", core)
	}
	inlet := find(f, "hwmon2", "temp2")
	if !inlet.Ambient || *inlet.InputC != 43.5 || inlet.MaxC != nil || inlet.CritC != nil {
		t.Errorf("inlet %+v", inlet)
	}
	for _, s := range f.Temperatures {
		if s.Device == "hwmon2" && s.Channel == "temp3" {
			t.Errorf("disabled channel (temp3_enable 0) listed: %+v", s)
		}
		if s.Device == "thermal_zone1" && (len(s.Trips) != 0 || s.MaxC != nil) {
			t.Errorf("unset passive trips (0 mC) kept: %+v", s)
		}
	}
	if z := f.Temperatures[len(f.Temperatures)-2]; z.Device != "thermal_zone0" || *z.CritC != 105 || len(z.Trips) != 1 {
		t.Errorf("acpitz zone %+v", z)
	}
}

func TestSensorsNone(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no sysfs":      {"etc/hostname": "vm\n"},
		"empty classes": {"sys/class/hwmon/.keep": "", "sys/class/thermal/cooling_device0/type": "Processor\n"},
	} {
		_, err := collectSensors(t, hostfs.Fixture(hostfs.KindHost, platTree(t, files), nil))
		if !IsUnavailable(err) || !strings.Contains(err.Error(), "no temperature sensors") {
			t.Errorf("%s: %v, want unavailable: no temperature sensors", name, err)
		}
	}
}

func TestSensorsBadInput(t *testing.T) {
	root := platTree(t, map[string]string{
		"sys/class/hwmon/hwmon0/name":          "bad\n",
		"sys/class/hwmon/hwmon0/temp1_input":   "hot\n",
		"sys/class/hwmon/hwmon0/temp2_input":   "99999999999\n",
		"sys/class/hwmon/hwmon0/temp4_input":   "-5000\n",
		"sys/class/hwmon/hwmon1":               "->../../../outside",
		"sys/class/thermal/thermal_zone0/type": "loop\n",
		"sys/class/thermal/thermal_zone0/temp": "->temp",
	})
	if err := syscall.Mkfifo(filepath.Join(root, "sys/class/hwmon/hwmon0/temp3_input"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "..", "outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := collectSensors(t, hostfs.Fixture(hostfs.KindHost, root, nil))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range f.Temperatures {
		got[s.Device+"/"+s.Channel] = s.Status
	}
	want := map[string]string{"hwmon0/temp1": "error", "hwmon0/temp2": "error", "hwmon0/temp3": "error", "hwmon0/temp4": "ok", "thermal_zone0/": "error", "hwmon1/": "error"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: status %q, want %q (all %v)", k, got[k], v, got)
		}
	}
	if f.Unreadable != 5 {
		t.Errorf("unreadable %d, want 5 (4 channels and the escaping hwmon1)", f.Unreadable)
	}
}

// TestSensorsLive reads this machine's sensors: a VM or container has
// none and must say so (unavailable), never fail or report an empty list.
func TestSensorsLive(t *testing.T) {
	f, err := collectSensors(t, hostfs.Live())
	switch {
	case IsUnavailable(err):
		t.Logf("no sensors here: %v", err)
	case err != nil:
		t.Fatal(err)
	case len(f.Temperatures) == 0:
		t.Fatal("ok with no sensors")
	default:
		t.Logf("%d sensors", len(f.Temperatures))
	}
}

func BenchmarkSensors(b *testing.B) {
	h := hostfs.Fixture(hostfs.KindHost, fixtureRoot("sensors-over-crit"), nil)
	for b.Loop() {
		if _, err := NewSensors().Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
