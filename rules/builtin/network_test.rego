package ztscan.net_test

import data.ztscan.net

# The defaults of config/defaults/network.yaml that the NET rules read.
cfg := {"network": {
	"public_ports": ["22/tcp", "80/tcp", "443/tcp", "51820/udp"],
	"client_ports": ["68/udp", "546/udp"],
	"management_interfaces": ["wg0"],
	"allowed_database_exposure": [],
	"database_ports": ["5432/tcp", "3306/tcp", "6379/tcp", "27017/tcp", "9200/tcp", "11211/tcp", "11211/udp"],
	"legacy_ports": ["21/tcp", "23/tcp", "69/udp", "512/tcp", "513/tcp", "514/tcp"],
	"tunnel_overhead": {"wireguard": 80, "vxlan": 50, "geneve": 50, "gre": 24, "ipip": 20},
	"tunnel_overhead_ipv6": {"vxlan": 70},
	"jumbo_mtu": 9000,
	"jumbo_fabric": false,
}}

ok := {"status": "ok"}

lst(proto, family, addr, port, scope, process) := {
	"proto": proto, "family": family, "address": addr, "port": port, "v4_mapped": false,
	"inode": 1000 + port, "pid": 100 + port, "process": process, "unit": sprintf("%s.service", [process]),
	"scope": scope, "owner": ok,
}

good_listeners := [
	lst("tcp", "inet", "0.0.0.0", 22, "wildcard", "sshd"),
	object.union(lst("tcp", "inet6", "::", 443, "wildcard", "nginx"), {"v4_mapped": true}),
	lst("tcp", "inet", "127.0.0.1", 8080, "loopback", "backend"),
	lst("tcp", "inet", "127.0.0.1", 5432, "loopback", "postgres"),
	lst("tcp", "inet6", "::1", 6379, "loopback", "redis-server"),
	lst("udp", "inet", "0.0.0.0", 68, "wildcard", "dhclient"),
	{"proto": "udp", "family": "inet", "address": "0.0.0.0", "port": 51820, "v4_mapped": false, "inode": 0, "pid": 0, "process": "[kernel]", "unit": "", "scope": "wildcard", "owner": ok},
]

sock_snap(ls) := {
	"target": {"kind": "host"},
	"facts": {"sockets": {"listeners": ls, "owners": ok, "v6only": {"source": "sock_diag"}}},
	"collectors": [{"name": "sockets", "status": "ok"}],
}

rootfs := {
	"target": {"kind": "rootfs"},
	"facts": {},
	"collectors": [
		{"name": "sockets", "status": "unavailable", "error": "offline root: sockets exist only on a running host"},
		{"name": "interfaces", "status": "unavailable", "error": "offline root: network links exist only on a running host"},
	],
}

failed := {
	"target": {"kind": "host"},
	"facts": {},
	"collectors": [
		{"name": "sockets", "status": "error", "error": "sockets: /proc/net/tcp: line 3: 9 fields, want at least 10"},
		{"name": "interfaces", "status": "error", "error": "interfaces: read /sys/class/net/eth0/mtu: permission denied"},
	],
}

run(rule, inp) := r if {
	r := net[rule] with input as inp with data.config as cfg
}

run_cfg(rule, inp, c) := r if {
	r := net[rule] with input as inp with data.config as c
}

# ---- ZT-NET-001

test_zt_net_001_pass_backends_on_loopback if {
	r := run("zt_net_001", sock_snap(good_listeners))
	r.status == "pass"
	r.evidence.public == ["22/tcp", "443/tcp", "51820/udp", "68/udp"]
}

test_zt_net_001_fail_backend_on_wildcard if {
	r := run("zt_net_001", sock_snap(array.concat(good_listeners, [lst("tcp", "inet6", "::", 3000, "wildcard", "grafana")])))
	r.status == "fail"
	contains(r.message, "tcp [::]:3000 (grafana, grafana.service, pid 3100)")
	[o.port | some o in r.evidence.offenders] == [3000]
}

