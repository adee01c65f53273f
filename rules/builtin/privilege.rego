# Least-privilege controls on sudo (ZT-PRIV-001..003), judged on the
# sudoers collector's normalised grants. ZT-PRIV-004/005 live in
# privilege_services.rego of the same package: helpers here are prefixed
# sudo_ so the two files never clash.
package ztscan.priv

import data.ztscan.lib

sudo_facts := object.get(input, ["facts", "sudoers"], {})

sudo_policy := object.get(sudo_facts, "policy", {})

sudo_grants := object.get(sudo_policy, "grants", [])

# sudo_absent is the skip verdict when sudo is not there at all.
sudo_absent := lib.skip(sprintf("sudo is not installed (%s)", [object.get(sudo_facts, "installed_evidence", "no evidence recorded")])) if {
	sudo_facts.installed == false
	sudo_policy.status == "unavailable"
}

# sudo_need_policy is an error (or skip) verdict when the policy was not
# parsed: sudo would refuse the file, or it could not be read.
sudo_need_policy := lib.error(sprintf("the sudoers policy could not be parsed: %s", [sudo_policy.reason])) if {
	sudo_policy.status == "error"
} else := v if {
	sudo_policy.status != "ok"
	v := lib.part_missing(sudo_policy, "the sudoers policy")
} else := lib.error("facts.sudoers.policy has no status") if {
	not sudo_policy.status
}

sudo_where(g) := sprintf("%s:%d", [g.file, g.line])

sudo_root_principals := {"root", "#0"}

sudo_nopasswd_all contains sprintf("%s (%s)", [g.principal, sudo_where(g)]) if {
	some g in sudo_grants
	g.path == "ALL"
	not g.negated
	g.nopasswd == true
	not g.principal in sudo_root_principals
}

sudo_nopasswd_all_evidence := [{"principal": g.principal, "runas": g.runas, "command": g.command, "nopasswd_by": object.get(g, "nopasswd_by", ""), "file": g.file, "line": g.line} |
	some g in sudo_grants
	g.path == "ALL"
	not g.negated
	g.nopasswd == true
	not g.principal in sudo_root_principals
]

# METADATA
# title: no sudoers rule grants ALL commands without a password to anyone but root
# description: >-
#   NOPASSWD ALL turns any compromise of the account (a stolen SSH key, a
#   web shell) into root without a second secret; a %group grant does so
#   for every member. Defaults !authenticate has the same effect as the tag.
# custom:
#   id: ZT-PRIV-001
#   severity: high
#   remediation: >-
#     Remove NOPASSWD from the ALL grants (edit with visudo, e.g.
#     "%sudo ALL=(ALL:ALL) ALL"), remove "Defaults !authenticate", and give
#     automation NOPASSWD only on the exact commands it needs.
#   references:
#     - CIS Debian Linux 12 Benchmark 5.2.4 (users must provide password for privilege escalation)
#     - NIST SP 800-53 AC-6, IA-11
#     - NIST SP 800-207 tenet 6 (strict authentication before access)
zt_priv_001 := v if {
	v := lib.missing("sudoers")
} else := v if {
	v := sudo_absent
} else := v if {
	v := sudo_need_policy
} else := lib.fail(sprintf("ALL commands without a password are granted to %s", [concat(", ", sort(sudo_nopasswd_all))]), {"grants": sudo_nopasswd_all_evidence}) if {
	count(sudo_nopasswd_all) > 0
} else := lib.pass(sprintf("none of the %d sudoers grants gives ALL commands without a password to anyone but root", [count(sudo_grants)]), {"grants": count(sudo_grants)})

sudo_cfg_list(key) := l if {
	l := data.config.sudo[key]
	is_array(l)
}

# sudo_name_in(name, list): name is in list, an entry ending in '*'
# matching a prefix ("python*" matches python3.11).
sudo_name_in(name, list) if {
	some e in list
	not endswith(e, "*")
	name == e
}

sudo_name_in(name, list) if {
	some e in list
	endswith(e, "*")
	startswith(name, trim_suffix(e, "*"))
}

# sudo_wildcard(g) says how g's arguments are open-ended, if they are.
sudo_wildcard(g) := "any arguments (none are listed)" if {
	not g.has_args
} else := sprintf("the wildcard argument %q", [g.args]) if {
	regex.match(`(^|[^\\])[*?\[]`, g.args)
} else := sprintf("the regular expression argument %q", [g.args]) if {
	regex.match(`(^| )\^.*\$( |$)`, g.args)
}

sudo_base(g) := lib.basename(g.path)

sudo_escape_reason(g) := sprintf("%s is an editor or pager: it escapes to a shell whatever its arguments", [sudo_base(g)]) if {
	sudo_name_in(sudo_base(g), sudo_cfg_list("editors_pagers"))
} else := sprintf("%s can spawn a shell or write files, with %s", [sudo_base(g), sudo_wildcard(g)]) if {
	sudo_name_in(sudo_base(g), sudo_cfg_list("shell_escape_commands"))
	sudo_wildcard(g)
} else := sprintf("%s is a directory or pattern: it allows every command it matches", [g.path]) if {
	g.path != "ALL"
	regex.match(`(/$|[*?\[])`, g.path)
}

