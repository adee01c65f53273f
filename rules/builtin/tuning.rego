# Tuning (TUNE), from the guides' performance advice. ZT-TUNE-001 lives
# here; its helpers start with ofl_ (tuning_sysctl.rego shares the
# package).
package ztscan.tune

import data.ztscan.lib

ofl := object.get(input, ["facts", "filesystem", "open_files"], {})

ofl_min := object.get(data.config, ["services", "open_files_min"], null)

ofl_systemd := object.get(ofl, "systemd_default", null)

# at_least(n): -1 is infinity.
ofl_enough(n) if n == -1

ofl_enough(n) if {
	n >= 0
	n >= ofl_min
}

ofl_sessions := [l |
	some l in object.get(ofl, "limits", [])
	l.domain == "*"
	l.soft != -2
]

ofl_systemd_text := sprintf("DefaultLimitNOFILE=%s (%s:%d)", [ofl_systemd.value, ofl_systemd.file, ofl_systemd.line]) if ofl_systemd != null
else := "DefaultLimitNOFILE is not set (systemd's default soft limit 1024)"

# METADATA
# title: Services may open enough files
# description: >-
#   Busy services (proxies, databases) need many descriptors: the soft
#   open-files limit services start with is at least services.open_files_min
#   (65535), from systemd's DefaultLimitNOFILE (system.conf and
#   system.conf.d) or, for login sessions, a "*" nofile line in
#   limits.conf or limits.d.
# custom:
#   id: ZT-TUNE-001
#   severity: info
#   remediation: >-
#     Create /etc/systemd/system.conf.d/60-nofile.conf with
#     "[Manager]\nDefaultLimitNOFILE=65535:524288" and run "systemctl
#     daemon-reexec"; for login sessions add "* soft nofile 65535" and
#     "* hard nofile 524288" to /etc/security/limits.d/60-nofile.conf.
#   references:
#     - NIST SP 800-53 SC-5 (denial-of-service protection)
zt_tune_001 := v if {
	v := lib.missing("filesystem")
} else := v if {
	v := lib.config_missing(["services.open_files_min"])
} else := v if {
	v := lib.part_missing(ofl, "the open-files limits")
} else := lib.pass(sprintf("%s: services start with a soft limit of at least %v", [ofl_systemd_text, ofl_min]), ofl) if {
	ofl_systemd != null
	ofl_enough(ofl_systemd.soft)
} else := lib.pass(sprintf("%s:%d sets \"%s %s nofile %s\" (>= %v); note %s", [l.file, l.line, l.domain, l.type, l.value, ofl_min, ofl_systemd_text]), ofl) if {
	some l in ofl_sessions
	ofl_enough(l.soft)
} else := lib.fail(sprintf("%s and no \"*\" nofile line in limits.conf/limits.d reaches %v", [ofl_systemd_text, ofl_min]), ofl)
