package sff_test

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/sff"
	"github.com/ztscan/ztscan/collectors/sff/sfftest"
)

var lr = sfftest.Identity{Vendor: "FINISAR CORP.", PartNumber: "FTLX1471D3BCL", Revision: "A", Serial: "UW30ABC", DateCode: "210304", OUI: [3]byte{0x00, 0x90, 0x65}, WavelengthNM: 1310, Connector: 0x07}

func dbm(v float64) *float64 { return &v }

func TestDecodeSFP(t *testing.T) {
	b := sfftest.SFP{
		Identity: lr, TemperatureC: 41.5, VoltageV: 3.3,
		Lane:       sfftest.Lane{TxBiasMA: 36.5, TxPowerDBm: -2.5, RxPowerDBm: -17.3},
		Thresholds: sfftest.Typical, Alarms: []string{"rx_power_low"}, Warnings: []string{"rx_power_low", "temperature_high"},
	}.Bytes()
	m, err := sff.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Standard != "SFF-8472" || m.Identifier != "SFP/SFP+/SFP28" || m.Connector != "LC" || m.Vendor != "FINISAR CORP." || m.PartNumber != "FTLX1471D3BCL" ||
		m.VendorOUI != "00:90:65" || m.WavelengthNM != 1310 || !m.ChecksumOK || !m.Diagnostics || m.Calibration != "internal" || m.RxPowerType != "average" {
		t.Errorf("identity: %+v", m)
	}
	if *m.TemperatureC != 41.5 || *m.VoltageV != 3.3 {
		t.Errorf("temperature %v voltage %v", *m.TemperatureC, *m.VoltageV)
	}
	if len(m.Lanes) != 1 || m.Lanes[0].TxBiasMA != 36.5 || math.Abs(*m.Lanes[0].RxPowerDBm+17.3) > 0.02 || math.Abs(*m.Lanes[0].TxPowerDBm+2.5) > 0.02 {
		t.Errorf("lane: %+v rx %v tx %v", m.Lanes, *m.Lanes[0].RxPowerDBm, *m.Lanes[0].TxPowerDBm)
	}
	if diff := cmp.Diff([]string{"rx_power_low"}, m.Alarms); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"rx_power_low", "temperature_high"}, m.Warnings); diff != "" {
		t.Error(diff)
	}
	th := m.Thresholds
	if th == nil || th.TemperatureC.HighAlarm != 78 || th.TemperatureC.LowAlarm != -13 || th.VoltageV.HighWarning != 3.6 || th.TxBiasMA.LowWarning != 15 ||
		math.Abs(th.RxPowerDBm.LowAlarm+18) > 0.02 || math.Abs(th.TxPowerDBm.HighAlarm-3) > 0.01 {
		t.Errorf("thresholds: %+v", th)
	}
}

func TestDecodeSFPStates(t *testing.T) {
	noDDM, err := sff.Decode(sfftest.SFP{Identity: lr, NoDiagnostics: true}.Bytes())
	if err != nil || noDDM.Diagnostics || noDDM.TemperatureC != nil || noDDM.DiagnosticsNote == "" || len(noDDM.Lanes) != 0 {
		t.Errorf("no DDM: %+v %v", noDDM, err)
	}
	short, err := sff.Decode(sfftest.SFP{Identity: lr, ShortDump: true}.Bytes())
	if err != nil || short.Diagnostics || short.DiagnosticsNote != "the driver returned 256 bytes, without the A2h diagnostics page" {
		t.Errorf("short: %+v %v", short, err)
	}
	bad, err := sff.Decode(sfftest.SFP{Identity: lr, CorruptChecksum: true}.Bytes())
	if err != nil || bad.ChecksumOK {
		t.Errorf("corrupt checksum accepted: %+v %v", bad, err)
	}
	dark, err := sff.Decode(sfftest.SFP{Identity: lr, VoltageV: 3.3, Lane: sfftest.Lane{TxPowerDBm: math.Inf(-1), RxPowerDBm: math.Inf(-1)}, RxLOS: true}.Bytes())
	if err != nil || dark.Lanes[0].RxPowerMW != 0 || dark.Lanes[0].RxPowerDBm != nil || !cmp.Equal(dark.Alarms, []string{"rx_los"}) {
		t.Errorf("dark: %+v %v", dark, err)
	}
}

// TestDecodeSFPExternalCalibration: slopes, offsets and the RX power
// polynomial of SFF-8472 9.3, with values worked by hand.
func TestDecodeSFPExternalCalibration(t *testing.T) {
	b := sfftest.SFP{Identity: lr}.Bytes()
	b[92] = 0x40 | 0x10 // DDM, externally calibrated, OMA
	a2 := b[256:]
	put := func(off int, v uint16) { binary.BigEndian.PutUint16(a2[off:], v) }
	putF := func(off int, v float32) { binary.BigEndian.PutUint32(a2[off:], math.Float32bits(v)) }
	putF(56, 0)    // Rx_PWR(4)
	putF(60, 0)    // Rx_PWR(3)
	putF(64, 0)    // Rx_PWR(2)
	putF(68, 2)    // Rx_PWR(1)
	putF(72, 10)   // Rx_PWR(0)
	put(76, 0x200) // Tx_I slope 2.0
	put(78, 0)
	put(80, 0x100) // Tx_PWR slope 1.0
	put(82, 0xFFF6)
	put(84, 0x100) // T slope 1.0, offset -256 (-1 °C)
	put(86, 0xFF00)
	put(88, 0x080) // V slope 0.5
	put(90, 0)
	put(96, 25*256)  // 25 °C raw -> 24 °C
	put(98, 66000/2) // 33000 -> 16500 -> 1.65 V
	put(100, 10000)  // x2 -> 20000 -> 40 mA
	put(102, 10010)  // -10 -> 10000 -> 1 mW
	put(104, 4995)   // 2*4995+10 = 10000 -> 1 mW
	m, err := sff.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{*m.TemperatureC, *m.VoltageV, m.Lanes[0].TxBiasMA, m.Lanes[0].TxPowerMW, m.Lanes[0].RxPowerMW, *m.Lanes[0].RxPowerDBm}
	want := []float64{24, 1.65, 40, 1, 1, 0}
	if m.Calibration != "external" || m.RxPowerType != "oma" || !cmp.Equal(got, want) {
		t.Errorf("calibrated %v (%s, %s), want %v", got, m.Calibration, m.RxPowerType, want)
	}
}

