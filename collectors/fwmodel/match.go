package fwmodel

import (
	"strconv"
	"strings"
)

// match splits st by one condition: t is the part of st where x holds,
// f where it does not (nil when empty).
func (e *evaluator) match(x *Expr, st *state) (t, f *state) {
	// A transport or address-family match carries nftables' implicit
	// dependency (tcp dport implies meta l4proto tcp): a packet of another
	// protocol never matches, negated or not.
	if x.Proto != "" && !protoMatches(x.Proto, e.p.L4Proto) {
		return nil, st
	}
	if x.Family != "" && x.Family != e.p.Family {
		return nil, st
	}
	if x.Kind == UnknownMatch {
		return e.unknown(x.Text, st)
	}
	switch x.Field {
	case FieldSaddr, FieldDaddr, FieldIif:
		return e.symbolic(x, st)
	case FieldSport:
		if e.p.Sport == 0 {
			return e.unknown(x.Text+" (the client's source port is not known)", st)
		}
	}
	ok, known := e.concrete(x)
	if !known {
		return e.unknown(x.Text, st)
	}
	if x.Negate {
		ok = !ok
	}
	if !ok {
		return nil, st
	}
	if x.Field == FieldDport && !x.Negate {
		st.portMatched = true
	}
	return st, nil
}

// unknown follows both answers of a condition the evaluator cannot judge,
// marking both paths with it.
func (e *evaluator) unknown(what string, st *state) (t, f *state) {
	t, f = st.clone(), st.clone()
	t.taint(what)
	f.taint(what)
	return t, f
}

// symbolic splits st on a source, destination or interface condition.
func (e *evaluator) symbolic(x *Expr, st *state) (t, f *state) {
	mask := e.mask(x)
	cur := st.field(x.Field)
	in, out := cur.and(mask), cur.andNot(mask)
	if x.Negate {
		in, out = out, in
	}
	switch {
	case in.empty():
		return nil, st
	case out.empty():
		return st, nil
	}
	t, f = st.clone(), st.clone()
	t.setField(x.Field, in)
	f.setField(x.Field, out)
	t.conds = append(t.conds, x.Text)
	f.conds = append(f.conds, "not ("+x.Text+")")
	// The branch that needs the source to be in the named addresses is
	// restricted by source; the one that only excludes some is not.
	if x.Field == FieldSaddr {
		if x.Negate {
			f.srcNamed = true
		} else {
			t.srcNamed = true
		}
	}
	return t, f
}

func (s *state) field(f Field) bitset {
	switch f {
	case FieldSaddr:
		return s.saddr
	case FieldDaddr:
		return s.daddr
	}
	return s.iif
}

func (s *state) setField(f Field, b bitset) {
	switch f {
	case FieldSaddr:
		s.saddr = b
	case FieldDaddr:
		s.daddr = b
	default:
		s.iif = b
	}
}

// mask is the set of candidates of x's field that x's values match.
func (e *evaluator) mask(x *Expr) bitset {
	if e.shared != nil {
		e.shared.Lock()
		defer e.shared.Unlock()
	}
	if m, ok := e.masks[x]; ok {
		return m[0]
	}
	var m bitset
	switch x.Field {
	case FieldSaddr, FieldDaddr:
		cands := e.dom.saddr
		if x.Field == FieldDaddr {
			cands = e.dom.daddr
		}
		m = make(bitset, words(len(cands)))
		for i, a := range cands {
			for _, v := range x.Values {
				if v.IsAddr() && v.AddrLo.BitLen() == a.BitLen() && v.AddrLo.Compare(a) <= 0 && a.Compare(v.AddrHi) <= 0 {
					m.set(i)
					break
				}
			}
		}
	default:
		m = make(bitset, words(len(e.dom.iif)))
		for i, name := range e.dom.iif {
			for _, v := range x.Values {
				if ifaceMatches(v.Str, name) {
					m.set(i)
					break
				}
			}
		}
	}
	e.masks[x] = []bitset{m}
	return m
}

// ifaceMatches matches an interface name against a name or a wildcard
// ("eth*"; iptables' "eth+" is translated by its parser).
func ifaceMatches(pattern, name string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, p)
	}
	return pattern == name
}

