package fwmodel

import (
	"fmt"
	"net/netip"
)

// Packet is the first packet of a connection as the hooks see it. The
// source address, destination address and input interface may be left
// unset: the evaluator then follows every answer a rule could give for
// them and reports, per outcome, which sources and interfaces lead there.
type Packet struct {
	Family   string // "ipv4" or "ipv6"
	L4Proto  string // "tcp", "udp", "icmp", "ipv6-icmp", ...
	Dport    int    // tcp/udp destination port
	Sport    int    // tcp/udp source port; 0: unknown (ephemeral)
	ICMPType string // for icmp: "echo-request", ...
	CtState  string // "new" (default), "established", "related"
	Saddr    netip.Addr
	Daddr    netip.Addr
	Iif      string
	// FromNetwork: the packet arrives from another host, so an unset Iif
	// is never "lo".
	FromNetwork bool
}

// Decision is where a verdict was reached.
type Decision struct {
	Hook   string `json:"hook"`
	Family string `json:"family"`
	Table  string `json:"table"`
	Chain  string `json:"chain"`
	// Rule is the deciding rule's handle (0: the chain's policy).
	Rule int `json:"rule,omitempty"`
	// Text is the deciding rule, or "policy drop".
	Text string `json:"text"`
}

func (d Decision) String() string {
	return fmt.Sprintf("%s %s %s: %s", d.Family, d.Table, d.Chain, d.Text)
}

// Outcome is one way a packet can go, with what it takes to go there.
type Outcome struct {
	// Verdict is accept, drop, reject or uncertain.
	Verdict string `json:"verdict"`
	// Decision says where the final verdict was reached; for accept, the
	// last base chain's accepting rule or policy.
	Decision Decision `json:"decision"`
	// Uncertain lists the expressions the evaluator could not judge on
	// the way (empty: this outcome is exact).
	Uncertain []string `json:"uncertain,omitempty"`
	// Conditions are the conditions on the source, destination or
	// interface this outcome needs ("ip saddr 10.0.0.0/8", "not iifname wg0").
	Conditions []string `json:"conditions,omitempty"`
	// Sources and Interfaces are the source ranges and input interfaces
	// this outcome is possible for, when not every one.
	Sources    []string `json:"sources,omitempty"`
	Interfaces []string `json:"interfaces,omitempty"`
	// AnySource: the outcome is possible for a public source address
	// arriving on an interface no rule names, to a non-loopback address.
	AnySource bool `json:"any_source"`
	// Logged: a log statement ran on the way; Limited: a rate limit
	// matched; PortMatched: a rule on the way matched the destination port
	// explicitly.
	// SourceNamed: a rule on the way required the source to be in
	// addresses it names (ip saddr 10.0.0.0/8, ip saddr @admins).
	SourceNamed bool `json:"source_named"`
	Logged      bool `json:"logged"`
	Limited     bool `json:"limited"`
	PortMatched bool `json:"port_matched"`

	st *state
}

// Result is every outcome of one packet.
type Result struct {
	Outcomes []Outcome `json:"outcomes"`
	// BaseChains counts the base chains the packet met on its hooks.
	BaseChains int `json:"base_chains"`
}

// Limits of one evaluation, so that a hostile ruleset cannot make it
// explode: jumps nest at most maxJumpDepth deep (the kernel allows 16 for
// nftables), and at most maxPaths alternative paths are followed.
const (
	maxJumpDepth = 64
	maxPaths     = 20000
)

// InputHooks are the hooks a packet for a local socket crosses, in order.
var InputHooks = []string{"ingress", "prerouting", "input"}

// ForwardHooks are the hooks a routed packet crosses before leaving.
var ForwardHooks = []string{"ingress", "prerouting", "forward"}

// Evaluate walks p through the base chains of hooks in order.
func (r *Ruleset) Evaluate(p Packet, hooks []string) Result {
	if p.CtState == "" {
		p.CtState = "new"
	}
	e := newEvaluator(r, p)
	var res Result
	states := []*state{e.initial()}
	for _, hook := range hooks {
		for _, c := range r.BaseChains(hook, p.Family) {
			res.BaseChains++
			var next []*state
			for _, st := range states {
				e.runBase(c, st, func(st *state, v string) {
					if v == "accept" {
						next = append(next, st)
						return
					}
					res.Outcomes = append(res.Outcomes, e.outcome(st, v))
				})
			}
			states = next
		}
	}
	for _, st := range states {
		res.Outcomes = append(res.Outcomes, e.outcome(st, "accept"))
	}
	return res
}

// state is one path: what is still possible for the unknown fields, and
// what happened on the way.
type state struct {
	saddr, daddr, iif bitset
	taints            []string
	conds             []string
	logged, limited   bool
	portMatched       bool
	srcNamed          bool
	unknownEnd        bool
	decision          Decision
}

func (s *state) clone() *state {
	c := *s
	c.saddr, c.daddr, c.iif = s.saddr.clone(), s.daddr.clone(), s.iif.clone()
	c.taints = append([]string(nil), s.taints...)
	c.conds = append([]string(nil), s.conds...)
	return &c
}

func (s *state) taint(what string) {
	for _, t := range s.taints {
		if t == what {
			return
		}
	}
	s.taints = append(s.taints, what)
}

type evaluator struct {
	r     *Ruleset
	p     Packet
	dom   *domain
	paths int
	masks map[*Expr][]bitset
}

func newEvaluator(r *Ruleset, p Packet) *evaluator {
	return &evaluator{r: r, p: p, dom: buildDomain(r, p), masks: map[*Expr][]bitset{}}
}

func (e *evaluator) initial() *state {
	return &state{saddr: full(len(e.dom.saddr)), daddr: full(len(e.dom.daddr)), iif: full(len(e.dom.iif))}
}

