# Audit and monitoring (AUD), continued: file integrity monitoring and log
# shipping, judged on facts.logging.
package ztscan.aud

import data.ztscan.lib

aide := object.get(logf, "aide", {})

wazuh := object.get(logf, "wazuh", {})

# active: running on a live host, enabled on an offline root (where
# running is not a thing).
active(u) if running(u)

active(u) if {
	input.target.kind == "rootfs"
	object.get(u, ["active", "status"], "") == "unavailable"
	object.get(u, "enabled", false) == true
}

# state_unknown: a live host whose service manager cannot be asked
# (systemd is not PID 1): an enabled unit may or may not run, so it counts
# neither as shipping nor as stopped.
state_unknown(u) if {
	input.target.kind != "rootfs"
	object.get(u, ["active", "status"], "") == "unavailable"
	object.get(u, "enabled", false) == true
}

# unknown_shipping are the shippers configured to send off the host whose
# service state cannot be read (see state_unknown).
unknown_shipping := [n | some n in ship_notes; contains(n, "running state unknown")]

active_word(u) := "running" if running(u)
else := "enabled (offline root: running state not available)" if active(u)
else := sprintf("enabled, running state unknown (%s)", [object.get(u, ["active", "reason"], "no reason given")]) if state_unknown(u)
else := "stopped" if live_stopped(u)
else := unit_word(u)

fim_agents := {lower(a) | some a in object.get(cfg, "fim_agents", [])}

shippers := {lower(a) | some a in object.get(cfg, "log_shippers", [])}

aide_schedules := [sprintf("%s %s", [s.kind, s.where]) | some s in object.get(aide, "schedules", []); s.enabled == true]

fim_ok contains sprintf("AIDE: database %s initialised, run by %s", [aide.database.path, concat(", ", aide_schedules)]) if {
	"aide" in fim_agents
	aide.status == "ok"
	aide.installed == true
	aide.initialised == true
	count(aide_schedules) > 0
}

fim_ok contains sprintf("Wazuh/OSSEC agent: syscheck enabled in %s, %s %s", [wazuh.config, wazuh.service.name, active_word(wazuh.service)]) if {
	some a in {"wazuh", "ossec"}
	a in fim_agents
	wazuh.status == "ok"
	wazuh.installed == true
	wazuh.syscheck_enabled == true
	active(wazuh.service)
}

fim_problems contains sprintf("AIDE is not installed (%s)", [object.get(aide, "installed_evidence", "")]) if {
	"aide" in fim_agents
	object.get(aide, "installed", false) == false
}

fim_problems contains sprintf("AIDE database %s is not initialised%s", [aide.database.path, pending_note]) if {
	"aide" in fim_agents
	aide.installed == true
	aide.initialised == false
}

pending_note := " (aide --init wrote a new database that was never moved into place)" if aide.new_database_pending == true
else := ""

fim_problems contains "no enabled timer or cron job runs AIDE" if {
	"aide" in fim_agents
	aide.installed == true
	count(aide_schedules) == 0
}

fim_problems contains sprintf("Wazuh/OSSEC agent is not installed (%s)", [object.get(wazuh, "installed_evidence", "")]) if {
	count({"wazuh", "ossec"} & fim_agents) > 0
	object.get(wazuh, "installed", false) == false
}

fim_problems contains sprintf("Wazuh/OSSEC syscheck is off (%s)", [wazuh.syscheck_where]) if {
	count({"wazuh", "ossec"} & fim_agents) > 0
	wazuh.installed == true
	wazuh.syscheck_enabled == false
}

fim_problems contains sprintf("Wazuh/OSSEC agent %s is %s", [wazuh.service.name, active_word(wazuh.service)]) if {
	count({"wazuh", "ossec"} & fim_agents) > 0
	wazuh.installed == true
	not active(wazuh.service)
}

part_errors(parts) := sort([sprintf("%s: %s", [name, msg]) |
	some name, p in parts
	msg := part_error(p)
])

part_error(p) := object.get(p, "reason", "no reason") if object.get(p, "status", "") != "ok"
else := unit_error(object.get(p, "service", {}))

