package fwmodel

import (
	"fmt"
	"net/netip"
	"testing"
)

// chain builds a base input chain in an inet table.
func inputChain(policy string, rules ...[]Expr) *Ruleset {
	rs := &Ruleset{}
	t := rs.AddTable(&Table{Family: "inet", Name: "filter", Source: "test"})
	c := t.AddChain(&Chain{Name: "input", Base: true, Type: "filter", Hook: "input", Policy: policy})
	for i, r := range rules {
		c.Rules = append(c.Rules, &Rule{Handle: i + 1, Text: fmt.Sprint("rule ", i+1), Exprs: r})
	}
	return rs
}

func dport(p int64) Expr {
	return Expr{Kind: Match, Field: FieldDport, Proto: "tcp", Values: []Value{Num(p)}, Text: fmt.Sprint("tcp dport ", p)}
}
func saddr(p string) Expr {
	return Expr{Kind: Match, Field: FieldSaddr, Family: "ipv4", Values: []Value{Prefix(netip.MustParsePrefix(p))}, Text: "ip saddr " + p}
}
func iif(n string) Expr {
	return Expr{Kind: Match, Field: FieldIif, Values: []Value{Str(n)}, Text: "iifname " + n}
}
func verdict(v string) Expr { return Expr{Kind: Verdict, Verdict: v, Text: v} }

func classify(rs *Ruleset, port int) Exposure {
	return Classify(rs.Evaluate(Packet{Family: "ipv4", L4Proto: "tcp", Dport: port, FromNetwork: true}, InputHooks))
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		rs   *Ruleset
		port int
		want string
	}{
		{"no firewall", &Ruleset{}, 22, AcceptedFromAny},
		{"policy drop", inputChain("drop"), 22, Dropped},
		{"port open", inputChain("drop", []Expr{dport(22), verdict("accept")}), 22, AcceptedFromAny},
		{"source restricted", inputChain("drop", []Expr{saddr("10.0.0.0/8"), dport(22), verdict("accept")}), 22, Restricted},
		{"interface restricted", inputChain("drop", []Expr{iif("wg0"), dport(22), verdict("accept")}), 22, Restricted},
		{"negated source is not a restriction", inputChain("drop", []Expr{func() Expr { x := saddr("10.0.0.0/8"); x.Negate = true; return x }(), dport(22), verdict("accept")}), 22, AcceptedFromAny},
		{"private-only source", inputChain("drop", []Expr{saddr("192.168.0.0/16"), verdict("accept")}), 443, Restricted},
		{"final reject", inputChain("accept", []Expr{dport(80), verdict("accept")}, []Expr{verdict("reject")}), 22, Dropped},
		{"unknown statement", inputChain("drop", []Expr{{Kind: Unknown, Text: "queue num 1"}}), 22, Uncertain},
		{"unknown match before drop", inputChain("drop", []Expr{{Kind: UnknownMatch, Text: "meta mark 1"}, verdict("accept")}), 22, Uncertain},
		{"unknown match, both ways drop", inputChain("drop", []Expr{{Kind: UnknownMatch, Text: "meta mark 1"}, verdict("drop")}), 22, Dropped},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(tc.rs, tc.port)
			if got.Status != tc.want {
				t.Fatalf("%s, want %s (%+v)", got.Status, tc.want, got)
			}
		})
	}
}

func TestJumpGotoReturn(t *testing.T) {
	rs := inputChain("accept", []Expr{verdict("jump")}, []Expr{dport(22), verdict("drop")})
	tb := rs.Tables[0]
	rs.Tables[0].Chains["input"].Rules[0].Exprs[0].Target = "dispatch"
	d := tb.AddChain(&Chain{Name: "dispatch"})
	o := tb.AddChain(&Chain{Name: "only"})
	d.Rules = []*Rule{{Handle: 10, Exprs: []Expr{dport(22), {Kind: Verdict, Verdict: "goto", Target: "only"}}}}
	o.Rules = []*Rule{{Handle: 20, Exprs: []Expr{iif("mgmt"), verdict("accept")}}, {Handle: 21, Exprs: []Expr{verdict("return")}}}
	res := rs.Evaluate(Packet{Family: "ipv4", L4Proto: "tcp", Dport: 22, Saddr: netip.MustParseAddr("192.0.2.1"), Iif: "eth0"}, InputHooks)
	if len(res.Outcomes) != 1 || res.Outcomes[0].Verdict != "drop" || res.Outcomes[0].Decision.Chain != "input" {
		t.Fatalf("return from a goto target must go back to input: %+v", res.Outcomes)
	}
	res = rs.Evaluate(Packet{Family: "ipv4", L4Proto: "tcp", Dport: 22, Saddr: netip.MustParseAddr("192.0.2.1"), Iif: "mgmt"}, InputHooks)
	if res.Outcomes[0].Verdict != "accept" {
		t.Fatalf("%+v", res.Outcomes)
	}
}

