# SSH controls, judged on sshd's effective configuration (sshd -T
# semantics: first value wins, Include and Match applied).
package ztscan.ssh

import data.ztscan.lib

# object.get keeps these defined when facts are partial, so the rules
# reach their explicit "lacks ..." errors instead of going undefined.
sshd := object.get(input, ["facts", "sshd"], {})

eff := object.get(sshd, "effective", {})

# origin says where the effective values come from, for messages.
default origin := "effective configuration"

origin := "sshd -T" if sshd.source == "sshd -T"

origin := sprintf("parsed from %s", [object.get(sshd, "config_path", "sshd_config")]) if sshd.source == "parser"

# ev is a rule's evidence plus where the effective values come from.
ev(o) := object.union(o, {
	"source": object.get(sshd, "source", "unknown"),
	"config_path": object.get(sshd, "config_path", "unknown"),
})

# absent is the skip verdict when the facts say sshd is not installed.
absent := lib.skip(sprintf("sshd is not installed (%s)", [object.get(sshd, "installed_evidence", "no evidence recorded")])) if {
	sshd.installed == false
}

# need(keys) is an error verdict when the effective configuration, or one
# of keys in it, is missing from the facts; undefined otherwise.
need(_) := lib.error("facts.sshd.effective is missing: the effective sshd configuration was not collected") if {
	count(eff) == 0
}

need(keys) := lib.error(sprintf("the effective sshd configuration lacks %s", [concat(", ", lacking)])) if {
	count(eff) > 0
	lacking := [k | some k in keys; not eff[k]]
	count(lacking) > 0
}

# expect(key, name, want) judges a keyword that must have one value.
expect(key, name, want) := v if {
	v := need([key])
} else := lib.pass(sprintf("%s is %s (%s)", [name, want, origin]), ev({key: want})) if {
	eff[key] == want
} else := lib.fail(sprintf("%s is %s (%s); must be %s", [name, eff[key], origin, want]), ev({key: eff[key]}))

# at_most(key, name, limit_key) judges a numeric keyword against the
# limit data.config.ssh[limit_key].
at_most(key, name, limit_key) := v if {
	v := need([key])
} else := v if {
	v := lib.config_missing([sprintf("ssh.%s", [limit_key])])
} else := lib.error(sprintf("configuration ssh.%s is %v, not a number", [limit_key, data.config.ssh[limit_key]])) if {
	not lib.int_of(data.config.ssh[limit_key])
} else := lib.error(sprintf("%s is %q (%s), not a number", [name, eff[key], origin])) if {
	not lib.int_of(eff[key])
} else := lib.pass(sprintf("%s is %s (%s; limit %v)", [name, eff[key], origin, data.config.ssh[limit_key]]), ev({key: eff[key], "limit": data.config.ssh[limit_key]})) if {
	lib.int_of(eff[key]) <= lib.int_of(data.config.ssh[limit_key])
} else := lib.fail(sprintf("%s is %s (%s); limit %v", [name, eff[key], origin, data.config.ssh[limit_key]]), ev({key: eff[key], "limit": data.config.ssh[limit_key]}))

# kw(keys) is the value of the first of keys present: OpenSSH renamed
# keywords (ChallengeResponseAuthentication -> KbdInteractiveAuthentication,
# PubkeyAcceptedKeyTypes -> PubkeyAcceptedAlgorithms) and older sshd -T
# print the old name.
kw(keys) := eff[keys[0]] if {
	eff[keys[0]]
} else := eff[keys[1]] if {
	eff[keys[1]]
}

# as_list makes a multi-valued keyword an array whether the facts hold an
# array or a space-separated string.
as_list(x) := x if is_array(x)

as_list(x) := [w | some w in split(x, " "); w != ""] if is_string(x)

# am_text is AuthenticationMethods as sshd -T prints it (lists separated by
# spaces), for messages.
am_text := concat(" ", as_list(eff.authenticationmethods))

comma_list(s) := [w | some w in split(s, ","); w != ""]

# method_lists is AuthenticationMethods as lists of method names
# ("publickey,keyboard-interactive:pam publickey" ->
# [["publickey","keyboard-interactive"],["publickey"]]); "any" is one
# list of one pseudo-method, i.e. a single factor.
method_lists := [methods |
	some l in as_list(eff.authenticationmethods)
	l != ""
	methods := [m | some x in split(l, ","); m := split(x, ":")[0]]
]

