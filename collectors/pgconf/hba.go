// Package pgconf reads PostgreSQL's configuration files as the server
// does: postgresql.conf (include, include_if_exists, include_dir; the last
// value wins) and pg_hba.conf (tokens, quoting, @file, CIDR and address
// plus mask, include directives of PostgreSQL 16), checked against the
// server's own pg_hba_file_rules view.
package pgconf

import (
	"fmt"
	"net/netip"
	"strings"
)

// HBAOptions says which server's grammar to follow.
type HBAOptions struct {
	// Version is the PostgreSQL major version (15, 16, ...); 0 is the
	// newest grammar this package knows.
	Version int
}

// HBAEntry is one record of pg_hba.conf, normalised. A record the
// server rejects has Error set and only File and Line are reliable.
type HBAEntry struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Type is local, host, hostssl, hostnossl, hostgssenc or hostnogssenc.
	Type string `json:"type,omitempty"`
	// Databases and Users are the names after @file expansion. A
	// keyword (all, sameuser, samerole, samegroup, replication) is bare;
	// a quoted name that spells a keyword keeps its quotes ("\"all\""),
	// since the server matches it as a plain name.
	Databases []string `json:"databases"`
	Users     []string `json:"users"`
	// Address is the network in CIDR form (host bits cleared; "0/0" and
	// "10.1.2.3/0" are "0.0.0.0/0"), a host name, or a keyword (all,
	// samehost, samenet); empty for local.
	Address     string `json:"address,omitempty"`
	AddressKind string `json:"address_kind,omitempty"` // cidr, hostname, keyword
	Method      string `json:"method,omitempty"`
	// Options are name=value pairs; the values of ldapbindpasswd and
	// radiussecrets are replaced by "<redacted>".
	Options []string `json:"options"`
	Error   string   `json:"error,omitempty"`
}

// HBA is a parsed pg_hba.conf.
type HBA struct {
	Entries []HBAEntry `json:"entries"`
	// Files lists every file read (@files and includes), in reading order.
	Files []string `json:"files"`
}

// FirstError returns the first rejected record as "file:line: message",
// or "". The server refuses to load a pg_hba.conf with any such record.
func (h *HBA) FirstError() string {
	for _, e := range h.Entries {
		if e.Error != "" {
			return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Error)
		}
	}
	return ""
}

// LoadHBA reads and parses pg_hba.conf at p. The error is for the file
// itself (missing, unreadable, not a regular file); problems of records
// are in their Error.
func LoadHBA(fsys FS, p string, opt HBAOptions) (*HBA, error) {
	t := &tokenizer{fs: fsys, version: opt.Version, seen: map[string]bool{}}
	data, err := t.readAuthFile(p, 0)
	if err != nil {
		return nil, err
	}
	return parseTokenized(t, t.tokenizeFile(p, data, 0, true)), nil
}

// ParseHBA parses pg_hba.conf content as if read from file p.
func ParseHBA(fsys FS, p string, data []byte, opt HBAOptions) *HBA {
	t := &tokenizer{fs: fsys, version: opt.Version, seen: map[string]bool{}}
	t.record(p)
	return parseTokenized(t, t.tokenizeFile(p, data, 0, true))
}

func parseTokenized(t *tokenizer, lines []authLine) *HBA {
	h := &HBA{Entries: []HBAEntry{}, Files: t.files}
	for _, l := range lines {
		e := HBAEntry{File: l.File, Line: l.Line, Databases: []string{}, Users: []string{}, Options: []string{}}
		if l.Err != "" {
			e.Error = l.Err
		} else if msg := parseHBALine(&e, l.Fields); msg != "" {
			e = HBAEntry{File: l.File, Line: l.Line, Databases: []string{}, Users: []string{}, Options: []string{}, Error: msg}
		}
		h.Entries = append(h.Entries, e)
	}
	return h
}

var connTypes = map[string]bool{"local": true, "host": true, "hostssl": true, "hostnossl": true, "hostgssenc": true, "hostnogssenc": true}

// nameKeywords are the database and role keywords; quoting one makes
// it a plain name.
var nameKeywords = map[string]bool{"all": true, "sameuser": true, "samerole": true, "samegroup": true, "replication": true}

// methods are the authentication methods of PostgreSQL as Debian and
// PGDG build it: true is supported, false is known but not built on Linux.
var methods = map[string]bool{
	"trust": true, "reject": true, "scram-sha-256": true, "md5": true, "password": true,
	"gss": true, "ident": true, "peer": true, "pam": true, "ldap": true, "cert": true, "radius": true,
	"sspi": false, "bsd": false,
}

