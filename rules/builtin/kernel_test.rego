package ztscan.kernel_test

import data.ztscan.kernel

cfg := {"host": {"router": false}, "kernel": {"min_version": "5.4"}}

router_cfg := {"host": {"router": true}, "kernel": {"min_version": "5.4"}}

# Every value the KRN rules want.
hardened := {
	"net.ipv4.ip_forward": "0",
	"net.ipv6.conf.all.forwarding": "0",
	"net.ipv4.conf.all.accept_source_route": "0",
	"net.ipv6.conf.all.accept_source_route": "0",
	"net.ipv4.conf.all.rp_filter": "1",
	"net.ipv4.conf.default.rp_filter": "1",
	"net.ipv4.conf.all.accept_redirects": "0",
	"net.ipv6.conf.all.accept_redirects": "0",
	"net.ipv4.conf.all.log_martians": "1",
	"net.ipv4.tcp_syncookies": "1",
	"kernel.kptr_restrict": "2",
	"kernel.dmesg_restrict": "1",
	"kernel.randomize_va_space": "2",
}

persisted_of(vals) := {k: {"value": v, "file": "/etc/sysctl.d/60-zt.conf", "line": 1} | some k, v in vals}

# live(vals, missing) is a live-host snapshot whose runtime values are
# vals and whose persisted files set the hardened values.
live(vals, missing) := {
	"target": {"kind": "host"},
	"facts": {
		"sysctl": {
			"runtime": {"status": "ok", "values": vals, "missing": missing},
			"persisted": {"status": "ok", "values": persisted_of(hardened), "files": ["/etc/sysctl.d/60-zt.conf"], "errors": []},
			"effective": {k: {"value": v, "source": "runtime"} | some k, v in vals},
		},
		"host": {"kernel": {"status": "ok", "release": "6.1.0-13-amd64", "source": "uname"}},
	},
	"collectors": [{"name": "sysctl", "status": "ok"}, {"name": "host", "status": "ok"}],
}

# offline(vals) is an offline root whose persisted files set vals.
offline(vals) := {
	"target": {"kind": "rootfs"},
	"facts": {"sysctl": {
		"runtime": {"status": "unavailable", "reason": "offline root"},
		"persisted": {"status": "ok", "values": persisted_of(vals), "files": ["/etc/sysctl.d/60-zt.conf"], "errors": []},
		"effective": {k: {"value": v, "source": "persisted"} | some k, v in vals},
	}},
	"collectors": [{"name": "sysctl", "status": "ok"}],
}

good := live(hardened, [])

with_vals(over) := live(object.union(hardened, over), [])

without(keys) := live(object.remove(hardened, keys), [])

collector_failed := {
	"target": {"kind": "host"},
	"facts": {},
	"collectors": [{"name": "sysctl", "status": "error", "error": "read /proc/sys: permission denied"}, {"name": "host", "status": "error", "error": "uname failed"}],
}

run(rule, inp) := r if {
	r := kernel[rule] with input as inp with data.config as cfg
}

sysctl_rules := {sprintf("zt_krn_%03d", [i]) | some i in numbers.range(1, 8)}

test_sysctl_rules_pass_hardened if {
	every n in sysctl_rules {
		run(n, good).status == "pass"
	}
}

test_sysctl_rules_error_collector if {
	every n in sysctl_rules | {"zt_krn_009", "zt_krn_010"} {
		r := run(n, collector_failed)
		r.status == "error"
		contains(r.message, "failed")
	}
}

test_sysctl_rules_error_runtime_unreadable if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/sysctl/runtime", "value": {"status": "error", "reason": "permission denied"}}])
	every n in sysctl_rules {
		r := run(n, inp)
		r.status == "error"
		contains(r.message, "permission denied")
	}
}

# An empty effective map on an offline root with unreadable persisted
# files must not read as "not persisted".
test_sysctl_rules_error_persisted_unreadable_offline if {
	inp := json.patch(offline(hardened), [{"op": "replace", "path": "/facts/sysctl/persisted", "value": {"status": "error", "reason": "sysctl.d unreadable"}}])
	every n in sysctl_rules {
		run(n, inp).status == "error"
	}
}

