package fwmodel

import (
	"sort"
	"strings"
)

// Exposure statuses.
const (
	AcceptedFromAny = "accepted_from_any"
	Restricted      = "restricted"
	Dropped         = "dropped"
	Uncertain       = "uncertain"
)

// maxAcceptPaths bounds the accept paths an Exposure lists.
const maxAcceptPaths = 16

// Exposure is what the firewall does with new connections from the
// network to one port: accepted from any public source, accepted only
// from some sources or interfaces, dropped, or uncertain.
type Exposure struct {
	Status string `json:"status"`
	// Reason explains an uncertain status (the expressions not judged),
	// or notes uncertainty beside a certain one.
	Reason string `json:"reason,omitempty"`
	// Decision is where the verdict that matters was reached: the
	// accepting rule (accepted_from_any), the dropping rule or policy
	// (dropped).
	Decision *Decision `json:"decision,omitempty"`
	// Accepts are the ways the packet is accepted, each with the sources
	// and interfaces it needs (empty lists: any).
	Accepts []AcceptPath `json:"accepts"`
	// AcceptsTruncated says Accepts lists only the first maxAcceptPaths.
	AcceptsTruncated bool `json:"accepts_truncated,omitempty"`
	// ExplicitPort: every accept path went through a rule naming the
	// destination port (no port accepted by a catch-all rule or policy).
	ExplicitPort bool `json:"explicit_port"`
	// LoggedDrop: the packet from any source is dropped on some path, and
	// every such path passes a log statement first.
	LoggedDrop bool `json:"logged_drop"`
}

// AcceptPath is one way to be accepted.
type AcceptPath struct {
	Sources      []string `json:"sources"`
	Interfaces   []string `json:"interfaces"`
	AnySource    bool     `json:"any_source"`
	SourceNamed  bool     `json:"source_named"`
	ExplicitPort bool     `json:"explicit_port"`
	Uncertain    []string `json:"uncertain"`
	Decision     Decision `json:"decision"`
}

// Classify turns a packet's outcomes into an Exposure. It never guesses:
// an outcome that depends on an expression not judged can only make the
// status uncertain, unless an exact outcome already settles it.
func Classify(res Result) Exposure {
	ex := Exposure{Accepts: []AcceptPath{}, ExplicitPort: true}
	var doubts []string
	var anyAccept, anyDrop *Outcome
	anyDoubt, restrictedDoubt := false, false
	for i := range res.Outcomes {
		o := &res.Outcomes[i]
		tainted := len(o.Uncertain) > 0 || o.Verdict == Uncertain
		if tainted {
			doubts = append(doubts, o.Uncertain...)
		}
		switch o.Verdict {
		case "accept":
			if len(ex.Accepts) < maxAcceptPaths {
				ex.Accepts = append(ex.Accepts, AcceptPath{Sources: nonNil(o.Sources), Interfaces: nonNil(o.Interfaces),
					AnySource: o.AnySource, SourceNamed: o.SourceNamed, ExplicitPort: o.PortMatched, Uncertain: nonNil(o.Uncertain), Decision: o.Decision})
			} else {
				ex.AcceptsTruncated = true
			}
			if !o.PortMatched {
				ex.ExplicitPort = false
			}
			if o.AnySource && !tainted && anyAccept == nil {
				anyAccept = o
			}
			if o.AnySource && tainted {
				anyDoubt = true
			}
		case Uncertain:
			if o.AnySource {
				anyDoubt = true
			} else {
				restrictedDoubt = true
			}
		default:
			if o.AnySource && (anyDrop == nil || !o.Logged && anyDrop.Logged) {
				anyDrop = o
			}
		}
	}
	// Paths behind an expression not judged still settle the question
	// when every path a packet from anywhere can take accepts it.
	if anyAccept == nil && anyDoubt {
		all := true
		var first *Outcome
		for i := range res.Outcomes {
			o := &res.Outcomes[i]
			if !o.AnySource {
				continue
			}
			if o.Verdict != "accept" {
				all = false
				break
			}
			if first == nil {
				first = o
			}
		}
		if all && first != nil {
			anyAccept = first
		}
	}
	reason := strings.Join(uniq(doubts), "; ")
	switch {
	case anyAccept != nil:
		ex.Status = AcceptedFromAny
		d := anyAccept.Decision
		ex.Decision = &d
		if reason != "" {
			ex.Reason = "other paths depend on: " + reason
		}
	case anyDoubt || restrictedDoubt:
		ex.Status = Uncertain
		ex.Reason = "depends on " + reason
	case len(ex.Accepts) > 0:
		ex.Status = Restricted
	default:
		ex.Status = Dropped
		if anyDrop != nil {
			d := anyDrop.Decision
			ex.Decision = &d
		}
	}
	ex.LoggedDrop = anyDrop != nil && anyDrop.Logged
	if len(ex.Accepts) == 0 {
		ex.ExplicitPort = false
	}
	return ex
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
