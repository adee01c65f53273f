# Data layer controls (ZT-DB-*), judged on every PostgreSQL cluster's
# postgresql.conf and pg_hba.conf as the server reads them (last value
# wins, @file and include directives expanded, addresses normalised).
package ztscan.db

import data.ztscan.lib

pg := object.get(input, ["facts", "postgresql"], {})

clusters := object.get(pg, "clusters", [])

# tcp_types are the pg_hba.conf record types that match TCP connections.
tcp_types := {"host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"}

# not_applicable is a skip decided from the facts: no server installed,
# or installed without a cluster.
not_applicable := lib.error("facts.postgresql lacks installed: cannot tell whether PostgreSQL is installed") if {
	not is_boolean(object.get(pg, "installed", null))
} else := lib.skip(sprintf("PostgreSQL is not installed (%s)", [object.get(pg, "installed_evidence", "no evidence recorded")])) if {
	pg.installed == false
} else := lib.skip(sprintf("PostgreSQL is installed (%s) but no cluster is configured", [object.get(pg, "installed_evidence", "")])) if {
	count(clusters) == 0
}

# unreadable is an error verdict naming every cluster whose configuration
# or pg_hba.conf could not be read or would be refused by the server.
unreadable := lib.error(sprintf("cannot judge PostgreSQL: %s", [concat("; ", problems)])) if {
	problems := [msg |
		some c in clusters
		some msg in cluster_problems(c)
	]
	count(problems) > 0
}

cluster_problems(c) := [sprintf("cluster %s: %s", [object.get(c, "name", "?"), object.get(c, "reason", "status not ok")])] if {
	object.get(c, "status", "") != "ok"
} else := [sprintf("cluster %s: pg_hba.conf %s", [object.get(c, "name", "?"), object.get(c.hba, "reason", "status not ok")])] if {
	object.get(object.get(c, "hba", {}), "status", "") != "ok"
} else := []

# precheck is the first verdict that stops a rule before judging.
precheck := v if {
	v := lib.missing("postgresql")
} else := v if {
	v := not_applicable
} else := v if {
	v := unreadable
}

# entries are every record of every cluster, with its cluster's name.
entries := [object.union(e, {"cluster": c.name}) |
	some c in clusters
	some e in object.get(object.get(c, "hba", {}), "entries", [])
]

where(e) := sprintf("%s:%d", [e.file, e.line])

describe(e) := sprintf("%s:%d %s %s %s %s %s", [e.file, e.line, e.type, concat(",", e.databases), concat(",", e.users), object.get(e, "address", ""), e.method])

ev_entries(list) := [{"cluster": e.cluster, "file": e.file, "line": e.line, "type": e.type, "databases": e.databases, "users": e.users, "address": object.get(e, "address", ""), "method": e.method} | some e in list]

cluster_names := [c.name | some c in clusters]

setting(c, name) := object.get(object.get(c, "settings", {}), [name, "value"], null)

setting_where(c, name) := sprintf("%s:%d", [s.file, s.line]) if {
	s := c.settings[name]
	s.source == "file"
} else := "built-in default"

# METADATA
# title: pg_hba.conf has no trust entry for TCP connections
# description: >-
#   trust lets anyone who can reach the port connect as any role the
#   record names, with no password or certificate at all.
# custom:
#   id: ZT-DB-001
#   severity: critical
#   remediation: >-
#     Replace trust on every host, hostssl, hostnossl, hostgssenc and
#     hostnogssenc line of pg_hba.conf with scram-sha-256 or cert (e.g.
#     "hostssl app app 10.20.0.0/16 scram-sha-256"), then reload:
#     "pg_ctlcluster 15 main reload" or "SELECT pg_reload_conf()"; check with
#     "SELECT * FROM pg_hba_file_rules WHERE auth_method = 'trust'".
#   references:
#     - NIST SP 800-53 IA-2, AC-3
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced authentication before access)
zt_db_001 := v if {
	v := precheck
} else := lib.fail(sprintf("pg_hba.conf trusts TCP connections without authentication: %s", [concat("; ", [describe(e) | some e in trusting])]), {"entries": ev_entries(trusting)}) if {
	count(trusting) > 0
} else := lib.pass(sprintf("no TCP entry of pg_hba.conf uses trust (%d entries in cluster(s) %s)", [count(entries), concat(", ", cluster_names)]), {"clusters": cluster_names, "entries": count(entries)})

