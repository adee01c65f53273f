package ztscan.tune_sysctl_test

import data.ztscan.tune

cfg := {"tuning": {"congestion_control": "bbr", "fastopen_bits": 2}}

live(eff) := {
	"target": {"kind": "host"},
	"facts": {"sysctl": {"runtime": {"status": "ok", "values": {}, "missing": []}, "persisted": {"status": "ok"}, "effective": eff}},
	"collectors": [{"name": "sysctl", "status": "ok"}],
}

image(eff) := {
	"target": {"kind": "rootfs"},
	"facts": {"sysctl": {"runtime": {"status": "unavailable", "reason": "offline root"}, "persisted": {"status": "ok"}, "effective": eff}},
	"collectors": [{"name": "sysctl", "status": "ok"}],
}

rt(v) := {"value": v, "source": "runtime"}

test_zt_tune_002_pass if {
	v := tune.zt_tune_002 with input as live({"net.ipv4.tcp_congestion_control": rt("bbr")}) with data.config as cfg
	v.status == "pass"
	v.message == "net.ipv4.tcp_congestion_control is bbr (runtime)"
}

test_zt_tune_002_fail if {
	v := tune.zt_tune_002 with input as live({"net.ipv4.tcp_congestion_control": rt("cubic")}) with data.config as cfg
	v.status == "fail"
	v.message == "net.ipv4.tcp_congestion_control is cubic (runtime), want bbr"
}

test_zt_tune_002_fail_kernel_config if {
	v := tune.zt_tune_002 with input as image({"net.ipv4.tcp_congestion_control": {"value": "cubic", "source": "kernel-config"}}) with data.config as cfg
	v.status == "fail"
	v.message == "net.ipv4.tcp_congestion_control is cubic (kernel-config), want bbr"
}

test_zt_tune_002_skip_indeterminate if {
	v := tune.zt_tune_002 with input as image({}) with data.config as cfg
	v.status == "skip"
	contains(v.message, "depends on the kernel build")
}

test_zt_tune_002_error_runtime if {
	inp := json.patch(live({}), [{"op": "replace", "path": "/facts/sysctl/runtime", "value": {"status": "error", "reason": "/proc/sys: permission denied"}}])
	v := tune.zt_tune_002 with input as inp with data.config as cfg
	v.status == "error"
}

test_zt_tune_002_error_missing_key if {
	v := tune.zt_tune_002 with input as live({}) with data.config as cfg
	v.status == "error"
}

test_zt_tune_003_pass if {
	v := tune.zt_tune_003 with input as live({"net.ipv4.tcp_fastopen": rt("3")}) with data.config as cfg
	v.status == "pass"
	v.message == "net.ipv4.tcp_fastopen is 3 (runtime): includes 2"
}

test_zt_tune_003_pass_persisted if {
	v := tune.zt_tune_003 with input as image({"net.ipv4.tcp_fastopen": {"value": "1027", "source": "persisted"}}) with data.config as cfg
	v.status == "pass"
}

test_zt_tune_003_fail_default if {
	v := tune.zt_tune_003 with input as image({"net.ipv4.tcp_fastopen": {"value": "1", "source": "kernel-default"}}) with data.config as cfg
	v.status == "fail"
	v.message == "net.ipv4.tcp_fastopen is 1 (kernel-default), which lacks 2 (1 = client, 2 = server)"
}

test_zt_tune_003_fail_missing_in_kernel if {
	inp := json.patch(live({}), [{"op": "replace", "path": "/facts/sysctl/runtime/missing", "value": ["net.ipv4.tcp_fastopen"]}])
	v := tune.zt_tune_003 with input as inp with data.config as cfg
	v.status == "fail"
}

test_zt_tune_003_error_not_number if {
	v := tune.zt_tune_003 with input as live({"net.ipv4.tcp_fastopen": rt("lots")}) with data.config as cfg
	v.status == "error"
}

test_zt_tune_003_error_config if {
	v := tune.zt_tune_003 with input as live({"net.ipv4.tcp_fastopen": rt("3")}) with data.config as {}
	v.status == "error"
}

test_zt_tune_003_skip_collector if {
	v := tune.zt_tune_003 with input as {"facts": {}, "collectors": [{"name": "sysctl", "status": "unavailable", "error": "n/a"}]} with data.config as cfg
	v.status == "skip"
}
