package ztscan.aud_logging_test

import data.ztscan.aud

conf := {"audit": {"fim_agents": ["aide", "wazuh", "ossec"], "log_shippers": ["wazuh", "ossec", "rsyslog", "syslog-ng", "journal-upload"]}}

offline := {"status": "unavailable", "reason": "offline root"}

unit(name, enabled, active) := {"name": name, "found": true, "enabled": enabled, "state": state(enabled), "masked": false, "active": active}

state(true) := "enabled"

state(false) := "disabled"

live(r) := {"status": "ok", "running": r, "active_state": word(r)}

word(true) := "active"

word(false) := "inactive"

aide(installed, initialised, timer_enabled) := {
	"status": "ok", "installed": installed, "installed_evidence": "package aide 0.18.3-1 is installed",
	"config": "/etc/aide/aide.conf", "database": {"path": "/var/lib/aide/aide.db", "exists": initialised},
	"database_from": "/etc/aide/aide.conf:12", "initialised": initialised, "new_database_pending": false,
	"schedules": [{"kind": "timer", "where": "dailyaidecheck.timer", "enabled": timer_enabled}],
}

no_wazuh := {"status": "ok", "installed": false, "installed_evidence": "none of the packages wazuh-agent, ossec-hids-agent, ossec-hids is installed", "managers": [], "service": {"name": "wazuh-agent.service", "found": false, "enabled": false, "active": offline}}

wazuh(syscheck, managers, active) := {"status": "ok", "installed": true, "installed_evidence": "package wazuh-agent 4.7.2-1 is installed", "config": "/var/ossec/etc/ossec.conf", "syscheck_enabled": syscheck, "syscheck_where": "<syscheck> block", "managers": managers, "service": unit("wazuh-agent.service", true, active)}

fwd(target) := {"file": "/etc/rsyslog.d/90-forward.conf", "line": 1, "module": "omfwd", "syntax": "rainerscript", "target": target, "port": "6514", "protocol": "tcp", "tls": true, "remote": target != "127.0.0.1"}

rsyslog(forwards, active) := {"status": "ok", "installed": true, "installed_evidence": "package rsyslog 8.2302.0-1 is installed", "service": unit("rsyslog.service", true, active), "files": ["/etc/rsyslog.conf"], "forwards": forwards, "problems": []}

not_installed(name) := {"status": "ok", "installed": false, "installed_evidence": sprintf("package %s is not installed", [name]), "service": {"name": name, "found": false, "enabled": false, "active": offline}, "destinations": []}

snap(a, w, r) := {"target": {"kind": "rootfs"}, "facts": {"logging": {
	"runtime": offline, "aide": a, "wazuh": w, "rsyslog": r,
	"syslog_ng": not_installed("syslog-ng-core"), "journal_upload": not_installed("systemd-journal-remote"),
}}, "collectors": [{"name": "logging", "status": "ok"}]}

hardened := snap(aide(true, true, true), no_wazuh, rsyslog([fwd("siem.example.net")], offline))

failed := {"facts": {}, "collectors": [{"name": "logging", "status": "error", "error": "boom"}]}

unavailable := {"facts": {}, "collectors": [{"name": "logging", "status": "unavailable", "error": "nothing"}]}

test_zt_aud_008_pass_aide if {
	v := aud.zt_aud_008 with input as hardened with data.config as conf
	v.status == "pass"
	v.message == "AIDE: database /var/lib/aide/aide.db initialised, run by timer dailyaidecheck.timer"
}

test_zt_aud_008_pass_wazuh if {
	v := aud.zt_aud_008 with input as snap(aide(false, false, false), wazuh(true, ["10.0.0.5"], live(true)), rsyslog([], live(true))) with data.config as conf
	v.status == "pass"
	contains(v.message, "syscheck enabled in /var/ossec/etc/ossec.conf, wazuh-agent.service running")
}

