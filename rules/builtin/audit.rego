# Audit and monitoring (AUD): auditd running with the kernel subsystem on,
# watches on the files an intruder changes first, the loaded rules equal
# to the persisted ones, file integrity monitoring and log shipping.
package ztscan.aud

import data.ztscan.lib

aud := object.get(input, ["facts", "audit"], {})

logf := object.get(input, ["facts", "logging"], {})

default cfg := {}

cfg := object.get(data.config, "audit", {})

kernel := object.get(aud, "kernel", {})

persisted := object.get(aud, "persisted", {})

service := object.get(aud, "service", {})

cmdline := object.get(aud, "boot_cmdline", {})

offline if object.get(kernel, "status", "") == "unavailable"

# A unit runs when the live systemd says so; offline it is unknown.
running(u) if {
	u.active.status == "ok"
	u.active.running == true
}

live_stopped(u) if {
	u.active.status == "ok"
	u.active.running == false
}

unit_error(u) := u.error if object.get(u, "error", "") != ""
else := u.active.reason if object.get(u, ["active", "status"], "") == "error"

# --- ZT-AUD-001 -----------------------------------------------------------

aud001_problems contains sprintf("auditd is not installed (%s)", [object.get(aud, "installed_evidence", "")]) if {
	object.get(aud, "installed", false) == false
}

aud001_problems contains sprintf("auditd.service is %s", [unit_word(service)]) if {
	object.get(aud, "installed", false) == true
	object.get(service, "enabled", false) == false
}

aud001_problems contains sprintf("auditd.service is not running (%s)", [object.get(service, ["active", "active_state"], "?")]) if {
	object.get(aud, "installed", false) == true
	live_stopped(service)
}

aud001_problems contains "the kernel has no audit support" if {
	kernel.status == "ok"
	kernel.supported == false
}

aud001_problems contains "the kernel audit subsystem is disabled (enabled 0)" if {
	kernel.status == "ok"
	kernel.supported == true
	kernel.enabled == 0
}

aud001_problems contains sprintf("audit=%s on the kernel command line (%s) turns auditing off at boot", [cmdline.audit, cmdline.source]) if {
	cmdline.status == "ok"
	lower(cmdline.audit) in {"0", "off"}
}

aud001_problems contains sprintf("the persisted rules turn auditing off (-e 0 at %s:%d)", [e.file, e.line]) if {
	e := persisted.controls.enabled
	e.value == 0
}

unit_word(u) := "masked" if u.masked == true
else := "not found" if object.get(u, "found", false) == false
else := object.get(u, "state", "not enabled")

kernel_word := "kernel state not available on an offline root" if offline
else := "the kernel audit subsystem is immutable (enabled 2)" if kernel.enabled == 2
else := "the kernel audit subsystem is enabled"

aud001_ev := {
	"installed_evidence": object.get(aud, "installed_evidence", null),
	"service": {"state": object.get(service, "state", null), "enabled_links": object.get(service, "enabled_links", []), "running": object.get(service, ["active", "running"], null)},
	"kernel": {"status": object.get(kernel, "status", null), "enabled": object.get(kernel, "enabled", null), "failure_mode": object.get(kernel, "failure_mode", null), "lost": object.get(kernel, "lost", null), "daemon_pid": object.get(kernel, "daemon_pid", null)},
	"boot_cmdline": cmdline,
}

# METADATA
# title: auditd is installed, enabled and the kernel audit subsystem is on
# description: >-
#   The audit daemon is installed, its unit is enabled (and, on a live
#   host, running), the kernel's audit subsystem is enabled (1, or 2 when
#   locked), and neither the kernel command line (audit=0) nor the
#   persisted rules (-e 0) turn it off. On an offline root the kernel and
#   running state cannot be known; the message says so.
# custom:
#   id: ZT-AUD-001
#   severity: high
#   remediation: >-
#     apt install auditd audispd-plugins (dnf install audit on RHEL);
#     systemctl enable --now auditd; remove audit=0 from GRUB_CMDLINE_LINUX
#     in /etc/default/grub (add audit=1 audit_backlog_limit=8192) and run
#     update-grub; put "-e 2" last in /etc/audit/rules.d/99-finalize.rules
#     and run augenrules --load.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.2.1.1 (auditd packages are installed), 6.2.1.2 (auditd service is enabled and active), 6.2.1.3 (auditing for processes that start prior to auditd)
#     - NIST SP 800-53 AU-2, AU-12
#     - NIST SP 800-207 tenet 7 (collect information about the state of assets)
zt_aud_001 := v if {
	v := lib.missing("audit")
} else := lib.error(sprintf("auditd.service state could not be read: %s", [unit_error(service)])) if {
	unit_error(service)
} else := lib.error(sprintf("kernel audit status could not be read: %s", [kernel.reason])) if {
	kernel.status == "error"
} else := lib.error(sprintf("kernel command line could not be read: %s", [cmdline.reason])) if {
	cmdline.status == "error"
} else := lib.fail(concat("; ", sort(aud001_problems)), aud001_ev) if {
	count(aud001_problems) > 0
} else := lib.pass(sprintf("auditd is installed (%s) and auditd.service is %s; %s", [aud.installed_evidence, run_word, kernel_word]), aud001_ev)

