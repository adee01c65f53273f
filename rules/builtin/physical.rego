# Physical layer (PHY): temperatures and optical receive power, the
# faults that take a link or a host down without any log line first.
package ztscan.phy

import data.ztscan.lib

sensors := object.get(input, ["facts", "sensors"], {})

temps := object.get(sensors, "temperatures", [])

readable := [s | some s in temps; s.status == "ok"; is_number(s.input_c)]

unreadable := [s | some s in temps; s.status != "ok"]

name(s) := sprintf("%s %s", [s.chip, s.label]) if s.label != ""

else := sprintf("%s %s", [s.chip, s.channel]) if object.get(s, "channel", "") != ""

else := sprintf("%s (%s)", [s.chip, s.device])

unreadable_text := sprintf("; %d sensor(s) could not be read: %s", [count(unreadable), concat(", ", [sprintf("%s: %s", [s.path, object.get(s, "reason", "")]) | some s in unreadable])]) if {
	count(unreadable) > 0
} else := ""

over(s, limit) if {
	is_number(s[limit])
	s.input_c >= s[limit]
}

sensor_evidence(ss) := [{"sensor": name(s), "path": s.path, "input_c": s.input_c, "max_c": object.get(s, "max_c", null), "crit_c": object.get(s, "crit_c", null), "ambient": object.get(s, "ambient", false)} | some s in ss]

amb_min := object.get(data.config, ["physical", "ambient_min_c"], null)

amb_max := object.get(data.config, ["physical", "ambient_max_c"], null)

ambient := [s | some s in readable; s.ambient == true]

ambient_out := [s | some s in ambient; not within(s.input_c)]

within(c) if {
	c >= amb_min
	c <= amb_max
}

over_crit := [s | some s in readable; over(s, "crit_c")]

with_crit := [s | some s in readable; is_number(s.crit_c)]

phy001_problems := array.concat(
	[sprintf("%s reads %v °C, at or above its critical %v °C", [name(s), s.input_c, s.crit_c]) | some s in over_crit],
	[sprintf("ambient %s reads %v °C, outside %v..%v °C", [name(s), s.input_c, amb_min, amb_max]) | some s in ambient_out],
)

ambient_text := sprintf("%d ambient/inlet sensor(s) within %v..%v °C (%s)", [count(ambient), amb_min, amb_max, concat(", ", [sprintf("%s %v °C", [name(s), s.input_c]) | some s in ambient])]) if {
	count(ambient) > 0
} else := "no ambient/inlet sensor found"

# METADATA
# title: Temperatures below critical, ambient within range
# description: >-
#   Every temperature sensor (hwmon channels and thermal zones) reads
#   below its critical threshold, and ambient/inlet sensors read within
#   physical.ambient_min_c..ambient_max_c (0..40 °C). A host without
#   sensors (a VM, a container) skips with that reason: its hypervisor
#   watches the hardware.
# custom:
#   id: ZT-PHY-001
#   severity: high
#   remediation: >-
#     Check the cooling of the host named in the message (fans, airflow,
#     dust, data-centre inlet temperature); run "sensors" (lm-sensors) to
#     watch it, and move the workload before the component throttles or
#     shuts down.
#   references:
#     - NIST SP 800-53 PE-14 (environmental controls), SI-4 (system monitoring)
#     - NIST SP 800-207 tenet 7 (collect information about the state of assets)
zt_phy_001 := v if {
	v := lib.missing("sensors")
} else := v if {
	v := lib.config_missing(["physical.ambient_min_c", "physical.ambient_max_c"])
} else := lib.error(sprintf("no temperature sensor could be read%s", [unreadable_text])) if {
	count(readable) == 0
} else := lib.fail(sprintf("%s%s", [concat("; ", phy001_problems), unreadable_text]), {"sensors": sensor_evidence(array.concat(over_crit, ambient_out))}) if {
	count(phy001_problems) > 0
} else := lib.pass(sprintf("%d sensor(s) read, %d with a critical threshold, none at it; %s%s", [count(readable), count(with_crit), ambient_text, unreadable_text]), {"sensors": sensor_evidence(readable)})

over_max := [s | some s in readable; over(s, "max_c")]

with_max := [s | some s in readable; is_number(s.max_c)]

