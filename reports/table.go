package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/ztscan/ztscan/rules"
)

// The table is for a person at a terminal: what was scanned, every rule by
// section, then what needs doing (failures with their fix, rules that could
// not be judged and why, collectors that failed), then one summary line.

// ANSI codes are written here rather than through go-pretty's text.Colors,
// which consults NO_COLOR and TERM itself: whether to colour is the CLI's
// decision (RenderOptions.Color), and golden files must not depend on the
// environment of the test run.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
)

var statusColors = map[string]string{
	rules.Pass:   ansiGreen,
	rules.Fail:   ansiRed,
	rules.Error:  ansiMagenta,
	rules.Skip:   ansiDim,
	rules.Waived: ansiYellow,
}

// Column limits: the status and severity words are at most this wide, and
// title and message never shrink below minTextWidth however narrow the
// terminal (a wrapped line beats an unreadable cell).
const (
	statusWidth   = len("WAIVED")
	severityWidth = len("critical")
	minTextWidth  = 16
	indent        = "    "
)

type tableWriter struct {
	w     io.Writer
	r     *Report
	opt   RenderOptions
	width int
	// idWidth is the widest rule ID, so that IDs line up in every list.
	idWidth int
	err     error
}

func renderTable(w io.Writer, r *Report, opt RenderOptions) error {
	t := &tableWriter{w: w, r: r, opt: opt, width: opt.Width}
	if t.width <= 0 {
		t.width = defaultWidth
	}
	for _, res := range r.Results {
		t.idWidth = max(t.idWidth, text.StringWidthWithoutEscSequences(terminalLine(res.ID)))
	}
	if !opt.Quiet {
		t.header()
		t.results()
	}
	t.failures()
	t.errors()
	if !opt.Quiet {
		t.collectors()
		t.waivers()
		t.waiverFile()
		t.drift()
	}
	t.summary()
	return t.err
}

func (t *tableWriter) printf(format string, a ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, a...)
	}
}

func (t *tableWriter) paint(code, s string) string {
	if !t.opt.Color || code == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *tableWriter) heading(s string) {
	t.printf("%s\n", t.paint(ansiBold, s))
}

// header says what was scanned, when, and by which version, one labelled
// line each so that long paths and OS names stay readable.
func (t *tableWriter) header() {
	target := t.r.Scan.Target
	what := target.Kind + " " + target.Root
	if target.Hostname != "" {
		what += " (" + target.Hostname + ")"
	}
	osName := target.OS.PrettyName
	if osName == "" {
		osName = strings.TrimSpace(target.OS.ID + " " + target.OS.VersionID)
	}
	if osName == "" {
		osName = "unknown"
	}
	if target.OS.KernelRelease != "" {
		osName += ", kernel " + target.OS.KernelRelease
	}
	if target.OS.Arch != "" {
		osName += " " + target.OS.Arch
	}
	tool := strings.TrimSpace(t.r.Tool.Name + " " + t.r.Tool.Version)
	if t.r.Tool.Name == "" {
		tool = strings.TrimSpace("ztscan " + t.r.Tool.Version)
	}
	duration := time.Duration(t.r.Scan.DurationMS) * time.Millisecond
	t.heading(terminalLine(fmt.Sprintf("%s scan %s", tool, t.r.Scan.ID)))
	t.printf("Target:   %s\n", terminalLine(what))
	t.printf("OS:       %s\n", terminalLine(osName))
	t.printf("Started:  %s, took %s\n\n", t.r.Scan.StartedAt.UTC().Format("2006-01-02 15:04:05 MST"), duration)
}

// results prints one table per section. Column widths are computed over
// the whole report so that the sections line up.
func (t *tableWriter) results() {
	idWidth, titleWidth, messageWidth := t.idWidth, 0, 0
	for _, res := range t.r.Results {
		titleWidth = max(titleWidth, text.StringWidthWithoutEscSequences(terminalLine(res.Title)))
		messageWidth = max(messageWidth, text.StringWidthWithoutEscSequences(terminalLine(res.Message)))
	}
	// Each of the five columns has one space of padding on either side.
	room := t.width - 5*2 - statusWidth - severityWidth - idWidth
	if titleWidth+messageWidth > room {
		// The message says what is wrong, so it gets at least half.
		titleWidth = max(minTextWidth, min(titleWidth, max(room-messageWidth, room*2/5)))
		messageWidth = max(minTextWidth, room-titleWidth)
	}

	for _, g := range groupBySection(t.r.Results) {
		t.heading(sectionHeading(g))
		tw := table.NewWriter()
		tw.SetStyle(plainStyle())
		tw.SetColumnConfigs([]table.ColumnConfig{
			{Number: 1, WidthMin: statusWidth},
			{Number: 2, WidthMin: severityWidth},
			{Number: 3, WidthMin: idWidth},
			{Number: 4, WidthMin: titleWidth},
		})
		for _, res := range g.Results {
			tw.AppendRow(table.Row{
				t.statusWord(res.Status),
				terminalLine(res.Severity),
				terminalLine(res.ID),
				text.Snip(terminalLine(res.Title), titleWidth, "…"),
				text.Snip(terminalLine(res.Message), messageWidth, "…"),
			})
		}
		t.printf("%s\n\n", trimLines(tw.Render()))
	}
}