trusting := [e |
	some e in entries
	e.type in tcp_types
	e.method == "trust"
]

# METADATA
# title: pg_hba.conf host entries name specific sources
# description: >-
#   A host entry for all, 0.0.0.0/0 or ::/0 accepts connections from any
#   address, so the database's only boundary is the password. When
#   database.allowed_hba_sources lists networks, every entry must lie
#   inside one of them.
# custom:
#   id: ZT-DB-002
#   severity: high
#   remediation: >-
#     Replace the address of each listed pg_hba.conf line with the
#     application servers' network (e.g. 10.20.0.0/16) or a single address
#     (10.20.0.5/32), keep "all"/"0.0.0.0/0" only on reject lines, then reload
#     the server ("pg_ctlcluster 15 main reload").
#   references:
#     - NIST SP 800-53 AC-3, SC-7(5), AC-17
#     - NIST SP 800-207 tenet 3 (access granted per session, least privilege)
zt_db_002 := v if {
	v := precheck
} else := v if {
	v := bad_allowed_sources
} else := lib.fail(sprintf("pg_hba.conf accepts connections from any address: %s", [concat("; ", [describe(e) | some e in open_entries])]), {"entries": ev_entries(open_entries)}) if {
	count(open_entries) > 0
} else := lib.fail(sprintf("pg_hba.conf names sources outside database.allowed_hba_sources (%s): %s", [concat(", ", allowed_sources), concat("; ", [describe(e) | some e in outside_entries])]), {"entries": ev_entries(outside_entries), "allowed_hba_sources": allowed_sources}) if {
	count(outside_entries) > 0
} else := lib.pass(sprintf("every TCP entry of pg_hba.conf names a specific source (%d entries checked%s)", [count(accepting_tcp), allowed_note]), {"entries": count(accepting_tcp), "allowed_hba_sources": allowed_sources})

allowed_sources := object.get(data.config, ["database", "allowed_hba_sources"], [])

allowed_note := sprintf("; all inside %s", [concat(", ", allowed_sources)]) if {
	count(allowed_sources) > 0
} else := ""

bad_allowed_sources := lib.error(sprintf("database.allowed_hba_sources has entries that are not CIDR networks: %s", [concat(", ", bad)])) if {
	bad := [s | some s in allowed_sources; not is_cidr(s)]
	count(bad) > 0
}

is_cidr(s) if {
	is_string(s)
	regex.match(`^[0-9A-Fa-f.:]+/[0-9]{1,3}$`, s)
}

accepting_tcp := [e |
	some e in entries
	e.type in tcp_types
	e.method != "reject"
]

open_entries := [e |
	some e in accepting_tcp
	open_address(e)
]

open_address(e) if {
	e.address_kind == "keyword"
	e.address == "all"
}

open_address(e) if e.address in {"0.0.0.0/0", "::/0"}

outside_entries := [e |
	count(allowed_sources) > 0
	some e in accepting_tcp
	not open_address(e)
	not inside_allowed(e)
]

inside_allowed(e) if {
	e.address_kind == "keyword"
	e.address == "samehost"
}

inside_allowed(e) if loopback(e)

inside_allowed(e) if {
	e.address_kind == "cidr"
	is_cidr(e.address)
	some a in allowed_sources
	net.cidr_contains(a, e.address)
}

loopback(e) if {
	e.address_kind == "cidr"
	is_cidr(e.address)
	some lo in ["127.0.0.0/8", "::1/128"]
	net.cidr_contains(lo, e.address)
}

