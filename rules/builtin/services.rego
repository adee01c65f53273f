# Services (SVC): no desktop services on a server, brute-force protection
# in front of sshd, automatic security updates.
package ztscan.svc

import data.ztscan.lib

svc := object.get(input, ["facts", "services"], {})

unwanted := object.get(svc, "unwanted", {})

# A unit runs when the live systemd says so; offline it is unknown.
running(u) if {
	u.active.status == "ok"
	u.active.running == true
}

# active_errors lists units whose runtime state could not be read on a
# live host.
unit_errors(units) := [sprintf("%s: %s", [u.name, object.get(u, "error", object.get(u.active, "reason", ""))]) |
	some u in units
	unit_error(u)
]

unit_error(u) if object.get(u, "error", "") != ""

unit_error(u) if object.get(u, ["active", "status"], "") == "error"

unwanted_units := [u | some _, units in unwanted; some _, u in units]

offending := sort(array.concat(
	[sprintf("%s (%s)", [u.name, how(u)]) |
		some u in unwanted_units
		object.get(u, "enabled", false) == true
	],
	[sprintf("%s (running)", [u.name]) |
		some u in unwanted_units
		object.get(u, "enabled", false) == false
		running(u)
	],
))

how(u) := "enabled and running" if running(u)
else := sprintf("enabled: %s", [concat(", ", object.get(u, "enabled_links", []))])

default scope := "enabled or running"

scope := "enabled (offline root: running state not available)" if {
	input.target.kind == "rootfs"
	object.get(svc, ["runtime", "status"], "") == "unavailable"
}

scope := sprintf("enabled (running state not available: %s)", [object.get(svc, ["runtime", "reason"], "no reason given")]) if {
	input.target.kind != "rootfs"
	object.get(svc, ["runtime", "status"], "") == "unavailable"
}

# METADATA
# title: No desktop services (cups, avahi-daemon, bluetooth)
# description: >-
#   Printing, mDNS/DNS-SD discovery and Bluetooth daemons have no place on
#   a server: each listens or scans, and each has had remote
#   vulnerabilities. None of their units (service, socket or path) may be
#   enabled or running.
# custom:
#   id: ZT-SVC-001
#   severity: medium
#   remediation: >-
#     systemctl disable --now cups.service cups.socket cups.path
#     cups-browsed.service avahi-daemon.service avahi-daemon.socket
#     bluetooth.service (or "systemctl mask" them), or remove the packages:
#     apt purge cups avahi-daemon bluez.
#   references:
#     - CIS Debian Linux 12 Benchmark 2.1.1 (avahi), 2.1.12 (cups), 3.1.3 (bluetooth)
#     - NIST SP 800-53 CM-7
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_svc_001 := v if {
	v := lib.missing("services")
} else := lib.error("facts.services.unwanted is missing") if {
	count(unwanted) == 0
} else := lib.error(sprintf("unit state could not be read: %s", [concat("; ", unit_errors(unwanted_units))])) if {
	count(unit_errors(unwanted_units)) > 0
} else := lib.fail(sprintf("desktop services are %s: %s", [scope, concat(", ", offending)]), {"units": offending}) if {
	count(offending) > 0
} else := lib.pass(sprintf("none of cups, avahi-daemon, bluetooth is %s", [scope]), {"units": sort([u.name | some u in unwanted_units; u.found == true])})

f2b := object.get(svc, "fail2ban", {})

f2b_unit := object.get(f2b, "unit", {})

jail := object.get(f2b, "sshd_jail", {})

jail_where := sprintf("%s:%d", [jail.file, jail.line]) if jail.file
else := "no enabled = line"

f2b_ev := {
	"installed": object.get(f2b, "installed", null),
	"files": object.get(f2b, "files", []),
	"sshd_jail": jail,
	"unit_state": object.get(f2b_unit, "state", null),
	"running": object.get(f2b_unit, ["active", "running"], null),
}

