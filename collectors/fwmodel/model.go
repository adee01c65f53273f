// Package fwmodel is a model of a host firewall (nftables tables, and the
// iptables/ufw tables translated into the same shape) and an evaluator
// that answers what the kernel would do with one packet: which base chains
// of a hook it crosses, in priority order, which rules match, and the
// verdict. Parsers live elsewhere (collectors/nftables, collectors/iptables);
// this package never reads a file.
//
// The evaluator is exact on what it understands and says so when it does
// not: an expression it cannot judge makes the outcome "uncertain" with the
// expression named, never a silent accept or drop.
package fwmodel

import (
	"net/netip"
	"sort"
	"sync"
)

// Ruleset is every table that acts on packets of the host.
type Ruleset struct {
	Tables []*Table `json:"tables"`

	// cache holds what evaluations share (see newEvaluator); a ruleset
	// must not change once evaluated.
	mu    sync.Mutex
	cache map[string]*evalCache
}

// Table is an nftables table, or an iptables table (filter, raw, mangle)
// seen as one: its built-in chains are base chains at iptables' fixed
// priorities.
type Table struct {
	// Family is the nftables family: ip, ip6, inet, netdev, arp, bridge.
	Family string `json:"family"`
	Name   string `json:"name"`
	// Source says where the table comes from: "nftables",
	// "iptables-legacy", "iptables-nft", "ufw".
	Source string            `json:"source"`
	Chains map[string]*Chain `json:"-"`
	// ChainOrder keeps the chains in the order the source lists them.
	ChainOrder []string        `json:"-"`
	Sets       map[string]*Set `json:"-"`
}

// Chain is a chain; a base chain has a hook, a priority and a policy.
type Chain struct {
	Table    *Table   `json:"-"`
	Name     string   `json:"name"`
	Base     bool     `json:"base"`
	Type     string   `json:"type,omitempty"`
	Hook     string   `json:"hook,omitempty"`
	Priority int      `json:"priority"`
	Policy   string   `json:"policy,omitempty"` // accept or drop
	Devices  []string `json:"devices,omitempty"`
	Rules    []*Rule  `json:"-"`
}

// Rule is one rule: expressions evaluated in order, all of them conditions
// or statements; the last verdict statement decides.
type Rule struct {
	// Handle is the nftables rule handle, or the 1-based line of an
	// iptables rule in its save file.
	Handle int    `json:"handle"`
	Text   string `json:"text"`
	Exprs  []Expr `json:"-"`
}

// Kind is what an expression is.
type Kind int

const (
	// Match compares a packet field with values.
	Match Kind = iota
	// Verdict is accept, drop, reject, jump, goto, return or continue.
	Verdict
	// VMap is a verdict map keyed by a packet field.
	VMap
	// Log, Counter and Limit are statements that do not decide.
	Log
	Counter
	Limit
	// Noop is a statement that changes nothing the evaluator reads
	// (comment, meta mark set, quota under its limit, nftrace).
	Noop
	// Unknown is a statement the evaluator cannot judge (dnat, queue, an
	// iptables-nft xt target): a packet reaching it has an uncertain fate.
	Unknown
	// UnknownMatch is a condition the evaluator cannot judge (meta mark,
	// fib, an xt match): both answers are followed, and every outcome
	// behind it is marked uncertain with the condition named.
	UnknownMatch
)

// Field is a packet property a Match reads.
type Field string

// The fields the evaluator knows.
const (
	FieldL4Proto  Field = "l4proto"  // meta l4proto, ip protocol, ip6 nexthdr, iptables -p
	FieldNFProto  Field = "nfproto"  // meta nfproto / meta protocol: "ipv4" or "ipv6"
	FieldIif      Field = "iif"      // input interface name (iif and iifname)
	FieldSaddr    Field = "saddr"    // source address
	FieldDaddr    Field = "daddr"    // destination address
	FieldDport    Field = "dport"    // transport destination port
	FieldSport    Field = "sport"    // transport source port
	FieldCtState  Field = "ctstate"  // conntrack state
	FieldICMPType Field = "icmptype" // icmp/icmpv6 type (names as nft prints them)
	FieldPktType  Field = "pkttype"  // meta pkttype: host, broadcast, multicast
	FieldAddrType Field = "addrtype" // iptables -m addrtype --dst-type
	FieldExtHdr   Field = "exthdr"   // presence of an IPv6 extension header (rt, frag, ...)
)

