package iptables

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/fwmodel"
)

// nonTerminal are targets that let the packet go on to the next rule and
// change nothing the verdict of a first packet depends on.
var nonTerminal = map[string]bool{
	"MARK": true, "CONNMARK": true, "TCPMSS": true, "DSCP": true, "TOS": true, "TTL": true, "HL": true,
	"CHECKSUM": true, "CLASSIFY": true, "TRACE": true, "AUDIT": true, "SECMARK": true, "CONNSECMARK": true,
}

// translate turns a rule's options (after -A CHAIN) into expressions.
func translate(args []string, chains map[string]*fwmodel.Chain) ([]fwmodel.Expr, error) {
	tr := &translator{args: args, chains: chains}
	for tr.i < len(args) {
		if err := tr.option(); err != nil {
			return nil, err
		}
	}
	if tr.verdict != nil {
		// Matches written after -j still come before the target.
		tr.exprs = append(tr.exprs, *tr.verdict)
	}
	return tr.exprs, nil
}

type translator struct {
	args    []string
	i       int
	chains  map[string]*fwmodel.Chain
	exprs   []fwmodel.Expr
	proto   string
	module  string
	verdict *fwmodel.Expr
}

func (t *translator) next() (string, error) {
	if t.i >= len(t.args) {
		return "", fmt.Errorf("option %s lacks its argument", t.args[t.i-1])
	}
	a := t.args[t.i]
	t.i++
	return a, nil
}

// values consumes the arguments of an option the translator does not
// know: every following word up to the next option.
func (t *translator) values() []string {
	var out []string
	for t.i < len(t.args) && !strings.HasPrefix(t.args[t.i], "-") && t.args[t.i] != "!" {
		out = append(out, t.args[t.i])
		t.i++
	}
	return out
}

func (t *translator) add(x fwmodel.Expr) { t.exprs = append(t.exprs, x) }

func (t *translator) unknown(neg bool, words ...string) {
	text := strings.Join(words, " ")
	if neg {
		text = "! " + text
	}
	t.add(fwmodel.Expr{Kind: fwmodel.UnknownMatch, Text: text})
}

func (t *translator) option() error {
	neg := false
	if t.args[t.i] == "!" {
		neg = true
		t.i++
		if t.i >= len(t.args) {
			return fmt.Errorf("! at the end of the rule")
		}
	}
	opt := t.args[t.i]
	t.i++
	text := func(arg string) string {
		s := opt + " " + arg
		if neg {
			s = "! " + s
		}
		return s
	}
	switch opt {
	case "-s", "--source", "-d", "--destination":
		arg, err := t.next()
		if err != nil {
			return err
		}
		field := fwmodel.FieldSaddr
		if opt == "-d" || opt == "--destination" {
			field = fwmodel.FieldDaddr
		}
		vals, ok := addresses(arg)
		if !ok {
			t.unknown(neg, opt, arg)
			return nil
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: field, Negate: neg, Values: vals, Text: text(arg)})
	case "-i", "--in-interface":
		arg, err := t.next()
		if err != nil {
			return err
		}
		name := arg
		if p, ok := strings.CutSuffix(arg, "+"); ok {
			name = p + "*"
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldIif, Negate: neg, Values: []fwmodel.Value{fwmodel.Str(name)}, Text: text(arg)})
	case "-o", "--out-interface":
		arg, err := t.next()
		if err != nil {
			return err
		}
		t.unknown(neg, opt, arg)
	case "-p", "--protocol":
		arg, err := t.next()
		if err != nil {
			return err
		}
		p := strings.ToLower(arg)
		if p == "icmpv6" {
			p = "ipv6-icmp"
		}
		if p == "all" || p == "0" {
			if neg {
				t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldL4Proto, Values: []fwmodel.Value{fwmodel.Str("none")}, Text: text(arg)})
			}
			return nil
		}
		if !neg {
			t.proto = p
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldL4Proto, Negate: neg, Values: []fwmodel.Value{fwmodel.Str(p)}, Text: text(arg)})
	case "-m", "--match":
		arg, err := t.next()
		if err != nil {
			return err
		}
		t.module = arg
	case "-f", "--fragment":
		t.unknown(neg, opt)
	case "-j", "--jump", "-g", "--goto":
		arg, err := t.next()
		if err != nil {
			return err
		}
		return t.target(opt, arg)
	default:
		if !strings.HasPrefix(opt, "--") {
			return fmt.Errorf("unknown option %q", opt)
		}
		return t.moduleOption(neg, opt, text)
	}
	return nil
}

