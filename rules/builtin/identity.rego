# Identity controls (ZT-ID-*), judged on the accounts collector's facts:
# the local account databases, the state of each password (never the
# hash), and the identity sources (nsswitch, sssd, PAM).
package ztscan.id

import data.ztscan.lib

accounts := object.get(input, ["facts", "accounts"], {})

account_list := object.get(accounts, "accounts", [])

# need_passwd is an error verdict when /etc/passwd could not be parsed.
need_passwd := lib.error("facts.accounts.passwd is missing: the account database was not collected") if {
	not accounts.passwd
} else := v if {
	accounts.passwd.status != "ok"
	v := lib.part_missing(accounts.passwd, "/etc/passwd")
}

# METADATA
# title: root is the only account with UID 0
# description: >-
#   Any other UID 0 account is a second, unaudited root: it bypasses
#   sudo, and its actions are logged as root's.
# custom:
#   id: ZT-ID-001
#   severity: critical
#   remediation: >-
#     Give each extra UID 0 account its own UID or remove it ("usermod -u
#     NEWUID NAME" or "userdel NAME"; check with "awk -F: '$3 == 0' /etc/passwd"),
#     and grant administrators root through sudo instead.
#   references:
#     - CIS Debian Linux 12 Benchmark 7.2.x (root is the only UID 0 account)
#     - NIST SP 800-53 AC-6(2), IA-2
#     - NIST SP 800-207 tenet 6 (strict authentication and authorization)
zt_id_001 := v if {
	v := lib.missing("accounts")
} else := v if {
	v := need_passwd
} else := lib.pass("root is the only account with UID 0", {"uid0": accounts.uid0}) if {
	accounts.uid0 == ["root"]
} else := lib.fail("no account has UID 0 (not even root)", {"uid0": []}) if {
	count(object.get(accounts, "uid0", [])) == 0
} else := lib.fail(sprintf("accounts other than root have UID 0: %s", [concat(", ", others)]), {"uid0": accounts.uid0, "others": others}) if {
	others := [n | some n in accounts.uid0; n != "root"]
}

# empty_password are the accounts that log in without a password.
empty_password contains sprintf("%s (/etc/%s)", [a.name, a.password.source]) if {
	some a in account_list
	a.password.state == "empty"
}

# METADATA
# title: no account has an empty password
# description: >-
#   An empty password field lets anyone log in as that account wherever
#   password logins are accepted (console, su, PAM services with nullok).
# custom:
#   id: ZT-ID-002
#   severity: critical
#   remediation: >-
#     Lock the account ("passwd -l NAME") or give it a password ("passwd
#     NAME"); find them with "awk -F: '$2 == \"\"' /etc/shadow".
#   references:
#     - CIS Debian Linux 12 Benchmark 7.2.2 (shadow password fields are not empty)
#     - NIST SP 800-53 IA-5, IA-2
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_id_002 := v if {
	v := lib.missing("accounts")
} else := v if {
	v := need_passwd
} else := lib.fail(sprintf("accounts with an empty password: %s", [concat(", ", sort(empty_password))]), {"accounts": sort(empty_password)}) if {
	count(empty_password) > 0
} else := v if {
	v := lib.part_missing(object.get(accounts, "shadow", {}), "/etc/shadow")
} else := lib.pass(sprintf("none of the %d accounts has an empty password field", [count(account_list)]), {"accounts": count(account_list)})

# shadow_files are the facts of /etc/shadow and /etc/gshadow.
shadow_files := [f |
	some f in object.get(accounts, "files", [])
	f.path in {"/etc/shadow", "/etc/gshadow"}
]

shadow_problem(f) := sprintf("%s: %s", [f.path, f.error]) if f.error

shadow_problem(f) := sprintf("%s is a %s, not a regular file", [f.path, f.type]) if {
	f.exists
	not f.error
	f.type != "regular file"
}

shadow_problem(f) := sprintf("%s has mode %s (must be 0640 or stricter)", [f.path, f.mode]) if {
	f.exists
	not f.error
	f.type == "regular file"
	bits.and(lib.octal(f.mode), 3679) != 0 # 07137: any bit outside 0640
}

shadow_problem(f) := sprintf("%s is owned by %s (UID %d), not root", [f.path, object.get(f, "owner", "?"), f.uid]) if {
	f.exists
	not f.error
	f.uid != 0
}

