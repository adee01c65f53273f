# Kernel controls: network and memory hardening sysctls, kernel version,
# and their persistence across reboots.
package ztscan.kernel

import data.ztscan.lib

sysctl := object.get(input, ["facts", "sysctl"], {})

effective := object.get(sysctl, "effective", {})

runtime := object.get(sysctl, "runtime", {})

persisted := object.get(sysctl, "persisted", {})

rootfs if input.target.kind == "rootfs"

# The values each control requires (sysctl prints strings).
wanted := {
	"ZT-KRN-001": {"net.ipv4.ip_forward": "0", "net.ipv6.conf.all.forwarding": "0"},
	"ZT-KRN-002": {"net.ipv4.conf.all.accept_source_route": "0", "net.ipv6.conf.all.accept_source_route": "0"},
	"ZT-KRN-003": {"net.ipv4.conf.all.rp_filter": "1", "net.ipv4.conf.default.rp_filter": "1"},
	"ZT-KRN-004": {"net.ipv4.conf.all.accept_redirects": "0", "net.ipv6.conf.all.accept_redirects": "0"},
	"ZT-KRN-005": {"net.ipv4.conf.all.log_martians": "1"},
	"ZT-KRN-006": {"net.ipv4.tcp_syncookies": "1"},
	"ZT-KRN-007": {"kernel.kptr_restrict": "2", "kernel.dmesg_restrict": "1"},
	"ZT-KRN-008": {"kernel.randomize_va_space": "2"},
}

# What a wrong value means, for the auditor.
meaning := {
	"net.ipv4.conf.all.rp_filter": {"0": "no source validation", "2": "loose mode: any route back to the source passes, spoofed sources from routed networks are accepted"},
	"net.ipv4.conf.default.rp_filter": {"0": "no source validation", "2": "loose mode: any route back to the source passes, spoofed sources from routed networks are accepted"},
	"kernel.kptr_restrict": {"0": "kernel addresses are shown to every user", "1": "kernel addresses are hidden only from users without CAP_SYSLOG"},
	"kernel.randomize_va_space": {"0": "no address space randomisation", "1": "heap (brk) is not randomised"},
}

why(key, value) := sprintf(" (%s)", [meaning[key][value]])

default why(_, _) := ""

# The kernel's view is unreadable: on a live host the runtime values, on an
# offline root the persisted files (without them "not persisted" cannot be
# told).
source_problem := lib.error("facts.sysctl.effective is missing") if {
	not sysctl.effective
}

source_problem := lib.error(sprintf("runtime sysctl values could not be read (%s): %s", [object.get(runtime, "status", "no status"), object.get(runtime, "reason", "no reason given")])) if {
	sysctl.effective
	not rootfs
	object.get(runtime, "status", null) != "ok"
}

source_problem := lib.error(sprintf("persisted sysctl configuration could not be read: %s", [object.get(persisted, "reason", "no reason given")])) if {
	sysctl.effective
	rootfs
	object.get(persisted, "status", null) != "ok"
}

ipv6_disabled(key) if {
	not rootfs
	startswith(key, "net.ipv6.")
	key in object.get(runtime, "missing", [])
}

# check(key, want) judges one key: state ok, bad or unknown, with text.
check(key, want) := {"state": "ok", "text": sprintf("%s is %s (%s)", [key, e.value, src]), "value": e.value, "source": src, "want": want} if {
	e := effective[key]
	e.value == want
	src := object.get(e, "source", "unknown source")
}

# object.get: an entry without a value or source is still judged (bad).
check(key, want) := {"state": "bad", "text": sprintf("%s is %v (%s), want %s%s", [key, val, src, want, why(key, val)]), "value": val, "source": src, "want": want} if {
	e := effective[key]
	val := object.get(e, "value", null)
	src := object.get(e, "source", "unknown source")
	val != want
}

