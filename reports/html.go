package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/ztscan/ztscan/rules"
)

// The HTML report is one self-contained file for an auditor to open, keep
// or hand on: CSS, SVG and a few lines of script are inline, and a
// Content-Security-Policy forbids every request, so the file shows the
// same offline, from a mail attachment or years later. Filters are CSS
// checkboxes (they work without script); the script only counts what is
// shown. html/template escapes all host-controlled text.

//go:embed templates/report.html.tmpl
var htmlFS embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"clean":    terminalText,
	"line":     terminalLine,
	"upper":    strings.ToUpper,
	"evidence": func(ev map[string]any) string { return preText(evidenceJSON(ev)) },
	"href":     referenceURL,
	"change":   driftChange,
	"join":     strings.Join,
}).ParseFS(htmlFS, "templates/report.html.tmpl"))

// htmlStatuses are the statuses in the order they are shown and charted.
var htmlStatuses = []string{rules.Fail, rules.Error, rules.Waived, rules.Skip, rules.Pass}

type htmlPage struct {
	R          *Report
	Title      string
	Target     string
	OS         string
	Started    string
	Duration   string
	Gauge      htmlGauge
	Counts     []htmlCount
	Severities []htmlCount
	Statuses   []string
	Chart      htmlChart
	Failures   []Result
	Sections   []sectionGroup
	Collectors []htmlCollector
}

type htmlCount struct {
	Name string
	N    int
}

type htmlCollector struct {
	Name, Status, Error string
}

// htmlGauge is the score ring: the dash of a circle of radius 52.
type htmlGauge struct {
	Dash, Gap float64
	Class     string
}

type htmlChart struct {
	Width, Height int
	LabelWidth    int
	Rows          []htmlChartRow
}

type htmlChartRow struct {
	Label    string
	Code     string
	Y, TextY int
	Total    int
	Segments []htmlSegment
	EndX     int
}

type htmlSegment struct {
	Status string
	N      int
	X, W   int
}

// Chart geometry, in SVG user units.
const (
	chartLabelWidth = 250
	chartBarWidth   = 520
	chartRowHeight  = 24
	chartBarHeight  = 16
)

func renderHTML(w io.Writer, r *Report, _ RenderOptions) error {
	if err := htmlTemplate.Execute(w, newHTMLPage(r)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

func newHTMLPage(r *Report) htmlPage {
	target := r.Scan.Target
	p := htmlPage{R: r, Statuses: htmlStatuses}
	p.Title = "ztscan report"
	if target.Hostname != "" {
		p.Title += ": " + terminalLine(target.Hostname)
	}
	p.Target = strings.TrimSpace(target.Kind + " " + target.Root)
	if target.Hostname != "" {
		p.Target += " (" + target.Hostname + ")"
	}
	p.OS = target.OS.PrettyName
	if p.OS == "" {
		p.OS = strings.TrimSpace(target.OS.ID + " " + target.OS.VersionID)
	}
	if target.OS.KernelRelease != "" {
		p.OS += ", kernel " + target.OS.KernelRelease
	}
	p.Started = r.Scan.StartedAt.UTC().Format("2006-01-02 15:04:05 MST")
	p.Duration = (time.Duration(r.Scan.DurationMS) * time.Millisecond).String()

	s := r.Summary
	const circumference = 2 * math.Pi * 52
	dash := math.Round(circumference*s.Score/100*10) / 10
	p.Gauge = htmlGauge{Dash: dash, Gap: math.Round((circumference-dash)*10) / 10, Class: scoreClass(s.Score)}
	p.Counts = []htmlCount{{rules.Pass, s.Pass}, {rules.Fail, s.Fail}, {rules.Error, s.Error}, {rules.Skip, s.Skip}, {rules.Waived, s.Waived}}
	for _, sev := range severitiesMostFirst(s.BySeverity) {
		if c, ok := s.BySeverity[sev]; ok {
			p.Severities = append(p.Severities, htmlCount{sev, c.Fail})
		}
	}
	p.Sections = groupBySection(r.Results)
	p.Chart = sectionChart(p.Sections)
	for _, res := range r.Results {
		if res.Status == rules.Fail {
			p.Failures = append(p.Failures, res)
		}
	}
	sort.SliceStable(p.Failures, func(i, j int) bool {
		ri, rj := severityRankOf(p.Failures[i].Severity), severityRankOf(p.Failures[j].Severity)
		if ri != rj {
			return ri > rj
		}
		return p.Failures[i].ID < p.Failures[j].ID
	})
	for _, c := range r.Collectors {
		if c.Status != "ok" {
			p.Collectors = append(p.Collectors, htmlCollector{c.Name, c.Status, c.Error})
		}
	}
	return p
}

func scoreClass(score float64) string {
	switch {
	case score >= 90:
		return "good"
	case score >= 70:
		return "fair"
	}
	return "poor"
}

// sectionChart lays out one stacked bar per section, scaled to the
// largest section, statuses in htmlStatuses order.
func sectionChart(groups []sectionGroup) htmlChart {
	c := htmlChart{LabelWidth: chartLabelWidth, Width: chartLabelWidth + chartBarWidth + 60}
	largest := 1
	for _, g := range groups {
		largest = max(largest, len(g.Results))
	}
	for i, g := range groups {
		row := htmlChartRow{Label: g.Title, Code: g.Code, Y: 8 + i*chartRowHeight, Total: len(g.Results)}
		row.TextY = row.Y + chartBarHeight - 4
		counts := map[string]int{}
		for _, res := range g.Results {
			counts[res.Status]++
		}
		x := chartLabelWidth
		for _, st := range htmlStatuses {
			n := counts[st]
			if n == 0 {
				continue
			}
			w := max(2, int(math.Round(float64(n)*chartBarWidth/float64(largest))))
			row.Segments = append(row.Segments, htmlSegment{Status: st, N: n, X: x, W: w})
			x += w
		}
		row.EndX = x + 6
		c.Rows = append(c.Rows, row)
	}
	c.Height = 16 + len(groups)*chartRowHeight
	return c
}

// referenceURL is the reference itself when it is a web address, so it
// can be a link; "" otherwise. Following a link is the reader's choice, not
// a request the page makes.
func referenceURL(ref string) string {
	ref = strings.TrimSpace(ref)
	if (strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://")) && !strings.ContainsAny(ref, " \"'<>") {
		return ref
	}
	return ""
}

// preText is terminalText for preformatted text: each line keeps its
// indentation.
func preText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		body := strings.TrimLeft(l, " ")
		lines[i] = strings.Repeat(" ", len(l)-len(body)) + terminalLine(body)
	}
	return strings.Join(lines, "\n")
}