shadow_problems := sort([p | some f in shadow_files; p := shadow_problem(f)])

# METADATA
# title: /etc/shadow and /etc/gshadow are mode 0640 or stricter and owned by root
# description: >-
#   The shadow files hold every password hash; readable by others, they
#   can be cracked offline.
# custom:
#   id: ZT-ID-003
#   severity: high
#   remediation: >-
#     chown root:shadow /etc/shadow /etc/gshadow && chmod 0640 /etc/shadow
#     /etc/gshadow (RHEL: chown root:root and chmod 0000).
#   references:
#     - CIS Debian Linux 12 Benchmark 7.1.5 (permissions on /etc/shadow) and 7.1.7 (permissions on /etc/gshadow)
#     - NIST SP 800-53 AC-3, IA-5(1)
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_id_003 := v if {
	v := lib.missing("accounts")
} else := lib.error("facts.accounts.files lacks /etc/shadow") if {
	not "/etc/shadow" in {f.path | some f in shadow_files}
} else := lib.error("/etc/shadow does not exist: the account passwords cannot be judged") if {
	some f in shadow_files
	f.path == "/etc/shadow"
	not f.exists
	not f.error
} else := lib.fail(concat("; ", shadow_problems), {"files": shadow_files}) if {
	count(shadow_problems) > 0
} else := lib.pass(sprintf("%s root-owned with mode 0640 or stricter", [concat(" and ", [sprintf("%s is %s", [f.path, f.mode]) | some f in shadow_files; f.exists])]), {"files": shadow_files})

identity := object.get(accounts, "identity", {})

sssd := object.get(identity, "sssd", {})

nss := object.get(identity, "nsswitch", {})

pam := object.get(identity, "pam", {})

sssd_domains := object.get(sssd, "domains", [])

# central_sources are the working central identity sources found.
central_sources contains sprintf("sssd is enabled (%s) with domains %s", [sssd.enabled_evidence, concat(", ", sssd_domains)]) if {
	sssd.enabled == true
	count(sssd_domains) > 0
	sssd.config_mode_ok == true
}

central_sources contains sprintf("nsswitch.conf %s: %s", [db, concat(" ", srcs)]) if {
	some db, srcs in object.get(nss, "databases", {})
	some s in srcs
	s in {"ldap", "winbind"}
}

central_sources contains sprintf("PAM %s (%s:%d)", [m.module, m.file, m.line]) if {
	some m in object.get(pam, "modules", [])
	trim_suffix(lib.basename(m.module), ".so") in {"pam_ldap", "pam_krb5", "pam_winbind"}
}

# sssd_gaps say why sssd, when configured, does not count.
sssd_gaps contains sprintf("sssd refuses to start: %s is mode %s owned by %s (must be 0600 and owned by root)", [sssd.config.path, sssd.config.mode, object.get(sssd.config, "owner", "?")]) if {
	sssd.config.exists
	sssd.config_mode_ok == false
}

sssd_gaps contains sprintf("sssd is not enabled (%s)", [sssd.enabled_evidence]) if {
	sssd.config.exists
	sssd.enabled == false
}

sssd_gaps contains sprintf("%s activates no domain", [sssd.config.path]) if {
	sssd.config.exists
	count(sssd_domains) == 0
}

identity_parts_broken := [sprintf("%s: %s", [what, p.reason]) |
	some what, p in {"nsswitch.conf": nss, "PAM": pam, "sssd.conf": object.get(sssd, "config_status", {})}
	p.status == "error"
]

