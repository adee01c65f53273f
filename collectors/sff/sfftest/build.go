// Package sfftest builds module EEPROM dumps from the SFF-8472 and
// SFF-8636 layouts, for tests and fixtures that need a transceiver
// without the hardware. The bytes are what ETHTOOL_GMODULEEEPROM (and
// `ethtool -m IFACE raw on`) returns for such a module.
package sfftest

import (
	"encoding/binary"
	"math"
)

// Limits are alarm and warning thresholds in the units of the quantity
// (°C, V, mA, dBm).
type Limits struct{ HighAlarm, LowAlarm, HighWarning, LowWarning float64 }

// Thresholds of a module.
type Thresholds struct {
	TemperatureC, VoltageV, TxBiasMA, TxPowerDBm, RxPowerDBm Limits
}

// Typical are the limits of a 10GBASE-LR SFP+.
var Typical = Thresholds{
	TemperatureC: Limits{HighAlarm: 78, LowAlarm: -13, HighWarning: 73, LowWarning: -8},
	VoltageV:     Limits{HighAlarm: 3.7, LowAlarm: 2.9, HighWarning: 3.6, LowWarning: 3.0},
	TxBiasMA:     Limits{HighAlarm: 90, LowAlarm: 10, HighWarning: 85, LowWarning: 15},
	TxPowerDBm:   Limits{HighAlarm: 3, LowAlarm: -11, HighWarning: 0, LowWarning: -8},
	RxPowerDBm:   Limits{HighAlarm: 2, LowAlarm: -18, HighWarning: -1, LowWarning: -14},
}

// Lane is one channel's readings; powers in dBm (math.Inf(-1): no light).
type Lane struct{ TxBiasMA, TxPowerDBm, RxPowerDBm float64 }

// Identity is the A0h / page 00h identity of a module.
type Identity struct {
	Vendor, PartNumber, Revision, Serial, DateCode string
	OUI                                            [3]byte
	WavelengthNM                                   float64
	Connector                                      byte
}

// SFP describes an SFF-8472 module.
type SFP struct {
	Identity
	TemperatureC, VoltageV float64
	Lane                   Lane
	Thresholds             Thresholds
	// Alarms and Warnings are flag names as package sff reports them
	// ("rx_power_low", "temperature_high"); RxLOS sets the status bit.
	Alarms, Warnings []string
	RxLOS            bool
	// NoDiagnostics clears the DDM bit; ShortDump returns only A0h.
	NoDiagnostics, ShortDump bool
	// CorruptChecksum breaks CC_BASE.
	CorruptChecksum bool
}

var sfpFlagBits = map[string][2]int{ // name -> byte (0: 112/116, 1: 113/117), bit
	"temperature_high": {0, 7}, "temperature_low": {0, 6}, "voltage_high": {0, 5}, "voltage_low": {0, 4},
	"tx_bias_high": {0, 3}, "tx_bias_low": {0, 2}, "tx_power_high": {0, 1}, "tx_power_low": {0, 0},
	"rx_power_high": {1, 7}, "rx_power_low": {1, 6},
}

// Bytes is the 512-byte dump (256 with ShortDump).
func (s SFP) Bytes() []byte {
	b := make([]byte, 512)
	b[0] = 0x03
	b[1] = 0x04
	b[2] = s.Connector
	putIdentity(b, s.Identity, 20, 37, 40, 56, 4, 68, 84)
	binary.BigEndian.PutUint16(b[60:], uint16(s.WavelengthNM))
	if !s.NoDiagnostics {
		b[92] = 0x40 | 0x20 | 0x08 // DDM, internally calibrated, average RX power
	}
	b[93] = 0x80 // alarm/warning flags implemented
	b[94] = 0x08 // SFF-8472 rev 12.3
	b[63] = sum(b[0:63])
	if s.CorruptChecksum {
		b[63]++
	}
	b[95] = sum(b[64:95])
	a2 := b[256:]
	putLimits(a2, 0, s.Thresholds.TemperatureC, rawTemp)
	putLimits(a2, 8, s.Thresholds.VoltageV, rawVolt)
	putLimits(a2, 16, s.Thresholds.TxBiasMA, rawBias)
	putLimits(a2, 24, s.Thresholds.TxPowerDBm, rawDBm)
	putLimits(a2, 32, s.Thresholds.RxPowerDBm, rawDBm)
	a2[95] = sum(a2[0:95])
	binary.BigEndian.PutUint16(a2[96:], rawTemp(s.TemperatureC))
	binary.BigEndian.PutUint16(a2[98:], rawVolt(s.VoltageV))
	binary.BigEndian.PutUint16(a2[100:], rawBias(s.Lane.TxBiasMA))
	binary.BigEndian.PutUint16(a2[102:], rawDBm(s.Lane.TxPowerDBm))
	binary.BigEndian.PutUint16(a2[104:], rawDBm(s.Lane.RxPowerDBm))
	if s.RxLOS {
		a2[110] |= 0x02
	}
	for _, n := range s.Alarms {
		if f, ok := sfpFlagBits[n]; ok {
			a2[112+f[0]] |= 1 << f[1]
		}
	}
	for _, n := range s.Warnings {
		if f, ok := sfpFlagBits[n]; ok {
			a2[116+f[0]] |= 1 << f[1]
		}
	}
	if s.ShortDump {
		return b[:256]
	}
	return b
}

