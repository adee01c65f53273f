package reports

import (
	"encoding/json"
	"fmt"
	"io"
)

// renderJSON writes the report as SPEC.md's JSON document. encoding/json
// sorts map keys, so evidence comes out in the same order every time.
func renderJSON(w io.Writer, r *Report, _ RenderOptions) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote shell and config text; \u003c for < helps nobody.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	return nil
}
