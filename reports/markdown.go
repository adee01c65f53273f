package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/rules"
)

// The Markdown report is for pasting into a ticket or a merge request
// comment (GitHub and GitLab flavours): a summary, then what needs doing
// (failures with their fix, errors), then waivers, drift and collectors.
// Passing and skipped rules are counted, not listed: a comment with two
// hundred green rows hides the five that matter. Every cell is escaped, so
// host-controlled text can neither break the table nor inject HTML, links
// or mentions.

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) printf(format string, a ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, a...)
	}
}

// table writes a header row, the separator and the rows; cells must
// already be escaped with mdCell.
func (m *mdWriter) table(header []string, rows [][]string) {
	m.printf("| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat(" --- |", len(header)))
	for _, r := range rows {
		m.printf("| %s |\n", strings.Join(r, " | "))
	}
	m.printf("\n")
}

// mdEscaper backslash-escapes the punctuation that Markdown would act on
// inside a table cell, and turns & into an entity so that no character
// reference is interpreted; "@" becomes an entity so that "@team" in a
// host's text notifies nobody.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "~", `\~`, "#", `\#`, "&", "&amp;", "@", "&#64;",
)

// mdCell makes untrusted text one safe table cell: control characters
// shown escaped (as in the terminal), line breaks as <br>.
func mdCell(s string) string {
	lines := strings.Split(terminalText(s), "\n")
	for i, l := range lines {
		lines[i] = mdEscaper.Replace(l)
	}
	return strings.Join(lines, "<br>")
}

func renderMarkdown(w io.Writer, r *Report, _ RenderOptions) error {
	m := &mdWriter{w: w}
	target := r.Scan.Target
	name := target.Hostname
	if name == "" {
		name = target.Root
	}
	m.printf("## ztscan report: %s\n\n", mdCell(name))
	osName := target.OS.PrettyName
	if osName == "" {
		osName = strings.TrimSpace(target.OS.ID + " " + target.OS.VersionID)
	}
	m.table([]string{"Target", "OS", "Scan", "Started (UTC)", "ztscan"}, [][]string{{
		mdCell(target.Kind + " " + target.Root), mdCell(osName), mdCell(r.Scan.ID),
		r.Scan.StartedAt.UTC().Format("2006-01-02 15:04:05"), mdCell(r.Tool.Version),
	}})

	s := r.Summary
	m.printf("### Summary\n\n")
	m.table([]string{"Score", "Rules", "Pass", "Fail", "Error", "Skip", "Waived"}, [][]string{{
		fmt.Sprintf("**%.1f**/100", s.Score), fmt.Sprint(s.Total), fmt.Sprint(s.Pass), fmt.Sprint(s.Fail),
		fmt.Sprint(s.Error), fmt.Sprint(s.Skip), fmt.Sprint(s.Waived),
	}})
	m.failures(r)
	m.errors(r)
	m.waived(r)
	m.waiverFile(r.Waivers)
	if r.Drift != nil {
		m.drift(r.Drift, "###")
	}
	m.collectors(r)
	return m.err
}

// failures lists every failure, most severe first, with its fix.
func (m *mdWriter) failures(r *Report) {
	var fails []Result
	for _, res := range r.Results {
		if res.Status == rules.Fail {
			fails = append(fails, res)
		}
	}
	if len(fails) == 0 {
		m.printf("### Failures\n\nNone.\n\n")
		return
	}
	sort.SliceStable(fails, func(i, j int) bool {
		ri, rj := severityRankOf(fails[i].Severity), severityRankOf(fails[j].Severity)
		if ri != rj {
			return ri > rj
		}
		return fails[i].ID < fails[j].ID
	})
	rows := make([][]string, 0, len(fails))
	for _, res := range fails {
		rows = append(rows, []string{mdCell(res.Severity), mdCell(res.ID),
			mdCell(res.Title), mdCell(res.Message), mdCell(res.Remediation)})
	}
	m.printf("### Failures (%d)\n\n", len(fails))
	m.table([]string{"Severity", "Rule", "Title", "Finding", "Remediation"}, rows)
}

