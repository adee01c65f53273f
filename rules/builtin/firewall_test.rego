package ztscan.fw_test

import data.ztscan.fw

cfg := {"host": {"router": false}, "network": {"management_interfaces": ["wg0"], "public_ports": ["22/tcp"], "allowed_database_exposure": []}}

pol(p, text, logged) := {"base_chains": 1, "policy": p, "decision": {"family": "inet", "table": "filter", "chain": "input", "text": text}, "logged_drop": logged}

flag(s) := {"status": s, "decision": {"family": "inet", "table": "filter", "chain": "input", "text": "iif lo accept"}}

accept_path(src_named, ifaces, text) := {
	"sources": [], "interfaces": ifaces, "any_source": false, "source_named": src_named, "explicit_port": true, "uncertain": [],
	"decision": {"family": "inet", "table": "filter", "chain": "input", "text": text},
}

exposure(fam, proto, from, to, status, accepts) := {
	"family": fam, "proto": proto, "from": from, "to": to, "status": status, "accepts": accepts, "explicit_port": count(accepts) > 0, "logged_drop": status == "dropped",
	"decision": {"family": "inet", "table": "filter", "chain": "input", "text": "policy drop"},
}

ssh_via_vpn := accept_path(false, ["wg0"], `iifname "wg0" tcp dport 22 accept`)

ports_ok := [
	exposure("ipv4", "tcp", 1, 21, "dropped", []),
	exposure("ipv4", "tcp", 22, 22, "restricted", [ssh_via_vpn]),
	exposure("ipv4", "tcp", 23, 65535, "dropped", []),
	exposure("ipv6", "tcp", 1, 21, "dropped", []),
	exposure("ipv6", "tcp", 22, 22, "restricted", [ssh_via_vpn]),
	exposure("ipv6", "tcp", 23, 65535, "dropped", []),
]

good_fw := {
	"active": true,
	"active_evidence": "base chain inet filter input (nftables) on the input hook with 9 rules, policy drop",
	"rules": 9,
	"sources": [{"name": "nftables", "status": "ok", "loaded": true}],
	"input": {"ipv4": pol("drop", "policy drop", true), "ipv6": pol("drop", "policy drop", true)},
	"forward": {"ipv4": pol("drop", "policy drop", false), "ipv6": pol("drop", "policy drop", false)},
	"loopback_accepted": {"ipv4": flag("yes"), "ipv6": flag("yes")},
	"established_accepted": {"ipv4": flag("yes"), "ipv6": flag("yes")},
	"icmp_echo": {"ipv4": flag("rate_limited"), "ipv6": flag("rate_limited")},
	"ports": ports_ok,
	"listeners": {"status": "ok", "items": [{
		"proto": "tcp", "family": "ipv4", "address": "0.0.0.0", "port": 22,
		"status": "restricted", "explicit_port": true, "accepts": [ssh_via_vpn],
	}]},
}

good_sshd := {"installed": true, "effective": {"port": ["22"]}}

snap(f) := {
	"target": {"kind": "host"},
	"facts": {"firewall": f, "sshd": good_sshd},
	"collectors": [{"name": "firewall", "status": "ok"}, {"name": "sshd", "status": "ok"}],
}

with_sshd(s, sshd) := object.union(s, {"facts": object.union(s.facts, {"sshd": sshd})})

failed_collector := {
	"target": {"kind": "rootfs"}, "facts": {},
	"collectors": [{"name": "firewall", "status": "error", "error": "nft refuses the ruleset: /etc/nftables.conf:12:3-9: Error: syntax error"}, {"name": "sshd", "status": "ok"}],
}

unavailable_collector := {
	"target": {"kind": "rootfs"}, "facts": {},
	"collectors": [{"name": "firewall", "status": "unavailable", "error": "/etc/nftables.conf cannot be evaluated: no privilege"}, {"name": "sshd", "status": "ok"}],
}

run(rule, s) := r if {
	r := data.ztscan.fw[rule] with input as s with data.config as cfg
}

# ZT-FW-001
test_zt_fw_001_pass if {
	r := run("zt_fw_001", snap(good_fw))
	r.status == "pass"
	contains(r.message, "inet filter input")
}

test_zt_fw_001_fail_no_firewall if {
	r := run("zt_fw_001", snap(object.union(good_fw, {"active": false, "active_evidence": "no base chain on the input hook has a rule or a drop policy"})))
	r.status == "fail"
	contains(r.message, "no base chain")
	r.evidence.sources[0].name == "nftables"
}

test_zt_fw_001_error_collector if {
	r := run("zt_fw_001", failed_collector)
	r.status == "error"
	contains(r.message, "/etc/nftables.conf:12")
}

