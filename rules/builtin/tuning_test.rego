package ztscan.tune_test

import data.ztscan.tune

cfg := {"services": {"open_files_min": 65535}}

snap(ofl) := {"facts": {"filesystem": {"open_files": ofl}}, "collectors": [{"name": "filesystem", "status": "ok"}]}

sysd(value, soft) := {"value": value, "soft": soft, "hard": soft, "file": "/etc/systemd/system.conf.d/60-nofile.conf", "line": 2}

# lim is a limits.conf nofile line; -2 marks the half it does not set.
lim(domain, "soft", n) := {"domain": domain, "type": "soft", "value": sprintf("%d", [n]), "soft": n, "hard": -2, "file": "/etc/security/limits.d/nofile.conf", "line": 1}

lim(domain, "hard", n) := {"domain": domain, "type": "hard", "value": sprintf("%d", [n]), "soft": -2, "hard": n, "file": "/etc/security/limits.d/nofile.conf", "line": 1}

test_zt_tune_001_pass if {
	v := tune.zt_tune_001 with input as snap({"status": "ok", "systemd_default": sysd("65535:524288", 65535), "limits": []}) with data.config as cfg
	v.status == "pass"
	v.message == "DefaultLimitNOFILE=65535:524288 (/etc/systemd/system.conf.d/60-nofile.conf:2): services start with a soft limit of at least 65535"
}

test_zt_tune_001_pass_infinity if {
	v := tune.zt_tune_001 with input as snap({"status": "ok", "systemd_default": sysd("infinity", -1), "limits": []}) with data.config as cfg
	v.status == "pass"
}

test_zt_tune_001_pass_limits_conf if {
	v := tune.zt_tune_001 with input as snap({"status": "ok", "systemd_default": null, "limits": [lim("*", "soft", 100000)]}) with data.config as cfg
	v.status == "pass"
	contains(v.message, "systemd's default soft limit 1024")
}

test_zt_tune_001_fail if {
	v := tune.zt_tune_001 with input as snap({"status": "ok", "systemd_default": sysd("4096", 4096), "limits": [lim("@admins", "soft", 100000), lim("*", "hard", 100000)]}) with data.config as cfg
	v.status == "fail"
}

test_zt_tune_001_fail_unset if {
	v := tune.zt_tune_001 with input as snap({"status": "ok", "systemd_default": null, "limits": []}) with data.config as cfg
	v.status == "fail"
	contains(v.message, "not set")
}

test_zt_tune_001_error if {
	v := tune.zt_tune_001 with input as snap({"status": "error", "reason": "/etc/systemd/system.conf:3: DefaultLimitNOFILE: \"lots\" is not a limit"}) with data.config as cfg
	v.status == "error"
}

test_zt_tune_001_error_config if {
	v := tune.zt_tune_001 with input as snap({"status": "ok", "systemd_default": null, "limits": []}) with data.config as {}
	v.status == "error"
}

test_zt_tune_001_skip if {
	v := tune.zt_tune_001 with input as {"facts": {}, "collectors": [{"name": "filesystem", "status": "unavailable", "error": "n/a"}]} with data.config as cfg
	v.status == "skip"
}
