package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ztscan/ztscan/rules"
)

// OCSF Compliance Finding events (class 2003, category 2 Findings, schema
// 1.3.0, host profile), one JSON object per line per result, for Amazon
// Security Lake, Splunk and other OCSF consumers. testdata/ocsf-2003-fields.txt
// lists the attributes used with their requirement, type and enums.

const (
	ocsfVersion       = "1.3.0"
	ocsfClassUID      = 2003
	ocsfCategoryUID   = 2
	ocsfActivityID    = 1 // Create: each scan states the finding anew
	ocsfDeviceServer  = 1 // device.type_id Server
	ocsfOSLinux       = 200
	ocsfAnalyticRule  = 1 // finding_info.analytic.type_id Rule
	ocsfSeverityOther = 99
)

// ocsfSeverity maps a severity to severity_id: 1 Informational, 2 Low,
// 3 Medium, 4 High, 5 Critical.
var ocsfSeverity = map[string]struct {
	id   int
	name string
}{
	"info": {1, "Informational"}, "low": {2, "Low"}, "medium": {3, "Medium"}, "high": {4, "High"}, "critical": {5, "Critical"},
}

type ocsfEvent struct {
	ActivityID   int             `json:"activity_id"`
	ActivityName string          `json:"activity_name"`
	CategoryUID  int             `json:"category_uid"`
	CategoryName string          `json:"category_name"`
	ClassUID     int             `json:"class_uid"`
	ClassName    string          `json:"class_name"`
	TypeUID      int             `json:"type_uid"`
	TypeName     string          `json:"type_name"`
	Time         int64           `json:"time"`
	StartTime    int64           `json:"start_time"`
	EndTime      int64           `json:"end_time"`
	SeverityID   int             `json:"severity_id"`
	Severity     string          `json:"severity"`
	StatusID     int             `json:"status_id"`
	Status       string          `json:"status"`
	Message      string          `json:"message"`
	Metadata     ocsfMetadata    `json:"metadata"`
	FindingInfo  ocsfFindingInfo `json:"finding_info"`
	Compliance   ocsfCompliance  `json:"compliance"`
	Remediation  *ocsfRemedy     `json:"remediation,omitempty"`
	Device       ocsfDevice      `json:"device"`
	Unmapped     ocsfUnmapped    `json:"unmapped"`
}

