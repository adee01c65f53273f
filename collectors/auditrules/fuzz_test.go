package auditrules

import (
	"errors"
	"strings"
	"testing"
)

// FuzzAugenrulesParse feeds two rules.d files through the augenrules
// concatenation and the rule parser: no panic, every line attributed to
// one of the files, every error a *ParseError naming a file and line, and
// each accepted rule a fixed point of normalisation.
func FuzzAugenrulesParse(f *testing.F) {
	f.Add([]byte("-D\n-b 8192\n-w /etc/passwd -p wa -k identity\n"), []byte("-e 2\n-a always,exit -F arch=b64 -S execve -F auid>=1000 -F auid!=unset -k exec\n"), false)
	f.Add([]byte("-w /etc/sudoers.d/ -p wa"), []byte("-a always,exit -F dir=/etc/ssh -F perm=wa\n  -e 1\n"), true)
	f.Add([]byte("-a always,exit -F exe=/usr/bin/curl -S connect -F uid=root\n-W /x\n"), []byte("#c\n\n-f 9\n"), false)
	f.Fuzz(func(t *testing.T, a, b []byte, mawk bool) {
		flavor := Gawk
		if mawk {
			flavor = Mawk
		}
		lines := Augenrules([]Source{{File: "/r/a.rules", Data: a}, {File: "/r/b.rules", Data: b}}, flavor)
		for _, l := range lines {
			if l.File != "/r/a.rules" && l.File != "/r/b.rules" || l.Line < 1 {
				t.Fatalf("line without origin: %+v", l)
			}
			if strings.Contains(l.Text, "\n") {
				t.Fatalf("line holds a newline: %q", l.Text)
			}
		}
		rs, err := Parse(lines, Options{})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || !strings.HasPrefix(err.Error(), pe.File+":") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		for _, r := range rs.Rules {
			_ = r.Watches()
			// auditctl -l prints values unquoted, so a value holding a
			// blank reads back differently once; after that the text must
			// be a fixed point.
			// Quotes and backslashes are shell syntax to the parser: each
			// reading strips one level, as auditctl's own re-reading would.
			if strings.ContainsAny(r.Text, "\"'\\") {
				continue
			}
			once, err := Normalise(r.Text, Options{})
			if err != nil {
				continue
			}
			twice, err := Normalise(once.Text, Options{})
			if err != nil || twice.Text != once.Text {
				t.Fatalf("%q does not reach a fixed point: %q, %q, %v", r.Text, once.Text, twice.Text, err)
			}
		}
	})
}
