// Package nftables reads nftables rulesets: the JSON `nft -j list ruleset`
// prints (Parse), the persisted configuration of an offline root with its
// includes resolved inside the root (Flatten), and the scanning machine's
// own nft turning that text into JSON in a throwaway network namespace
// (Loader).
package nftables

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/ztscan/ztscan/collectors/fwmodel"
)

// Parse reads the output of `nft -j list ruleset` into a model.
func Parse(data []byte) (*fwmodel.Ruleset, error) {
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("nft JSON: %w", err)
	}
	if doc.Nftables == nil {
		return nil, errors.New("nft JSON: no \"nftables\" array")
	}
	p := &parser{rs: &fwmodel.Ruleset{}}
	// Tables, chains and sets first, so rules can refer to them whatever
	// the order of the objects.
	for pass := 0; pass < 3; pass++ {
		for i, obj := range doc.Nftables {
			for kind, raw := range obj {
				if err := p.object(pass, kind, raw); err != nil {
					return nil, fmt.Errorf("nft JSON: object %d (%s): %w", i, kind, err)
				}
			}
		}
	}
	return p.rs, nil
}

type parser struct {
	rs *fwmodel.Ruleset
}

type tableRef struct {
	Family string `json:"family"`
	Table  string `json:"table"`
	Name   string `json:"name"`
}

func (p *parser) object(pass int, kind string, raw json.RawMessage) error {
	switch {
	case pass == 0 && kind == "table":
		var t tableRef
		if err := json.Unmarshal(raw, &t); err != nil {
			return err
		}
		if t.Name == "" || t.Family == "" {
			return errors.New("table without family or name")
		}
		if p.rs.Table(t.Family, t.Name) == nil {
			p.rs.AddTable(&fwmodel.Table{Family: t.Family, Name: t.Name, Source: "nftables"})
		}
	case pass == 1 && kind == "chain":
		return p.chain(raw)
	case pass == 1 && (kind == "set" || kind == "map"):
		return p.set(raw)
	case pass == 2 && kind == "rule":
		return p.rule(raw)
	}
	return nil
}

func (p *parser) table(family, name string) (*fwmodel.Table, error) {
	t := p.rs.Table(family, name)
	if t == nil {
		return nil, fmt.Errorf("table %s %s is not declared", family, name)
	}
	return t, nil
}

