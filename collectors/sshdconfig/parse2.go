package sshdconfig

import (
	"strings"
)

// Handlers for the keywords whose parsing is more than "one value, first
// wins".

// parseFirstArray handles list options where the first line that sets the
// list wins as a whole (AuthorizedKeysFile, SetEnv, AuthenticationMethods,
// LogVerbose, ChannelTimeout).
func (p *parser) parseFirstArray(op string, l *lineCtx, active bool) error {
	o := p.opts
	kw := l.keyword
	found := len(o.arrays[op]) == 0
	var strs []string
	seenAny := false
	for {
		arg, ok := l.next()
		if !ok {
			break
		}
		switch op {
		case "logverbose":
			if arg == "" {
				return l.errorf("keyword %s empty argument", kw)
			}
			if equalFoldASCII(arg, "none") && (len(strs) > 0 || len(l.args) > 0) {
				return l.errorf("keyword %s \"none\" argument must appear alone.", kw)
			}
		case "authorizedkeysfile":
			if arg == "" {
				return l.errorf("keyword %s empty argument", kw)
			}
			v, err := p.tildeExpand(arg, l)
			if err != nil {
				return err
			}
			arg = v
		case "setenv":
			if arg == "" || !strings.Contains(arg, "=") {
				return l.errorf("Invalid environment.")
			}
			if setenvHas(strs, arg) {
				continue
			}
		case "authenticationmethods":
			if arg == "any" {
				// 9.2 appends to the options as it goes, so "any" after
				// any earlier method, on this line or a previous one,
				// is refused.
				if len(o.arrays[op]) > 0 || (found && active && len(strs) > 0) {
					return l.errorf("\"any\" must appear alone in %s", kw)
				}
				seenAny = true
			} else if seenAny {
				return l.errorf("\"any\" must appear alone in %s", kw)
			} else if !authMethodsValid(arg) {
				return l.errorf("invalid %s method list.", kw)
			}
		case "channeltimeout":
			if equalFoldASCII(arg, "none") {
				if len(strs) > 0 || len(l.args) > 0 {
					return l.errorf("keyword %s \"none\" argument must appear alone.", kw)
				}
			} else if !patternIntervalValid(arg) {
				return l.errorf("invalid channel timeout %s", arg)
			}
		}
		strs = append(strs, arg)
	}
	if len(strs) == 0 {
		return l.errorf("no %s specified", kw)
	}
	if found && active {
		o.arrays[op] = strs
	}
	return nil
}

func setenvHas(list []string, kv string) bool {
	name := kv[:strings.IndexByte(kv, '=')]
	for _, s := range list {
		if i := strings.IndexByte(s, '='); i >= 0 && s[:i] == name {
			return true
		}
	}
	return false
}

// patternIntervalValid is misc.c:parse_pattern_interval as a validator:
// "type=interval" with a non-empty type and a convtime interval.
func patternIntervalValid(s string) bool {
	i := strings.IndexByte(s, '=')
	return i > 0 && convtime(s[i+1:]) >= 0
}

// authMethodsValid is auth2.c:auth2_methods_valid(list, 0).
func authMethodsValid(list string) bool {
	if list == "" {
		return false
	}
	for _, m := range strings.Split(list, ",") {
		if i := strings.IndexByte(m, ':'); i >= 0 {
			m = m[:i]
		}
		switch m {
		case "none", "publickey", "gssapi-keyex", "gssapi-with-mic", "password",
			"keyboard-interactive", "hostbased":
		default:
			return false
		}
	}
	return true
}