test_zt_net_001_fail_specific_address_unknown_owner if {
	l := object.union(lst("tcp", "inet", "10.0.0.5", 9090, "specific", ""), {"pid": 0, "unit": "", "owner": {"status": "unavailable", "reason": "no process of this PID namespace holds this socket"}})
	r := run("zt_net_001", sock_snap([l]))
	r.status == "fail"
	contains(r.message, "10.0.0.5:9090 (owner unknown: no process of this PID namespace")
}

test_zt_net_001_pass_declared_public if {
	c := json.patch(cfg, [{"op": "add", "path": "/network/public_ports/-", "value": "3000/tcp"}])
	r := run_cfg("zt_net_001", sock_snap([lst("tcp", "inet", "0.0.0.0", 3000, "wildcard", "grafana")]), c)
	r.status == "pass"
}

test_zt_net_001_skip_rootfs if {
	r := run("zt_net_001", rootfs)
	r.status == "skip"
	contains(r.message, "offline root")
}

test_zt_net_001_error_collector if {
	r := run("zt_net_001", failed)
	r.status == "error"
	contains(r.message, "/proc/net/tcp")
}

test_zt_net_001_error_no_listeners_key if {
	inp := json.patch(sock_snap([]), [{"op": "remove", "path": "/facts/sockets/listeners"}])
	r := run("zt_net_001", inp)
	r.status == "error"
	contains(r.message, "lacks listeners")
}

test_zt_net_001_error_bad_config if {
	c := json.patch(cfg, [{"op": "replace", "path": "/network/public_ports", "value": ["ssh"]}])
	r := run_cfg("zt_net_001", sock_snap(good_listeners), c)
	r.status == "error"
	contains(r.message, "network.public_ports")
}

test_zt_net_001_error_config_missing if {
	r := run_cfg("zt_net_001", sock_snap(good_listeners), {"network": {}})
	r.status == "error"
	contains(r.message, "network.public_ports")
}

# ---- ZT-NET-002

test_zt_net_002_pass_databases_on_loopback if {
	r := run("zt_net_002", sock_snap(good_listeners))
	r.status == "pass"
	count(r.evidence.loopback) == 2
}

test_zt_net_002_fail_postgres_on_wildcard if {
	r := run("zt_net_002", sock_snap(array.concat(good_listeners, [lst("tcp", "inet", "0.0.0.0", 5432, "wildcard", "postgres")])))
	r.status == "fail"
	contains(r.message, "tcp 0.0.0.0:5432 (postgres, postgres.service, pid 5532)")
}

test_zt_net_002_fail_memcached_udp_private if {
	r := run("zt_net_002", sock_snap([lst("udp", "inet", "10.1.2.3", 11211, "specific", "memcached")]))
	r.status == "fail"
	r.evidence.offenders[0].port == 11211
}

test_zt_net_002_pass_declared_exposure if {
	c := json.patch(cfg, [{"op": "replace", "path": "/network/allowed_database_exposure", "value": ["5432/tcp"]}])
	r := run_cfg("zt_net_002", sock_snap([lst("tcp", "inet", "10.0.0.5", 5432, "specific", "postgres")]), c)
	r.status == "pass"
	count(r.evidence.declared) == 1
}

test_zt_net_002_skip_rootfs if {
	run("zt_net_002", rootfs).status == "skip"
}

test_zt_net_002_error_collector if {
	run("zt_net_002", failed).status == "error"
}

test_zt_net_002_error_bad_allow_list if {
	c := json.patch(cfg, [{"op": "replace", "path": "/network/allowed_database_exposure", "value": ["postgres"]}])
	r := run_cfg("zt_net_002", sock_snap(good_listeners), c)
	r.status == "error"
	contains(r.message, "allowed_database_exposure")
}

# ---- ZT-NET-003

test_zt_net_003_pass_no_legacy if {
	r := run("zt_net_003", sock_snap(good_listeners))
	r.status == "pass"
}

