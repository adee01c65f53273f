# Tests of ZT-PRIV-001..003. The package is shared with the tests of
# ZT-PRIV-004/005, so every helper here is prefixed sudo_.
package ztscan.priv_test

import data.ztscan.priv

sudo_cfg := {"sudo": {
	"shell_escape_commands": ["systemctl", "journalctl", "less", "vi", "vim", "find", "awk", "python*", "bash", "tee", "cp"],
	"editors_pagers": ["vi", "vim", "nano", "less", "more"],
}}

sudo_grant(principal, path, args, nopasswd, file, line) := {
	"principal": principal, "principal_type": "user", "host": "ALL",
	"runas_users": ["ALL"], "runas_groups": [], "runas": "(ALL)",
	"command": trim_space(sprintf("%s %s", [path, args])), "path": path, "args": args, "has_args": args != "",
	"tags": [t | nopasswd; t := "NOPASSWD"], "nopasswd": nopasswd, "file": file, "line": line,
}

sudo_file(path, mode, uid) := {"path": path, "exists": true, "type": "regular file", "mode": mode, "uid": uid, "gid": 0, "owner": {0: "root", 1000: "alice"}[uid], "group": "root", "included": true}

sudo_good := {
	"installed": true,
	"installed_evidence": "package sudo 1.9.13p3-1+deb12u1 is installed",
	"path": "/etc/sudoers",
	"policy": {"status": "ok", "grants": [
		sudo_grant("root", "ALL", "", false, "/etc/sudoers", 20),
		sudo_grant("%sudo", "ALL", "", false, "/etc/sudoers", 23),
		sudo_grant("deploy", "/usr/bin/systemctl", "restart nginx.service", true, "/etc/sudoers.d/deploy", 1),
	], "defaults": [], "aliases": [], "warnings": []},
	"files": [sudo_file("/etc/sudoers", "0440", 0), sudo_file("/etc/sudoers.d/deploy", "0440", 0)],
}

sudo_snap(s) := {"target": {"kind": "rootfs"}, "facts": {"sudoers": s}, "collectors": [{"name": "sudoers", "status": "ok"}]}

sudo_replace(a, b) := object.union(object.remove(a, object.keys(b)), b)

sudo_with_grants(extra) := sudo_snap(sudo_replace(sudo_good, {"policy": sudo_replace(sudo_good.policy, {"grants": array.concat(sudo_good.policy.grants, extra)})}))

sudo_with_files(files) := sudo_snap(sudo_replace(sudo_good, {"files": files}))

sudo_broken := sudo_snap(sudo_replace(sudo_good, {"policy": {"status": "error", "reason": "/etc/sudoers.d/50-broken:1:24: syntax error", "grants": [], "defaults": [], "aliases": [], "warnings": []}}))

sudo_not_installed := sudo_snap({
	"installed": false, "installed_evidence": "no sudo package and no sudo binary", "path": "/etc/sudoers",
	"policy": {"status": "unavailable", "reason": "sudo is not installed and /etc/sudoers does not exist", "grants": [], "defaults": [], "aliases": [], "warnings": []},
	"files": [],
})

sudo_failed := {"target": {"kind": "host"}, "facts": {}, "collectors": [{"name": "sudoers", "status": "error", "error": "checking for sudo: permission denied"}]}

sudo_run(rule, inp) := r if {
	r := priv[rule] with input as inp with data.config as sudo_cfg
}

sudo_rules := {"zt_priv_001", "zt_priv_002", "zt_priv_003"}

test_sudo_rules_pass_good if {
	every n in sudo_rules {
		sudo_run(n, sudo_snap(sudo_good)).status == "pass"
	}
}

test_sudo_rules_skip_not_installed if {
	every n in sudo_rules {
		r := sudo_run(n, sudo_not_installed)
		r.status == "skip"
		contains(r.message, "sudo is not installed")
	}
}

test_sudo_rules_error_collector if {
	every n in sudo_rules {
		sudo_run(n, sudo_failed).status == "error"
	}
}

# ZT-PRIV-001
test_zt_priv_001_pass if {
	r := sudo_run("zt_priv_001", sudo_snap(sudo_good))
	r.status == "pass"
	r.message == "none of the 3 sudoers grants gives ALL commands without a password to anyone but root"
}

test_zt_priv_001_pass_root_nopasswd if {
	sudo_run("zt_priv_001", sudo_with_grants([sudo_grant("root", "ALL", "", true, "/etc/sudoers", 21)])).status == "pass"
}

test_zt_priv_001_fail_user if {
	r := sudo_run("zt_priv_001", sudo_with_grants([sudo_grant("alice", "ALL", "", true, "/etc/sudoers.d/alice", 3)]))
	r.status == "fail"
	r.message == "ALL commands without a password are granted to alice (/etc/sudoers.d/alice:3)"
	r.evidence.grants[0].file == "/etc/sudoers.d/alice"
}

test_zt_priv_001_fail_group if {
	g := object.union(sudo_grant("%wheel", "ALL", "", true, "/etc/sudoers", 30), {"principal_type": "group"})
	r := sudo_run("zt_priv_001", sudo_with_grants([g]))
	r.status == "fail"
	contains(r.message, "%wheel (/etc/sudoers:30)")
}

test_zt_priv_001_fail_defaults_not_authenticate if {
	g := object.union(sudo_grant("ops", "ALL", "", true, "/etc/sudoers", 31), {"tags": [], "nopasswd_by": "Defaults !authenticate (/etc/sudoers:2)"})
	r := sudo_run("zt_priv_001", sudo_with_grants([g]))
	r.status == "fail"
	r.evidence.grants[0].nopasswd_by == "Defaults !authenticate (/etc/sudoers:2)"
}

