package ztscan.aud_test

import data.ztscan.aud

offline_active := {"status": "unavailable", "reason": "offline root"}

unit(name, enabled, active) := {"name": name, "found": true, "enabled": enabled, "state": state(enabled), "masked": false, "active": active, "enabled_links": []}

state(true) := "enabled"

state(false) := "disabled"

live(r) := {"status": "ok", "running": r, "active_state": word(r)}

word(true) := "active"

word(false) := "inactive"

conf := {"audit": {
	"identity": {"perms": "wa", "paths": ["/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow"]},
	"access_control": {"perms": "wa", "paths": ["/etc/ssh/sshd_config", "/etc/sudoers", "/etc/sudoers.d", "/etc/pam.d"]},
	"sudo": {"paths": ["/usr/bin/sudo"]},
	"network_config": {"perms": "wa", "groups": [{"name": "firewall", "paths": ["/etc/nftables.conf"]}, {"name": "network", "paths": ["/etc/network", "/etc/netplan"]}]},
	"outbound_tools": [{"name": "curl", "paths": ["/usr/bin/curl"]}, {"name": "nc", "paths": ["/usr/bin/nc"]}],
	"fim_agents": ["aide", "wazuh", "ossec"],
	"log_shippers": ["wazuh", "ossec", "rsyslog", "syslog-ng", "journal-upload"],
}}

all_paths := ["/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/ssh/sshd_config", "/etc/sudoers", "/etc/sudoers.d", "/etc/pam.d", "/usr/bin/sudo", "/etc/nftables.conf", "/etc/network", "/etc/netplan", "/usr/bin/curl", "/usr/bin/nc"]

absent := {"/etc/netplan", "/usr/bin/nc"}

exists(p) := false if p in absent

else := true

ref(p, perms) := {"rule": sprintf("-w %s -p %s", [p, perms]), "file": "/etc/audit/rules.d/50-zt.rules", "line": 3, "via": "watch", "watched": p, "perms": perms}

# cov(perms_of) builds coverage where perms_of[p] is the watch on p.
cov(perms_of) := {"status": "ok", "source": "persisted", "exec_all": [], "paths": {p: {
	"exists": exists(p),
	"perms": object.get(perms_of, p, ""),
	"exec_audited": contains(object.get(perms_of, p, ""), "x"),
	"rules": [ref(p, perms_of[p]) | perms_of[p]],
} | some p in all_paths}}

full := {"/etc/passwd": "wa", "/etc/shadow": "wa", "/etc/group": "wa", "/etc/gshadow": "wa", "/etc/ssh/sshd_config": "wa", "/etc/sudoers": "wa", "/etc/sudoers.d": "wa", "/etc/pam.d": "wa", "/usr/bin/sudo": "x", "/etc/nftables.conf": "wa", "/etc/network": "wa", "/usr/bin/curl": "x"}

kernel_off := {"status": "unavailable", "reason": "an offline root has no running kernel", "rules": []}

kernel_on := {"status": "ok", "supported": true, "enabled": 2, "immutable": true, "failure": 1, "failure_mode": "printk", "daemon_pid": 412, "lost": 0, "rules": []}

cmdline_ok := {"status": "ok", "source": "/etc/default/grub", "audit": "1"}

persisted_ok := {"status": "ok", "source": "augenrules", "files": ["/etc/audit/rules.d/50-zt.rules"], "rules": [{"rule": "-w /etc/passwd -p wa", "file": "/etc/audit/rules.d/50-zt.rules", "line": 3}], "controls": {"enabled": {"value": 2, "file": "/etc/audit/rules.d/99-finalize.rules", "line": 1}}}

comparison_ok := {"status": "ok", "identical": true, "missing_at_runtime": [], "not_persisted": [], "control_differences": []}

facts(svc_active, kernel, cov_p, cov_k, cmp) := {
	"installed": true, "installed_evidence": "package auditd 1:3.0.9-1 is installed",
	"service": unit("auditd.service", true, svc_active), "boot_cmdline": cmdline_ok,
	"kernel": kernel, "persisted": persisted_ok, "comparison": cmp,
	"coverage": {"persisted": cov_p, "kernel": cov_k},
}

