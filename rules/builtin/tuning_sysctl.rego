# Tuning (TUNE) from the sysctl collector: TCP congestion control and Fast
# Open. Shares package ztscan.tune with tuning.rego; helpers start with
# sysctl_.
package ztscan.tune

import data.ztscan.lib

sysctl_facts := object.get(input, ["facts", "sysctl"], {})

sysctl_rootfs if input.target.kind == "rootfs"

sysctl_runtime := object.get(sysctl_facts, "runtime", {})

sysctl_persisted := object.get(sysctl_facts, "persisted", {})

# The part of the facts that the effective value depends on is unreadable
# (as kernel.rego judges it): runtime on a live host, the persisted files
# on an offline root.
sysctl_problem := lib.error("facts.sysctl.effective is missing") if {
	not sysctl_facts.effective
} else := lib.error(sprintf("runtime sysctl values could not be read: %s", [object.get(sysctl_runtime, "reason", "no reason given")])) if {
	not sysctl_rootfs
	object.get(sysctl_runtime, "status", null) != "ok"
} else := lib.error(sprintf("persisted sysctl configuration could not be read: %s", [object.get(sysctl_persisted, "reason", "no reason given")])) if {
	sysctl_rootfs
	object.get(sysctl_persisted, "status", null) != "ok"
}

sysctl_value(key) := sysctl_facts.effective[key]

sysctl_text(key) := sprintf("%s is %s (%s)", [key, e.value, object.get(e, "source", "unknown source")]) if e := sysctl_value(key)

# Unknown value: on an image whose kernel build is not shipped the
# default depends on the build, and the rule skips rather than guess; on a
# live host the kernel may lack the key.
sysctl_unknown(key) := lib.skip(sprintf("%s is not persisted and its default depends on the kernel build (the image has no /boot/config-<release>)", [key])) if {
	not sysctl_value(key)
	sysctl_rootfs
} else := lib.fail(sprintf("%s does not exist: the running kernel lacks the feature", [key]), {"key": key}) if {
	not sysctl_value(key)
	key in object.get(sysctl_runtime, "missing", [])
} else := lib.error(sprintf("%s is not in the facts", [key])) if {
	not sysctl_value(key)
}

sysctl_cc := object.get(data.config, ["tuning", "congestion_control"], null)

# METADATA
# title: TCP congestion control is BBR
# description: >-
#   net.ipv4.tcp_congestion_control is tuning.congestion_control (bbr):
#   BBR keeps throughput up and queues short on lossy or long paths, where
#   the default CUBIC backs off on every loss.
# custom:
#   id: ZT-TUNE-002
#   severity: info
#   remediation: >-
#     Put "net.core.default_qdisc = fq" and "net.ipv4.tcp_congestion_control
#     = bbr" in /etc/sysctl.d/60-zt-tuning.conf, load the module at boot
#     (echo tcp_bbr > /etc/modules-load.d/bbr.conf) and run "sysctl
#     --system".
#   references:
#     - NIST SP 800-53 SC-5 (denial-of-service protection)
zt_tune_002 := v if {
	v := lib.missing("sysctl")
} else := v if {
	v := lib.config_missing(["tuning.congestion_control"])
} else := v if {
	v := sysctl_problem
} else := v if {
	v := sysctl_unknown("net.ipv4.tcp_congestion_control")
} else := lib.pass(sysctl_text("net.ipv4.tcp_congestion_control"), sysctl_value("net.ipv4.tcp_congestion_control")) if {
	sysctl_value("net.ipv4.tcp_congestion_control").value == sysctl_cc
} else := lib.fail(sprintf("%s, want %s", [sysctl_text("net.ipv4.tcp_congestion_control"), sysctl_cc]), sysctl_value("net.ipv4.tcp_congestion_control"))

sysctl_tfo_bits := object.get(data.config, ["tuning", "fastopen_bits"], null)

sysctl_tfo := lib.int_of(sysctl_value("net.ipv4.tcp_fastopen").value)

# METADATA
# title: TCP Fast Open is enabled for servers
# description: >-
#   net.ipv4.tcp_fastopen includes the bits of tuning.fastopen_bits (2,
#   the server bit), so that returning clients save a round trip on every
#   new connection. The kernel's default is 1 (client only).
# custom:
#   id: ZT-TUNE-003
#   severity: info
#   remediation: Put "net.ipv4.tcp_fastopen = 3" in /etc/sysctl.d/60-zt-tuning.conf and run "sysctl --system".
#   references:
#     - NIST SP 800-53 SC-5 (denial-of-service protection)
zt_tune_003 := v if {
	v := lib.missing("sysctl")
} else := v if {
	v := lib.config_missing(["tuning.fastopen_bits"])
} else := v if {
	v := sysctl_problem
} else := v if {
	v := sysctl_unknown("net.ipv4.tcp_fastopen")
} else := lib.error(sprintf("%s is not a number", [sysctl_text("net.ipv4.tcp_fastopen")])) if {
	not sysctl_tfo
} else := lib.pass(sprintf("%s: includes %d", [sysctl_text("net.ipv4.tcp_fastopen"), sysctl_tfo_bits]), sysctl_value("net.ipv4.tcp_fastopen")) if {
	bits.and(sysctl_tfo, sysctl_tfo_bits) == sysctl_tfo_bits
} else := lib.fail(sprintf("%s, which lacks %d (1 = client, 2 = server)", [sysctl_text("net.ipv4.tcp_fastopen"), sysctl_tfo_bits]), sysctl_value("net.ipv4.tcp_fastopen"))