func (e *evaluator) outcome(st *state, verdict string) Outcome {
	o := Outcome{Verdict: verdict, Decision: st.decision, Uncertain: st.taints, Conditions: st.conds,
		SourceNamed: st.srcNamed, Logged: st.logged, Limited: st.limited, PortMatched: st.portMatched, st: st}
	o.AnySource = e.dom.anySource(st)
	o.Sources, _ = e.dom.describe(st.saddr, e.dom.saddr)
	o.Interfaces = e.dom.interfaces(st.iif)
	return o
}

// emitFn receives a path leaving a chain: "accept", "drop", "reject",
// "uncertain", or "return" (fell off the end or returned).
type emitFn func(st *state, v string)

// runBase runs a base chain: "return" from it means its policy.
func (e *evaluator) runBase(c *Chain, st *state, emit emitFn) {
	if len(c.Devices) > 0 && c.Hook == "ingress" {
		dev := &Expr{Kind: Match, Field: FieldIif, Values: strValues(c.Devices), Text: "device " + joinStr(c.Devices)}
		t, f := e.match(dev, st)
		if f != nil {
			emit(f, "accept") // the chain does not see packets of other devices
		}
		if t == nil {
			return
		}
		st = t
	}
	e.runRules(c, 0, st, 0, func(st *state, v string) {
		if v == "return" {
			policy := c.Policy
			if policy == "" {
				policy = "accept"
			}
			st.decision = Decision{Hook: c.Hook, Family: c.Table.Family, Table: c.Table.Name, Chain: c.Name, Text: "policy " + policy}
			v = policy
		}
		emit(st, v)
	})
}

// runRules runs the rules of c from index from on st.
func (e *evaluator) runRules(c *Chain, from int, st *state, depth int, emit emitFn) {
	for i := from; i < len(c.Rules); i++ {
		rule := c.Rules[i]
		var misses []*state
		e.runRule(c, rule, st, depth, func(s *state, v string) {
			if v == "next" {
				misses = append(misses, s)
				return
			}
			emit(s, v)
		})
		if len(misses) == 0 {
			return
		}
		for _, m := range misses[1:] {
			e.runRules(c, i+1, m, depth, emit)
		}
		st = misses[0]
	}
	emit(st, "return")
}

// runRule evaluates one rule's expressions in order. A path on which the
// rule does not match, or matches without a verdict, leaves as "next".
func (e *evaluator) runRule(c *Chain, rule *Rule, st *state, depth int, emit emitFn) {
	e.runExprs(c, rule, 0, st, depth, emit)
}

func (e *evaluator) runExprs(c *Chain, rule *Rule, k int, st *state, depth int, emit emitFn) {
	for ; k < len(rule.Exprs); k++ {
		x := &rule.Exprs[k]
		switch x.Kind {
		case Match, UnknownMatch:
			t, f := e.match(x, st)
			if f != nil {
				if !e.fork() {
					f.taint("too many alternative paths")
					f.unknownEnd = true
					emit(f, "uncertain")
				} else {
					emit(f, "next")
				}
			}
			if t == nil {
				return
			}
			st = t
		case Limit:
			if x.Over {
				emit(st, "next")
				return
			}
			st.limited = true
		case Log:
			st.logged = true
		case Counter, Noop:
		case Unknown:
			st.taint(x.Text)
			st.unknownEnd = true
			st.decision = e.decision(c, rule)
			emit(st, "uncertain")
			return
		case Verdict:
			e.verdict(c, rule, x.Verdict, x.Target, st, depth, emit)
			return
		case VMap:
			rest := st
			for _, ent := range x.Map {
				key := &Expr{Kind: Match, Field: x.Field, Proto: x.Proto, Family: x.Family, Values: []Value{ent.Key}, Text: x.Text}
				t, f := e.match(key, rest)
				if t != nil {
					e.verdict(c, rule, ent.Verdict, ent.Target, t, depth, emit)
				}
				if f == nil {
					return
				}
				rest = f
			}
			emit(rest, "next")
			return
		}
	}
	emit(st, "next")
}

func (e *evaluator) decision(c *Chain, rule *Rule) Decision {
	return Decision{Hook: baseHook(c), Family: c.Table.Family, Table: c.Table.Name, Chain: c.Name, Rule: rule.Handle, Text: rule.Text}
}

// baseHook is c's hook, or "" for a regular chain.
func baseHook(c *Chain) string { return c.Hook }

func (e *evaluator) verdict(c *Chain, rule *Rule, v, target string, st *state, depth int, emit emitFn) {
	switch v {
	case "accept", "drop", "reject":
		st.decision = e.decision(c, rule)
		emit(st, v)
	case "return":
		emit(st, "return")
	case "continue":
		emit(st, "next")
	case "jump", "goto":
		tc := c.Table.Chains[target]
		if tc == nil || depth >= maxJumpDepth {
			st.taint(fmt.Sprintf("%s %s (chain missing or nested too deep)", v, target))
			st.unknownEnd = true
			st.decision = e.decision(c, rule)
			emit(st, "uncertain")
			return
		}
		e.runRules(tc, 0, st, depth+1, func(s *state, tv string) {
			if tv == "return" && v == "jump" {
				tv = "next"
			}
			emit(s, tv)
		})
	default:
		st.taint("verdict " + v)
		st.unknownEnd = true
		st.decision = e.decision(c, rule)
		emit(st, "uncertain")
	}
}

// fork counts one more path; false when the budget is spent.
func (e *evaluator) fork() bool {
	e.paths++
	return e.paths <= maxPaths
}

func strValues(ss []string) []Value {
	out := make([]Value, len(ss))
	for i, s := range ss {
		out[i] = Str(s)
	}
	return out
}

func joinStr(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}
