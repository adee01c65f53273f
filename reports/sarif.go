package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"
	"unicode"

	"github.com/ztscan/ztscan/rules"
)

// SARIF 2.1.0 as code-scanning UIs (GitHub, GitLab, Azure DevOps) read it:
// one run; tool.driver.rules from the rules' metadata; one result per
// failure, located at the file the evidence names, relative to the scanned
// root (uriBaseId ROOT); rules that could not be judged and collectors that
// failed as tool execution notifications, since they are problems of the
// scan rather than findings.

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
	// InformationURI is where ztscan is documented.
	InformationURI = "https://github.com/ztscan/ztscan"
	// sarifRootID is the uriBaseId of paths inside the scanned root.
	sarifRootID = "ROOT"
	// fingerprintKey names ztscan's partial fingerprint; the version
	// changes only if the way it is computed changes.
	fingerprintKey = "ztscanFinding/v1"
)

// securitySeverity is GitHub's security-severity score per severity:
// critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
var securitySeverity = map[string]string{
	"critical": "9.5",
	"high":     "8.0",
	"medium":   "5.5",
	"low":      "3.0",
	"info":     "0.0",
}

// sarifLevel maps a severity to a result level: what must block a merge is
// an error, what should be looked at a warning, advice a note.
func sarifLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium", "low":
		return "warning"
	case "info":
		return "note"
	}
	return "error" // an unknown severity must not look harmless
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	AutomationDetails  *sarifAutomation            `json:"automationDetails,omitempty"`
	Invocations        []sarifInvocation           `json:"invocations"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds"`
	Results            []sarifResult               `json:"results"`
	Properties         map[string]any              `json:"properties,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	StartTimeUTC               string              `json:"startTimeUtc,omitempty"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level          string         `json:"level"`
	Message        sarifText      `json:"message"`
	Locations      []sarifLoc     `json:"locations,omitempty"`
	AssociatedRule *sarifRuleRef  `json:"associatedRule,omitempty"`
	Properties     map[string]any `json:"properties,omitempty"`
}

