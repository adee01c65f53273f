package sshdconfig

import (
	"fmt"
	"strconv"
	"strings"
)

// lineCtx is one configuration line being processed.
type lineCtx struct {
	file    string
	line    int
	keyword string // as the user wrote it (sshd quotes it in messages)
	str     string // raw remainder after the keyword
	args    []string
}

func (l *lineCtx) errorf(format string, a ...any) *ConfigError {
	return lineError(l.file, l.line, format, a...)
}

// next pops the next argument, like argv_next; ok=false when none is left.
func (l *lineCtx) next() (string, bool) {
	if len(l.args) == 0 {
		return "", false
	}
	a := l.args[0]
	l.args = l.args[1:]
	return a, true
}

// processLine is servconf.c process_server_config_line_depth: it applies
// one line to p.opts, honouring the Match state in *active.
func (p *parser) processLine(raw, file string, linenum int, active *bool, flags *int, depth int) error {
	line := trimLineEnd(raw)
	if line == "" {
		return nil
	}
	c := cursor{s: line}
	kw, ok := c.strdelim()
	if !ok {
		return nil
	}
	if kw == "" {
		if kw, ok = c.strdelim(); !ok {
			return nil
		}
	}
	if kw == "" || kw[0] == '#' {
		return nil
	}
	if c.done || c.s == "" {
		return lineError(file, linenum, "no argument after keyword \"%s\"", kw)
	}
	l := &lineCtx{file: file, line: linenum, keyword: kw, str: c.s}
	k, known := keywords[lowerASCII(kw)]
	if !known {
		return &ConfigError{File: file, Line: linenum, Msg: "Bad configuration option: " + kw, colon: true}
	}
	args, ok := argvSplit(c.s)
	if !ok {
		return l.errorf("invalid quotes")
	}
	l.args = args
	orig := append([]string(nil), args...)
	if !*active && k.flags&cfgMatch == 0 {
		if p.conn == nil {
			return l.errorf("Directive '%s' is not allowed within a Match block", kw)
		}
		return nil // already applied by the first pass
	}
	if err := p.apply(k.op, l, active, flags, depth); err != nil {
		return err
	}
	if len(l.args) > 0 {
		return l.errorf("keyword %s extra arguments at end of line", kw)
	}
	if p.recording != nil && k.op != "match" && k.op != "include" {
		p.recording(k.op, &lineCtx{file: file, line: linenum, keyword: kw, str: c.s, args: orig})
	}
	return nil
}

