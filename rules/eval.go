package rules

import (
	"bytes"
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// Result statuses.
const (
	Pass   = "pass"
	Fail   = "fail"
	Error  = "error"
	Skip   = "skip"
	Waived = "waived"
)

// Verdict is what a rule states about the facts.
type Verdict struct {
	Status   string         `json:"status"`
	Message  string         `json:"message"`
	Evidence map[string]any `json:"evidence"`
}

// Outcome is one rule and its verdict.
type Outcome struct {
	Rule    Rule
	Verdict Verdict
}

// Eval judges one snapshot (its JSON form) with every loaded rule, in
// rule-ID order. A rule that yields no verdict, or a malformed one, is an
// error result: a rule can never pass by saying nothing.
func (e *Engine) Eval(ctx context.Context, snapshotJSON []byte) ([]Outcome, error) {
	input, err := ast.ValueFromReader(bytes.NewReader(snapshotJSON))
	if err != nil {
		return nil, fmt.Errorf("facts are not valid JSON: %w", err)
	}
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input))
	var tree map[string]any
	if err == nil {
		tree, err = resultTree(rs)
	}
	if err != nil {
		// One rule's runtime error (a conflict, say) fails the whole
		// query; evaluate rule by rule so it costs only that rule.
		return e.evalEach(ctx, input, err)
	}
	out := make([]Outcome, 0, len(e.rules))
	for _, r := range e.rules {
		out = append(out, Outcome{Rule: r, Verdict: verdictAt(tree, r.path)})
	}
	return out, nil
}

func (e *Engine) evalEach(ctx context.Context, input ast.Value, whole error) ([]Outcome, error) {
	if ctx.Err() != nil {
		return nil, whole
	}
	store := inmem.NewFromObject(map[string]any{"config": e.config})
	out := make([]Outcome, 0, len(e.rules))
	for _, r := range e.rules {
		ref := "data.ztscan"
		for _, p := range r.path {
			ref += fmt.Sprintf("[%q]", p)
		}
		rs, err := rego.New(rego.Compiler(e.compiler), rego.Store(store), rego.Query(ref), rego.ParsedInput(input)).Eval(ctx)
		v := Verdict{}
		switch {
		case err != nil:
			v = Verdict{Status: Error, Message: fmt.Sprintf("rule evaluation failed: %v", err), Evidence: map[string]any{}}
		case len(rs) == 0 || len(rs[0].Expressions) == 0:
			v = verdictOf(nil)
		default:
			v = verdictOf(rs[0].Expressions[0].Value)
		}
		out = append(out, Outcome{Rule: r, Verdict: v})
	}
	return out, nil
}

func resultTree(rs rego.ResultSet) (map[string]any, error) {
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return map[string]any{}, nil
	}
	tree, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("data.ztscan is not an object")
	}
	return tree, nil
}

func verdictAt(tree map[string]any, path []string) Verdict {
	var cur any = tree
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return verdictOf(nil)
		}
		cur = m[p]
	}
	return verdictOf(cur)
}

// verdictOf checks a rule's value against the verdict contract.
func verdictOf(v any) Verdict {
	if v == nil {
		return Verdict{Status: Error, Message: "rule gave no verdict for these facts (a fact it needs is missing)", Evidence: map[string]any{}}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Verdict{Status: Error, Message: fmt.Sprintf("rule value is not a verdict object: %v", v), Evidence: map[string]any{}}
	}
	status, _ := m["status"].(string)
	switch status {
	case Pass, Fail, Skip, Error:
	default:
		return Verdict{Status: Error, Message: fmt.Sprintf("rule gave status %q", status), Evidence: map[string]any{}}
	}
	msg, _ := m["message"].(string)
	ev, _ := m["evidence"].(map[string]any)
	if ev == nil {
		ev = map[string]any{}
	}
	return Verdict{Status: status, Message: msg, Evidence: ev}
}
