package collectors

import (
	"errors"
	"io/fs"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// LinkHealth is how a physical link is doing: negotiated speed and duplex
// and the kernel's error counters since boot (issue 7's link health). A
// counter the driver does not report is absent, never zero.
type LinkHealth struct {
	Part
	// SpeedMbps is the negotiated speed; null when the link is down or the
	// driver does not say (sysfs reports -1 or refuses the read).
	SpeedMbps *int `json:"speed_mbps"`
	// Duplex is "full", "half" or "unknown".
	Duplex   string           `json:"duplex,omitempty"`
	Counters map[string]int64 `json:"counters"`
}

// linkCounters are the statistics files of /sys/class/net/<if>/statistics
// that say a link is degrading.
var linkCounters = []string{
	"rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
	"rx_crc_errors", "rx_frame_errors", "rx_fifo_errors", "tx_carrier_errors", "collisions",
}

// readLinkHealth reads speed, duplex and error counters of one interface
// directory in sysfs.
func readLinkHealth(h hostfs.Host, dir string) *LinkHealth {
	lh := &LinkHealth{Part: PartOK(), Counters: map[string]int64{}}
	// speed and duplex return EINVAL while the link is down: no speed is
	// known, which is not an error.
	if s, err := readSysInt(h, dir+"/speed"); err == nil && s > 0 {
		lh.SpeedMbps = &s
	}
	if d, err := readSysString(h, dir+"/duplex"); err == nil && d != "" {
		lh.Duplex = d
	}
	for _, c := range linkCounters {
		n, err := readSysInt(h, dir+"/statistics/"+c)
		switch {
		case err == nil:
			lh.Counters[c] = int64(n)
		case errors.Is(err, fs.ErrNotExist):
			// the driver does not keep this counter
		default:
			lh.Part = PartError(err)
		}
	}
	return lh
}
