package ztscan.svc_test

import data.ztscan.svc

offline_active := {"status": "unavailable", "reason": "offline root"}

unit(name, enabled, active) := {"name": name, "found": true, "enabled": enabled, "state": state(enabled), "masked": false, "active": active, "enabled_links": links(name, enabled)}

state(true) := "enabled"

state(false) := "disabled"

links(name, true) := [sprintf("/etc/systemd/system/multi-user.target.wants/%s", [name])]

links(_, false) := []

live(running) := {"status": "ok", "running": running, "active_state": active_word(running)}

active_word(true) := "active"

active_word(false) := "inactive"

unwanted(cups_enabled, active) := {
	"cups": {"cups.service": unit("cups.service", cups_enabled, active), "cups.socket": unit("cups.socket", false, active)},
	"avahi-daemon": {"avahi-daemon.service": unit("avahi-daemon.service", false, active)},
	"bluetooth": {"bluetooth.service": unit("bluetooth.service", false, active)},
}

f2b(installed, jail_enabled, u) := {
	"status": "ok", "installed": installed, "installed_evidence": "package fail2ban 1.0.2-2 is installed",
	"unit": u, "files": ["/etc/fail2ban/jail.conf", "/etc/fail2ban/jail.d/defaults-debian.conf"],
	"sshd_jail": {"enabled": jail_enabled, "declared": true, "file": "/etc/fail2ban/jail.d/defaults-debian.conf", "line": 2},
}

setting(v) := {"value": v, "file": "/etc/apt/apt.conf.d/20auto-upgrades", "line": 1}

uu(installed, lists, upgrade, timers_enabled) := {
	"status": "ok", "installed": installed,
	"settings": {"apt::periodic::update-package-lists": setting(lists), "apt::periodic::unattended-upgrade": setting(upgrade)},
	"timers": {"apt-daily.timer": unit("apt-daily.timer", timers_enabled, offline_active), "apt-daily-upgrade.timer": unit("apt-daily-upgrade.timer", timers_enabled, offline_active)},
}

no_dnf := {"status": "ok", "installed": false, "timers": {}}

snap(runtime, unw, fb, u, dnf) := {
	"target": {"kind": "rootfs"},
	"facts": {"services": {"runtime": runtime, "unwanted": unw, "fail2ban": fb, "auto_updates": {"unattended_upgrades": u, "dnf_automatic": dnf}}},
	"collectors": [{"name": "services", "status": "ok"}],
}

hardened := snap(offline_active, unwanted(false, offline_active), f2b(true, true, unit("fail2ban.service", true, offline_active)), uu(true, "1", "1", true), no_dnf)

live_snap(cups, f2b_running) := snap({"status": "ok"}, unwanted(cups, live(false)), f2b(true, true, unit("fail2ban.service", true, live(f2b_running))), uu(true, "1", "0", true), no_dnf)

failed := {"facts": {}, "collectors": [{"name": "services", "status": "error", "error": "boom"}]}

unavailable := {"facts": {}, "collectors": [{"name": "services", "status": "unavailable", "error": "no systemd"}]}

test_zt_svc_001_pass if {
	v := svc.zt_svc_001 with input as hardened
	v.status == "pass"
	contains(v.message, "offline root")
}

test_zt_svc_001_fail_enabled if {
	v := svc.zt_svc_001 with input as snap(offline_active, unwanted(true, offline_active), {}, {}, {})
	v.status == "fail"
	v.evidence.units == ["cups.service (enabled: /etc/systemd/system/multi-user.target.wants/cups.service)"]
}

test_zt_svc_001_fail_running if {
	u := object.union(unwanted(false, live(false)), {"bluetooth": {"bluetooth.service": unit("bluetooth.service", false, live(true))}})
	v := svc.zt_svc_001 with input as snap({"status": "ok"}, u, {}, {}, {})
	v.status == "fail"
	v.evidence.units == ["bluetooth.service (running)"]
}

test_zt_svc_001_error if {
	v := svc.zt_svc_001 with input as failed
	v.status == "error"
}

test_zt_svc_001_error_runtime if {
	v := svc.zt_svc_001 with input as snap({"status": "error"}, unwanted(false, {"status": "error", "reason": "systemctl show: exit 1"}), {}, {}, {})
	v.status == "error"
	contains(v.message, "systemctl show: exit 1")
}

