package ztscan.mac_test

import data.ztscan.mac

se_live(mode, config_mode) := {
	"selinux": {
		"kernel": {"status": "ok", "enabled": true, "mode": mode},
		"config": {"status": "ok", "file": "/etc/selinux/config", "selinux": config_mode, "selinuxtype": "targeted"},
	},
	"apparmor": {
		"kernel": {"status": "ok", "enabled": false, "profiles": {"enforce": 0, "complain": 0, "kill": 0, "unconfined": 0}},
		"config": {"status": "ok", "installed": false, "service_enabled": false, "disabled_on_cmdline": false, "profiles": {"enforce": 0, "complain": 0}},
	},
}

aa_live(enabled, enforce, complain) := {
	"selinux": {
		"kernel": {"status": "unavailable", "reason": "selinuxfs not mounted"},
		"config": {"status": "unavailable", "reason": "no /etc/selinux/config"},
	},
	"apparmor": {
		"kernel": {"status": "ok", "enabled": enabled, "profiles": {"enforce": enforce, "complain": complain, "kill": 0, "unconfined": 0}},
		"config": {"status": "ok", "installed": true, "service_enabled": true, "disabled_on_cmdline": false, "profiles": {"enforce": enforce, "complain": complain}},
	},
}

aa_offline(config) := {
	"selinux": {
		"kernel": {"status": "unavailable", "reason": "offline root"},
		"config": {"status": "unavailable", "reason": "no /etc/selinux/config"},
	},
	"apparmor": {
		"kernel": {"status": "unavailable", "reason": "offline root"},
		"config": config,
	},
}

aa_good_config := {"status": "ok", "installed": true, "service_enabled": true, "disabled_on_cmdline": false, "profiles": {"enforce": 40, "complain": 2}}

snap(kind, facts) := {
	"target": {"kind": kind},
	"facts": {"mac": facts},
	"collectors": [{"name": "mac", "status": "ok"}],
}

run(inp) := r if {
	r := mac.zt_mac_001 with input as inp with data.config as {}
}

test_zt_mac_001_pass_selinux_enforcing if {
	r := run(snap("host", se_live("enforcing", "enforcing")))
	r.status == "pass"
	contains(r.message, "SELinux is enforcing at runtime")
}

test_zt_mac_001_fail_selinux_permissive if {
	r := run(snap("host", se_live("permissive", "enforcing")))
	r.status == "fail"
	r.message == "SELinux is enabled but permissive at runtime"
}

test_zt_mac_001_fail_selinux_config_permissive if {
	r := run(snap("host", se_live("enforcing", "permissive")))
	r.status == "fail"
	contains(r.message, "/etc/selinux/config says SELINUX=permissive")
}

test_zt_mac_001_error_selinux_config_unreadable if {
	f := json.patch(se_live("enforcing", "enforcing"), [{"op": "replace", "path": "/selinux/config", "value": {"status": "error", "reason": "permission denied"}}])
	r := run(snap("host", f))
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_mac_001_pass_apparmor if {
	r := run(snap("host", aa_live(true, 12, 1)))
	r.status == "pass"
	contains(r.message, "AppArmor is enabled with 12 profiles in enforce mode")
}

test_zt_mac_001_fail_apparmor_complain_only if {
	r := run(snap("host", aa_live(true, 0, 5)))
	r.status == "fail"
	contains(r.message, "no profile is in enforce mode")
}

test_zt_mac_001_fail_nothing_enabled if {
	r := run(snap("host", aa_live(false, 0, 0)))
	r.status == "fail"
	contains(r.message, "neither SELinux nor AppArmor")
}

test_zt_mac_001_error_apparmor_facts_missing if {
	f := json.patch(aa_live(true, 12, 1), [{"op": "remove", "path": "/apparmor/kernel"}])
	run(snap("host", f)).status == "error"
}

test_zt_mac_001_error_collector if {
	inp := {"target": {"kind": "host"}, "facts": {}, "collectors": [{"name": "mac", "status": "error", "error": "read /sys/kernel/security: permission denied"}]}
	r := run(inp)
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_mac_001_pass_offline_selinux_config if {
	f := json.patch(se_live("enforcing", "enforcing"), [{"op": "replace", "path": "/selinux/kernel", "value": {"status": "unavailable", "reason": "offline root"}}])
	r := run(snap("rootfs", f))
	r.status == "pass"
	contains(r.message, "SELINUX=enforcing")
}

test_zt_mac_001_pass_offline_apparmor if {
	r := run(snap("rootfs", aa_offline(aa_good_config)))
	r.status == "pass"
	contains(r.message, "40 profiles")
}

test_zt_mac_001_fail_offline_apparmor_disabled_on_cmdline if {
	r := run(snap("rootfs", aa_offline(object.union(aa_good_config, {"disabled_on_cmdline": true}))))
	r.status == "fail"
	contains(r.message, "disabled on the kernel command line")
}

test_zt_mac_001_fail_offline_apparmor_complain_only if {
	r := run(snap("rootfs", aa_offline(object.union(aa_good_config, {"profiles": {"enforce": 0, "complain": 7}}))))
	r.status == "fail"
	contains(r.message, "no profile in enforce mode (7 in complain mode)")
}

test_zt_mac_001_fail_offline_not_installed if {
	r := run(snap("rootfs", aa_offline({"status": "ok", "installed": false})))
	r.status == "fail"
	contains(r.message, "not installed")
}

# Missing AppArmor facts on an offline root are an error, never a pass.
test_zt_mac_001_error_offline_apparmor_facts_missing if {
	r := run(snap("rootfs", aa_offline({"status": "ok"})))
	r.status != "pass"
	r2 := run(snap("rootfs", aa_offline({"status": "error", "reason": "apparmor.d unreadable"})))
	r2.status == "error"
	contains(r2.message, "apparmor.d unreadable")
}

test_zt_mac_001_skip_unavailable if {
	inp := {"target": {"kind": "host"}, "facts": {}, "collectors": [{"name": "mac", "status": "unavailable", "error": "no securityfs"}]}
	run(inp).status == "skip"
}
