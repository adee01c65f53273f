package ztscan.priv_test

import data.ztscan.priv

cfg := {"services": {"base_system": ["ssh.service", "systemd-*.service"]}}

d(v) := {"value": v, "file": "/etc/systemd/system/x.d/z.conf", "line": 2}

svc(name, sb) := {"name": name, "found": true, "enabled": true, "state": "enabled", "sandboxing": sb}

snap(services) := {
	"facts": {"systemd": {"runtime": {"status": "unavailable"}, "services": services, "problems": []}},
	"collectors": [{"name": "systemd", "status": "ok"}],
}

sandboxed := {"NoNewPrivileges": d("yes"), "ProtectSystem": d("strict"), "PrivateTmp": d("true"), "CapabilityBoundingSet": d("CAP_NET_BIND_SERVICE"), "SystemCallFilter": d("@system-service")}

good := snap([svc("ssh.service", {}), svc("systemd-journald.service", {}), svc("app.service", sandboxed), svc("dyn.service", {"DynamicUser": d("yes"), "SystemCallFilter": d("@system-service")}), svc("nocaps.service", {"DynamicUser": d("yes"), "CapabilityBoundingSet": d(""), "SystemCallFilter": d("@system-service")})])

bad := snap([svc("ssh.service", {}), svc("app.service", sandboxed), svc("nginx.service", {"ProtectSystem": d("yes"), "PrivateTmp": d("yes")})])

failed := {"facts": {}, "collectors": [{"name": "systemd", "status": "error", "error": "boom"}]}

broken := snap([object.union(svc("x.service", {}), {"error": "/usr/lib/systemd/system/x.service:1: NUL byte: not a unit file"})])

test_zt_priv_004_pass if {
	v := priv.zt_priv_004 with input as good with data.config as cfg
	v.status == "pass"
	v.evidence.services == ["app.service", "dyn.service", "nocaps.service"]
}

test_zt_priv_004_pass_only_base if {
	v := priv.zt_priv_004 with input as snap([svc("ssh.service", {})]) with data.config as cfg
	v.status == "pass"
	v.message == "no enabled service outside the base system"
}

test_zt_priv_004_fail if {
	v := priv.zt_priv_004 with input as bad with data.config as cfg
	v.status == "fail"
	v.evidence.failing == {"nginx.service": ["NoNewPrivileges=yes", "ProtectSystem=strict|full"]}
	contains(v.message, "nginx.service lacks NoNewPrivileges=yes, ProtectSystem=strict|full")
}

test_zt_priv_004_error if {
	v := priv.zt_priv_004 with input as failed with data.config as cfg
	v.status == "error"
}

test_zt_priv_004_error_bad_unit if {
	v := priv.zt_priv_004 with input as broken with data.config as cfg
	v.status == "error"
	contains(v.message, "NUL byte")
}

test_zt_priv_004_error_no_config if {
	v := priv.zt_priv_004 with input as good with data.config as {}
	v.status == "error"
}

test_zt_priv_004_skip if {
	v := priv.zt_priv_004 with input as {"facts": {}, "collectors": [{"name": "systemd", "status": "unavailable", "error": "no unit files"}]} with data.config as cfg
	v.status == "skip"
}

test_zt_priv_005_pass if {
	v := priv.zt_priv_005 with input as snap([svc("app.service", sandboxed)]) with data.config as cfg
	v.status == "pass"
}

test_zt_priv_005_fail if {
	v := priv.zt_priv_005 with input as good with data.config as cfg
	v.status == "fail"
	v.evidence.failing == {"dyn.service": ["CapabilityBoundingSet"]}
}

test_zt_priv_005_error if {
	v := priv.zt_priv_005 with input as failed with data.config as cfg
	v.status == "error"
}

test_zt_priv_005_skip if {
	v := priv.zt_priv_005 with input as {"facts": {}, "collectors": [{"name": "systemd", "status": "unavailable", "error": "no unit files"}]} with data.config as cfg
	v.status == "skip"
}