// parseAppendArray handles AllowUsers/DenyUsers/AllowGroups/DenyGroups and
// AcceptEnv, which append every line's values (no first-wins).
func parseAppendArray(o *options, op string, l *lineCtx, active bool) error {
	kw := l.keyword
	found := false
	for {
		arg, ok := l.next()
		if !ok {
			break
		}
		switch op {
		case "allowusers", "denyusers":
			if arg == "" || !userPatternValid(arg) {
				return l.errorf("invalid %s pattern: \"%s\"", kw, arg)
			}
		case "allowgroups", "denygroups":
			if arg == "" {
				return l.errorf("empty %s pattern", kw)
			}
		case "acceptenv":
			if arg == "" || strings.Contains(arg, "=") {
				return l.errorf("Invalid environment name.")
			}
		}
		found = true
		if active {
			o.arrays[op] = append(o.arrays[op], arg)
		}
	}
	if !found {
		return l.errorf("no %s specified", kw)
	}
	return nil
}

// userPatternValid is match_user(NULL, NULL, NULL, pattern) != -1: the
// part after '@' must be a valid address list when it looks like one.
func userPatternValid(pat string) bool {
	i := strings.IndexByte(pat, '@')
	if i < 0 {
		return true
	}
	return addrMatchList("", pat[i+1:], false) != -2
}

func parseRekeyLimit(o *options, l *lineCtx, active bool) error {
	kw := l.keyword
	arg, ok := l.next()
	if !ok || arg == "" {
		return l.errorf("%s missing argument.", kw)
	}
	var limit int64
	if arg != "default" {
		v, errText := scanScaled(arg)
		if errText != "" {
			return l.errorf("Bad %s number '%s': %s", kw, arg, errText)
		}
		if v != 0 && v < 16 {
			return l.errorf("%s too small", kw)
		}
		limit = v
	}
	if active && !o.has("rekeylimit") {
		o.vals["rekeylimit"] = uintString(uint64(limit))
	}
	if len(l.args) > 0 {
		if l.args[0] == "none" {
			l.next()
			return nil
		}
		return parseTime(o, l, active, "rekeyinterval")
	}
	return nil
}

func uintString(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}

func parseMaxStartups(o *options, l *lineCtx) error {
	kw := l.keyword
	arg, ok := l.next()
	if !ok || arg == "" {
		return l.errorf("%s missing argument.", kw)
	}
	n, v := sscanInts(arg, 3)
	// sscanf writes each converted field straight into the options.
	for i := 0; i < n; i++ {
		o.maxStartups[i] = v[i]
		o.maxStartupsSet[i] = true
	}
	get := func(i, def int) int {
		if o.maxStartupsSet[i] {
			return o.maxStartups[i]
		}
		return def
	}
	switch {
	case n == 3:
		if get(0, -1) > get(2, -1) || get(1, -1) > 100 || get(1, -1) < 1 {
			return l.errorf("Invalid %s spec.", kw)
		}
	case n != 1:
		return l.errorf("Invalid %s spec.", kw)
	default:
		o.maxStartups[2] = o.maxStartups[0]
		o.maxStartupsSet[2] = true
	}
	if get(2, -1) <= 0 || get(0, -1) <= 0 {
		return l.errorf("Invalid %s spec.", kw)
	}
	return nil
}

func parsePermitOpen(o *options, op string, l *lineCtx, active bool) error {
	kw := l.keyword
	found := len(o.arrays[op]) == 0
	var strs []string
	for {
		arg, ok := l.next()
		if !ok {
			break
		}
		if arg == "any" || arg == "none" {
			if len(strs) != 0 {
				return l.errorf("%s must appear alone on a %s line.", arg, kw)
			}
			strs = append(strs, arg)
			continue
		}
		var entry, portPart string
		hasPort := true
		if op == "permitlisten" && !strings.Contains(arg, ":") {
			entry = "*:" + arg
			portPart = arg
		} else {
			entry = arg
			host, rest, ok, more := hpdelim(arg)
			if !ok {
				return l.errorf("%s missing host", kw)
			}
			_ = host
			portPart, hasPort = rest, more
		}
		if !hasPort || permitopenPort(portPart) < 0 {
			return l.errorf("%s bad port number", kw)
		}
		strs = append(strs, entry)
	}
	if len(strs) == 0 {
		return l.errorf("%s missing argument.", kw)
	}
	if found && active {
		o.arrays[op] = strs
	}
	return nil
}