# METADATA
# title: No temperature above its warning threshold
# description: >-
#   No sensor reads at or above its max (warning) threshold: hwmon's
#   temp*_max or a thermal zone's "hot" trip point. Above it the hardware
#   throttles and the next step is the critical shutdown.
# custom:
#   id: ZT-PHY-002
#   severity: medium
#   remediation: >-
#     Find the component named in the message ("sensors" shows the same
#     readings); clean or replace fans and heat sinks, check the airflow
#     and the load that heats it.
#   references:
#     - NIST SP 800-53 PE-14 (environmental controls), SI-4 (system monitoring)
zt_phy_002 := v if {
	v := lib.missing("sensors")
} else := lib.error(sprintf("no temperature sensor could be read%s", [unreadable_text])) if {
	count(readable) == 0
} else := lib.fail(sprintf("%s%s", [concat("; ", [sprintf("%s reads %v °C, at or above its max %v °C", [name(s), s.input_c, s.max_c]) | some s in over_max]), unreadable_text]), {"sensors": sensor_evidence(over_max)}) if {
	count(over_max) > 0
} else := lib.skip(sprintf("none of the %d sensor(s) publishes a max (warning) threshold", [count(readable)])) if {
	count(with_max) == 0
} else := lib.pass(sprintf("%d sensor(s) with a max threshold, all below it%s", [count(with_max), unreadable_text]), {"sensors": sensor_evidence(with_max)})

optics := object.get(input, ["facts", "optics"], {})

ifaces := object.get(optics, "interfaces", [])

modules := [i | some i in ifaces; i.status == "ok"; i.module]

monitored := [i | some i in modules; i.module.diagnostics == true]

optics_errors := [i | some i in ifaces; i.status == "error"]

floor := object.get(data.config, ["physical", "optical_rx_floor_dbm"], null)

# A lane without light (0 mW, rx_power_dbm null) is below any floor.
low_lane(l) if l.rx_power_dbm == null

low_lane(l) if {
	is_number(l.rx_power_dbm)
	l.rx_power_dbm < floor
}

dbm_text(l) := sprintf("%v dBm", [l.rx_power_dbm]) if l.rx_power_dbm != null

else := "no light"

low := [sprintf("%s lane %d receives %s (%s %s)%s", [i.name, l.lane, dbm_text(l), i.module.vendor, i.module.part_number, flags_text(i.module)]) |
	some i in monitored
	some l in i.module.lanes
	low_lane(l)
]

flags_text(m) := sprintf(", alarms: %s", [concat(", ", m.alarms)]) if count(m.alarms) > 0

else := ""

optics_evidence := {i.name: {"vendor": i.module.vendor, "part_number": i.module.part_number, "rx_power_dbm": [l.rx_power_dbm | some l in i.module.lanes], "alarms": i.module.alarms, "warnings": i.module.warnings} | some i in monitored}

no_module_text := concat(", ", [sprintf("%s (%s)", [i.name, object.get(i, "reason", i.status)]) | some i in ifaces])

# METADATA
# title: Optical receive power above the floor
# description: >-
#   Every lane of every optical transceiver whose driver reports module
#   diagnostics (SFF-8472 SFP, SFF-8636 QSFP) receives more than
#   physical.optical_rx_floor_dbm (-15 dBm). Falling receive power is a
#   dirty connector, a bent fibre or a dying laser, before the link drops.
# custom:
#   id: ZT-PHY-003
#   severity: medium
#   remediation: >-
#     Clean the connectors of the link named in the message, check the
#     patch cords and the far-end transmitter ("ethtool -m IFACE" on both
#     ends), and replace the transceiver or fibre that stays low.
#   references:
#     - NIST SP 800-53 SI-4 (system monitoring), CP-8 (telecommunications services)
#     - NIST SP 800-207 tenet 7 (collect information about the state of assets)
zt_phy_003 := v if {
	v := lib.missing("optics")
} else := v if {
	v := lib.config_missing(["physical.optical_rx_floor_dbm"])
} else := lib.error(concat("; ", [i.reason | some i in optics_errors])) if {
	count(monitored) == 0
	count(optics_errors) > 0
} else := lib.skip("no physical network interface") if {
	count(ifaces) == 0
} else := lib.skip(sprintf("no optical transceiver reports module diagnostics: %s", [no_module_text])) if {
	count(monitored) == 0
} else := lib.fail(concat("; ", low), optics_evidence) if {
	count(low) > 0
} else := lib.pass(sprintf("%d transceiver(s) receive above %v dBm on every lane: %s", [count(monitored), floor, concat(", ", [sprintf("%s %s", [i.name, concat("/", [dbm_text(l) | some l in i.module.lanes])]) | some i in monitored])]), optics_evidence)
