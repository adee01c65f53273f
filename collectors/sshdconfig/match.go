package sshdconfig

import (
	"strconv"
	"strings"
)

// Match evaluation: servconf.c match_cfg_line and match.c/addrmatch.c.

// matchCfgLine evaluates the criteria of one Match line against conn (nil
// in the first pass, where only "all" matches). It returns 1/0, or an
// error in the sshd words.
func (p *parser) matchCfgLine(criteria string, l *lineCtx, conn *ConnSpec) (bool, error) {
	c := cursor{s: criteria}
	result := true
	attributes := 0
	bad := func(detail string) error {
		e := l.errorf("Bad Match condition")
		e.Detail = detail
		return e
	}
	for {
		attrib, ok := c.strdelim()
		if !ok || attrib == "" {
			break
		}
		if attrib[0] == '#' {
			break
		}
		attributes++
		if equalFoldASCII(attrib, "all") {
			arg, ok := c.strdelim()
			if attributes > 1 || (ok && arg != "" && arg[0] != '#') {
				return false, bad("'all' cannot be combined with other Match attributes")
			}
			return true, nil
		}
		arg, ok := c.strdelim()
		if !ok || arg == "" || arg[0] == '#' {
			return false, bad("Missing Match criteria for " + attrib)
		}
		switch lowerASCII(attrib) {
		case "user":
			if conn == nil || conn.User == "" {
				result = false
				continue
			}
			if matchPatternList(conn.User, arg, false) != 1 {
				result = false
			}
		case "group":
			if conn == nil || conn.User == "" {
				result = false
				continue
			}
			if !p.userInGroupList(conn.User, arg) {
				result = false
			}
		case "host":
			if conn == nil || conn.Host == "" {
				result = false
				continue
			}
			if matchPatternList(lowerASCII(conn.Host), arg, true) != 1 {
				result = false
			}
		case "address", "localaddress":
			addr := ""
			if conn != nil {
				addr = conn.Addr
				if attrib[0] == 'l' || attrib[0] == 'L' {
					addr = conn.LocalAddr
				}
			}
			if addr == "" {
				if addrMatchList("", arg, false) != 0 {
					return false, noLineError(l.file, l.line, "Invalid Match %s argument '%s' at line %d",
						lowerASCII(attrib), arg, l.line)
				}
				result = false
				continue
			}
			switch addrMatchList(addr, arg, true) {
			case 1:
			case 0, -1:
				result = false
			case -2:
				return false, bad("")
			}
		case "localport":
			port := p.a2port(arg)
			if port == -1 {
				return false, bad("Invalid LocalPort '" + arg + "' on Match line")
			}
			if conn == nil {
				result = false
				continue
			}
			// sshd's test connection has lport 0 when -C gives none, and
			// it treats that as a missing attribute it cannot test.
			lp := 0
			if conn.LocalPort != "" {
				lp = p.a2port(conn.LocalPort)
			}
			if lp == 0 {
				return false, &ConfigError{File: l.file, Msg: "'Match LocalPort' in configuration but 'lport' not in connection test specification."}
			}
			if lp != port {
				result = false
			}
		case "rdomain":
			if conn == nil || conn.RDomain == "" {
				result = false
				continue
			}
			if matchPatternList(conn.RDomain, arg, false) != 1 {
				result = false
			}
		default:
			return false, bad("Unsupported Match attribute " + attrib)
		}
	}
	if attributes == 0 {
		return false, bad("One or more attributes required for Match")
	}
	return result, nil
}

// matchPatternList is match.c:match_pattern_list: 1 when a positive
// pattern matches, -1 when a negated one does (negation wins), else 0.
func matchPatternList(s, pattern string, dolower bool) int {
	got := 0
	i := 0
	for i < len(pattern) {
		negated := false
		if pattern[i] == '!' {
			negated = true
			i++
		}
		j := i
		for j < len(pattern) && pattern[j] != ',' {
			j++
		}
		sub := pattern[i:j]
		if len(sub) >= 1023 {
			return 0 // sshd gives up on over-long sub-patterns
		}
		i = j
		if i < len(pattern) {
			i++
		}
		if dolower {
			sub = lowerASCII(sub)
		}
		if matchPattern(s, sub) {
			if negated {
				return -1
			}
			got = 1
		}
	}
	return got
}

// matchPattern is a '*'/'?' glob match, done iteratively so hostile
// patterns cannot make it exponential.
func matchPattern(s, pat string) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && (pat[pi] == '?' || pat[pi] == s[si]):
			si++
			pi++
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

// userInGroupList is match_cfg_line_group with groupaccess.c: the user's
// primary group and the groups that list the user, matched by name.
func (p *parser) userInGroupList(user, list string) bool {
	db := p.db()
	u, ok := db.users[user]
	if !ok {
		return false
	}
	found := false
	for _, g := range db.groupsOf(user, u.gid) {
		switch matchPatternList(g, list, false) {
		case -1:
			return false
		case 1:
			found = true
		}
	}
	return found
}

// addrMatchList is addrmatch.c:addr_match_list. With haveAddr=false it
// only validates the list (0 ok, -2 invalid).
func addrMatchList(addr, list string, haveAddr bool) int {
	var try ipAddr
	if haveAddr {
		var ok bool
		if try, ok = parseNumericAddr(addr); !ok {
			return 0
		}
	}
	ret := 0
	for _, cp := range strings.Split(list, ",") {
		neg := strings.HasPrefix(cp, "!")
		if neg {
			cp = cp[1:]
		}
		if cp == "" {
			return -2
		}
		net, masklen, r := parseCIDR(cp)
		matched := false
		switch r {
		case -2:
			return -2
		case 0:
			matched = haveAddr && netMatch(try, net, masklen)
		default:
			matched = haveAddr && matchPattern(addr, cp)
		}
		if matched {
			if neg {
				return -1
			}
			ret = 1
		}
	}
	return ret
}

// ipAddr is an IPv4 (len 4) or IPv6 (len 16) address.
type ipAddr []byte

// parseCIDR is addr_pton_cidr: 0 ok, -1 not an address (fall back to a
// wildcard match), -2 an address with an invalid mask.
func parseCIDR(s string) (ipAddr, int, int) {
	if len(s) >= 64 {
		return nil, 0, -1
	}
	addrPart, maskPart, hasMask := strings.Cut(s, "/")
	masklen := -1
	if hasMask {
		if maskPart == "" || maskPart[0] < '0' || maskPart[0] > '9' {
			return nil, 0, -1
		}
		v, err := strconv.ParseUint(maskPart, 10, 64)
		if err != nil || v > 128 {
			return nil, 0, -1
		}
		masklen = int(v)
	}
	a, ok := parseNumericAddr(addrPart)
	if !ok {
		return nil, 0, -1
	}
	if masklen < 0 {
		masklen = len(a) * 8
	}
	if masklen > len(a)*8 {
		return nil, 0, -2
	}
	// Host bits must be zero ("10.0.0.1/8" is refused).
	for i := range a {
		for b := 0; b < 8; b++ {
			if i*8+b >= masklen && a[i]&(0x80>>b) != 0 {
				return nil, 0, -2
			}
		}
	}
	return a, masklen, 0
}

func netMatch(host, net ipAddr, masklen int) bool {
	if len(host) != len(net) {
		return false
	}
	for i := 0; i < masklen; i++ {
		bit := byte(0x80 >> (i % 8))
		if host[i/8]&bit != net[i/8]&bit {
			return false
		}
	}
	return true
}