# ZT-KRN-001
test_zt_krn_001_pass if {
	r := run("zt_krn_001", good)
	r.status == "pass"
	r.evidence["net.ipv4.ip_forward"].value == "0"
}

test_zt_krn_001_fail_forwarding if {
	r := run("zt_krn_001", with_vals({"net.ipv4.ip_forward": "1"}))
	r.status == "fail"
	r.message == "net.ipv4.ip_forward is 1 (runtime), want 0"
}

test_zt_krn_001_pass_router_declared if {
	r := kernel.zt_krn_001 with input as with_vals({"net.ipv4.ip_forward": "1"}) with data.config as router_cfg
	r.status == "pass"
	contains(r.message, "declared a router")
}

test_zt_krn_001_pass_ipv6_missing if {
	r := run("zt_krn_001", live(object.remove(hardened, ["net.ipv6.conf.all.forwarding"]), ["net.ipv6.conf.all.forwarding"]))
	r.status == "pass"
	contains(r.message, "IPv6 is disabled")
}

# Not persisted, and no default the image lets us know: skip, not a guess.
test_zt_krn_001_skip_rootfs_not_persisted if {
	r := run("zt_krn_001", offline(object.remove(hardened, ["net.ipv4.ip_forward"])))
	r.status == "skip"
	contains(r.message, "net.ipv4.ip_forward is not persisted and its default depends on the kernel build")
}

# offline_with(vals, extra) is offline(vals) whose effective values also
# hold extra ({key: {value, source}}), e.g. defaults from a kernel config.
offline_with(vals, extra) := json.patch(offline(vals), [{
	"op": "add", "path": "/facts/sysctl/effective",
	"value": object.union(offline(vals).facts.sysctl.effective, extra),
}])

# A wrong value still fails when another key of the control is unknowable,
# and the message names both.
test_zt_krn_007_fail_with_indeterminate_part if {
	vals := object.remove(hardened, ["kernel.dmesg_restrict", "kernel.kptr_restrict"])
	r := run("zt_krn_007", offline_with(vals, {"kernel.kptr_restrict": {"value": "0", "source": "kernel-default"}}))
	r.status == "fail"
	contains(r.message, "kernel.kptr_restrict is 0")
	contains(r.message, "kernel.dmesg_restrict is not persisted")
}

test_zt_krn_008_pass_rootfs_kernel_config if {
	vals := object.remove(hardened, ["kernel.randomize_va_space"])
	r := run("zt_krn_008", offline_with(vals, {"kernel.randomize_va_space": {"value": "2", "source": "kernel-config"}}))
	r.status == "pass"
	contains(r.message, "kernel-config")
}

test_zt_krn_001_pass_rootfs if {
	run("zt_krn_001", offline(hardened)).status == "pass"
}

test_zt_krn_001_error_key_missing_live if {
	r := run("zt_krn_001", without(["net.ipv4.ip_forward"]))
	r.status == "error"
	contains(r.message, "net.ipv4.ip_forward is not in the facts")
}

# An IPv4 key in runtime.missing is not "IPv6 disabled".
test_zt_krn_001_error_ipv4_missing_live if {
	run("zt_krn_001", live(object.remove(hardened, ["net.ipv4.ip_forward"]), ["net.ipv4.ip_forward"])).status == "error"
}

test_zt_krn_001_error_collector if {
	run("zt_krn_001", collector_failed).status == "error"
}

test_zt_krn_001_error_config_missing if {
	r := kernel.zt_krn_001 with input as good with data.config as {}
	r.status == "error"
	contains(r.message, "host.router")
}

test_zt_krn_001_skip_unavailable if {
	inp := {"target": {"kind": "host"}, "facts": {}, "collectors": [{"name": "sysctl", "status": "unavailable", "error": "no /proc/sys"}]}
	run("zt_krn_001", inp).status == "skip"
}