// permitopenPort accepts "*" or a port number 1..65535 (or a service).
func permitopenPort(s string) int {
	if s == "*" {
		return 0
	}
	v, errstr := strtonum(s, 1, 65535)
	if errstr != "" {
		return -1
	}
	return int(v)
}

// hpdelim is misc.c:hpdelim2: split "host:port", "[v6]:port" or
// "host/port". more reports whether a port part followed a delimiter.
func hpdelim(s string) (host, rest string, ok, more bool) {
	i := 0
	if strings.HasPrefix(s, "[") {
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return "", "", false, false
		}
		i = j + 1
	} else if j := strings.IndexAny(s, ":/"); j >= 0 {
		i = j
	} else {
		i = len(s)
	}
	if i == len(s) {
		return s, "", true, false
	}
	if s[i] != ':' && s[i] != '/' {
		return "", "", false, false
	}
	return s[:i], s[i+1:], true, true
}

func cleanHostname(h string) string {
	if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

func parseVersionAddendum(o *options, l *lineCtx, active bool) error {
	kw := l.keyword
	v := l.str[spanWhitespace(l.str):]
	if strings.Contains(v, "\r") {
		return l.errorf("Invalid %s argument", kw)
	}
	// 9.2 keeps the rest of the line verbatim, comments included.
	if active && !o.has("versionaddendum") {
		if equalFoldASCII(v, "none") {
			v = ""
		}
		o.vals["versionaddendum"] = v
	}
	l.args = nil
	return nil
}

func (p *parser) parseListenAddress(l *lineCtx) error {
	arg, ok := l.next()
	if !ok || arg == "" {
		return l.errorf("missing address")
	}
	var host string
	port := 0
	if !strings.Contains(arg, "[") && strings.Count(arg, ":") >= 2 {
		host = arg // bare IPv6 address
	} else {
		h, rest, ok, more := hpdelim(arg)
		if !ok {
			return l.errorf("bad address:port usage")
		}
		host = cleanHostname(h)
		if more {
			if port = p.a2port(rest); port <= 0 {
				return l.errorf("bad port number")
			}
		}
	}
	if next, ok := l.next(); ok {
		if next != "rdomain" || len(l.args) == 0 {
			return l.errorf("bad ListenAddress syntax")
		}
		// Debian's sshd has no routing-domain support.
		return l.errorf("bad routing domain")
	}
	// ListenAddress ignores the Match state: it is global-only, and
	// sshd queues it unconditionally.
	p.opts.listenQueue = append(p.opts.listenQueue, queuedListen{addr: host, port: port, file: l.file, line: l.line})
	return nil
}

// derelativise is servconf.c:derelativise_path: "none" stays, "~" is the
// home of the user sshd runs as (root), and a relative path is made
// absolute against the working directory, "/" for the daemon.
func (p *parser) derelativise(path string, l *lineCtx) (string, error) {
	if equalFoldASCII(path, "none") {
		return "none", nil
	}
	expanded, err := p.tildeExpand(path, l)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(expanded, "/") {
		return expanded, nil
	}
	// sshd joins getcwd() and the path with "/", so from "/" a relative
	// path gains a double slash.
	return "//" + expanded, nil
}

// tildeExpand is misc.c:tilde_expand_filename for uid 0, with the user
// database of the target.
func (p *parser) tildeExpand(path string, l *lineCtx) (string, error) {
	if !strings.HasPrefix(path, "~") {
		return path, nil
	}
	rest := path[1:]
	user := rest
	tail := ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		user, tail = rest[:i], rest[i+1:]
	}
	var home string
	if user == "" {
		u, ok := p.db().userByUID(0)
		if !ok {
			return "", &ConfigError{Msg: "tilde_expand_filename: No such uid 0"}
		}
		home = u.home
	} else {
		u, ok := p.db().users[user]
		if !ok {
			return "", &ConfigError{Msg: "tilde_expand_filename: No such user " + user}
		}
		home = u.home
	}
	if strings.HasSuffix(home, "/") {
		return home + tail, nil
	}
	return home + "/" + tail, nil
}