# kbd_behind_pubkey: keyboard-interactive is allowed, and only after
# publickey succeeded, in every AuthenticationMethods list that names it.
kbd_behind_pubkey if {
	some l in method_lists
	"keyboard-interactive" in l
	every l2 in method_lists {
		kbd_list_ok(l2)
	}
}

kbd_list_ok(l) if not "keyboard-interactive" in l

kbd_list_ok(l) if {
	"keyboard-interactive" in l
	"publickey" in l
}

# two_factor: every AuthenticationMethods list names two distinct methods.
two_factor if {
	count(method_lists) > 0
	every l in method_lists {
		count({m | some m in l}) >= 2
	}
}

# METADATA
# title: SSH password authentication is disabled
# description: >-
#   Passwords can be guessed, phished and reused; a Zero Trust server
#   accepts keys or certificates only.
# custom:
#   id: ZT-SSH-001
#   severity: critical
#   remediation: Set "PasswordAuthentication no" in /etc/ssh/sshd_config (before any Include that sets it) and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.x (sshd PasswordAuthentication)
#     - NIST SP 800-53 IA-2, IA-5
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_001 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := expect("passwordauthentication", "PasswordAuthentication", "no")

# METADATA
# title: SSH root login is disabled
# description: >-
#   Administrators log in as themselves and escalate with sudo, so every
#   action is attributable; root must not log in at all, not even with a key.
# custom:
#   id: ZT-SSH-002
#   severity: critical
#   remediation: Set "PermitRootLogin no" in /etc/ssh/sshd_config (before any Include that sets it) and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.20 (sshd PermitRootLogin is disabled)
#     - NIST SP 800-53 AC-6(2), IA-2
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_002 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need(["permitrootlogin"])
} else := lib.pass(sprintf("PermitRootLogin is no (%s)", [origin]), ev({"permitrootlogin": "no"})) if {
	eff.permitrootlogin == "no"
} else := lib.fail(sprintf("PermitRootLogin is %s (%s); must be no: root can still log in %s", [eff.permitrootlogin, origin, root_how]), ev({"permitrootlogin": eff.permitrootlogin}))

default root_how := "with any method sshd accepts"

root_how := "with a key or certificate" if eff.permitrootlogin in {"prohibit-password", "without-password"}

root_how := "to run forced commands" if eff.permitrootlogin == "forced-commands-only"

# METADATA
# title: SSH keyboard-interactive authentication is disabled unless it is a second factor
# description: >-
#   Keyboard-interactive is password authentication through PAM by another
#   name. It is acceptable only as the second factor after a public key
#   (AuthenticationMethods publickey,keyboard-interactive).
# custom:
#   id: ZT-SSH-003
#   severity: high
#   remediation: >-
#     Set "KbdInteractiveAuthentication no" in /etc/ssh/sshd_config, or, for
#     MFA, keep it yes and set "AuthenticationMethods publickey,keyboard-interactive"
#     so it is only ever asked after a key; reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.x (sshd keyboard-interactive/challenge-response authentication)
#     - NIST SP 800-53 IA-2, IA-2(1)
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_003 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need([])
} else := lib.error("the effective sshd configuration lacks kbdinteractiveauthentication (and challengeresponseauthentication)") if {
	not kw(["kbdinteractiveauthentication", "challengeresponseauthentication"])
} else := lib.pass(sprintf("KbdInteractiveAuthentication is no (%s)", [origin]), ev({"kbdinteractiveauthentication": "no"})) if {
	kw(["kbdinteractiveauthentication", "challengeresponseauthentication"]) == "no"
} else := v if {
	v := need(["authenticationmethods"])
} else := lib.pass(
	sprintf("KbdInteractiveAuthentication is yes but only as a second factor after publickey: AuthenticationMethods is %q (%s)", [am_text, origin]),
	ev({"kbdinteractiveauthentication": kw(["kbdinteractiveauthentication", "challengeresponseauthentication"]), "authenticationmethods": eff.authenticationmethods}),
) if {
	kbd_behind_pubkey
} else := lib.fail(
	sprintf("KbdInteractiveAuthentication is %s (%s) and AuthenticationMethods %q does not require publickey before it: it works as password authentication", [kw(["kbdinteractiveauthentication", "challengeresponseauthentication"]), origin, am_text]),
	ev({"kbdinteractiveauthentication": kw(["kbdinteractiveauthentication", "challengeresponseauthentication"]), "authenticationmethods": eff.authenticationmethods}),
)

