package sff

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
)

// SFF-8472 offsets: A0h page (identity).
const (
	a0Connector   = 2
	a0Transceiver = 8 // byte 8 bits 2-3: passive/active copper cable
	a0Vendor      = 20
	a0OUI         = 37
	a0PartNumber  = 40
	a0Revision    = 56
	a0Wavelength  = 60
	a0CCBase      = 63
	a0Serial      = 68
	a0DateCode    = 84
	a0DiagType    = 92
	a0EnhOptions  = 93
	a0CCExt       = 95
)

// Byte 92 (diagnostic monitoring type) and 93 (enhanced options) bits.
const (
	diagImplemented    = 0x40
	diagInternalCal    = 0x20
	diagExternalCal    = 0x10
	diagRxPowerAverage = 0x08
	enhAlarmFlags      = 0x80
)

// SFF-8472 offsets within the A2h page (at 256 in the dump).
const (
	a2Thresholds = 0  // 5 quantities x (high alarm, low alarm, high warning, low warning)
	a2RxPwrCal   = 56 // Rx_PWR(4) .. Rx_PWR(0), IEEE 754 single, big-endian
	a2TxISlope   = 76
	a2TxPwrSlope = 80
	a2TSlope     = 84
	a2VSlope     = 88
	a2Temp       = 96
	a2Vcc        = 98
	a2TxBias     = 100
	a2TxPower    = 102
	a2RxPower    = 104
	a2Status     = 110
	a2Alarms     = 112
	a2Warnings   = 116
)

// The flag names of bytes 112/116 (then 113/117), bit 7 first.
var (
	flags8472a = [8]string{"temperature_high", "temperature_low", "voltage_high", "voltage_low", "tx_bias_high", "tx_bias_low", "tx_power_high", "tx_power_low"}
	flags8472b = [8]string{"rx_power_high", "rx_power_low"}
)

func decodeSFF8472(b []byte) (*Module, error) {
	if len(b) < LenSFF8079 {
		return nil, fmt.Errorf("SFF-8472: %d bytes, the A0h page alone is %d", len(b), LenSFF8079)
	}
	m := &Module{
		Standard:    "SFF-8472",
		Identifier:  identifierName(b[0]),
		Connector:   connectorName(b[a0Connector]),
		Vendor:      text(b[a0Vendor : a0Vendor+16]),
		VendorOUI:   oui(b[a0OUI:]),
		PartNumber:  text(b[a0PartNumber : a0PartNumber+16]),
		Revision:    text(b[a0Revision : a0Revision+4]),
		Serial:      text(b[a0Serial : a0Serial+16]),
		DateCode:    text(b[a0DateCode : a0DateCode+8]),
		ChecksumOK:  checksum(b[0:a0CCBase]) == b[a0CCBase] && checksum(b[64:a0CCExt]) == b[a0CCExt],
		Lanes:       []Lane{},
		Alarms:      []string{},
		Warnings:    []string{},
		RxPowerType: "oma",
	}
	if b[a0Transceiver]&0x0C == 0 {
		m.WavelengthNM = float64(u16(b, a0Wavelength))
	}
	diag := b[a0DiagType]
	if diag&diagRxPowerAverage != 0 {
		m.RxPowerType = "average"
	}
	switch {
	case diag&diagImplemented == 0:
		m.DiagnosticsNote = "the module does not implement digital diagnostic monitoring (A0h byte 92 bit 6 clear)"
		m.RxPowerType = ""
		return m, nil
	case len(b) < LenSFF8472:
		m.DiagnosticsNote = fmt.Sprintf("the driver returned %d bytes, without the A2h diagnostics page", len(b))
		return m, nil
	}
	a2 := b[LenSFF8079:LenSFF8472]
	m.Diagnostics = true
	cal := internalCalibration
	m.Calibration = "internal"
	if diag&diagExternalCal != 0 && diag&diagInternalCal == 0 {
		cal = externalCalibration(a2)
		m.Calibration = "external"
	}
	m.TemperatureC = ptr(cal.temp(u16(a2, a2Temp)))
	m.VoltageV = ptr(cal.volt(u16(a2, a2Vcc)))
	tx := cal.txPower(u16(a2, a2TxPower))
	rx := cal.rxPower(u16(a2, a2RxPower))
	m.Lanes = append(m.Lanes, Lane{Lane: 1, TxBiasMA: cal.bias(u16(a2, a2TxBias)), TxPowerMW: tx, RxPowerMW: rx, TxPowerDBm: dbmPtr(tx), RxPowerDBm: dbmPtr(rx)})
	limits := func(off int, conv func(uint16) float64) Limits {
		return Limits{HighAlarm: conv(u16(a2, off)), LowAlarm: conv(u16(a2, off+2)), HighWarning: conv(u16(a2, off+4)), LowWarning: conv(u16(a2, off+6))}
	}
	dbm := func(f func(uint16) float64) func(uint16) float64 {
		return func(raw uint16) float64 { return thresholdDBm(f(raw)) }
	}
	m.Thresholds = &Thresholds{
		TemperatureC: limits(a2Thresholds, cal.temp),
		VoltageV:     limits(a2Thresholds+8, cal.volt),
		TxBiasMA:     limits(a2Thresholds+16, cal.bias),
		TxPowerDBm:   limits(a2Thresholds+24, dbm(cal.txPower)),
		RxPowerDBm:   limits(a2Thresholds+32, dbm(cal.rxPower)),
	}
	// Byte 110 reflects the RX_LOS and TX_FAULT pins whether or not the
	// module implements the alarm flags.
	if a2[a2Status]&0x02 != 0 {
		m.Alarms = append(m.Alarms, "rx_los")
	}
	if a2[a2Status]&0x04 != 0 {
		m.Alarms = append(m.Alarms, "tx_fault")
	}
	if b[a0EnhOptions]&enhAlarmFlags != 0 {
		flags(a2[a2Alarms], flags8472a, "", &m.Alarms)
		flags(a2[a2Alarms+1], flags8472b, "", &m.Alarms)
		flags(a2[a2Warnings], flags8472a, "", &m.Warnings)
		flags(a2[a2Warnings+1], flags8472b, "", &m.Warnings)
	}
	sort.Strings(m.Alarms)
	sort.Strings(m.Warnings)
	return m, nil
}

