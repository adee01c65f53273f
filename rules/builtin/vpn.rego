# VPN controls (ZT-VPN-*), judged on the wg-quick configurations of
# /etc/wireguard, the key files they use, and (live host) the running
# WireGuard interfaces.
package ztscan.vpn

import data.ztscan.lib

wg := object.get(input, ["facts", "wireguard"], {})

configs := object.get(wg, "configs", [])

key_files := object.get(wg, "key_files", [])

live := object.get(wg, "live", {})

not_applicable := lib.error("facts.wireguard lacks installed: cannot tell whether WireGuard is used") if {
	not is_boolean(object.get(wg, "installed", null))
} else := lib.skip(sprintf("WireGuard is not installed (%s)", [object.get(wg, "installed_evidence", "no evidence recorded")])) if {
	wg.installed == false
} else := lib.skip(sprintf("WireGuard is installed (%s) but no interface is configured in /etc/wireguard", [object.get(wg, "installed_evidence", "")])) if {
	count(configs) == 0
	count(key_files) == 0
	count(object.get(live, "interfaces", [])) == 0
}

precheck := v if {
	v := lib.missing("wireguard")
} else := v if {
	v := not_applicable
}

# METADATA
# title: WireGuard configurations and private keys are mode 0600 and owned by root
# description: >-
#   A wg-quick configuration holds the interface's private key (and
#   pre-shared keys); a key file is the key itself. Readable by anyone but
#   root, it lets a local user impersonate this host on the VPN.
# custom:
#   id: ZT-VPN-001
#   severity: high
#   remediation: >-
#     chown root:root /etc/wireguard/*.conf and the key files listed, then
#     chmod 0600 them (chmod 0700 /etc/wireguard); create new keys with
#     "umask 077; wg genkey > /etc/wireguard/wg0.key" and rotate any key that
#     was readable by others.
#   references:
#     - CIS Debian Linux 12 Benchmark 7.1 (permissions of sensitive configuration files)
#     - NIST SP 800-53 SC-12, AC-3, AC-6
#     - NIST SP 800-207 tenet 6 (strictly enforced authentication credentials)
zt_vpn_001 := v if {
	v := precheck
} else := lib.error(sprintf("cannot check WireGuard files: %s", [concat("; ", unreadable_files)])) if {
	count(unreadable_files) > 0
} else := lib.fail(sprintf("WireGuard files readable by others or not owned by root: %s", [concat("; ", [file_state(f) | some f in exposed])]), {"files": exposed}) if {
	count(exposed) > 0
} else := lib.pass(sprintf("%d WireGuard file(s) are root-owned with mode 0600 or stricter: %s", [count(checked), concat(", ", [f.path | some f in checked])]), {"files": checked})

checked := array.concat([c.file | some c in configs], [k.file | some k in key_files])

unreadable_files := [sprintf("%s: %s", [f.path, f.error]) | some f in checked; object.get(f, "error", "") != ""]

# A config or referenced key file that does not exist is no exposure;
# missing owner or mode facts are (exposed lists them).
present := [f | some f in checked; f.exists == true]

exposed := [f |
	some f in present
	not private_file(f)
]

private_file(f) if {
	f.uid == 0
	m := lib.octal(f.mode)
	bits.and(m, 3711) == 0 # 0o7177: nothing but owner read/write
}

file_state(f) := sprintf("%s is %s owned by %s", [f.path, object.get(f, "mode", "?"), object.get(f, "owner", sprintf("uid %v", [object.get(f, "uid", "?")]))])