# ZT-KRN-002
test_zt_krn_002_pass if {
	run("zt_krn_002", good).status == "pass"
}

test_zt_krn_002_fail if {
	r := run("zt_krn_002", with_vals({"net.ipv6.conf.all.accept_source_route": "1"}))
	r.status == "fail"
	contains(r.message, "net.ipv6.conf.all.accept_source_route is 1")
}

test_zt_krn_002_error_collector if {
	run("zt_krn_002", collector_failed).status == "error"
}

# ZT-KRN-003
test_zt_krn_003_pass if {
	run("zt_krn_003", good).status == "pass"
}

test_zt_krn_003_fail_loose if {
	r := run("zt_krn_003", with_vals({"net.ipv4.conf.all.rp_filter": "2"}))
	r.status == "fail"
	contains(r.message, "net.ipv4.conf.all.rp_filter is 2 (runtime), want 1 (loose mode")
}

test_zt_krn_003_fail_default_off if {
	r := run("zt_krn_003", with_vals({"net.ipv4.conf.default.rp_filter": "0"}))
	r.status == "fail"
	contains(r.message, "no source validation")
}

test_zt_krn_003_error_collector if {
	run("zt_krn_003", collector_failed).status == "error"
}

test_zt_krn_003_fail_entry_without_value if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/sysctl/effective/net.ipv4.conf.all.rp_filter", "value": {"source": "runtime"}}])
	run("zt_krn_003", inp).status == "fail"
	not run("zt_krn_003", inp).status == "pass"
}

# ZT-KRN-004
test_zt_krn_004_pass if {
	run("zt_krn_004", good).status == "pass"
}

test_zt_krn_004_fail if {
	run("zt_krn_004", with_vals({"net.ipv4.conf.all.accept_redirects": "1"})).status == "fail"
}

test_zt_krn_004_pass_ipv6_missing if {
	run("zt_krn_004", live(object.remove(hardened, ["net.ipv6.conf.all.accept_redirects"]), ["net.ipv6.conf.all.accept_redirects"])).status == "pass"
}

test_zt_krn_004_error_collector if {
	run("zt_krn_004", collector_failed).status == "error"
}

# ZT-KRN-005
test_zt_krn_005_pass if {
	run("zt_krn_005", good).status == "pass"
}

test_zt_krn_005_fail if {
	r := run("zt_krn_005", with_vals({"net.ipv4.conf.all.log_martians": "0"}))
	r.status == "fail"
	r.evidence["net.ipv4.conf.all.log_martians"].want == "1"
}

test_zt_krn_005_error_collector if {
	run("zt_krn_005", collector_failed).status == "error"
}

# ZT-KRN-006
test_zt_krn_006_pass if {
	run("zt_krn_006", good).status == "pass"
}

test_zt_krn_006_fail if {
	run("zt_krn_006", with_vals({"net.ipv4.tcp_syncookies": "0"})).status == "fail"
}

test_zt_krn_006_pass_rootfs_kernel_default if {
	inp := json.patch(offline(hardened), [{"op": "replace", "path": "/facts/sysctl/effective/net.ipv4.tcp_syncookies", "value": {"value": "1", "source": "kernel-default"}}])
	r := run("zt_krn_006", inp)
	r.status == "pass"
	contains(r.message, "kernel-default")
}

test_zt_krn_006_error_collector if {
	run("zt_krn_006", collector_failed).status == "error"
}

# ZT-KRN-007
test_zt_krn_007_pass if {
	run("zt_krn_007", good).status == "pass"
}

test_zt_krn_007_fail_kptr_1 if {
	r := run("zt_krn_007", with_vals({"kernel.kptr_restrict": "1", "kernel.dmesg_restrict": "0"}))
	r.status == "fail"
	contains(r.message, "kernel.kptr_restrict is 1")
	contains(r.message, "kernel.dmesg_restrict is 0")
}

test_zt_krn_007_error_collector if {
	run("zt_krn_007", collector_failed).status == "error"
}

# ZT-KRN-008
test_zt_krn_008_pass if {
	run("zt_krn_008", good).status == "pass"
}

