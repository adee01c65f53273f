# Firewall controls, judged on what the ruleset does to packets: the
# firewall collector walks the input and forward hooks (nftables, iptables
# of both backends, ufw) and records, per port and family, whether a new
# connection from the network is accepted from any source, restricted,
# dropped or uncertain.
package ztscan.fw

import data.ztscan.lib

fw := object.get(input, ["facts", "firewall"], {})

families := ["ipv4", "ipv6"]

# port_exposure(fam, proto, port) is the exposure of one port: the
# interval of facts.firewall.ports that holds it.
port_exposure(fam, proto, port) := e if {
	some e in object.get(fw, "ports", [])
	e.family == fam
	e.proto == proto
	e.from <= port
	port <= e.to
}

# exposure_or_missing is port_exposure, or a "missing" exposure when the
# facts have no interval for the port (never silently nothing).
exposure_or_missing(fam, proto, port) := e if {
	e := port_exposure(fam, proto, port)
} else := {"status": "missing", "reason": sprintf("facts.firewall.ports has no %s/%d %s", [proto, port, fam])}

# where(d) prints a decision: "inet filter input: tcp dport 22 accept".
where(d) := sprintf("%s %s %s: %s", [object.get(d, "family", "?"), d.table, object.get(d, "chain", "?"), object.get(d, "text", "?")]) if {
	object.get(d, "table", "") != ""
} else := object.get(d, "text", "no rule or policy recorded")

default where_of(_) := "no rule or policy recorded"

where_of(x) := where(x.decision) if x.decision

need(keys) := lib.error(sprintf("facts.firewall lacks %s", [concat(", ", lacking)])) if {
	lacking := [k | some k in keys; object.get(fw, k, null) == null]
	count(lacking) > 0
}

# per_family(key, fam) is facts.firewall[key][fam], or {} when absent.
per_family(key, fam) := object.get(fw, [key, fam], {})

# METADATA
# title: A host firewall is active
# description: >-
#   Some base chain on the input hook filters packets: an nftables base
#   chain, iptables INPUT rules or a drop policy, or ufw enabled (which
#   loads its INPUT chains). Without one every listening port is open.
# custom:
#   id: ZT-FW-001
#   severity: critical
#   remediation: >-
#     Install nftables, write an inet filter table with an input chain of
#     policy drop in /etc/nftables.conf and run "systemctl enable --now
#     nftables"; or "ufw default deny incoming && ufw enable".
#   references:
#     - CIS Debian Linux 12 Benchmark 4.1.1 (a single firewall configuration utility is in use)
#     - NIST SP 800-53 SC-7
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced access)
zt_fw_001 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := need(["active"])
} else := lib.pass(sprintf("a firewall filters inbound packets: %s", [object.get(fw, "active_evidence", "")]), {"active_evidence": object.get(fw, "active_evidence", ""), "rules": object.get(fw, "rules", 0)}) if {
	fw.active == true
} else := lib.fail(sprintf("no firewall filters inbound packets: %s", [object.get(fw, "active_evidence", "")]), {
	"active_evidence": object.get(fw, "active_evidence", ""),
	"sources": [{"name": s.name, "status": s.status, "loaded": object.get(s, "loaded", false), "boot": object.get(s, "boot", "")} | some s in object.get(fw, "sources", [])],
})

# policy_verdict(key, hook, ok_text) judges the effective policy of a hook
# in both families: drop, reject and restricted pass, accept fails,
# uncertain is an error naming what the evaluator could not judge.
policy_checks(key) := [{"family": fam, "policy": object.get(p, "policy", "missing"), "where": where_of(p), "reason": object.get(p, "reason", "")} |
	some fam in families
	p := per_family(key, fam)
]

bad_policy(key) := [sprintf("%s: %s (%s)", [c.family, c.policy, c.where]) | some c in policy_checks(key); c.policy == "accept"]

unsure_policy(key) := [sprintf("%s: %s", [c.family, c.reason]) | some c in policy_checks(key); not c.policy in {"accept", "drop", "reject", "restricted"}]

policy_text(key) := concat("; ", [sprintf("%s %s (%s)", [c.family, c.policy, c.where]) | some c in policy_checks(key)])