func (t *translator) moduleOption(neg bool, opt string, text func(string) string) error {
	switch opt {
	case "--dport", "--destination-port", "--sport", "--source-port", "--dports", "--destination-ports", "--sports", "--source-ports":
		arg, err := t.next()
		if err != nil {
			return err
		}
		vals, ok := ports(arg)
		if !ok {
			t.unknown(neg, opt, arg)
			return nil
		}
		field := fwmodel.FieldDport
		if strings.HasPrefix(opt, "--s") {
			field = fwmodel.FieldSport
		}
		proto := t.proto
		if proto == "" {
			proto = "th"
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: field, Proto: proto, Negate: neg, Values: vals, Text: text(arg)})
	case "--ctstate", "--state":
		arg, err := t.next()
		if err != nil {
			return err
		}
		var vals []fwmodel.Value
		for _, s := range strings.Split(arg, ",") {
			vals = append(vals, fwmodel.Str(strings.ToLower(s)))
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldCtState, Negate: neg, Values: vals, Text: text(arg)})
	case "--icmp-type", "--icmpv6-type":
		arg, err := t.next()
		if err != nil {
			return err
		}
		proto := "icmp"
		if opt == "--icmpv6-type" {
			proto = "ipv6-icmp"
		}
		if arg == "any" {
			return nil
		}
		typ, _, _ := strings.Cut(arg, "/")
		v := fwmodel.Str(typ)
		if n, err := strconv.ParseInt(typ, 10, 64); err == nil {
			v = fwmodel.Num(n)
		}
		if strings.Contains(arg, "/") {
			t.unknown(neg, opt, arg+" (ICMP code)")
			return nil
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldICMPType, Proto: proto, Negate: neg, Values: []fwmodel.Value{v}, Text: text(arg)})
	case "--dst-type":
		arg, err := t.next()
		if err != nil {
			return err
		}
		var vals []fwmodel.Value
		for _, s := range strings.Split(arg, ",") {
			vals = append(vals, fwmodel.Str(strings.ToUpper(s)))
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldAddrType, Negate: neg, Values: vals, Text: text(arg)})
	case "--pkt-type":
		arg, err := t.next()
		if err != nil {
			return err
		}
		typ := strings.ToLower(arg)
		if typ == "unicast" {
			typ = "host"
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldPktType, Negate: neg, Values: []fwmodel.Value{fwmodel.Str(typ)}, Text: text(arg)})
	case "--src-range", "--dst-range":
		arg, err := t.next()
		if err != nil {
			return err
		}
		lo, hi, _ := strings.Cut(arg, "-")
		a, err1 := netip.ParseAddr(lo)
		b, err2 := netip.ParseAddr(hi)
		if err1 != nil || err2 != nil || b.Less(a) {
			t.unknown(neg, opt, arg)
			return nil
		}
		field := fwmodel.FieldSaddr
		if opt == "--dst-range" {
			field = fwmodel.FieldDaddr
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: field, Negate: neg, Values: []fwmodel.Value{fwmodel.AddrRange(a, b)}, Text: text(arg)})
	case "--comment":
		arg, err := t.next()
		if err != nil {
			return err
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Noop, Text: "comment " + strconv.Quote(arg)})
	case "--limit", "--hashlimit-upto", "--hashlimit", "--hashlimit-above":
		arg, err := t.next()
		if err != nil {
			return err
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Limit, Over: opt == "--hashlimit-above" || neg, Text: text(arg)})
	case "--set", "--remove":
		if t.module == "recent" {
			t.add(fwmodel.Expr{Kind: fwmodel.Noop, Text: "recent " + opt})
			return nil
		}
		t.unknown(neg, append([]string{opt}, t.values()...)...)
	case "--update", "--rcheck":
		if t.module == "recent" && !neg {
			// A threshold of recent connections from the source: the
			// first connection is under it, as under a rate limit.
			t.add(fwmodel.Expr{Kind: fwmodel.Limit, Over: true, Text: "recent " + opt + " (a first connection is under the hit count)"})
			return nil
		}
		t.unknown(neg, append([]string{opt}, t.values()...)...)
	case "--limit-burst", "--seconds", "--hitcount", "--name", "--mask", "--reap", "--rttl", "--rsource", "--rdest":
		if t.module == "limit" || t.module == "recent" {
			t.values()
			return nil
		}
		t.unknown(neg, append([]string{opt}, t.values()...)...)
	case "--rt-type":
		// -m rt: an IPv6 routing header; the probed packets carry none.
		arg, err := t.next()
		if err != nil {
			return err
		}
		t.add(fwmodel.Expr{Kind: fwmodel.Match, Field: fwmodel.FieldExtHdr, Negate: neg, Values: []fwmodel.Value{fwmodel.Str("rt")}, Text: text(arg)})
	default:
		if strings.HasPrefix(opt, "--hashlimit-") {
			t.values()
			return nil
		}
		words := append([]string{"-m " + t.module, opt}, t.values()...)
		t.unknown(neg, words...)
	}
	return nil
}

