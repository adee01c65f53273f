package sshdconfig

import (
	"strconv"
)

// Number and name parsers with the exact acceptance rules of the C
// functions sshd uses (convtime, strtonum, a2port, scan_scaled, ...).

// convtime is misc.c:convtime: a sequence of <number>[smhdwSMHDW], summed,
// in seconds; -1 when malformed or larger than INT_MAX.
func convtime(s string) int {
	if s == "" {
		return -1
	}
	total := int64(0)
	for s != "" {
		secs, n := strtol(s, 10)
		if n == 0 || secs < 0 {
			return -1
		}
		s = s[n:]
		mult := int64(1)
		if s != "" {
			switch s[0] {
			case 's', 'S':
			case 'm', 'M':
				mult = 60
			case 'h', 'H':
				mult = 3600
			case 'd', 'D':
				mult = 86400
			case 'w', 'W':
				mult = 604800
			default:
				return -1
			}
			s = s[1:]
		}
		if secs > maxInt/mult {
			return -1
		}
		secs *= mult
		if total > maxInt-secs {
			return -1
		}
		total += secs
	}
	return int(total)
}

// strtol parses like C strtol: optional leading isspace, sign, digits in
// base (8, 10 or 16 without prefix handling). It returns the value clamped
// to int64 and how many bytes were consumed (0 = no conversion).
func strtol(s string, base int) (int64, int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	overflow := false
	for i < len(s) {
		d := digitVal(s[i])
		if d < 0 || d >= base {
			break
		}
		if v > (1<<63)/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + uint64(d)
		if v > 1<<63 {
			overflow = true
		}
		i++
	}
	if i == start {
		return 0, 0
	}
	if overflow {
		if neg {
			return -1 << 63, i
		}
		return 1<<63 - 1, i
	}
	if neg {
		return -int64(v), i
	}
	if v == 1<<63 {
		return 1<<63 - 1, i
	}
	return int64(v), i
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// strtonum is OpenBSD strtonum: the whole string must be a decimal number
// within [lo, hi]; errstr is "invalid", "too small" or "too large".
func strtonum(s string, lo, hi int64) (int64, string) {
	v, n := strtol(s, 10)
	if n == 0 || n != len(s) {
		return 0, "invalid"
	}
	if v < lo {
		return 0, "too small"
	}
	if v > hi {
		return 0, "too large"
	}
	return v, ""
}

// atoiErr is misc.c:atoi_err.
func atoiErr(s string) (int, string) {
	if s == "" {
		return 0, "missing"
	}
	v, errstr := strtonum(s, 0, maxInt)
	return int(v), errstr
}

// a2port is misc.c:a2port: a number 0..65535 or a service name from the
// target's /etc/services; -1 otherwise.
func (p *parser) a2port(s string) int {
	if v, errstr := strtonum(s, 0, 65535); errstr == "" {
		return int(v)
	}
	if port, ok := p.db().services[s]; ok {
		return port
	}
	return -1
}

// sscanInts mimics sscanf("%d:%d[:%d]"): it returns how many integers
// were converted before the first mismatch.
func sscanInts(s string, count int) (int, [3]int) {
	var out [3]int
	for i := 0; i < count; i++ {
		if i > 0 {
			if s == "" || s[0] != ':' {
				return i, out
			}
			s = s[1:]
		}
		v, n := strtol(s, 10)
		if n == 0 {
			return i, out
		}
		out[i] = int(int32(v)) // glibc stores the long truncated to int
		s = s[n:]
	}
	return count, out
}

// scanScaled is fmt_scaled.c:scan_scaled (1.5G, 512K, ...). err is the
// strerror text sshd prints.
func scanScaled(s string) (int64, string) {
	const einval, erange = "Invalid argument", "Numerical result out of range"
	const maxDigits = 21
	const llMax = int64(1<<63 - 1)
	p := 0
	for p < len(s) && isSpace(s[p]) {
		p++
	}
	sign := int64(0)
	for p < len(s) && (s[p] == '-' || s[p] == '+') {
		if sign != 0 {
			return 0, einval
		}
		if s[p] == '-' {
			sign = -1
		} else {
			sign = 1
		}
		p++
	}
	var whole, fpart int64
	ndigits, fract := 0, 0
	for ; p < len(s) && (s[p] >= '0' && s[p] <= '9' || s[p] == '.'); p++ {
		if s[p] == '.' {
			if fract > 0 {
				return 0, einval
			}
			fract = 1
			continue
		}
		d := int64(s[p] - '0')
		if fract > 0 {
			if fract >= maxDigits-1 {
				continue
			}
			fract++
			if fpart > llMax/10 {
				return 0, erange
			}
			fpart *= 10
			if d > llMax-fpart {
				return 0, erange
			}
			fpart += d
		} else {
			ndigits++
			if ndigits >= maxDigits {
				return 0, erange
			}
			if whole > llMax/10 {
				return 0, erange
			}
			whole *= 10
			if d > llMax-whole {
				return 0, erange
			}
			whole += d
		}
	}
	if sign != 0 {
		whole *= sign
	}
	if p == len(s) {
		return whole, ""
	}
	const scaleChars = "BKMGTPE"
	for i := 0; i < len(scaleChars); i++ {
		if s[p] != scaleChars[i] && s[p] != scaleChars[i]+('a'-'A') {
			continue
		}
		if p+1 < len(s) && isAlnum(s[p+1]) {
			return 0, einval
		}
		fact := int64(1) << (10 * i)
		if whole > llMax/fact || whole < (-llMax-1)/fact {
			return 0, erange
		}
		whole *= fact
		for fpart >= llMax/fact || fpart <= (-llMax-1)/fact {
			fpart /= 10
			fract--
		}
		fpart *= fact
		for j := 0; j < fract-1; j++ {
			fpart /= 10
		}
		if sign == -1 {
			whole -= fpart
		} else {
			whole += fpart
		}
		// scan_scaled stops at the unit and ignores what follows a
		// non-alphanumeric character.
		return whole, ""
	}
	return 0, einval
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ipqos is misc.c's table; the first name with a value is what sshd
// prints, which is why "reliability" prints as "le".
var ipqos = []struct {
	name  string
	value int
}{
	{"none", maxInt},
	{"af11", 0x28}, {"af12", 0x30}, {"af13", 0x38},
	{"af21", 0x48}, {"af22", 0x50}, {"af23", 0x58},
	{"af31", 0x68}, {"af32", 0x70}, {"af33", 0x78},
	{"af41", 0x88}, {"af42", 0x90}, {"af43", 0x98},
	{"cs0", 0x00}, {"cs1", 0x20}, {"cs2", 0x40}, {"cs3", 0x60},
	{"cs4", 0x80}, {"cs5", 0xa0}, {"cs6", 0xc0}, {"cs7", 0xe0},
	{"ef", 0xb8}, {"le", 0x04},
	{"lowdelay", 0x10}, {"throughput", 0x08}, {"reliability", 0x04},
}

func parseIPQoS(s string) int {
	for _, q := range ipqos {
		if equalFoldASCII(s, q.name) {
			return q.value
		}
	}
	v, errstr := strtonum(s, 0, 255)
	if errstr != "" {
		return -1
	}
	return int(v)
}

func iptos2str(v int) string {
	for _, q := range ipqos {
		if q.value == v {
			return q.name
		}
	}
	return "0x" + leftPad(strconv.FormatInt(int64(v), 16), 2)
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// Debian adds SILENT as a synonym of QUIET and prints it first; DEBUG and DEBUG1 are the same level and
// print as DEBUG.
var logLevels = []struct{ name, print string }{
	{"QUIET", "SILENT"}, {"FATAL", "FATAL"}, {"ERROR", "ERROR"}, {"INFO", "INFO"},
	{"VERBOSE", "VERBOSE"}, {"DEBUG", "DEBUG"}, {"DEBUG1", "DEBUG"}, {"DEBUG2", "DEBUG2"},
	{"DEBUG3", "DEBUG3"}, {"SILENT", "SILENT"},
}

func logLevelName(s string) (string, bool) {
	for _, l := range logLevels {
		if equalFoldASCII(s, l.name) {
			return l.print, true
		}
	}
	return "", false
}

func logFacilityName(s string) (string, bool) {
	switch u := upperASCII(s); u {
	case "DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3",
		"LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7":
		return u, true
	}
	return "", false
}

func digestName(s string) (string, bool) {
	switch u := upperASCII(s); u {
	case "MD5", "SHA1", "SHA256", "SHA384", "SHA512":
		return u, true
	}
	return "", false
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
