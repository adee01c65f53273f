# Network exposure by listening sockets (ZT-NET-001..003, live host only:
# an offline root has no sockets and these rules skip) and interface
# health and tunnel MTUs (ZT-NET-004..006, from the interfaces collector).
package ztscan.net

import data.ztscan.lib

sockets := object.get(input, ["facts", "sockets"], {})

links := object.get(input, ["facts", "interfaces"], {})

netcfg := object.get(data.config, "network", {})

# port_key(l) is a listener's "PORT/PROTO", as the configuration lists ports.
port_key(l) := sprintf("%d/%s", [l.port, l.proto])

# bad_ports(key) lists entries of network.<key> that are not "PORT/PROTO".
bad_ports(key) := [p |
	some p in object.get(netcfg, key, [])
	not valid_port(p)
]

valid_port(p) if {
	is_string(p)
	regex.match(`^[0-9]{1,5}/(tcp|udp)$`, p)
	to_number(split(p, "/")[0]) <= 65535
}

# port_config_error(keys) is an error when a port list is missing or has
# malformed entries; undefined when every list is usable.
port_config_error(keys) := v if {
	v := lib.config_missing([sprintf("network.%s", [k]) | some k in keys])
} else := lib.error(sprintf("network.%s has entries that are not PORT/PROTO: %v", [k, bad_ports(k)])) if {
	some k in keys
	count(bad_ports(k)) > 0
}

listeners := object.get(sockets, "listeners", null)

no_listeners := lib.error("facts.sockets lacks listeners") if not is_array(listeners)

# where(l) is "tcp 0.0.0.0:5432 (postgres, postgresql.service, pid 812)".
where(l) := sprintf("%s %s (%s)", [l.proto, addr_port(l), owner(l)])

addr_port(l) := sprintf("[%s]:%d", [l.address, l.port]) if l.family == "inet6"

addr_port(l) := sprintf("%s:%d", [l.address, l.port]) if l.family != "inet6"

owner(l) := concat(", ", [s |
	some s in [object.get(l, "process", ""), object.get(l, "unit", ""), pid_text(l)]
	s != ""
]) if object.get(l, ["owner", "status"], "") == "ok"

owner(l) := sprintf("owner unknown: %s", [object.get(l, ["owner", "reason"], "no owner facts")]) if object.get(l, ["owner", "status"], "") != "ok"

pid_text(l) := sprintf("pid %d", [l.pid]) if object.get(l, "pid", 0) > 0

pid_text(l) := "" if object.get(l, "pid", 0) == 0

# exposed(l): bound to something other than loopback (a wildcard or an
# address of an interface other hosts can reach).
exposed(l) if object.get(l, "scope", "") != "loopback"

brief(l) := {
	"proto": l.proto, "family": l.family, "address": l.address, "port": l.port,
	"v4_mapped": object.get(l, "v4_mapped", false), "scope": object.get(l, "scope", ""),
	"process": object.get(l, "process", ""), "unit": object.get(l, "unit", ""), "pid": object.get(l, "pid", 0),
}

# METADATA
# title: Application backends listen on loopback only
# description: >-
#   Every listening TCP or bound UDP socket that is not a declared public
#   service (network.public_ports) or a client port that must bind the
#   wildcard (network.client_ports, DHCP) is bound to 127.0.0.0/8 or ::1.
#   Backends reached through a local proxy then cannot be reached around it.
# custom:
#   id: ZT-NET-001
#   severity: high
#   remediation: >-
#     Bind the named service to 127.0.0.1 or ::1 in its configuration (e.g.
#     "listen_addresses = 'localhost'", "bind 127.0.0.1", "--bind
#     127.0.0.1") and restart it; if it is meant to be public, add its
#     "PORT/PROTO" to network.public_ports in the ztscan config.
#   references:
#     - CIS Debian Linux 12 Benchmark 2.1.22 (only approved services are listening on a network interface)
#     - NIST SP 800-53 CM-7, SC-7
#     - NIST SP 800-207 tenet 2 (all communication is secured regardless of network location)
zt_net_001 := v if {
	v := lib.missing("sockets")
} else := v if {
	v := port_config_error(["public_ports", "client_ports"])
} else := v if {
	v := no_listeners
} else := lib.fail(sprintf("%d listener(s) outside the declared public services are not on loopback: %s", [count(net001_offenders), concat("; ", [where(l) | some l in net001_offenders])]), {
	"offenders": [brief(l) | some l in net001_offenders],
	"public_ports": netcfg.public_ports,
}) if {
	count(net001_offenders) > 0
} else := lib.pass(sprintf("%d listener(s): public services %v, all others on loopback", [count(listeners), net001_public_seen]), {
	"listeners": count(listeners),
	"public": net001_public_seen,
	"public_ports": netcfg.public_ports,
})

