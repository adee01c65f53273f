package rules

import (
	"bytes"
	"fmt"
	"strings"
)

// Catalogue renders the rule catalogue as Markdown: docs/rules.md is this
// output, and a test keeps the two equal.
func Catalogue(rs []Rule) []byte {
	var b bytes.Buffer
	b.WriteString("# Built-in rules\n\n")
	b.WriteString("Generated from the rules' METADATA by `go test ./rules -run TestCatalogue -update`; do not edit by hand.\n")
	b.WriteString("`ztscan rules show ID` prints the same for one rule.\n")
	section := ""
	for _, r := range rs {
		if !r.Builtin {
			continue
		}
		if r.Section != section {
			section = r.Section
			fmt.Fprintf(&b, "\n## %s\n\n| ID | severity | title |\n|---|---|---|\n", section)
			for _, s := range rs {
				if s.Builtin && s.Section == section {
					fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", s.ID, strings.ToLower(s.ID), s.Severity, escapeCell(s.Title))
				}
			}
		}
		fmt.Fprintf(&b, "\n### %s\n\n**%s** (%s)\n\n", r.ID, r.Title, r.Severity)
		if d := strings.TrimSpace(r.Description); d != "" {
			fmt.Fprintf(&b, "%s\n\n", d)
		}
		fmt.Fprintf(&b, "Remediation: %s\n\nReferences:\n", strings.TrimSpace(r.Remediation))
		for _, ref := range r.References {
			fmt.Fprintf(&b, "- %s\n", ref)
		}
	}
	return b.Bytes()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