run_word := "enabled and running" if running(service)
else := "enabled"

# --- watch coverage (ZT-AUD-002..006) ----------------------------------------

cov_persisted := object.get(aud, ["coverage", "persisted"], {})

cov_kernel := object.get(aud, ["coverage", "kernel"], {})

# The persisted rules always count (they are what the next boot loads);
# the loaded rules count too when the kernel could be read.
sides := {"persisted": cov_persisted, "loaded": cov_kernel} if cov_kernel.status == "ok"
else := {"persisted": cov_persisted}

side_errors contains sprintf("persisted rules: %s", [object.get(cov_persisted, "reason", "no status in facts")]) if {
	object.get(cov_persisted, "status", "") != "ok"
}

side_errors contains sprintf("kernel rules: %s", [object.get(cov_kernel, "reason", "no status in facts")]) if {
	not object.get(cov_kernel, "status", "") in {"ok", "unavailable"}
}

offline_note := " (offline root: loaded rules not available)" if offline
else := ""

scope := "persisted rules (offline root: loaded rules not available)" if offline
else := "persisted and loaded rules"

# coverage_gate is the verdict when coverage cannot be judged.
coverage_gate(_) := lib.error(sprintf("audit rules could not be read: %s", [concat("; ", sort(side_errors))])) if {
	count(side_errors) > 0
}

coverage_gate(paths) := lib.error(sprintf("no coverage facts for %s: the snapshot was collected with another audit configuration", [concat(", ", unknown)])) if {
	count(side_errors) == 0
	unknown := [p | some p in paths; not cov_persisted.paths[p]]
	count(unknown) > 0
}

coverage_gate(paths) := lib.error("configuration lists no paths for this control") if {
	count(side_errors) == 0
	count(paths) == 0
}

has_perms(got, want) if {
	is_string(got)
	every ch in split(want, "") {
		contains(got, ch)
	}
}

# lacking(paths, perms) names each path a side does not watch with perms.
lacking(paths, perms) := sort([msg |
	some side, c in sides
	some p in paths
	got := object.get(c, ["paths", p, "perms"], "")
	not has_perms(got, perms)
	msg := lack_word(side, p, got, perms)
])

lack_word(side, p, "", _) := sprintf("%s is not watched (%s rules)", [p, side])

lack_word(side, p, got, want) := sprintf("%s is watched with -p %s, needs %s (%s rules)", [p, got, want, side]) if got != ""

# watch_ev describes paths on every side: permissions and the rules.
watch_ev(paths) := {side: {p: {"perms": object.get(c, ["paths", p, "perms"], ""), "rules": [rule_ref(r) | some r in object.get(c, ["paths", p, "rules"], [])]} | some p in paths} |
	some side, c in sides
}

rule_ref(r) := sprintf("%s:%d: %s", [r.file, r.line, r.rule]) if object.get(r, "file", "") != ""
else := r.rule

watch_rule(paths, perms, what) := v if {
	v := coverage_gate(paths)
} else := lib.fail(sprintf("%s not watched for %s in the %s: %s", [what, perms, scope, concat("; ", lacking(paths, perms))]), watch_ev(paths)) if {
	count(lacking(paths, perms)) > 0
} else := lib.pass(sprintf("%s watched with -p %s in the %s: %s", [what, perms, scope, concat(", ", paths)]), watch_ev(paths))

identity_paths := object.get(cfg, ["identity", "paths"], [])

