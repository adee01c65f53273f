package ztscan.id_test

import data.ztscan.id

cfg := {"identity": {"break_glass_account": "breakglass", "central_identity_required": true}}

root_file(path, mode) := {"path": path, "exists": true, "type": "regular file", "mode": mode, "uid": 0, "gid": 42, "owner": "root", "group": "shadow"}

no_keys := {"status": "ok", "files": [{"path": "/home/breakglass/.ssh/authorized_keys", "exists": true, "keys": 0}], "keys": 0}

acct(name, uid, state, alg) := {"name": name, "uid": uid, "gid": uid, "home": sprintf("/home/%s", [name]), "shell": "/bin/bash", "login_shell": true, "password": {"state": state, "algorithm": alg, "source": "shadow"}, "ssh_keys": no_keys, "line": 1}

good := {
	"files": [
		root_file("/etc/passwd", "0644"), root_file("/etc/shadow", "0640"),
		root_file("/etc/group", "0644"), root_file("/etc/gshadow", "0640"),
	],
	"passwd": {"status": "ok"},
	"shadow": {"status": "ok"},
	"group": {"status": "ok"},
	"accounts": [acct("root", 0, "locked", ""), acct("alice", 1000, "set", "yescrypt"), acct("breakglass", 1001, "set", "sha512crypt")],
	"uid0": ["root"],
	"duplicate_uids": {},
	"shadow_only": [],
	"groups": [],
	"identity": {
		"nsswitch": {"status": "ok", "file": "/etc/nsswitch.conf", "databases": {"passwd": ["files", "sss"], "group": ["files", "sss"]}, "central": ["sss"]},
		"sssd": {
			"installed": true, "config": {"path": "/etc/sssd/sssd.conf", "exists": true, "type": "regular file", "mode": "0600", "uid": 0, "gid": 0, "owner": "root"},
			"config_status": {"status": "ok"}, "config_mode_ok": true, "domains": ["corp.example.com"],
			"enabled": true, "enabled_evidence": "/etc/systemd/system/multi-user.target.wants/sssd.service",
		},
		"pam": {"status": "ok", "files": ["/etc/pam.d/common-auth"], "modules": [{"type": "auth", "control": "sufficient", "module": "pam_sss.so", "args": [], "file": "/etc/pam.d/common-auth", "line": 2}]},
	},
}

snap(a) := {"target": {"kind": "rootfs"}, "facts": {"accounts": a}, "collectors": [{"name": "accounts", "status": "ok"}]}

replace(a, b) := object.union(object.remove(a, object.keys(b)), b)

with_acc(over) := snap(replace(good, over))

with_identity(over) := with_acc({"identity": replace(good.identity, over)})

with_sssd(over) := with_identity({"sssd": replace(good.identity.sssd, over)})

local_only := with_identity({
	"nsswitch": {"status": "ok", "file": "/etc/nsswitch.conf", "databases": {"passwd": ["files", "systemd"]}, "central": []},
	"sssd": {"installed": false, "config": {"path": "/etc/sssd/sssd.conf", "exists": false, "uid": 0, "gid": 0}, "config_status": {"status": "unavailable", "reason": "/etc/sssd/sssd.conf does not exist"}, "config_mode_ok": false, "domains": [], "enabled": false, "enabled_evidence": "no /etc/systemd/system/*.wants/sssd.service"},
	"pam": {"status": "ok", "files": ["/etc/pam.d/common-auth"], "modules": []},
})

failed := {"target": {"kind": "rootfs"}, "facts": {}, "collectors": [{"name": "accounts", "status": "error", "error": "read /etc/passwd: permission denied"}]}

unavailable := {"target": {"kind": "rootfs"}, "facts": {}, "collectors": [{"name": "accounts", "status": "unavailable", "error": "/etc/passwd does not exist"}]}

run(rule, inp) := r if {
	r := id[rule] with input as inp with data.config as cfg
}

run_cfg(rule, inp, c) := r if {
	r := id[rule] with input as inp with data.config as c
}

rule_names := {sprintf("zt_id_%03d", [i]) | some i in numbers.range(1, 5)}

test_all_rules_pass_good if {
	every n in rule_names {
		run(n, snap(good)).status == "pass"
	}
}

test_all_rules_error_collector_failed if {
	every n in rule_names {
		r := run(n, failed)
		r.status == "error"
		contains(r.message, "permission denied")
	}
}

test_all_rules_skip_unavailable if {
	every n in rule_names {
		run(n, unavailable).status == "skip"
	}
}

# ZT-ID-001
test_zt_id_001_pass if {
	r := run("zt_id_001", snap(good))
	r.status == "pass"
	r.evidence.uid0 == ["root"]
}

