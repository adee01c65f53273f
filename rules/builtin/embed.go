// Package builtin embeds ztscan's own rules: one Rego package per
// checklist section, each with a _test.rego beside it.
package builtin

import "embed"

// FS holds the rule sources and their tests.
//
//go:embed *.rego
var FS embed.FS
