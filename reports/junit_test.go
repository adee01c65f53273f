package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// junitDoc is what a CI server reads back from the JUnit file.
type junitDoc struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error   *struct{} `xml:"error"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitParsesAndCountsMatchSummary(t *testing.T) {
	r := fixtureReport(t)
	var buf bytes.Buffer
	if err := Render(&buf, "junit", r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("junit output is not valid XML: %v", err)
	}
	s := r.Summary
	if doc.Name != "ztscan" || doc.Tests != s.Total || doc.Failures != s.Fail || doc.Errors != s.Error || doc.Skipped != s.Skip+s.Waived {
		t.Errorf("testsuites = %s %d/%d/%d/%d, summary = %+v", doc.Name, doc.Tests, doc.Failures, doc.Errors, doc.Skipped, s.Counts)
	}
	var tests, failures, errors, skipped int
	for _, suite := range doc.Suites {
		var f, e, sk int
		for _, c := range suite.Cases {
			if !strings.HasPrefix(c.Classname, "ztscan.") {
				t.Errorf("classname %q", c.Classname)
			}
			switch {
			case c.Failure != nil:
				f++
			case c.Error != nil:
				e++
			case c.Skipped != nil:
				sk++
			}
		}
		if suite.Tests != len(suite.Cases) || suite.Failures != f || suite.Errors != e || suite.Skipped != sk {
			t.Errorf("suite %s says %d/%d/%d/%d, holds %d/%d/%d/%d", suite.Name,
				suite.Tests, suite.Failures, suite.Errors, suite.Skipped, len(suite.Cases), f, e, sk)
		}
		tests, failures, errors, skipped = tests+suite.Tests, failures+f, errors+e, skipped+sk
	}
	if tests != s.Total || failures != s.Fail || errors != s.Error || skipped != s.Skip+s.Waived {
		t.Errorf("suites add up to %d/%d/%d/%d, summary = %+v", tests, failures, errors, skipped, s.Counts)
	}
}

// TestJUnitHostileText: host-controlled text (NUL, escapes, "]]>", quotes)
// must leave the file parseable, with invalid characters removed.
func TestJUnitHostileText(t *testing.T) {
	hostile := "a\x00b\x1b[31mred\x1b[0m\x0b <x> & \"q\" ]]> \ufffe\u0085\xffend"
	r := &Report{Results: []Result{{
		ID: "ZT-SSH-004", Title: "t" + hostile, Section: "SSH", Severity: "low", Status: "fail",
		Message: hostile, Evidence: map[string]any{"raw": hostile}, Remediation: hostile,
	}}}
	r.Summary = Summarize(r.Results)
	var buf bytes.Buffer
	if err := Render(&buf, "junit", r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not valid XML: %v\n%s", err, buf.String())
	}
	f := doc.Suites[0].Cases[0].Failure
	if f == nil {
		t.Fatal("no failure element")
	}
	// U+FFFE and the C1 control go; the invalid byte \xff becomes U+FFFD.
	if want := "abred <x> & \"q\" ]]> \ufffdend"; f.Message != want {
		t.Errorf("message = %q, want %q", f.Message, want)
	}
	if !strings.Contains(f.Text, "Remediation: abred") || !strings.Contains(f.Text, `"raw": "a\u0000b\u001b[31mred`) {
		t.Errorf("body lacks remediation or JSON-escaped evidence:\n%s", f.Text)
	}
	if f.Type != "low" {
		t.Errorf("type = %q, want the severity", f.Type)
	}
}
