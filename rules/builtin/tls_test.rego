package ztscan.tls_test

import data.ztscan.tls

# The defaults of config/defaults/tls.yaml.
cfg := {"tls": {
	"warning_window_days": 30,
	"max_leaf_validity_days": 90,
	"strict_key_profile": false,
	"certificate_paths": [],
	"internal_server_names": ["*.internal", "*.intranet", "*.corp", "*.lan", "*.home.arpa"],
	"internal_ports": [],
	"public_server_names": [],
}}

root_file(path, mode) := {"path": path, "exists": true, "type": "regular file", "mode": mode, "uid": 0, "gid": 0, "owner": "root", "group": "root"}

cert(file, over) := object.union({
	"file": file, "index": 0, "kind": "x509", "subject": "CN=www.example.com", "issuer": "CN=Test CA",
	"sans": ["DNS:www.example.com"], "serial": "01",
	"not_before": "2026-01-01T00:00:00Z", "not_after": "2026-03-31T00:00:00Z",
	"days_left": 60, "expired": false, "not_yet_valid": false, "validity_days": 89,
	"is_ca": false, "self_signed": false, "key_algorithm": "ECDSA", "key_bits": 256, "key_curve": "P-256",
	"signature_algorithm": "ECDSA-SHA256", "public_key_sha256": "aa", "sha256": "bb",
}, over)

ca_cert := cert("/etc/nginx/client-ca.pem", {"subject": "CN=Test CA", "is_ca": true, "self_signed": true, "validity_days": 3650, "days_left": 3000, "key_algorithm": "ECDSA", "key_bits": 384, "key_curve": "P-384"})

cert_file(path, certs) := {
	"status": "ok", "path": path, "referenced_by": [{"use": "nginx ssl_certificate", "file": "/etc/nginx/sites-enabled/api", "line": 5}],
	"file": root_file(path, "0644"), "format": "pem", "certificates": certs, "private_key_blocks": 0, "other_blocks": [],
}

key_file(path, mode) := {
	"status": "ok", "path": path, "referenced_by": [{"use": "nginx ssl_certificate_key", "file": "/etc/nginx/sites-enabled/api", "line": 6}],
	"file": root_file(path, mode), "key": {"format": "pem", "block_type": "PRIVATE KEY", "encrypted": false, "key_algorithm": "ECDSA", "key_bits": 256, "public_key_sha256": "aa", "keys": 1},
	"certificates": ["/etc/nginx/tls/api.pem"], "matches_certificate": true,
}

good_certs := {
	"evaluated_at": "2026-03-01T12:00:00Z",
	"configured_paths": [],
	"discovery": [{"status": "ok", "source": "nginx"}, {"status": "unavailable", "reason": "no sshd", "source": "sshd"}, {"status": "unavailable", "reason": "tls.certificate_paths is empty", "source": "config"}],
	"files": [
		cert_file("/etc/nginx/tls/api.pem", [cert("/etc/nginx/tls/api.pem", {})]),
		cert_file("/etc/nginx/client-ca.pem", [ca_cert]),
	],
	"keys": [key_file("/etc/nginx/tls/api.key", "0600")],
	"skipped": [],
}

value(vals, file, line, level) := {"values": vals, "file": file, "line": line, "level": level}

listen(port, ssl) := {"address": "*", "port": port, "ssl": ssl, "http2": false, "default_server": false, "implicit": false, "raw": sprintf("%d", [port]), "file": "/etc/nginx/sites-enabled/api", "line": 2}

limit := {"zone": "perip", "burst": 20, "nodelay": true, "file": "/etc/nginx/nginx.conf", "line": 20, "level": "http"}

server(names, over) := object.union({
	"context": "http", "file": "/etc/nginx/sites-enabled/api", "line": 1,
	"listen": [listen(443, true)], "server_names": names, "ssl": true, "ssl_directive": null,
	"ssl_protocols": value(["TLSv1.2", "TLSv1.3"], "/etc/nginx/nginx.conf", 30, "http"),
	"ssl_certificate": [value(["/etc/nginx/tls/api.pem"], "/etc/nginx/sites-enabled/api", 5, "server")],
	"ssl_certificate_key": [value(["/etc/nginx/tls/api.key"], "/etc/nginx/sites-enabled/api", 6, "server")],
	"ssl_verify_client": null, "ssl_client_certificate": null, "ssl_trusted_certificate": null,
	"limit_req": [limit], "locations": [],
}, over)