# METADATA
# title: Identity files are watched for changes
# description: >-
#   Audit rules watch /etc/passwd, /etc/shadow, /etc/group and /etc/gshadow
#   for writes and attribute changes (-w PATH -p wa, a watch of a parent
#   directory, or -a always,exit -F path=PATH -F perm=wa), in the persisted
#   rules and, on a live host, in the rules loaded in the kernel. Paths and
#   permissions come from audit.identity.
# custom:
#   id: ZT-AUD-002
#   severity: high
#   remediation: >-
#     Write /etc/audit/rules.d/50-identity.rules with "-w /etc/passwd -p wa
#     -k identity", and the same for /etc/shadow, /etc/group and
#     /etc/gshadow; run augenrules --load.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.2.3.8 (events that modify user/group information are collected)
#     - NIST SP 800-53 AU-2, AU-12, AC-2(4)
#     - NIST SP 800-207 tenet 7 (collect information about the state of assets)
zt_aud_002 := v if {
	v := lib.missing("audit")
} else := v if {
	v := lib.config_missing(["audit.identity.paths", "audit.identity.perms"])
} else := watch_rule(identity_paths, cfg.identity.perms, "identity files")

access_paths := object.get(cfg, ["access_control", "paths"], [])

# METADATA
# title: Access-control configuration is watched for changes
# description: >-
#   Audit rules watch sshd_config, sudoers, sudoers.d and pam.d for writes
#   and attribute changes (a directory watch covers the files below it), in
#   the persisted rules and, on a live host, in the loaded rules. Paths and
#   permissions come from audit.access_control.
# custom:
#   id: ZT-AUD-003
#   severity: high
#   remediation: >-
#     Write /etc/audit/rules.d/50-access.rules with "-w /etc/ssh/sshd_config
#     -p wa -k access", "-w /etc/sudoers -p wa -k scope", "-w /etc/sudoers.d
#     -p wa -k scope" and "-w /etc/pam.d -p wa -k pam"; run augenrules --load.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.2.3.1 (changes to system administration scope (sudoers) are collected)
#     - NIST SP 800-53 AU-2, AU-12, CM-5
#     - NIST SP 800-207 tenet 6 (authentication and authorization are strictly enforced)
zt_aud_003 := v if {
	v := lib.missing("audit")
} else := v if {
	v := lib.config_missing(["audit.access_control.paths", "audit.access_control.perms"])
} else := watch_rule(access_paths, cfg.access_control.perms, "access-control files")

# --- execution coverage (ZT-AUD-004, ZT-AUD-006) -------------------------

existing(paths) := [p | some p in paths; cov_persisted.paths[p].exists == true]

# exec_lacking(paths) names each side that audits no execution of any of
# the (existing) paths.
exec_lacking(paths) := sort([side |
	some side, c in sides
	not exec_audited(c, paths)
])

exec_audited(c, paths) if {
	some p in paths
	c.paths[p].exists == true
	c.paths[p].exec_audited == true
}

exec_ev(paths) := {side: {
	"paths": {p: {"exists": object.get(c, ["paths", p, "exists"], false), "resolved": object.get(c, ["paths", p, "resolved"], ""), "perms": object.get(c, ["paths", p, "perms"], ""), "rules": [rule_ref(r) | some r in object.get(c, ["paths", p, "rules"], [])]} | some p in paths},
	"exec_all": [rule_ref(r) | some r in object.get(c, "exec_all", [])],
} |
	some side, c in sides
}

exec_how(c, paths) := sprintf("%s (%s)", [p, concat(", ", [r.rule | some r in c.paths[p].rules])]) if {
	some p in paths
	c.paths[p].exists == true
	count(c.paths[p].rules) > 0
	contains(c.paths[p].perms, "x")
} else := sprintf("every execve (%s)", [concat(", ", [r.rule | some r in c.exec_all])])

sudo_paths := object.get(cfg, ["sudo", "paths"], [])

# METADATA
# title: sudo execution is audited
# description: >-
#   Every run of sudo leaves an audit record: -w /usr/bin/sudo -p x,
#   -a always,exit -F path=/usr/bin/sudo -F perm=x, an execve rule with
#   -F exe=/usr/bin/sudo, or an execve rule for every program. Judged on
#   the persisted rules and, on a live host, the loaded rules; skipped when
#   none of audit.sudo.paths exists.
# custom:
#   id: ZT-AUD-004
#   severity: medium
#   remediation: >-
#     Add "-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F
#     auid!=unset -k privileged" (or "-w /usr/bin/sudo -p x -k privileged")
#     to /etc/audit/rules.d/50-privileged.rules; run augenrules --load.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.2.3.6 (use of privileged commands is collected)
#     - NIST SP 800-53 AU-2, AC-6(9)
#     - NIST SP 800-207 tenet 6 (authentication and authorization are strictly enforced)
zt_aud_004 := v if {
	v := lib.missing("audit")
} else := v if {
	v := lib.config_missing(["audit.sudo.paths"])
} else := v if {
	v := coverage_gate(sudo_paths)
} else := lib.skip(sprintf("sudo is not installed (none of %s exists)", [concat(", ", sudo_paths)])) if {
	count(existing(sudo_paths)) == 0
} else := lib.fail(sprintf("running sudo (%s) is not audited in the %s rules%s", [concat(", ", existing(sudo_paths)), concat(" and ", exec_lacking(sudo_paths)), offline_note]), exec_ev(sudo_paths)) if {
	count(exec_lacking(sudo_paths)) > 0
} else := lib.pass(sprintf("running sudo is audited in the %s: %s", [scope, exec_how(cov_persisted, sudo_paths)]), exec_ev(sudo_paths))