# METADATA
# title: SSH empty passwords are refused
# description: >-
#   An account with an empty password must never be reachable over the
#   network.
# custom:
#   id: ZT-SSH-004
#   severity: critical
#   remediation: Set "PermitEmptyPasswords no" in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.19 (sshd PermitEmptyPasswords is disabled)
#     - NIST SP 800-53 IA-5
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_004 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := expect("permitemptypasswords", "PermitEmptyPasswords", "no")

# METADATA
# title: SSH authentication attempts per connection are limited
# description: >-
#   A low MaxAuthTries slows online guessing and makes it visible in the
#   logs.
# custom:
#   id: ZT-SSH-005
#   severity: medium
#   remediation: Set "MaxAuthTries 3" (or the configured ssh.max_auth_tries) in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.16 (sshd MaxAuthTries)
#     - NIST SP 800-53 AC-7
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_005 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := at_most("maxauthtries", "MaxAuthTries", "max_auth_tries")

# METADATA
# title: SSH sessions per connection are limited
# description: >-
#   Multiplexed sessions let one authenticated connection open many
#   shells and channels without a new authentication.
# custom:
#   id: ZT-SSH-006
#   severity: low
#   remediation: Set "MaxSessions 2" (or the configured ssh.max_sessions) in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.17 (sshd MaxSessions)
#     - NIST SP 800-53 AC-10
#     - NIST SP 800-207 tenet 3 (per-session access)
zt_ssh_006 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := at_most("maxsessions", "MaxSessions", "max_sessions")

# METADATA
# title: SSH login grace time is short
# description: >-
#   Unauthenticated connections hold resources until LoginGraceTime
#   expires; a short limit blunts connection-exhaustion attacks.
# custom:
#   id: ZT-SSH-007
#   severity: low
#   remediation: Set "LoginGraceTime 30" (seconds, or the configured ssh.login_grace_time; 0 means no limit) in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.13 (sshd LoginGraceTime)
#     - NIST SP 800-53 AC-7, SC-10
zt_ssh_007 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := lib.fail(sprintf("LoginGraceTime is 0 (%s): no limit, unauthenticated connections are never dropped", [origin]), ev({"logingracetime": "0"})) if {
	eff.logingracetime == "0"
} else := at_most("logingracetime", "LoginGraceTime (seconds)", "login_grace_time")

# METADATA
# title: SSH idle sessions are cut
# description: >-
#   An abandoned session is an open door; sshd drops a client that stops
#   answering ClientAliveCountMax probes sent every ClientAliveInterval
#   seconds. An interval of 0 disables the probes, a count of 0 disables
#   the disconnect.
# custom:
#   id: ZT-SSH-008
#   severity: medium
#   remediation: Set "ClientAliveInterval 300" and "ClientAliveCountMax 3" (limits ssh.client_alive_interval_max and ssh.client_alive_count_max) in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.7 (sshd ClientAliveInterval and ClientAliveCountMax)
#     - NIST SP 800-53 AC-12, SC-10
#     - NIST SP 800-207 tenet 3 (per-session access)
zt_ssh_008 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need(["clientaliveinterval", "clientalivecountmax"])
} else := v if {
	v := lib.config_missing(["ssh.client_alive_interval_max", "ssh.client_alive_count_max"])
} else := lib.error(sprintf("ClientAliveInterval %q or ClientAliveCountMax %q (%s), or their configured limits, are not numbers", [eff.clientaliveinterval, eff.clientalivecountmax, origin])) if {
	not idle_numbers
} else := lib.pass(sprintf("ClientAliveInterval is %s and ClientAliveCountMax is %s (%s; limits 1-%v and 1-%v)", [eff.clientaliveinterval, eff.clientalivecountmax, origin, data.config.ssh.client_alive_interval_max, data.config.ssh.client_alive_count_max]), idle_evidence) if {
	count(idle_problems) == 0
} else := lib.fail(sprintf("idle sessions are not cut (%s): %s", [origin, concat("; ", idle_problems)]), idle_evidence)