# METADATA
# title: pg_hba.conf uses scram-sha-256 or cert, not md5 or password
# description: >-
#   password sends the password in clear text; md5 stores and checks a
#   hash that is itself a replayable credential. password_encryption = md5
#   keeps storing such hashes.
# custom:
#   id: ZT-DB-003
#   severity: medium
#   remediation: >-
#     Set password_encryption = 'scram-sha-256' in postgresql.conf, re-set
#     each role's password ("\password ROLE" in psql) so it is stored as
#     SCRAM, change md5 and password in pg_hba.conf to scram-sha-256 (or
#     cert on hostssl lines) and reload ("pg_ctlcluster 15 main reload").
#   references:
#     - NIST SP 800-53 IA-5(1), SC-8, SC-13
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_db_003 := v if {
	v := precheck
} else := lib.fail(sprintf("weak password authentication: %s", [concat("; ", weak_messages)]), {"entries": ev_entries(weak_entries), "password_encryption_md5": md5_storage}) if {
	count(weak_messages) > 0
} else := lib.pass(sprintf("no pg_hba.conf entry uses md5 or password and password_encryption is scram-sha-256 (cluster(s) %s)", [concat(", ", cluster_names)]), {"clusters": cluster_names})

weak_entries := [e |
	some e in entries
	e.method in {"md5", "password"}
]

md5_storage := [sprintf("cluster %s: password_encryption = md5 (%s)", [c.name, setting_where(c, "password_encryption")]) |
	some c in clusters
	lower(setting(c, "password_encryption")) == "md5"
]

weak_messages := array.concat([describe(e) | some e in weak_entries], md5_storage)

# METADATA
# title: PostgreSQL requires TLS for remote connections
# description: >-
#   Remote clients must only be accepted over TLS: ssl = on, and every
#   pg_hba.conf entry that accepts a non-loopback source is hostssl
#   (host and hostnossl entries also match unencrypted connections).
# custom:
#   id: ZT-DB-004
#   severity: medium
#   remediation: >-
#     Set ssl = on with ssl_cert_file and ssl_key_file in postgresql.conf,
#     change each remote host/hostnossl/hostgssenc line of pg_hba.conf to
#     hostssl (add "hostnossl all all 0.0.0.0/0 reject" and the same for
#     ::/0 before them to refuse the rest), and restart or reload the cluster.
#   references:
#     - NIST SP 800-53 SC-8, SC-8(1), SC-13
#     - NIST SP 800-207 tenet 2 (all communication is secured regardless of network location)
zt_db_004 := v if {
	v := precheck
} else := lib.fail(sprintf("PostgreSQL accepts remote connections without TLS: %s", [concat("; ", tls_problems)]), {"problems": tls_problems, "entries": ev_entries(plain_remote)}) if {
	count(tls_problems) > 0
} else := lib.pass(sprintf("remote PostgreSQL connections require TLS: %s", [concat("; ", [tls_state(c) | some c in clusters])]), {"clusters": [tls_state(c) | some c in clusters]})

plain_remote := [e |
	some e in accepting_tcp
	e.type != "hostssl"
	not local_source(e)
]

local_source(e) if loopback(e)

local_source(e) if {
	e.address_kind == "keyword"
	e.address == "samehost"
}

local_source(e) if {
	e.address_kind == "hostname"
	e.address == "localhost"
}

ssl_off_remote := [sprintf("cluster %s: ssl is %s (%s) while listen_addresses = '%s'", [c.name, setting(c, "ssl"), setting_where(c, "ssl"), setting(c, "listen_addresses")]) |
	some c in clusters
	setting(c, "ssl") != "on"
	not loopback_only(setting(c, "listen_addresses"))
]

tls_problems := array.concat(ssl_off_remote, [sprintf("%s is %s, not hostssl", [describe(e), e.type]) | some e in plain_remote])

loopback_only(s) if {
	is_string(s)
	every a in split(s, ",") {
		loopback_listen(trim_space(a))
	}
}

loopback_listen(a) if a in {"", "localhost", "::1"}

loopback_listen(a) if startswith(a, "127.")

tls_state(c) := sprintf("cluster %s: ssl = %s, listen_addresses = '%s'", [c.name, setting(c, "ssl"), setting(c, "listen_addresses")])