tools := object.get(cfg, "outbound_tools", [])

tool_paths := [p | some t in tools; some p in t.paths]

installed_tools := [t | some t in tools; count(existing(t.paths)) > 0]

tool_lacking := sort([sprintf("%s (%s rules)", [t.name, concat(" and ", exec_lacking(t.paths))]) |
	some t in installed_tools
	count(exec_lacking(t.paths)) > 0
])

# METADATA
# title: Outbound tools are audited
# description: >-
#   Running curl, wget or nc (audit.outbound_tools) leaves an audit record:
#   an execve rule on the binary (-F exe= or -F path= with perm=x, -w PATH
#   -p x, following the alternatives symlinks to the real binary) or an
#   execve rule for every program. Tools not installed on the target are
#   not required; when none is, the control is skipped.
# custom:
#   id: ZT-AUD-006
#   severity: low
#   remediation: >-
#     Add "-a always,exit -F arch=b64 -S execve -F exe=/usr/bin/curl -k
#     outbound" (and the same for wget and the real nc binary, e.g.
#     /usr/bin/nc.openbsd; add -F arch=b32 twins) to
#     /etc/audit/rules.d/60-outbound.rules; run augenrules --load. Better:
#     remove the tools from servers that do not need them.
#   references:
#     - NIST SP 800-53 AU-2, AU-12, SI-4(4)
#     - NIST SP 800-207 tenet 7 (collect information about network communications)
zt_aud_006 := v if {
	v := lib.missing("audit")
} else := v if {
	v := lib.config_missing(["audit.outbound_tools"])
} else := v if {
	v := coverage_gate(tool_paths)
} else := lib.skip(sprintf("none of the outbound tools (%s) is installed", [concat(", ", [t.name | some t in tools])])) if {
	count(installed_tools) == 0
} else := lib.fail(sprintf("running outbound tools is not audited in the %s: %s", [scope, concat("; ", tool_lacking)]), exec_ev(tool_paths)) if {
	count(tool_lacking) > 0
} else := lib.pass(sprintf("running %s is audited in the %s", [concat(", ", [t.name | some t in installed_tools]), scope]), exec_ev(tool_paths))

# --- ZT-AUD-005 -----------------------------------------------------------

net_groups := object.get(cfg, ["network_config", "groups"], [])

net_paths := [p | some g in net_groups; some p in g.paths]

# A group passes on a side when one of its paths is watched with perms.
group_watched(c, g, perms) if {
	some p in g.paths
	has_perms(object.get(c, ["paths", p, "perms"], ""), perms)
}

group_present(g) if count(existing(g.paths)) > 0

group_lacking(perms) := sort([sprintf("%s: none of %s is watched with -p %s (%s rules)", [g.name, concat(", ", existing(g.paths)), perms, side]) |
	some g in net_groups
	group_present(g)
	some side, c in sides
	not group_watched(c, g, perms)
])

group_how(perms) := sort([sprintf("%s: %s", [g.name, concat(", ", [p | some p in g.paths; has_perms(object.get(cov_persisted, ["paths", p, "perms"], ""), perms)])]) |
	some g in net_groups
	group_watched(cov_persisted, g, perms)
])

absent_groups := sort([g.name | some g in net_groups; not group_present(g); not group_watched(cov_persisted, g, "w")])

absent_note := "" if count(absent_groups) == 0
else := sprintf(" (not present on the target: %s)", [concat(", ", absent_groups)])