func TestPathBudget(t *testing.T) {
	// 30 conditional jumps on different sources: 2^30 paths if followed
	// blindly; the budget turns the excess into an uncertain outcome.
	rs := &Ruleset{}
	tb := rs.AddTable(&Table{Family: "inet", Name: "f"})
	in := tb.AddChain(&Chain{Name: "input", Base: true, Hook: "input", Policy: "drop"})
	tb.AddChain(&Chain{Name: "noop"})
	for i := 0; i < 30; i++ {
		in.Rules = append(in.Rules, &Rule{Handle: i, Exprs: []Expr{saddr(fmt.Sprintf("10.%d.0.0/16", i)), {Kind: Verdict, Verdict: "jump", Target: "noop"}}})
		in.Rules = append(in.Rules, &Rule{Handle: 100 + i, Exprs: []Expr{iif(fmt.Sprint("if", i)), {Kind: Verdict, Verdict: "jump", Target: "noop"}}})
	}
	ex := classify(rs, 22)
	if ex.Status != Uncertain && ex.Status != Dropped {
		t.Fatalf("%+v", ex)
	}
}

// bigRuleset is 2,000 rules: per-service accepts with sources, sets and
// interfaces, user chains and a final log+drop, as a large hand-written
// or generated ruleset looks.
func bigRuleset() *Ruleset {
	rs := &Ruleset{}
	tb := rs.AddTable(&Table{Family: "inet", Name: "filter"})
	in := tb.AddChain(&Chain{Name: "input", Base: true, Hook: "input", Policy: "drop"})
	svc := tb.AddChain(&Chain{Name: "services"})
	in.Rules = append(in.Rules, &Rule{Exprs: []Expr{iif("lo"), verdict("accept")}},
		&Rule{Exprs: []Expr{{Kind: Match, Field: FieldCtState, Values: []Value{Str("established"), Str("related")}}, verdict("accept")}},
		&Rule{Exprs: []Expr{{Kind: Verdict, Verdict: "jump", Target: "services"}}})
	for i := 0; i < 1997; i++ {
		port := int64(1000 + i)
		var r []Expr
		switch i % 4 {
		case 0:
			r = []Expr{saddr(fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)), dport(port), verdict("accept")}
		case 1:
			r = []Expr{iif(fmt.Sprint("vlan", i)), dport(port), verdict("accept")}
		case 2:
			r = []Expr{{Kind: Match, Field: FieldDport, Proto: "tcp", Values: []Value{NumRange(port, port+3), Num(port + 10)}}, {Kind: Counter}, verdict("accept")}
		default:
			r = []Expr{dport(port), {Kind: Log}, verdict("drop")}
		}
		svc.Rules = append(svc.Rules, &Rule{Handle: i, Exprs: r})
	}
	in.Rules = append(in.Rules, &Rule{Exprs: []Expr{{Kind: Log}, verdict("drop")}})
	return rs
}

func TestBigRuleset(t *testing.T) {
	rs := bigRuleset()
	if n := rs.RuleCount(); n < 2000 {
		t.Fatalf("%d rules", n)
	}
	if ex := classify(rs, 1000); ex.Status != Restricted {
		t.Fatalf("%+v", ex)
	}
	if ex := classify(rs, 65000); ex.Status != Dropped || !ex.LoggedDrop {
		t.Fatalf("%+v", ex)
	}
}

func BenchmarkEvaluate2000Rules(b *testing.B) {
	rs := bigRuleset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Classify(rs.Evaluate(Packet{Family: "ipv4", L4Proto: "tcp", Dport: 65000, FromNetwork: true}, InputHooks))
	}
}

func BenchmarkEvaluate2000RulesConcrete(b *testing.B) {
	rs := bigRuleset()
	p := Packet{Family: "ipv4", L4Proto: "tcp", Dport: 65000, Saddr: netip.MustParseAddr("203.0.113.9"), Iif: "eth0"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs.Evaluate(p, InputHooks)
	}
}