net001_allowed := {p | some p in array.concat(netcfg.public_ports, netcfg.client_ports)}

net001_offenders := [l |
	some l in listeners
	exposed(l)
	not port_key(l) in net001_allowed
]

net001_public_seen := sort({port_key(l) | some l in listeners; exposed(l); port_key(l) in net001_allowed})

# METADATA
# title: Databases do not listen on wildcard or public addresses
# description: >-
#   No socket on a database port (network.database_ports: PostgreSQL,
#   MySQL, Redis, MongoDB, Elasticsearch, memcached) is bound to anything
#   but loopback, unless declared in network.allowed_database_exposure.
#   A private address counts as exposed: Zero Trust grants no trust to a
#   network location.
# custom:
#   id: ZT-NET-002
#   severity: critical
#   remediation: >-
#     Bind the database to 127.0.0.1/::1 (PostgreSQL listen_addresses =
#     'localhost', MySQL bind-address = 127.0.0.1, Redis "bind 127.0.0.1
#     ::1", MongoDB net.bindIp: 127.0.0.1, memcached -l 127.0.0.1 -U 0) and
#     reach it through an authenticated tunnel or proxy; declare an intended
#     exposure in network.allowed_database_exposure.
#   references:
#     - CIS Debian Linux 12 Benchmark 2.1.22 (only approved services are listening on a network interface)
#     - NIST SP 800-53 SC-7, AC-3
#     - NIST SP 800-207 tenet 2 (all communication is secured regardless of network location)
zt_net_002 := v if {
	v := lib.missing("sockets")
} else := v if {
	v := port_config_error(["database_ports", "allowed_database_exposure"])
} else := v if {
	v := no_listeners
} else := lib.fail(sprintf("database port(s) listen beyond loopback: %s", [concat("; ", [where(l) | some l in net002_offenders])]), {
	"offenders": [brief(l) | some l in net002_offenders],
	"database_ports": netcfg.database_ports,
	"allowed_database_exposure": netcfg.allowed_database_exposure,
}) if {
	count(net002_offenders) > 0
} else := lib.pass(sprintf("no database port listens beyond loopback (%d database listener(s) on loopback, %d declared exposure(s))", [count(net002_local), count(net002_declared)]), {
	"loopback": [brief(l) | some l in net002_local],
	"declared": [brief(l) | some l in net002_declared],
	"database_ports": netcfg.database_ports,
})

net002_db(l) if port_key(l) in {p | some p in netcfg.database_ports}

net002_offenders := [l |
	some l in listeners
	net002_db(l)
	exposed(l)
	not port_key(l) in {p | some p in netcfg.allowed_database_exposure}
]

net002_local := [l | some l in listeners; net002_db(l); not exposed(l)]

net002_declared := [l |
	some l in listeners
	net002_db(l)
	exposed(l)
	port_key(l) in {p | some p in netcfg.allowed_database_exposure}
]

# METADATA
# title: No legacy cleartext services listen
# description: >-
#   Nothing listens on the ports of telnet (23), ftp (21), tftp (69/udp)
#   or rsh/rlogin/rexec (512-514/tcp), on any address: these protocols send
#   credentials and data in the clear (network.legacy_ports).
# custom:
#   id: ZT-NET-003
#   severity: medium
#   remediation: >-
#     Stop, disable and purge the service named in the evidence (e.g.
#     "systemctl disable --now inetd; apt purge telnetd inetutils-inetd
#     tftpd-hpa vsftpd rsh-server") and use SSH/SFTP instead.
#   references:
#     - CIS Debian Linux 12 Benchmark 2.1.22 (only approved services are listening on a network interface)
#     - NIST SP 800-53 CM-7, SC-8
#     - NIST SP 800-207 tenet 2 (all communication is secured regardless of network location)
zt_net_003 := v if {
	v := lib.missing("sockets")
} else := v if {
	v := port_config_error(["legacy_ports"])
} else := v if {
	v := no_listeners
} else := lib.fail(sprintf("legacy cleartext service(s) listen: %s", [concat("; ", [where(l) | some l in net003_offenders])]), {
	"offenders": [brief(l) | some l in net003_offenders],
	"legacy_ports": netcfg.legacy_ports,
}) if {
	count(net003_offenders) > 0
} else := lib.pass(sprintf("none of %d listener(s) is on a legacy cleartext port %v", [count(listeners), netcfg.legacy_ports]), {
	"listeners": count(listeners),
	"legacy_ports": netcfg.legacy_ports,
})