type sarifRuleRef struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLoc        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLoc struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI         string     `json:"uri"`
	URIBaseID   string     `json:"uriBaseId,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func renderSARIF(w io.Writer, r *Report, _ RenderOptions) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "ztscan", Version: r.Tool.Version, InformationURI: InformationURI, Rules: []sarifRule{},
		}},
		OriginalURIBaseIDs: map[string]sarifArtifactLoc{sarifRootID: rootLocation(r.Scan.Target.Root)},
		Results:            []sarifResult{},
		Properties: map[string]any{
			"scanId": r.Scan.ID, "target": r.Scan.Target, "score": r.Summary.Score, "summary": r.Summary.Counts,
		},
	}
	if host := r.Scan.Target.Hostname; host != "" {
		// GitHub keeps one analysis per category: scans of different
		// hosts or images must not replace each other's alerts.
		run.AutomationDetails = &sarifAutomation{ID: "ztscan/" + host + "/"}
	}
	inv := sarifInvocation{ExecutionSuccessful: true, ToolExecutionNotifications: []sarifNotification{}}
	if !r.Scan.StartedAt.IsZero() {
		inv.StartTimeUTC = r.Scan.StartedAt.UTC().Format("2006-01-02T15:04:05.000Z")
		inv.EndTimeUTC = r.Scan.FinishedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	}

	index := map[string]int{}
	for _, res := range r.Results {
		if _, ok := index[res.ID]; ok {
			continue
		}
		index[res.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(res))
	}
	for _, res := range r.Results {
		switch res.Status {
		case rules.Fail:
			run.Results = append(run.Results, sarifResultOf(r, res, index[res.ID]))
		case rules.Error:
			n := sarifNotification{
				Level:          "error",
				Message:        sarifText{Text: terminalText(res.ID + ": " + res.Message)},
				AssociatedRule: &sarifRuleRef{ID: res.ID, Index: index[res.ID]},
			}
			if loc, ok := evidenceLocation(res.Evidence); ok {
				n.Locations = []sarifLoc{{PhysicalLocation: loc.physical()}}
			}
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
		}
	}
	for _, c := range r.Collectors {
		if c.Status == "ok" {
			continue
		}
		level := "error"
		if c.Status == "unavailable" {
			level = "note" // expected on an offline root; its rules skip
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:      level,
			Message:    sarifText{Text: terminalText(fmt.Sprintf("collector %s %s: %s", c.Name, c.Status, c.Error))},
			Properties: map[string]any{"collector": c.Name, "status": c.Status},
		})
	}
	run.Invocations = []sarifInvocation{inv}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return fmt.Errorf("sarif report: %w", err)
	}
	return nil
}

// rootLocation is the absolute file URI of the scanned root, ending in a
// slash as SARIF requires of a base URI.
func rootLocation(root string) sarifArtifactLoc {
	if root == "" {
		root = "/"
	}
	p := path.Clean("/" + root)
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	u := url.URL{Scheme: "file", Path: p}
	return sarifArtifactLoc{URI: u.String(), Description: &sarifText{Text: "The root filesystem ztscan scanned; result paths are relative to it."}}
}

func sarifRuleOf(res Result) sarifRule {
	title := terminalLine(res.Title)
	full := terminalText(res.Description)
	if full == "" {
		full = title
	}
	text, md := sarifHelp(res, full)
	return sarifRule{
		ID:                   res.ID,
		Name:                 ruleName(res),
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifText{Text: text, Markdown: md},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(res.Severity)},
		Properties: map[string]any{
			"security-severity": securitySeverityOf(res.Severity),
			"tags":              []string{"security", "compliance", "zero-trust", strings.ToLower(res.Section)},
			"precision":         "very-high",
			"severity":          res.Severity,
			"section":           res.Section,
			"references":        nonNil(res.References),
		},
	}
}

func securitySeverityOf(severity string) string {
	if s, ok := securitySeverity[severity]; ok {
		return s
	}
	return securitySeverity["critical"]
}

// sarifHelp is the rule's help: description, remediation and references,
// as text and as Markdown.
func sarifHelp(res Result, description string) (string, string) {
	var text, md strings.Builder
	text.WriteString(description)
	md.WriteString(mdEscaper.Replace(description))
	if fix := terminalText(res.Remediation); fix != "" {
		text.WriteString("\n\nRemediation: " + fix)
		md.WriteString("\n\n**Remediation:** " + mdEscaper.Replace(fix))
	}
	if len(res.References) > 0 {
		text.WriteString("\n\nReferences:")
		md.WriteString("\n\n**References:**\n")
		for _, ref := range res.References {
			text.WriteString("\n- " + terminalLine(ref))
			md.WriteString("\n- " + mdEscaper.Replace(terminalLine(ref)))
		}
	}
	return text.String(), md.String()
}

// ruleName is the rule's title in PascalCase ("Root login is disabled" =>
// "RootLoginIsDisabled"), the identifier form SARIF viewers expect; the ID
// when the title has no letters.
func ruleName(res Result) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(res.Title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		rs := []rune(word)
		b.WriteString(strings.ToUpper(string(rs[0])) + string(rs[1:]))
	}
	if b.Len() == 0 {
		return res.ID
	}
	return b.String()
}

func sarifResultOf(r *Report, res Result, ruleIndex int) sarifResult {
	loc, located := evidenceLocation(res.Evidence)
	out := sarifResult{
		RuleID:    res.ID,
		RuleIndex: ruleIndex,
		Kind:      "fail",
		Level:     sarifLevel(res.Severity),
		Message:   sarifText{Text: terminalText(res.Message)},
		Properties: map[string]any{
			"severity": res.Severity, "section": res.Section, "evidence": res.Evidence,
		},
	}
	if out.Message.Text == "" {
		out.Message.Text = terminalLine(res.Title)
	}
	logical := []sarifLogical{{
		Name:               res.ID,
		FullyQualifiedName: r.Scan.Target.Hostname + "/" + res.Section + "/" + res.ID,
		Kind:               "resource",
	}}
	if located {
		out.Locations = []sarifLoc{{PhysicalLocation: loc.physical(), LogicalLocations: logical}}
	} else {
		// Code-scanning UIs need a physical location for every result;
		// when the evidence names no file, the finding is about the
		// scanned system as a whole, so it is located at its root.
		out.Locations = []sarifLoc{{
			PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: ".", URIBaseID: sarifRootID}},
			LogicalLocations: logical,
			Message:          &sarifText{Text: "The evidence names no file: the finding concerns the scanned system as a whole."},
		}}
	}
	out.PartialFingerprints = map[string]string{fingerprintKey: fingerprint(res.ID, loc.uri, r.Scan.Target.Hostname)}
	return out
}

// fingerprint identifies a finding across runs: the same rule failing at
// the same file on the same host. The line and message are left out, so
// that editing a file above the finding or a changed count in the message
// does not make the finding look new.
func fingerprint(ruleID, uri, host string) string {
	sum := sha256.Sum256([]byte(ruleID + "\x00" + uri + "\x00" + strings.ToLower(host)))
	return hex.EncodeToString(sum[:16])
}

// location is a file (relative to the scanned root) and line from a
// result's evidence.
type location struct {
	uri  string
	line int
}

func (l location) physical() *sarifPhysical {
	p := &sarifPhysical{ArtifactLocation: sarifArtifactLoc{URI: l.uri, URIBaseID: sarifRootID}}
	if l.line > 0 {
		p.Region = &sarifRegion{StartLine: l.line}
	}
	return p
}

// pathKeys are the evidence keys rules use for a file, in order of
// preference: "file" (a path, or file facts with a "path"), "path",
// "config_file", "config_path".
var pathKeys = []string{"file", "path", "config_file", "config_path"}

// evidenceLocation finds the file the evidence names, breadth first so
// that the rule's own top-level file wins over nested ones; among files at
// the same depth, one with a line wins. Map keys are visited sorted, so the
// choice is deterministic.
func evidenceLocation(evidence map[string]any) (location, bool) {
	level := []map[string]any{evidence}
	var first *location
	for depth := 0; depth < 6 && len(level) > 0; depth++ {
		var next []map[string]any
		for _, obj := range level {
			if loc, ok := objectLocation(obj); ok {
				if loc.line > 0 {
					return loc, true
				}
				if first == nil {
					first = &loc
				}
			}
			next = append(next, children(obj)...)
		}
		if first != nil {
			return *first, true
		}
		if len(next) > 1000 {
			next = next[:1000] // bounded work on huge evidence
		}
		level = next
	}
	return location{}, false
}

func objectLocation(obj map[string]any) (location, bool) {
	for _, k := range pathKeys {
		v, ok := obj[k]
		if !ok {
			continue
		}
		p, _ := v.(string)
		if m, isMap := v.(map[string]any); isMap {
			p, _ = m["path"].(string)
		}
		uri, ok := relativeURI(p)
		if !ok {
			continue
		}
		return location{uri: uri, line: lineOf(obj["line"])}, true
	}
	return location{}, false
}

// relativeURI makes an absolute path of the target ("/etc/ssh/sshd_config")
// a URI relative to the root ("etc/ssh/sshd_config"); anything else (a
// relative path, "unknown", a path with a NUL) is no location.
func relativeURI(p string) (string, bool) {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\x00\n") {
		return "", false
	}
	rel := strings.TrimPrefix(path.Clean(p), "/")
	if rel == "" {
		return "", false
	}
	u := url.URL{Path: rel}
	uri := u.EscapedPath()
	if first, _, _ := strings.Cut(uri, "/"); strings.Contains(first, ":") {
		uri = "./" + uri // "a:b" would read as a URI scheme
	}
	return uri, true
}

func lineOf(v any) int {
	switch n := v.(type) {
	case float64:
		if n >= 1 && n == float64(int(n)) {
			return int(n)
		}
	case int:
		if n >= 1 {
			return n
		}
	case json.Number:
		if i, err := n.Int64(); err == nil && i >= 1 {
			return int(i)
		}
	}
	return 0
}

// children are the objects directly inside obj (in maps and arrays), in
// sorted key order.
func children(obj map[string]any) []map[string]any {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []map[string]any
	var add func(v any)
	add = func(v any) {
		switch c := v.(type) {
		case map[string]any:
			out = append(out, c)
		case []any:
			for _, e := range c {
				if m, ok := e.(map[string]any); ok {
					out = append(out, m)
				}
			}
		}
	}
	for _, k := range keys {
		add(obj[k])
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
