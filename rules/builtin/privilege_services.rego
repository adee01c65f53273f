# Least privilege for long-running services (ZT-PRIV-004, ZT-PRIV-005):
# enabled services outside the base system run sandboxed. Helper names
# start with svc_: privilege.rego shares this package.
package ztscan.priv

import data.ztscan.lib

svc_facts := object.get(input, ["facts", "systemd"], {})

svc_base_globs := object.get(data.config, ["services", "base_system"], [])

svc_is_base(name) if {
	some g in svc_base_globs
	glob.match(g, [], name)
}

# svc_candidates are the enabled services the controls judge.
svc_candidates := [s |
	some s in object.get(svc_facts, "services", [])
	not svc_is_base(s.name)
]

svc_broken := [sprintf("%s: %s", [s.name, s.error]) | some s in svc_candidates; object.get(s, "error", "") != ""]

svc_yes(v) if lower(v) in {"yes", "true", "on", "1"}

svc_setting(s, key) := object.get(s, ["sandboxing", key, "value"], "")

# DynamicUser=yes implies NoNewPrivileges, ProtectSystem=strict and
# PrivateTmp (systemd.exec(5)).
svc_dynamic(s) if svc_yes(svc_setting(s, "DynamicUser"))

svc_priv004_gaps(s) := [g |
	some g in [
		{"k": "NoNewPrivileges=yes", "ok": svc_ok_nnp(s)},
		{"k": "ProtectSystem=strict|full", "ok": svc_ok_protect(s)},
		{"k": "PrivateTmp=yes", "ok": svc_ok_tmp(s)},
	]
	g.ok == false
]

svc_ok_nnp(s) := true if svc_yes(svc_setting(s, "NoNewPrivileges"))
else := true if svc_dynamic(s)
else := false

svc_ok_protect(s) := true if lower(svc_setting(s, "ProtectSystem")) in {"strict", "full"}
else := true if svc_dynamic(s)
else := false

svc_ok_tmp(s) := true if svc_yes(svc_setting(s, "PrivateTmp"))
else := true if svc_dynamic(s)
else := false

svc_priv004_failing := {s.name: [g.k | some g in svc_priv004_gaps(s)] |
	some s in svc_candidates
	count(svc_priv004_gaps(s)) > 0
}

svc_evidence(failing) := {
	"services": [s.name | some s in svc_candidates],
	"failing": failing,
	"sandboxing": {s.name: object.get(s, "sandboxing", {}) | some s in svc_candidates},
}

svc_missing_config := lib.config_missing(["services.base_system"])

# METADATA
# title: Enabled services are sandboxed
# description: >-
#   Every enabled service unit outside the base system (config
#   services.base_system) sets NoNewPrivileges=yes, ProtectSystem=strict or
#   full, and PrivateTmp=yes (or DynamicUser=yes, which implies all three),
#   so that a compromised daemon cannot gain privileges, write the OS or
#   read other services' temporary files.
# custom:
#   id: ZT-PRIV-004
#   severity: medium
#   remediation: >-
#     For each service listed, run "systemctl edit <unit>" and add under
#     [Service]: NoNewPrivileges=yes, ProtectSystem=strict (with
#     ReadWritePaths= for its state), PrivateTmp=yes; then "systemctl
#     restart <unit>". Check with "systemd-analyze security <unit>". A
#     service that belongs to the base system goes in services.base_system.
#   references:
#     - NIST SP 800-53 AC-6, CM-7, SC-39
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced authorization)
zt_priv_004 := v if {
	v := lib.missing("systemd")
} else := v if {
	v := svc_missing_config
} else := lib.error(sprintf("unit files could not be loaded: %s", [concat("; ", svc_broken)])) if {
	count(svc_broken) > 0
} else := lib.pass("no enabled service outside the base system", svc_evidence({})) if {
	count(svc_candidates) == 0
} else := lib.pass(sprintf("all %d enabled services outside the base system set NoNewPrivileges, ProtectSystem and PrivateTmp", [count(svc_candidates)]), svc_evidence({})) if {
	count(svc_priv004_failing) == 0
} else := lib.fail(sprintf("%d of %d enabled services are not sandboxed: %s", [count(svc_priv004_failing), count(svc_candidates), concat("; ", [sprintf("%s lacks %s", [n, concat(", ", g)]) | some n, g in svc_priv004_failing])]), svc_evidence(svc_priv004_failing))

# CapabilityBoundingSet set to the empty value is the empty capability
# set (the tightest bound); an empty SystemCallFilter filters nothing.
svc_priv005_gaps(s) := array.concat(
	[k | k := "CapabilityBoundingSet"; not s.sandboxing[k]],
	[k | k := "SystemCallFilter"; trim_space(svc_setting(s, k)) == ""],
)

svc_priv005_failing := {s.name: svc_priv005_gaps(s) |
	some s in svc_candidates
	count(svc_priv005_gaps(s)) > 0
}

# METADATA
# title: Enabled services restrict capabilities and system calls
# description: >-
#   The enabled services outside the base system also set
#   CapabilityBoundingSet and SystemCallFilter, so that a compromised daemon
#   holds only the capabilities and system calls it needs.
# custom:
#   id: ZT-PRIV-005
#   severity: low
#   remediation: >-
#     For each service listed, "systemctl edit <unit>" and add under [Service]
#     CapabilityBoundingSet= with only the capabilities it needs (empty
#     value after "CapabilityBoundingSet=~" style denials is not enough) and
#     SystemCallFilter=@system-service (plus ~@privileged @resources where it
#     works); restart it and check "systemd-analyze security <unit>".
#   references:
#     - NIST SP 800-53 AC-6(10), CM-7, SC-39
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced authorization)
zt_priv_005 := v if {
	v := lib.missing("systemd")
} else := v if {
	v := svc_missing_config
} else := lib.error(sprintf("unit files could not be loaded: %s", [concat("; ", svc_broken)])) if {
	count(svc_broken) > 0
} else := lib.pass("no enabled service outside the base system", svc_evidence({})) if {
	count(svc_candidates) == 0
} else := lib.pass(sprintf("all %d enabled services outside the base system set CapabilityBoundingSet and SystemCallFilter", [count(svc_candidates)]), svc_evidence({})) if {
	count(svc_priv005_failing) == 0
} else := lib.fail(sprintf("%d of %d enabled services do not restrict capabilities or system calls: %s", [count(svc_priv005_failing), count(svc_candidates), concat("; ", [sprintf("%s lacks %s", [n, concat(", ", g)]) | some n, g in svc_priv005_failing])]), svc_evidence(svc_priv005_failing))
