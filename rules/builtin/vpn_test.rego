package ztscan.vpn_test

import data.ztscan.vpn

cfg(role) := {"vpn": {"wireguard_role": role}}

file(path, mode, uid) := {"path": path, "exists": true, "type": "regular file", "mode": mode, "uid": uid, "gid": 0, "owner": "root", "group": "root"}

peer(line, ips) := {"line": line, "has_public_key": true, "has_preshared_key": true, "allowed_ips": ips}

config(mode, peers) := {
	"status": "ok", "interface": "wg0",
	"file": file("/etc/wireguard/wg0.conf", mode, 0),
	"config": {"interface": {"line": 1, "listen_port": 51820, "has_private_key": false}, "peers": peers},
}

keyfile(mode, uid) := {"file": file("/etc/wireguard/wg0.key", mode, uid), "kind": "private-key", "referenced_by": ["/etc/wireguard/wg0.conf:5"]}

good_peers := [peer(8, ["10.8.0.2/32"]), peer(12, ["10.8.0.3/32", "fd00:8::3/128"])]

snap(configs, keys, server) := {
	"facts": {"wireguard": {
		"installed": true, "installed_evidence": "package wireguard-tools 1.0.20210914-1+b1 is installed",
		"configs": configs, "key_files": keys, "server": server,
		"server_evidence": "wg0.conf has ListenPort 51820",
		"live": {"status": "unavailable", "reason": "offline root", "interfaces": []},
	}},
	"collectors": [{"name": "wireguard", "status": "ok"}],
}

good := snap([config("0600", good_peers)], [keyfile("0600", 0)], true)

not_installed := {
	"facts": {"wireguard": {"installed": false, "installed_evidence": "no wireguard-tools package", "configs": [], "key_files": []}},
	"collectors": [{"name": "wireguard", "status": "ok"}],
}

failed := {"facts": {}, "collectors": [{"name": "wireguard", "status": "error", "error": "boom"}]}

run(rule, inp) := v if {
	v := vpn[rule] with input as inp with data.config as cfg("auto")
}

run_role(rule, inp, role) := v if {
	v := vpn[rule] with input as inp with data.config as cfg(role)
}

test_both_pass_hardened if {
	run("zt_vpn_001", good).status == "pass"
	run("zt_vpn_002", good).status == "pass"
}

test_both_skip_not_installed if {
	run("zt_vpn_001", not_installed).status == "skip"
	run("zt_vpn_002", not_installed).status == "skip"
}

# ZT-VPN-001

test_zt_vpn_001_pass if {
	v := run("zt_vpn_001", good)
	v.status == "pass"
	contains(v.message, "/etc/wireguard/wg0.conf, /etc/wireguard/wg0.key")
}

test_zt_vpn_001_pass_stricter_0400 if {
	run("zt_vpn_001", snap([config("0400", good_peers)], [keyfile("0400", 0)], true)).status == "pass"
}

test_zt_vpn_001_fail_world_readable_config if {
	v := run("zt_vpn_001", snap([config("0644", good_peers)], [keyfile("0600", 0)], true))
	v.status == "fail"
	contains(v.message, "/etc/wireguard/wg0.conf is 0644")
	count(v.evidence.files) == 1
}

test_zt_vpn_001_fail_key_not_root if {
	v := run("zt_vpn_001", snap([config("0600", good_peers)], [keyfile("0600", 1000)], true))
	v.status == "fail"
	contains(v.message, "wg0.key")
}

test_zt_vpn_001_fail_group_readable_key if {
	run("zt_vpn_001", snap([config("0600", good_peers)], [keyfile("0640", 0)], true)).status == "fail"
}

test_zt_vpn_001_error_unreadable if {
	bad := {"file": {"path": "/etc/wireguard/wg0.key", "exists": false, "uid": 0, "gid": 0, "error": "stat /etc/wireguard/wg0.key: too many levels of symbolic links"}, "kind": "private-key", "referenced_by": []}
	v := run("zt_vpn_001", snap([config("0600", good_peers)], [bad], true))
	v.status == "error"
	contains(v.message, "too many levels")
}