# METADATA
# title: Inbound traffic is denied by default
# description: >-
#   A new connection from any source to a port no rule names is dropped or
#   rejected: a base chain policy drop, a final drop/reject rule, iptables
#   INPUT policy DROP, or ufw's default deny incoming.
# custom:
#   id: ZT-FW-002
#   severity: critical
#   remediation: >-
#     Give the nftables input base chain "policy drop;" (or end it with
#     "reject"), set "iptables -P INPUT DROP" and persist it, or run "ufw
#     default deny incoming".
#   references:
#     - CIS Debian Linux 12 Benchmark 4.3.3 (nftables default deny firewall policy)
#     - NIST SP 800-53 SC-7(5)
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced access)
zt_fw_002 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := need(["input"])
} else := lib.fail(sprintf("new inbound connections to unlisted ports are accepted: %s", [concat("; ", bad_policy("input"))]), {"input": policy_checks("input")}) if {
	count(bad_policy("input")) > 0
} else := lib.error(sprintf("the input policy could not be judged: %s", [concat("; ", unsure_policy("input"))])) if {
	count(unsure_policy("input")) > 0
} else := lib.pass(sprintf("inbound default deny: %s", [policy_text("input")]), {"input": policy_checks("input")})

# METADATA
# title: Forwarded traffic is denied by default
# description: >-
#   The forward hook drops what no rule allows, unless the host is declared
#   a router (host.router: true), whose forwarding is intended.
# custom:
#   id: ZT-FW-003
#   severity: high
#   remediation: >-
#     Give the nftables forward base chain "policy drop;" (iptables -P
#     FORWARD DROP, ufw default deny routed); if the host routes on purpose,
#     declare "host: {router: true}" in the ztscan config.
#   references:
#     - CIS Debian Linux 12 Benchmark 4.3.3 (nftables default deny firewall policy)
#     - NIST SP 800-53 SC-7, CM-7
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced access)
zt_fw_003 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := lib.config_missing(["host.router"])
} else := v if {
	v := need(["forward"])
} else := lib.pass(sprintf("the host is declared a router (host.router: true): forwarding is intended (%s)", [policy_text("forward")]), {"forward": policy_checks("forward"), "router": true}) if {
	data.config.host.router == true
} else := lib.fail(sprintf("forwarded packets are accepted by default: %s", [concat("; ", bad_policy("forward"))]), {"forward": policy_checks("forward"), "router": false}) if {
	count(bad_policy("forward")) > 0
} else := lib.error(sprintf("the forward policy could not be judged: %s", [concat("; ", unsure_policy("forward"))])) if {
	count(unsure_policy("forward")) > 0
} else := lib.pass(sprintf("forward default deny: %s", [policy_text("forward")]), {"forward": policy_checks("forward"), "router": false})

# flag_checks(key, what) lists a yes/no/uncertain flag per family.
flag_checks(key, what) := [{"family": fam, "what": what, "status": object.get(f, "status", "missing"), "reason": object.get(f, "reason", ""), "where": where_of(f)} |
	some fam in families
	f := per_family(key, fam)
]

keep_flags := array.concat(flag_checks("loopback_accepted", "loopback traffic"), flag_checks("established_accepted", "established/related traffic"))

# METADATA
# title: Loopback and established traffic are accepted before the default drop
# description: >-
#   With a default drop, the host must still accept its own loopback
#   traffic and the replies of connections it opened, or it breaks itself
#   (and operators are tempted to open everything).
# custom:
#   id: ZT-FW-004
#   severity: medium
#   remediation: >-
#     Begin the input chain with 'iif "lo" accept' and 'ct state
#     established,related accept' (iptables: "-i lo -j ACCEPT" and "-m
#     conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT").
#   references:
#     - CIS Debian Linux 12 Benchmark 4.3.5 (nftables loopback traffic is configured)
#     - CIS Debian Linux 12 Benchmark 4.3.6 (nftables outbound and established connections are configured)
#     - NIST SP 800-53 SC-7
zt_fw_004 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := need(["active", "loopback_accepted", "established_accepted"])
} else := lib.skip(sprintf("no firewall is active, nothing drops loopback or established traffic (%s)", [object.get(fw, "active_evidence", "")])) if {
	fw.active == false
} else := lib.fail(sprintf("not accepted before the default drop: %s", [concat("; ", [sprintf("%s (%s, %s)", [c.what, c.family, c.where]) | some c in keep_flags; c.status == "no"])]), {"checks": keep_flags}) if {
	some c in keep_flags
	c.status == "no"
} else := lib.error(sprintf("could not be judged: %s", [concat("; ", [sprintf("%s (%s): %s", [c.what, c.family, c.reason]) | some c in keep_flags; c.status != "yes"])])) if {
	some c in keep_flags
	c.status != "yes"
} else := lib.pass("loopback and established/related traffic are accepted in both families", {"checks": keep_flags})