internal_server := server(["api.internal"], {
	"line": 40,
	"ssl_verify_client": value(["on"], "/etc/nginx/sites-enabled/api", 44, "server"),
	"ssl_client_certificate": value(["/etc/nginx/client-ca.pem"], "/etc/nginx/sites-enabled/api", 45, "server"),
})

good_nginx := {
	"installed": true, "installed_evidence": "package nginx 1.22.1-9+deb12u1 is installed", "version": "1.22.1",
	"config_path": "/etc/nginx/nginx.conf", "prefix": "/etc/nginx", "config_files": [root_file("/etc/nginx/nginx.conf", "0644")],
	"default_ssl_protocols": ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"], "default_ssl_protocols_source": "default of nginx 1.22.1 (before 1.23.4)",
	"servers": [server(["www.example.com"], {}), internal_server],
	"limit_req_zones": [{"name": "perip", "key": "$binary_remote_addr", "size": "10m", "rate": "10r/s", "file": "/etc/nginx/nginx.conf", "line": 19}],
}

snap(certs, ngx) := {
	"schema_version": "1",
	"target": {"kind": "rootfs"},
	"facts": {"certificates": certs, "nginx": ngx},
	"collectors": [{"name": "certificates", "status": "ok"}, {"name": "nginx", "status": "ok"}],
}

good := snap(good_certs, good_nginx)

replace(a, b) := object.union(object.remove(a, object.keys(b)), b)

with_certs(over) := snap(replace(good_certs, over), good_nginx)

with_nginx(over) := snap(good_certs, replace(good_nginx, over))

with_servers(list) := with_nginx({"servers": list})

with_cert(over) := with_certs({"files": [cert_file("/etc/nginx/tls/api.pem", [cert("/etc/nginx/tls/api.pem", over)])]})

failed(name) := {
	"schema_version": "1", "target": {"kind": "rootfs"}, "facts": {},
	"collectors": [{"name": name, "status": "error", "error": "/etc/nginx/nginx.conf:3: unexpected \"}\""}],
}

run(rule, inp) := r if {
	r := tls[rule] with input as inp with data.config as cfg
}

run_cfg(rule, inp, c) := r if {
	r := tls[rule] with input as inp with data.config as c
}

rule_names := ["zt_tls_001", "zt_tls_002", "zt_tls_003", "zt_tls_004", "zt_tls_005", "zt_tls_006", "zt_tls_007", "zt_tls_008"]

test_all_rules_pass_hardened if {
	every n in rule_names {
		run(n, good).status == "pass"
	}
}

# --- ZT-TLS-001 ---

test_zt_tls_001_pass if {
	r := run("zt_tls_001", good)
	r.status == "pass"
	r.message == "none of 2 certificate(s) was expired at collection time"
	r.evidence.evaluated_at == "2026-03-01T12:00:00Z"
}

test_zt_tls_001_fail_expired if {
	r := run("zt_tls_001", with_cert({"expired": true, "days_left": -3, "not_after": "2026-02-26T00:00:00Z"}))
	r.status == "fail"
	contains(r.message, "/etc/nginx/tls/api.pem#0 (CN=www.example.com) expired 2026-02-26T00:00:00Z")
	r.evidence.expired[0].days_left == -3
}

test_zt_tls_001_fail_despite_unreadable_other if {
	files := [
		cert_file("/etc/nginx/tls/api.pem", [cert("/etc/nginx/tls/api.pem", {"expired": true, "days_left": -1})]),
		{"status": "error", "reason": "/etc/x.pem: malformed PEM block", "path": "/etc/x.pem", "referenced_by": [], "file": root_file("/etc/x.pem", "0644"), "certificates": [], "private_key_blocks": 0, "other_blocks": []},
	]
	run("zt_tls_001", with_certs({"files": files})).status == "fail"
}

test_zt_tls_001_error_collector if {
	r := run("zt_tls_001", failed("certificates"))
	r.status == "error"
	contains(r.message, "collector certificates failed")
}

test_zt_tls_001_error_bad_file if {
	files := array.concat(good_certs.files, [{"status": "error", "reason": "/etc/x.pem: malformed PEM block", "path": "/etc/x.pem", "referenced_by": [], "file": root_file("/etc/x.pem", "0644"), "certificates": [], "private_key_blocks": 0, "other_blocks": []}])
	r := run("zt_tls_001", with_certs({"files": files}))
	r.status == "error"
	contains(r.message, "/etc/x.pem (/etc/x.pem: malformed PEM block)")
}