test_zt_fw_001_skip_unavailable if {
	r := run("zt_fw_001", unavailable_collector)
	r.status == "skip"
	contains(r.message, "no privilege")
}

test_zt_fw_001_error_missing_key if {
	r := run("zt_fw_001", snap(object.remove(good_fw, ["active"])))
	r.status == "error"
	contains(r.message, "active")
}

# ZT-FW-002
test_zt_fw_002_pass if {
	r := run("zt_fw_002", snap(good_fw))
	r.status == "pass"
	contains(r.message, "ipv4 drop")
}

test_zt_fw_002_pass_restricted if {
	f := object.union(good_fw, {"input": {"ipv4": pol("restricted", `iifname "wg0" accept`, true), "ipv6": pol("drop", "policy drop", true)}})
	run("zt_fw_002", snap(f)).status == "pass"
}

test_zt_fw_002_fail_accept if {
	f := object.union(good_fw, {"input": {"ipv4": pol("accept", "policy accept", false), "ipv6": pol("drop", "policy drop", true)}})
	r := run("zt_fw_002", snap(f))
	r.status == "fail"
	contains(r.message, "ipv4: accept (inet filter input: policy accept)")
}

test_zt_fw_002_error_uncertain if {
	f := object.union(good_fw, {"input": {"ipv4": {"policy": "uncertain", "reason": "depends on meta mark 1"}, "ipv6": pol("drop", "policy drop", true)}})
	r := run("zt_fw_002", snap(f))
	r.status == "error"
	contains(r.message, "meta mark 1")
}

test_zt_fw_002_skip_unavailable if {
	run("zt_fw_002", unavailable_collector).status == "skip"
}

# ZT-FW-003
test_zt_fw_003_pass if {
	run("zt_fw_003", snap(good_fw)).status == "pass"
}

test_zt_fw_003_pass_router if {
	f := object.union(good_fw, {"forward": {"ipv4": pol("accept", "policy accept", false), "ipv6": pol("accept", "policy accept", false)}})
	r := data.ztscan.fw.zt_fw_003 with input as snap(f) with data.config as object.union(cfg, {"host": {"router": true}})
	r.status == "pass"
	contains(r.message, "declared a router")
}

test_zt_fw_003_fail_accept if {
	f := object.union(good_fw, {"forward": {"ipv4": pol("accept", "policy accept", false), "ipv6": pol("drop", "policy drop", false)}})
	r := run("zt_fw_003", snap(f))
	r.status == "fail"
	contains(r.message, "ipv4: accept")
}

test_zt_fw_003_error_no_config if {
	r := data.ztscan.fw.zt_fw_003 with input as snap(good_fw) with data.config as {"network": cfg.network}
	r.status == "error"
	contains(r.message, "host.router")
}

test_zt_fw_003_skip_unavailable if {
	run("zt_fw_003", unavailable_collector).status == "skip"
}

# ZT-FW-004
test_zt_fw_004_pass if {
	run("zt_fw_004", snap(good_fw)).status == "pass"
}

test_zt_fw_004_fail_no_loopback if {
	f := object.union(good_fw, {"loopback_accepted": {"ipv4": {"status": "no", "decision": {"family": "inet", "table": "filter", "chain": "input", "text": "policy drop"}}, "ipv6": flag("yes")}})
	r := run("zt_fw_004", snap(f))
	r.status == "fail"
	contains(r.message, "loopback traffic (ipv4, inet filter input: policy drop)")
}

test_zt_fw_004_skip_no_firewall if {
	r := run("zt_fw_004", snap(object.union(good_fw, {"active": false})))
	r.status == "skip"
}

test_zt_fw_004_error_uncertain if {
	f := object.union(good_fw, {"established_accepted": {"ipv4": {"status": "uncertain", "reason": "depends on xt match conntrack"}, "ipv6": flag("yes")}})
	r := run("zt_fw_004", snap(f))
	r.status == "error"
	contains(r.message, "xt match conntrack")
}

# ZT-FW-005
test_zt_fw_005_pass_vpn if {
	r := run("zt_fw_005", snap(good_fw))
	r.status == "pass"
	contains(r.message, "tcp/22")
}

test_zt_fw_005_pass_source_named if {
	p := accept_path(true, [], "ip saddr @admins tcp dport 22 accept")
	ports := [exposure("ipv4", "tcp", 1, 65535, "restricted", [p]), exposure("ipv6", "tcp", 1, 65535, "dropped", [])]
	run("zt_fw_005", snap(object.union(good_fw, {"ports": ports}))).status == "pass"
}