test_zt_krn_008_fail if {
	r := run("zt_krn_008", with_vals({"kernel.randomize_va_space": "1"}))
	r.status == "fail"
	contains(r.message, "heap")
}

test_zt_krn_008_error_collector if {
	run("zt_krn_008", collector_failed).status == "error"
}

# ZT-KRN-009
kernel_release(release) := json.patch(good, [{"op": "replace", "path": "/facts/host/kernel/release", "value": release}])

test_zt_krn_009_pass if {
	r := run("zt_krn_009", good)
	r.status == "pass"
	r.message == "kernel 6.1.0-13-amd64 (from uname) is 5.4 or later"
}

test_zt_krn_009_pass_5_10 if {
	run("zt_krn_009", kernel_release("5.10.0-26-amd64")).status == "pass"
}

# "10.1" < "5.4" as strings; numerically it is newer.
test_zt_krn_009_pass_10_1 if {
	run("zt_krn_009", kernel_release("10.1")).status == "pass"
}

test_zt_krn_009_pass_equal if {
	run("zt_krn_009", kernel_release("5.4.0-150-generic")).status == "pass"
}

test_zt_krn_009_fail_4_19 if {
	r := run("zt_krn_009", kernel_release("4.19.0-x"))
	r.status == "fail"
	contains(r.message, "older than 5.4")
}

test_zt_krn_009_error_unparsable if {
	r := run("zt_krn_009", kernel_release("linux-current"))
	r.status == "error"
	contains(r.message, "linux-current")
}

test_zt_krn_009_error_collector if {
	run("zt_krn_009", collector_failed).status == "error"
}

test_zt_krn_009_error_bad_config if {
	r := kernel.zt_krn_009 with input as good with data.config as {"kernel": {"min_version": 5.4}}
	r.status == "error"
	contains(r.message, "quote")
}

test_zt_krn_009_skip_unavailable if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/host/kernel", "value": {"status": "unavailable", "reason": "no kernel in /lib/modules"}}])
	r := run("zt_krn_009", inp)
	r.status == "skip"
	contains(r.message, "no kernel in /lib/modules")
}

# ZT-KRN-010
test_zt_krn_010_pass if {
	r := run("zt_krn_010", good)
	r.status == "pass"
	contains(r.message, "all 13 values")
}

test_zt_krn_010_fail_not_persisted if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/sysctl/persisted/values", "value": persisted_of(object.remove(hardened, ["kernel.kptr_restrict"]))}])
	r := run("zt_krn_010", inp)
	r.status == "fail"
	contains(r.message, "kernel.kptr_restrict is not set, want 2")
}

test_zt_krn_010_fail_wrong_value if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/sysctl/persisted/values", "value": persisted_of(object.union(hardened, {"net.ipv4.conf.all.rp_filter": "2"}))}])
	r := run("zt_krn_010", inp)
	r.status == "fail"
	contains(r.message, "net.ipv4.conf.all.rp_filter is 2 in /etc/sysctl.d/60-zt.conf:1, want 1")
}

test_zt_krn_010_pass_router_forwarding_not_persisted if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/sysctl/persisted/values", "value": persisted_of(object.remove(hardened, ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]))}])
	r := kernel.zt_krn_010 with input as inp with data.config as router_cfg
	r.status == "pass"
	contains(r.message, "all 11 values")
}

test_zt_krn_010_fail_forwarding_not_persisted_when_not_router if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/sysctl/persisted/values", "value": persisted_of(object.remove(hardened, ["net.ipv4.ip_forward"]))}])
	run("zt_krn_010", inp).status == "fail"
}

test_zt_krn_010_error_persisted_unreadable if {
	inp := json.patch(good, [{"op": "replace", "path": "/facts/sysctl/persisted", "value": {"status": "error", "reason": "/etc/sysctl.d: permission denied"}}])
	r := run("zt_krn_010", inp)
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_krn_010_error_collector if {
	run("zt_krn_010", collector_failed).status == "error"
}