# Not persisted on an offline root, and the default depends on the kernel
# build, which the image does not ship a config of (a container image has
# no kernel at all): the boot value cannot be known, so the part is
# indeterminate and the rule skips rather than guess.
check(key, want) := {"state": "indeterminate", "text": sprintf("%s is not persisted and its default depends on the kernel build (the image has no /boot/config-<release>), want %s", [key, want]), "value": null, "source": "not persisted", "want": want} if {
	not effective[key]
	rootfs
}

check(key, want) := {"state": "ok", "text": sprintf("%s does not exist: IPv6 is disabled", [key]), "value": null, "source": "runtime (missing)", "want": want} if {
	not effective[key]
	ipv6_disabled(key)
}

check(key, want) := {"state": "unknown", "text": sprintf("%s is not in the facts", [key]), "value": null, "source": "unknown", "want": want} if {
	not effective[key]
	not rootfs
	not ipv6_disabled(key)
}

checks(id) := [check(k, w) | some k, w in wanted[id]]

texts(cs, state) := [c.text | some c in cs; c.state == state]

evidence(cs) := {k: {"value": c.value, "source": c.source, "want": c.want} |
	some c in cs
	k := split(c.text, " ")[0]
}

# judge(id) is the verdict on the keys of one control.
judge(id) := v if {
	v := source_problem
} else := lib.fail(concat("; ", array.flatten([texts(checks(id), "bad"), texts(checks(id), "unknown"), texts(checks(id), "indeterminate")])), evidence(checks(id))) if {
	count(texts(checks(id), "bad")) > 0
} else := lib.error(concat("; ", texts(checks(id), "unknown"))) if {
	count(texts(checks(id), "unknown")) > 0
} else := lib.skip(concat("; ", texts(checks(id), "indeterminate"))) if {
	count(texts(checks(id), "indeterminate")) > 0
} else := lib.pass(concat("; ", texts(checks(id), "ok")), evidence(checks(id)))

# METADATA
# title: IP forwarding is off unless the host is a router
# description: >-
#   A server that forwards packets can route an attacker between
#   segments; only hosts declared routers (host.router) may forward.
# custom:
#   id: ZT-KRN-001
#   severity: high
#   remediation: >-
#     Put "net.ipv4.ip_forward = 0" and "net.ipv6.conf.all.forwarding = 0" in
#     /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system"; or, if
#     the host routes on purpose, declare it with "host: {router: true}" in
#     the ztscan config.
#   references:
#     - CIS Debian Linux 12 Benchmark 3.3.1 (IP forwarding is disabled)
#     - NIST SP 800-53 CM-7, SC-7
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_krn_001 := v if {
	v := lib.missing("sysctl")
} else := v if {
	v := lib.config_missing(["host.router"])
} else := v if {
	v := source_problem
} else := lib.pass(sprintf("the host is declared a router (host.router: true), forwarding is allowed: %s", [concat("; ", [c.text | some c in checks("ZT-KRN-001")])]), evidence(checks("ZT-KRN-001"))) if {
	data.config.host.router == true
} else := judge("ZT-KRN-001")

# METADATA
# title: Source-routed packets are refused
# description: >-
#   Source routing lets a sender choose the path of a packet and so steer
#   it around the firewall.
# custom:
#   id: ZT-KRN-002
#   severity: medium
#   remediation: Put "net.ipv4.conf.all.accept_source_route = 0" and "net.ipv6.conf.all.accept_source_route = 0" in /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system".
#   references:
#     - CIS Debian Linux 12 Benchmark 3.3.8 (source routed packets are not accepted)
#     - NIST SP 800-53 CM-6, SC-7
zt_krn_002 := v if {
	v := lib.missing("sysctl")
} else := judge("ZT-KRN-002")

# METADATA
# title: Strict reverse path filtering
# description: >-
#   Strict reverse path filtering (1) drops packets whose source address
#   would not be routed back through the interface they arrived on, which
#   stops spoofed sources; loose mode (2) only checks that some route exists.
# custom:
#   id: ZT-KRN-003
#   severity: medium
#   remediation: Put "net.ipv4.conf.all.rp_filter = 1" and "net.ipv4.conf.default.rp_filter = 1" in /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system".
#   references:
#     - CIS Debian Linux 12 Benchmark 3.3.7 (reverse path filtering is enabled)
#     - NIST SP 800-53 SC-7, SC-5
zt_krn_003 := v if {
	v := lib.missing("sysctl")
} else := judge("ZT-KRN-003")