# METADATA
# title: Firewall and network configuration changes are watched
# description: >-
#   Audit rules watch the firewall configuration (/etc/nftables.conf,
#   /etc/nftables.d, iptables, ufw, firewalld) and the network configuration
#   (/etc/network, /etc/sysconfig/network-scripts, netplan,
#   NetworkManager, systemd-networkd) for writes: for each group of
#   audit.network_config.groups present on the target, one of its paths is
#   watched with audit.network_config.perms, in the persisted rules and, on
#   a live host, in the loaded rules.
# custom:
#   id: ZT-AUD-005
#   severity: medium
#   remediation: >-
#     Add "-w /etc/nftables.conf -p wa -k firewall", "-w /etc/network -p wa
#     -k network" (or the directories your distribution uses, e.g.
#     /etc/sysconfig/network-scripts, /etc/netplan) to
#     /etc/audit/rules.d/50-network.rules; run augenrules --load.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.2.3.5 (events that modify the system's network environment are collected)
#     - NIST SP 800-53 AU-2, AU-12, CM-5
#     - NIST SP 800-207 tenet 7 (collect information about network infrastructure)
zt_aud_005 := v if {
	v := lib.missing("audit")
} else := v if {
	v := lib.config_missing(["audit.network_config.groups", "audit.network_config.perms"])
} else := v if {
	v := coverage_gate(net_paths)
} else := lib.skip(sprintf("none of the firewall or network configuration paths exists on the target (%s)", [concat(", ", net_paths)])) if {
	count(existing(net_paths)) == 0
} else := lib.fail(sprintf("network configuration changes are not watched in the %s: %s", [scope, concat("; ", group_lacking(cfg.network_config.perms))]), watch_ev(net_paths)) if {
	count(group_lacking(cfg.network_config.perms)) > 0
} else := lib.pass(sprintf("network configuration is watched with -p %s in the %s: %s%s", [cfg.network_config.perms, scope, concat("; ", group_how(cfg.network_config.perms)), absent_note]), watch_ev(net_paths))

# --- ZT-AUD-007 -----------------------------------------------------------

comparison := object.get(aud, "comparison", {})

missing_rules := [rule_ref(r) | some r in object.get(comparison, "missing_at_runtime", [])]

# -e and -f are security settings; -b is tuning and only reported.
control_diffs := [sprintf("%s %d at %s:%d is %d in the kernel", [d.option, d.persisted, d.file, d.line, d.runtime]) |
	some d in object.get(comparison, "control_differences", [])
	d.option in {"-e", "-f"}
]

more_word(n) := sprintf(" and %d more (see evidence)", [n]) if n > 0
else := ""

not_persisted := object.get(comparison, "not_persisted", [])

not_persisted_note := "" if count(not_persisted) == 0
else := sprintf("; %d loaded rules are not persisted and will be lost at reboot", [count(not_persisted)])

aud007_ev := {
	"source": object.get(persisted, "source", null),
	"files": object.get(persisted, "files", []),
	"missing_at_runtime": missing_rules,
	"not_persisted": not_persisted,
	"control_differences": object.get(comparison, "control_differences", []),
}

# METADATA
# title: The loaded audit rules match the persisted rules
# description: >-
#   Every rule of the persisted configuration (/etc/audit/rules.d/*.rules
#   as augenrules concatenates them, or /etc/audit/audit.rules) is loaded
#   in the kernel, and the persisted -e and -f settings are in effect. A
#   persisted rule missing at runtime means auditctl stopped at an error,
#   or rules were deleted since boot. Both sides are normalised by the same
#   parser. Loaded rules that are not persisted are reported, not failed.
#   Needs the live kernel: skipped on an offline root.
# custom:
#   id: ZT-AUD-007
#   severity: medium
#   remediation: >-
#     Run augenrules --load (or systemctl restart auditd) and read its
#     output for the rule auditctl refuses; fix that line; compare
#     "auditctl -l" with the persisted rules. Persist runtime-only rules in
#     /etc/audit/rules.d. If the rules are immutable (-e 2), reboot to
#     apply the persisted set.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.2.3.21 (the running and on disk configuration is the same)
#     - NIST SP 800-53 AU-12, CM-6
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_aud_007 := v if {
	v := lib.missing("audit")
} else := lib.skip(sprintf("loaded audit rules not available on this target: %s", [kernel.reason])) if {
	offline
} else := v if {
	v := lib.part_missing(comparison, "audit rule comparison")
} else := lib.fail(sprintf("the loaded audit rules differ from the persisted ones (%s): %s", [object.get(persisted, "source", "?"), concat("; ", array.concat(
	[sprintf("%d persisted rules missing at runtime: %s%s", [count(missing_rules), concat(", ", array.slice(missing_rules, 0, 10)), more_word(count(missing_rules) - 10)]) | count(missing_rules) > 0],
	control_diffs,
))]), aud007_ev) if {
	count(missing_rules) + count(control_diffs) > 0
} else := lib.pass(sprintf("all %d persisted audit rules (%s) are loaded%s", [count(object.get(persisted, "rules", [])), object.get(persisted, "source", "?"), not_persisted_note]), aud007_ev)