offline_facts(cov_p) := facts(offline_active, kernel_off, cov_p, {"status": "unavailable", "reason": "offline"}, {"status": "unavailable", "reason": "kernel rules: offline"})

snap(f) := {"target": {"kind": "rootfs"}, "facts": {"audit": f}, "collectors": [{"name": "audit", "status": "ok"}]}

hardened := snap(offline_facts(cov(full)))

live_snap(cov_p, cov_k, cmp) := snap(facts(live(true), kernel_on, cov_p, object.union(cov_k, {"source": "kernel"}), cmp))

failed := {"facts": {}, "collectors": [{"name": "audit", "status": "error", "error": "boom"}, {"name": "logging", "status": "error", "error": "boom"}]}

unavailable := {"facts": {}, "collectors": [{"name": "audit", "status": "unavailable", "error": "no audit"}, {"name": "logging", "status": "unavailable", "error": "nothing"}]}

# --- ZT-AUD-001

test_zt_aud_001_pass_offline if {
	v := aud.zt_aud_001 with input as hardened
	v.status == "pass"
	contains(v.message, "kernel state not available on an offline root")
}

test_zt_aud_001_pass_live_immutable if {
	v := aud.zt_aud_001 with input as live_snap(cov(full), cov(full), comparison_ok)
	v.status == "pass"
	contains(v.message, "enabled and running")
	contains(v.message, "immutable")
}

test_zt_aud_001_fail_not_installed if {
	f := object.union(offline_facts(cov(full)), {"installed": false, "installed_evidence": "neither package auditd nor audit is installed"})
	v := aud.zt_aud_001 with input as snap(f)
	v.status == "fail"
	v.message == "auditd is not installed (neither package auditd nor audit is installed)"
}

test_zt_aud_001_fail_kernel_disabled_and_stopped if {
	f := facts(live(false), object.union(kernel_on, {"enabled": 0}), cov(full), cov(full), comparison_ok)
	v := aud.zt_aud_001 with input as snap(f)
	v.status == "fail"
	contains(v.message, "the kernel audit subsystem is disabled (enabled 0)")
	contains(v.message, "auditd.service is not running (inactive)")
}

test_zt_aud_001_fail_cmdline if {
	f := object.union(offline_facts(cov(full)), {"boot_cmdline": {"status": "ok", "source": "/etc/default/grub", "audit": "0"}})
	v := aud.zt_aud_001 with input as snap(f)
	v.status == "fail"
	contains(v.message, "audit=0 on the kernel command line (/etc/default/grub)")
}

test_zt_aud_001_error_kernel if {
	f := facts(live(true), {"status": "error", "reason": "reading the kernel audit status and rules needs root (CAP_AUDIT_CONTROL): operation not permitted"}, cov(full), {"status": "error", "reason": "x"}, comparison_ok)
	v := aud.zt_aud_001 with input as snap(f)
	v.status == "error"
	contains(v.message, "CAP_AUDIT_CONTROL")
}

test_zt_aud_001_error_collector if {
	v := aud.zt_aud_001 with input as failed
	v.status == "error"
}

test_zt_aud_001_skip if {
	v := aud.zt_aud_001 with input as unavailable
	v.status == "skip"
}

# --- ZT-AUD-002 / 003

test_zt_aud_002_pass if {
	v := aud.zt_aud_002 with input as hardened with data.config as conf
	v.status == "pass"
	contains(v.message, "offline root")
	v.evidence.persisted["/etc/shadow"].rules == ["/etc/audit/rules.d/50-zt.rules:3: -w /etc/shadow -p wa"]
}

test_zt_aud_002_fail_weak_perms if {
	v := aud.zt_aud_002 with input as snap(offline_facts(cov(object.union(full, {"/etc/gshadow": "w"})))) with data.config as conf
	v.status == "fail"
	contains(v.message, "/etc/gshadow is watched with -p w, needs wa (persisted rules)")
}