fim_parts := {"aide": aide, "wazuh": wazuh}

fim_ev := {"aide": aide, "wazuh": wazuh, "accepted": sort(fim_agents)}

# METADATA
# title: File integrity monitoring is present and scheduled
# description: >-
#   A file integrity monitor watches the system: AIDE installed with an
#   initialised database and an enabled timer or cron job that runs the
#   check, or a Wazuh/OSSEC agent with syscheck enabled and its service
#   active. audit.fim_agents lists the monitors accepted.
# custom:
#   id: ZT-AUD-008
#   severity: medium
#   remediation: >-
#     apt install aide aide-common; aideinit (or aide --init, then move
#     /var/lib/aide/aide.db.new to /var/lib/aide/aide.db); systemctl enable
#     --now dailyaidecheck.timer (or a cron job running aide --check). Or
#     enable <syscheck> in /var/ossec/etc/ossec.conf of the Wazuh agent.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.3.1 (AIDE is installed), 6.3.2 (filesystem integrity is regularly checked)
#     - NIST SP 800-53 SI-7, SI-7(1)
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_aud_008 := v if {
	v := lib.missing("logging")
} else := v if {
	v := lib.config_missing(["audit.fim_agents"])
} else := lib.pass(concat("; ", sort(fim_ok)), fim_ev) if {
	count(fim_ok) > 0
} else := lib.error(sprintf("file integrity facts could not be read: %s", [concat("; ", part_errors(fim_parts))])) if {
	count(part_errors(fim_parts)) > 0
} else := lib.fail(sprintf("no file integrity monitoring: %s", [concat("; ", sort(fim_problems))]), fim_ev)

rsyslog := object.get(logf, "rsyslog", {})

syslogng := object.get(logf, "syslog_ng", {})

jupload := object.get(logf, "journal_upload", {})

remote_forwards := [sprintf("%s:%d -> %s%s (%s%s)", [f.file, f.line, f.target, port_word(f.port), f.protocol, tls_word(f.tls)]) |
	some f in object.get(rsyslog, "forwards", [])
	f.remote == true
]

port_word(p) := sprintf(":%s", [p]) if p != ""
else := ""

tls_word(true) := ", TLS"

tls_word(false) := ""

remote_destinations := [sprintf("%s (%s:%d) -> %s%s (%s%s)", [d.name, d.file, d.line, d.target, port_word(object.get(d, "port", "")), object.get(d, "transport", ""), tls_word(d.tls)]) |
	some d in object.get(syslogng, "destinations", [])
	d.remote == true
	d.used == true
]

ships contains sprintf("Wazuh/OSSEC agent %s %s, reporting to %s", [wazuh.service.name, active_word(wazuh.service), concat(", ", wazuh.managers)]) if {
	count({"wazuh", "ossec"} & shippers) > 0
	wazuh.status == "ok"
	wazuh.installed == true
	count(wazuh.managers) > 0
	active(wazuh.service)
}

ships contains sprintf("rsyslog %s, forwarding %s", [active_word(rsyslog.service), concat(", ", remote_forwards)]) if {
	"rsyslog" in shippers
	rsyslog.status == "ok"
	rsyslog.installed == true
	count(remote_forwards) > 0
	active(rsyslog.service)
}

ships contains sprintf("syslog-ng %s, sending to %s", [active_word(syslogng.service), concat(", ", remote_destinations)]) if {
	"syslog-ng" in shippers
	syslogng.status == "ok"
	syslogng.installed == true
	count(remote_destinations) > 0
	active(syslogng.service)
}

ships contains sprintf("systemd-journal-upload %s, URL %s (%s)", [active_word(jupload.service), jupload.url, jupload.url_from]) if {
	"journal-upload" in shippers
	jupload.status == "ok"
	jupload.installed == true
	jupload.url != ""
	active(jupload.service)
}

ship_notes contains sprintf("rsyslog forwards to %s but is %s", [concat(", ", remote_forwards), active_word(rsyslog.service)]) if {
	count(remote_forwards) > 0
	not active(rsyslog.service)
}

