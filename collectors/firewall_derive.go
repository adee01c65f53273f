package collectors

import (
	"encoding/json"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/fwmodel"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/iptables"
)

// FirewallFacts is facts.firewall.
type FirewallFacts struct {
	Sources []FirewallSource   `json:"sources"`
	UFW     iptables.UFWConfig `json:"ufw"`
	Tables  []FirewallTable    `json:"tables"`
	Rules   int                `json:"rules"`
	// Active: something filters inbound packets (an input-hook base chain
	// with a rule or a drop policy); ActiveEvidence says what.
	Active         bool   `json:"active"`
	ActiveEvidence string `json:"active_evidence"`
	// Input and Forward are the effective policies per family ("ipv4",
	// "ipv6"): what happens to a new connection from any source to a port
	// no rule names.
	Input   map[string]HookPolicy `json:"input"`
	Forward map[string]HookPolicy `json:"forward"`
	// Loopback: new connections on lo are accepted; Established: packets
	// of established connections from anywhere are accepted (so before any
	// drop); ICMP: what echo requests meet.
	Loopback    map[string]Flag `json:"loopback_accepted"`
	Established map[string]Flag `json:"established_accepted"`
	ICMP        map[string]Flag `json:"icmp_echo"`
	// Ports is the exposure of every destination port, tcp and udp, per
	// family, as intervals: all ports of an interval meet the ruleset alike
	// (the evaluator split the port space at every port the rules name).
	Ports []PortExposure `json:"ports"`
	// Listeners is the exposure of each listening socket (live host only).
	Listeners ListenerExposures `json:"listeners"`
}

// HookPolicy is the effective default of a hook for one family.
type HookPolicy struct {
	// BaseChains is the number of base chains on the hook.
	BaseChains int `json:"base_chains"`
	// Policy: accept, drop, reject, restricted (accepted only from some
	// sources or interfaces), or uncertain.
	Policy   string            `json:"policy"`
	Reason   string            `json:"reason,omitempty"`
	Decision *fwmodel.Decision `json:"decision,omitempty"`
	// LoggedDrop: a log statement runs before the drop.
	LoggedDrop bool `json:"logged_drop"`
}

// Flag is a yes/no/uncertain answer with where it was decided.
type Flag struct {
	Status   string            `json:"status"` // yes, no, uncertain; icmp_echo: rate_limited, accepted_unlimited, dropped, restricted, uncertain
	Reason   string            `json:"reason,omitempty"`
	Decision *fwmodel.Decision `json:"decision,omitempty"`
}

// PortExposure is the exposure of the ports From..To of one protocol and
// family.
type PortExposure struct {
	Family string `json:"family"`
	Proto  string `json:"proto"`
	From   int    `json:"from"`
	To     int    `json:"to"`
	fwmodel.Exposure
}

// ListenerExposures is the per-socket exposure, or why there is none.
type ListenerExposures struct {
	Part
	Items []ListenerExposure `json:"items"`
}

