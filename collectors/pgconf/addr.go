package pgconf

import (
	"net/netip"
	"strconv"
	"strings"
)

// parseNumericHost parses an address the way PostgreSQL's
// getaddrinfo(AI_NUMERICHOST) call does on glibc: IPv4 in inet_aton's
// forms ("10.1" is 10.0.0.1, "010.0.0.1" is octal, "0x0a000001" hex, "0"
// is 0.0.0.0), IPv6 with an optional %zone. ok is false for anything
// else, which PostgreSQL then takes for a host name.
func parseNumericHost(s string) (netip.Addr, bool) {
	if strings.Contains(s, ":") {
		if i := strings.IndexByte(s, '%'); i >= 0 {
			if i == len(s)-1 {
				return netip.Addr{}, false
			}
			s = s[:i]
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return netip.Addr{}, false
		}
		return a, true
	}
	return inetAton(s)
}

// inetAton is glibc's inet_aton in its exact form (no trailing text).
func inetAton(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, ok := atonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	last := vals[len(vals)-1]
	var ip uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 0xff {
			return netip.Addr{}, false
		}
		ip |= v << (8 * (3 - i))
	}
	if last > uint64(0xffffffff)>>(8*(len(vals)-1)) {
		return netip.Addr{}, false
	}
	ip |= last
	return netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), true
}

// atonPart reads one inet_aton number: decimal, 0-prefixed octal or
// 0x-prefixed hex ("0x" alone is 0, as glibc reads it).
func atonPart(p string) (uint64, bool) {
	if p == "" || p[0] < '0' || p[0] > '9' {
		return 0, false
	}
	base := uint64(10)
	if p[0] == '0' {
		base = 8
		p = p[1:]
		if len(p) > 0 && (p[0] == 'x' || p[0] == 'X') {
			base = 16
			p = p[1:]
			if p == "" {
				return 0, false // glibc wants a digit after 0x
			}
		}
	}
	var v uint64
	for _, c := range p {
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		v = v*base + d
		if v > 0xffffffff {
			return 0, false
		}
	}
	return v, true
}

// cidrBits reads the bits after "/" as pg_sockaddr_cidr_mask does
// (strtol: an optional sign, then decimal digits, nothing after).
func cidrBits(s string, is4 bool) (int, bool) {
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	if err != nil || strings.HasPrefix(s, "+-") || strings.HasPrefix(s, "+ ") {
		return 0, false
	}
	max := int64(128)
	if is4 {
		max = 32
	}
	if n < 0 || n > max {
		return 0, false
	}
	return int(n), true
}

// maskBits returns the prefix length of a contiguous netmask, or -1.
func maskBits(m netip.Addr) int {
	b := m.AsSlice()
	n := 0
	seenZero := false
	for _, x := range b {
		for i := 7; i >= 0; i-- {
			if x&(1<<i) != 0 {
				if seenZero {
					return -1
				}
				n++
			} else {
				seenZero = true
			}
		}
	}
	return n
}

// applyMask is addr AND mask.
func applyMask(a, m netip.Addr) netip.Addr {
	ab, mb := a.AsSlice(), m.AsSlice()
	for i := range ab {
		ab[i] &= mb[i]
	}
	out, _ := netip.AddrFromSlice(ab)
	return out
}

// normalizeAddr is the canonical form facts use for an address and its
// mask: CIDR of the network ("10.1.2.3/8" is "10.0.0.0/8", "0/0" is
// "0.0.0.0/0"), or network/mask for a non-contiguous mask.
func normalizeAddr(a, m netip.Addr) string {
	net := applyMask(a, m)
	if bits := maskBits(m); bits >= 0 {
		return netip.PrefixFrom(net, bits).String()
	}
	return net.String() + "/" + m.String()
}

// prefixMask is the netmask of a prefix length.
func prefixMask(bits int, is4 bool) netip.Addr {
	n := 16
	if is4 {
		n = 4
	}
	b := make([]byte, n)
	for i := 0; i < bits; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
