package sff

import (
	"fmt"
	"sort"
)

// SFF-8636 offsets in the lower page (0-127).
const (
	q8636Status      = 2 // bit 2: flat memory (no pages 01h-03h)
	q8636LOS         = 3 // bits 0-3: RX LOS lanes 1-4
	q8636TxFault     = 4 // bits 0-3: TX fault lanes 1-4
	q8636TempFlags   = 6
	q8636VccFlags    = 7
	q8636RxFlags     = 9  // 9-10: two lanes per byte
	q8636BiasFlags   = 11 // 11-12
	q8636TxPwrFlags  = 13 // 13-14
	q8636Temp        = 22
	q8636Vcc         = 26
	q8636RxPower     = 34 // 4 x u16
	q8636TxBias      = 42
	q8636TxPower     = 50
	statusFlatMemory = 0x04
)

// Upper page 00h (128-255).
const (
	q8636Connector  = 130
	q8636Vendor     = 148
	q8636OUI        = 165
	q8636PartNumber = 168
	q8636Revision   = 184
	q8636Wavelength = 186
	q8636CCBase     = 191
	q8636Serial     = 196
	q8636DateCode   = 212
	q8636DiagType   = 220
	q8636CCExt      = 223
)

// Thresholds in page 03h, whose upper half sits at 512 in the 640-byte
// dump (pages 01h and 02h precede it).
const (
	q8636Page03     = 3*pageSize + pageSize
	q8636TempThresh = q8636Page03 + 0
	q8636VccThresh  = q8636Page03 + 16
	q8636RxThresh   = q8636Page03 + 48
	q8636BiasThresh = q8636Page03 + 56
	q8636TxThresh   = q8636Page03 + 64
)

// Bits 7-4 of a temperature/voltage flag byte, and of the first lane's
// nibble of a lane flag byte.
var flagQuad = [4]string{"high", "low", "high", "low"}

func decodeSFF8636(b []byte) (*Module, error) {
	if len(b) < LenSFF8636 {
		return nil, fmt.Errorf("SFF-8636: %d bytes, the lower page and page 00h are %d", len(b), LenSFF8636)
	}
	m := &Module{
		Standard:    "SFF-8636",
		Identifier:  identifierName(b[0]),
		Connector:   connectorName(b[q8636Connector]),
		Vendor:      text(b[q8636Vendor : q8636Vendor+16]),
		VendorOUI:   oui(b[q8636OUI:]),
		PartNumber:  text(b[q8636PartNumber : q8636PartNumber+16]),
		Revision:    text(b[q8636Revision : q8636Revision+2]),
		Serial:      text(b[q8636Serial : q8636Serial+16]),
		DateCode:    text(b[q8636DateCode : q8636DateCode+8]),
		ChecksumOK:  checksum(b[128:q8636CCBase]) == b[q8636CCBase] && checksum(b[192:q8636CCExt]) == b[q8636CCExt],
		Diagnostics: true, // temperature, voltage and RX power monitors are mandatory
		RxPowerType: "oma",
		Lanes:       []Lane{},
		Alarms:      []string{},
		Warnings:    []string{},
	}
	if b[q8636DiagType]&0x08 != 0 {
		m.RxPowerType = "average"
	}
	// Copper cables (transmitter technology 0xA0+ in byte 147) carry
	// attenuation in 186-187, not a wavelength.
	if b[147]>>4 < 0x0A {
		m.WavelengthNM = float64(u16(b, q8636Wavelength)) / 20
	}
	m.TemperatureC = ptr(tempC(s16(b, q8636Temp)))
	m.VoltageV = ptr(voltV(u16(b, q8636Vcc)))
	for i := 0; i < 4; i++ {
		tx, rx := powerMW(u16(b, q8636TxPower+2*i)), powerMW(u16(b, q8636RxPower+2*i))
		m.Lanes = append(m.Lanes, Lane{Lane: i + 1, TxBiasMA: biasMA(u16(b, q8636TxBias+2*i)), TxPowerMW: tx, RxPowerMW: rx, TxPowerDBm: dbmPtr(tx), RxPowerDBm: dbmPtr(rx)})
	}
	flat := b[q8636Status]&statusFlatMemory != 0
	if !flat && len(b) >= LenSFF8636Paged {
		limits := func(off int, conv func(uint16) float64) Limits {
			return Limits{HighAlarm: conv(u16(b, off)), LowAlarm: conv(u16(b, off+2)), HighWarning: conv(u16(b, off+4)), LowWarning: conv(u16(b, off+6))}
		}
		dbm := func(raw uint16) float64 { return thresholdDBm(powerMW(raw)) }
		m.Thresholds = &Thresholds{
			TemperatureC: limits(q8636TempThresh, func(r uint16) float64 { return tempC(int16(r)) }),
			VoltageV:     limits(q8636VccThresh, voltV),
			TxBiasMA:     limits(q8636BiasThresh, biasMA),
			TxPowerDBm:   limits(q8636TxThresh, dbm),
			RxPowerDBm:   limits(q8636RxThresh, dbm),
		}
	} else {
		m.DiagnosticsNote = "no thresholds: page 03h is absent (flat memory module) or was not returned"
	}
	for lane := 0; lane < 4; lane++ {
		if b[q8636LOS]&(1<<lane) != 0 {
			m.Alarms = append(m.Alarms, fmt.Sprintf("lane %d rx_los", lane+1))
		}
		if b[q8636TxFault]&(1<<lane) != 0 {
			m.Alarms = append(m.Alarms, fmt.Sprintf("lane %d tx_fault", lane+1))
		}
	}
	quad(b[q8636TempFlags]>>4, "temperature_", m)
	quad(b[q8636VccFlags]>>4, "voltage_", m)
	for lane := 0; lane < 4; lane++ {
		shift := 4 * (1 - lane%2) // lane 1 and 3 in the high nibble
		for _, f := range []struct {
			off  int
			name string
		}{{q8636RxFlags, "rx_power_"}, {q8636BiasFlags, "tx_bias_"}, {q8636TxPwrFlags, "tx_power_"}} {
			quad(b[f.off+lane/2]>>shift, fmt.Sprintf("lane %d %s", lane+1, f.name), m)
		}
	}
	sort.Strings(m.Alarms)
	sort.Strings(m.Warnings)
	return m, nil
}

// quad reads a nibble: bit 3 high alarm, 2 low alarm, 1 high warning,
// 0 low warning.
func quad(nibble byte, prefix string, m *Module) {
	for i, n := range flagQuad {
		if nibble&(0x08>>i) == 0 {
			continue
		}
		if i < 2 {
			m.Alarms = append(m.Alarms, prefix+n)
		} else {
			m.Warnings = append(m.Warnings, prefix+n)
		}
	}
}
