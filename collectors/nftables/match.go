package nftables

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/fwmodel"
)

// key is what a match or verdict map reads of the packet.
type key struct {
	field  fwmodel.Field
	proto  string // implied transport
	family string // implied address family
	text   string
}

// leftKey translates the left side of a match; ok is false for what the
// evaluator does not model.
func leftKey(raw json.RawMessage) (key, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || len(obj) != 1 {
		return key{text: compact(raw)}, false
	}
	var l struct {
		Key      string `json:"key"`
		Protocol string `json:"protocol"`
		Field    string `json:"field"`
	}
	if m, ok := obj["meta"]; ok && json.Unmarshal(m, &l) == nil {
		k := key{text: "meta " + l.Key}
		switch l.Key {
		case "l4proto":
			k.field = fwmodel.FieldL4Proto
		case "nfproto", "protocol":
			k.field = fwmodel.FieldNFProto
		case "iif", "iifname":
			k.field, k.text = fwmodel.FieldIif, l.Key
		case "pkttype":
			k.field = fwmodel.FieldPktType
		default:
			return k, false
		}
		return k, true
	}
	if m, ok := obj["ct"]; ok && json.Unmarshal(m, &l) == nil {
		k := key{text: "ct " + l.Key}
		if l.Key == "state" {
			k.field = fwmodel.FieldCtState
			return k, true
		}
		return k, false
	}
	if m, ok := obj["payload"]; ok && json.Unmarshal(m, &l) == nil && l.Protocol != "" {
		k := key{text: l.Protocol + " " + l.Field}
		switch l.Protocol {
		case "ip", "ip6":
			k.family = "ipv4"
			if l.Protocol == "ip6" {
				k.family = "ipv6"
			}
			switch l.Field {
			case "saddr":
				k.field = fwmodel.FieldSaddr
			case "daddr":
				k.field = fwmodel.FieldDaddr
			case "protocol", "nexthdr":
				k.field = fwmodel.FieldL4Proto
			default:
				return k, false
			}
			return k, true
		case "tcp", "udp", "sctp", "udplite", "dccp", "th":
			k.proto = l.Protocol
			switch l.Field {
			case "dport":
				k.field = fwmodel.FieldDport
			case "sport":
				k.field = fwmodel.FieldSport
			default:
				return k, false
			}
			return k, true
		case "icmp", "icmpv6":
			k.proto = "icmp"
			if l.Protocol == "icmpv6" {
				k.proto = "ipv6-icmp"
			}
			if l.Field == "type" {
				k.field = fwmodel.FieldICMPType
				return k, true
			}
			return k, false
		}
		return k, false
	}
	return key{text: compact(raw)}, false
}