test_zt_tls_001_error_discovery if {
	r := run("zt_tls_001", with_certs({"discovery": [{"status": "error", "reason": "nginx configuration: /etc/nginx/nginx.conf:3: unexpected \"}\"", "source": "nginx"}]}))
	r.status == "error"
	contains(r.message, "nginx: nginx configuration")
}

test_zt_tls_001_error_malformed_facts if {
	run("zt_tls_001", with_certs({"files": null})).status == "error"
}

test_zt_tls_001_skip_none if {
	absent := {"status": "unavailable", "reason": "absent", "path": "/etc/ssl/later.pem", "referenced_by": [], "file": {"path": "/etc/ssl/later.pem", "exists": false, "uid": 0, "gid": 0}, "certificates": [], "private_key_blocks": 0, "other_blocks": []}
	r := run("zt_tls_001", with_certs({"files": [absent]}))
	r.status == "skip"
	contains(r.message, "referenced but absent from this target: /etc/ssl/later.pem")
}

# --- ZT-TLS-002 ---

test_zt_tls_002_pass if {
	r := run("zt_tls_002", good)
	r.status == "pass"
	contains(r.message, "soonest expiry: 2026-03-31T00:00:00Z")
}

test_zt_tls_002_fail_expiring if {
	r := run("zt_tls_002", with_cert({"days_left": 10}))
	r.status == "fail"
	contains(r.message, "expire within 30 days of collection: /etc/nginx/tls/api.pem#0 (CN=www.example.com) expires 2026-03-31T00:00:00Z (10 days left)")
}

test_zt_tls_002_fail_expired_too if {
	r := run("zt_tls_002", with_cert({"days_left": -2, "expired": true, "not_after": "2026-02-27T00:00:00Z"}))
	r.status == "fail"
	contains(r.message, "(CN=www.example.com) expired 2026-02-27T00:00:00Z")
}

test_zt_tls_002_pass_forever_ssh_cert if {
	run("zt_tls_002", with_cert({"kind": "openssh", "days_left": null, "not_after": null, "forever": true})).status == "pass"
}

test_zt_tls_002_error_config if {
	r := run_cfg("zt_tls_002", good, {"tls": {}})
	r.status == "error"
	contains(r.message, "tls.warning_window_days")
}

test_zt_tls_002_skip_collector_unavailable if {
	inp := {"schema_version": "1", "target": {"kind": "rootfs"}, "facts": {}, "collectors": [{"name": "certificates", "status": "unavailable", "error": "why"}]}
	run("zt_tls_002", inp).status == "skip"
}

# --- ZT-TLS-003 ---

test_zt_tls_003_pass if {
	r := run("zt_tls_003", good)
	r.status == "pass"
	r.message == "all 1 leaf certificate(s) are valid for 90 days or less"
}

test_zt_tls_003_fail_365 if {
	r := run("zt_tls_003", with_cert({"validity_days": 365}))
	r.status == "fail"
	contains(r.message, "valid 365 days")
}

test_zt_tls_003_fail_forever if {
	r := run("zt_tls_003", with_cert({"validity_days": null, "forever": true, "kind": "openssh"}))
	r.status == "fail"
	contains(r.message, "valid forever")
}

test_zt_tls_003_skip_only_ca if {
	r := run("zt_tls_003", with_certs({"files": [cert_file("/etc/nginx/client-ca.pem", [ca_cert])]}))
	r.status == "skip"
}

test_zt_tls_003_error_collector if {
	run("zt_tls_003", failed("certificates")).status == "error"
}

# --- ZT-TLS-004 ---

test_zt_tls_004_pass if {
	r := run("zt_tls_004", good)
	r.status == "pass"
	r.message == "all 2 certificate key(s) are ECDSA P-256 or better, Ed25519 or RSA 3072+"
}

test_zt_tls_004_pass_rsa2048_with_warning if {
	r := run("zt_tls_004", with_cert({"key_algorithm": "RSA", "key_bits": 2048}))
	r.status == "pass"
	contains(r.message, "warning: /etc/nginx/tls/api.pem#0 (CN=www.example.com) RSA 2048")
}

test_zt_tls_004_fail_rsa2048_strict if {
	c := json.patch(cfg, [{"op": "replace", "path": "/tls/strict_key_profile", "value": true}])
	r := run_cfg("zt_tls_004", with_cert({"key_algorithm": "RSA", "key_bits": 2048}), c)
	r.status == "fail"
	contains(r.message, "strict profile")
}

