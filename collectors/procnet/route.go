package procnet

import (
	"bytes"
	"fmt"
	"strconv"
)

// Route flags of include/uapi/linux/route.h.
const (
	rtfUp = 0x0001
)

// DefaultRoute is the device of a default route and its metric.
type DefaultRoute struct {
	Device string
	Metric uint32
}

// DefaultRoutes4 parses /proc/net/route and returns the IPv4 default
// routes that are up (destination and mask 0), lowest metric first.
func DefaultRoutes4(data []byte) ([]DefaultRoute, error) {
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) == 0 || !bytes.HasPrefix(bytes.TrimSpace(lines[0]), []byte("Iface")) {
		return nil, fmt.Errorf("missing route table header")
	}
	if len(lines) > MaxLines+2 {
		return nil, fmt.Errorf("more than %d routes", MaxLines)
	}
	var out []DefaultRoute
	for i, line := range lines[1:] {
		f := bytes.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 8 {
			return nil, fmt.Errorf("line %d: %d fields, want at least 8", i+2, len(f))
		}
		// Iface Destination Gateway Flags RefCnt Use Metric Mask ...
		dst, err1 := strconv.ParseUint(string(f[1]), 16, 32)
		flags, err2 := strconv.ParseUint(string(f[3]), 16, 32)
		metric, err3 := strconv.ParseUint(string(f[6]), 10, 32)
		mask, err4 := strconv.ParseUint(string(f[7]), 16, 32)
		for _, err := range []error{err1, err2, err3, err4} {
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+2, err)
			}
		}
		if dst == 0 && mask == 0 && flags&rtfUp != 0 {
			out = append(out, DefaultRoute{Device: string(f[0]), Metric: uint32(metric)})
		}
	}
	sortRoutes(out)
	return out, nil
}

// DefaultRoutes6 parses /proc/net/ipv6_route ("dst dstlen src srclen
// gateway metric refcnt use flags device", all hex but the device) and
// returns the default routes (::/0) that are up, lowest metric first. The
// kernel lists unreachable and loopback entries too: those name "lo".
func DefaultRoutes6(data []byte) ([]DefaultRoute, error) {
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) > MaxLines+1 {
		return nil, fmt.Errorf("more than %d routes", MaxLines)
	}
	var out []DefaultRoute
	for i, line := range lines {
		f := bytes.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 10 || len(f[0]) != 32 {
			return nil, fmt.Errorf("line %d: not an ipv6_route entry", i+1)
		}
		plen, err1 := strconv.ParseUint(string(f[1]), 16, 8)
		metric, err2 := strconv.ParseUint(string(f[5]), 16, 32)
		flags, err3 := strconv.ParseUint(string(f[8]), 16, 32)
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
		}
		if plen == 0 && string(f[0]) == "00000000000000000000000000000000" && flags&rtfUp != 0 && string(f[9]) != "lo" {
			out = append(out, DefaultRoute{Device: string(f[9]), Metric: uint32(metric)})
		}
	}
	sortRoutes(out)
	return out, nil
}

func sortRoutes(rs []DefaultRoute) {
	// Insertion sort: a host has a handful of default routes; stable so
	// that equal metrics keep the kernel's order.
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Metric < rs[j-1].Metric; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}