idle_numbers if {
	lib.int_of(eff.clientaliveinterval)
	lib.int_of(eff.clientalivecountmax)
	lib.int_of(data.config.ssh.client_alive_interval_max)
	lib.int_of(data.config.ssh.client_alive_count_max)
}

idle_evidence := ev({
	"clientaliveinterval": eff.clientaliveinterval,
	"clientalivecountmax": eff.clientalivecountmax,
	"interval_max": data.config.ssh.client_alive_interval_max,
	"count_max": data.config.ssh.client_alive_count_max,
})

idle_problems contains "ClientAliveInterval is 0: sshd never probes idle clients" if {
	lib.int_of(eff.clientaliveinterval) == 0
}

idle_problems contains msg if {
	lib.int_of(eff.clientaliveinterval) > lib.int_of(data.config.ssh.client_alive_interval_max)
	msg := sprintf("ClientAliveInterval is %s (limit %v)", [eff.clientaliveinterval, data.config.ssh.client_alive_interval_max])
}

idle_problems contains "ClientAliveCountMax is 0: unanswered probes never disconnect" if {
	lib.int_of(eff.clientalivecountmax) == 0
}

idle_problems contains msg if {
	lib.int_of(eff.clientalivecountmax) > lib.int_of(data.config.ssh.client_alive_count_max)
	msg := sprintf("ClientAliveCountMax is %s (limit %v)", [eff.clientalivecountmax, data.config.ssh.client_alive_count_max])
}

# METADATA
# title: SSH access is limited to named groups or users
# description: >-
#   Without AllowGroups or AllowUsers any local account with a key or
#   password can log in; Zero Trust grants access explicitly.
# custom:
#   id: ZT-SSH-009
#   severity: medium
#   remediation: Add "AllowGroups ssh-users" (or AllowUsers with named accounts) to /etc/ssh/sshd_config, put the administrators in that group, and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.4 (sshd access is configured)
#     - NIST SP 800-53 AC-3, AC-6
#     - NIST SP 800-207 tenet 6 (strict authorization)
zt_ssh_009 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need([])
} else := lib.pass(sprintf("access is limited (%s): %s", [origin, concat("; ", access_rules)]), ev(access_lists)) if {
	count(access_rules) > 0
} else := lib.fail(sprintf("neither AllowGroups nor AllowUsers is set (%s): every local account with valid credentials may log in", [origin]), ev({}))

access_lists[k] := as_list(eff[k]) if {
	some k in {"allowgroups", "allowusers"}
	count(as_list(eff[k])) > 0
}

access_rules contains sprintf("%s %s", [name, concat(" ", access_lists[k])]) if {
	some k, name in {"allowgroups": "AllowGroups", "allowusers": "AllowUsers"}
	access_lists[k]
}

# METADATA
# title: SSH user key algorithms are strong
# description: >-
#   The default profile refuses user keys signed with SHA-1 (ssh-rsa) and
#   DSA; the strict profile (ssh.crypto_profile strict) accepts only
#   Ed25519 and ECDSA keys, their security-key (sk) variants and their
#   certificates.
# custom:
#   id: ZT-SSH-010
#   severity: medium
#   remediation: >-
#     Set "PubkeyAcceptedAlgorithms" in /etc/ssh/sshd_config to the allowed
#     list, e.g. "PubkeyAcceptedAlgorithms ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp256-cert-v01@openssh.com"
#     (the default profile only needs ssh-rsa and ssh-dss removed), and reload sshd (systemctl reload ssh).
#   references:
#     - NIST SP 800-53 IA-5(2), SC-13
#     - NIST SP 800-131A Rev. 2 (SHA-1 signatures disallowed)
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_010 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need([])
} else := lib.error("the effective sshd configuration lacks pubkeyacceptedalgorithms (and pubkeyacceptedkeytypes)") if {
	not kw(["pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes"])
} else := v if {
	v := lib.config_missing(["ssh.crypto_profile"])
} else := lib.error(sprintf("configuration ssh.crypto_profile is %v; want default or strict", [data.config.ssh.crypto_profile])) if {
	not data.config.ssh.crypto_profile in {"default", "strict"}
} else := lib.pass(sprintf("PubkeyAcceptedAlgorithms has only algorithms the %s profile allows (%s)", [data.config.ssh.crypto_profile, origin]), pubkey_evidence) if {
	count(weak_pubkey_algs) == 0
} else := lib.fail(sprintf("PubkeyAcceptedAlgorithms allows %s (%s), which the %s profile refuses", [concat(", ", sort(weak_pubkey_algs)), origin, data.config.ssh.crypto_profile]), pubkey_evidence)