// concrete judges a condition on a field the packet fixes; known is false
// for a field the evaluator does not model.
func (e *evaluator) concrete(x *Expr) (ok, known bool) {
	p := e.p
	switch x.Field {
	case FieldL4Proto:
		n := protoNumber(p.L4Proto)
		return anyValue(x.Values, func(v Value) bool {
			if v.IsNum {
				return v.Lo <= n && n <= v.Hi
			}
			return protoNumber(v.Str) == n
		}), true
	case FieldNFProto:
		return anyValue(x.Values, func(v Value) bool { return v.Str == p.Family }), true
	case FieldDport, FieldSport:
		port := int64(p.Dport)
		if x.Field == FieldSport {
			port = int64(p.Sport)
		}
		if !hasPorts(p.L4Proto) {
			return false, true
		}
		return anyValue(x.Values, func(v Value) bool { return v.IsNum && v.Lo <= port && port <= v.Hi }), true
	case FieldCtState:
		return anyValue(x.Values, func(v Value) bool { return v.Str == p.CtState }), true
	case FieldICMPType:
		if p.L4Proto != "icmp" && p.L4Proto != "ipv6-icmp" {
			return false, true
		}
		n := icmpTypeNumber(p.L4Proto, p.ICMPType)
		return anyValue(x.Values, func(v Value) bool {
			if v.IsNum {
				return v.Lo <= n && n <= v.Hi
			}
			return v.Str == p.ICMPType
		}), true
	case FieldPktType:
		// The packets judged are unicast to this host.
		return anyValue(x.Values, func(v Value) bool { return v.Str == "host" }), true
	case FieldExtHdr:
		// The packets judged carry no IPv6 extension header.
		return false, true
	case FieldAddrType:
		// Destination address type of a packet for a local socket: LOCAL.
		return anyValue(x.Values, func(v Value) bool { return v.Str == "LOCAL" }), true
	}
	return false, false
}

func anyValue(vs []Value, f func(Value) bool) bool {
	for _, v := range vs {
		if f(v) {
			return true
		}
	}
	return false
}

// protoMatches says whether a packet of transport proto satisfies the
// implied dependency of a match on want ("th" is any transport with ports).
func protoMatches(want, proto string) bool {
	switch want {
	case "th":
		return hasPorts(proto)
	case "icmpv6":
		want = "ipv6-icmp"
	}
	return protoNumber(want) == protoNumber(proto)
}

func hasPorts(proto string) bool {
	switch proto {
	case "tcp", "udp", "sctp", "udplite", "dccp":
		return true
	}
	return false
}

var protoNumbers = map[string]int64{
	"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "dccp": 33, "ipv6": 41, "gre": 47,
	"esp": 50, "ah": 51, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "udplite": 136,
}

// protoNumber is the IP protocol number of a name or decimal string; -1
// for anything else.
func protoNumber(s string) int64 {
	if n, ok := protoNumbers[strings.ToLower(s)]; ok {
		return n
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return -1
}

// ProtoName is the name nft prints for an IP protocol number.
func ProtoName(n int64) string {
	for name, v := range protoNumbers {
		if v == n && name != "icmpv6" {
			return name
		}
	}
	return strconv.FormatInt(n, 10)
}

var icmpTypes = map[string]int64{
	"echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5,
	"echo-request": 8, "router-advertisement": 9, "router-solicitation": 10,
	"time-exceeded": 11, "parameter-problem": 12, "timestamp-request": 13, "timestamp-reply": 14,
}

var icmpv6Types = map[string]int64{
	"destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "parameter-problem": 4,
	"echo-request": 128, "echo-reply": 129, "mld-listener-query": 130, "mld-listener-report": 131,
	"mld-listener-done": 132, "nd-router-solicit": 133, "nd-router-advert": 134,
	"nd-neighbor-solicit": 135, "nd-neighbor-advert": 136, "nd-redirect": 137,
}

func icmpTypeNumber(proto, name string) int64 {
	table := icmpTypes
	if proto == "ipv6-icmp" {
		table = icmpv6Types
	}
	if n, ok := table[name]; ok {
		return n
	}
	return -1
}
