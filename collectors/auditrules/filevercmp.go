package auditrules

// FileVerCmp compares file names as GNU filevercmp (coreutils 9, the
// order of `ls -v`): file suffixes (".rules") are compared only when the
// rest is equal, digit runs compare numerically, "~" sorts before
// everything and letters before other characters.
func FileVerCmp(a, b string) int {
	if a == "" || b == "" {
		switch {
		case a == b:
			return 0
		case a == "":
			return -1
		default:
			return 1
		}
	}
	if a[0] == '.' || b[0] == '.' {
		if a[0] != '.' {
			return 1
		}
		if b[0] != '.' {
			return -1
		}
		adot, bdot := a == ".", b == "."
		if adot != bdot {
			if adot {
				return -1
			}
			return 1
		}
		if adot {
			return 0
		}
		adotdot, bdotdot := a == "..", b == ".."
		if adotdot != bdotdot {
			if adotdot {
				return -1
			}
			return 1
		}
		if adotdot {
			return 0
		}
		// other names with a leading dot compare without it
		a, b = a[1:], b[1:]
	}
	ap, bp := filePrefixLen(a), filePrefixLen(b)
	if r := verrevcmp(a[:ap], b[:bp]); r != 0 || (ap == len(a) && bp == len(b)) {
		return r
	}
	return verrevcmp(a, b)
}

// filePrefixLen is the length of name without its file suffix: the
// longest run of (\.[A-Za-z~][A-Za-z0-9~]*)* at the end.
func filePrefixLen(s string) int {
	prefix := 0
	for i := 0; ; {
		if i == len(s) {
			return prefix
		}
		i++
		prefix = i
		for i+1 < len(s) && s[i] == '.' && (isAlpha(s[i+1]) || s[i+1] == '~') {
			for i += 2; i < len(s) && (isAlnum(s[i]) || s[i] == '~'); i++ {
			}
		}
	}
}

func order(s string, pos int) int {
	if pos == len(s) {
		return -1
	}
	c := s[pos]
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -2
	default:
		return int(c) + 256
	}
}

func verrevcmp(s1, s2 string) int {
	p1, p2 := 0, 0
	for p1 < len(s1) || p2 < len(s2) {
		firstDiff := 0
		for (p1 < len(s1) && !isDigit(s1[p1])) || (p2 < len(s2) && !isDigit(s2[p2])) {
			c1, c2 := order(s1, p1), order(s2, p2)
			if c1 != c2 {
				return c1 - c2
			}
			p1++
			p2++
		}
		for p1 < len(s1) && s1[p1] == '0' {
			p1++
		}
		for p2 < len(s2) && s2[p2] == '0' {
			p2++
		}
		for p1 < len(s1) && p2 < len(s2) && isDigit(s1[p1]) && isDigit(s2[p2]) {
			if firstDiff == 0 {
				firstDiff = int(s1[p1]) - int(s2[p2])
			}
			p1++
			p2++
		}
		if p1 < len(s1) && isDigit(s1[p1]) {
			return 1
		}
		if p2 < len(s2) && isDigit(s2[p2]) {
			return -1
		}
		if firstDiff != 0 {
			return firstDiff
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
