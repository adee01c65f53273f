package reports

import "sort"

// sectionOrder is the checklist's order of sections; sections of custom
// rules follow it alphabetically.
var sectionOrder = []string{"FW", "NET", "SSH", "ID", "PRIV", "MAC", "KRN", "TLS", "TIME", "AUD", "SVC", "PKG", "FS", "DB", "VPN", "PHY", "PLAT", "TUNE"}

// sectionTitles are the human names from the checklist's headings.
var sectionTitles = map[string]string{
	"FW":   "Firewall and segmentation",
	"NET":  "Network exposure",
	"SSH":  "SSH",
	"ID":   "Identity and accounts",
	"PRIV": "Least privilege",
	"MAC":  "Mandatory access control",
	"KRN":  "Kernel",
	"TLS":  "Transport identity and certificates",
	"TIME": "Time",
	"AUD":  "Audit and monitoring",
	"SVC":  "Services",
	"PKG":  "Packages",
	"FS":   "Filesystem",
	"DB":   "Data layer",
	"VPN":  "VPN",
	"PHY":  "Physical",
	"PLAT": "Platform",
	"TUNE": "Tuning",
}

// SectionTitle is the human name of a section code ("FW" => "Firewall and
// segmentation"); an unknown code (a custom rule's) is its own title.
func SectionTitle(code string) string {
	if t, ok := sectionTitles[code]; ok {
		return t
	}
	return code
}

// Sections lists the checklist's section codes in checklist order.
func Sections() []string {
	return append([]string{}, sectionOrder...)
}

// sectionGroup is the results of one section, in ID order.
type sectionGroup struct {
	Code    string
	Title   string
	Results []Result
}

// groupBySection groups results for renderers that show sections: the
// checklist's sections first in its order, then any others alphabetically.
func groupBySection(results []Result) []sectionGroup {
	bySection := map[string][]Result{}
	for _, r := range results {
		bySection[r.Section] = append(bySection[r.Section], r)
	}
	var groups []sectionGroup
	for _, code := range sectionOrder {
		if rs, ok := bySection[code]; ok {
			groups = append(groups, sectionGroup{Code: code, Title: SectionTitle(code), Results: rs})
			delete(bySection, code)
		}
	}
	var others []string
	for code := range bySection {
		others = append(others, code)
	}
	sort.Strings(others)
	for _, code := range others {
		groups = append(groups, sectionGroup{Code: code, Title: SectionTitle(code), Results: bySection[code]})
	}
	return groups
}
