package collectors

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/sff/sfftest"
)

// opticsFixtureModules are the modules of fixtures/hosts/optics-sfp-qsfp,
// built from the SFF layouts (see its README).
func opticsFixtureModules() map[string][]byte {
	sfp := sfftest.SFP{
		Identity:     sfftest.Identity{Vendor: "FINISAR CORP.", PartNumber: "FTLX1471D3BCL", Revision: "A", Serial: "UW30ABC", DateCode: "210304", OUI: [3]byte{0x00, 0x90, 0x65}, WavelengthNM: 1310, Connector: 0x07},
		TemperatureC: 41.5, VoltageV: 3.31,
		Lane:       sfftest.Lane{TxBiasMA: 36.5, TxPowerDBm: -2.4, RxPowerDBm: -17.3},
		Thresholds: sfftest.Typical,
		Alarms:     []string{"rx_power_low"}, Warnings: []string{"rx_power_low"},
	}
	qsfp := sfftest.QSFP{
		Identity:   sfftest.Identity{Vendor: "Mellanox", PartNumber: "MMA1B00-C100D", Revision: "B2", Serial: "MT2034FT01234", DateCode: "200820", OUI: [3]byte{0x00, 0x02, 0xc9}, WavelengthNM: 850, Connector: 0x0C},
		Identifier: 0x11, TemperatureC: 38.25, VoltageV: 3.29,
		Lanes:      [4]sfftest.Lane{{TxBiasMA: 7.1, TxPowerDBm: -0.5, RxPowerDBm: -1.2}, {TxBiasMA: 7.3, TxPowerDBm: -0.4, RxPowerDBm: -1.9}, {TxBiasMA: 7.0, TxPowerDBm: -0.6, RxPowerDBm: -2.4}, {TxBiasMA: 7.2, TxPowerDBm: -0.5, RxPowerDBm: -1.6}},
		Thresholds: sfftest.Thresholds{TemperatureC: sfftest.Limits{HighAlarm: 75, LowAlarm: -5, HighWarning: 70, LowWarning: 0}, VoltageV: sfftest.Limits{HighAlarm: 3.63, LowAlarm: 2.97, HighWarning: 3.46, LowWarning: 3.13}, TxBiasMA: sfftest.Limits{HighAlarm: 13, LowAlarm: 2, HighWarning: 12, LowWarning: 3}, TxPowerDBm: sfftest.Limits{HighAlarm: 5, LowAlarm: -8.4, HighWarning: 2, LowWarning: -6.4}, RxPowerDBm: sfftest.Limits{HighAlarm: 5.4, LowAlarm: -10.3, HighWarning: 2.4, LowWarning: -8.3}},
	}
	return map[string][]byte{"enp1s0f0": sfp.Bytes(), "enp65s0np0": qsfp.Bytes()}
}

// TestOpticsFixtureDumps keeps the fixture's dumps equal to what the
// builder makes (-update rewrites them).
func TestOpticsFixtureDumps(t *testing.T) {
	for name, want := range opticsFixtureModules() {
		p := filepath.Join(fixtureRoot("optics-sfp-qsfp"), "ethtool", name+".eeprom")
		if *update {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the builder's bytes (go test ./collectors/ -run TestOpticsFixtureDumps -update): %v", p, err)
		}
	}
}

// dumpReader serves the fixture's recorded EEPROMs; a missing dump is an
// empty cage (EIO, as ixgbe answers), an interface listed in noModule a
// driver without module access.
type dumpReader struct {
	dir      string
	noModule map[string]bool
	err      error
}

func (r dumpReader) ReadModuleEEPROM(ifname string) ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.noModule[ifname] {
		return nil, fmt.Errorf("ETHTOOL_GMODULEINFO: %w", unix.EOPNOTSUPP)
	}
	b, err := os.ReadFile(filepath.Join(r.dir, ifname+".eeprom"))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("ETHTOOL_GMODULEINFO: %w", unix.EIO)
	}
	return b, err
}

func collectOptics(t *testing.T, h hostfs.Host, r ModuleReader) (OpticsFacts, error) {
	t.Helper()
	v, err := (&Optics{reader: r}).Collect(context.Background(), h)
	if err != nil {
		return OpticsFacts{}, err
	}
	return v.(OpticsFacts), nil
}