test_zt_svc_001_skip if {
	v := svc.zt_svc_001 with input as unavailable
	v.status == "skip"
}

test_zt_svc_002_pass_offline if {
	v := svc.zt_svc_002 with input as hardened
	v.status == "pass"
	contains(v.message, "/etc/fail2ban/jail.d/defaults-debian.conf:2")
}

test_zt_svc_002_pass_live if {
	v := svc.zt_svc_002 with input as live_snap(false, true)
	v.status == "pass"
	v.message == "fail2ban is running with the sshd jail enabled (/etc/fail2ban/jail.d/defaults-debian.conf:2)"
}

test_zt_svc_002_fail_not_running if {
	v := svc.zt_svc_002 with input as live_snap(false, false)
	v.status == "fail"
	contains(v.message, "not running (inactive)")
}

test_zt_svc_002_fail_not_installed if {
	v := svc.zt_svc_002 with input as snap(offline_active, {}, {"status": "ok", "installed": false, "installed_evidence": "package fail2ban is not installed"}, {}, {})
	v.status == "fail"
	v.message == "fail2ban is not installed (package fail2ban is not installed)"
}

test_zt_svc_002_fail_jail_off if {
	v := svc.zt_svc_002 with input as snap(offline_active, {}, f2b(true, false, unit("fail2ban.service", true, offline_active)), {}, {})
	v.status == "fail"
	contains(v.message, "sshd jail is not enabled")
}

test_zt_svc_002_error if {
	v := svc.zt_svc_002 with input as snap(offline_active, {}, {"status": "error", "reason": "/etc/fail2ban/jail.local:3: option outside any section"}, {}, {})
	v.status == "error"
	contains(v.message, "jail.local:3")
}

test_zt_svc_002_skip if {
	v := svc.zt_svc_002 with input as unavailable
	v.status == "skip"
}

test_zt_svc_003_pass if {
	v := svc.zt_svc_003 with input as hardened
	v.status == "pass"
}

test_zt_svc_003_pass_dnf if {
	dnf := {"status": "ok", "installed": true, "timers": {"dnf-automatic-install.timer": unit("dnf-automatic-install.timer", true, offline_active)}}
	v := svc.zt_svc_003 with input as snap(offline_active, {}, {}, uu(false, "", "", false), dnf)
	v.status == "pass"
	v.message == "dnf-automatic-install.timer is enabled"
}

test_zt_svc_003_fail if {
	v := svc.zt_svc_003 with input as live_snap(false, true)
	v.status == "fail"
	v.message == "automatic updates are not configured: APT::Periodic::Unattended-Upgrade is not set to a non-zero value in /etc/apt/apt.conf.d"
}

test_zt_svc_003_fail_nothing if {
	v := svc.zt_svc_003 with input as snap(offline_active, {}, {}, uu(false, "", "", false), no_dnf)
	v.status == "fail"
	contains(v.message, "unattended-upgrades is not installed")
	contains(v.message, "apt-daily.timer is disabled")
}

test_zt_svc_003_error if {
	v := svc.zt_svc_003 with input as snap(offline_active, {}, {}, {"status": "error", "reason": "/etc/apt/apt.conf.d/50x:2: unexpected \"}\""}, no_dnf)
	v.status == "error"
}

test_zt_svc_003_skip if {
	v := svc.zt_svc_003 with input as unavailable
	v.status == "skip"
}

# A live host whose systemd cannot be asked: "enabled" does not prove
# fail2ban runs, so no pass (and no fail): an error naming why.
test_zt_svc_002_error_live_running_state_unknown if {
	unknown := {"status": "unavailable", "reason": "systemd is not running (no /run/systemd/system)"}
	inp := json.patch(hardened, [
		{"op": "replace", "path": "/target/kind", "value": "host"},
		{"op": "replace", "path": "/facts/services/fail2ban/unit/active", "value": unknown},
		{"op": "replace", "path": "/facts/services/runtime", "value": unknown},
	])
	v := svc.zt_svc_002 with input as inp
	v.status == "error"
	contains(v.message, "whether it runs cannot be read: systemd is not running")
}