test_zt_aud_008_fail_uninitialised if {
	v := aud.zt_aud_008 with input as snap(aide(true, false, false), no_wazuh, rsyslog([], offline)) with data.config as conf
	v.status == "fail"
	contains(v.message, "AIDE database /var/lib/aide/aide.db is not initialised")
	contains(v.message, "no enabled timer or cron job runs AIDE")
}

test_zt_aud_008_fail_aide_not_accepted if {
	v := aud.zt_aud_008 with input as hardened with data.config as {"audit": {"fim_agents": ["wazuh"], "log_shippers": []}}
	v.status == "fail"
	not contains(v.message, "AIDE")
}

test_zt_aud_008_error if {
	v := aud.zt_aud_008 with input as snap({"status": "error", "reason": "/etc/aide/aide.conf: permission denied"}, no_wazuh, rsyslog([], offline)) with data.config as conf
	v.status == "error"
	contains(v.message, "aide: /etc/aide/aide.conf: permission denied")
}

test_zt_aud_008_skip if {
	v := aud.zt_aud_008 with input as unavailable with data.config as conf
	v.status == "skip"
}

test_zt_aud_009_pass_rsyslog if {
	v := aud.zt_aud_009 with input as hardened with data.config as conf
	v.status == "pass"
	v.message == "rsyslog enabled (offline root: running state not available), forwarding /etc/rsyslog.d/90-forward.conf:1 -> siem.example.net:6514 (tcp, TLS)"
}

test_zt_aud_009_fail_loopback_only if {
	v := aud.zt_aud_009 with input as snap(aide(true, true, true), no_wazuh, rsyslog([fwd("127.0.0.1")], offline)) with data.config as conf
	v.status == "fail"
	v.message == "no active log shipping: rsyslog has no remote forwarding action"
}

test_zt_aud_009_fail_stopped if {
	v := aud.zt_aud_009 with input as snap(aide(true, true, true), no_wazuh, rsyslog([fwd("siem.example.net")], live(false))) with data.config as conf
	v.status == "fail"
	contains(v.message, "but is stopped")
}

test_zt_aud_009_fail_wazuh_without_manager if {
	v := aud.zt_aud_009 with input as snap(aide(true, true, true), wazuh(true, [], live(true)), rsyslog([], live(true))) with data.config as conf
	v.status == "fail"
	contains(v.message, "the Wazuh/OSSEC agent is running and has no manager address")
}

test_zt_aud_009_error if {
	v := aud.zt_aud_009 with input as snap(aide(true, true, true), no_wazuh, {"status": "error", "reason": "/etc/rsyslog.conf:3: unterminated action("}) with data.config as conf
	v.status == "error"
	contains(v.message, "rsyslog: /etc/rsyslog.conf:3: unterminated action(")
}

test_zt_aud_009_error_collector if {
	v := aud.zt_aud_009 with input as failed with data.config as conf
	v.status == "error"
}

test_zt_aud_009_skip if {
	v := aud.zt_aud_009 with input as unavailable with data.config as conf
	v.status == "skip"
}

# A live host whose service manager cannot be asked (systemd is not PID 1):
# an enabled, forwarding rsyslog may or may not run. Neither a pass on
# "enabled" nor a fail on "not running": an error naming why.
test_zt_aud_009_error_live_running_state_unknown if {
	live := json.patch(snap(aide(true, true, true), no_wazuh, rsyslog([fwd("siem.example.net")], {"status": "unavailable", "reason": "systemd is not running (no /run/systemd/system)"})), [{"op": "replace", "path": "/target/kind", "value": "host"}])
	v := aud.zt_aud_009 with input as live with data.config as conf
	v.status == "error"
	contains(v.message, "running state unknown (systemd is not running")
}

# An rsyslog whose state is unknown but that forwards nothing is simply
# no log shipping: a fail, not an error.
test_zt_aud_009_fail_live_unknown_state_without_forwarding if {
	live := json.patch(snap(aide(true, true, true), no_wazuh, rsyslog([], {"status": "unavailable", "reason": "systemd is not running"})), [{"op": "replace", "path": "/target/kind", "value": "host"}])
	v := aud.zt_aud_009 with input as live with data.config as conf
	v.status == "fail"
}