func (p *parser) match(t *fwmodel.Table, body json.RawMessage) fwmodel.Expr {
	var m struct {
		Op    string          `json:"op"`
		Left  json.RawMessage `json:"left"`
		Right json.RawMessage `json:"right"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return fwmodel.Expr{Kind: fwmodel.UnknownMatch, Text: "match " + compact(body)}
	}
	k, ok := leftKey(m.Left)
	text := k.text + " " + opText(m.Op) + rightText(m.Right)
	unknown := fwmodel.Expr{Kind: fwmodel.UnknownMatch, Text: text, Proto: k.proto, Family: k.family}
	if !ok {
		return unknown
	}
	x := fwmodel.Expr{Kind: fwmodel.Match, Field: k.field, Proto: k.proto, Family: k.family, Text: text}
	var vals []fwmodel.Value
	if ref, isRef := setRef(m.Right); isRef {
		set := t.Sets[ref]
		if set == nil || set.Unknown != "" || set.Map != nil {
			unknown.Text += " (set not usable)"
			if set != nil && set.Unknown != "" {
				unknown.Text = text + " (" + set.Unknown + ")"
			}
			return unknown
		}
		vals = set.Elements
	} else {
		vals, ok = values(m.Right)
		if !ok {
			return unknown
		}
	}
	switch m.Op {
	case "==", "in":
	case "!=":
		x.Negate = true
	case "<", ">", "<=", ">=":
		r, ok := comparison(m.Op, vals)
		if !ok {
			return unknown
		}
		vals = []fwmodel.Value{r}
	default:
		return unknown
	}
	x.Values = normalize(k.field, vals)
	if x.Values == nil {
		return unknown
	}
	return x
}

// comparison turns "< N" style operators on numbers into a range.
func comparison(op string, vals []fwmodel.Value) (fwmodel.Value, bool) {
	if len(vals) != 1 || !vals[0].IsNum || vals[0].Lo != vals[0].Hi {
		return fwmodel.Value{}, false
	}
	n := vals[0].Lo
	const max = 1<<32 - 1
	switch op {
	case "<":
		return fwmodel.NumRange(0, n-1), n > 0
	case "<=":
		return fwmodel.NumRange(0, n), true
	case ">":
		return fwmodel.NumRange(n+1, max), true
	}
	return fwmodel.NumRange(n, max), true
}

// normalize checks values against the field they are compared with and
// turns names into the evaluator's form; nil when one does not fit.
func normalize(f fwmodel.Field, vals []fwmodel.Value) []fwmodel.Value {
	out := make([]fwmodel.Value, 0, len(vals))
	for _, v := range vals {
		switch f {
		case fwmodel.FieldSaddr, fwmodel.FieldDaddr:
			if !v.IsAddr() {
				a, err := netip.ParseAddr(v.Str)
				if err != nil {
					return nil
				}
				v = fwmodel.AddrRange(a, a)
			}
		case fwmodel.FieldDport, fwmodel.FieldSport:
			if !v.IsNum {
				return nil // a service name nft did not resolve
			}
		case fwmodel.FieldNFProto:
			switch v.Str {
			case "ip", "ipv4":
				v = fwmodel.Str("ipv4")
			case "ip6", "ipv6":
				v = fwmodel.Str("ipv6")
			default:
				return nil
			}
		case fwmodel.FieldIif, fwmodel.FieldCtState, fwmodel.FieldPktType:
			if v.IsNum || v.IsAddr() {
				return nil
			}
		}
		out = append(out, v)
	}
	return out
}

func setRef(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil && strings.HasPrefix(s, "@") {
		return s[1:], true
	}
	return "", false
}

// values reads a constant: a scalar, a list, an anonymous set, a range or
// a prefix.
func values(raw json.RawMessage) ([]fwmodel.Value, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.HasPrefix(s, "@") || strings.HasPrefix(s, "$") {
			return nil, false
		}
		if a, err := netip.ParseAddr(s); err == nil {
			return []fwmodel.Value{fwmodel.AddrRange(a, a)}, true
		}
		return []fwmodel.Value{fwmodel.Str(s)}, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			return nil, false
		}
		return []fwmodel.Value{fwmodel.Num(i)}, true
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []fwmodel.Value
		for _, e := range list {
			v, ok := values(e)
			if !ok {
				return nil, false
			}
			out = append(out, v...)
		}
		return out, true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || len(obj) != 1 {
		return nil, false
	}
	if set, ok := obj["set"]; ok {
		return values(set)
	}
	if e, ok := obj["elem"]; ok {
		var el struct {
			Val json.RawMessage `json:"val"`
		}
		if json.Unmarshal(e, &el) != nil || el.Val == nil {
			return nil, false
		}
		return values(el.Val)
	}
	if pr, ok := obj["prefix"]; ok {
		var px struct {
			Addr string `json:"addr"`
			Len  int    `json:"len"`
		}
		if json.Unmarshal(pr, &px) != nil {
			return nil, false
		}
		a, err := netip.ParseAddr(px.Addr)
		if err != nil || px.Len < 0 || px.Len > a.BitLen() {
			return nil, false
		}
		return []fwmodel.Value{fwmodel.Prefix(netip.PrefixFrom(a, px.Len))}, true
	}
	if rg, ok := obj["range"]; ok {
		var ends []json.RawMessage
		if json.Unmarshal(rg, &ends) != nil || len(ends) != 2 {
			return nil, false
		}
		lo, ok1 := values(ends[0])
		hi, ok2 := values(ends[1])
		if !ok1 || !ok2 || len(lo) != 1 || len(hi) != 1 {
			return nil, false
		}
		switch {
		case lo[0].IsNum && hi[0].IsNum:
			return []fwmodel.Value{fwmodel.NumRange(lo[0].Lo, hi[0].Hi)}, true
		case lo[0].IsAddr() && hi[0].IsAddr():
			return []fwmodel.Value{fwmodel.AddrRange(lo[0].AddrLo, hi[0].AddrHi)}, true
		}
	}
	return nil, false
}

func (p *parser) vmap(t *fwmodel.Table, body json.RawMessage) fwmodel.Expr {
	var m struct {
		Key  json.RawMessage `json:"key"`
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &m) != nil {
		return fwmodel.Expr{Kind: fwmodel.Unknown, Text: "vmap " + compact(body)}
	}
	k, ok := leftKey(m.Key)
	text := k.text + " vmap " + rightText(m.Data)
	unknown := fwmodel.Expr{Kind: fwmodel.Unknown, Text: text}
	if !ok {
		return unknown
	}
	x := fwmodel.Expr{Kind: fwmodel.VMap, Field: k.field, Proto: k.proto, Family: k.family, Text: text}
	if ref, isRef := setRef(m.Data); isRef {
		set := t.Sets[ref]
		if set == nil || set.Unknown != "" || set.Map == nil {
			return unknown
		}
		x.Map = set.Map
	} else {
		var d struct {
			Set [][]json.RawMessage `json:"set"`
		}
		if json.Unmarshal(m.Data, &d) != nil {
			return unknown
		}
		for _, pair := range d.Set {
			if len(pair) != 2 {
				return unknown
			}
			keys, ok := values(pair[0])
			v, target, vok := verdictOf(pair[1])
			if !ok || !vok {
				return unknown
			}
			for _, kv := range keys {
				x.Map = append(x.Map, fwmodel.MapEntry{Key: kv, Verdict: v, Target: target})
			}
		}
	}
	keys := make([]fwmodel.Value, len(x.Map))
	for i, e := range x.Map {
		keys[i] = e.Key
	}
	norm := normalize(k.field, keys)
	if norm == nil {
		return unknown
	}
	for i := range x.Map {
		x.Map[i].Key = norm[i]
	}
	return x
}

// verdictOf reads a verdict object ({"accept": null}, {"jump": {"target": "x"}}).
func verdictOf(raw json.RawMessage) (verdict, target string, ok bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || len(obj) != 1 {
		return "", "", false
	}
	for k, v := range obj {
		switch k {
		case "accept", "drop", "reject", "return", "continue":
			return k, "", true
		case "jump", "goto":
			var j struct {
				Target string `json:"target"`
			}
			if json.Unmarshal(v, &j) != nil || j.Target == "" {
				return "", "", false
			}
			return k, j.Target, true
		}
	}
	return "", "", false
}

func opText(op string) string {
	switch op {
	case "==", "in", "":
		return ""
	}
	return op + " "
}

// rightText prints a constant the way nft would, near enough for evidence.
func rightText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = rightText(e)
		}
		return strings.Join(parts, ",")
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && len(obj) == 1 {
		if set, ok := obj["set"]; ok {
			return "{ " + rightText(set) + " }"
		}
		if pr, ok := obj["prefix"]; ok {
			var px struct {
				Addr string `json:"addr"`
				Len  int    `json:"len"`
			}
			if json.Unmarshal(pr, &px) == nil {
				return fmt.Sprintf("%s/%d", px.Addr, px.Len)
			}
		}
		if rg, ok := obj["range"]; ok {
			var ends []json.RawMessage
			if json.Unmarshal(rg, &ends) == nil && len(ends) == 2 {
				return rightText(ends[0]) + "-" + rightText(ends[1])
			}
		}
		if v, t, ok := verdictOf(raw); ok {
			return strings.TrimSpace(v + " " + t)
		}
	}
	return compact(raw)
}