pubkey_algs := comma_list(kw(["pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes"]))

pubkey_evidence := ev({
	"pubkeyacceptedalgorithms": pubkey_algs,
	"crypto_profile": data.config.ssh.crypto_profile,
	"refused": sort(weak_pubkey_algs),
})

# SHA-1 RSA signatures and DSA, plain or as certificates.
weak_pubkey_algs contains a if {
	some a in pubkey_algs
	regex.match(`^ssh-(rsa|dss)(-cert-v01@openssh\.com)?$`, a)
}

# strict: anything that is not Ed25519 or ECDSA (plain, sk, webauthn, cert).
weak_pubkey_algs contains a if {
	data.config.ssh.crypto_profile == "strict"
	some a in pubkey_algs
	not regex.match(`^(webauthn-)?(sk-)?(ssh-ed25519|ecdsa-sha2-nistp(256|384|521))(-cert-v01)?(@openssh\.com)?$`, a)
}

# METADATA
# title: SSH user certificates are trusted from a CA
# description: >-
#   Short-lived certificates signed by a CA replace scattered
#   authorized_keys files: access is granted, limited and revoked centrally.
# custom:
#   id: ZT-SSH-011
#   severity: high
#   remediation: >-
#     Install the user CA public key (e.g. /etc/ssh/user_ca.pub, root-owned,
#     mode 0644), set "TrustedUserCAKeys /etc/ssh/user_ca.pub" in
#     /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - NIST SP 800-53 IA-5(2), IA-2
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_011 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need(["trustedusercakeys"])
} else := lib.fail(sprintf("TrustedUserCAKeys is none (%s): no user certificate authority is trusted", [origin]), ev({"trustedusercakeys": "none"})) if {
	eff.trustedusercakeys == "none"
} else := lib.error(sprintf("TrustedUserCAKeys is %s but the facts lack trusted_user_ca_keys (the file's state)", [eff.trustedusercakeys])) if {
	not sshd.trusted_user_ca_keys
} else := lib.error(sprintf("TrustedUserCAKeys file %s could not be checked: %s", [eff.trustedusercakeys, sshd.trusted_user_ca_keys.error])) if {
	sshd.trusted_user_ca_keys.error
} else := lib.fail(sprintf("TrustedUserCAKeys is %s (%s) but that file does not exist: sshd accepts no certificate", [eff.trustedusercakeys, origin]), ev({"trustedusercakeys": eff.trustedusercakeys, "file": sshd.trusted_user_ca_keys})) if {
	sshd.trusted_user_ca_keys.exists == false
} else := lib.fail(sprintf("TrustedUserCAKeys %s is a %s, not a regular file", [eff.trustedusercakeys, sshd.trusted_user_ca_keys.type]), ev({"trustedusercakeys": eff.trustedusercakeys, "file": sshd.trusted_user_ca_keys})) if {
	sshd.trusted_user_ca_keys.exists == true
	sshd.trusted_user_ca_keys.type
	sshd.trusted_user_ca_keys.type != "regular file"
} else := lib.pass(sprintf("TrustedUserCAKeys is %s (%s) and the file exists", [eff.trustedusercakeys, origin]), ev({"trustedusercakeys": eff.trustedusercakeys, "file": sshd.trusted_user_ca_keys})) if {
	sshd.trusted_user_ca_keys.exists == true
} else := lib.error(sprintf("the facts do not say whether TrustedUserCAKeys file %s exists", [eff.trustedusercakeys]))

