package ztscan.db_test

import data.ztscan.db

cfg := {"database": {"allowed_hba_sources": []}}

entry(line, typ, addr, kind, method) := {
	"file": "/etc/postgresql/15/main/pg_hba.conf", "line": line, "type": typ,
	"databases": ["all"], "users": ["all"], "address": addr, "address_kind": kind,
	"method": method, "options": [],
}

local_entry(line, method) := {
	"file": "/etc/postgresql/15/main/pg_hba.conf", "line": line, "type": "local",
	"databases": ["all"], "users": ["all"], "method": method, "options": [],
}

setting(v) := {"value": v, "source": "file", "file": "/etc/postgresql/15/main/postgresql.conf", "line": 10}

good_settings := {
	"ssl": setting("on"),
	"listen_addresses": setting("*"),
	"password_encryption": {"value": "scram-sha-256", "source": "default"},
	"port": {"value": "5432", "source": "default"},
}

good_entries := [
	local_entry(1, "peer"),
	entry(2, "host", "127.0.0.1/32", "cidr", "scram-sha-256"),
	entry(3, "hostssl", "10.20.0.0/16", "cidr", "scram-sha-256"),
	entry(4, "hostssl", "10.30.0.0/24", "cidr", "cert"),
	entry(5, "hostnossl", "0.0.0.0/0", "cidr", "reject"),
]

cluster(settings, entries) := {
	"status": "ok", "name": "15/main", "version": "15",
	"settings": settings,
	"hba": {"status": "ok", "file": "/etc/postgresql/15/main/pg_hba.conf", "entries": entries},
}

snap(clusters) := {
	"facts": {"postgresql": {"installed": true, "installed_evidence": "package postgresql-15 15.8-0+deb12u1 is installed", "clusters": clusters}},
	"collectors": [{"name": "postgresql", "status": "ok"}],
}

good := snap([cluster(good_settings, good_entries)])

with_entry(e) := snap([cluster(good_settings, array.concat(good_entries, [e]))])

with_setting(name, v) := snap([cluster(object.union(good_settings, {name: v}), good_entries)])

not_installed := {
	"facts": {"postgresql": {"installed": false, "installed_evidence": "no PostgreSQL server package", "clusters": []}},
	"collectors": [{"name": "postgresql", "status": "ok"}],
}

failed := {"facts": {}, "collectors": [{"name": "postgresql", "status": "error", "error": "boom"}]}

rejected_hba := snap([object.union(cluster(good_settings, good_entries), {"hba": {"status": "error", "reason": "the server rejects pg_hba.conf: /etc/postgresql/15/main/pg_hba.conf:7: invalid authentication method \"md4\"", "entries": []}})])

run(rule, inp) := v if {
	v := db[rule] with input as inp with data.config as cfg
}

run_cfg(rule, inp, c) := v if {
	v := db[rule] with input as inp with data.config as c
}

rules := ["zt_db_001", "zt_db_002", "zt_db_003", "zt_db_004"]

test_all_pass_hardened if {
	every r in rules {
		run(r, good).status == "pass"
	}
}

test_all_skip_not_installed if {
	every r in rules {
		v := run(r, not_installed)
		v.status == "skip"
		contains(v.message, "not installed")
	}
}

test_all_skip_without_cluster if {
	every r in rules {
		v := run(r, snap([]))
		v.status == "skip"
		contains(v.message, "no cluster")
	}
}

test_all_error_collector_failed if {
	every r in rules {
		run(r, failed).status == "error"
	}
}

test_all_error_rejected_hba if {
	every r in rules {
		v := run(r, rejected_hba)
		v.status == "error"
		contains(v.message, "pg_hba.conf:7")
	}
}

test_all_error_without_installed_fact if {
	every r in rules {
		v := run(r, {"facts": {"postgresql": {"clusters": []}}, "collectors": [{"name": "postgresql", "status": "ok"}]})
		v.status == "error"
	}
}

# ZT-DB-001

test_zt_db_001_pass if {
	v := run("zt_db_001", good)
	v.status == "pass"
	v.evidence.entries == 5
}

test_zt_db_001_pass_local_trust_is_not_tcp if {
	run("zt_db_001", with_entry(local_entry(9, "trust"))).status == "pass"
}

test_zt_db_001_fail_trust if {
	v := run("zt_db_001", with_entry(entry(9, "hostssl", "10.20.0.0/16", "cidr", "trust")))
	v.status == "fail"
	contains(v.message, "pg_hba.conf:9 hostssl")
	v.evidence.entries[0].line == 9
}

