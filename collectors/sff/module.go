// Package sff decodes the EEPROM of pluggable optical transceivers, as
// the kernel's ETHTOOL_GMODULEEEPROM (and `ethtool -m IFACE raw on`)
// returns it:
//
//   - SFP/SFP+ (SFF-8472): bytes 0-255 are the A0h page (identity), bytes
//     256-511 the A2h page (digital diagnostics), when the module has one;
//   - QSFP+/QSFP28 (SFF-8636, and SFF-8436 modules that follow it): bytes
//     0-127 the lower page, 128-255 upper page 00h, and for a paged module
//     pages 01h, 02h and 03h's upper halves at 256, 384 and 512 (640
//     bytes in all; page 03h holds the thresholds).
//
// Only the fields the checklist and an operator need are decoded:
// identity, temperature, supply voltage, per-lane bias and TX/RX power,
// thresholds and the alarm and warning flags.
package sff

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Lengths of the buffers the kernel returns (ETH_MODULE_SFF_*_LEN).
const (
	LenSFF8079       = 256
	LenSFF8472       = 512
	LenSFF8636       = 256
	LenSFF8636Paged  = 640
	maxEEPROM        = 4096
	pageSize         = 128
	identifierSFP    = 0x03
	identifierQSFP   = 0x0C
	identifierQSFPP  = 0x0D
	identifierQSFP28 = 0x11
)

// Module is a decoded transceiver.
type Module struct {
	// Standard is "SFF-8472" or "SFF-8636".
	Standard   string `json:"standard"`
	Identifier string `json:"identifier"`
	Connector  string `json:"connector"`
	Vendor     string `json:"vendor"`
	VendorOUI  string `json:"vendor_oui"`
	PartNumber string `json:"part_number"`
	Revision   string `json:"revision"`
	Serial     string `json:"serial"`
	DateCode   string `json:"date_code"`
	// WavelengthNM is the nominal laser wavelength; 0 for copper.
	WavelengthNM float64 `json:"wavelength_nm"`
	// ChecksumOK is false when the identity checksum does not match: the
	// EEPROM is corrupt or the module counterfeit, and its numbers are
	// suspect.
	ChecksumOK bool `json:"checksum_ok"`
	// Diagnostics is true when the module implements digital diagnostic
	// monitoring; without it the fields below are absent.
	Diagnostics bool `json:"diagnostics"`
	// DiagnosticsNote says why there are no diagnostics when there are
	// none (unsupported, A2h page not returned, ...).
	DiagnosticsNote string `json:"diagnostics_note,omitempty"`
	// Calibration is "internal" or "external" (SFF-8472 only).
	Calibration string `json:"calibration,omitempty"`
	// RxPowerType is "average" or "oma" (optical modulation amplitude).
	RxPowerType  string   `json:"rx_power_type,omitempty"`
	TemperatureC *float64 `json:"temperature_c,omitempty"`
	VoltageV     *float64 `json:"voltage_v,omitempty"`
	Lanes        []Lane   `json:"lanes"`
	// Thresholds are the module's own alarm and warning limits; nil when
	// the module does not publish them.
	Thresholds *Thresholds `json:"thresholds,omitempty"`
	// Alarms and Warnings are the flags the module raises, e.g.
	// "rx_power_low" or "lane 2 rx_power_low"; sorted, never nil.
	Alarms   []string `json:"alarms"`
	Warnings []string `json:"warnings"`
}

// Lane is one optical channel (SFP has one, QSFP four).
type Lane struct {
	Lane      int     `json:"lane"`
	TxBiasMA  float64 `json:"tx_bias_ma"`
	TxPowerMW float64 `json:"tx_power_mw"`
	RxPowerMW float64 `json:"rx_power_mw"`
	// TxPowerDBm and RxPowerDBm are nil when the power is 0 mW (no
	// light: minus infinity dBm, which JSON cannot carry).
	TxPowerDBm *float64 `json:"tx_power_dbm"`
	RxPowerDBm *float64 `json:"rx_power_dbm"`
}

// Limits are one quantity's alarm and warning thresholds.
type Limits struct {
	HighAlarm   float64 `json:"high_alarm"`
	LowAlarm    float64 `json:"low_alarm"`
	HighWarning float64 `json:"high_warning"`
	LowWarning  float64 `json:"low_warning"`
}