# METADATA
# title: SSH logs key fingerprints
# description: >-
#   LogLevel VERBOSE records the fingerprint of the key or certificate
#   used for each login, so a session can be traced to a credential.
# custom:
#   id: ZT-SSH-012
#   severity: medium
#   remediation: Set "LogLevel VERBOSE" in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.14 (sshd LogLevel)
#     - NIST SP 800-53 AU-3, AU-12
#     - NIST SP 800-207 tenet 7 (collect information)
zt_ssh_012 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need(["loglevel"])
} else := lib.pass(sprintf("LogLevel is %s (%s): key fingerprints are logged", [eff.loglevel, origin]), ev({"loglevel": eff.loglevel})) if {
	upper(eff.loglevel) in {"VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3"}
} else := lib.fail(sprintf("LogLevel is %s (%s); must be VERBOSE (or DEBUG*) to log key fingerprints", [eff.loglevel, origin]), ev({"loglevel": eff.loglevel}))

# METADATA
# title: SSH checks file modes before accepting keys
# description: >-
#   StrictModes makes sshd refuse a login when the user's home or
#   ~/.ssh files are writable by others, who could plant a key.
# custom:
#   id: ZT-SSH-013
#   severity: medium
#   remediation: Set "StrictModes yes" in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - NIST SP 800-53 AC-6, CM-6
zt_ssh_013 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := expect("strictmodes", "StrictModes", "yes")

# METADATA
# title: SSH X11 forwarding is disabled
# description: >-
#   X11 forwarding exposes the client's display to the server and is not
#   needed on servers.
# custom:
#   id: ZT-SSH-014
#   severity: low
#   remediation: Set "X11Forwarding no" in /etc/ssh/sshd_config and reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.8 (sshd DisableForwarding)
#     - NIST SP 800-53 CM-7
zt_ssh_014 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := expect("x11forwarding", "X11Forwarding", "no")

# METADATA
# title: SSH uses strong ciphers, MACs and key exchange only
# description: >-
#   CBC ciphers, SHA-1 and MD5 MACs and SHA-1 or 1024/2048-bit-group
#   key exchanges are broken or deprecated.
# custom:
#   id: ZT-SSH-015
#   severity: medium
#   remediation: >-
#     In /etc/ssh/sshd_config set, e.g., "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr",
#     "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com" and
#     "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256",
#     then reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.6 (sshd Ciphers), 5.1.12 (sshd KexAlgorithms), 5.1.15 (sshd MACs)
#     - NIST SP 800-53 SC-8, SC-13
#     - NIST SP 800-207 tenet 2 (all communication secured)
zt_ssh_015 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need(["ciphers", "macs", "kexalgorithms"])
} else := lib.pass(sprintf("Ciphers, MACs and KexAlgorithms hold no weak algorithm (%s)", [origin]), crypto_evidence) if {
	count(weak_crypto) == 0
} else := lib.fail(sprintf("weak algorithms enabled (%s): %s", [origin, concat("; ", [sprintf("%s %s", [k, concat(",", weak_crypto[k])]) | some k in ["Ciphers", "MACs", "KexAlgorithms"]; weak_crypto[k]])]), crypto_evidence)

weak_patterns := {
	"Ciphers": {"key": "ciphers", "re": `-cbc(@|$)`},
	"MACs": {"key": "macs", "re": `^hmac-(sha1|md5)(-|$)`},
	"KexAlgorithms": {"key": "kexalgorithms", "re": `^diffie-hellman-(group1-sha1|group14-sha1|group-exchange-sha1)$`},
}

# weak_crypto maps a keyword to its weak algorithms (keywords with none
# are left out).
weak_crypto[name] := weak if {
	some name, p in weak_patterns
	weak := [a | some a in comma_list(eff[p.key]); regex.match(p.re, a)]
	count(weak) > 0
}

crypto_evidence := ev({
	"ciphers": comma_list(eff.ciphers),
	"macs": comma_list(eff.macs),
	"kexalgorithms": comma_list(eff.kexalgorithms),
	"weak": weak_crypto,
})

