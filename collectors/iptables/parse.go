// Package iptables reads iptables-save / ip6tables-save output (and the
// files in that format: /etc/iptables/rules.v4, ufw's rules files) into
// the firewall model of collectors/fwmodel, so that the same evaluator
// judges nftables and iptables rulesets.
package iptables

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/ztscan/ztscan/collectors/fwmodel"
)

// builtinChains are the chains of each table with their hook and the
// priority the kernel registers them at (x_tables and iptables-nft agree).
var builtinChains = map[string]map[string]int{
	"raw":      {"PREROUTING": -300, "OUTPUT": -300},
	"mangle":   {"PREROUTING": -150, "INPUT": -150, "FORWARD": -150, "OUTPUT": -150, "POSTROUTING": -150},
	"nat":      {"PREROUTING": -100, "INPUT": 100, "OUTPUT": -100, "POSTROUTING": 100},
	"filter":   {"INPUT": 0, "FORWARD": 0, "OUTPUT": 0},
	"security": {"INPUT": 50, "FORWARD": 50, "OUTPUT": 50},
}

// SaveFile is a parsed save file.
type SaveFile struct {
	Tables []*fwmodel.Table
	// Backend is "nf_tables" or "legacy" when the header says so.
	Backend string
}

// ParseError names the file and line of a save file that cannot be read.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse reads a save file of family ("ipv4" or "ipv6"); name is used in
// errors, source is recorded in the tables ("iptables-legacy", "ufw", ...).
// A table not closed by COMMIT (a truncated file) is an error: iptables-
// restore would load nothing of it.
func Parse(data []byte, name, family, source string) (*SaveFile, error) {
	r := NewRestore(family, source)
	if err := r.Load(data, name); err != nil {
		return nil, err
	}
	return &SaveFile{Tables: r.Tables(), Backend: r.Backend}, nil
}

// Restore accumulates save files loaded one after the other the way
// `iptables-restore --noflush` loads them (ufw builds its ruleset so): a
// table keeps what earlier files put in it, and declaring a chain again
// flushes it.
type Restore struct {
	family, source string
	tables         map[string]*fwmodel.Table
	order          []string
	// Backend is "nf_tables" or "legacy" when a header said so.
	Backend string
}

// NewRestore starts an empty set of tables of family ("ipv4", "ipv6").
func NewRestore(family, source string) *Restore {
	return &Restore{family: family, source: source, tables: map[string]*fwmodel.Table{}}
}

// Tables returns the tables loaded, in the order first seen.
func (r *Restore) Tables() []*fwmodel.Table {
	out := make([]*fwmodel.Table, 0, len(r.order))
	for _, n := range r.order {
		out = append(out, r.tables[n])
	}
	return out
}

// Load reads one save file into r.
func (r *Restore) Load(data []byte, name string) error {
	nftFamily := "ip"
	if r.family == "ipv6" {
		nftFamily = "ip6"
	}
	var cur *fwmodel.Table
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	fail := func(format string, args ...any) error {
		return &ParseError{File: name, Line: n, Msg: fmt.Sprintf(format, args...)}
	}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			if strings.Contains(line, "(nf_tables)") || strings.Contains(line, "iptables-nft") {
				r.Backend = "nf_tables"
			} else if strings.Contains(line, "(legacy)") || strings.Contains(line, "legacy-save") {
				r.Backend = "legacy"
			}
		case strings.HasPrefix(line, "*"):
			if cur != nil {
				return fail("table %s starts before table %s was committed", line[1:], cur.Name)
			}
			tname := line[1:]
			if _, ok := builtinChains[tname]; !ok {
				return fail("unknown table %q", tname)
			}
			cur = r.tables[tname]
			if cur == nil {
				cur = &fwmodel.Table{Family: nftFamily, Name: tname, Source: r.source, Chains: map[string]*fwmodel.Chain{}, Sets: map[string]*fwmodel.Set{}}
				// Built-in chains exist before any file declares them.
				for _, c := range builtinOrder(tname) {
					cur.AddChain(newChain(tname, c, "ACCEPT"))
				}
				r.tables[tname] = cur
				r.order = append(r.order, tname)
			}
		case line == "COMMIT":
			if cur == nil {
				return fail("COMMIT outside a table")
			}
			cur = nil
		case strings.HasPrefix(line, ":"):
			if cur == nil {
				return fail("chain declared outside a table")
			}
			f := strings.Fields(line[1:])
			if len(f) < 2 {
				return fail("bad chain line %q", line)
			}
			if c, ok := cur.Chains[f[0]]; ok {
				// As iptables-restore --noflush: a built-in chain only
				// takes the policy, a user chain is flushed.
				if c.Base {
					if f[1] != "-" {
						c.Policy = newChain(cur.Name, f[0], f[1]).Policy
					}
				} else {
					c.Rules = nil
				}
				continue
			}
			if _, builtin := builtinChains[cur.Name][f[0]]; !builtin && f[1] != "-" {
				return fail("user chain %s with a policy", f[0])
			}
			cur.AddChain(newChain(cur.Name, f[0], f[1]))
		default:
			if cur == nil {
				return fail("rule outside a table: %q", line)
			}
			if err := addRule(cur, line, n); err != nil {
				return fail("%v", err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fail("%v", err)
	}
	if cur != nil {
		return fail("table %s is not committed (truncated file?)", cur.Name)
	}
	return nil
}

// builtinOrder lists a table's built-in chains in hook order.
func builtinOrder(table string) []string {
	var out []string
	for _, c := range []string{"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"} {
		if _, ok := builtinChains[table][c]; ok {
			out = append(out, c)
		}
	}
	return out
}

func newChain(table, name, policy string) *fwmodel.Chain {
	c := &fwmodel.Chain{Name: name}
	if prio, ok := builtinChains[table][name]; ok {
		c.Base, c.Type, c.Hook, c.Priority = true, "filter", strings.ToLower(name), prio
		if table == "nat" {
			c.Type = "nat"
		}
		c.Policy = "accept"
		if policy == "DROP" {
			c.Policy = "drop"
		}
	}
	return c
}

func addRule(t *fwmodel.Table, line string, n int) error {
	// iptables-save -c prefixes counters: "[12:345] -A INPUT ...".
	if strings.HasPrefix(line, "[") {
		if i := strings.Index(line, "]"); i > 0 {
			line = strings.TrimSpace(line[i+1:])
		}
	}
	args, err := split(line)
	if err != nil {
		return err
	}
	if len(args) < 2 || (args[0] != "-A" && args[0] != "--append") {
		return fmt.Errorf("expected -A CHAIN, got %q", line)
	}
	c := t.Chains[args[1]]
	if c == nil {
		// iptables-restore accepts rules of chains declared later in
		// the same table only with :CHAIN; a missing one is refused.
		return fmt.Errorf("chain %s is not declared", args[1])
	}
	exprs, err := translate(args[2:], t.Chains)
	if err != nil {
		return err
	}
	c.Rules = append(c.Rules, &fwmodel.Rule{Handle: n, Text: line, Exprs: exprs})
	return nil
}

// split cuts a rule line into words the way iptables-restore does:
// whitespace separates, double quotes group, backslash escapes.
func split(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord, inQuote, esc := false, false, false
	for _, r := range line {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			esc, inWord = true, true
		case r == '"':
			inQuote, inWord = !inQuote, true
		case !inQuote && (r == ' ' || r == '\t'):
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quote in %q", line)
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}
