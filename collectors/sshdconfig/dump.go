package sshdconfig

import (
	"fmt"
	"strconv"
	"strings"
)

// Setting is one line of sshd -T output.
type Setting struct {
	Keyword string
	Value   string
}

// fill applies fill_default_server_options and resolves listen addresses
// (process_queued_listen_addrs); it returns the final listen lines.
func fill(o *options) ([]string, error) {
	if len(o.ports) == 0 {
		o.ports = []int{22}
	}
	family := o.vals["addressfamily"]
	if family == "" {
		family = "any"
	}
	queue := o.listenQueue
	if len(queue) == 0 {
		queue = []queuedListen{{}}
	}
	var listen []string
	for _, q := range queue {
		ports := o.ports
		if q.port > 0 {
			ports = []int{q.port}
		}
		for _, port := range ports {
			lines, err := listenLines(q, port, family)
			if err != nil {
				return nil, err
			}
			listen = append(listen, lines...)
		}
	}
	return listen, nil
}

func listenLines(q queuedListen, port int, family string) ([]string, error) {
	ps := strconv.Itoa(port)
	if q.addr == "" {
		// getaddrinfo(NULL, AI_PASSIVE) lists 0.0.0.0 then ::; sshd
		// prints each batch in reverse.
		switch family {
		case "inet":
			return []string{"0.0.0.0:" + ps}, nil
		case "inet6":
			return []string{"[::]:" + ps}, nil
		}
		return []string{"[::]:" + ps, "0.0.0.0:" + ps}, nil
	}
	a, ok := parseNumericAddr(q.addr)
	if !ok {
		// sshd would resolve the name with the resolver of the running
		// system; an offline scan cannot, so the name is refused.
		return nil, &ConfigError{File: q.file, Msg: fmt.Sprintf("bad addr or host: %s (Name or service not known)", q.addr),
			Detail: fmt.Sprintf("%s line %d: host names in ListenAddress are not resolved offline", q.file, q.line)}
	}
	if (family == "inet" && len(a) != 4) || (family == "inet6" && len(a) != 16) {
		return nil, &ConfigError{File: q.file, Msg: fmt.Sprintf("bad addr or host: %s (Address family for hostname not supported)", q.addr)}
	}
	if len(a) == 16 {
		return []string{"[" + formatAddr(a) + "]:" + ps}, nil
	}
	return []string{formatAddr(a) + ":" + ps}, nil
}

// clearedOnNone are the options fill_default_server_options resets to
// unset when they read "none" in any case (printed then as "none").
var clearedOnNone = map[string]bool{
	"pidfile": true, "xauthlocation": true, "banner": true, "trustedusercakeys": true,
	"revokedkeys": true, "securitykeyprovider": true, "authorizedprincipalsfile": true,
	"forcecommand": true, "chrootdirectory": true, "hostkeyagent": true,
}

