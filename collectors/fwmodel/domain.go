package fwmodel

import (
	"math/bits"
	"net/netip"
	"sort"
	"strings"
)

// OtherInterface stands for every interface no rule names: the host's
// uplink as far as the ruleset can tell.
const OtherInterface = "*other*"

// domain holds, for each field a packet may leave open, a finite list of
// candidate values such that every condition of the ruleset treats all
// values between two neighbouring candidates alike. Following a set of
// candidates instead of "any value" keeps the walk exact.
type domain struct {
	saddr, daddr []netip.Addr
	iif          []string
}

// nonPublic4 and nonPublic6 are the ranges that are not the public
// Internet (RFC 6890 special-purpose space, loopback, private, CGNAT,
// link-local, multicast and reserved). Their bounds are candidates too, so
// each candidate interval is either wholly public or not.
var nonPublic4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("224.0.0.0/3"),
}

// public6 is global unicast IPv6; the rest (loopback, ULA, link-local,
// multicast, unassigned) is not public.
var public6 = netip.MustParsePrefix("2000::/3")

func buildDomain(r *Ruleset, p Packet) *domain {
	d := &domain{}
	v6 := p.Family == "ipv6"
	if p.Saddr.IsValid() {
		d.saddr = []netip.Addr{p.Saddr}
	} else {
		d.saddr = addrCandidates(r, FieldSaddr, v6)
	}
	if p.Daddr.IsValid() {
		d.daddr = []netip.Addr{p.Daddr}
	} else {
		d.daddr = addrCandidates(r, FieldDaddr, v6)
	}
	if p.Iif != "" {
		d.iif = []string{p.Iif}
	} else {
		d.iif = ifaceCandidates(r, p.FromNetwork)
	}
	return d
}

// eachMatch calls f for every condition of the ruleset (verdict map keys
// included).
func eachMatch(r *Ruleset, f func(field Field, values []Value)) {
	for _, t := range r.Tables {
		for _, c := range t.Chains {
			if len(c.Devices) > 0 {
				f(FieldIif, strValues(c.Devices))
			}
			for _, rule := range c.Rules {
				for _, x := range rule.Exprs {
					switch x.Kind {
					case Match:
						f(x.Field, x.Values)
					case VMap:
						for _, ent := range x.Map {
							f(x.Field, []Value{ent.Key})
						}
					}
				}
			}
		}
	}
}

func addrCandidates(r *Ruleset, field Field, v6 bool) []netip.Addr {
	var points []netip.Addr
	add := func(lo, hi netip.Addr) {
		points = append(points, lo)
		if n := hi.Next(); n.IsValid() {
			points = append(points, n)
		}
	}
	if v6 {
		points = append(points, netip.IPv6Unspecified())
		add(netip.IPv6Loopback(), netip.IPv6Loopback())
		add(public6.Addr(), lastAddr(public6))
	} else {
		points = append(points, netip.IPv4Unspecified())
		for _, p := range nonPublic4 {
			add(p.Addr(), lastAddr(p))
		}
	}
	eachMatch(r, func(f Field, values []Value) {
		if f != field {
			return
		}
		for _, v := range values {
			if v.IsAddr() && v.AddrLo.Is6() == v6 && !v.AddrLo.Is4In6() {
				add(v.AddrLo, v.AddrHi)
			}
		}
	})
	sort.Slice(points, func(i, j int) bool { return points[i].Less(points[j]) })
	out := points[:0]
	for i, a := range points {
		if i == 0 || a != points[i-1] {
			out = append(out, a)
		}
	}
	return out
}