# METADATA
# title: ICMP redirects are ignored
# description: >-
#   An ICMP redirect rewrites the host's routing table on the word of
#   whoever sent it.
# custom:
#   id: ZT-KRN-004
#   severity: medium
#   remediation: Put "net.ipv4.conf.all.accept_redirects = 0" and "net.ipv6.conf.all.accept_redirects = 0" in /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system".
#   references:
#     - CIS Debian Linux 12 Benchmark 3.3.5 (ICMP redirects are not accepted)
#     - NIST SP 800-53 CM-6, SC-7
zt_krn_004 := v if {
	v := lib.missing("sysctl")
} else := judge("ZT-KRN-004")

# METADATA
# title: Martian packets are logged
# description: >-
#   Packets with impossible source addresses are a sign of spoofing or
#   misrouting; logging them makes it visible.
# custom:
#   id: ZT-KRN-005
#   severity: low
#   remediation: Put "net.ipv4.conf.all.log_martians = 1" in /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system".
#   references:
#     - CIS Debian Linux 12 Benchmark 3.3.9 (suspicious packets are logged)
#     - NIST SP 800-53 AU-12, SI-4
#     - NIST SP 800-207 tenet 7 (collect information)
zt_krn_005 := v if {
	v := lib.missing("sysctl")
} else := judge("ZT-KRN-005")

# METADATA
# title: TCP SYN cookies are on
# description: >-
#   SYN cookies keep the host answering legitimate connections during a
#   SYN flood.
# custom:
#   id: ZT-KRN-006
#   severity: medium
#   remediation: Put "net.ipv4.tcp_syncookies = 1" in /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system".
#   references:
#     - CIS Debian Linux 12 Benchmark 3.3.10 (TCP SYN Cookies is enabled)
#     - NIST SP 800-53 SC-5
zt_krn_006 := v if {
	v := lib.missing("sysctl")
} else := judge("ZT-KRN-006")

# METADATA
# title: Kernel pointers and the kernel log are hidden from users
# description: >-
#   Kernel addresses in /proc and dmesg defeat KASLR and help kernel
#   exploits; only root should read them.
# custom:
#   id: ZT-KRN-007
#   severity: medium
#   remediation: Put "kernel.kptr_restrict = 2" and "kernel.dmesg_restrict = 1" in /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system".
#   references:
#     - NIST SP 800-53 SI-11, AC-6
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_krn_007 := v if {
	v := lib.missing("sysctl")
} else := judge("ZT-KRN-007")

# METADATA
# title: Full address space layout randomisation
# description: >-
#   ASLR (2: stack, mmap, vdso and heap) makes memory-corruption exploits
#   guess addresses.
# custom:
#   id: ZT-KRN-008
#   severity: high
#   remediation: Put "kernel.randomize_va_space = 2" in /etc/sysctl.d/60-zt-hardening.conf and run "sysctl --system".
#   references:
#     - CIS Debian Linux 12 Benchmark 1.5.1 (address space layout randomization is enabled)
#     - NIST SP 800-53 SI-16
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_krn_008 := v if {
	v := lib.missing("sysctl")
} else := judge("ZT-KRN-008")