ship_notes contains "rsyslog has no remote forwarding action" if {
	rsyslog.installed == true
	count(remote_forwards) == 0
}

ship_notes contains sprintf("syslog-ng sends to %s but is %s", [concat(", ", remote_destinations), active_word(syslogng.service)]) if {
	count(remote_destinations) > 0
	not active(syslogng.service)
}

ship_notes contains "syslog-ng has no remote destination used by a log path" if {
	syslogng.installed == true
	count(remote_destinations) == 0
}

ship_notes contains sprintf("the Wazuh/OSSEC agent is %s%s", [active_word(wazuh.service), manager_note]) if {
	wazuh.installed == true
}

manager_note := " and has no manager address" if count(object.get(wazuh, "managers", [])) == 0
else := ""

ship_notes contains sprintf("systemd-journal-upload is %s%s", [active_word(jupload.service), url_note]) if {
	jupload.installed == true
}

url_note := " and has no URL" if object.get(jupload, "url", "") == ""
else := ""

ship_notes contains "no log shipping agent is installed (wazuh-agent, rsyslog, syslog-ng, systemd-journal-remote)" if {
	object.get(rsyslog, "installed", false) == false
	object.get(syslogng, "installed", false) == false
	object.get(wazuh, "installed", false) == false
	object.get(jupload, "installed", false) == false
}

ship_parts := {"rsyslog": rsyslog, "syslog_ng": syslogng, "wazuh": wazuh, "journal_upload": jupload}

ship_ev := {"rsyslog_forwards": remote_forwards, "syslog_ng_destinations": remote_destinations, "wazuh_managers": object.get(wazuh, "managers", []), "journal_upload_url": object.get(jupload, "url", ""), "accepted": sort(shippers)}

# METADATA
# title: Logs are shipped to a SIEM
# description: >-
#   A log shipping agent is active (running on a live host, enabled on an
#   offline root) and sends to a remote target: a Wazuh/OSSEC agent with a
#   manager address, rsyslog with an omfwd/omrelp action or a legacy @/@@
#   forward to a non-loopback host (rsyslog.conf and its includes,
#   comments ignored), syslog-ng with a network destination used by a log
#   path, or systemd-journal-upload with a URL. audit.log_shippers lists
#   the agents accepted.
# custom:
#   id: ZT-AUD-009
#   severity: medium
#   remediation: >-
#     Forward with rsyslog over TLS: put action(type="omfwd"
#     target="siem.example.net" port="6514" protocol="tcp"
#     StreamDriver="gtls" StreamDriverMode="1"
#     StreamDriverAuthMode="x509/name") in /etc/rsyslog.d/90-forward.conf
#     and systemctl restart rsyslog; or install and enrol the Wazuh agent;
#     or set URL= in /etc/systemd/journal-upload.conf and systemctl enable
#     --now systemd-journal-upload.
#   references:
#     - CIS Debian Linux 12 Benchmark 6.1.2.1.2 (systemd-journal-upload authentication is configured), 6.1.3.6 (rsyslog is configured to send logs to a remote log host)
#     - NIST SP 800-53 AU-4(1), AU-6(4), AU-9(2)
#     - NIST SP 800-207 tenet 7 (collect information to improve security posture)
zt_aud_009 := v if {
	v := lib.missing("logging")
} else := v if {
	v := lib.config_missing(["audit.log_shippers"])
} else := lib.pass(concat("; ", sort(ships)), ship_ev) if {
	count(ships) > 0
} else := lib.error(sprintf("log shipping facts could not be read: %s", [concat("; ", part_errors(ship_parts))])) if {
	count(part_errors(ship_parts)) > 0
} else := lib.error(sprintf("log shipping is configured but whether its service runs cannot be read: %s", [concat("; ", sort(unknown_shipping))])) if {
	count(unknown_shipping) > 0
} else := lib.fail(sprintf("no active log shipping: %s", [concat("; ", sort(ship_notes))]), ship_ev)