// target translates -j/-g TARGET and its --options; matches may follow.
func (t *translator) target(opt, name string) error {
	if t.verdict != nil {
		return fmt.Errorf("more than one target")
	}
	start := t.i
	for t.i < len(t.args) && strings.HasPrefix(t.args[t.i], "--") {
		t.i++
		t.values()
	}
	text := strings.TrimSpace("-j " + name + " " + strings.Join(t.args[start:t.i], " "))
	set := func(x fwmodel.Expr) { t.verdict = &x }
	if opt == "-g" || opt == "--goto" {
		if t.chains[name] == nil {
			return fmt.Errorf("goto to undeclared chain %s", name)
		}
		set(fwmodel.Expr{Kind: fwmodel.Verdict, Verdict: "goto", Target: name, Text: "-g " + name})
		return nil
	}
	switch name {
	case "ACCEPT", "DROP", "REJECT", "RETURN":
		set(fwmodel.Expr{Kind: fwmodel.Verdict, Verdict: strings.ToLower(name), Text: text})
	case "LOG", "NFLOG", "ULOG":
		set(fwmodel.Expr{Kind: fwmodel.Log, Text: text})
	default:
		switch {
		case nonTerminal[name]:
			set(fwmodel.Expr{Kind: fwmodel.Noop, Text: text})
		case t.chains[name] != nil:
			set(fwmodel.Expr{Kind: fwmodel.Verdict, Verdict: "jump", Target: name, Text: "-j " + name})
		case strings.ToUpper(name) == name:
			set(fwmodel.Expr{Kind: fwmodel.Unknown, Text: text})
		default:
			return fmt.Errorf("jump to undeclared chain %s", name)
		}
	}
	return nil
}

// addresses reads -s/-d: addresses or networks, comma-separated, with a
// prefix length or a dotted mask.
func addresses(arg string) ([]fwmodel.Value, bool) {
	var out []fwmodel.Value
	for _, s := range strings.Split(arg, ",") {
		addr, mask, hasMask := strings.Cut(s, "/")
		a, err := netip.ParseAddr(addr)
		if err != nil {
			return nil, false
		}
		bits := a.BitLen()
		if hasMask {
			if n, err := strconv.Atoi(mask); err == nil {
				bits = n
			} else if m, err := netip.ParseAddr(mask); err == nil && m.BitLen() == a.BitLen() {
				bits = maskBits(m)
				if bits < 0 {
					return nil, false
				}
			} else {
				return nil, false
			}
		}
		if bits < 0 || bits > a.BitLen() {
			return nil, false
		}
		out = append(out, fwmodel.Prefix(netip.PrefixFrom(a, bits)))
	}
	return out, true
}

// maskBits is the prefix length of a contiguous netmask, -1 otherwise.
func maskBits(m netip.Addr) int {
	n, seenZero := 0, false
	for _, b := range m.AsSlice() {
		for i := 7; i >= 0; i-- {
			if b&(1<<i) != 0 {
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

// ports reads "22", "1000:2000" (":2000", "1000:" open-ended) and
// comma-separated lists of those (multiport).
func ports(arg string) ([]fwmodel.Value, bool) {
	var out []fwmodel.Value
	for _, s := range strings.Split(arg, ",") {
		lo, hi, isRange := strings.Cut(s, ":")
		if !isRange {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 || n > 65535 {
				return nil, false
			}
			out = append(out, fwmodel.Num(n))
			continue
		}
		a, b := int64(0), int64(65535)
		var err error
		if lo != "" {
			if a, err = strconv.ParseInt(lo, 10, 64); err != nil {
				return nil, false
			}
		}
		if hi != "" {
			if b, err = strconv.ParseInt(hi, 10, 64); err != nil {
				return nil, false
			}
		}
		if a < 0 || b > 65535 || a > b {
			return nil, false
		}
		out = append(out, fwmodel.NumRange(a, b))
	}
	return out, true
}
