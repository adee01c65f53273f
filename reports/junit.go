package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/rules"
)

// The JUnit dialect Jenkins and GitLab read: testsuites > testsuite (one per
// checklist section) > testcase (one per rule). ztscan has no per-rule
// timing, so a test case's time is 0 and the whole run carries the scan's
// duration.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Hostname  string      `xml:"hostname,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	// CDATA keeps the evidence JSON readable in the raw file; the encoder
	// splits any "]]>" in it.
	Text string `xml:",cdata"`
}

// junitTimestamp is the XSD's dateTime without a zone; started_at is UTC.
const junitTimestamp = "2006-01-02T15:04:05"

func renderJUnit(w io.Writer, r *Report, _ RenderOptions) error {
	doc := junitSuites{
		Name:     "ztscan",
		Tests:    r.Summary.Total,
		Failures: r.Summary.Fail,
		Errors:   r.Summary.Error,
		Skipped:  r.Summary.Skip + r.Summary.Waived,
		Time:     seconds(r.Scan.DurationMS),
	}
	for _, g := range groupBySection(r.Results) {
		suite := junitSuite{
			Name:      xmlText(g.Title),
			Time:      "0",
			Timestamp: r.Scan.StartedAt.UTC().Format(junitTimestamp),
			Hostname:  xmlText(r.Scan.Target.Hostname),
		}
		for _, res := range g.Results {
			c := junitCaseOf(res)
			suite.Tests++
			switch {
			case c.Failure != nil:
				suite.Failures++
			case c.Error != nil:
				suite.Errors++
			case c.Skipped != nil:
				suite.Skipped++
			}
			suite.Cases = append(suite.Cases, c)
		}
		doc.Suites = append(doc.Suites, suite)
	}

	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

func junitCaseOf(res Result) junitCase {
	c := junitCase{
		Classname: xmlText("ztscan." + res.Section),
		Name:      xmlText(res.ID + " " + res.Title),
		Time:      "0",
	}
	message := xmlText(res.Message)
	switch res.Status {
	case rules.Fail:
		c.Failure = &junitProblem{Message: message, Type: xmlText(res.Severity), Text: junitDetail(res, true)}
	case rules.Error:
		c.Error = &junitProblem{Message: message, Type: "error", Text: junitDetail(res, false)}
	case rules.Skip:
		c.Skipped = &junitProblem{Message: message}
	case rules.Waived:
		c.Skipped = &junitProblem{Message: xmlText(waivedMessage(res))}
	}
	return c
}

// junitDetail is the body a CI page shows under a finding: the message,
// the evidence, and for a failure how to fix it.
func junitDetail(res Result, withFix bool) string {
	var b strings.Builder
	b.WriteString(res.Message)
	if len(res.Evidence) > 0 {
		b.WriteString("\n\nEvidence:\n")
		b.WriteString(evidenceJSON(res.Evidence))
	}
	if withFix && res.Remediation != "" {
		b.WriteString("\n\nRemediation: ")
		b.WriteString(res.Remediation)
	}
	if withFix && len(res.References) > 0 {
		b.WriteString("\nReferences: ")
		b.WriteString(strings.Join(res.References, "; "))
	}
	return xmlText(b.String())
}

// evidenceJSON is the evidence as indented JSON with sorted keys.
func evidenceJSON(evidence map[string]any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(evidence); err != nil {
		return fmt.Sprintf("(evidence not encodable: %v)", err)
	}
	return strings.TrimRight(buf.String(), "\n")
}

// waivedMessage says why a result was waived, from its waiver when known.
func waivedMessage(res Result) string {
	if res.Waiver == nil {
		return "waived: " + res.Message
	}
	msg := "waived"
	if res.Waiver.ID != "" {
		msg += " by " + res.Waiver.ID
	}
	if res.Waiver.Expires != "" {
		msg += " until " + res.Waiver.Expires
	}
	if res.Waiver.Reason != "" {
		msg += ": " + res.Waiver.Reason
	}
	return msg
}

// seconds formats milliseconds as JUnit's decimal seconds.
func seconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}