test_zt_fw_005_fail_open if {
	ports := [
		exposure("ipv4", "tcp", 1, 65535, "accepted_from_any", [accept_path(false, [], "tcp dport 22 accept")]),
		exposure("ipv6", "tcp", 1, 65535, "dropped", []),
	]
	r := run("zt_fw_005", snap(object.union(good_fw, {"ports": ports})))
	r.status == "fail"
	contains(r.message, "tcp/22 ipv4: accepted from any source")
}

test_zt_fw_005_fail_public_interface if {
	p := accept_path(false, ["eth0"], `iifname "eth0" tcp dport 22 accept`)
	ports := [exposure("ipv4", "tcp", 1, 65535, "restricted", [p]), exposure("ipv6", "tcp", 1, 65535, "dropped", [])]
	r := run("zt_fw_005", snap(object.union(good_fw, {"ports": ports})))
	r.status == "fail"
	contains(r.message, "without a named source or management interface")
}

test_zt_fw_005_skip_no_sshd if {
	r := run("zt_fw_005", with_sshd(snap(good_fw), {"installed": false, "installed_evidence": "no openssh-server package"}))
	r.status == "skip"
}

test_zt_fw_005_error_missing_port_interval if {
	r := run("zt_fw_005", snap(object.union(good_fw, {"ports": []})))
	r.status == "error"
	contains(r.message, "missing")
}

# ZT-FW-006
test_zt_fw_006_pass if {
	r := run("zt_fw_006", snap(good_fw))
	r.status == "pass"
	contains(r.message, "1 listening sockets")
}

test_zt_fw_006_fail_catch_all if {
	l := {"proto": "tcp", "family": "ipv4", "address": "0.0.0.0", "port": 5432, "status": "accepted_from_any", "explicit_port": false,
		"decision": {"family": "inet", "table": "filter", "chain": "input", "text": "policy accept"}}
	r := run("zt_fw_006", snap(object.union(good_fw, {"listeners": {"status": "ok", "items": [l]}})))
	r.status == "fail"
	contains(r.message, "tcp/5432 on 0.0.0.0 (ipv4): accepted by inet filter input: policy accept")
}

test_zt_fw_006_skip_rootfs if {
	r := run("zt_fw_006", snap(object.union(good_fw, {"listeners": {"status": "unavailable", "reason": "offline root: no listening sockets", "items": []}})))
	r.status == "skip"
	contains(r.message, "offline root")
}

test_zt_fw_006_error_uncertain if {
	l := {"proto": "tcp", "family": "ipv4", "address": "0.0.0.0", "port": 8080, "status": "uncertain", "reason": "depends on meta mark 1", "explicit_port": false}
	r := run("zt_fw_006", snap(object.union(good_fw, {"listeners": {"status": "ok", "items": [l]}})))
	r.status == "error"
	contains(r.message, "meta mark 1")
}

# ZT-FW-007
test_zt_fw_007_pass if {
	run("zt_fw_007", snap(good_fw)).status == "pass"
}

test_zt_fw_007_fail_unlimited if {
	f := object.union(good_fw, {"icmp_echo": {"ipv4": flag("accepted_unlimited"), "ipv6": flag("rate_limited")}})
	r := run("zt_fw_007", snap(f))
	r.status == "fail"
	contains(r.message, "ipv4")
}

test_zt_fw_007_error_uncertain if {
	f := object.union(good_fw, {"icmp_echo": {"ipv4": {"status": "uncertain", "reason": "depends on fib daddr type"}, "ipv6": flag("rate_limited")}})
	r := run("zt_fw_007", snap(f))
	r.status == "error"
	contains(r.message, "fib daddr type")
}

test_zt_fw_007_skip_unavailable if {
	run("zt_fw_007", unavailable_collector).status == "skip"
}

# ZT-FW-008
test_zt_fw_008_pass if {
	run("zt_fw_008", snap(good_fw)).status == "pass"
}

test_zt_fw_008_fail_silent_drop if {
	f := object.union(good_fw, {"input": {"ipv4": pol("drop", "policy drop", false), "ipv6": pol("drop", "policy drop", true)}})
	r := run("zt_fw_008", snap(f))
	r.status == "fail"
	contains(r.message, "without a log statement: ipv4")
}

test_zt_fw_008_fail_accept_policy if {
	f := object.union(good_fw, {"input": {"ipv4": pol("accept", "policy accept", false), "ipv6": pol("drop", "policy drop", true)}})
	run("zt_fw_008", snap(f)).status == "fail"
}

test_zt_fw_008_error_collector if {
	run("zt_fw_008", failed_collector).status == "error"
}