test_zt_id_001_fail_duplicate if {
	r := run("zt_id_001", with_acc({"uid0": ["root", "toor"]}))
	r.status == "fail"
	r.message == "accounts other than root have UID 0: toor"
	r.evidence.others == ["toor"]
}

test_zt_id_001_fail_no_root if {
	r := run("zt_id_001", with_acc({"uid0": ["admin"]}))
	r.status == "fail"
	contains(r.message, "admin")
}

test_zt_id_001_error_passwd if {
	r := run("zt_id_001", with_acc({"passwd": {"status": "error", "reason": "/etc/passwd: line 2: 1 fields, want 7"}}))
	r.status == "error"
	contains(r.message, "line 2")
}

test_zt_id_001_skip_unavailable if {
	run("zt_id_001", unavailable).status == "skip"
}

# ZT-ID-002
test_zt_id_002_pass if {
	r := run("zt_id_002", snap(good))
	r.status == "pass"
	r.message == "none of the 3 accounts has an empty password field"
}

test_zt_id_002_fail_empty if {
	r := run("zt_id_002", with_acc({"accounts": array.concat(good.accounts, [acct("nopw", 1002, "empty", "")])}))
	r.status == "fail"
	r.message == "accounts with an empty password: nopw (/etc/shadow)"
}

test_zt_id_002_fail_even_without_shadow if {
	legacy := object.union(acct("legacy", 1003, "empty", ""), {"password": {"state": "empty", "source": "passwd"}})
	r := run("zt_id_002", with_acc({"shadow": {"status": "error", "reason": "read /etc/shadow: permission denied"}, "accounts": [legacy]}))
	r.status == "fail"
	contains(r.message, "legacy (/etc/passwd)")
}

test_zt_id_002_error_shadow_unreadable if {
	r := run("zt_id_002", with_acc({"shadow": {"status": "error", "reason": "read /etc/shadow: not a regular file (fifo)"}}))
	r.status == "error"
	contains(r.message, "fifo")
}

test_zt_id_002_skip_no_shadow if {
	r := run("zt_id_002", with_acc({"shadow": {"status": "unavailable", "reason": "/etc/shadow does not exist"}}))
	r.status == "skip"
}

# ZT-ID-003
test_zt_id_003_pass if {
	r := run("zt_id_003", snap(good))
	r.status == "pass"
	r.message == "/etc/shadow is 0640 and /etc/gshadow is 0640 root-owned with mode 0640 or stricter"
}

test_zt_id_003_pass_rhel_0000 if {
	run("zt_id_003", with_acc({"files": [root_file("/etc/shadow", "0000"), root_file("/etc/gshadow", "0000")]})).status == "pass"
}

test_zt_id_003_pass_no_gshadow if {
	run("zt_id_003", with_acc({"files": [root_file("/etc/shadow", "0640"), {"path": "/etc/gshadow", "exists": false, "uid": 0, "gid": 0}]})).status == "pass"
}

test_zt_id_003_fail_world_readable if {
	r := run("zt_id_003", with_acc({"files": [root_file("/etc/shadow", "0644"), root_file("/etc/gshadow", "0640")]}))
	r.status == "fail"
	r.message == "/etc/shadow has mode 0644 (must be 0640 or stricter)"
}

test_zt_id_003_fail_owner if {
	f := object.union(root_file("/etc/gshadow", "0640"), {"uid": 1000, "owner": "alice"})
	r := run("zt_id_003", with_acc({"files": [root_file("/etc/shadow", "0640"), f]}))
	r.status == "fail"
	contains(r.message, "/etc/gshadow is owned by alice (UID 1000), not root")
}

test_zt_id_003_fail_group_writable if {
	r := run("zt_id_003", with_acc({"files": [root_file("/etc/shadow", "0660"), root_file("/etc/gshadow", "0640")]}))
	r.status == "fail"
}

test_zt_id_003_error_missing_shadow if {
	r := run("zt_id_003", with_acc({"files": [{"path": "/etc/shadow", "exists": false, "uid": 0, "gid": 0}]}))
	r.status == "error"
	contains(r.message, "does not exist")
}

test_zt_id_003_error_collector if {
	run("zt_id_003", failed).status == "error"
}

# ZT-ID-004
test_zt_id_004_pass_sssd if {
	r := run("zt_id_004", snap(good))
	r.status == "pass"
	contains(r.message, "sssd is enabled")
	contains(r.message, "corp.example.com")
}