func sectionHeading(g sectionGroup) string {
	if g.Title == g.Code {
		return terminalLine(g.Title)
	}
	return terminalLine(g.Title + " (" + g.Code + ")")
}

func (t *tableWriter) statusWord(status string) string {
	return t.paint(statusColors[status], strings.ToUpper(status))
}

// plainStyle is a table without borders or rules: columns separated by
// padding only, so lines are easy to read, grep and copy.
func plainStyle() table.Style {
	s := table.StyleDefault
	s.Options = table.Options{}
	s.Box.PaddingLeft = " "
	s.Box.PaddingRight = " "
	return s
}

// trimLines drops the padding go-pretty leaves at the end of lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// failures lists what must be fixed, most severe first, with the fix.
func (t *tableWriter) failures() {
	fails := t.withStatus(rules.Fail)
	if len(fails) == 0 {
		return
	}
	sort.SliceStable(fails, func(i, j int) bool {
		ri, rj := severityRankOf(fails[i].Severity), severityRankOf(fails[j].Severity)
		if ri != rj {
			return ri > rj
		}
		return fails[i].ID < fails[j].ID
	})
	t.heading(fmt.Sprintf("Failures (%d)", len(fails)))
	for _, res := range fails {
		t.item(res)
		t.block("", res.Message)
		t.block("Fix: ", res.Remediation)
	}
	t.printf("\n")
}

// errors lists the rules that could not be judged and why: an auditor must
// see that a control is unknown, not assume it is fine.
func (t *tableWriter) errors() {
	errs := t.withStatus(rules.Error)
	if len(errs) == 0 {
		return
	}
	t.heading(fmt.Sprintf("Errors (%d): rules that could not be judged", len(errs)))
	for _, res := range errs {
		t.item(res)
		t.block("", res.Message)
	}
	t.printf("\n")
}

// withStatus lists the report's results of one status, in report order.
func (t *tableWriter) withStatus(status string) []Result {
	var out []Result
	for _, res := range t.r.Results {
		if res.Status == status {
			out = append(out, res)
		}
	}
	return out
}

// item names a result under a heading that already says its status; the
// severity takes the status colour.
func (t *tableWriter) item(res Result) {
	severity := fmt.Sprintf("%-*s", severityWidth, terminalLine(res.Severity))
	id := fmt.Sprintf("%-*s", t.idWidth, terminalLine(res.ID))
	t.printf("  %s  %s  %s\n", t.paint(statusColors[res.Status], severity), id, terminalLine(res.Title))
}

// block prints untrusted text wrapped to the width under an item.
func (t *tableWriter) block(label, body string) {
	body = terminalText(body)
	if body == "" {
		return
	}
	wrapped := text.WrapSoft(label+body, max(minTextWidth, t.width-len(indent)))
	for _, line := range strings.Split(wrapped, "\n") {
		t.printf("%s%s\n", indent, strings.TrimRight(line, " "))
	}
}

func (t *tableWriter) collectors() {
	var bad []int
	nameWidth := 0
	for i, c := range t.r.Collectors {
		if c.Status != "ok" {
			bad = append(bad, i)
			nameWidth = max(nameWidth, text.StringWidthWithoutEscSequences(terminalLine(c.Name)))
		}
	}
	if len(bad) == 0 {
		return
	}
	t.heading(fmt.Sprintf("Collectors not ok (%d)", len(bad)))
	for _, i := range bad {
		c := t.r.Collectors[i]
		t.printf("  %-*s  %s\n", nameWidth, terminalLine(c.Name), terminalLine(c.Status))
		t.block("", c.Error)
	}
	t.printf("\n")
}

// waivers shows who accepted which failure and until when.
func (t *tableWriter) waivers() {
	waived := t.withStatus(rules.Waived)
	if len(waived) == 0 {
		return
	}
	t.heading(fmt.Sprintf("Waived (%d)", len(waived)))
	for _, res := range waived {
		t.item(res)
		msg := waivedMessage(res)
		if res.Waiver != nil && res.Waiver.Owner != "" {
			msg += " (owner " + res.Waiver.Owner + ")"
		}
		t.block("", msg)
	}
	t.printf("\n")
}