test_zt_vpn_001_error_collector if {
	run("zt_vpn_001", failed).status == "error"
}

test_zt_vpn_001_skip_no_config if {
	v := run("zt_vpn_001", snap([], [], false))
	v.status == "skip"
	contains(v.message, "no interface is configured")
}

# ZT-VPN-002

test_zt_vpn_002_pass if {
	v := run("zt_vpn_002", good)
	v.status == "pass"
	v.evidence.peers == 2
}

test_zt_vpn_002_fail_full_tunnel_v4 if {
	v := run("zt_vpn_002", snap([config("0600", array.concat(good_peers, [peer(20, ["0.0.0.0/0"])]))], [], true))
	v.status == "fail"
	contains(v.message, "/etc/wireguard/wg0.conf:20 AllowedIPs 0.0.0.0/0")
}

test_zt_vpn_002_fail_full_tunnel_v6 if {
	run("zt_vpn_002", snap([config("0600", [peer(20, ["10.8.0.9/32", "::/0"])])], [], true)).status == "fail"
}

test_zt_vpn_002_fail_split_halves if {
	run("zt_vpn_002", snap([config("0600", [peer(20, ["0.0.0.0/1", "128.0.0.0/1"])])], [], true)).status == "fail"
}

test_zt_vpn_002_fail_live_peer if {
	s := snap([config("0600", good_peers)], [], true)
	live := {"status": "ok", "interfaces": [{"name": "wg0", "listen_port": 51820, "peers": [{"allowed_ips": ["0.0.0.0/0"]}]}]}
	v := run("zt_vpn_002", json.patch(s, [{"op": "replace", "path": "/facts/wireguard/live", "value": live}]))
	v.status == "fail"
	contains(v.message, "running interface wg0, peer 1")
}

test_zt_vpn_002_fail_declared_server if {
	v := run_role("zt_vpn_002", snap([config("0600", [peer(20, ["0.0.0.0/0"])])], [], false), "server")
	v.status == "fail"
	contains(v.message, "declared by vpn.wireguard_role")
}

test_zt_vpn_002_pass_client_link_of_a_server if {
	client := {"status": "ok", "interface": "wg1", "file": file("/etc/wireguard/wg1.conf", "0600", 0), "config": {"interface": {"line": 1, "listen_port": null}, "peers": [peer(6, ["0.0.0.0/0"])]}}
	v := run("zt_vpn_002", snap([config("0600", good_peers), client], [], true))
	v.status == "pass"
	v.evidence.peers == 2
}

test_zt_vpn_002_skip_client if {
	v := run("zt_vpn_002", snap([config("0600", [peer(20, ["0.0.0.0/0"])])], [], false))
	v.status == "skip"
	contains(v.message, "not a WireGuard server")
}

test_zt_vpn_002_skip_declared_client if {
	run_role("zt_vpn_002", snap([config("0600", [peer(20, ["0.0.0.0/0"])])], [], true), "client").status == "skip"
}

test_zt_vpn_002_error_broken_config if {
	broken := {"status": "error", "reason": "/etc/wireguard/wg0.conf:3: unknown [Interface] key \"Foo\"", "interface": "wg0", "file": file("/etc/wireguard/wg0.conf", "0600", 0), "config": null}
	v := run("zt_vpn_002", snap([broken], [], true))
	v.status == "error"
	contains(v.message, "wg0.conf:3")
}

test_zt_vpn_002_error_bad_role if {
	v := run_role("zt_vpn_002", good, "maybe")
	v.status == "error"
	contains(v.message, "maybe")
}

test_zt_vpn_002_error_collector if {
	run("zt_vpn_002", failed).status == "error"
}
