package ztscan.time_test

import data.ztscan.time

cfg := {"time": {"offset_threshold_ms": 500}}

chrony_daemon(running) := {"name": "chrony", "installed": true, "enabled": true, "running": running, "servers": ["pool 2.debian.pool.ntp.org"], "config_files": ["/etc/chrony/chrony.conf"]}

absent(name) := {"name": name, "installed": false, "enabled": false, "running": false, "servers": [], "config_files": []}

synced_chrony := {"status": "ok", "synchronised": true, "offset_ms": 0.7, "tracking": {"reference_name": "ntp1.example.net", "stratum": 2, "leap_status": "Normal"}}

unsynced_kernel := {"status": "ok", "synchronised": false, "status_flags": ["STA_UNSYNC"], "max_error_ms": 16000}

synced_kernel := {"status": "ok", "synchronised": true, "status_flags": ["STA_PLL"], "max_error_ms": 12}

measured(ms) := {"status": "ok", "ms": ms, "source": "chronyc tracking", "kind": "measured", "measurements": [{"source": "chronyc tracking", "ms": ms}], "disagreements": []}

snap(t, kind) := {
	"target": {"kind": kind},
	"facts": {"time": t},
	"collectors": [{"name": "time", "status": "ok"}],
}

live(over) := snap(object.union({
	"daemons": [chrony_daemon(true), absent("systemd-timesyncd")],
	"chrony": synced_chrony,
	"timesyncd": {"status": "unavailable", "reason": "systemd-timesyncd is not running"},
	"kernel": unsynced_kernel,
	"offset": measured(0.7),
}, over), "host")

test_zt_time_001_pass if {
	v := time.zt_time_001 with input as live({})
	v.status == "pass"
	v.message == "chronyd tracks ntp1.example.net (stratum 2, leap status Normal)"
}

test_zt_time_001_pass_ntpd_kernel if {
	v := time.zt_time_001 with input as live({"daemons": [{"name": "ntpsec", "installed": true, "enabled": true, "running": true, "servers": []}], "kernel": synced_kernel})
	v.status == "pass"
	v.message == "ntpsec runs and the kernel clock is synchronised (STA_PLL)"
}

test_zt_time_001_pass_container if {
	inp := json.patch(live({"daemons": [absent("chrony")], "kernel": synced_kernel}), [{"op": "add", "path": "/facts/platform", "value": {"virtualization": {"role": "container", "system": "docker"}}}])
	v := time.zt_time_001 with input as inp
	v.status == "pass"
	contains(v.message, "docker container runs on its host's clock")
}

test_zt_time_001_pass_rootfs_config if {
	v := time.zt_time_001 with input as snap({"daemons": [object.union(chrony_daemon(null), {"running": null})]}, "rootfs")
	v.status == "pass"
	v.message == "chrony enabled with pool 2.debian.pool.ntp.org (configuration only: synchronisation is checked on the running host)"
}

test_zt_time_001_fail_not_running if {
	v := time.zt_time_001 with input as live({"daemons": [chrony_daemon(false)], "chrony": {"status": "unavailable", "reason": "chronyd is not running"}})
	v.status == "fail"
	v.message == "no time synchronisation daemon is running (installed: chrony; enabled: chrony)"
}

test_zt_time_001_fail_container_unsynced if {
	inp := json.patch(live({"daemons": [chrony_daemon(false)]}), [{"op": "add", "path": "/facts/platform", "value": {"virtualization": {"role": "container", "system": "docker"}}}])
	v := time.zt_time_001 with input as inp
	v.status == "fail"
	endswith(v.message, "this is a container and the shared kernel clock is not synchronised (STA_UNSYNC)")
}

test_zt_time_001_fail_unsynchronised if {
	v := time.zt_time_001 with input as live({"chrony": {"status": "ok", "synchronised": false, "tracking": {"reference_name": "", "stratum": 0, "leap_status": "Not synchronised"}}})
	v.status == "fail"
	v.message == "the clock is not synchronised: chronyd tracks  (stratum 0, leap status Not synchronised)"
}