// calibration turns raw A/D words into units (SFF-8472 9.3).
type calibration struct {
	temp, volt, bias, txPower, rxPower func(uint16) float64
}

var internalCalibration = calibration{
	temp:    func(r uint16) float64 { return tempC(int16(r)) },
	volt:    voltV,
	bias:    biasMA,
	txPower: powerMW,
	rxPower: powerMW,
}

// externalCalibration applies the module's slopes (unsigned 8.8 fixed
// point) and offsets (signed) and the RX power polynomial, to measured
// values and thresholds alike.
func externalCalibration(a2 []byte) calibration {
	linear := func(off int) func(float64) float64 {
		slope := float64(u16(a2, off)) / 256
		offset := float64(s16(a2, off+2))
		return func(x float64) float64 { return slope*x + offset }
	}
	t, v, i, p := linear(a2TSlope), linear(a2VSlope), linear(a2TxISlope), linear(a2TxPwrSlope)
	var rxCoef [5]float64 // Rx_PWR(4) first
	for k := range rxCoef {
		c := float64(math.Float32frombits(binary.BigEndian.Uint32(a2[a2RxPwrCal+4*k:])))
		if math.IsNaN(c) || math.IsInf(c, 0) {
			c = 0
		}
		rxCoef[k] = c
	}
	return calibration{
		// Temperature is a signed quantity even after calibration.
		temp: func(r uint16) float64 {
			c := math.Max(math.MinInt16, math.Min(math.MaxInt16, t(float64(int16(r)))))
			return round(c/256, 3)
		},
		volt:    func(r uint16) float64 { return voltV(clampU16(v(float64(r)))) },
		bias:    func(r uint16) float64 { return biasMA(clampU16(i(float64(r)))) },
		txPower: func(r uint16) float64 { return powerMW(clampU16(p(float64(r)))) },
		rxPower: func(r uint16) float64 {
			x := float64(r)
			sum := rxCoef[0]*x*x*x*x + rxCoef[1]*x*x*x + rxCoef[2]*x*x + rxCoef[3]*x + rxCoef[4]
			return powerMW(clampU16(sum))
		},
	}
}

// clampU16 keeps a calibrated value in the range of the word it stands
// for, so a hostile constant cannot produce a negative power or NaN.
func clampU16(v float64) uint16 {
	switch {
	case math.IsNaN(v) || v < 0:
		return 0
	case v > math.MaxUint16:
		return math.MaxUint16
	}
	return uint16(math.Round(v))
}