sshd := object.get(input, ["facts", "sshd"], {})

as_list(x) := x if is_array(x)

as_list(x) := [w | some w in split(x, " "); w != ""] if is_string(x)

ssh_ports := sort([n | some p in as_list(object.get(sshd, ["effective", "port"], [])); n := lib.int_of(p)])

mgmt := object.get(data.config, ["network", "management_interfaces"], [])

# path_ok(p): an accept path names a source, or only management interfaces.
path_ok(p) if p.source_named == true

path_ok(p) if {
	count(object.get(p, "interfaces", [])) > 0
	every i in p.interfaces {
		i in mgmt
	}
}

ssh_checks := [{"family": fam, "port": port, "status": object.get(e, "status", "missing"), "reason": object.get(e, "reason", ""), "where": where_of(e), "open_paths": open} |
	some port in ssh_ports
	some fam in families
	e := exposure_or_missing(fam, "tcp", port)
	open := [where(p.decision) | some p in object.get(e, "accepts", []); not path_ok(p)]
]

ssh_bad := [sprintf("tcp/%d %s: accepted from any source by %s", [c.port, c.family, c.where]) | some c in ssh_checks; c.status == "accepted_from_any"]

ssh_loose := [sprintf("tcp/%d %s: accepted without a named source or management interface by %s", [c.port, c.family, concat(", ", c.open_paths)]) |
	some c in ssh_checks
	c.status == "restricted"
	count(c.open_paths) > 0
]

# METADATA
# title: SSH is reachable only from named sources or management interfaces
# description: >-
#   The ports sshd listens on are accepted only by rules that name a source
#   address or set, or a management interface (network.management_interfaces,
#   e.g. the wg0 VPN), never from any address.
# custom:
#   id: ZT-FW-005
#   severity: high
#   remediation: >-
#     Replace "tcp dport 22 accept" with 'iifname "wg0" tcp dport 22 accept'
#     or "ip saddr @admins tcp dport 22 accept" (ufw: "ufw allow from
#     10.8.0.0/24 to any port 22 proto tcp" and delete the open rule); list
#     the VPN interface in network.management_interfaces.
#   references:
#     - NIST SP 800-53 AC-17, SC-7(11)
#     - NIST SP 800-207 tenet 3 (access granted per session, least privilege)
zt_fw_005 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := lib.missing("sshd")
} else := lib.skip(sprintf("sshd is not installed (%s)", [object.get(sshd, "installed_evidence", "")])) if {
	sshd.installed == false
} else := lib.error("the effective sshd configuration has no port") if {
	count(ssh_ports) == 0
} else := v if {
	v := need(["ports"])
} else := v if {
	v := lib.config_missing(["network.management_interfaces"])
} else := lib.fail(concat("; ", array.concat(ssh_bad, ssh_loose)), {"ssh": ssh_checks, "management_interfaces": mgmt}) if {
	count(array.concat(ssh_bad, ssh_loose)) > 0
} else := lib.error(sprintf("SSH exposure could not be judged: %s", [concat("; ", [sprintf("tcp/%d %s: %s %s", [c.port, c.family, c.status, c.reason]) | some c in ssh_checks; not c.status in {"restricted", "dropped"}])])) if {
	some c in ssh_checks
	not c.status in {"restricted", "dropped"}
} else := lib.pass(sprintf("SSH (tcp/%s) is accepted only from named sources or management interfaces (%s)", [concat(",", [sprintf("%d", [p]) | some p in ssh_ports]), concat(", ", mgmt)]), {"ssh": ssh_checks, "management_interfaces": mgmt})

listeners := object.get(fw, "listeners", {})

listener_items := object.get(listeners, "items", [])

accidental := [sprintf("%s/%d on %s (%s): accepted by %s", [l.proto, l.port, l.address, l.family, where_of(l)]) |
	some l in listener_items
	l.status in {"accepted_from_any", "restricted"}
	l.explicit_port != true
]