test_zt_time_001_fail_none_installed if {
	v := time.zt_time_001 with input as snap({"daemons": [absent("chrony"), absent("ntp")]}, "rootfs")
	v.status == "fail"
	startswith(v.message, "no time synchronisation daemon is installed")
}

test_zt_time_001_fail_rootfs_disabled if {
	v := time.zt_time_001 with input as snap({"daemons": [object.union(chrony_daemon(null), {"enabled": false})]}, "rootfs")
	v.status == "fail"
	v.message == "chrony installed but not enabled at boot"
}

test_zt_time_001_fail_rootfs_no_servers if {
	v := time.zt_time_001 with input as snap({"daemons": [object.union(chrony_daemon(null), {"servers": []})]}, "rootfs")
	v.status == "fail"
}

test_zt_time_001_error_chronyc if {
	v := time.zt_time_001 with input as live({"chrony": {"status": "error", "reason": "chronyc -c tracking: 506 Cannot talk to daemon"}})
	v.status == "error"
	v.message == "chrony runs but its state could not be read: chronyc -c tracking: 506 Cannot talk to daemon"
}

test_zt_time_001_error_collector if {
	v := time.zt_time_001 with input as {"facts": {}, "collectors": [{"name": "time", "status": "error", "error": "boom"}]}
	v.status == "error"
}

test_zt_time_001_error_no_daemons if {
	v := time.zt_time_001 with input as snap({}, "host")
	v.status == "error"
}

test_zt_time_002_pass if {
	v := time.zt_time_002 with input as live({}) with data.config as cfg
	v.status == "pass"
	v.message == "the clock is off by 0.7 ms by chronyc tracking, below 500 ms"
	v.evidence.threshold_ms == 500
}

test_zt_time_002_pass_negative if {
	v := time.zt_time_002 with input as live({"offset": measured(-499.9)}) with data.config as cfg
	v.status == "pass"
}

test_zt_time_002_fail if {
	v := time.zt_time_002 with input as live({"offset": measured(-612.5)}) with data.config as cfg
	v.status == "fail"
	v.message == "the clock is off by 612.5 ms (largest of chronyc tracking), threshold 500 ms"
}

test_zt_time_002_fail_disagreement if {
	o := {"status": "ok", "ms": 0.7, "source": "chronyc tracking", "kind": "measured", "measurements": [{"source": "chronyc tracking", "ms": 0.7}, {"source": "timedatectl timesync-status", "ms": 900}], "disagreements": ["chronyc tracking says +0.700 ms, timedatectl timesync-status says +900.000 ms"]}
	v := time.zt_time_002 with input as live({"offset": o}) with data.config as cfg
	v.status == "fail"
	contains(v.message, "off by 900 ms")
	contains(v.message, "sources disagree")
}

test_zt_time_002_fail_unmeasured if {
	o := {"status": "ok", "ms": 16000, "source": "adjtimex maxerror (no synchronised source)", "kind": "max_error", "measurements": [], "disagreements": []}
	v := time.zt_time_002 with input as live({"offset": o}) with data.config as cfg
	v.status == "fail"
	v.message == "no synchronised source measures the clock: adjtimex maxerror (no synchronised source) says the error may reach 16000 ms (threshold 500 ms)"
}

test_zt_time_002_skip_rootfs if {
	v := time.zt_time_002 with input as snap({"offset": {"status": "unavailable", "reason": "offline root: the clock offset is measured on the running host"}}, "rootfs") with data.config as cfg
	v.status == "skip"
	contains(v.message, "offline root")
}

test_zt_time_002_error_offset if {
	v := time.zt_time_002 with input as live({"offset": {"status": "error", "reason": "adjtimex: EPERM"}}) with data.config as cfg
	v.status == "error"
}

test_zt_time_002_error_config if {
	v := time.zt_time_002 with input as live({}) with data.config as {}
	v.status == "error"
}