test_zt_tls_004_fail_rsa1024 if {
	run("zt_tls_004", with_cert({"key_algorithm": "RSA", "key_bits": 1024})).status == "fail"
}

test_zt_tls_004_fail_p224_and_dsa if {
	run("zt_tls_004", with_cert({"key_algorithm": "ECDSA", "key_bits": 224, "key_curve": "P-224"})).status == "fail"
	run("zt_tls_004", with_cert({"key_algorithm": "DSA", "key_bits": 1024})).status == "fail"
}

test_zt_tls_004_pass_ed25519 if {
	run("zt_tls_004", with_cert({"key_algorithm": "Ed25519", "key_bits": 256})).status == "pass"
}

test_zt_tls_004_error_config if {
	run_cfg("zt_tls_004", good, {"tls": {"warning_window_days": 30}}).status == "error"
}

# --- ZT-TLS-005 ---

test_zt_tls_005_pass if {
	r := run("zt_tls_005", good)
	r.status == "pass"
	r.message == "1 private key file(s) are mode 0600 or 0400"
}

test_zt_tls_005_pass_0400 if {
	run("zt_tls_005", with_certs({"keys": [key_file("/etc/nginx/tls/api.key", "0400")]})).status == "pass"
}

test_zt_tls_005_fail_world_readable if {
	r := run("zt_tls_005", with_certs({"keys": [key_file("/etc/nginx/tls/api.key", "0644")]}))
	r.status == "fail"
	r.message == "1 private key file(s) are not mode 0600/0400: /etc/nginx/tls/api.key is 0644"
	r.evidence.loose[0].owner == "root"
}

test_zt_tls_005_fail_group_readable if {
	run("zt_tls_005", with_certs({"keys": [key_file("/etc/nginx/tls/api.key", "0640")]})).status == "fail"
}

test_zt_tls_005_fail_key_in_cert_file if {
	f := object.union(cert_file("/etc/nginx/tls/combined.pem", [cert("/etc/nginx/tls/combined.pem", {})]), {"private_key_blocks": 1})
	r := run("zt_tls_005", with_certs({"files": [f]}))
	r.status == "fail"
	contains(r.message, "/etc/nginx/tls/combined.pem is 0644")
}