// parseHBALine is parse_hba_line: it fills e or returns the message the
// server puts in pg_hba_file_rules.error.
func parseHBALine(e *HBAEntry, fields [][]token) string {
	f := fields[0]
	if len(f) > 1 {
		return "multiple values specified for connection type"
	}
	if !connTypes[f[0].Text] {
		return fmt.Sprintf("invalid connection type \"%s\"", f[0].Text)
	}
	e.Type = f[0].Text
	if len(fields) < 2 {
		return "end-of-line before database specification"
	}
	e.Databases = names(fields[1])
	if len(fields) < 3 {
		return "end-of-line before role specification"
	}
	e.Users = names(fields[2])
	next := 3
	if e.Type != "local" {
		if len(fields) < 4 {
			return "end-of-line before IP address specification"
		}
		used, msg := parseAddress(e, fields[3:])
		if msg != "" {
			return msg
		}
		next += used
	}
	if len(fields) <= next {
		return "end-of-line before authentication method"
	}
	m := fields[next]
	if len(m) > 1 {
		return "multiple values specified for authentication type"
	}
	supported, known := methods[m[0].Text]
	switch {
	case !known:
		return fmt.Sprintf("invalid authentication method \"%s\"", m[0].Text)
	case !supported:
		return fmt.Sprintf("invalid authentication method \"%s\": not supported by this build", m[0].Text)
	}
	e.Method = m[0].Text
	if e.Type == "local" && e.Method == "ident" {
		e.Method = "peer"
	}
	switch {
	case e.Type == "local" && e.Method == "gss":
		return "gssapi authentication is not supported on local sockets"
	case e.Type != "local" && e.Method == "peer":
		return "peer authentication is only supported on local sockets"
	case e.Type != "hostssl" && e.Method == "cert":
		return "cert authentication is only supported on hostssl connections"
	}
	return parseOptions(e, fields[next+1:])
}

func names(f []token) []string {
	out := make([]string, 0, len(f))
	for _, t := range f {
		if t.Quoted && nameKeywords[t.Text] {
			out = append(out, `"`+t.Text+`"`)
			continue
		}
		out = append(out, t.Text)
	}
	return out
}

// parseAddress reads the address field (and the mask field after a bare
// IP address); used is the number of fields consumed.
func parseAddress(e *HBAEntry, fields [][]token) (used int, msg string) {
	f := fields[0]
	if len(f) > 1 {
		return 0, "multiple values specified for host address"
	}
	tok := f[0]
	if !tok.Quoted {
		switch tok.Text {
		case "all", "samehost", "samenet":
			e.Address, e.AddressKind = tok.Text, "keyword"
			return 1, ""
		}
	}
	str, bits, hasSlash := tok.Text, "", false
	if i := strings.IndexByte(str, '/'); i >= 0 {
		str, bits, hasSlash = str[:i], str[i+1:], true
	}
	addr, numeric := parseNumericHost(str)
	if !numeric {
		if hasSlash {
			return 0, fmt.Sprintf("specifying both host name and CIDR mask is invalid: \"%s\"", tok.Text)
		}
		e.Address, e.AddressKind = str, "hostname"
		return 1, ""
	}
	e.AddressKind = "cidr"
	if hasSlash {
		n, ok := cidrBits(bits, addr.Is4())
		if !ok {
			return 0, fmt.Sprintf("invalid CIDR mask in address \"%s\"", tok.Text)
		}
		e.Address = normalizeAddr(addr, prefixMask(n, addr.Is4()))
		return 1, ""
	}
	if len(fields) < 2 {
		return 0, "end-of-line before netmask specification"
	}
	if len(fields[1]) > 1 {
		return 0, "multiple values specified for netmask"
	}
	mask, ok := parseNumericHost(fields[1][0].Text)
	if !ok {
		return 0, fmt.Sprintf("invalid IP mask \"%s\": Name or service not known", fields[1][0].Text)
	}
	if mask.Is4() != addr.Is4() {
		return 0, "IP address and mask do not match"
	}
	e.Address = normalizeAddr(addr, mask)
	return 2, ""
}

// addrPrefix is Address as a prefix when it is one.
func (e HBAEntry) addrPrefix() (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(e.Address)
	return p, err == nil
}
