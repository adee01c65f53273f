package sshdconfig

import (
	"strings"
)

// ParseDump parses `sshd -T` output into settings, keeping the order.
// Lines are "keyword value"; blank lines and lines without a keyword are
// skipped; the keyword is lowercased and the value kept verbatim (minus a
// trailing carriage return).
func ParseDump(out []byte) []Setting {
	var settings []Setting
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		kw, val, _ := strings.Cut(line, " ")
		kw = lowerASCII(strings.TrimSpace(kw))
		if kw == "" {
			continue
		}
		settings = append(settings, Setting{Keyword: kw, Value: val})
	}
	return settings
}

// MultiValued lists the keywords sshd -T prints on one line per value
// (dump_cfg_strarray and the port/listenaddress/subsystem loops). ToMap
// always returns these as []string, even with a single value or none
// printed, so a rule never has to guess between a string and an array:
//
//	port, listenaddress, hostkey, hostcertificate, allowusers, denyusers,
//	allowgroups, denygroups, acceptenv, setenv, subsystem
//
// Keywords sshd prints on a single line with several space-separated
// values are also arrays (one element per value) because their order and
// membership are what rules check:
//
//	authorizedkeysfile, authenticationmethods, permitopen, permitlisten,
//	channeltimeout, logverbose
//
// Every other keyword is a string.
var MultiValued = []string{
	"port", "listenaddress", "hostkey", "hostcertificate", "allowusers", "denyusers",
	"allowgroups", "denygroups", "acceptenv", "setenv", "subsystem",
}

// SpaceListed are the single-line, space-separated list keywords ToMap
// splits into arrays.
var SpaceListed = []string{
	"authorizedkeysfile", "authenticationmethods", "permitopen", "permitlisten",
	"channeltimeout", "logverbose",
}

// ToMap turns settings into the facts map: lowercase keyword to string,
// or to []string for the keywords listed in MultiValued and SpaceListed
// (and for any other keyword that appears on several lines). Arrays are
// never nil for the MultiValued keywords, so a fact is always present with
// the same type; the result depends only on the input.
func ToMap(s []Setting) map[string]any {
	multi := map[string]bool{}
	for _, k := range MultiValued {
		multi[k] = true
	}
	spaced := map[string]bool{}
	for _, k := range SpaceListed {
		spaced[k] = true
	}
	count := map[string]int{}
	for _, st := range s {
		count[lowerASCII(st.Keyword)]++
	}
	m := map[string]any{}
	for _, k := range MultiValued {
		m[k] = []string{}
	}
	for _, st := range s {
		k := lowerASCII(st.Keyword)
		switch {
		case spaced[k]:
			prev, _ := m[k].([]string)
			m[k] = append(prev, strings.Fields(st.Value)...)
		case multi[k] || count[k] > 1:
			prev, _ := m[k].([]string)
			m[k] = append(prev, st.Value)
		default:
			m[k] = st.Value
		}
	}
	return m
}
