package sshdconfig

import (
	"strconv"
	"strings"
)

// Numeric address parsing and printing with glibc's rules, since sshd
// relies on getaddrinfo(AI_NUMERICHOST) and getnameinfo(NI_NUMERICHOST):
// IPv4 accepts the inet_aton shorthands ("127.1", "0x7f.0.0.1", octal
// "010.0.0.1"), IPv6 prints like inet_ntop.

func parseNumericAddr(s string) (ipAddr, bool) {
	if strings.Contains(s, ":") {
		return parseIPv6(s)
	}
	return inetAton(s)
}

func inetAton(s string) (ipAddr, bool) {
	if s == "" {
		return nil, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return nil, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return nil, false
		}
		base := 10
		digits := p
		if len(p) > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') {
			base, digits = 16, p[2:]
			if digits == "" {
				// glibc accepts a bare "0x" as zero.
				digits = "0"
			}
		} else if len(p) > 1 && p[0] == '0' {
			base, digits = 8, p[1:]
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return nil, false
		}
		vals[i] = v
	}
	var out uint64
	n := len(vals)
	for i := 0; i < n-1; i++ {
		if vals[i] > 0xff {
			return nil, false
		}
		out |= vals[i] << (24 - 8*i)
	}
	last := vals[n-1]
	if last >= 1<<(32-8*(n-1)) {
		return nil, false
	}
	out |= last
	return ipAddr{byte(out >> 24), byte(out >> 16), byte(out >> 8), byte(out)}, true
}

func parseIPv6(s string) (ipAddr, bool) {
	if strings.Contains(s, "%") || len(s) > 45 {
		return nil, false
	}
	var words []uint16
	var tail []uint16
	seenGap := false
	cur := &words
	rest := s
	if strings.HasPrefix(rest, "::") {
		seenGap = true
		cur = &tail
		rest = rest[2:]
		if rest == "" {
			return make(ipAddr, 16), true
		}
	} else if strings.HasPrefix(rest, ":") {
		return nil, false
	}
	for {
		i := strings.IndexByte(rest, ':')
		field := rest
		if i >= 0 {
			field = rest[:i]
		}
		if strings.Contains(field, ".") && i < 0 {
			v4, ok := inetAtonStrict(field)
			if !ok {
				return nil, false
			}
			*cur = append(*cur, uint16(v4[0])<<8|uint16(v4[1]), uint16(v4[2])<<8|uint16(v4[3]))
			break
		}
		if field == "" || len(field) > 4 {
			return nil, false
		}
		v, err := strconv.ParseUint(field, 16, 16)
		if err != nil {
			return nil, false
		}
		*cur = append(*cur, uint16(v))
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		if strings.HasPrefix(rest, ":") {
			if seenGap {
				return nil, false
			}
			seenGap = true
			cur = &tail
			rest = rest[1:]
			if rest == "" {
				break
			}
		} else if rest == "" {
			return nil, false
		}
	}
	total := len(words) + len(tail)
	if (seenGap && total > 7) || (!seenGap && total != 8) {
		return nil, false
	}
	all := append([]uint16{}, words...)
	for len(all)+len(tail) < 8 {
		all = append(all, 0)
	}
	all = append(all, tail...)
	out := make(ipAddr, 16)
	for i, w := range all {
		out[2*i], out[2*i+1] = byte(w>>8), byte(w)
	}
	return out, true
}

// inetAtonStrict is inet_pton's dotted quad (used inside IPv6 literals).
func inetAtonStrict(s string) (ipAddr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return nil, false
	}
	out := make(ipAddr, 4)
	for i, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return nil, false
		}
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return nil, false
		}
		out[i] = byte(v)
	}
	return out, true
}

// formatAddr prints like inet_ntop.
func formatAddr(a ipAddr) string {
	if len(a) == 4 {
		return strconv.Itoa(int(a[0])) + "." + strconv.Itoa(int(a[1])) + "." +
			strconv.Itoa(int(a[2])) + "." + strconv.Itoa(int(a[3]))
	}
	var w [8]int
	for i := range w {
		w[i] = int(a[2*i])<<8 | int(a[2*i+1])
	}
	bestBase, bestLen := -1, 0
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i > bestLen {
			bestBase, bestLen = i, j-i
		}
		i = j
	}
	if bestLen < 2 {
		bestBase = -1
	}
	var b strings.Builder
	for i := 0; i < 8; i++ {
		if bestBase >= 0 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				b.WriteByte(':')
			}
			continue
		}
		if i != 0 {
			b.WriteByte(':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			b.WriteString(formatAddr(a[12:16]))
			break
		}
		b.WriteString(strconv.FormatInt(int64(w[i]), 16))
	}
	if bestBase >= 0 && bestBase+bestLen == 8 {
		b.WriteByte(':')
	}
	return b.String()
}