# METADATA
# title: fail2ban protects sshd
# description: >-
#   fail2ban runs with the sshd jail enabled (jail.conf, jail.d/*.conf,
#   jail.local, jail.d/*.local, later files winning), so that password and
#   key guessing against sshd is banned at the firewall.
# custom:
#   id: ZT-SVC-002
#   severity: medium
#   remediation: >-
#     apt install fail2ban; put "[sshd]\nenabled = true" in
#     /etc/fail2ban/jail.d/sshd.local; systemctl enable --now fail2ban;
#     check with "fail2ban-client status sshd".
#   references:
#     - NIST SP 800-53 AC-7, SI-4
#     - NIST SP 800-207 tenet 7 (collect information to improve security posture)
zt_svc_002 := v if {
	v := lib.missing("services")
} else := v if {
	v := lib.part_missing(f2b, "fail2ban configuration")
} else := lib.fail(sprintf("fail2ban is not installed (%s)", [object.get(f2b, "installed_evidence", "")]), f2b_ev) if {
	object.get(f2b, "installed", false) == false
} else := lib.fail(sprintf("fail2ban's sshd jail is not enabled (%s)", [jail_where]), f2b_ev) if {
	object.get(jail, "enabled", false) == false
} else := lib.error(sprintf("fail2ban.service: %s", [concat("; ", unit_errors([f2b_unit]))])) if {
	count(unit_errors([f2b_unit])) > 0
} else := lib.pass(sprintf("fail2ban is running with the sshd jail enabled (%s)", [jail_where]), f2b_ev) if {
	running(f2b_unit)
} else := lib.fail(sprintf("fail2ban's sshd jail is enabled (%s) but fail2ban.service is not running (%s)", [jail_where, object.get(f2b_unit, ["active", "active_state"], "?")]), f2b_ev) if {
	object.get(f2b_unit, ["active", "status"], "") == "ok"
} else := lib.pass(sprintf("fail2ban.service is enabled with the sshd jail enabled (%s); offline root: running state not available", [jail_where]), f2b_ev) if {
	input.target.kind == "rootfs"
	object.get(f2b_unit, "enabled", false) == true
} else := lib.error(sprintf("fail2ban.service is enabled with the sshd jail enabled (%s), but whether it runs cannot be read: %s", [jail_where, object.get(f2b_unit, ["active", "reason"], "no reason given")])) if {
	object.get(f2b_unit, "enabled", false) == true
} else := lib.fail(sprintf("fail2ban's sshd jail is enabled (%s) but fail2ban.service is %s", [jail_where, object.get(f2b_unit, "state", "not found")]), f2b_ev)

uu := object.get(svc, ["auto_updates", "unattended_upgrades"], {})

dnf := object.get(svc, ["auto_updates", "dnf_automatic"], {})

periodic_on(key) if {
	s := uu.settings[key].value
	not s in {"", "0", "false", "no"}
}

uu_problems contains "unattended-upgrades is not installed" if object.get(uu, "installed", false) == false

uu_problems contains sprintf("%s is not set to a non-zero value in /etc/apt/apt.conf.d", [k]) if {
	some k in ["APT::Periodic::Update-Package-Lists", "APT::Periodic::Unattended-Upgrade"]
	not periodic_on(lower(k))
}

uu_problems contains sprintf("%s is %s", [t, object.get(uu.timers[t], "state", "not found")]) if {
	some t in ["apt-daily.timer", "apt-daily-upgrade.timer"]
	object.get(uu, ["timers", t, "enabled"], false) == false
}

dnf_ok := "dnf-automatic-install.timer is enabled" if {
	object.get(dnf, ["timers", "dnf-automatic-install.timer", "enabled"], false) == true
} else := sprintf("dnf-automatic.timer is enabled and %s:%d sets apply_updates = %s", [dnf.apply_updates.file, dnf.apply_updates.line, dnf.apply_updates.value]) if {
	object.get(dnf, ["timers", "dnf-automatic.timer", "enabled"], false) == true
	lower(object.get(dnf, ["apply_updates", "value"], "no")) in {"yes", "true", "1", "on"}
}

updates_ev := {"unattended_upgrades": uu, "dnf_automatic": dnf}

# METADATA
# title: Automatic security updates are configured
# description: >-
#   Security fixes install without waiting for a person: unattended-upgrades
#   installed with APT::Periodic::Update-Package-Lists and
#   APT::Periodic::Unattended-Upgrade on and the apt-daily timers enabled
#   (Debian), or dnf-automatic installing updates from its timer (RHEL,
#   Fedora).
# custom:
#   id: ZT-SVC-003
#   severity: medium
#   remediation: >-
#     Debian: apt install unattended-upgrades; dpkg-reconfigure -plow
#     unattended-upgrades (writes /etc/apt/apt.conf.d/20auto-upgrades with
#     both APT::Periodic settings "1"); systemctl enable apt-daily.timer
#     apt-daily-upgrade.timer. RHEL: dnf install dnf-automatic; systemctl
#     enable --now dnf-automatic-install.timer.
#   references:
#     - CIS Debian Linux 12 Benchmark 1.2.2.1 (updates, patches and security software are installed)
#     - NIST SP 800-53 SI-2(2)
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_svc_003 := v if {
	v := lib.missing("services")
} else := v if {
	v := lib.part_missing(uu, "unattended-upgrades configuration")
} else := v if {
	v := lib.part_missing(dnf, "dnf-automatic configuration")
} else := lib.pass(sprintf("unattended-upgrades is installed, %s and %s are on, apt-daily timers enabled", ["APT::Periodic::Update-Package-Lists", "APT::Periodic::Unattended-Upgrade"]), updates_ev) if {
	count(uu_problems) == 0
} else := lib.pass(dnf_ok, updates_ev) if {
	dnf_ok
} else := lib.fail(sprintf("automatic updates are not configured: %s", [concat("; ", sort(uu_problems))]), updates_ev)
