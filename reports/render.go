package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// RenderOptions tune the presentation of formats meant for people; formats
// meant for machines ignore them.
type RenderOptions struct {
	// Color allows ANSI colours; without it no escape sequence is written.
	Color bool
	// Width is the terminal width in columns; 0 means defaultWidth.
	Width int
	// Quiet shows only failures, errors and the summary.
	Quiet bool
}

// defaultWidth is used when the output is not a terminal of known width.
const defaultWidth = 120

type renderFunc func(w io.Writer, r *Report, opt RenderOptions) error

var renderers = map[string]renderFunc{
	"table":    renderTable,
	"json":     renderJSON,
	"junit":    renderJUnit,
	"sarif":    renderSARIF,
	"html":     renderHTML,
	"markdown": renderMarkdown,
	"ecs":      renderECS,
	"ocsf":     renderOCSF,
}

// Formats lists the known format names, sorted, for flag validation and
// help text.
func Formats() []string {
	names := make([]string, 0, len(renderers))
	for name := range renderers {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Render writes the report in the named format.
func Render(w io.Writer, format string, r *Report, opt RenderOptions) error {
	render, ok := renderers[format]
	if !ok {
		return fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats(), ", "))
	}
	return render(w, r, opt)
}