test_zt_aud_002_fail_loaded_only if {
	# persisted covers, but the kernel lost the shadow watch
	v := aud.zt_aud_002 with input as live_snap(cov(full), cov(object.remove(full, ["/etc/shadow"])), comparison_ok) with data.config as conf
	v.status == "fail"
	contains(v.message, "/etc/shadow is not watched (loaded rules)")
	not contains(v.message, "persisted rules)")
}

test_zt_aud_002_error_unreadable if {
	f := offline_facts({"status": "error", "reason": "/etc/audit/rules.d/10-bad.rules:4: invalid filter"})
	v := aud.zt_aud_002 with input as snap(f) with data.config as conf
	v.status == "error"
	contains(v.message, "/etc/audit/rules.d/10-bad.rules:4")
}

test_zt_aud_002_error_other_config if {
	v := aud.zt_aud_002 with input as hardened with data.config as {"audit": object.union(conf.audit, {"identity": {"perms": "wa", "paths": ["/etc/opasswd"]}})}
	v.status == "error"
	contains(v.message, "/etc/opasswd")
}

test_zt_aud_002_skip if {
	v := aud.zt_aud_002 with input as unavailable with data.config as conf
	v.status == "skip"
}

test_zt_aud_003_pass if {
	v := aud.zt_aud_003 with input as hardened with data.config as conf
	v.status == "pass"
}

test_zt_aud_003_fail if {
	v := aud.zt_aud_003 with input as snap(offline_facts(cov(object.remove(full, ["/etc/sudoers.d", "/etc/pam.d"])))) with data.config as conf
	v.status == "fail"
	contains(v.message, "/etc/pam.d is not watched (persisted rules); /etc/sudoers.d is not watched (persisted rules)")
}

test_zt_aud_003_error if {
	v := aud.zt_aud_003 with input as failed with data.config as conf
	v.status == "error"
}

# --- ZT-AUD-004 / 006

test_zt_aud_004_pass if {
	v := aud.zt_aud_004 with input as hardened with data.config as conf
	v.status == "pass"
	contains(v.message, "/usr/bin/sudo (-w /usr/bin/sudo -p x)")
}

test_zt_aud_004_pass_exec_all if {
	c := object.union(cov(object.remove(full, ["/usr/bin/sudo"])), {"exec_all": [{"rule": "-a always,exit -F arch=b64 -S execve", "via": "exec_all", "perms": "x"}]})
	c2 := object.union(c, {"paths": object.union(c.paths, {"/usr/bin/sudo": object.union(c.paths["/usr/bin/sudo"], {"exec_audited": true})})})
	v := aud.zt_aud_004 with input as snap(offline_facts(c2)) with data.config as conf
	v.status == "pass"
	contains(v.message, "every execve (-a always,exit -F arch=b64 -S execve)")
}

test_zt_aud_004_fail if {
	v := aud.zt_aud_004 with input as snap(offline_facts(cov(object.remove(full, ["/usr/bin/sudo"])))) with data.config as conf
	v.status == "fail"
	v.message == "running sudo (/usr/bin/sudo) is not audited in the persisted rules (offline root: loaded rules not available)"
}

test_zt_aud_004_skip_no_sudo if {
	c := cov(full)
	c2 := object.union(c, {"paths": object.union(c.paths, {"/usr/bin/sudo": object.union(c.paths["/usr/bin/sudo"], {"exists": false})})})
	v := aud.zt_aud_004 with input as snap(offline_facts(c2)) with data.config as conf
	v.status == "skip"
	v.message == "sudo is not installed (none of /usr/bin/sudo exists)"
}

test_zt_aud_004_error if {
	v := aud.zt_aud_004 with input as failed with data.config as conf
	v.status == "error"
}

test_zt_aud_006_pass_installed_only if {
	# nc is not installed: only curl is required
	v := aud.zt_aud_006 with input as hardened with data.config as conf
	v.status == "pass"
	v.message == "running curl is audited in the persisted rules (offline root: loaded rules not available)"
}