# METADATA
# title: no WireGuard peer of a server routes everything (AllowedIPs 0.0.0.0/0 or ::/0)
# description: >-
#   On a server, a peer whose AllowedIPs is 0.0.0.0/0 or ::/0 (or both
#   halves, 0.0.0.0/1 and 128.0.0.0/1) may send traffic from any source
#   address through the tunnel: one compromised client becomes a path to
#   every network the server reaches. Peers of a server name the client's
#   tunnel addresses only. Judged: the interfaces with ListenPort (all of
#   them when vpn.wireguard_role is server), in their configurations and,
#   on the live host, as running.
# custom:
#   id: ZT-VPN-002
#   severity: medium
#   remediation: >-
#     In the [Peer] sections listed, set AllowedIPs to the peer's own tunnel
#     address (e.g. AllowedIPs = 10.8.0.2/32, fd00:8::2/128) and apply with
#     "wg syncconf wg0 <(wg-quick strip wg0)"; full-tunnel routes belong in
#     the clients' configurations, not the server's.
#   references:
#     - NIST SP 800-53 AC-4, SC-7
#     - NIST SP 800-207 tenet 3 (least-privilege per-session access)
zt_vpn_002 := v if {
	v := precheck
} else := v if {
	v := lib.config_missing(["vpn.wireguard_role"])
} else := lib.error(sprintf("vpn.wireguard_role is %v: want auto, server or client", [data.config.vpn.wireguard_role])) if {
	not data.config.vpn.wireguard_role in {"auto", "server", "client"}
} else := lib.skip(sprintf("this host is not a WireGuard server (%s)", [role_evidence])) if {
	not is_server
} else := lib.error(sprintf("cannot judge the peers: %s", [concat("; ", broken_configs)])) if {
	count(broken_configs) > 0
} else := lib.fail(sprintf("full-tunnel peers on a WireGuard server (%s): %s", [role_evidence, concat("; ", full_tunnel)]), {"peers": full_tunnel}) if {
	count(full_tunnel) > 0
} else := lib.pass(sprintf("no peer of this WireGuard server (%s) has AllowedIPs 0.0.0.0/0 or ::/0 (%d peer(s) checked)", [role_evidence, peer_count]), {"peers": peer_count})

role := data.config.vpn.wireguard_role

is_server if role == "server"

is_server if {
	role == "auto"
	wg.server == true
}

role_evidence := "declared by vpn.wireguard_role" if role in {"server", "client"}

else := sprintf("decided from facts: %s", [object.get(wg, "server_evidence", "no evidence recorded")])

broken_configs := [sprintf("%s: %s", [c.file.path, object.get(c, "reason", "status not ok")]) | some c in configs; c.status != "ok"]

# judged_configs are the interfaces whose peers connect to this host:
# those with ListenPort, or every one when vpn.wireguard_role declares a
# server (a client link of a server, without ListenPort, is not judged).
judged_configs := [c |
	some c in configs
	judged_config(c)
]

judged_config(c) if role == "server"

judged_config(c) if {
	role == "auto"
	object.get(c, ["config", "interface", "listen_port"], null) != null
}

judged_names := {c.interface | some c in judged_configs}

config_peers := [{"where": sprintf("%s:%d", [c.file.path, p.line]), "allowed_ips": p.allowed_ips} |
	some c in judged_configs
	some p in c.config.peers
]

live_peers := [{"where": sprintf("running interface %s, peer %d", [i.name, n + 1]), "allowed_ips": p.allowed_ips} |
	live.status == "ok"
	some i in live.interfaces
	live_judged(i)
	some n, p in i.peers
]

live_judged(i) if role == "server"

live_judged(i) if i.name in judged_names

peer_count := count(config_peers) + count(live_peers)

full_tunnel := [sprintf("%s AllowedIPs %s", [p.where, concat(", ", p.allowed_ips)]) |
	some p in array.concat(config_peers, live_peers)
	routes_everything(p.allowed_ips)
]

routes_everything(ips) if {
	some a in ips
	a in {"0.0.0.0/0", "::/0"}
}

routes_everything(ips) if {
	"0.0.0.0/1" in ips
	"128.0.0.0/1" in ips
}

routes_everything(ips) if {
	"::/1" in ips
	"8000::/1" in ips
}