test_zt_net_003_fail_telnet if {
	r := run("zt_net_003", sock_snap(array.concat(good_listeners, [lst("tcp", "inet", "0.0.0.0", 23, "wildcard", "inetd")])))
	r.status == "fail"
	contains(r.message, "tcp 0.0.0.0:23 (inetd")
}

test_zt_net_003_fail_tftp_even_on_loopback if {
	r := run("zt_net_003", sock_snap([lst("udp", "inet", "127.0.0.1", 69, "loopback", "in.tftpd")]))
	r.status == "fail"
}

test_zt_net_003_pass_syslog_udp_514 if {
	# 514/udp is syslog, not rsh (514/tcp).
	run("zt_net_003", sock_snap([lst("udp", "inet", "0.0.0.0", 514, "wildcard", "rsyslogd")])).status == "pass"
}

test_zt_net_003_skip_rootfs if {
	run("zt_net_003", rootfs).status == "skip"
}

test_zt_net_003_error_collector if {
	run("zt_net_003", failed).status == "error"
}

# ---- interfaces

itf(name, kind, mtu, physical, admin_up, carrier) := {
	"name": name, "index": 1, "kind": kind, "physical": physical, "mtu": mtu,
	"admin_up": admin_up, "oper_state": "up", "carrier": carrier, "type": 1,
}

tun(name, kind, mtu, underlay, underlay_mtu) := object.union(itf(name, kind, mtu, false, true, true), {"tunnel": {
	"status": "ok", "underlay": underlay, "underlay_mtu": underlay_mtu, "underlay_source": "default_route",
}})

lo := itf("lo", "loopback", 65536, false, true, true)

eth0 := itf("eth0", "physical", 1500, true, true, true)

good_links := [lo, eth0, tun("wg0", "wireguard", 1420, "eth0", 1500), tun("vxlan0", "vxlan", 1450, "eth0", 1500)]

if_snap(ls) := {
	"target": {"kind": "host"},
	"facts": {"interfaces": {"interfaces": ls, "default_route": "eth0", "routes": ok, "kind_source": "sysfs"}},
	"collectors": [{"name": "interfaces", "status": "ok"}],
}

# ---- ZT-NET-004

test_zt_net_004_pass_tunnels_fit if {
	r := run("zt_net_004", if_snap(good_links))
	r.status == "pass"
	contains(r.message, "wg0 (wireguard) MTU 1420, underlay eth0 MTU 1500 - overhead 80 = 1420")
}

test_zt_net_004_fail_vxlan_too_large if {
	r := run("zt_net_004", if_snap([eth0, tun("vxlan0", "vxlan", 1500, "eth0", 1500)]))
	r.status == "fail"
	contains(r.message, "vxlan0 (vxlan) MTU 1500, underlay eth0 MTU 1500 - overhead 50 = 1450")
}

test_zt_net_004_fail_vxlan_ipv6_remote if {
	t := json.patch(tun("vxlan0", "vxlan", 1450, "eth0", 1500), [{"op": "add", "path": "/tunnel/remote_family", "value": "inet6"}])
	r := run("zt_net_004", if_snap([eth0, t]))
	r.status == "fail"
	r.evidence.tunnels[0].overhead == 70
}

test_zt_net_004_fail_gre_and_ipip if {
	r := run("zt_net_004", if_snap([eth0, tun("gre1", "gre", 1476, "eth0", 1500), tun("ipip1", "ipip", 1481, "eth0", 1500)]))
	r.status == "fail"
	not contains(r.message, "gre1 (gre)")
	contains(r.message, "ipip1 (ipip) MTU 1481")
}

test_zt_net_004_skip_no_tunnels if {
	r := run("zt_net_004", if_snap([lo, eth0]))
	r.status == "skip"
	r.message == "no tunnel interfaces"
}

test_zt_net_004_skip_rootfs if {
	run("zt_net_004", rootfs).status == "skip"
}

test_zt_net_004_error_collector if {
	r := run("zt_net_004", failed)
	r.status == "error"
	contains(r.message, "/sys/class/net/eth0/mtu")
}