// errors lists the rules that could not be judged: unknown is not fine.
func (m *mdWriter) errors(r *Report) {
	var rows [][]string
	for _, res := range r.Results {
		if res.Status == rules.Error {
			rows = append(rows, []string{mdCell(res.Severity), mdCell(res.ID), mdCell(res.Title), mdCell(res.Message)})
		}
	}
	if len(rows) == 0 {
		return
	}
	m.printf("### Errors (%d): rules that could not be judged\n\n", len(rows))
	m.table([]string{"Severity", "Rule", "Title", "Why"}, rows)
}

func (m *mdWriter) waived(r *Report) {
	var rows [][]string
	for _, res := range r.Results {
		if res.Status != rules.Waived {
			continue
		}
		reason, expires, owner := "", "", ""
		if res.Waiver != nil {
			reason, expires, owner = res.Waiver.Reason, res.Waiver.Expires, res.Waiver.Owner
		}
		rows = append(rows, []string{mdCell(res.Severity), mdCell(res.ID), mdCell(res.Message), mdCell(reason), mdCell(expires), mdCell(owner)})
	}
	if len(rows) == 0 {
		return
	}
	m.printf("### Waived (%d)\n\n", len(rows))
	m.table([]string{"Severity", "Rule", "Finding", "Reason", "Expires", "Owner"}, rows)
}

func (m *mdWriter) waiverFile(wr *WaiverReport) {
	if wr == nil || len(wr.Expired)+len(wr.Unused) == 0 {
		return
	}
	var rows [][]string
	for _, u := range wr.Expired {
		rows = append(rows, []string{"expired", mdCell(u.ID), mdCell(u.Expires), mdCell(strings.Join(u.Rules, ", ")), mdCell(u.Reason), mdCell(u.Source)})
	}
	for _, u := range wr.Unused {
		rows = append(rows, []string{"unused", mdCell(u.ID), mdCell(u.Expires), "", mdCell(u.Reason), mdCell(u.Source)})
	}
	m.printf("### Waivers not applied\n\n")
	m.table([]string{"State", "Waiver", "Expires", "Failures it no longer waives", "Reason", "Where"}, rows)
}

// drift writes the drift tables under a heading of the given level.
func (m *mdWriter) drift(d *Drift, level string) {
	m.printf("%s Drift from baseline %s\n\n", level, mdCell(d.Baseline.ScanID))
	m.printf("%d new failures, %d fixed, %d changed, %d new rules, %d removed rules.\n\n",
		len(d.NewFailures), len(d.Fixed), len(d.Changed), len(d.NewRules), len(d.RemovedRules))
	var rows [][]string
	for _, group := range []struct {
		label   string
		entries []DriftEntry
	}{{"new failure", d.NewFailures}, {"fixed", d.Fixed}, {"changed", d.Changed}, {"new rule", d.NewRules}, {"removed rule", d.RemovedRules}} {
		for _, e := range group.entries {
			rows = append(rows, []string{group.label, mdCell(e.Severity), mdCell(e.ID), mdCell(driftChange(e)), mdCell(e.Title)})
		}
	}
	if len(rows) > 0 {
		m.table([]string{"Drift", "Severity", "Rule", "Change", "Title"}, rows)
	}
}

func (m *mdWriter) collectors(r *Report) {
	var rows [][]string
	for _, c := range r.Collectors {
		if c.Status != "ok" {
			rows = append(rows, []string{mdCell(c.Name), mdCell(c.Status), mdCell(c.Error)})
		}
	}
	if len(rows) == 0 {
		return
	}
	m.printf("### Collectors not ok (%d)\n\n", len(rows))
	m.table([]string{"Collector", "Status", "Why"}, rows)
}