# METADATA
# title: a central identity source is configured
# description: >-
#   Zero Trust identities live in one directory (sssd with a domain, LDAP,
#   Kerberos, winbind), so that access is granted, reviewed and revoked in
#   one place; a host may be declared not to need one
#   (identity.central_identity_required false).
# custom:
#   id: ZT-ID-004
#   severity: medium
#   remediation: >-
#     Join the host to the directory (e.g. "realm join corp.example.com",
#     or install sssd, configure /etc/sssd/sssd.conf with a domain, "chmod
#     0600 /etc/sssd/sssd.conf", "systemctl enable --now sssd", and add sss to
#     the passwd/group lines of /etc/nsswitch.conf and pam_sss to the PAM
#     stack), or set identity.central_identity_required to false in the
#     ztscan configuration.
#   references:
#     - NIST SP 800-53 AC-2(1), IA-2, IA-4
#     - NIST SP 800-207 tenet 6 (strict authentication and authorization) and tenet 7 (identity state collected)
zt_id_004 := v if {
	v := lib.missing("accounts")
} else := v if {
	v := lib.config_missing(["identity.central_identity_required"])
} else := lib.pass("a central identity source is declared not required (identity.central_identity_required: false)", {"central_identity_required": false}) if {
	data.config.identity.central_identity_required == false
} else := lib.error("facts.accounts.identity is missing: the identity sources were not collected") if {
	count(identity) == 0
} else := lib.pass(concat("; ", sort(central_sources)), {"sources": sort(central_sources)}) if {
	count(central_sources) > 0
} else := lib.error(sprintf("no central identity source found, and some sources could not be read: %s", [concat("; ", identity_parts_broken)])) if {
	count(identity_parts_broken) > 0
} else := lib.fail(sprintf("no central identity source is configured: %s", [concat("; ", sort(sssd_gaps))]), {"sssd": sssd}) if {
	count(sssd_gaps) > 0
} else := lib.fail("no central identity source is configured: no sssd domain, and no ldap, winbind, pam_ldap, pam_krb5 or pam_winbind in nsswitch.conf or the PAM stack", {"nsswitch": object.get(nss, "databases", {}), "pam_files": object.get(pam, "files", [])})

break_glass_name := object.get(data.config, ["identity", "break_glass_account"], null)

break_glass := [a | some a in account_list; a.name == break_glass_name]

# METADATA
# title: a break-glass local account exists and is documented
# description: >-
#   When the directory is down, administrators need one documented local
#   account, with a password kept offline (sealed), and no SSH key: it is
#   for the console, not for daily remote use.
# custom:
#   id: ZT-ID-005
#   severity: info
#   remediation: >-
#     Create the account ("useradd -m -s /bin/bash breakglass && passwd
#     breakglass"), keep its password sealed, remove its authorized_keys,
#     and declare its name in the ztscan configuration
#     (identity.break_glass_account).
#   references:
#     - NIST SP 800-53 AC-2(2), CP-2
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_id_005 := v if {
	v := lib.missing("accounts")
} else := v if {
	v := lib.config_missing(["identity.break_glass_account"])
} else := lib.fail("no break-glass account is declared (identity.break_glass_account is empty)", {"break_glass_account": ""}) if {
	break_glass_name == ""
} else := v if {
	v := need_passwd
} else := lib.fail(sprintf("the declared break-glass account %q does not exist in /etc/passwd", [break_glass_name]), {"break_glass_account": break_glass_name}) if {
	count(break_glass) == 0
} else := lib.error(sprintf("the password state of break-glass account %q is unknown: %s", [break_glass_name, object.get(accounts, ["shadow", "reason"], "shadow not read")])) if {
	break_glass[0].password.state == "unknown"
} else := lib.fail(sprintf("break-glass account %q has no usable password (%s)", [break_glass_name, break_glass[0].password.state]), {"break_glass_account": break_glass_name, "password_state": break_glass[0].password.state}) if {
	break_glass[0].password.state != "set"
} else := lib.error(sprintf("the SSH keys of break-glass account %q could not be read: %s", [break_glass_name, break_glass[0].ssh_keys.reason])) if {
	break_glass[0].ssh_keys.status != "ok"
} else := lib.fail(sprintf("break-glass account %q can log in with %d SSH key(s) from %s", [break_glass_name, break_glass[0].ssh_keys.keys, concat(", ", [f.path | some f in break_glass[0].ssh_keys.files; f.keys > 0])]), {"break_glass_account": break_glass_name, "ssh_keys": break_glass[0].ssh_keys}) if {
	break_glass[0].ssh_keys.keys > 0
} else := lib.pass(sprintf("break-glass account %q exists, has a password set (%s) and no SSH key", [break_glass_name, object.get(break_glass[0].password, "algorithm", "?")]), {"break_glass_account": break_glass_name, "password_algorithm": object.get(break_glass[0].password, "algorithm", "")})