net003_offenders := [l |
	some l in listeners
	port_key(l) in {p | some p in netcfg.legacy_ports}
]

ifaces := object.get(links, "interfaces", null)

no_ifaces := lib.error("facts.interfaces lacks interfaces") if not is_array(ifaces)

tunnels := [i | some i in ifaces; object.get(i, "tunnel", null) != null]

# broken_tunnels: tunnels whose underlay could not be determined.
broken_tunnels := [sprintf("%s (%s): %s", [i.name, i.kind, object.get(i.tunnel, "reason", "no status")]) |
	some i in tunnels
	object.get(i.tunnel, "status", "") != "ok"
]

# overhead(t) is the encapsulation overhead of a tunnel in bytes, the
# IPv6 figure when its remote endpoint is IPv6 and one is configured.
overhead(t) := n if {
	object.get(t, ["tunnel", "remote_family"], "") == "inet6"
	n := netcfg.tunnel_overhead_ipv6[t.kind]
} else := netcfg.tunnel_overhead[t.kind]

# has_overhead(t) is a named rule: "not is_number(overhead(t))" inline
# would be hoisted out of the negation by the compiler and never hold.
has_overhead(t) if is_number(overhead(t))

unknown_overhead := sort({t.kind | some t in tunnels; not has_overhead(t)})

mtu_checks := [{
	"interface": t.name, "kind": t.kind, "mtu": t.mtu,
	"underlay": t.tunnel.underlay, "underlay_mtu": t.tunnel.underlay_mtu,
	"underlay_source": t.tunnel.underlay_source, "overhead": overhead(t),
	"max_mtu": t.tunnel.underlay_mtu - overhead(t),
} |
	some t in tunnels
]

mtu_text(c) := sprintf("%s (%s) MTU %d, underlay %s MTU %d - overhead %d = %d", [c.interface, c.kind, c.mtu, c.underlay, c.underlay_mtu, c.overhead, c.max_mtu])

# METADATA
# title: Tunnel MTUs fit their underlay
# description: >-
#   Each tunnel interface (wireguard, vxlan, geneve, gre, ipip, ip6tnl,
#   xfrm, ...) has an MTU no larger than its underlay's MTU minus the
#   encapsulation overhead (network.tunnel_overhead). A larger MTU
#   fragments or silently drops full-size packets (PMTU black holes).
# custom:
#   id: ZT-NET-004
#   severity: high
#   remediation: >-
#     Lower the tunnel MTU to the value in the evidence ("ip link set dev
#     wg0 mtu 1420", MTU= in the .netdev/.network file, MTU in wg-quick's
#     [Interface]) or raise the underlay MTU (jumbo frames) where the whole
#     path supports it.
#   references:
#     - NIST SP 800-53 CM-6, SC-5
#     - NIST SP 800-207 tenet 7 (collect information on the state of the network and communications)
zt_net_004 := v if {
	v := lib.missing("interfaces")
} else := v if {
	v := lib.config_missing(["network.tunnel_overhead"])
} else := v if {
	v := no_ifaces
} else := lib.skip("no tunnel interfaces") if {
	count(tunnels) == 0
} else := lib.error(sprintf("tunnel underlay unknown: %s", [concat("; ", broken_tunnels)])) if {
	count(broken_tunnels) > 0
} else := lib.error(sprintf("no overhead in network.tunnel_overhead for tunnel kind(s) %v", [unknown_overhead])) if {
	count(unknown_overhead) > 0
} else := lib.fail(sprintf("tunnel MTU exceeds what its underlay carries: %s", [concat("; ", [mtu_text(c) | some c in net004_bad])]), {"tunnels": mtu_checks}) if {
	count(net004_bad) > 0
} else := lib.pass(sprintf("every tunnel fits its underlay: %s", [concat("; ", [mtu_text(c) | some c in mtu_checks])]), {"tunnels": mtu_checks})

net004_bad := [c | some c in mtu_checks; c.mtu > c.max_mtu]

physical := [i | some i in ifaces; object.get(i, "physical", false) == true]

physical_up := [i | some i in physical; object.get(i, "admin_up", false) == true]

link_brief(i) := {"name": i.name, "admin_up": i.admin_up, "oper_state": object.get(i, "oper_state", ""), "carrier": object.get(i, "carrier", null), "mtu": object.get(i, "mtu", 0)}