// dump is servconf.c dump_config for Debian's 9.2p1 build: the same
// lines in the same order.
func dump(o *options, listen []string) ([]Setting, error) {
	var out []Setting
	add := func(k, v string) { out = append(out, Setting{k, v}) }
	val := func(op, def string) string {
		if v, ok := o.vals[op]; ok {
			return v
		}
		return def
	}
	// str prints a path/command option: unset and "none" both print none.
	str := func(op string) {
		v, ok := o.vals[op]
		if !ok || (clearedOnNone[op] && equalFoldASCII(v, "none")) {
			v = "none"
		}
		add(op, v)
	}
	for _, p := range o.ports {
		add("port", strconv.Itoa(p))
	}
	add("addressfamily", val("addressfamily", "any"))
	for _, l := range listen {
		add("listenaddress", l)
	}
	add("usepam", val("usepam", "no"))
	for _, d := range [][2]string{
		{"logingracetime", "120"}, {"x11displayoffset", "10"}, {"maxauthtries", "6"},
		{"maxsessions", "10"}, {"clientaliveinterval", "0"}, {"clientalivecountmax", "3"},
		{"requiredrsasize", "1024"}, {"streamlocalbindmask", "0177"},
	} {
		add(d[0], val(d[0], d[1]))
	}
	if v := val("unusedconnectiontimeout", "0"); v == "0" {
		add("unusedconnectiontimeout", "none")
	} else {
		add("unusedconnectiontimeout", v)
	}
	for _, d := range [][2]string{
		{"permitrootlogin", "without-password"}, {"ignorerhosts", "yes"},
		{"ignoreuserknownhosts", "no"}, {"hostbasedauthentication", "no"},
		{"hostbasedusesnamefrompacketonly", "no"}, {"pubkeyauthentication", "yes"},
		{"kerberosauthentication", "no"}, {"kerberosorlocalpasswd", "yes"},
		{"kerberosticketcleanup", "yes"}, {"gssapiauthentication", "no"},
		{"gssapicleanupcredentials", "yes"}, {"gssapikeyexchange", "no"},
		{"gssapistrictacceptorcheck", "yes"}, {"gssapistorecredentialsonrekey", "no"},
		{"gssapikexalgorithms", defGSSKex}, {"passwordauthentication", "yes"},
		{"kbdinteractiveauthentication", "yes"}, {"printmotd", "yes"}, {"printlastlog", "yes"},
		{"x11forwarding", "no"}, {"x11uselocalhost", "yes"}, {"permittty", "yes"},
		{"permituserrc", "yes"}, {"strictmodes", "yes"}, {"tcpkeepalive", "yes"},
		{"permitemptypasswords", "no"}, {"compression", "yes"}, {"gatewayports", "no"},
		{"usedns", "no"}, {"allowtcpforwarding", "yes"}, {"allowagentforwarding", "yes"},
		{"disableforwarding", "no"}, {"allowstreamlocalforwarding", "yes"},
		{"streamlocalbindunlink", "no"}, {"fingerprinthash", "SHA256"}, {"exposeauthinfo", "no"},
		{"pidfile", "/run/sshd.pid"}, {"modulifile", "/etc/ssh/moduli"},
		{"xauthlocation", "/usr/bin/xauth"},
	} {
		add(d[0], val(d[0], d[1]))
	}
	algos := map[string]string{}
	for _, a := range [][4]string{
		{"ciphers", defCiphers, allCiphers, "ciphers"},
		{"macs", defMACs, allMACs, "macs"},
		{"kexalgorithms", defKex, allKex, "kex_algorithms"},
		{"hostkeyalgorithms", defKeys, allKeys, "hostkeyalgorithms"},
		{"hostbasedacceptedalgorithms", defKeys, allKeys, "hostbased_accepted_algos"},
		{"pubkeyacceptedalgorithms", defKeys, allKeys, "pubkey_accepted_algos"},
		{"casignaturealgorithms", defSigs, allSigs, "ca_sign_algorithms"},
	} {
		v, err := assembleNames(o.vals[a[0]], a[1], a[2])
		if err != nil {
			return nil, &ConfigError{Msg: fmt.Sprintf("assemble_algorithms: %s: %v", a[3], err)}
		}
		algos[a[0]] = v
	}
	add("ciphers", algos["ciphers"])
	add("macs", algos["macs"])
	for _, op := range []string{"banner", "forcecommand", "chrootdirectory", "trustedusercakeys", "revokedkeys"} {
		str(op)
	}
	add("securitykeyprovider", val("securitykeyprovider", "internal"))
	str("authorizedprincipalsfile")
	if v := val("versionaddendum", ""); v == "" {
		add("versionaddendum", "none")
	} else {
		add("versionaddendum", v)
	}
	for _, op := range []string{"authorizedkeyscommand", "authorizedkeyscommanduser",
		"authorizedprincipalscommand", "authorizedprincipalscommanduser", "hostkeyagent"} {
		str(op)
	}
	for _, op := range []string{"kexalgorithms", "casignaturealgorithms", "hostbasedacceptedalgorithms",
		"hostkeyalgorithms", "pubkeyacceptedalgorithms"} {
		add(op, algos[op])
	}
	add("loglevel", val("loglevel", "INFO"))
	add("syslogfacility", val("syslogfacility", "AUTH"))
	if akf := o.arrays["authorizedkeysfile"]; len(akf) > 0 {
		add("authorizedkeysfile", strings.Join(akf, " "))
	} else {
		add("authorizedkeysfile", ".ssh/authorized_keys .ssh/authorized_keys2")
	}
	hostkeys := o.arrays["hostkey"]
	if len(hostkeys) == 0 {
		hostkeys = []string{"/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key"}
	}
	for _, op := range []string{"hostkey", "hostcertificate"} {
		list := o.arrays[op]
		if op == "hostkey" {
			list = hostkeys
		}
		for _, h := range list {
			if equalFoldASCII(h, "none") {
				h = "(null)" // sshd clears "none" and printf prints NULL so
			}
			add(op, h)
		}
	}
	for _, op := range []string{"allowusers", "denyusers", "allowgroups", "denygroups", "acceptenv", "setenv"} {
		for _, v := range o.arrays[op] {
			add(op, v)
		}
	}
	if am := o.arrays["authenticationmethods"]; len(am) > 0 && !(len(am) == 1 && am[0] == "any") {
		add("authenticationmethods", strings.Join(am, " "))
	} else {
		add("authenticationmethods", "any")
	}
	if lv := o.arrays["logverbose"]; len(lv) > 0 {
		add("logverbose", strings.Join(lv, " "))
	}
	if ct := o.arrays["channeltimeout"]; len(ct) > 0 && !(len(ct) == 1 && equalFoldASCII(ct[0], "none")) {
		add("channeltimeout", strings.Join(ct, " "))
	}
	for _, s := range o.subsystems {
		add("subsystem", s.name+" "+s.args)
	}
	ms := [3]int{10, 30, 100}
	for i := range ms {
		if o.maxStartupsSet[i] {
			ms[i] = o.maxStartups[i]
		}
	}
	add("maxstartups", fmt.Sprintf("%d:%d:%d", ms[0], ms[1], ms[2]))
	add("persourcemaxstartups", val("persourcemaxstartups", "none"))
	add("persourcenetblocksize", val("persourcenetblocksize", "32:128"))
	add("permittunnel", val("permittunnel", "no"))
	add("ipqos", val("ipqos", "lowdelay throughput"))
	add("rekeylimit", val("rekeylimit", "0")+" "+val("rekeyinterval", "0"))
	for _, op := range []string{"permitopen", "permitlisten"} {
		if v := o.arrays[op]; len(v) > 0 {
			add(op, strings.Join(v, " "))
		} else {
			add(op, "any")
		}
	}
	if al, ok := o.vals["permituserenvallowlist"]; ok {
		add("permituserenvironment", al)
	} else {
		add("permituserenvironment", val("permituserenvironment", "no"))
	}
	add("pubkeyauthoptions", val("pubkeyauthoptions", "none"))
	return out, nil
}