// waiverFile lists the waivers that did not apply: expired ones (the
// failures they covered count again) and ones that matched nothing.
func (t *tableWriter) waiverFile() {
	wr := t.r.Waivers
	if wr == nil || len(wr.Expired)+len(wr.Unused) == 0 {
		return
	}
	t.heading(fmt.Sprintf("Waivers not applied (%d expired, %d unused)", len(wr.Expired), len(wr.Unused)))
	for _, group := range []struct {
		label string
		uses  []WaiverUse
	}{{"expired", wr.Expired}, {"unused", wr.Unused}} {
		for _, u := range group.uses {
			what := "waives no failure of this scan"
			if group.label == "expired" {
				what = "expired " + u.Expires
				if len(u.Rules) > 0 {
					what += ", no longer waives " + strings.Join(u.Rules, ", ")
				}
			}
			t.printf("  %-7s  %s  %s\n", group.label, terminalLine(u.ID), terminalLine(u.Source))
			t.block("", what+": "+u.Reason)
		}
	}
	t.printf("\n")
}

func (t *tableWriter) drift() {
	d := t.r.Drift
	if d == nil {
		return
	}
	from := "baseline"
	if d.Baseline.ScanID != "" {
		from += " scan " + d.Baseline.ScanID
	}
	t.heading(terminalLine(fmt.Sprintf("Drift from %s: %d new failures, %d fixed, %d changed, %d new rules, %d removed rules",
		from, len(d.NewFailures), len(d.Fixed), len(d.Changed), len(d.NewRules), len(d.RemovedRules))))
	groups := []struct {
		label   string
		entries []DriftEntry
	}{{"new failure", d.NewFailures}, {"fixed", d.Fixed}, {"changed", d.Changed}, {"new rule", d.NewRules}, {"removed", d.RemovedRules}}
	idWidth, changeWidth := t.idWidth, 0
	for _, g := range groups {
		for _, e := range g.entries {
			idWidth = max(idWidth, text.StringWidthWithoutEscSequences(terminalLine(e.ID)))
			changeWidth = max(changeWidth, text.StringWidthWithoutEscSequences(terminalLine(driftChange(e))))
		}
	}
	for _, g := range groups {
		for _, e := range g.entries {
			t.printf("  %-11s  %-*s  %-*s  %-*s  %s\n", g.label, severityWidth, terminalLine(e.Severity), idWidth, terminalLine(e.ID),
				changeWidth, terminalLine(driftChange(e)), terminalLine(e.Title))
		}
	}
	t.printf("\n")
}

// driftChange says what changed: "pass -> fail", "high -> critical".
func driftChange(e DriftEntry) string {
	old, cur := e.OldStatus, e.NewStatus
	if old == "" {
		old = "(none)"
	}
	if cur == "" {
		cur = "(none)"
	}
	s := old + " -> " + cur
	if e.OldSeverity != "" {
		s += ", severity " + e.OldSeverity + " -> " + e.Severity
	}
	return s
}

// summary is the one line a person reads first:
// "47 rules: 30 pass, 10 fail (2 critical, 5 high), 3 error, 4 skip, 0 waived. Score 71.3/100".
func (t *tableWriter) summary() {
	s := t.r.Summary
	fail := fmt.Sprintf("%d fail", s.Fail)
	if s.Fail > 0 {
		var parts []string
		for _, sev := range severitiesMostFirst(s.BySeverity) {
			if n := s.BySeverity[sev].Fail; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, terminalLine(sev)))
			}
		}
		fail += " (" + strings.Join(parts, ", ") + ")"
	}
	if s.Fail > 0 {
		fail = t.paint(ansiRed, fail)
	}
	t.printf("%d rules: %d pass, %s, %d error, %d skip, %d waived. Score %.1f/100\n",
		s.Total, s.Pass, fail, s.Error, s.Skip, s.Waived, s.Score)
}

// severitiesMostFirst orders the severities of by_severity critical first,
// then any unknown ones alphabetically.
func severitiesMostFirst(bySeverity map[string]Counts) []string {
	var out []string
	for i := len(rules.Severities) - 1; i >= 0; i-- {
		out = append(out, rules.Severities[i])
	}
	var others []string
	for sev := range bySeverity {
		if rules.SeverityRank(sev) < 0 {
			others = append(others, sev)
		}
	}
	sort.Strings(others)
	return append(out, others...)
}