func (p *parser) chain(raw json.RawMessage) error {
	var c struct {
		tableRef
		Type   string          `json:"type"`
		Hook   string          `json:"hook"`
		Prio   json.Number     `json:"prio"`
		Policy string          `json:"policy"`
		Dev    json.RawMessage `json:"dev"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	t, err := p.table(c.Family, c.Table)
	if err != nil {
		return err
	}
	ch := &fwmodel.Chain{Name: c.Name, Type: c.Type, Hook: c.Hook, Policy: c.Policy, Base: c.Hook != ""}
	if c.Prio != "" {
		n, err := c.Prio.Int64()
		if err != nil {
			return fmt.Errorf("chain %s: priority %q: %w", c.Name, c.Prio, err)
		}
		ch.Priority = int(n)
	}
	if len(c.Dev) > 0 {
		var one string
		if json.Unmarshal(c.Dev, &one) == nil {
			ch.Devices = []string{one}
		} else if err := json.Unmarshal(c.Dev, &ch.Devices); err != nil {
			return fmt.Errorf("chain %s: dev: %w", c.Name, err)
		}
	}
	if ch.Base && ch.Policy == "" {
		ch.Policy = "accept"
	}
	t.AddChain(ch)
	return nil
}

func (p *parser) set(raw json.RawMessage) error {
	var s struct {
		tableRef
		Type json.RawMessage   `json:"type"`
		Map  json.RawMessage   `json:"map"`
		Elem []json.RawMessage `json:"elem"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	t, err := p.table(s.Family, s.Table)
	if err != nil {
		return err
	}
	set := &fwmodel.Set{Name: s.Name, Elements: []fwmodel.Value{}}
	var typ string
	if json.Unmarshal(s.Type, &typ) != nil {
		set.Unknown = "set @" + s.Name + " of concatenated type " + compact(s.Type)
	}
	var mapType string
	_ = json.Unmarshal(s.Map, &mapType)
	for _, e := range s.Elem {
		if set.Unknown != "" {
			break
		}
		if len(s.Map) > 0 {
			var pair []json.RawMessage
			if err := json.Unmarshal(e, &pair); err != nil || len(pair) != 2 {
				set.Unknown = "map @" + s.Name + " element " + compact(e)
				break
			}
			if mapType != "verdict" {
				set.Unknown = "map @" + s.Name + " of " + compact(s.Map)
				break
			}
			keys, ok := values(pair[0])
			v, target, vok := verdictOf(pair[1])
			if !ok || !vok {
				set.Unknown = "map @" + s.Name + " element " + compact(e)
				break
			}
			for _, k := range keys {
				set.Map = append(set.Map, fwmodel.MapEntry{Key: k, Verdict: v, Target: target})
			}
			continue
		}
		vals, ok := values(e)
		if !ok {
			set.Unknown = "set @" + s.Name + " element " + compact(e)
			break
		}
		set.Elements = append(set.Elements, vals...)
	}
	t.Sets[s.Name] = set
	return nil
}

func (p *parser) rule(raw json.RawMessage) error {
	var r struct {
		Family  string            `json:"family"`
		Table   string            `json:"table"`
		Chain   string            `json:"chain"`
		Handle  int               `json:"handle"`
		Comment string            `json:"comment"`
		Expr    []json.RawMessage `json:"expr"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	t, err := p.table(r.Family, r.Table)
	if err != nil {
		return err
	}
	c := t.Chains[r.Chain]
	if c == nil {
		return fmt.Errorf("rule %d: chain %s is not declared", r.Handle, r.Chain)
	}
	rule := &fwmodel.Rule{Handle: r.Handle}
	var texts []string
	for _, raw := range r.Expr {
		x := p.expr(t, raw)
		rule.Exprs = append(rule.Exprs, x)
		if x.Kind != fwmodel.Counter {
			texts = append(texts, x.Text)
		}
	}
	rule.Text = joinWords(texts)
	if r.Comment != "" {
		rule.Text += " comment " + fmt.Sprintf("%q", r.Comment)
	}
	c.Rules = append(c.Rules, rule)
	return nil
}

// expr translates one expression of a rule.
func (p *parser) expr(t *fwmodel.Table, raw json.RawMessage) fwmodel.Expr {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) != 1 {
		return fwmodel.Expr{Kind: fwmodel.Unknown, Text: compact(raw)}
	}
	var kind string
	var body json.RawMessage
	for k, v := range obj {
		kind, body = k, v
	}
	switch kind {
	case "match":
		return p.match(t, body)
	case "accept", "drop", "return", "continue":
		return fwmodel.Expr{Kind: fwmodel.Verdict, Verdict: kind, Text: kind}
	case "reject":
		return fwmodel.Expr{Kind: fwmodel.Verdict, Verdict: "reject", Text: "reject"}
	case "jump", "goto":
		var j struct {
			Target string `json:"target"`
		}
		if json.Unmarshal(body, &j) != nil || j.Target == "" {
			return fwmodel.Expr{Kind: fwmodel.Unknown, Text: kind + " " + compact(body)}
		}
		return fwmodel.Expr{Kind: fwmodel.Verdict, Verdict: kind, Target: j.Target, Text: kind + " " + j.Target}
	case "counter":
		return fwmodel.Expr{Kind: fwmodel.Counter, Text: "counter"}
	case "log":
		return fwmodel.Expr{Kind: fwmodel.Log, Text: "log" + logPrefix(body)}
	case "limit":
		var l struct {
			Rate json.Number `json:"rate"`
			Per  string      `json:"per"`
			Inv  bool        `json:"inv"`
		}
		_ = json.Unmarshal(body, &l)
		text := fmt.Sprintf("limit rate %s/%s", l.Rate, l.Per)
		if l.Inv {
			text = fmt.Sprintf("limit rate over %s/%s", l.Rate, l.Per)
		}
		return fwmodel.Expr{Kind: fwmodel.Limit, Over: l.Inv, Text: text}
	case "mangle", "flow", "set", "comment":
		// mark/nftrace set, flow offload, dynamic set updates: they
		// change nothing the first packet's verdict depends on (a later
		// mark match is itself not judged).
		return fwmodel.Expr{Kind: fwmodel.Noop, Text: kind + " " + compact(body)}
	case "vmap":
		return p.vmap(t, body)
	case "xt":
		var x struct {
			Type string `json:"type"`
			Name string `json:"name"`
		}
		_ = json.Unmarshal(body, &x)
		text := fmt.Sprintf("xt %s %s (iptables extension)", x.Type, x.Name)
		if x.Type == "match" {
			return fwmodel.Expr{Kind: fwmodel.UnknownMatch, Text: text}
		}
		return fwmodel.Expr{Kind: fwmodel.Unknown, Text: text}
	}
	return fwmodel.Expr{Kind: fwmodel.Unknown, Text: kind + " " + compact(body)}
}

func logPrefix(body json.RawMessage) string {
	var l struct {
		Prefix string `json:"prefix"`
	}
	if json.Unmarshal(body, &l) == nil && l.Prefix != "" {
		return fmt.Sprintf(" prefix %q", l.Prefix)
	}
	return ""
}

func joinWords(ws []string) string {
	var b bytes.Buffer
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// compact is raw JSON on one line, for evidence; bounded.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		b.Reset()
		b.Write(raw)
	}
	s := b.String()
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// SetNames lists the sets of a table, sorted; for the facts summary.
func SetNames(t *fwmodel.Table) []string {
	out := make([]string, 0, len(t.Sets))
	for n := range t.Sets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