test_zt_tls_005_error_stat if {
	k := object.union(key_file("/etc/nginx/tls/api.key", "0600"), {"status": "error", "reason": "permission denied", "file": {"path": "/etc/nginx/tls/api.key", "exists": false, "uid": 0, "gid": 0, "error": "permission denied"}})
	r := run("zt_tls_005", with_certs({"keys": [k]}))
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_tls_005_skip_no_keys if {
	r := run("zt_tls_005", with_certs({"keys": []}))
	r.status == "skip"
}

# --- ZT-TLS-006 ---

test_zt_tls_006_pass if {
	r := run("zt_tls_006", good)
	r.status == "pass"
	r.evidence.internal == ["/etc/nginx/sites-enabled/api:40 (api.internal)"]
}

test_zt_tls_006_pass_no_internal if {
	r := run("zt_tls_006", with_servers([server(["www.example.com"], {})]))
	r.status == "pass"
	contains(r.message, "none matched")
}

test_zt_tls_006_fail_optional if {
	s := replace(internal_server, {"ssl_verify_client": value(["optional"], "/etc/nginx/sites-enabled/api", 44, "server")})
	r := run("zt_tls_006", with_servers([s]))
	r.status == "fail"
	contains(r.message, "ssl_verify_client is optional")
}

test_zt_tls_006_fail_no_ca if {
	s := replace(internal_server, {"ssl_client_certificate": null})
	r := run("zt_tls_006", with_servers([s]))
	r.status == "fail"
	contains(r.message, "neither ssl_client_certificate nor ssl_trusted_certificate")
}

test_zt_tls_006_fail_internal_port if {
	c := json.patch(cfg, [{"op": "replace", "path": "/tls/internal_ports", "value": [8443]}])
	s := server(["admin.example.com"], {"listen": [listen(8443, true)]})
	r := run_cfg("zt_tls_006", with_servers([s]), c)
	r.status == "fail"
	contains(r.message, "ssl_verify_client is off (not set)")
}

test_zt_tls_006_fail_plaintext_internal if {
	s := server(["api.internal"], {"ssl": false, "listen": [listen(80, false)]})
	r := run("zt_tls_006", with_servers([s]))
	r.status == "fail"
	contains(r.message, "listens without TLS")
}

test_zt_tls_006_pass_public_override if {
	c := json.patch(cfg, [{"op": "replace", "path": "/tls/public_server_names", "value": ["api.internal"]}])
	s := server(["api.internal"], {})
	run_cfg("zt_tls_006", with_servers([s]), c).status == "pass"
}

test_zt_tls_006_skip_not_installed if {
	r := run("zt_tls_006", snap(good_certs, {"installed": false, "installed_evidence": "no nginx package"}))
	r.status == "skip"
	contains(r.message, "nginx is not installed")
}

test_zt_tls_006_error_collector if {
	run("zt_tls_006", failed("nginx")).status == "error"
}

# --- ZT-TLS-007 ---

test_zt_tls_007_pass if {
	r := run("zt_tls_007", good)
	r.status == "pass"
	r.message == "all 2 TLS server block(s) allow only TLSv1.2/TLSv1.3"
}

test_zt_tls_007_fail_tls10 if {
	s := server(["www.example.com"], {"ssl_protocols": value(["TLSv1", "TLSv1.2"], "/etc/nginx/nginx.conf", 30, "http")})
	r := run("zt_tls_007", with_servers([s]))
	r.status == "fail"
	contains(r.message, "allows TLSv1 (ssl_protocols at /etc/nginx/nginx.conf:30)")
}

test_zt_tls_007_fail_default_of_1_22 if {
	s := server(["www.example.com"], {"ssl_protocols": null})
	r := run("zt_tls_007", with_servers([s]))
	r.status == "fail"
	contains(r.message, "allows TLSv1 TLSv1.1 (not set: default of nginx 1.22.1 (before 1.23.4))")
}

test_zt_tls_007_pass_default_of_1_24 if {
	s := server(["www.example.com"], {"ssl_protocols": null})
	inp := snap(good_certs, replace(good_nginx, {"servers": [s], "default_ssl_protocols": ["TLSv1.2", "TLSv1.3"], "default_ssl_protocols_source": "default of nginx 1.24.0 (1.23.4 and later)"}))
	run("zt_tls_007", inp).status == "pass"
}

test_zt_tls_007_error_unknown_version if {
	s := server(["www.example.com"], {"ssl_protocols": null})
	inp := snap(good_certs, replace(good_nginx, {"servers": [s], "default_ssl_protocols": null, "default_ssl_protocols_source": "nginx version unknown: its default ssl_protocols cannot be known"}))
	r := run("zt_tls_007", inp)
	r.status == "error"
	contains(r.message, "nginx version unknown")
}

test_zt_tls_007_skip_no_tls if {
	s := server(["www.example.com"], {"ssl": false, "listen": [listen(80, false)]})
	run("zt_tls_007", with_servers([s])).status == "skip"
}

test_zt_tls_007_error_no_servers_fact if {
	run("zt_tls_007", snap(good_certs, object.remove(good_nginx, ["servers"]))).status == "error"
}

# --- ZT-TLS-008 ---

test_zt_tls_008_pass if {
	r := run("zt_tls_008", good)
	r.status == "pass"
	r.evidence.servers == ["/etc/nginx/sites-enabled/api:1 (www.example.com)"]
}

test_zt_tls_008_pass_location_only if {
	s := server(["www.example.com"], {"limit_req": [], "locations": [{"location": "/login", "file": "/etc/nginx/sites-enabled/api", "line": 9, "limit_req": [limit]}]})
	run("zt_tls_008", with_servers([s])).status == "pass"
}

test_zt_tls_008_fail if {
	s := server(["www.example.com"], {"limit_req": [], "locations": [{"location": "/", "file": "/etc/nginx/sites-enabled/api", "line": 9, "limit_req": []}]})
	r := run("zt_tls_008", with_servers([s]))
	r.status == "fail"
	r.message == "1 public server block(s) have no limit_req: /etc/nginx/sites-enabled/api:1 (www.example.com)"
}

test_zt_tls_008_skip_all_internal if {
	run("zt_tls_008", with_servers([internal_server])).status == "skip"
}

test_zt_tls_008_skip_not_installed if {
	run("zt_tls_008", snap(good_certs, {"installed": false, "installed_evidence": "x"})).status == "skip"
}

test_zt_tls_008_error_collector if {
	run("zt_tls_008", failed("nginx")).status == "error"
}