// Thresholds are the module's limits; powers in dBm (a 0 mW limit is
// reported as -40 dBm, the floor of SFF-8472's 0.1 µW resolution).
type Thresholds struct {
	TemperatureC Limits `json:"temperature_c"`
	VoltageV     Limits `json:"voltage_v"`
	TxBiasMA     Limits `json:"tx_bias_ma"`
	TxPowerDBm   Limits `json:"tx_power_dbm"`
	RxPowerDBm   Limits `json:"rx_power_dbm"`
}

// ErrUnsupported says the module is of a kind this package does not
// decode (CMIS modules such as QSFP-DD, or no module type at all).
var ErrUnsupported = errors.New("module type not decoded")

// Decode decodes a module EEPROM dump by its identifier byte.
func Decode(eeprom []byte) (*Module, error) {
	if len(eeprom) == 0 {
		return nil, fmt.Errorf("module EEPROM is empty")
	}
	if len(eeprom) > maxEEPROM {
		return nil, fmt.Errorf("module EEPROM of %d bytes is larger than any SFF layout", len(eeprom))
	}
	switch eeprom[0] {
	case identifierSFP:
		return decodeSFF8472(eeprom)
	case identifierQSFP, identifierQSFPP, identifierQSFP28:
		return decodeSFF8636(eeprom)
	}
	return nil, fmt.Errorf("%w: identifier 0x%02x (%s) is not an SFP or QSFP, no SFF-8472/8636 diagnostics", ErrUnsupported, eeprom[0], identifierName(eeprom[0]))
}

func identifierName(b byte) string {
	switch b {
	case 0x00:
		return "unknown or unspecified"
	case identifierSFP:
		return "SFP/SFP+/SFP28"
	case identifierQSFP:
		return "QSFP"
	case identifierQSFPP:
		return "QSFP+"
	case identifierQSFP28:
		return "QSFP28"
	case 0x18:
		return "QSFP-DD (CMIS)"
	case 0x19:
		return "OSFP (CMIS)"
	case 0x1E:
		return "QSFP+ or later with CMIS"
	}
	return "other"
}

var connectors = map[byte]string{
	0x01: "SC", 0x07: "LC", 0x0B: "optical pigtail", 0x0C: "MPO 1x12", 0x0D: "MPO 2x16",
	0x21: "copper pigtail", 0x22: "RJ45", 0x23: "no separable connector", 0x24: "MXC 2x16",
}

func connectorName(b byte) string {
	if n, ok := connectors[b]; ok {
		return n
	}
	return fmt.Sprintf("0x%02x", b)
}

// text is an ASCII field: space padded; anything unprintable becomes '?'
// so that a corrupt EEPROM cannot put control characters in a report.
func text(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return strings.TrimRight(string(out), " ?")
}

func oui(b []byte) string { return fmt.Sprintf("%02x:%02x:%02x", b[0], b[1], b[2]) }

func u16(b []byte, off int) uint16 { return uint16(b[off])<<8 | uint16(b[off+1]) }

func s16(b []byte, off int) int16 { return int16(u16(b, off)) }

// checksum is the low byte of the sum of b (SFF's CC_BASE, CC_EXT, CC_DMI).
func checksum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return s
}

// Units of the raw diagnostic words (SFF-8472 9.2, SFF-8636 6.2.4).
func tempC(raw int16) float64     { return round(float64(raw)/256, 3) }
func voltV(raw uint16) float64    { return round(float64(raw)/10000, 4) }
func biasMA(raw uint16) float64   { return round(float64(raw)*0.002, 3) }
func powerMW(raw uint16) float64  { return round(float64(raw)/10000, 4) }
func powerDBm(mw float64) float64 { return round(10*math.Log10(mw), 2) }

// dbmPtr is nil for no light.
func dbmPtr(mw float64) *float64 {
	if mw <= 0 {
		return nil
	}
	v := powerDBm(mw)
	return &v
}

// thresholdDBm renders a power limit; 0 mW is shown as the -40 dBm floor.
func thresholdDBm(mw float64) float64 {
	if mw <= 0 {
		return -40
	}
	return powerDBm(mw)
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func ptr(v float64) *float64 { return &v }

// flags lists the names of set bits: names[i] belongs to bit 7-i.
func flags(b byte, names [8]string, prefix string, out *[]string) {
	for i, n := range names {
		if n != "" && b&(0x80>>i) != 0 {
			*out = append(*out, prefix+n)
		}
	}
}
