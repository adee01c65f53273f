// Package auditrules reads Linux audit rules the way the audit userspace
// loads them: the persisted side exactly as augenrules(8) concatenates
// /etc/audit/rules.d (or /etc/audit/audit.rules alone), the kernel side
// from the binary rules AUDIT_LIST_RULES returns. Both are normalised
// through go-libaudit's rule parser and printer into `auditctl -l` text,
// so that the two sides compare line for line.
package auditrules

import (
	"sort"
	"strings"
)

// Source is one rules file and its content.
type Source struct {
	File string
	Data []byte
}

// Line is one line of a rules file as auditctl -R would read it, with the
// file and line it came from.
type Line struct {
	Text string `json:"text"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// AwkFlavor is the awk that runs augenrules' script on the target. Its
// regular expressions use "\s", which gawk reads as whitespace and mawk
// (Debian's default awk) as a literal "s": on Debian an indented "-e 2"
// is not moved to the end.
type AwkFlavor int

const (
	// Gawk: "\s" is a whitespace class (gawk, busybox awk).
	Gawk AwkFlavor = iota
	// Mawk: "\s" is the letter s.
	Mawk
)

// IsRulesFile reports whether augenrules reads a rules.d entry: `ls -1`
// hides dot files and the script keeps names matching `\.rules$`.
func IsRulesFile(name string) bool {
	return !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".rules")
}

// SortRulesFiles orders rules.d names as `ls -1v` does: GNU filevercmp,
// ties broken by byte order.
func SortRulesFiles(names []string) {
	sort.SliceStable(names, func(i, j int) bool {
		if c := FileVerCmp(names[i], names[j]); c != 0 {
			return c < 0
		}
		return names[i] < names[j]
	})
}

// Augenrules builds the rule lines augenrules writes to
// /etc/audit/audit.rules from the rules.d files, in the order given (see
// SortRulesFiles). Files are concatenated as `cat` does, so a file without
// a final newline runs into the next file's first line, exactly as on the
// target. Blank and comment lines are dropped; the last "-D" (alone on its
// line), "-b" and "-f" lines move to the top in that order and the last
// "-e" line to the end; every other line keeps its place.
func Augenrules(files []Source, flavor AwkFlavor) []Line {
	var minusD, minusB, minusF, minusE *Line
	var rest []Line
	for _, l := range concatenate(files) {
		l := l
		switch {
		case l.Text == "":
		case awkMatch(flavor, l.Text, "#", false):
		case awkMatch(flavor, l.Text, "-e", false):
			minusE = &l
		case awkMatch(flavor, l.Text, "-D", true):
			minusD = &l
		case awkMatch(flavor, l.Text, "-f", false):
			minusF = &l
		case awkMatch(flavor, l.Text, "-b", false):
			minusB = &l
		default:
			rest = append(rest, l)
		}
	}
	var out []Line
	for _, l := range []*Line{minusD, minusB, minusF} {
		if l != nil {
			out = append(out, *l)
		}
	}
	out = append(out, rest...)
	if minusE != nil {
		out = append(out, *minusE)
	}
	return out
}

// concatenate splits the files' bytes, joined as `cat` joins them, into
// awk records (newline-terminated; a last unterminated line is a record).
// Each record is attributed to the file and line where it starts.
func concatenate(files []Source) []Line {
	var out []Line
	var cur strings.Builder
	var start Line
	open := false
	for _, f := range files {
		lineNo := 1
		for _, b := range f.Data {
			if !open {
				start = Line{File: f.File, Line: lineNo}
				open = true
			}
			if b == '\n' {
				start.Text = cur.String()
				out = append(out, start)
				cur.Reset()
				open = false
				lineNo++
				continue
			}
			cur.WriteByte(b)
		}
	}
	if open {
		start.Text = cur.String()
		out = append(out, start)
	}
	return out
}

// awkMatch is augenrules' match($0, "^\\s*OPT") (with "\\s*$" after OPT
// when alone is set) under the given awk.
func awkMatch(flavor AwkFlavor, s, opt string, alone bool) bool {
	var rest string
	if flavor == Mawk {
		rest = strings.TrimLeft(s, "s")
	} else {
		rest = strings.TrimLeft(s, " \t\n\v\f\r")
	}
	if !strings.HasPrefix(rest, opt) {
		return false
	}
	if !alone {
		return true
	}
	tail := rest[len(opt):]
	if flavor == Mawk {
		return strings.Trim(tail, "s") == ""
	}
	return strings.TrimSpace(tail) == ""
}

// auditctlSkips reports whether auditctl -R ignores a line: blank, or a
// comment after leading blanks.
func auditctlSkips(text string) bool {
	t := strings.TrimLeft(text, " \t")
	return t == "" || strings.HasPrefix(t, "#")
}