# METADATA
# title: No administratively up physical interface lacks carrier
# description: >-
#   Every physical interface (backed by a device) that is configured up
#   has carrier. An up link without carrier is an unplugged cable, a dead
#   transceiver or a switch port down: a path the host believes it has.
#   Virtual links (veth, bridges, tunnels) are not judged.
# custom:
#   id: ZT-NET-005
#   severity: low
#   remediation: >-
#     Check cabling, transceiver and switch port of the interface named in
#     the evidence ("ip link show dev eth1", "ethtool eth1"), or take the
#     unused interface down ("ip link set dev eth1 down" and remove it from
#     the network configuration).
#   references:
#     - NIST SP 800-53 CM-6, SI-4
#     - NIST SP 800-207 tenet 7 (collect information on the state of the network and communications)
zt_net_005 := v if {
	v := lib.missing("interfaces")
} else := v if {
	v := no_ifaces
} else := lib.skip("no physical interfaces (virtual machine without passthrough or container)") if {
	count(physical) == 0
} else := lib.error(sprintf("carrier unknown for admin-up physical interface(s): %s", [concat("; ", net005_unknown)])) if {
	count(net005_unknown) > 0
} else := lib.fail(sprintf("admin-up physical interface(s) without carrier: %s", [concat(", ", [i.name | some i in net005_down])]), {"no_carrier": [link_brief(i) | some i in net005_down]}) if {
	count(net005_down) > 0
} else := lib.pass(sprintf("%d admin-up physical interface(s) have carrier (%d physical in all)", [count(physical_up), count(physical)]), {"interfaces": [link_brief(i) | some i in physical]})

net005_unknown := [sprintf("%s: %s", [i.name, object.get(i, "carrier_reason", "no carrier fact")]) |
	some i in physical_up
	not is_boolean(object.get(i, "carrier", null))
]

net005_down := [i | some i in physical_up; object.get(i, "carrier", null) == false]

jumbo := object.get(netcfg, "jumbo_mtu", 9000)

# jumbo_fabric: the operator declares that the fabric carries jumbo frames
# end to end; only then is a tunnel carrier below jumbo_mtu a finding.
jumbo_fabric := object.get(netcfg, "jumbo_fabric", false)

# carriers: each underlay device with the tunnels it carries.
carriers := [{"interface": u, "mtu": mtu, "jumbo": mtu >= jumbo, "tunnels": sort({t.name | some t in tunnels; t.tunnel.underlay == u})} |
	some u in sort({t.tunnel.underlay | some t in tunnels; object.get(t.tunnel, "status", "") == "ok"})
	mtu := [t.tunnel.underlay_mtu | some t in tunnels; t.tunnel.underlay == u][0]
]

carrier_text(c) := sprintf("%s MTU %d carries %s%s", [c.interface, c.mtu, concat(", ", c.tunnels), jumbo_note(c)])

jumbo_note(c) := "" if c.jumbo

jumbo_note(c) := sprintf(" (jumbo frames, MTU %d, recommended where the fabric supports them)", [jumbo]) if not c.jumbo

# METADATA
# title: Jumbo frames on tunnel-carrying interfaces (report)
# description: >-
#   Reports the MTU of every interface that carries a tunnel, so that the
#   encapsulation overhead need not shrink the inner MTU: 9000
#   (network.jumbo_mtu) is recommended where the whole fabric supports it.
#   Informational: passes once reported and skips without tunnels; fails
#   only when network.jumbo_fabric declares that the fabric carries jumbo
#   frames and a carrier still runs below network.jumbo_mtu.
# custom:
#   id: ZT-NET-006
#   severity: info
#   remediation: >-
#     Where switches and peers support it, raise the underlay MTU ("ip link
#     set dev eth0 mtu 9000" and MTUBytes=/mtu in the network configuration)
#     and then the tunnel MTUs by the same amount.
#   references:
#     - NIST SP 800-53 CM-6
#     - NIST SP 800-207 tenet 7 (collect information on the state of the network and communications)
zt_net_006 := v if {
	v := lib.missing("interfaces")
} else := v if {
	v := no_ifaces
} else := lib.skip("no tunnel interfaces") if {
	count(tunnels) == 0
} else := lib.error(sprintf("tunnel underlay unknown: %s", [concat("; ", broken_tunnels)])) if {
	count(broken_tunnels) > 0
} else := lib.fail(sprintf("the fabric carries jumbo frames (network.jumbo_fabric) but tunnel-carrying interface(s) run below MTU %d: %s", [jumbo, concat("; ", [carrier_text(c) | some c in carriers; not c.jumbo])]), {"carriers": carriers, "jumbo_mtu": jumbo, "jumbo_fabric": true}) if {
	jumbo_fabric == true
	some c in carriers
	not c.jumbo
} else := lib.pass(sprintf("tunnel-carrying interfaces: %s", [concat("; ", [carrier_text(c) | some c in carriers])]), {"carriers": carriers, "jumbo_mtu": jumbo, "jumbo_fabric": jumbo_fabric})
