# Time synchronisation (TIME): a synchronised clock and a small offset,
# without which certificates, tokens and audit trails stop lining up.
package ztscan.time

import data.ztscan.lib

facts := object.get(input, ["facts", "time"], {})

rootfs if input.target.kind == "rootfs"

daemons := object.get(facts, "daemons", [])

installed := [d | some d in daemons; d.installed == true]

enabled := [d | some d in installed; d.enabled == true]

configured := [d | some d in enabled; count(object.get(d, "servers", [])) + count([1 | d.fallback_servers == true]) > 0]

running := [d | some d in daemons; d.running == true]

names(ds) := concat(", ", [d.name | some d in ds])

role := object.get(input, ["facts", "platform", "virtualization", "role"], "unknown")

kernel := object.get(facts, "kernel", {})

# The view that says whether a running daemon keeps the clock
# synchronised: chronyc, timedatectl, or for ntpd and OpenNTPD (which
# discipline the kernel) the kernel's own STA_UNSYNC.
view("chrony") := object.get(facts, "chrony", {})

view("systemd-timesyncd") := object.get(facts, "timesyncd", {})

view(name) := kernel if not name in {"chrony", "systemd-timesyncd"}

describe("chrony", v) := sprintf("chronyd tracks %s (stratum %v, leap status %s)", [
	object.get(v, ["tracking", "reference_name"], "?"),
	object.get(v, ["tracking", "stratum"], "?"),
	object.get(v, ["tracking", "leap_status"], "?"),
])

describe("systemd-timesyncd", v) := sprintf("timedatectl says NTPSynchronized=%v (server %s)", [object.get(v, "synchronised", false), object.get(v, "server", "none")])

describe(name, v) := sprintf("%s runs and the kernel clock is %s (%s)", [name, sync_word(object.get(v, "synchronised", false)), concat(" ", object.get(v, "status_flags", []))]) if {
	not name in {"chrony", "systemd-timesyncd"}
}

sync_word(true) := "synchronised"

sync_word(false) := "not synchronised (STA_UNSYNC)"

state(d) := {"state": "error", "text": sprintf("%s runs but its state could not be read: %s", [d.name, object.get(v, "reason", "no reason given")])} if {
	v := view(d.name)
	object.get(v, "status", null) != "ok"
}

state(d) := {"state": "synced", "text": describe(d.name, v)} if {
	v := view(d.name)
	v.status == "ok"
	v.synchronised == true
}

state(d) := {"state": "unsynced", "text": describe(d.name, v)} if {
	v := view(d.name)
	v.status == "ok"
	object.get(v, "synchronised", false) != true
}

states(s) := [st.text | some d in running; st := state(d); st.state == s]

evidence := {
	"daemons": [{"name": d.name, "installed": d.installed, "enabled": d.enabled, "running": object.get(d, "running", null), "servers": object.get(d, "servers", [])} | some d in installed],
	"kernel": object.get(kernel, "status_flags", []),
}

not_running_text := sprintf("installed: %s; enabled: %s", [none_if_empty(names(installed)), none_if_empty(names(enabled))])

none_if_empty("") := "none"

none_if_empty(s) := s if s != ""

# METADATA
# title: The clock is kept synchronised
# description: >-
#   A time synchronisation daemon (chronyd, systemd-timesyncd, ntpd,
#   OpenNTPD) is running and reports the clock synchronised. Certificate
#   and token validity, Kerberos, TOTP and the order of audit records all
#   assume a correct clock. On an offline root the daemon must be
#   installed, enabled and configured with servers.
# custom:
#   id: ZT-TIME-001
#   severity: high
#   remediation: >-
#     Install and enable chrony ("apt install chrony", "systemctl enable
#     --now chrony"), list your time sources in
#     /etc/chrony/sources.d/site.sources ("server ntp1.example.net iburst
#     nts"), and check "chronyc tracking" shows a reference and "Leap
#     status : Normal".
#   references:
#     - CIS Debian Linux 12 Benchmark 2.3.1.1 (a single time synchronization daemon is in use)
#     - NIST SP 800-53 AU-8 (time stamps), SC-45 (system time synchronization)
#     - NIST SP 800-207 tenet 7 (collect information about the state of assets)
zt_time_001 := v if {
	v := lib.missing("time")
} else := lib.error("facts.time.daemons is missing") if {
	not facts.daemons
} else := lib.fail("no time synchronisation daemon is installed (chrony, systemd-timesyncd, ntp, ntpsec, openntpd)", evidence) if {
	count(installed) == 0
	not container_on_synced_kernel
} else := v if {
	rootfs
	v := rootfs_verdict
} else := lib.pass(concat("; ", states("synced")), evidence) if {
	count(states("synced")) > 0
} else := lib.pass(sprintf("a %s container runs on its host's clock, which the kernel reports synchronised (STA_UNSYNC clear)", [object.get(input, ["facts", "platform", "virtualization", "system"], "")]), evidence) if {
	container_on_synced_kernel
} else := lib.fail(sprintf("no time synchronisation daemon is running (%s)%s", [not_running_text, container_note]), evidence) if {
	count(running) == 0
} else := lib.error(concat("; ", states("error"))) if {
	count(states("error")) > 0
} else := lib.fail(sprintf("the clock is not synchronised: %s", [concat("; ", states("unsynced"))]), evidence)