test_zt_db_001_skip_not_installed if {
	run("zt_db_001", not_installed).status == "skip"
}

test_zt_db_001_error_collector if {
	run("zt_db_001", failed).status == "error"
}

# ZT-DB-002

test_zt_db_002_pass if {
	v := run("zt_db_002", good)
	v.status == "pass"
	v.evidence.entries == 3
}

test_zt_db_002_fail_any_ipv4 if {
	v := run("zt_db_002", with_entry(entry(9, "hostssl", "0.0.0.0/0", "cidr", "scram-sha-256")))
	v.status == "fail"
	contains(v.message, "pg_hba.conf:9")
}

test_zt_db_002_fail_any_ipv6 if {
	run("zt_db_002", with_entry(entry(9, "hostssl", "::/0", "cidr", "scram-sha-256"))).status == "fail"
}

test_zt_db_002_fail_all_keyword if {
	run("zt_db_002", with_entry(entry(9, "hostssl", "all", "keyword", "cert"))).status == "fail"
}

test_zt_db_002_pass_quoted_all_is_a_host_name if {
	run("zt_db_002", with_entry(entry(9, "hostssl", "all", "hostname", "cert"))).status == "pass"
}

test_zt_db_002_fail_outside_allowed if {
	c := {"database": {"allowed_hba_sources": ["10.20.0.0/16"]}}
	v := run_cfg("zt_db_002", good, c)
	v.status == "fail"
	contains(v.message, "10.30.0.0/24")
	count(v.evidence.entries) == 1
}

test_zt_db_002_pass_inside_allowed if {
	c := {"database": {"allowed_hba_sources": ["10.0.0.0/8"]}}
	v := run_cfg("zt_db_002", good, c)
	v.status == "pass"
	contains(v.message, "inside 10.0.0.0/8")
}

test_zt_db_002_error_bad_allowed_source if {
	c := {"database": {"allowed_hba_sources": ["office"]}}
	v := run_cfg("zt_db_002", good, c)
	v.status == "error"
	contains(v.message, "office")
}

test_zt_db_002_skip_not_installed if {
	run("zt_db_002", not_installed).status == "skip"
}

# ZT-DB-003

test_zt_db_003_pass if {
	run("zt_db_003", good).status == "pass"
}

test_zt_db_003_fail_md5 if {
	v := run("zt_db_003", with_entry(entry(9, "hostssl", "10.20.0.0/16", "cidr", "md5")))
	v.status == "fail"
	contains(v.message, "pg_hba.conf:9 hostssl all all 10.20.0.0/16 md5")
}

test_zt_db_003_fail_password_local if {
	run("zt_db_003", with_entry(local_entry(9, "password"))).status == "fail"
}

test_zt_db_003_fail_md5_storage if {
	v := run("zt_db_003", with_setting("password_encryption", setting("md5")))
	v.status == "fail"
	contains(v.message, "password_encryption = md5 (/etc/postgresql/15/main/postgresql.conf:10)")
}

test_zt_db_003_error_collector if {
	run("zt_db_003", failed).status == "error"
}

# ZT-DB-004

test_zt_db_004_pass if {
	v := run("zt_db_004", good)
	v.status == "pass"
	contains(v.message, "ssl = on")
}

test_zt_db_004_pass_loopback_only_without_ssl if {
	s := object.union(good_settings, {"ssl": {"value": "off", "source": "default"}, "listen_addresses": {"value": "localhost", "source": "default"}})
	run("zt_db_004", snap([cluster(s, [local_entry(1, "peer"), entry(2, "host", "127.0.0.1/32", "cidr", "scram-sha-256")])])).status == "pass"
}

test_zt_db_004_fail_ssl_off if {
	v := run("zt_db_004", with_setting("ssl", setting("off")))
	v.status == "fail"
	contains(v.message, "ssl is off")
}

test_zt_db_004_fail_plain_host if {
	v := run("zt_db_004", with_entry(entry(9, "host", "10.20.0.0/16", "cidr", "scram-sha-256")))
	v.status == "fail"
	contains(v.message, "is host, not hostssl")
}

test_zt_db_004_skip_without_cluster if {
	run("zt_db_004", snap([])).status == "skip"
}

test_zt_db_004_error_rejected_hba if {
	run("zt_db_004", rejected_hba).status == "error"
}