// ListenerExposure is one listening socket and what reaches it.
type ListenerExposure struct {
	Proto   string `json:"proto"`
	Family  string `json:"family"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	fwmodel.Exposure
}

var families = []string{"ipv4", "ipv6"}

func deriveFirewall(rs *fwmodel.Ruleset, sources []FirewallSource, ufw iptables.UFWConfig, kind hostfs.Kind) *FirewallFacts {
	f := &FirewallFacts{Sources: sources, UFW: ufw, Tables: summarizeTables(rs), Rules: rs.RuleCount(),
		Input: map[string]HookPolicy{}, Forward: map[string]HookPolicy{}, Loopback: map[string]Flag{},
		Established: map[string]Flag{}, ICMP: map[string]Flag{}, Ports: []PortExposure{}}
	f.Active, f.ActiveEvidence = firewallActive(rs)
	free := unnamedPort(rs)
	for _, fam := range families {
		probe := fwmodel.Packet{Family: fam, L4Proto: "tcp", Dport: free, FromNetwork: true}
		f.Input[fam] = hookPolicy(rs, probe, "input", fwmodel.InputHooks)
		f.Forward[fam] = hookPolicy(rs, probe, "forward", fwmodel.ForwardHooks)
		f.Loopback[fam] = loopbackFlag(rs, fam, free)
		est := probe
		est.CtState = "established"
		f.Established[fam] = acceptedFlag(fwmodel.Classify(rs.Evaluate(est, fwmodel.InputHooks)))
		f.ICMP[fam] = icmpFlag(rs, fam)
		f.Ports = append(f.Ports, portExposures(rs, fam)...)
	}
	if kind == hostfs.KindRootfs {
		f.Listeners = ListenerExposures{Part: PartUnavailable("offline root: no listening sockets"), Items: []ListenerExposure{}}
	}
	return f
}

// firewallActive says whether any base chain on the input hook filters.
func firewallActive(rs *fwmodel.Ruleset) (bool, string) {
	for _, t := range rs.Tables {
		for _, name := range t.ChainOrder {
			c := t.Chains[name]
			if !c.Base || c.Hook != "input" {
				continue
			}
			if len(c.Rules) > 0 || c.Policy == "drop" {
				return true, "base chain " + t.Family + " " + t.Name + " " + c.Name + " (" + t.Source + ") on the input hook with " +
					strconv.Itoa(len(c.Rules)) + " rules, policy " + c.Policy
			}
		}
	}
	return false, "no base chain on the input hook has a rule or a drop policy"
}

func summarizeTables(rs *fwmodel.Ruleset) []FirewallTable {
	out := []FirewallTable{}
	for _, t := range rs.Tables {
		ft := FirewallTable{Family: t.Family, Name: t.Name, Source: t.Source, Chains: []FirewallChain{}, Sets: []string{}}
		for _, name := range t.ChainOrder {
			c := t.Chains[name]
			ft.Chains = append(ft.Chains, FirewallChain{Name: c.Name, Base: c.Base, Type: c.Type, Hook: c.Hook, Priority: c.Priority, Policy: c.Policy, Rules: len(c.Rules)})
		}
		for n := range t.Sets {
			ft.Sets = append(ft.Sets, n)
		}
		sort.Strings(ft.Sets)
		out = append(out, ft)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Family != out[j].Family {
			return out[i].Family < out[j].Family
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// portBounds are the ports where the ruleset's port conditions change.
func portBounds(rs *fwmodel.Ruleset) []int {
	set := map[int]bool{1: true}
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				for _, x := range r.Exprs {
					var vals []fwmodel.Value
					switch {
					case x.Kind == fwmodel.Match && x.Field == fwmodel.FieldDport:
						vals = x.Values
					case x.Kind == fwmodel.VMap && x.Field == fwmodel.FieldDport:
						for _, e := range x.Map {
							vals = append(vals, e.Key)
						}
					}
					for _, v := range vals {
						if v.IsNum {
							if v.Lo >= 1 && v.Lo <= 65535 {
								set[int(v.Lo)] = true
							}
							if v.Hi+1 >= 1 && v.Hi+1 <= 65535 {
								set[int(v.Hi+1)] = true
							}
						}
					}
				}
			}
		}
	}
	out := make([]int, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

// unnamedPort is a port no rule names, so its fate is the default one; the
// highest such port below 65536, as far from well-known services as can be.
func unnamedPort(rs *fwmodel.Ruleset) int {
	named := map[int]bool{}
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				for _, x := range r.Exprs {
					if x.Field != fwmodel.FieldDport {
						continue
					}
					vals := x.Values
					for _, e := range x.Map {
						vals = append(vals, e.Key)
					}
					for _, v := range vals {
						if v.IsNum && v.Hi-v.Lo < 70000 {
							for p := v.Lo; p <= v.Hi && p <= 65535; p++ {
								named[int(p)] = true
							}
						}
					}
				}
			}
		}
	}
	for p := 65535; p > 0; p-- {
		if !named[p] {
			return p
		}
	}
	return 65535
}

func portExposures(rs *fwmodel.Ruleset, fam string) []PortExposure {
	bounds := portBounds(rs)
	var out []PortExposure
	for _, proto := range []string{"tcp", "udp"} {
		var prev []byte
		for i, lo := range bounds {
			hi := 65535
			if i+1 < len(bounds) {
				hi = bounds[i+1] - 1
			}
			ex := fwmodel.Classify(rs.Evaluate(fwmodel.Packet{Family: fam, L4Proto: proto, Dport: lo, FromNetwork: true}, fwmodel.InputHooks))
			key, _ := json.Marshal(ex)
			if n := len(out); n > 0 && string(key) == string(prev) && out[n-1].Proto == proto {
				out[n-1].To = hi
				continue
			}
			prev = key
			out = append(out, PortExposure{Family: fam, Proto: proto, From: lo, To: hi, Exposure: ex})
		}
	}
	return out
}

// PortExposureOf returns the exposure of one port.
func (f *FirewallFacts) PortExposureOf(family, proto string, port int) (fwmodel.Exposure, bool) {
	for _, p := range f.Ports {
		if p.Family == family && p.Proto == proto && p.From <= port && port <= p.To {
			return p.Exposure, true
		}
	}
	return fwmodel.Exposure{}, false
}

func hookPolicy(rs *fwmodel.Ruleset, probe fwmodel.Packet, hook string, hooks []string) HookPolicy {
	hp := HookPolicy{BaseChains: len(rs.BaseChains(hook, probe.Family))}
	ex := fwmodel.Classify(rs.Evaluate(probe, hooks))
	hp.Reason, hp.Decision = ex.Reason, ex.Decision
	switch ex.Status {
	case fwmodel.AcceptedFromAny:
		hp.Policy = "accept"
		if hp.Decision == nil || hp.Decision.Rule == 0 && hp.BaseChains == 0 {
			hp.Reason = "no base chain on the " + hook + " hook"
		}
	case fwmodel.Dropped:
		hp.Policy, hp.LoggedDrop = "drop", ex.LoggedDrop
		if ex.Decision != nil && ex.Decision.Rule != 0 && strings.Contains(strings.ToLower(ex.Decision.Text), "reject") {
			hp.Policy = "reject"
		}
	case fwmodel.Restricted:
		hp.Policy, hp.LoggedDrop = "restricted", ex.LoggedDrop
		hp.Reason = "accepted only from some sources or interfaces"
	default:
		hp.Policy = "uncertain"
	}
	return hp
}

func acceptedFlag(ex fwmodel.Exposure) Flag {
	switch ex.Status {
	case fwmodel.AcceptedFromAny:
		return Flag{Status: "yes", Decision: ex.Decision}
	case fwmodel.Uncertain:
		return Flag{Status: "uncertain", Reason: ex.Reason}
	}
	return Flag{Status: "no", Decision: ex.Decision, Reason: ex.Status}
}

// loopbackFlag says whether new connections over lo are accepted.
func loopbackFlag(rs *fwmodel.Ruleset, fam string, port int) Flag {
	lo := netip.MustParseAddr("127.0.0.1")
	if fam == "ipv6" {
		lo = netip.IPv6Loopback()
	}
	res := rs.Evaluate(fwmodel.Packet{Family: fam, L4Proto: "tcp", Dport: port, Saddr: lo, Daddr: lo, Iif: "lo"}, fwmodel.InputHooks)
	for _, o := range res.Outcomes {
		if len(o.Uncertain) > 0 || o.Verdict == fwmodel.Uncertain {
			return Flag{Status: "uncertain", Reason: "depends on " + strings.Join(o.Uncertain, "; ")}
		}
		if o.Verdict != "accept" {
			d := o.Decision
			return Flag{Status: "no", Decision: &d}
		}
	}
	if len(res.Outcomes) == 0 {
		return Flag{Status: "uncertain", Reason: "no outcome"}
	}
	d := res.Outcomes[0].Decision
	return Flag{Status: "yes", Decision: &d}
}

// icmpFlag says what echo requests from any source meet.
func icmpFlag(rs *fwmodel.Ruleset, fam string) Flag {
	proto := "icmp"
	if fam == "ipv6" {
		proto = "ipv6-icmp"
	}
	res := rs.Evaluate(fwmodel.Packet{Family: fam, L4Proto: proto, ICMPType: "echo-request", FromNetwork: true}, fwmodel.InputHooks)
	ex := fwmodel.Classify(res)
	switch ex.Status {
	case fwmodel.AcceptedFromAny:
		for _, o := range res.Outcomes {
			if o.Verdict == "accept" && o.AnySource && !o.Limited {
				d := o.Decision
				return Flag{Status: "accepted_unlimited", Decision: &d}
			}
		}
		return Flag{Status: "rate_limited", Decision: ex.Decision}
	case fwmodel.Dropped:
		return Flag{Status: "dropped", Decision: ex.Decision}
	case fwmodel.Restricted:
		return Flag{Status: "restricted"}
	}
	return Flag{Status: "uncertain", Reason: ex.Reason}
}