container_on_synced_kernel if {
	not rootfs
	role == "container"
	count(running) == 0
	kernel.status == "ok"
	kernel.synchronised == true
}

container_note := sprintf("; this is a container and the shared kernel clock is %s", [sync_word(object.get(kernel, "synchronised", false))]) if {
	role == "container"
	kernel.status == "ok"
} else := ""

rootfs_verdict := lib.fail(sprintf("%s installed but not enabled at boot", [names(installed)]), evidence) if {
	count(enabled) == 0
} else := lib.fail(sprintf("%s enabled but configures no time source", [names(enabled)]), evidence) if {
	count(configured) == 0
} else := lib.pass(sprintf("%s enabled with %s (configuration only: synchronisation is checked on the running host)", [names(configured), concat(", ", [s | some d in configured; some s in d.servers])]), evidence)

threshold := object.get(data.config, ["time", "offset_threshold_ms"], null)

offset := object.get(facts, "offset", {})

# The worst of the measurements, so that disagreeing sources cannot hide
# a bad one behind a good one.
worst := max([abs(m.ms) | some m in object.get(offset, "measurements", [])])

disagree_text := sprintf("; sources disagree: %s", [concat("; ", offset.disagreements)]) if {
	count(object.get(offset, "disagreements", [])) > 0
} else := ""

offset_evidence := {"offset_ms": offset.ms, "source": offset.source, "kind": offset.kind, "measurements": object.get(offset, "measurements", []), "disagreements": object.get(offset, "disagreements", []), "threshold_ms": threshold}

# METADATA
# title: Clock offset below the threshold
# description: >-
#   The clock's offset, as measured by the synchronisation daemon (chronyd,
#   timesyncd) or the kernel, is below time.offset_threshold_ms (500 ms).
#   When no synchronised source measures it, the kernel's maximum error
#   estimate is judged. An offline root has no clock: the rule skips.
# custom:
#   id: ZT-TIME-002
#   severity: high
#   remediation: >-
#     Check "chronyc sources" for reachable sources and "chronyc tracking"
#     for the offset; step a clock that is far off once with "chronyc
#     makestep" and keep "makestep 1 3" in chrony.conf so that boot-time
#     offsets are stepped.
#   references:
#     - NIST SP 800-53 AU-8 (time stamps), SC-45 (system time synchronization)
#     - NIST SP 800-207 tenet 6 (dynamic authentication and authorization strictly enforced)
zt_time_002 := v if {
	v := lib.missing("time")
} else := v if {
	v := lib.config_missing(["time.offset_threshold_ms"])
} else := v if {
	v := lib.part_missing(offset, "the clock offset")
} else := lib.error(sprintf("the clock offset could not be read: %s", [object.get(offset, "reason", "no reason given")])) if {
	offset.status != "ok"
} else := lib.fail(sprintf("no synchronised source measures the clock: %s says the error may reach %v ms (threshold %v ms)", [offset.source, offset.ms, threshold]), offset_evidence) if {
	offset.kind == "max_error"
	abs(offset.ms) >= threshold
} else := lib.fail(sprintf("the clock is off by %v ms (largest of %s), threshold %v ms%s", [worst, concat(", ", [m.source | some m in offset.measurements]), threshold, disagree_text]), offset_evidence) if {
	worst >= threshold
} else := lib.fail(sprintf("the clock may be off by %v ms (%s), threshold %v ms", [offset.ms, offset.source, threshold]), offset_evidence) if {
	abs(offset.ms) >= threshold
} else := lib.pass(sprintf("the clock is off by %v ms by %s, below %v ms%s", [offset.ms, offset.source, threshold, disagree_text]), offset_evidence)