# METADATA
# title: No SSH Match block re-enables forbidden logins
# description: >-
#   A Match block (for a user, group or address) can switch password,
#   root or empty-password logins back on for part of the traffic, which
#   the global settings checked by ZT-SSH-001, 002 and 004 do not show.
# custom:
#   id: ZT-SSH-016
#   severity: high
#   remediation: Remove "PasswordAuthentication yes", "PermitRootLogin" (other than no) and "PermitEmptyPasswords yes" from every Match block in /etc/ssh/sshd_config and its Include files (see the file and line in the evidence), then reload sshd (systemctl reload ssh).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.19, 5.1.20 (PermitEmptyPasswords, PermitRootLogin)
#     - NIST SP 800-53 CM-6, IA-2
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_016 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need(["permitrootlogin"])
} else := lib.error("the facts lack sshd match_blocks (the Match blocks of the configuration)") if {
	not is_array(object.get(sshd, "match_blocks", null))
} else := lib.pass(sprintf("none of the %d Match blocks re-enables password, root or empty-password logins", [count(sshd.match_blocks)]), ev({"match_blocks": count(sshd.match_blocks)})) if {
	count(reenabled) == 0
} else := lib.fail(concat("; ", sort([r.message | some r in reenabled])), ev({"reenabled": sort([object.remove(r, ["message"]) | some r in reenabled])}))

match_names := {"passwordauthentication": "PasswordAuthentication", "permitrootlogin": "PermitRootLogin", "permitemptypasswords": "PermitEmptyPasswords"}

reenabled contains {
	"criteria": b.criteria, "file": object.get(b, "file", "?"), "line": object.get(b, "line", 0),
	"keyword": k, "value": val,
	"message": sprintf("Match %s (%s:%v) sets %s %s", [b.criteria, object.get(b, "file", "?"), object.get(b, "line", "?"), match_names[k], val]),
} if {
	some b in sshd.match_blocks
	some k, val in object.get(b, "settings", {})
	match_names[k]
	reenables(k, val)
}

reenables(_, "yes")

# Root login by key is still a re-enable when the global setting is no.
reenables("permitrootlogin", val) if {
	val != "no"
	eff.permitrootlogin == "no"
}

# METADATA
# title: SSH host keys and configuration are protected
# description: >-
#   A readable host private key lets anyone impersonate the server; a
#   writable sshd_config lets anyone grant themselves access.
# custom:
#   id: ZT-SSH-017
#   severity: high
#   remediation: >-
#     chown root:root /etc/ssh/ssh_host_*_key && chmod 0600 /etc/ssh/ssh_host_*_key;
#     chown root:root /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf && chmod go-w /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf
#     (0600 recommended).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.1 (permissions on /etc/ssh/sshd_config), 5.1.2 (permissions on SSH private host key files)
#     - NIST SP 800-53 AC-3, SC-12, CM-6
zt_ssh_017 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := lib.error(sprintf("the facts lack sshd %s", [concat(" and ", lacking_file_facts)])) if {
	count(lacking_file_facts) > 0
} else := lib.error(sprintf("could not check %s", [concat("; ", sort(unreadable_files))])) if {
	count(unreadable_files) > 0
} else := lib.pass(sprintf("%d host private keys are root-owned with mode 0600 or stricter and %d configuration files are root-owned and not group/other-writable%s", [count(present_keys), count(present_configs), missing_keys_note]), file_evidence) if {
	count(file_problems) == 0
} else := lib.fail(concat("; ", sort(file_problems)), file_evidence)

lacking_file_facts := [k | some k in ["host_keys", "config_files"]; not is_array(object.get(sshd, k, null))]

present_keys := [f | some f in sshd.host_keys; f.exists == true]

present_configs := [f | some f in sshd.config_files; f.exists == true]

default missing_keys_note := ""

missing_keys_note := sprintf(" (%d configured host keys do not exist yet)", [n]) if {
	n := count([f | some f in sshd.host_keys; f.exists == false])
	n > 0
}

unreadable_files contains sprintf("%s: %s", [f.path, f.error]) if {
	some f in array.concat(sshd.host_keys, sshd.config_files)
	f.error
}

unreadable_files contains sprintf("%s: no mode, owner or existence in the facts", [object.get(f, "path", "?")]) if {
	some f in array.concat(sshd.host_keys, sshd.config_files)
	not f.error
	not file_known(f)
}

file_known(f) if f.exists == false

file_known(f) if {
	f.exists == true
	lib.octal(f.mode)
	is_number(f.uid)
}

file_problems contains sprintf("host key %s is owned by %s (uid %v), not root", [f.path, object.get(f, "owner", "?"), f.uid]) if {
	some f in present_keys
	f.uid != 0
}

# 3711 = 07177: group/other bits, owner execute, setuid/setgid/sticky.
file_problems contains sprintf("host key %s has mode %s; must be 0600 or stricter", [f.path, f.mode]) if {
	some f in present_keys
	bits.and(lib.octal(f.mode), 3711) != 0
}