func TestDecodeQSFP(t *testing.T) {
	q := sfftest.QSFP{
		Identity:   sfftest.Identity{Vendor: "Mellanox", PartNumber: "MMA1B00-C100D", Revision: "B2", Serial: "MT2034", DateCode: "200820", OUI: [3]byte{0x00, 0x02, 0xc9}, WavelengthNM: 850, Connector: 0x0C},
		Identifier: 0x11, TemperatureC: 38.25, VoltageV: 3.29,
		Lanes:      [4]sfftest.Lane{{TxBiasMA: 7, TxPowerDBm: 0.5, RxPowerDBm: -1}, {TxBiasMA: 7.2, TxPowerDBm: 0.4, RxPowerDBm: -2}, {TxBiasMA: 7.1, TxPowerDBm: 0.6, RxPowerDBm: -16.5}, {TxBiasMA: 7, TxPowerDBm: 0.5, RxPowerDBm: math.Inf(-1)}},
		Thresholds: sfftest.Typical, RxLOS: []int{4},
		LaneAlarms: map[int][]string{3: {"rx_power_low"}, 4: {"rx_power_low"}}, LaneWarnings: map[int][]string{3: {"rx_power_low"}, 2: {"tx_bias_high"}},
	}
	m, err := sff.Decode(q.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if m.Standard != "SFF-8636" || m.Identifier != "QSFP28" || m.Connector != "MPO 1x12" || m.Vendor != "Mellanox" || m.Revision != "B2" || m.WavelengthNM != 850 || !m.ChecksumOK || m.Thresholds == nil {
		t.Errorf("identity: %+v", m)
	}
	var rx []*float64
	for _, l := range m.Lanes {
		rx = append(rx, l.RxPowerDBm)
	}
	if len(m.Lanes) != 4 || math.Abs(*rx[0]+1) > 0.02 || math.Abs(*rx[2]+16.5) > 0.02 || rx[3] != nil || m.Lanes[1].TxBiasMA != 7.2 {
		t.Errorf("lanes: %+v", m.Lanes)
	}
	if diff := cmp.Diff([]string{"lane 3 rx_power_low", "lane 4 rx_los", "lane 4 rx_power_low"}, m.Alarms); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"lane 2 tx_bias_high", "lane 3 rx_power_low"}, m.Warnings); diff != "" {
		t.Error(diff)
	}
	if math.Abs(m.Thresholds.RxPowerDBm.LowAlarm+18) > 0.02 || m.Thresholds.TemperatureC.HighWarning != 73 {
		t.Errorf("thresholds %+v", m.Thresholds)
	}
	q.Flat = true
	flat, err := sff.Decode(q.Bytes())
	if err != nil || flat.Thresholds != nil || flat.DiagnosticsNote == "" || len(flat.Lanes) != 4 {
		t.Errorf("flat: %+v %v", flat, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string][]byte{
		"empty":      nil,
		"huge":       make([]byte, 5000),
		"short sfp":  {0x03, 0, 0},
		"short qsfp": append([]byte{0x0D}, make([]byte, 100)...),
	}
	for name, b := range cases {
		if _, err := sff.Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	cmis := make([]byte, 256)
	cmis[0] = 0x18
	if _, err := sff.Decode(cmis); !errors.Is(err, sff.ErrUnsupported) {
		t.Errorf("QSFP-DD: %v, want ErrUnsupported", err)
	}
}

// FuzzDecode: any bytes decode or fail; decoded numbers are finite and
// texts printable.
func FuzzDecode(f *testing.F) {
	f.Add(sfftest.SFP{Identity: lr, Thresholds: sfftest.Typical, Alarms: []string{"rx_power_low"}}.Bytes())
	f.Add(sfftest.SFP{Identity: lr, ShortDump: true}.Bytes())
	f.Add(sfftest.QSFP{Identity: lr, Thresholds: sfftest.Typical}.Bytes())
	f.Add(sfftest.QSFP{Identity: lr, Flat: true}.Bytes())
	ext := sfftest.SFP{Identity: lr}.Bytes()
	ext[92] = 0x50
	f.Add(ext)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := sff.Decode(b)
		if err != nil {
			return
		}
		check := func(v float64) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite value in %+v", m)
			}
		}
		for _, l := range m.Lanes {
			check(l.RxPowerMW)
			check(l.TxPowerMW)
			check(l.TxBiasMA)
			if l.RxPowerDBm != nil {
				check(*l.RxPowerDBm)
			}
		}
		if m.TemperatureC != nil {
			check(*m.TemperatureC)
		}
		for _, s := range []string{m.Vendor, m.PartNumber, m.Serial, m.Revision, m.DateCode} {
			for _, c := range s {
				if c < 0x20 || c > 0x7e {
					t.Fatalf("unprintable %q", s)
				}
			}
		}
	})
}