test_zt_aud_006_fail if {
	v := aud.zt_aud_006 with input as snap(offline_facts(cov(object.remove(full, ["/usr/bin/curl"])))) with data.config as conf
	v.status == "fail"
	contains(v.message, "curl (persisted rules)")
}

test_zt_aud_006_skip_none_installed if {
	c := cov(full)
	c2 := object.union(c, {"paths": object.union(c.paths, {"/usr/bin/curl": object.union(c.paths["/usr/bin/curl"], {"exists": false})})})
	v := aud.zt_aud_006 with input as snap(offline_facts(c2)) with data.config as conf
	v.status == "skip"
}

test_zt_aud_006_error_no_config if {
	v := aud.zt_aud_006 with input as hardened with data.config as {"audit": {}}
	v.status == "error"
	contains(v.message, "audit.outbound_tools")
}

# --- ZT-AUD-005

test_zt_aud_005_pass if {
	v := aud.zt_aud_005 with input as hardened with data.config as conf
	v.status == "pass"
	v.message == "network configuration is watched with -p wa in the persisted rules (offline root: loaded rules not available): firewall: /etc/nftables.conf; network: /etc/network"
}

test_zt_aud_005_fail if {
	v := aud.zt_aud_005 with input as snap(offline_facts(cov(object.remove(full, ["/etc/network"])))) with data.config as conf
	v.status == "fail"
	contains(v.message, "network: none of /etc/network is watched with -p wa (persisted rules)")
}

test_zt_aud_005_error if {
	v := aud.zt_aud_005 with input as failed with data.config as conf
	v.status == "error"
}

test_zt_aud_005_skip if {
	v := aud.zt_aud_005 with input as unavailable with data.config as conf
	v.status == "skip"
}

# --- ZT-AUD-007

test_zt_aud_007_pass if {
	cmp := object.union(comparison_ok, {"not_persisted": ["-w /tmp/x -p w"], "identical": false})
	v := aud.zt_aud_007 with input as live_snap(cov(full), cov(full), cmp)
	v.status == "pass"
	v.message == "all 1 persisted audit rules (augenrules) are loaded; 1 loaded rules are not persisted and will be lost at reboot"
}

test_zt_aud_007_fail_missing if {
	cmp := object.union(comparison_ok, {"identical": false, "missing_at_runtime": [{"rule": "-w /etc/shadow -p wa", "file": "/etc/audit/rules.d/50-zt.rules", "line": 4}]})
	v := aud.zt_aud_007 with input as live_snap(cov(full), cov(full), cmp)
	v.status == "fail"
	contains(v.message, "1 persisted rules missing at runtime: /etc/audit/rules.d/50-zt.rules:4: -w /etc/shadow -p wa")
}

test_zt_aud_007_fail_not_immutable if {
	cmp := object.union(comparison_ok, {"control_differences": [{"option": "-e", "persisted": 2, "runtime": 1, "file": "/etc/audit/rules.d/99-finalize.rules", "line": 1}, {"option": "-b", "persisted": 8192, "runtime": 64, "file": "x", "line": 1}]})
	v := aud.zt_aud_007 with input as live_snap(cov(full), cov(full), cmp)
	v.status == "fail"
	v.message == "the loaded audit rules differ from the persisted ones (augenrules): -e 2 at /etc/audit/rules.d/99-finalize.rules:1 is 1 in the kernel"
}

test_zt_aud_007_skip_offline if {
	v := aud.zt_aud_007 with input as hardened
	v.status == "skip"
	contains(v.message, "offline root")
}

test_zt_aud_007_error_kernel if {
	f := facts(live(true), {"status": "error", "reason": "needs root"}, cov(full), {"status": "error", "reason": "needs root"}, {"status": "error", "reason": "kernel rules: needs root"})
	v := aud.zt_aud_007 with input as snap(f)
	v.status == "error"
	contains(v.message, "needs root")
}