type ocsfMetadata struct {
	Version  string      `json:"version"`
	Product  ocsfProduct `json:"product"`
	UID      string      `json:"uid"`
	LogName  string      `json:"log_name"`
	Profiles []string    `json:"profiles"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
	URLString  string `json:"url_string"`
}

type ocsfFindingInfo struct {
	UID      string       `json:"uid"`
	Title    string       `json:"title"`
	Desc     string       `json:"desc"`
	Types    []string     `json:"types"`
	Analytic ocsfAnalytic `json:"analytic"`
}

type ocsfAnalytic struct {
	UID      string `json:"uid"`
	Name     string `json:"name"`
	Category string `json:"category"`
	TypeID   int    `json:"type_id"`
	Type     string `json:"type"`
}

type ocsfCompliance struct {
	Standards    []string `json:"standards"`
	Control      string   `json:"control"`
	Requirements []string `json:"requirements"`
	StatusID     int      `json:"status_id"`
	Status       string   `json:"status"`
	StatusDetail string   `json:"status_detail"`
}

type ocsfRemedy struct {
	Desc       string   `json:"desc"`
	References []string `json:"references,omitempty"`
}

type ocsfDevice struct {
	Hostname string `json:"hostname,omitempty"`
	Name     string `json:"name,omitempty"`
	TypeID   int    `json:"type_id"`
	Type     string `json:"type"`
	OS       ocsfOS `json:"os"`
}

type ocsfOS struct {
	Name          string `json:"name"`
	TypeID        int    `json:"type_id"`
	Type          string `json:"type"`
	Version       string `json:"version,omitempty"`
	KernelRelease string `json:"kernel_release,omitempty"`
}

// ocsfUnmapped carries what OCSF has no attribute for, under one key.
// Evidence is a JSON string: its shape differs per rule, and stores with a
// fixed schema (Security Lake's Parquet tables) take strings.
type ocsfUnmapped struct {
	Ztscan ocsfZtscan `json:"ztscan"`
}

type ocsfZtscan struct {
	Status     string  `json:"status"`
	Severity   string  `json:"severity"`
	Section    string  `json:"section"`
	Evidence   string  `json:"evidence"`
	Waiver     *Waiver `json:"waiver,omitempty"`
	ScanID     string  `json:"scan_id"`
	Score      float64 `json:"score"`
	TargetKind string  `json:"target_kind"`
	TargetRoot string  `json:"target_root"`
}

// ocsfFindingStatus is the finding's status_id: a failure is New, a waived
// one Suppressed, a pass Resolved; an error or skip is Other (named).
func ocsfFindingStatus(status string) (int, string) {
	switch status {
	case rules.Fail:
		return 1, "New"
	case rules.Waived:
		return 3, "Suppressed"
	case rules.Pass:
		return 4, "Resolved"
	}
	return 99, status
}

// ocsfComplianceStatus is compliance.status_id: 1 Pass, 3 Fail, 99 Other
// (waived, error, skip, named in status).
func ocsfComplianceStatus(status string) (int, string) {
	switch status {
	case rules.Pass:
		return 1, "Pass"
	case rules.Fail:
		return 3, "Fail"
	}
	names := map[string]string{rules.Waived: "Waived", rules.Error: "Error", rules.Skip: "Skip"}
	if name, ok := names[status]; ok {
		return 99, name
	}
	return 99, status
}

func renderOCSF(w io.Writer, r *Report, _ RenderOptions) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, res := range r.Results {
		if err := enc.Encode(ocsfEventOf(r, res)); err != nil {
			return fmt.Errorf("ocsf event %s: %w", res.ID, err)
		}
	}
	return nil
}

func ocsfEventOf(r *Report, res Result) ocsfEvent {
	target := r.Scan.Target
	sev, ok := ocsfSeverity[res.Severity]
	if !ok {
		sev.id, sev.name = ocsfSeverityOther, res.Severity
	}
	statusID, status := ocsfFindingStatus(res.Status)
	cStatusID, cStatus := ocsfComplianceStatus(res.Status)
	detail := terminalLine(res.Message)
	if res.Status == rules.Waived {
		detail = terminalLine(waivedMessage(res))
	}
	desc := res.Description
	if desc == "" {
		desc = res.Title
	}
	ev := ocsfEvent{
		ActivityID: ocsfActivityID, ActivityName: "Create",
		CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
		ClassUID: ocsfClassUID, ClassName: "Compliance Finding",
		TypeUID: ocsfClassUID*100 + ocsfActivityID, TypeName: "Compliance Finding: Create",
		Time:       r.Scan.StartedAt.UnixMilli(),
		StartTime:  r.Scan.StartedAt.UnixMilli(),
		EndTime:    r.Scan.FinishedAt.UnixMilli(),
		SeverityID: sev.id, Severity: sev.name,
		StatusID: statusID, Status: status,
		Message: terminalLine(fmt.Sprintf("%s %s: %s", res.ID, strings.ToUpper(res.Status), res.Message)),
		Metadata: ocsfMetadata{
			Version: ocsfVersion,
			Product: ocsfProduct{Name: "ztscan", VendorName: "ztscan", Version: r.Tool.Version, URLString: InformationURI},
			UID:     r.Scan.ID + "-" + res.ID, LogName: "ztscan", Profiles: []string{"host"},
		},
		FindingInfo: ocsfFindingInfo{
			// Stable across scans: the same rule on the same host is the
			// same finding, whose status changes.
			UID:   fingerprint(res.ID, "", target.Hostname),
			Title: res.Title, Desc: desc, Types: []string{"Compliance", SectionTitle(res.Section)},
			Analytic: ocsfAnalytic{UID: res.ID, Name: res.Title, Category: SectionTitle(res.Section), TypeID: ocsfAnalyticRule, Type: "Rule"},
		},
		Compliance: ocsfCompliance{
			Standards: []string{"ztscan Zero Trust Linux checklist"}, Control: res.ID, Requirements: nonNil(res.References),
			StatusID: cStatusID, Status: cStatus, StatusDetail: detail,
		},
		Device: ocsfDevice{
			Hostname: target.Hostname, Name: target.Hostname, TypeID: ocsfDeviceServer, Type: "Server",
			OS: ocsfOS{Name: osName(target.OS.PrettyName, "Linux"), TypeID: ocsfOSLinux, Type: "Linux", Version: target.OS.VersionID, KernelRelease: target.OS.KernelRelease},
		},
		Unmapped: ocsfUnmapped{Ztscan: ocsfZtscan{
			Status: res.Status, Severity: res.Severity, Section: res.Section, Evidence: compactJSON(res.Evidence), Waiver: res.Waiver,
			ScanID: r.Scan.ID, Score: r.Summary.Score, TargetKind: target.Kind, TargetRoot: target.Root,
		}},
	}
	if res.Remediation != "" {
		ev.Remediation = &ocsfRemedy{Desc: res.Remediation, References: res.References}
	}
	return ev
}