test_zt_net_004_error_underlay_unknown if {
	t := object.union(itf("wg0", "wireguard", 1420, false, true, true), {"tunnel": {"status": "unavailable", "reason": "no link device, no route to a remote endpoint and no default route"}})
	r := run("zt_net_004", if_snap([lo, t]))
	r.status == "error"
	contains(r.message, "wg0 (wireguard): no link device")
}

test_zt_net_004_error_unknown_kind if {
	r := run("zt_net_004", if_snap([eth0, tun("x0", "bareudp", 1400, "eth0", 1500)]))
	r.status == "error"
	contains(r.message, "bareudp")
}

# ---- ZT-NET-005

test_zt_net_005_pass_carrier if {
	r := run("zt_net_005", if_snap(good_links))
	r.status == "pass"
}

test_zt_net_005_pass_down_physical_not_judged if {
	eth1 := object.union(itf("eth1", "physical", 1500, true, false, null), {"carrier_reason": "link is administratively down"})
	run("zt_net_005", if_snap([eth0, eth1])).status == "pass"
}

test_zt_net_005_fail_no_carrier if {
	r := run("zt_net_005", if_snap([eth0, itf("eth1", "physical", 1500, true, true, false)]))
	r.status == "fail"
	contains(r.message, "eth1")
	r.evidence.no_carrier[0].name == "eth1"
}

test_zt_net_005_pass_veth_without_carrier_ignored if {
	r := run("zt_net_005", if_snap([eth0, itf("veth0", "veth", 1500, false, true, false)]))
	r.status == "pass"
}

test_zt_net_005_skip_no_physical if {
	r := run("zt_net_005", if_snap([lo, itf("veth0", "veth", 1500, false, true, false)]))
	r.status == "skip"
}

test_zt_net_005_error_carrier_unknown if {
	r := run("zt_net_005", if_snap([itf("eth1", "physical", 1500, true, true, null)]))
	r.status == "error"
	contains(r.message, "eth1")
}

test_zt_net_005_error_collector if {
	run("zt_net_005", failed).status == "error"
}

# ---- ZT-NET-006

test_zt_net_006_pass_reports_underlay if {
	r := run("zt_net_006", if_snap(good_links))
	r.status == "pass"
	contains(r.message, "eth0 MTU 1500 carries vxlan0, wg0 (jumbo frames, MTU 9000")
	r.evidence.carriers[0].jumbo == false
}

test_zt_net_006_pass_jumbo if {
	r := run("zt_net_006", if_snap([tun("vxlan0", "vxlan", 8950, "bond0", 9000)]))
	r.status == "pass"
	r.message == "tunnel-carrying interfaces: bond0 MTU 9000 carries vxlan0"
}

test_zt_net_006_fail_jumbo_fabric_declared if {
	c := json.patch(cfg, [{"op": "replace", "path": "/network/jumbo_fabric", "value": true}])
	r := run_cfg("zt_net_006", if_snap(good_links), c)
	r.status == "fail"
	contains(r.message, "eth0 MTU 1500 carries vxlan0, wg0")
}

test_zt_net_006_pass_jumbo_fabric_declared_and_met if {
	c := json.patch(cfg, [{"op": "replace", "path": "/network/jumbo_fabric", "value": true}])
	run_cfg("zt_net_006", if_snap([tun("vxlan0", "vxlan", 8950, "bond0", 9000)]), c).status == "pass"
}

test_zt_net_006_skip_no_tunnels if {
	run("zt_net_006", if_snap([lo, eth0])).status == "skip"
}

test_zt_net_006_skip_rootfs if {
	run("zt_net_006", rootfs).status == "skip"
}

test_zt_net_006_error_underlay_unknown if {
	t := object.union(itf("wg0", "wireguard", 1420, false, true, true), {"tunnel": {"status": "error", "reason": "underlay unknown: /proc/net/route: missing route table header"}})
	r := run("zt_net_006", if_snap([t]))
	r.status == "error"
}