test_zt_id_004_pass_krb5_pam if {
	inp := with_identity({
		"nsswitch": local_only.facts.accounts.identity.nsswitch,
		"sssd": local_only.facts.accounts.identity.sssd,
		"pam": {"status": "ok", "files": ["/etc/pam.d/system-auth"], "modules": [{"type": "auth", "control": "sufficient", "module": "pam_krb5.so", "args": [], "file": "/etc/pam.d/system-auth", "line": 4}]},
	})
	r := run("zt_id_004", inp)
	r.status == "pass"
	r.message == "PAM pam_krb5.so (/etc/pam.d/system-auth:4)"
}

test_zt_id_004_pass_declared_not_required if {
	r := run_cfg("zt_id_004", local_only, {"identity": {"break_glass_account": "", "central_identity_required": false}})
	r.status == "pass"
	contains(r.message, "declared not required")
}

test_zt_id_004_fail_local_only if {
	r := run("zt_id_004", local_only)
	r.status == "fail"
	contains(r.message, "no central identity source")
}

test_zt_id_004_fail_sssd_mode if {
	r := run("zt_id_004", with_sssd({"config_mode_ok": false, "config": object.union(good.identity.sssd.config, {"mode": "0644"})}))
	r.status == "fail"
	contains(r.message, "sssd refuses to start: /etc/sssd/sssd.conf is mode 0644 owned by root (must be 0600 and owned by root)")
}

test_zt_id_004_fail_sssd_disabled if {
	r := run("zt_id_004", with_sssd({"enabled": false, "enabled_evidence": "no /etc/systemd/system/*.wants/sssd.service"}))
	r.status == "fail"
	contains(r.message, "sssd is not enabled")
}

test_zt_id_004_error_unreadable_pam if {
	inp := with_identity({
		"sssd": local_only.facts.accounts.identity.sssd,
		"nsswitch": local_only.facts.accounts.identity.nsswitch,
		"pam": {"status": "error", "reason": "pam include loop: /etc/pam.d/common-auth -> /etc/pam.d/common-auth", "files": [], "modules": []},
	})
	r := run("zt_id_004", inp)
	r.status == "error"
	contains(r.message, "include loop")
}

test_zt_id_004_error_config_missing if {
	r := run_cfg("zt_id_004", snap(good), {"identity": {}})
	r.status == "error"
	contains(r.message, "identity.central_identity_required")
}

# ZT-ID-005
test_zt_id_005_pass if {
	r := run("zt_id_005", snap(good))
	r.status == "pass"
	r.message == "break-glass account \"breakglass\" exists, has a password set (sha512crypt) and no SSH key"
}

test_zt_id_005_fail_not_declared if {
	r := run_cfg("zt_id_005", snap(good), {"identity": {"break_glass_account": "", "central_identity_required": true}})
	r.status == "fail"
	contains(r.message, "no break-glass account is declared")
}

test_zt_id_005_fail_absent if {
	r := run_cfg("zt_id_005", snap(good), {"identity": {"break_glass_account": "emergency", "central_identity_required": true}})
	r.status == "fail"
	contains(r.message, "\"emergency\" does not exist")
}

test_zt_id_005_fail_locked if {
	r := run("zt_id_005", with_acc({"accounts": [acct("breakglass", 1001, "locked", "")]}))
	r.status == "fail"
	contains(r.message, "no usable password (locked)")
}

test_zt_id_005_fail_ssh_key if {
	keys := {"status": "ok", "files": [{"path": "/home/breakglass/.ssh/authorized_keys", "exists": true, "keys": 2}], "keys": 2}
	r := run("zt_id_005", with_acc({"accounts": [object.union(acct("breakglass", 1001, "set", "yescrypt"), {"ssh_keys": keys})]}))
	r.status == "fail"
	r.message == "break-glass account \"breakglass\" can log in with 2 SSH key(s) from /home/breakglass/.ssh/authorized_keys"
}

test_zt_id_005_error_shadow_unknown if {
	r := run("zt_id_005", with_acc({"shadow": {"status": "error", "reason": "read /etc/shadow: permission denied"}, "accounts": [acct("breakglass", 1001, "unknown", "")]}))
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_id_005_error_keys_unreadable if {
	keys := {"status": "error", "reason": "read /home/breakglass/.ssh/authorized_keys: not a regular file (fifo)", "files": [], "keys": 0}
	r := run("zt_id_005", with_acc({"accounts": [object.union(acct("breakglass", 1001, "set", "yescrypt"), {"ssh_keys": keys})]}))
	r.status == "error"
	contains(r.message, "fifo")
}

test_zt_id_005_skip_unavailable if {
	run("zt_id_005", unavailable).status == "skip"
}
