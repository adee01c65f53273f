package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Severities, lowest first.
var Severities = []string{"info", "low", "medium", "high", "critical"}

// SeverityRank orders severities; -1 for an unknown one.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// Rule is one check: its METADATA and where it lives.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Section     string   `json:"section"`
	Severity    string   `json:"severity"`
	Description string   `json:"description,omitempty"`
	Remediation string   `json:"remediation"`
	References  []string `json:"references"`
	Builtin     bool     `json:"builtin"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
	// path is the rule's document below data, e.g. ["ztscan","ssh","zt_ssh_001"].
	path []string
}

var idPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

// sectionOf derives the section from an ID: "ZT-SSH-001" -> "SSH",
// "ACME-WEB-7" -> "WEB". The checklist's sections are the ID's middle part.
func sectionOf(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) >= 3 {
		return strings.Join(parts[1:len(parts)-1], "-")
	}
	return parts[0]
}

// rulesFromModule extracts every annotated check of a parsed module and
// validates its METADATA: a check must say id, title, severity,
// remediation and references, or loading fails naming file:line.
func rulesFromModule(m *ast.Module, builtin bool) ([]Rule, error) {
	var out []Rule
	var errs []string
	for _, r := range m.Rules {
		for _, a := range r.Annotations {
			if a.Scope != "rule" && a.Scope != "document" {
				continue
			}
			rule, err := ruleFromAnnotation(r, a, builtin)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			if rule != nil {
				out = append(out, *rule)
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

func ruleFromAnnotation(r *ast.Rule, a *ast.Annotations, builtin bool) (*Rule, error) {
	loc := a.Location
	where := func() string {
		if loc == nil {
			return "?"
		}
		return fmt.Sprintf("%s:%d", loc.File, loc.Row)
	}
	id, _ := a.Custom["id"].(string)
	if id == "" {
		if a.Custom != nil && (a.Custom["severity"] != nil || a.Custom["remediation"] != nil) {
			return nil, fmt.Errorf("%s: METADATA has custom fields but no custom.id", where())
		}
		return nil, nil // a helper rule with documentation only
	}
	rule := &Rule{ID: id, Title: a.Title, Description: a.Description, Builtin: builtin}
	if loc != nil {
		rule.File, rule.Line = loc.File, loc.Row
	}
	var problems []string
	if !idPattern.MatchString(id) {
		problems = append(problems, fmt.Sprintf("custom.id %q is not of the form ABC-DEF-001", id))
	}
	if builtin && !strings.HasPrefix(id, "ZT-") {
		problems = append(problems, fmt.Sprintf("built-in id %q does not start with ZT-", id))
	}
	if !builtin && strings.HasPrefix(id, "ZT-") {
		problems = append(problems, fmt.Sprintf("custom rule id %q uses the reserved ZT- prefix", id))
	}
	if strings.TrimSpace(a.Title) == "" {
		problems = append(problems, "title is missing")
	}
	sev, _ := a.Custom["severity"].(string)
	if SeverityRank(sev) < 0 {
		problems = append(problems, fmt.Sprintf("custom.severity %q is not one of %s", sev, strings.Join(Severities, ", ")))
	}
	rule.Severity = sev
	rule.Remediation, _ = a.Custom["remediation"].(string)
	if strings.TrimSpace(rule.Remediation) == "" {
		problems = append(problems, "custom.remediation is missing")
	}
	refs, ok := a.Custom["references"].([]any)
	if !ok || len(refs) == 0 {
		problems = append(problems, "custom.references must be a non-empty list")
	}
	for _, ref := range refs {
		s, ok := ref.(string)
		if !ok || s == "" {
			problems = append(problems, "custom.references must hold strings")
			break
		}
		rule.References = append(rule.References, s)
	}
	rule.Section = sectionOf(id)
	if s, ok := a.Custom["section"].(string); ok && s != "" {
		rule.Section = s
	}
	path, err := refPath(r.Path())
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(path) < 3 || path[0] != "ztscan" {
		problems = append(problems, fmt.Sprintf("rule %s is not in a package below data.ztscan", r.Path()))
	} else {
		rule.path = path[1:]
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: rule %s: %s", where(), id, strings.Join(problems, "; "))
	}
	return rule, nil
}

// refPath turns a ground ref (data.a.b or a.b) into its string parts,
// without the leading "data".
func refPath(ref ast.Ref) ([]string, error) {
	var out []string
	for i, t := range ref {
		switch v := t.Value.(type) {
		case ast.Var:
			if i == 0 && v == "data" {
				continue
			}
			if i == 0 {
				out = append(out, string(v))
				continue
			}
			return nil, fmt.Errorf("rule reference %s is not ground", ref)
		case ast.String:
			out = append(out, string(v))
		default:
			return nil, fmt.Errorf("rule reference %s is not ground", ref)
		}
	}
	return out, nil
}

func sortRules(rs []Rule) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
}
