package reports

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Messages and evidence come from the scanned host (banners, file contents,
// unit names), so they are untrusted text: a terminal escape in a message
// must not recolour or rewrite an auditor's screen, and a control byte must
// not make the JUnit file unreadable.

// ansiSequence matches CSI (ESC [ ... final) and OSC (ESC ] ... BEL or ST)
// sequences, and any other two-byte ESC sequence.
var ansiSequence = regexp.MustCompile("\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-Z\\\\-_]|\u009b[0-?]*[ -/]*[@-~]")

func stripANSI(s string) string {
	if !strings.ContainsAny(s, "\x1b\u009b") {
		return s
	}
	return ansiSequence.ReplaceAllString(s, "")
}

// isBidiControl reports the Unicode controls that reorder displayed text
// ("Trojan Source"): shown raw they can make a message read differently.
func isBidiControl(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// terminalLine makes untrusted text safe and single-line for a terminal:
// escape sequences removed, line breaks and tabs turned into spaces, other
// control characters shown as \xNN or \uNNNN so an auditor sees they were
// there, invalid UTF-8 replaced.
func terminalLine(s string) string {
	s = strings.TrimSpace(stripANSI(s))
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune('\ufffd')
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case (r >= 0x80 && r <= 0x9f) || isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// terminalText is terminalLine for text that may keep its line breaks.
func terminalText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = terminalLine(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// xmlText removes what XML 1.0 can not carry: escape sequences, characters
// outside its Char production, and the C1 controls it discourages. The XML
// encoder then escapes the rest (<, &, quotes).
func xmlText(s string) string {
	s = stripANSI(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			return -1
		case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff, r > 0x10ffff:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\ufffd"))
}