# METADATA
# title: The kernel is recent enough
# description: >-
#   The guides rely on nftables and eBPF features of kernel 5.4 and later
#   (kernel.min_version); older kernels also lack years of hardening.
# custom:
#   id: ZT-KRN-009
#   severity: medium
#   remediation: Install and boot a supported kernel of at least kernel.min_version (Debian 12 ships 6.1; apt install linux-image-amd64 and reboot).
#   references:
#     - NIST SP 800-53 SI-2, CM-6
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_krn_009 := v if {
	v := lib.missing("host")
} else := lib.error("facts.host.kernel is missing") if {
	not input.facts.host.kernel
} else := v if {
	v := lib.part_missing(input.facts.host.kernel, "kernel release")
} else := v if {
	v := lib.config_missing(["kernel.min_version"])
} else := lib.error(sprintf("configuration kernel.min_version %v is not a \"major.minor\" string (quote it in YAML)", [data.config.kernel.min_version])) if {
	not valid_min_version
} else := lib.error("facts.host.kernel lacks the release") if {
	not input.facts.host.kernel.release
} else := lib.error(sprintf("kernel release %q does not start with major.minor", [input.facts.host.kernel.release])) if {
	not lib.major_minor(input.facts.host.kernel.release)
} else := lib.pass(sprintf("kernel %s (from %s) is %s or later", [input.facts.host.kernel.release, kernel_source, data.config.kernel.min_version]), kernel_evidence) if {
	lib.major_minor(input.facts.host.kernel.release) >= lib.major_minor(data.config.kernel.min_version)
} else := lib.fail(sprintf("kernel %s (from %s) is older than %s", [input.facts.host.kernel.release, kernel_source, data.config.kernel.min_version]), kernel_evidence)

valid_min_version if {
	is_string(data.config.kernel.min_version)
	lib.major_minor(data.config.kernel.min_version)
}

kernel_source := object.get(input.facts.host.kernel, "source", "unknown source")

kernel_evidence := {
	"release": input.facts.host.kernel.release,
	"source": kernel_source,
	"min_version": data.config.kernel.min_version,
}

# METADATA
# title: The sysctl hardening survives a reboot
# description: >-
#   Values set with sysctl -w vanish at the next boot; the persisted files
#   (/etc/sysctl.conf, /etc/sysctl.d, /usr/lib/sysctl.d) must set every
#   value of ZT-KRN-001 to 008 (forwarding only when the host is not a
#   router).
# custom:
#   id: ZT-KRN-010
#   severity: info
#   remediation: >-
#     Write every value of ZT-KRN-001..008 to /etc/sysctl.d/60-zt-hardening.conf
#     (no later file may override it) and run "sysctl --system".
#   references:
#     - CIS Debian Linux 12 Benchmark 3.3 (network kernel parameters, set in /etc/sysctl.d)
#     - NIST SP 800-53 CM-2, CM-6
zt_krn_010 := v if {
	v := lib.missing("sysctl")
} else := lib.error("facts.sysctl.persisted is missing") if {
	not sysctl.persisted
} else := v if {
	v := lib.part_missing(persisted, "persisted sysctl configuration")
} else := v if {
	v := lib.config_missing(["host.router"])
} else := lib.fail(sprintf("the persisted sysctl configuration does not set %d of %d values: %s", [count(unpersisted), count(persisted_wanted), concat("; ", sort(unpersisted))]), persisted_evidence) if {
	count(unpersisted) > 0
} else := lib.pass(sprintf("the persisted sysctl configuration sets all %d values%s", [count(persisted_wanted), exempt_note]), persisted_evidence)

persisted_wanted := {k: w |
	some id, m in wanted
	not router_exempt(id)
	some k, w in m
	not ipv6_disabled(k)
}

router_exempt("ZT-KRN-001") if data.config.host.router == true

values := object.get(persisted, "values", {})

unpersisted contains sprintf("%s is not set, want %s", [k, w]) if {
	some k, w in persisted_wanted
	not values[k]
}

unpersisted contains sprintf("%s is %s in %s:%v, want %s", [k, values[k].value, object.get(values[k], "file", "?"), object.get(values[k], "line", "?"), w]) if {
	some k, w in persisted_wanted
	object.get(values[k], "value", null) != w
}

default exempt_note := ""

exempt_note := " (IPv6 keys are exempt: IPv6 is disabled)" if {
	some k in object.get(runtime, "missing", [])
	startswith(k, "net.ipv6.")
}

persisted_evidence := {k: {"want": w, "value": object.get(values, [k, "value"], null), "file": object.get(values, [k, "file"], null), "line": object.get(values, [k, "line"], null)} | some k, w in persisted_wanted}