sudo_escapes := [{"principal": g.principal, "command": g.command, "file": g.file, "line": g.line, "why": why} |
	some g in sudo_grants
	g.nopasswd == true
	not g.negated
	not g.path in {"ALL", "sudoedit", "list"}
	why := sudo_escape_reason(g)
]

sudo_escape_texts := sort({sprintf("%s: %s (%s:%d): %s", [e.principal, e.command, e.file, e.line, e.why]) | some e in sudo_escapes})

# METADATA
# title: no NOPASSWD sudoers rule opens a shell through a command's arguments
# description: >-
#   systemctl, journalctl, less, vi, find, awk, python and many more spawn
#   a shell or write any file when given the right arguments; a NOPASSWD
#   grant with a wildcard argument (or no argument list at all) on one of
#   them is NOPASSWD ALL in disguise. Editors and pagers escape whatever
#   their arguments.
# custom:
#   id: ZT-PRIV-002
#   severity: medium
#   remediation: >-
#     Grant exact command lines without wildcards ("/usr/bin/systemctl restart
#     nginx.service"), use sudoedit instead of an editor, run pagers and
#     journalctl without sudo (add the user to systemd-journal or adm), or
#     require the password (remove NOPASSWD). The command lists are
#     sudo.shell_escape_commands and sudo.editors_pagers in the ztscan
#     configuration.
#   references:
#     - CIS Debian Linux 12 Benchmark 5.2.x (sudo privilege escalation is restricted)
#     - NIST SP 800-53 AC-6(1), CM-7
#     - NIST SP 800-207 tenet 3 (least privilege per session)
zt_priv_002 := v if {
	v := lib.missing("sudoers")
} else := v if {
	v := sudo_absent
} else := v if {
	v := lib.config_missing(["sudo.shell_escape_commands", "sudo.editors_pagers"])
} else := v if {
	v := sudo_need_policy
} else := lib.fail(sprintf("NOPASSWD grants that can spawn a shell or edit files: %s", [concat("; ", sudo_escape_texts)]), {"grants": sudo_escapes}) if {
	count(sudo_escapes) > 0
} else := lib.pass(sprintf("none of the %d NOPASSWD grants allows a shell escape through wildcard arguments, an editor or a pager", [count([g | some g in sudo_grants; g.nopasswd == true])]), {"nopasswd_grants": count([g | some g in sudo_grants; g.nopasswd == true])})

sudo_files := [f | some f in object.get(sudo_facts, "files", []); f.exists]

sudo_file_problem(f) := sprintf("%s: %s", [f.path, f.error]) if f.error

sudo_file_problem(f) := sprintf("%s is a %s, not a regular file", [f.path, f.type]) if {
	not f.error
	f.type != "regular file"
}

sudo_file_problem(f) := sprintf("%s has mode %s (must be 0440 or stricter)", [f.path, f.mode]) if {
	not f.error
	f.type == "regular file"
	bits.and(lib.octal(f.mode), 3807) != 0 # 07337: any bit outside 0440
}

sudo_file_problem(f) := sprintf("%s is owned by %s (UID %d), not root", [f.path, object.get(f, "owner", "?"), f.uid]) if {
	not f.error
	f.uid != 0
}

sudo_file_problems := sort([p | some f in sudo_files; p := sudo_file_problem(f)])

# METADATA
# title: sudoers files are mode 0440 or stricter and owned by root
# description: >-
#   Whoever can write a sudoers file is root. sudo itself ignores a
#   world-writable or non-root sudoers file, so a wrong mode also silently
#   changes the policy.
# custom:
#   id: ZT-PRIV-003
#   severity: high
#   remediation: >-
#     chown root:root /etc/sudoers /etc/sudoers.d/* && chmod 0440
#     /etc/sudoers /etc/sudoers.d/*; remove anything in /etc/sudoers.d that
#     is not a regular file.
#   references:
#     - CIS Debian Linux 12 Benchmark 5.2.x (sudo configuration files are protected)
#     - NIST SP 800-53 AC-3, AC-6, CM-5
#     - NIST SP 800-207 tenet 5 (integrity of owned assets)
zt_priv_003 := v if {
	v := lib.missing("sudoers")
} else := v if {
	v := sudo_absent
} else := lib.error("facts.sudoers.files lists no existing sudoers file") if {
	count(sudo_files) == 0
} else := lib.fail(concat("; ", sudo_file_problems), {"files": sudo_files}) if {
	count(sudo_file_problems) > 0
} else := lib.pass(sprintf("%d sudoers files are root-owned with mode 0440 or stricter: %s", [count(sudo_files), concat(", ", sort([f.path | some f in sudo_files]))]), {"files": sudo_files})
