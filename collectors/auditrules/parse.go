package auditrules

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/elastic/go-libaudit/v2/rule"
	"github.com/elastic/go-libaudit/v2/rule/flags"
)

// Rule is one audit rule in the normalised text `auditctl -l` prints,
// with the file and line it was read from (persisted rules only).
type Rule struct {
	Text   string    `json:"rule"`
	File   string    `json:"file,omitempty"`
	Line   int       `json:"line,omitempty"`
	parsed rule.Rule // Text parsed back, for Watches
}

// Setting is a control option of a rules file (-e 2, -f 1) and where it
// was set; the last one wins, as auditctl applies them in order.
type Setting struct {
	Value int    `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// Controls are the non-rule options of a rules file.
type Controls struct {
	// DeleteAll: a "-D" flushes the kernel's rules before loading.
	DeleteAll         bool     `json:"delete_all"`
	Enabled           *Setting `json:"enabled,omitempty"`
	Failure           *Setting `json:"failure,omitempty"`
	BacklogLimit      *Setting `json:"backlog_limit,omitempty"`
	BacklogWaitTime   *Setting `json:"backlog_wait_time,omitempty"`
	RateLimit         *Setting `json:"rate_limit,omitempty"`
	LoginUIDImmutable bool     `json:"loginuid_immutable"`
	// IgnoreErrors: "-i" or "-c" make auditctl -R go on past a bad rule.
	IgnoreErrors bool `json:"ignore_errors"`
}

// RuleSet is a parsed rules file.
type RuleSet struct {
	Rules    []Rule   `json:"rules"`
	Controls Controls `json:"controls"`
}

// Options adapt the parser to the target rather than the scanning
// machine: go-libaudit stats the path of a watch and resolves user and
// group names on the machine it runs on.
type Options struct {
	// IsDir reports whether a watched path is a directory on the target
	// (auditctl makes a dir watch of it). Nil: never.
	IsDir func(path string) bool
	// LookupUser and LookupGroup resolve names in uid=/gid= fields on the
	// target. Nil or not found: left to go-libaudit.
	LookupUser  func(name string) (uint32, bool)
	LookupGroup func(name string) (uint32, bool)
}

// ParseError is a rules file line auditctl would refuse.
type ParseError struct {
	File string
	Line int
	Text string
	Err  error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %v (in %q)", e.File, e.Line, e.Err, truncate(e.Text, 120))
}

func (e *ParseError) Unwrap() error { return e.Err }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// MaxRules bounds a rule set; the kernel's own limit is far lower in
// practice (every rule costs on each syscall).
const MaxRules = 65536

// Parse reads rule lines (from Augenrules, or the lines of audit.rules)
// as auditctl -R would. A line auditctl refuses is a *ParseError naming
// its file and line.
func Parse(lines []Line, opts Options) (*RuleSet, error) {
	rs := &RuleSet{Rules: []Rule{}}
	for _, l := range lines {
		if auditctlSkips(l.Text) {
			continue
		}
		if err := rs.apply(l, opts); err != nil {
			return nil, &ParseError{File: l.File, Line: l.Line, Text: l.Text, Err: err}
		}
		if len(rs.Rules) > MaxRules {
			return nil, &ParseError{File: l.File, Line: l.Line, Text: l.Text, Err: fmt.Errorf("more than %d rules", MaxRules)}
		}
	}
	return rs, nil
}

// SplitLines turns one file (audit.rules) into Lines.
func SplitLines(file string, data []byte) []Line {
	return concatenate([]Source{{File: file, Data: data}})
}

func (rs *RuleSet) apply(l Line, opts Options) error {
	if strings.ContainsRune(l.Text, 0) {
		return errors.New("NUL byte in rule")
	}
	if strings.ContainsRune(l.Text, '\r') {
		return errors.New("carriage return in line (CRLF line endings): auditctl reads it as part of the rule and refuses it")
	}
	args := strings.Fields(l.Text)
	if len(args) == 0 {
		return errors.New("line of control characters only")
	}
	set := func(dst **Setting, max int) error {
		if len(args) != 2 {
			return fmt.Errorf("%s takes one number", args[0])
		}
		v, err := strconv.Atoi(args[1])
		if err != nil || v < 0 || (max >= 0 && v > max) {
			return fmt.Errorf("%s: bad value %q", args[0], args[1])
		}
		*dst = &Setting{Value: v, File: l.File, Line: l.Line}
		return nil
	}
	switch args[0] {
	case "-D":
		// "-D -k KEY" deletes the rules of one key: they are not in the
		// file's own set anyway.
		rs.Controls.DeleteAll = true
		if len(args) == 1 {
			rs.Rules = rs.Rules[:0]
		}
		return nil
	case "-e":
		return set(&rs.Controls.Enabled, 2)
	case "-f":
		return set(&rs.Controls.Failure, 2)
	case "-b":
		return set(&rs.Controls.BacklogLimit, -1)
	case "-r":
		return set(&rs.Controls.RateLimit, -1)
	case "--backlog_wait_time":
		return set(&rs.Controls.BacklogWaitTime, 600000)
	case "--loginuid-immutable":
		rs.Controls.LoginUIDImmutable = true
		return nil
	case "-i", "-c":
		rs.Controls.IgnoreErrors = true
		return nil
	case "--reset-lost", "--reset_backlog_wait_time_actual":
		return nil
	case "-d", "-W":
		// a deletion inside the file removes an earlier rule
		text := strings.TrimSpace(l.Text)
		text = map[string]string{"-d": "-a", "-W": "-w"}[args[0]] + text[2:]
		r, err := Normalise(text, opts)
		if err != nil {
			return err
		}
		for i := range rs.Rules {
			if rs.Rules[i].Text == r.Text {
				rs.Rules = append(rs.Rules[:i], rs.Rules[i+1:]...)
				return nil
			}
		}
		return errors.New("deletes a rule that does not exist")
	}
	r, err := Normalise(l.Text, opts)
	if err != nil {
		return err
	}
	r.File, r.Line = l.File, l.Line
	if args[0] == "-A" {
		rs.Rules = append([]Rule{r}, rs.Rules...)
	} else {
		rs.Rules = append(rs.Rules, r)
	}
	return nil
}

// Normalise parses one rule (-a, -A or -w) with go-libaudit, builds its
// kernel form and prints it back as auditctl -l does.
func Normalise(text string, opts Options) (Rule, error) {
	parsed, err := flags.Parse(text)
	if err != nil {
		return Rule{}, err
	}
	var wf rule.WireFormat
	switch r := parsed.(type) {
	case *rule.FileWatchRule:
		var sr *rule.SyscallRule
		if sr, err = watchAsSyscall(r, opts); err == nil {
			wf, err = rule.Build(sr)
		}
	case *rule.SyscallRule:
		resolveIDs(r, opts)
		wf, err = rule.Build(r)
	case *rule.DeleteAllRule:
		return Rule{}, errors.New("-D with other options")
	default:
		return Rule{}, fmt.Errorf("unsupported rule type %T", parsed)
	}
	if err != nil {
		return Rule{}, err
	}
	return fromWireOne(wf)
}

// watchAsSyscall is go-libaudit's own translation of "-w" (an exit rule
// on all syscalls with a path or dir field and perm), with the directory
// test made on the target instead of the scanning machine.
func watchAsSyscall(w *rule.FileWatchRule, opts Options) (*rule.SyscallRule, error) {
	if !strings.HasPrefix(w.Path, "/") {
		return nil, fmt.Errorf("watch path must be absolute: %q", w.Path)
	}
	p := filepath.Clean(w.Path)
	field := "path"
	if opts.IsDir != nil && opts.IsDir(p) {
		field = "dir"
	}
	perms := permString(w.Permissions)
	return &rule.SyscallRule{
		Type: rule.AppendSyscallRuleType, List: "exit", Action: "always",
		Filters: []rule.FilterSpec{
			{Type: rule.ValueFilterType, LHS: field, Comparator: "=", RHS: p},
			{Type: rule.ValueFilterType, LHS: "perm", Comparator: "=", RHS: perms},
		},
		Keys: w.Keys,
	}, nil
}

var (
	uidFields = map[string]bool{"uid": true, "euid": true, "suid": true, "fsuid": true, "auid": true, "loginuid": true, "obj_uid": true, "ouid": true}
	gidFields = map[string]bool{"gid": true, "egid": true, "sgid": true, "fsgid": true, "obj_gid": true, "ogid": true}
)

// resolveIDs turns user and group names into the target's numbers.
func resolveIDs(r *rule.SyscallRule, opts Options) {
	for i, f := range r.Filters {
		if f.Type != rule.ValueFilterType || isNumber(f.RHS) || f.RHS == "unset" {
			continue
		}
		if uidFields[f.LHS] && opts.LookupUser != nil {
			if id, ok := opts.LookupUser(f.RHS); ok {
				r.Filters[i].RHS = strconv.FormatUint(uint64(id), 10)
			}
		}
		if gidFields[f.LHS] && opts.LookupGroup != nil {
			if id, ok := opts.LookupGroup(f.RHS); ok {
				r.Filters[i].RHS = strconv.FormatUint(uint64(id), 10)
			}
		}
	}
}

func isNumber(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// FromWire prints the kernel's binary rules (AUDIT_LIST_RULES replies)
// as auditctl -l does.
func FromWire(wires [][]byte) ([]Rule, error) {
	out := make([]Rule, 0, len(wires))
	for i, w := range wires {
		r, err := fromWireOne(rule.WireFormat(w))
		if err != nil {
			return nil, fmt.Errorf("kernel rule %d: %w", i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Wire builds the kernel form of one rule (what auditctl sends); tests
// use it to stand in for the kernel.
func Wire(text string, opts Options) ([]byte, error) {
	r, err := Normalise(text, opts)
	if err != nil {
		return nil, err
	}
	parsed, err := flags.Parse(r.Text)
	if err != nil {
		return nil, err
	}
	if w, ok := parsed.(*rule.FileWatchRule); ok {
		sr, err := watchAsSyscall(w, opts)
		if err != nil {
			return nil, err
		}
		return rule.Build(sr)
	}
	return rule.Build(parsed)
}

func fromWireOne(wf rule.WireFormat) (Rule, error) {
	text, err := rule.ToCommandLine(wf, false)
	if err != nil {
		return Rule{}, err
	}
	parsed, err := flags.Parse(text)
	if err != nil {
		return Rule{}, fmt.Errorf("re-reading %q: %w", text, err)
	}
	return Rule{Text: text, parsed: parsed}, nil
}