// ifaceCandidates are the interfaces the ruleset names, a name for each
// wildcard, and OtherInterface; "lo" unless the packet comes from the
// network (the kernel never receives an outside packet on lo).
func ifaceCandidates(r *Ruleset, fromNetwork bool) []string {
	seen := map[string]bool{"lo": true, OtherInterface: true}
	eachMatch(r, func(f Field, values []Value) {
		if f != FieldIif {
			return
		}
		for _, v := range values {
			if prefix, ok := cutWildcard(v.Str); ok {
				// A name the wildcard matches and no literal name equals.
				seen[prefix+"~any"] = true
			} else if v.Str != "" {
				seen[v.Str] = true
			}
		}
	})
	if fromNetwork {
		delete(seen, "lo")
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func cutWildcard(s string) (string, bool) {
	if len(s) > 0 && s[len(s)-1] == '*' {
		return s[:len(s)-1], true
	}
	return s, false
}

// IsPublic reports whether a is an address of the public Internet.
func IsPublic(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is4() {
		for _, p := range nonPublic4 {
			if p.Contains(a) {
				return false
			}
		}
		return true
	}
	return public6.Contains(a)
}

// anySource says whether st allows a public source on an interface no rule
// names, to a destination that is not loopback.
func (d *domain) anySource(st *state) bool {
	pub := false
	for i, a := range d.saddr {
		if st.saddr.has(i) && IsPublic(a) {
			pub = true
			break
		}
	}
	if !pub {
		return false
	}
	other := false
	for i, n := range d.iif {
		if st.iif.has(i) && n == OtherInterface {
			other = true
			break
		}
	}
	if !other {
		return false
	}
	for i, a := range d.daddr {
		if st.daddr.has(i) && !a.IsLoopback() {
			return true
		}
	}
	return false
}

// interfaces lists the candidate interfaces b allows, unless it is all.
func (d *domain) interfaces(b bitset) []string {
	if b.count() == len(d.iif) {
		return nil
	}
	var out []string
	for i, n := range d.iif {
		if b.has(i) {
			if n == OtherInterface {
				n = "any interface not named in the ruleset"
			} else if p, ok := strings.CutSuffix(n, "~any"); ok {
				n = p + "*"
			}
			out = append(out, n)
		}
	}
	return out
}

func (d *domain) describe(b bitset, cands []netip.Addr) (ranges []string, all bool) {
	if b.count() == len(cands) {
		return nil, true
	}
	for i := 0; i < len(cands); i++ {
		if !b.has(i) {
			continue
		}
		j := i
		for j+1 < len(cands) && b.has(j+1) {
			j++
		}
		lo := cands[i]
		hi := maxAddr(lo.Is6())
		if j+1 < len(cands) {
			hi = cands[j+1].Prev()
		}
		ranges = append(ranges, rangeText(lo, hi))
		i = j
	}
	return ranges, false
}

func maxAddr(v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16([16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	}
	return netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// rangeText prints lo-hi as a prefix when it is one.
func rangeText(lo, hi netip.Addr) string {
	if lo == hi {
		return lo.String()
	}
	for bitsLen := 0; bitsLen <= lo.BitLen(); bitsLen++ {
		p := netip.PrefixFrom(lo, bitsLen)
		if p.Masked().Addr() == lo && lastAddr(p) == hi {
			return p.String()
		}
	}
	return lo.String() + "-" + hi.String()
}

// bitset is a set of candidate indices.
type bitset []uint64

func words(n int) int { return (n + 63) / 64 }

func full(n int) bitset {
	b := make(bitset, words(n))
	for i := 0; i < n; i++ {
		b.set(i)
	}
	return b
}

func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) clone() bitset  { return append(bitset(nil), b...) }

func (b bitset) and(m bitset) bitset {
	out := make(bitset, len(b))
	for i := range b {
		out[i] = b[i] & m[i]
	}
	return out
}

func (b bitset) andNot(m bitset) bitset {
	out := make(bitset, len(b))
	for i := range b {
		out[i] = b[i] &^ m[i]
	}
	return out
}

func (b bitset) equal(o bitset) bool {
	for i := range b {
		if b[i] != o[i] {
			return false
		}
	}
	return true
}

func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}