// apply is the big switch of process_server_config_line_depth.
func (p *parser) apply(op string, l *lineCtx, activep *bool, flags *int, depth int) error {
	o := p.opts
	active := *activep
	kw := l.keyword
	switch {
	case op == opDeprecated || op == opIgnore || op == opUnsupported:
		l.args = nil
		return nil
	case flagOps[op]:
		return parseMultistate(o, l, active, op, msFlag)
	case multistateFor[op] != nil:
		return parseMultistate(o, l, active, op, multistateFor[op])
	case intOps[op]:
		arg, _ := l.next()
		v, errstr := atoiErr(arg)
		if errstr != "" {
			return l.errorf("%s integer value %s.", kw, errstr)
		}
		o.setFirst(active, op, strconv.Itoa(v))
		return nil
	case timeOps[op]:
		return parseTime(o, l, active, op)
	}
	switch op {
	case "port":
		if len(o.ports) >= maxPorts {
			return l.errorf("too many ports.")
		}
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("missing port number.")
		}
		port := p.a2port(arg)
		if port <= 0 {
			return l.errorf("Badly formatted port number.")
		}
		o.ports = append(o.ports, port)
	case "listenaddress":
		return p.parseListenAddress(l)
	case "hostkey", "hostcertificate":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("missing file name.")
		}
		if active {
			path, err := p.derelativise(arg, l)
			if err != nil {
				return err
			}
			o.arrays[op] = append(o.arrays[op], path)
		}
	case "hostkeyagent":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("missing socket name.")
		}
		if active && !o.has(op) {
			v := arg
			if arg != "SSH_AUTH_SOCK" {
				var err error
				if v, err = p.derelativise(arg, l); err != nil {
					return err
				}
			}
			o.vals[op] = v
		}
	case "pidfile", "modulifile", "xauthlocation", "banner", "trustedusercakeys", "revokedkeys":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("missing file name.")
		}
		if active && !o.has(op) {
			v, err := p.derelativise(arg, l)
			if err != nil {
				return err
			}
			o.vals[op] = v
		}
	case "hostbasedacceptedalgorithms", "hostkeyalgorithms", "pubkeyacceptedalgorithms", "casignaturealgorithms":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("Missing argument.")
		}
		if arg[0] != '-' && !keyNamesValid(stripModifier(arg), op == "casignaturealgorithms") {
			return l.errorf("Bad key types '%s'.", arg)
		}
		o.setFirst(active, op, arg)
	case "pubkeyauthoptions":
		touch, verify := false, false
		for {
			arg, ok := l.next()
			if !ok {
				break
			}
			switch {
			case equalFoldASCII(arg, "none"):
			case equalFoldASCII(arg, "touch-required"):
				touch = true
			case equalFoldASCII(arg, "verify-required"):
				verify = true
			default:
				return l.errorf("unsupported %s option %s", kw, arg)
			}
		}
		v := ""
		if touch {
			v += " touch-required"
		}
		if verify {
			v += " verify-required"
		}
		if v == "" {
			v = " none"
		}
		o.setFirst(active, op, v[1:])
	case "gssapikexalgorithms":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("Missing argument.")
		}
		if !gssKexNamesValid(arg) {
			return l.errorf("Bad GSSAPI KexAlgorithms '%s'.", arg)
		}
		o.setFirst(active, op, arg)
	case "permituserenvironment":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		if active && !o.has(op) {
			switch arg {
			case "yes", "no":
				o.vals[op] = arg
			default:
				o.vals[op] = "yes"
				o.vals["permituserenvallowlist"] = arg
			}
		}
	case "rekeylimit":
		return parseRekeyLimit(o, l, active)
	case "syslogfacility":
		arg, present := l.next()
		name, ok := logFacilityName(arg)
		if !ok {
			return l.errorf("unsupported log facility '%s'", noneIfEmpty(arg, !present))
		}
		// sshd ignores the Match state here (no *activep test).
		if !o.has(op) {
			o.vals[op] = name
		}
	case "loglevel":
		arg, present := l.next()
		name, ok := logLevelName(arg)
		if !ok {
			return l.errorf("unsupported log level '%s'", noneIfEmpty(arg, !present))
		}
		o.setFirst(active, op, name)
	case "logverbose", "authorizedkeysfile", "setenv", "authenticationmethods", "channeltimeout":
		return p.parseFirstArray(op, l, active)
	case "allowusers", "denyusers", "allowgroups", "denygroups", "acceptenv":
		return parseAppendArray(o, op, l, active)
	case "ciphers", "macs", "kexalgorithms":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		if arg[0] != '-' && !namesValid(stripModifier(arg), op) {
			what := map[string]string{"ciphers": "SSH2 cipher spec", "macs": "SSH2 mac spec", "kexalgorithms": "SSH2 KexAlgorithms"}[op]
			return l.errorf("Bad %s '%s'.", what, arg)
		}
		// sshd ignores the Match state for these (no *activep test).
		if !o.has(op) {
			o.vals[op] = arg
		}
	case "subsystem":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		if !active {
			l.args = nil
			return nil
		}
		for _, s := range o.subsystems {
			if s.name == arg {
				return l.errorf("Subsystem '%s' already defined.", arg)
			}
		}
		cmd, ok := l.next()
		if !ok || cmd == "" {
			return l.errorf("Missing subsystem command.")
		}
		// sshd stores the command and its arguments re-joined by single
		// spaces, and prints that.
		o.subsystems = append(o.subsystems, subsystem{name: arg, args: strings.Join(append([]string{cmd}, l.args...), " ")})
		l.args = nil
	case "maxstartups":
		return parseMaxStartups(o, l)
	case "persourcenetblocksize":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		n, vals := sscanInts(arg, 2)
		v1, v2 := vals[0], vals[1]
		if n == 2 && (v2 < 0 || v2 > 128) {
			n = -1
		}
		if (n == 1 || n == 2) && (v1 < 0 || v1 > 32) {
			n = -1
		}
		if n != 1 && n != 2 {
			return l.errorf("Invalid %s spec.", kw)
		}
		if active {
			// With one number the IPv6 length is an uninitialised
			// variable in sshd; Debian's build prints 0.
			o.vals[op] = fmt.Sprintf("%d:%d", v1, v2)
		}
	case "persourcemaxstartups":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		v := "none"
		if arg != "none" {
			n, errstr := atoiErr(arg)
			if errstr != "" {
				return l.errorf("%s integer value %s.", kw, errstr)
			}
			v = strconv.Itoa(n)
			if n == maxInt {
				v = "none"
			}
		}
		o.setFirst(active, op, v)
	case "authorizedprincipalsfile":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		if active && !o.has(op) {
			v, err := p.tildeExpand(arg, l)
			if err != nil {
				return err
			}
			o.vals[op] = v
		}
	case "permittunnel":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		switch arg {
		case "no", "point-to-point", "ethernet", "yes":
		default:
			return l.errorf("bad %s argument %s", kw, arg)
		}
		o.setFirst(active, op, arg)
	case "include":
		return p.include(l, activep, flags, depth)
	case "match":
		return p.match(l, activep, flags)
	case "permitopen", "permitlisten":
		return parsePermitOpen(o, op, l, active)
	case "forcecommand":
		v := l.str[spanWhitespace(l.str):]
		o.setFirst(active, op, v)
		l.args = nil
	case "chrootdirectory":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		o.setFirst(active, op, arg)
	case "securitykeyprovider":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		if active && !o.has(op) {
			v := arg
			if !equalFoldASCII(arg, "internal") {
				var err error
				if v, err = p.derelativise(arg, l); err != nil {
					return err
				}
			}
			o.vals[op] = v
		}
	case "ipqos":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		v1 := parseIPQoS(arg)
		if v1 < 0 {
			return l.errorf("Bad %s value: %s", kw, arg)
		}
		v2 := v1
		if arg, ok = l.next(); ok {
			if v2 = parseIPQoS(arg); v2 < 0 {
				return l.errorf("Bad %s value: %s", kw, arg)
			}
		}
		if active { // last value wins for IPQoS
			o.vals[op] = iptos2str(v1) + " " + iptos2str(v2)
		}
	case "versionaddendum":
		return parseVersionAddendum(o, l, active)
	case "authorizedkeyscommand", "authorizedprincipalscommand":
		v := l.str[spanWhitespace(l.str):]
		if !strings.HasPrefix(v, "/") && !equalFoldASCII(v, "none") {
			return l.errorf("%s must be an absolute path", kw)
		}
		o.setFirst(active, op, v)
		l.args = nil
	case "authorizedkeyscommanduser", "authorizedprincipalscommanduser":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("missing %s argument.", kw)
		}
		o.setFirst(active, op, arg)
	case "streamlocalbindmask":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		v, consumed := strtol(arg, 8)
		if consumed == 0 || v < 0 || v > 0o777 {
			return l.errorf("Invalid %s.", kw)
		}
		if active { // last value wins
			o.vals[op] = fmt.Sprintf("0%o", v)
		}
	case "fingerprinthash":
		arg, ok := l.next()
		if !ok || arg == "" {
			return l.errorf("%s missing argument.", kw)
		}
		name, ok := digestName(arg)
		if !ok {
			return l.errorf("Invalid %s algorithm \"%s\".", kw, arg)
		}
		if active { // last value wins
			o.vals[op] = name
		}
	case "rdomain":
		// Debian's build has no routing-domain support.
		return l.errorf("setting RDomain not supported on this platform.")
	case "unusedconnectiontimeout":
		if len(l.args) > 0 && equalFoldASCII(l.args[0], "none") {
			l.next()
			if active {
				o.vals[op] = "0"
			}
			return nil
		}
		return parseTime(o, l, active, op)
	default:
		return fmt.Errorf("%s line %d: internal error: no handler for %s", l.file, l.line, op)
	}
	return nil
}

const (
	maxPorts = 256
	maxInt   = 1<<31 - 1
)

func noneIfEmpty(arg string, missing bool) string {
	if missing {
		return "<NONE>"
	}
	return arg
}

func stripModifier(arg string) string {
	if arg != "" && (arg[0] == '+' || arg[0] == '^') {
		return arg[1:]
	}
	return arg
}

func parseMultistate(o *options, l *lineCtx, active bool, op string, table []multistate) error {
	arg, ok := l.next()
	if !ok || arg == "" {
		return l.errorf("missing argument.")
	}
	for _, m := range table {
		if equalFoldASCII(arg, m.in) {
			o.setFirst(active, op, m.out)
			return nil
		}
	}
	return l.errorf("unsupported option \"%s\".", arg)
}

func parseTime(o *options, l *lineCtx, active bool, op string) error {
	arg, ok := l.next()
	if !ok || arg == "" {
		return l.errorf("missing time value.")
	}
	v := convtime(arg)
	if v < 0 {
		return l.errorf("invalid time value.")
	}
	o.setFirst(active, op, strconv.Itoa(v))
	return nil
}