func TestOpticsFixture(t *testing.T) {
	root := fixtureRoot("optics-sfp-qsfp")
	r := dumpReader{dir: filepath.Join(root, "ethtool")}
	f, err := collectOptics(t, hostfs.Fixture(hostfs.KindHost, root, nil), r)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "optics/optics-sfp-qsfp", f)
	if f.Modules != 2 || len(f.Interfaces) != 3 {
		t.Fatalf("modules %d, interfaces %+v", f.Modules, f.Interfaces)
	}
	sfp, empty, qsfp := f.Interfaces[0], f.Interfaces[1], f.Interfaces[2]
	if sfp.Name != "enp1s0f0" || sfp.Driver != "ixgbe" || sfp.Module == nil || sfp.Module.Standard != "SFF-8472" || math.Abs(*sfp.Module.Lanes[0].RxPowerDBm+17.3) > 0.02 {
		t.Errorf("SFP %+v", sfp)
	}
	if fmt.Sprint(sfp.Module.Alarms, sfp.Module.Warnings) != "[rx_power_low] [rx_power_low]" {
		t.Errorf("SFP flags %v %v", sfp.Module.Alarms, sfp.Module.Warnings)
	}
	if empty.Name != "enp1s0f1" || empty.Status != "unavailable" || empty.Module != nil {
		t.Errorf("empty cage %+v", empty)
	}
	if qsfp.Module == nil || qsfp.Module.Identifier != "QSFP28" || len(qsfp.Module.Lanes) != 4 || len(qsfp.Module.Alarms) != 0 || qsfp.EEPROMBytes != 640 {
		t.Errorf("QSFP %+v", qsfp)
	}
	if _, err := collectOptics(t, hostfs.Fixture(hostfs.KindRootfs, root, nil), r); !IsUnavailable(err) {
		t.Errorf("rootfs: %v, want unavailable", err)
	}
}

func TestOpticsReaderErrors(t *testing.T) {
	h := hostfs.Fixture(hostfs.KindHost, fixtureRoot("optics-sfp-qsfp"), nil)
	for _, tc := range []struct {
		err    error
		status string
	}{
		{unix.EOPNOTSUPP, "unavailable"},
		{unix.ENODEV, "unavailable"},
		{unix.EPERM, "error"},
		{unix.EFAULT, "error"},
	} {
		f, err := collectOptics(t, h, dumpReader{err: fmt.Errorf("ioctl: %w", tc.err)})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range f.Interfaces {
			if i.Status != tc.status {
				t.Errorf("%v: %s status %s, want %s", tc.err, i.Name, i.Status, tc.status)
			}
		}
	}
	// Garbage bytes are an error naming the interface; a CMIS module is
	// a known kind this version does not decode.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "enp1s0f0.eeprom"), []byte{0x03, 1, 2}, 0o644)
	os.WriteFile(filepath.Join(dir, "enp65s0np0.eeprom"), append([]byte{0x18}, make([]byte, 255)...), 0o644)
	f, err := collectOptics(t, h, dumpReader{dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if i := f.Interfaces[0]; i.Status != "error" || i.Reason == "" {
		t.Errorf("garbage: %+v", i)
	}
	if i := f.Interfaces[2]; i.Status != "unavailable" {
		t.Errorf("CMIS: %+v", i)
	}
}

// TestOpticsLive reads this machine's interfaces through the real ioctl:
// virtual NICs have no module EEPROM, which is "unavailable", not an
// error.
func TestOpticsLive(t *testing.T) {
	f, err := NewOptics().Collect(context.Background(), hostfs.Live())
	if err != nil {
		if IsUnavailable(err) {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	for _, i := range f.(OpticsFacts).Interfaces {
		t.Logf("%s (%s): %s %s", i.Name, i.Driver, i.Status, i.Reason)
		if i.Status == "error" && os.Geteuid() == 0 {
			t.Errorf("%s: %s", i.Name, i.Reason)
		}
	}
}

func BenchmarkOptics(b *testing.B) {
	root := fixtureRoot("optics-sfp-qsfp")
	h := hostfs.Fixture(hostfs.KindHost, root, nil)
	c := &Optics{reader: dumpReader{dir: filepath.Join(root, "ethtool")}}
	for b.Loop() {
		if _, err := c.Collect(context.Background(), h); err != nil {
			b.Fatal(err)
		}
	}
}
