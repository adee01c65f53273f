// Package reports turns rule outcomes into the one Report that every output
// reads: the JSON contract of SPEC.md, its summary and score, the exit code
// and the renderers (table, json, junit). The Report is built once by Build;
// renderers only present it and never recompute anything, so every format of
// one scan agrees.
package reports