test_zt_priv_001_pass_negated_all if {
	g := object.union(sudo_grant("alice", "ALL", "", true, "/etc/sudoers", 32), {"negated": true})
	sudo_run("zt_priv_001", sudo_with_grants([g])).status == "pass"
}

test_zt_priv_001_error_policy if {
	r := sudo_run("zt_priv_001", sudo_broken)
	r.status == "error"
	contains(r.message, "/etc/sudoers.d/50-broken:1:24: syntax error")
}

test_zt_priv_001_skip_not_installed if {
	sudo_run("zt_priv_001", sudo_not_installed).status == "skip"
}

# ZT-PRIV-002
test_zt_priv_002_pass if {
	r := sudo_run("zt_priv_002", sudo_snap(sudo_good))
	r.status == "pass"
	r.message == "none of the 1 NOPASSWD grants allows a shell escape through wildcard arguments, an editor or a pager"
}

test_zt_priv_002_pass_password_required if {
	sudo_run("zt_priv_002", sudo_with_grants([sudo_grant("alice", "/usr/bin/vim", "", false, "/etc/sudoers", 40)])).status == "pass"
}

test_zt_priv_002_fail_systemctl_wildcard if {
	r := sudo_run("zt_priv_002", sudo_with_grants([sudo_grant("deploy", "/usr/bin/systemctl", "restart *", true, "/etc/sudoers.d/deploy", 2)]))
	r.status == "fail"
	r.message == "NOPASSWD grants that can spawn a shell or edit files: deploy: /usr/bin/systemctl restart * (/etc/sudoers.d/deploy:2): systemctl can spawn a shell or write files, with the wildcard argument \"restart *\""
}

test_zt_priv_002_fail_any_arguments if {
	r := sudo_run("zt_priv_002", sudo_with_grants([sudo_grant("ops", "/usr/bin/python3.11", "", true, "/etc/sudoers", 41)]))
	r.status == "fail"
	contains(r.message, "python3.11 can spawn a shell or write files, with any arguments (none are listed)")
}

test_zt_priv_002_fail_pager_exact_args if {
	r := sudo_run("zt_priv_002", sudo_with_grants([sudo_grant("ops", "/usr/bin/less", "/var/log/syslog", true, "/etc/sudoers", 42)]))
	r.status == "fail"
	contains(r.message, "less is an editor or pager")
	r.evidence.grants[0].line == 42
}

test_zt_priv_002_fail_directory if {
	r := sudo_run("zt_priv_002", sudo_with_grants([sudo_grant("ops", "/usr/sbin/", "", true, "/etc/sudoers", 43)]))
	r.status == "fail"
	contains(r.message, "/usr/sbin/ is a directory or pattern")
}

test_zt_priv_002_pass_escaped_star if {
	sudo_run("zt_priv_002", sudo_with_grants([sudo_grant("ops", "/usr/bin/find", "/srv -name \\*.log", true, "/etc/sudoers", 44)])).status == "pass"
}

test_zt_priv_002_error_policy if {
	sudo_run("zt_priv_002", sudo_broken).status == "error"
}

test_zt_priv_002_error_config if {
	r := priv.zt_priv_002 with input as sudo_snap(sudo_good) with data.config as {"sudo": {}}
	r.status == "error"
	contains(r.message, "sudo.shell_escape_commands")
}

test_zt_priv_002_skip_not_installed if {
	sudo_run("zt_priv_002", sudo_not_installed).status == "skip"
}

# ZT-PRIV-003
test_zt_priv_003_pass if {
	r := sudo_run("zt_priv_003", sudo_snap(sudo_good))
	r.status == "pass"
	r.message == "2 sudoers files are root-owned with mode 0440 or stricter: /etc/sudoers, /etc/sudoers.d/deploy"
}

test_zt_priv_003_pass_0400 if {
	sudo_run("zt_priv_003", sudo_with_files([sudo_file("/etc/sudoers", "0400", 0)])).status == "pass"
}

test_zt_priv_003_fail_mode if {
	r := sudo_run("zt_priv_003", sudo_with_files([sudo_file("/etc/sudoers", "0440", 0), sudo_file("/etc/sudoers.d/deploy", "0644", 0)]))
	r.status == "fail"
	r.message == "/etc/sudoers.d/deploy has mode 0644 (must be 0440 or stricter)"
}

test_zt_priv_003_fail_owner if {
	r := sudo_run("zt_priv_003", sudo_with_files([sudo_file("/etc/sudoers", "0440", 1000)]))
	r.status == "fail"
	contains(r.message, "owned by alice (UID 1000)")
}

test_zt_priv_003_fail_fifo if {
	fifo := object.union(sudo_file("/etc/sudoers.d/x", "0440", 0), {"type": "fifo"})
	r := sudo_run("zt_priv_003", sudo_with_files([sudo_file("/etc/sudoers", "0440", 0), fifo]))
	r.status == "fail"
	contains(r.message, "/etc/sudoers.d/x is a fifo, not a regular file")
}

test_zt_priv_003_fail_even_when_policy_broken if {
	s := sudo_replace(sudo_broken.facts.sudoers, {"files": [sudo_file("/etc/sudoers", "0666", 0)]})
	sudo_run("zt_priv_003", sudo_snap(s)).status == "fail"
}

test_zt_priv_003_error_no_files if {
	sudo_run("zt_priv_003", sudo_with_files([])).status == "error"
}

test_zt_priv_003_skip_not_installed if {
	sudo_run("zt_priv_003", sudo_not_installed).status == "skip"
}