# METADATA
# title: No listening port is open by accident
# description: >-
#   Every socket listening on a non-loopback address is either dropped by
#   the default policy or accepted by a rule that names its port, never by
#   a catch-all rule or an accept policy.
# custom:
#   id: ZT-FW-006
#   severity: high
#   remediation: >-
#     Bind services that need no remote clients to 127.0.0.1/::1; for the
#     others add a rule naming the port ("tcp dport 443 accept") and remove
#     catch-all accepts ('iifname "eth0" accept', policy accept).
#   references:
#     - CIS Debian Linux 12 Benchmark 4.3.7 (nftables rules exist for all open ports)
#     - NIST SP 800-53 CM-7, SC-7
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced access)
zt_fw_006 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := lib.part_missing(listeners, "listening sockets")
} else := lib.fail(sprintf("ports open without a rule naming them: %s", [concat("; ", accidental)]), {"listeners": listener_items}) if {
	count(accidental) > 0
} else := lib.error(sprintf("exposure could not be judged: %s", [concat("; ", [sprintf("%s/%d on %s: %s", [l.proto, l.port, l.address, object.get(l, "reason", "")]) | some l in listener_items; l.status == "uncertain"])])) if {
	some l in listener_items
	l.status == "uncertain"
} else := lib.pass(sprintf("%d listening sockets on non-loopback addresses: each dropped by default or accepted by a rule naming its port", [count(listener_items)]), {"listeners": listener_items})

icmp_checks := flag_checks("icmp_echo", "ICMP echo requests")

# METADATA
# title: ICMP is rate-limited
# description: >-
#   Echo requests from any source are accepted only under a rate limit (or
#   not at all), so the host cannot be used to flood or be flooded.
# custom:
#   id: ZT-FW-007
#   severity: low
#   remediation: >-
#     Accept echo requests with a limit: 'icmp type echo-request limit rate
#     5/second accept' and 'icmpv6 type echo-request limit rate 5/second
#     accept' (iptables: "-m limit --limit 5/s").
#   references:
#     - NIST SP 800-53 SC-5
zt_fw_007 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := need(["icmp_echo"])
} else := lib.fail(sprintf("ICMP echo requests are accepted without a rate limit: %s", [concat("; ", [sprintf("%s (%s)", [c.family, c.where]) | some c in icmp_checks; c.status == "accepted_unlimited"])]), {"icmp": icmp_checks}) if {
	some c in icmp_checks
	c.status == "accepted_unlimited"
} else := lib.error(sprintf("ICMP handling could not be judged: %s", [concat("; ", [sprintf("%s: %s", [c.family, c.reason]) | some c in icmp_checks; not c.status in {"rate_limited", "dropped", "restricted"}])])) if {
	some c in icmp_checks
	not c.status in {"rate_limited", "dropped", "restricted"}
} else := lib.pass(sprintf("ICMP echo requests: %s", [concat("; ", [sprintf("%s %s", [c.family, c.status]) | some c in icmp_checks])]), {"icmp": icmp_checks})

log_checks := [{"family": c.family, "policy": c.policy, "where": c.where, "logged_drop": object.get(per_family("input", c.family), "logged_drop", false)} | some c in policy_checks("input")]

# METADATA
# title: Denied packets are logged
# description: >-
#   A log statement (nftables log, iptables LOG/NFLOG) runs before the
#   default drop, so refused connection attempts leave a trace.
# custom:
#   id: ZT-FW-008
#   severity: info
#   remediation: >-
#     End the input chain with 'log prefix "nft drop: " limit rate 10/second'
#     before the drop (iptables: "-j LOG --log-prefix ..." as the last
#     rule; ufw: "ufw logging low").
#   references:
#     - CIS Debian Linux 12 Benchmark 4.3.9 (nftables logging)
#     - NIST SP 800-53 AU-2, AU-12
zt_fw_008 := v if {
	v := lib.missing("firewall")
} else := v if {
	v := need(["input"])
} else := lib.fail(sprintf("inbound packets are not dropped by default, so none are logged as denied: %s", [concat("; ", bad_policy("input"))]), {"input": log_checks}) if {
	count(bad_policy("input")) > 0
} else := lib.error(sprintf("the input policy could not be judged: %s", [concat("; ", unsure_policy("input"))])) if {
	count(unsure_policy("input")) > 0
} else := lib.fail(sprintf("denied packets are dropped without a log statement: %s", [concat("; ", [sprintf("%s (%s)", [c.family, c.where]) | some c in log_checks; c.logged_drop != true])]), {"input": log_checks}) if {
	some c in log_checks
	c.logged_drop != true
} else := lib.pass("a log statement runs before the default drop in both families", {"input": log_checks})
