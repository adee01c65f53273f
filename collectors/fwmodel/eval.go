package fwmodel

import (
	"fmt"
	"net/netip"
	"sync"
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
		if st.decision.Text == "" {
			st.decision = Decision{Hook: hooks[len(hooks)-1], Family: p.Family, Text: "no base chain on the " + hooks[len(hooks)-1] + " hook"}
		}
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
	// shared guards masks when they belong to the ruleset's cache.
	shared *sync.Mutex
	keys   map[*Expr][]Expr
}

func newEvaluator(r *Ruleset, p Packet) *evaluator {
	// The candidates of an open field depend on the ruleset and family
	// only: evaluations of many ports share them and their masks.
	if !p.Saddr.IsValid() && !p.Daddr.IsValid() && p.Iif == "" {
		key := fmt.Sprintf("%s/%v", p.Family, p.FromNetwork)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.cache == nil {
			r.cache = map[string]*evalCache{}
		}
		c := r.cache[key]
		if c == nil {
			c = &evalCache{dom: buildDomain(r, p), masks: map[*Expr][]bitset{}, keys: map[*Expr][]Expr{}}
			r.cache[key] = c
		}
		return &evaluator{r: r, p: p, dom: c.dom, masks: c.masks, keys: c.keys, shared: &r.mu}
	}
	return &evaluator{r: r, p: p, dom: buildDomain(r, p), masks: map[*Expr][]bitset{}}
}

// evalCache is what evaluations of one family share.
type evalCache struct {
	dom   *domain
	masks map[*Expr][]bitset
	keys  map[*Expr][]Expr
}

// vmapKeys are a verdict map's keys as conditions, made once per map so
// that their masks are cached too.
func (e *evaluator) vmapKeys(x *Expr) []Expr {
	if e.shared != nil {
		e.shared.Lock()
		defer e.shared.Unlock()
	}
	if e.keys == nil {
		e.keys = map[*Expr][]Expr{}
	}
	if k, ok := e.keys[x]; ok {
		return k
	}
	k := make([]Expr, len(x.Map))
	for i, ent := range x.Map {
		k[i] = Expr{Kind: Match, Field: x.Field, Proto: x.Proto, Family: x.Family, Values: []Value{ent.Key}, Text: x.Text}
	}
	e.keys[x] = k
	return k
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
		misses = mergeStates(misses)
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
	// The conditions of a rule are a conjunction without side effects: one
	// that is false for this packet whatever its source or interface
	// settles the rule before any other is followed both ways.
	for k := range rule.Exprs {
		if e.definitelyFalse(&rule.Exprs[k]) {
			emit(st, "next")
			return
		}
	}
	e.runExprs(c, rule, 0, st, depth, emit)
}

// definitelyFalse says whether x is a condition that the packet's fixed
// fields make false.
func (e *evaluator) definitelyFalse(x *Expr) bool {
	if x.Kind != Match && x.Kind != UnknownMatch {
		return false
	}
	if x.Proto != "" && !protoMatches(x.Proto, e.p.L4Proto) || x.Family != "" && x.Family != e.p.Family {
		return true
	}
	if x.Kind != Match {
		return false
	}
	switch x.Field {
	case FieldSaddr, FieldDaddr, FieldIif:
		return false
	case FieldSport:
		if e.p.Sport == 0 {
			return false
		}
	}
	ok, known := e.concrete(x)
	return known && ok == x.Negate
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
			keys := e.vmapKeys(x)
			for i, ent := range x.Map {
				t, f := e.match(&keys[i], rest)
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

// mergeStates joins paths that differ in one unknown field only (the
// false branches of "ip saddr X accept" and of "ip saddr Y accept" that
// follow it): the union is exact, and it keeps the number of paths down.
func mergeStates(states []*state) []*state {
	if len(states) < 2 {
		return states
	}
	out := []*state{states[0]}
	for _, s := range states[1:] {
		merged := false
		for _, o := range out {
			if mergeInto(o, s) {
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, s)
		}
	}
	return out
}

func mergeInto(o, s *state) bool {
	if o.logged != s.logged || o.limited != s.limited || o.portMatched != s.portMatched || o.srcNamed != s.srcNamed ||
		o.unknownEnd != s.unknownEnd || !sameStrings(o.taints, s.taints) {
		return false
	}
	diff := 0
	var field Field
	for _, f := range []Field{FieldSaddr, FieldDaddr, FieldIif} {
		if !o.field(f).equal(s.field(f)) {
			diff++
			field = f
		}
	}
	if diff > 1 {
		return false
	}
	if diff == 1 {
		a, b := o.field(field), s.field(field)
		u := make(bitset, len(a))
		for i := range a {
			u[i] = a[i] | b[i]
		}
		o.setField(field, u)
	}
	o.conds = commonStrings(o.conds, s.conds)
	return true
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func commonStrings(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if in[s] {
			out = append(out, s)
		}
	}
	return out
}