file_problems contains sprintf("%s is owned by %s (uid %v), not root", [f.path, object.get(f, "owner", "?"), f.uid]) if {
	some f in present_configs
	f.uid != 0
}

# 18 = 0022: group- or other-writable.
file_problems contains sprintf("%s has mode %s: writable by group or others", [f.path, f.mode]) if {
	some f in present_configs
	bits.and(lib.octal(f.mode), 18) != 0
}

file_evidence := ev({
	"host_keys": [{"path": f.path, "mode": f.mode, "owner": object.get(f, "owner", ""), "uid": f.uid} | some f in present_keys],
	"config_files": [{"path": f.path, "mode": f.mode, "owner": object.get(f, "owner", ""), "uid": f.uid} | some f in present_configs],
})

# METADATA
# title: SSH requires two factors
# description: >-
#   A stolen key alone must not open a session: AuthenticationMethods
#   requires two methods and sshd's PAM stack asks for a one-time code or
#   a hardware token.
# custom:
#   id: ZT-SSH-018
#   severity: medium
#   remediation: >-
#     Install an OTP PAM module (e.g. apt install libpam-google-authenticator),
#     add "auth required pam_google_authenticator.so" to /etc/pam.d/sshd, and set
#     "UsePAM yes", "KbdInteractiveAuthentication yes" and
#     "AuthenticationMethods publickey,keyboard-interactive" in /etc/ssh/sshd_config;
#     reload sshd (systemctl reload ssh). The accepted modules are ssh.otp_pam_modules.
#   references:
#     - NIST SP 800-53 IA-2(1), IA-2(2)
#     - NIST SP 800-63B AAL2
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_018 := v if {
	v := lib.missing("sshd")
} else := v if {
	v := absent
} else := v if {
	v := need(["authenticationmethods", "usepam"])
} else := v if {
	v := lib.config_missing(["ssh.otp_pam_modules"])
} else := lib.error("the facts lack sshd pam (the PAM stack of sshd)") if {
	not sshd.pam
} else := v if {
	v := lib.error(lib.part_missing(sshd.pam, "the PAM stack of sshd").message)
} else := lib.fail(sprintf("AuthenticationMethods is %q (%s): one factor is enough to log in", [am_text, origin]), mfa_evidence) if {
	not two_factor
} else := lib.fail(sprintf("UsePAM is %s (%s): the PAM OTP modules are never asked", [eff.usepam, origin]), mfa_evidence) if {
	eff.usepam != "yes"
} else := lib.fail(sprintf("AuthenticationMethods is %q but %s loads no OTP module (%s)", [am_text, object.get(sshd.pam, "file", "/etc/pam.d/sshd"), concat(", ", data.config.ssh.otp_pam_modules)]), mfa_evidence) if {
	count(otp_modules) == 0
} else := lib.fail(sprintf("AuthenticationMethods is %q but the OTP module is optional: %s (nullok lets users without an enrolled token log in with one factor)", [am_text, concat(", ", nullok_modules)]), mfa_evidence) if {
	count(nullok_modules) > 0
} else := lib.pass(sprintf("AuthenticationMethods is %q (%s) and PAM asks %s", [am_text, origin, concat(", ", sort([sprintf("%s (%s:%v)", [lib.basename(m.module), m.file, m.line]) | some m in otp_modules]))]), mfa_evidence)

otp_modules contains m if {
	some m in object.get(sshd.pam, "modules", [])
	trim_prefix(m.type, "-") == "auth"
	lib.basename(m.module) in data.config.ssh.otp_pam_modules
}

# nullok_modules are OTP modules that let a user without an enrolled token
# through: MFA that is optional is not MFA.
nullok_modules := sort([sprintf("%s (%s:%v)", [lib.basename(m.module), object.get(m, "file", ""), object.get(m, "line", 0)]) |
	some m in otp_modules
	"nullok" in object.get(m, "args", [])
])

mfa_evidence := ev({
	"authenticationmethods": eff.authenticationmethods,
	"usepam": eff.usepam,
	"otp_modules": [{"module": m.module, "control": m.control, "file": object.get(m, "file", ""), "line": object.get(m, "line", 0)} | some m in otp_modules],
})