// Expr is one expression of a rule.
type Expr struct {
	Kind Kind `json:"kind"`
	// Match: Field compared with Values (any of them); Negate inverts.
	// Proto is the transport a port or ICMP match implies ("tcp", "udp",
	// "icmp", ...; "" for th/any): a tcp dport match never matches UDP.
	// Family is the address family an address match implies ("ipv4",
	// "ipv6", "" for either).
	Field  Field   `json:"field,omitempty"`
	Proto  string  `json:"proto,omitempty"`
	Family string  `json:"family,omitempty"`
	Negate bool    `json:"negate,omitempty"`
	Values []Value `json:"values,omitempty"`
	// Verdict: accept, drop, reject, jump, goto, return, continue; Target
	// for jump and goto.
	Verdict string `json:"verdict,omitempty"`
	Target  string `json:"target,omitempty"`
	// Map is a VMap's entries: key values and the verdict each selects.
	Map []MapEntry `json:"map,omitempty"`
	// Over is a Limit that matches above its rate (limit rate over):
	// a single new packet is under any rate, so it does not match.
	Over bool `json:"over,omitempty"`
	// Text describes the expression for evidence and for Unknown.
	Text string `json:"text"`
}

// MapEntry is one element of a verdict map.
type MapEntry struct {
	Key     Value  `json:"key"`
	Verdict string `json:"verdict"`
	Target  string `json:"target,omitempty"`
}

// Value is a constant a Match compares with: a string (interface name,
// with a trailing * as wildcard, ct state, protocol), a number range
// (ports, types; Lo == Hi for one number) or an address range (a prefix
// or range of addresses).
type Value struct {
	Str    string     `json:"str,omitempty"`
	Lo     int64      `json:"lo,omitempty"`
	Hi     int64      `json:"hi,omitempty"`
	IsNum  bool       `json:"is_num,omitempty"`
	AddrLo netip.Addr `json:"addr_lo,omitzero"`
	AddrHi netip.Addr `json:"addr_hi,omitzero"`
}

// Str, Num, NumRange, Prefix and AddrRange build Values.
func Str(s string) Value                { return Value{Str: s} }
func Num(n int64) Value                 { return Value{IsNum: true, Lo: n, Hi: n} }
func NumRange(lo, hi int64) Value       { return Value{IsNum: true, Lo: lo, Hi: hi} }
func Prefix(p netip.Prefix) Value       { return AddrRange(p.Masked().Addr(), lastAddr(p)) }
func AddrRange(lo, hi netip.Addr) Value { return Value{AddrLo: lo, AddrHi: hi} }

// IsAddr reports whether v is an address range.
func (v Value) IsAddr() bool { return v.AddrLo.IsValid() }

// Set is a named nftables set (or a map): its elements, and for a
// verdict map its verdicts.
type Set struct {
	Name     string     `json:"name"`
	Elements []Value    `json:"elements"`
	Map      []MapEntry `json:"map,omitempty"`
	// Unknown names what the set holds when the evaluator cannot use it
	// (concatenations, elements of an unknown type).
	Unknown string `json:"unknown,omitempty"`
}

// AddTable adds t, creating its maps.
func (r *Ruleset) AddTable(t *Table) *Table {
	if t.Chains == nil {
		t.Chains = map[string]*Chain{}
	}
	if t.Sets == nil {
		t.Sets = map[string]*Set{}
	}
	r.Tables = append(r.Tables, t)
	return t
}

// Table returns the table of family and name, or nil.
func (r *Ruleset) Table(family, name string) *Table {
	for _, t := range r.Tables {
		if t.Family == family && t.Name == name {
			return t
		}
	}
	return nil
}

// AddChain adds c to t (or returns the chain of that name already there).
func (t *Table) AddChain(c *Chain) *Chain {
	if old, ok := t.Chains[c.Name]; ok {
		return old
	}
	c.Table = t
	t.Chains[c.Name] = c
	t.ChainOrder = append(t.ChainOrder, c.Name)
	return c
}

// RuleCount is the number of rules in the ruleset.
func (r *Ruleset) RuleCount() int {
	n := 0
	for _, t := range r.Tables {
		for _, c := range t.Chains {
			n += len(c.Rules)
		}
	}
	return n
}

// BaseChains returns the base chains on hook that see packets of family
// ("ipv4" or "ipv6"), by priority (ties: table order, as the kernel keeps
// registration order).
func (r *Ruleset) BaseChains(hook, family string) []*Chain {
	var out []*Chain
	for _, t := range r.Tables {
		if !familySees(t.Family, family) {
			continue
		}
		for _, name := range t.ChainOrder {
			c := t.Chains[name]
			if c.Base && c.Hook == hook {
				out = append(out, c)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out
}

// familySees says whether a table of nftables family tf sees packets of
// family ("ipv4"/"ipv6").
func familySees(tf, family string) bool {
	switch tf {
	case "inet", "netdev":
		return true
	case "ip":
		return family == "ipv4"
	case "ip6":
		return family == "ipv6"
	}
	return false
}

func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	b := p.Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for bit := 0; bit < 8; bit++ {
			if i*8+bit >= bits {
				b[i] |= 0x80 >> bit
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