// QSFP describes an SFF-8636 module with four lanes.
type QSFP struct {
	Identity
	Identifier             byte // 0x0D QSFP+ (default) or 0x11 QSFP28
	TemperatureC, VoltageV float64
	Lanes                  [4]Lane
	Thresholds             Thresholds
	// RxLOS marks lanes (1-4) with loss of signal; LaneAlarms and
	// LaneWarnings set per-lane flags by name ("rx_power_low").
	RxLOS        []int
	LaneAlarms   map[int][]string
	LaneWarnings map[int][]string
	// Flat makes a flat-memory module (no page 03h, 256 bytes).
	Flat bool
}

// Bytes is the 640-byte dump (256 for a flat-memory module).
func (q QSFP) Bytes() []byte {
	b := make([]byte, 640)
	id := q.Identifier
	if id == 0 {
		id = 0x0D
	}
	b[0], b[128] = id, id
	b[1] = 0x07 // SFF-8636 rev 2.7
	if q.Flat {
		b[2] |= 0x04
	}
	b[130] = q.Connector
	b[147] = 0x00 // 850 nm VCSEL
	putIdentity(b, q.Identity, 148, 165, 168, 184, 2, 196, 212)
	binary.BigEndian.PutUint16(b[186:], uint16(q.WavelengthNM*20))
	b[220] = 0x08 | 0x04 // average RX power, TX power supported
	b[191] = sum(b[128:191])
	b[223] = sum(b[192:223])
	binary.BigEndian.PutUint16(b[22:], rawTemp(q.TemperatureC))
	binary.BigEndian.PutUint16(b[26:], rawVolt(q.VoltageV))
	for i, l := range q.Lanes {
		binary.BigEndian.PutUint16(b[34+2*i:], rawDBm(l.RxPowerDBm))
		binary.BigEndian.PutUint16(b[42+2*i:], rawBias(l.TxBiasMA))
		binary.BigEndian.PutUint16(b[50+2*i:], rawDBm(l.TxPowerDBm))
	}
	for _, lane := range q.RxLOS {
		b[3] |= 1 << (lane - 1)
	}
	laneFlag := map[string]int{"rx_power_": 9, "tx_bias_": 11, "tx_power_": 13}
	set := func(flags map[int][]string, alarm bool) {
		for lane, names := range flags {
			for _, n := range names {
				for prefix, off := range laneFlag {
					if len(n) <= len(prefix) || n[:len(prefix)] != prefix {
						continue
					}
					bit := 3 // high alarm
					switch {
					case n[len(prefix):] == "low" && alarm:
						bit = 2
					case n[len(prefix):] == "high" && !alarm:
						bit = 1
					case n[len(prefix):] == "low":
						bit = 0
					}
					if lane%2 == 1 { // lanes 1 and 3: high nibble
						bit += 4
					}
					b[off+(lane-1)/2] |= 1 << bit
				}
			}
		}
	}
	set(q.LaneAlarms, true)
	set(q.LaneWarnings, false)
	p3 := 512
	putLimits(b, p3, q.Thresholds.TemperatureC, rawTemp)
	putLimits(b, p3+16, q.Thresholds.VoltageV, rawVolt)
	putLimits(b, p3+48, q.Thresholds.RxPowerDBm, rawDBm)
	putLimits(b, p3+56, q.Thresholds.TxBiasMA, rawBias)
	putLimits(b, p3+64, q.Thresholds.TxPowerDBm, rawDBm)
	if q.Flat {
		return b[:256]
	}
	return b
}

func putIdentity(b []byte, id Identity, vendor, oui, pn, rev, revLen, serial, date int) {
	pad(b[vendor:vendor+16], id.Vendor)
	copy(b[oui:oui+3], id.OUI[:])
	pad(b[pn:pn+16], id.PartNumber)
	pad(b[rev:rev+revLen], id.Revision)
	pad(b[serial:serial+16], id.Serial)
	pad(b[date:date+8], id.DateCode)
}

func pad(dst []byte, s string) {
	for i := range dst {
		dst[i] = ' '
	}
	copy(dst, s)
}

func putLimits(b []byte, off int, l Limits, raw func(float64) uint16) {
	for i, v := range []float64{l.HighAlarm, l.LowAlarm, l.HighWarning, l.LowWarning} {
		binary.BigEndian.PutUint16(b[off+2*i:], raw(v))
	}
}

func rawTemp(c float64) uint16  { return uint16(int16(math.Round(c * 256))) }
func rawVolt(v float64) uint16  { return clamp(v * 10000) }
func rawBias(ma float64) uint16 { return clamp(ma / 0.002) }

// rawDBm encodes a power in dBm as 0.1 µW units.
func rawDBm(dbm float64) uint16 {
	if math.IsInf(dbm, -1) {
		return 0
	}
	return clamp(math.Pow(10, dbm/10) * 10000)
}

func clamp(v float64) uint16 {
	if v < 0 {
		return 0
	}
	if v > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(math.Round(v))
}

func sum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return s
}
