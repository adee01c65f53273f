# Transport identity and certificates: the certificates and keys that
# services use (facts.certificates) and nginx's TLS front door
# (facts.nginx).
package ztscan.tls

import data.ztscan.lib

certfacts := object.get(input, ["facts", "certificates"], {})

nginx := object.get(input, ["facts", "nginx"], {})

# evaluated_at is the time the collector computed days_left against.
as_of := object.get(certfacts, "evaluated_at", "an unknown time")

files := object.get(certfacts, "files", [])

read_files := [f | some f in files; f.status == "ok"]

bad_files := [sprintf("%s (%s)", [f.path, object.get(f, "reason", "")]) | some f in files; f.status == "error"]

absent_files := [f.path | some f in files; f.status == "unavailable"]

failed_sources := [sprintf("%s: %s", [s.source, object.get(s, "reason", "")]) | some s in object.get(certfacts, "discovery", []); s.status == "error"]

all_certs := [c | some f in read_files; some c in f.certificates]

# cert_name is how messages name a certificate.
cert_name(c) := sprintf("%s#%d (%s)", [c.file, c.index, c.subject])

# certs_need is an error verdict when the certificate facts are malformed.
certs_need := lib.error("facts.certificates lacks files or evaluated_at") if {
	not is_array(object.get(certfacts, "files", null))
} else := lib.error("facts.certificates lacks files or evaluated_at") if {
	not certfacts.evaluated_at
}

# incomplete is an error verdict when a certificate file or a discovery
# source could not be read: a pass must not rest on what was not seen.
incomplete(what) := lib.error(sprintf("%s cannot be judged: %s", [what, concat("; ", array.concat(bad_files, failed_sources))])) if {
	count(bad_files) + count(failed_sources) > 0
}

# none_found is the skip verdict when there is no certificate to judge.
none_found := lib.skip(sprintf("no certificate discovered (nginx, sshd HostCertificate, tls.certificate_paths)%s", [absent_note])) if {
	count(all_certs) == 0
}

default absent_note := ""

absent_note := sprintf("; referenced but absent from this target: %s", [concat(", ", absent_files)]) if count(absent_files) > 0

# judged is the common evidence of the certificate rules.
judged := {"evaluated_at": as_of, "certificates": count(all_certs), "absent_files": absent_files}

# METADATA
# title: No certificate is expired
# description: >-
#   An expired certificate breaks every client that validates it, and
#   teaches users and services to click through or disable validation.
# custom:
#   id: ZT-TLS-001
#   severity: critical
#   remediation: >-
#     Renew the listed certificates (certbot renew, or your internal CA's
#     issuance), install them at the same paths and reload the service
#     (systemctl reload nginx); automate renewal so it cannot lapse again.
#   references:
#     - NIST SP 800-53 SC-12, SC-17, IA-5(2)
#     - NIST SP 800-207 tenet 2 (all communication secured)
zt_tls_001 := v if {
	v := lib.missing("certificates")
} else := v if {
	v := certs_need
} else := lib.fail(sprintf("%d certificate(s) expired at collection time: %s", [count(expired), concat("; ", [sprintf("%s expired %s", [cert_name(c), c.not_after]) | some c in expired])]), object.union(judged, {"expired": [brief(c) | some c in expired]})) if {
	count(expired) > 0
} else := v if {
	v := incomplete("certificate expiry")
} else := v if {
	v := none_found
} else := lib.pass(sprintf("none of %d certificate(s) was expired at collection time%s", [count(all_certs), absent_note]), judged)

expired := [c | some c in all_certs; c.expired == true]

brief(c) := {"file": c.file, "index": c.index, "subject": c.subject, "not_after": c.not_after, "days_left": c.days_left, "validity_days": c.validity_days, "is_ca": c.is_ca}

# METADATA
# title: No certificate expires within the warning window
# description: >-
#   Renewal must happen well before expiry; a certificate inside the
#   warning window means renewal is late or broken.
# custom:
#   id: ZT-TLS-002
#   severity: high
#   remediation: >-
#     Renew the listed certificates now and check why automatic renewal
#     did not (systemctl list-timers certbot.timer, the ACME client's logs);
#     tune tls.warning_window_days if your renewal cadence differs.
#   references:
#     - NIST SP 800-53 SC-12, SC-17
#     - NIST SP 800-207 tenet 2 (all communication secured)
zt_tls_002 := v if {
	v := lib.missing("certificates")
} else := v if {
	v := certs_need
} else := v if {
	v := lib.config_missing(["tls.warning_window_days"])
} else := lib.fail(sprintf("%d certificate(s) expire within %v days of collection: %s", [count(expiring), window, concat("; ", [expiry_text(c) | some c in expiring])]), object.union(judged, {"window_days": window, "expiring": [brief(c) | some c in expiring]})) if {
	count(expiring) > 0
} else := v if {
	v := incomplete("certificate expiry")
} else := v if {
	v := none_found
} else := lib.pass(sprintf("all %d certificate(s) are valid for more than %v days after collection (soonest expiry: %s)", [count(all_certs), window, soonest]), object.union(judged, {"window_days": window})) if {
	true
}

window := data.config.tls.warning_window_days

expiring := [c | some c in all_certs; is_number(c.days_left); c.days_left < window]

# Messages name dates, not day counts, so that they do not change from
# one day to the next (evaluated_at and days_left are in the evidence).
expiry_text(c) := sprintf("%s expired %s", [cert_name(c), c.not_after]) if c.expired == true

expiry_text(c) := sprintf("%s expires %s (%d days left)", [cert_name(c), c.not_after, c.days_left]) if c.expired != true

default soonest := "none, all valid forever"

soonest := min({c.not_after | some c in all_certs; is_string(c.not_after)}) if {
	count({c | some c in all_certs; is_string(c.not_after)}) > 0
}

# METADATA
# title: Leaf certificates are short-lived
# description: >-
#   Short-lived leaf certificates (90 days or less) limit the damage of a
#   stolen key without relying on revocation, and force renewal to be
#   automated. CA certificates are excluded.
# custom:
#   id: ZT-TLS-003
#   severity: medium
#   remediation: >-
#     Issue leaf certificates valid for at most tls.max_leaf_validity_days
#     (ACME: 90 days by default; step-ca: --not-after 2160h) and automate
#     their renewal; for SSH host certificates sign with a validity
#     (ssh-keygen -V +90d).
#   references:
#     - NIST SP 800-53 SC-12, SC-17, IA-5(2)
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_tls_003 := v if {
	v := lib.missing("certificates")
} else := v if {
	v := certs_need
} else := v if {
	v := lib.config_missing(["tls.max_leaf_validity_days"])
} else := lib.fail(sprintf("%d leaf certificate(s) are valid longer than %v days: %s", [count(long_lived), max_days, concat("; ", [sprintf("%s: %s", [cert_name(c), validity_text(c)]) | some c in long_lived])]), object.union(judged, {"max_days": max_days, "long_lived": [brief(c) | some c in long_lived]})) if {
	count(long_lived) > 0
} else := v if {
	v := incomplete("certificate lifetime")
} else := v if {
	v := none_found
} else := lib.skip(sprintf("the %d certificate(s) discovered are all CA certificates", [count(all_certs)])) if {
	count(leaves) == 0
} else := lib.pass(sprintf("all %d leaf certificate(s) are valid for %v days or less", [count(leaves), max_days]), object.union(judged, {"max_days": max_days, "leaves": count(leaves)}))

max_days := data.config.tls.max_leaf_validity_days

leaves := [c | some c in all_certs; c.is_ca != true]

long_lived := [c | some c in leaves; too_long(c)]

too_long(c) if c.forever == true

too_long(c) if c.validity_days > max_days

validity_text(c) := "valid forever" if c.forever == true

validity_text(c) := sprintf("valid %d days", [c.validity_days]) if not c.forever

# METADATA
# title: Certificate and key algorithms are strong
# description: >-
#   ECDSA P-256 or better, Ed25519, or RSA of 3072 bits or more. RSA 2048
#   is still accepted by the default profile, with a warning; the strict
#   profile (tls.strict_key_profile) fails it.
# custom:
#   id: ZT-TLS-004
#   severity: medium
#   remediation: >-
#     Re-issue the listed certificates with an ECDSA P-256 key (openssl
#     req -newkey ec -pkeyopt ec_paramgen_curve:P-256) or RSA 3072+, install
#     the new key mode 0600 and reload the service.
#   references:
#     - NIST SP 800-53 SC-12, SC-13
#     - NIST SP 800-57 Part 1 Rev. 5 (key sizes)
#     - NIST SP 800-207 tenet 2 (all communication secured)
zt_tls_004 := v if {
	v := lib.missing("certificates")
} else := v if {
	v := certs_need
} else := v if {
	v := lib.config_missing(["tls.strict_key_profile"])
} else := lib.fail(sprintf("%d weak key(s)%s: %s", [count(weak), profile_note, concat("; ", weak)]), object.union(judged, {"weak": weak, "strict_key_profile": strict})) if {
	count(weak) > 0
} else := v if {
	v := incomplete("key strength")
} else := v if {
	v := none_found
} else := lib.pass(sprintf("all %d certificate key(s) are strong; warning: %s use RSA 2048, which the strict profile refuses", [count(all_certs), concat(", ", rsa2048)]), object.union(judged, {"rsa_2048": rsa2048})) if {
	count(rsa2048) > 0
} else := lib.pass(sprintf("all %d certificate key(s) are ECDSA P-256 or better, Ed25519 or RSA 3072+", [count(all_certs)]), judged)

strict := data.config.tls.strict_key_profile == true

default profile_note := " (default profile)"

profile_note := " (strict profile: RSA 2048 refused)" if strict

key_text(c) := sprintf("%s %s %d", [cert_name(c), c.key_algorithm, c.key_bits])

weak := [key_text(c) | some c in all_certs; weak_key(c)]

rsa2048 := [key_text(c) | some c in all_certs; c.key_algorithm == "RSA"; c.key_bits >= 2048; c.key_bits < 3072]

weak_key(c) if {
	c.key_algorithm == "RSA"
	c.key_bits < 2048
}

weak_key(c) if {
	c.key_algorithm == "RSA"
	c.key_bits < 3072
	strict
}

weak_key(c) if {
	c.key_algorithm == "ECDSA"
	c.key_bits < 256
}

weak_key(c) if not object.get(c, "key_algorithm", "unknown") in {"RSA", "ECDSA", "Ed25519"}

# METADATA
# title: Private keys referenced by services are mode 0600 or 0400
# description: >-
#   A TLS private key readable by other accounts lets any compromised
#   local service impersonate this server. Keys embedded in certificate
#   files count too.
# custom:
#   id: ZT-TLS-005
#   severity: high
#   remediation: >-
#     chmod 0600 (or 0400) each listed key file and chown it to root (the
#     nginx master reads it as root); move keys out of certificate files
#     that must stay world-readable.
#   references:
#     - CIS Debian Linux 12 Benchmark 7.1.x (permissions on sensitive files)
#     - NIST SP 800-53 SC-12, AC-3, AC-6
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_tls_005 := v if {
	v := lib.missing("certificates")
} else := v if {
	v := certs_need
} else := lib.fail(sprintf("%d private key file(s) are not mode 0600/0400: %s", [count(loose_keys), concat("; ", [sprintf("%s is %s", [k.path, k.mode]) | some k in loose_keys])]), {"loose": loose_keys, "keys": count(key_files)}) if {
	count(loose_keys) > 0
} else := lib.error(sprintf("private key files cannot be judged: %s", [concat("; ", array.concat(unreadable_keys, failed_sources))])) if {
	count(unreadable_keys) + count(failed_sources) > 0
} else := lib.skip(sprintf("no private key file is referenced by a service%s", [key_absent_note])) if {
	count(key_files) == 0
} else := lib.pass(sprintf("%d private key file(s) are mode 0600 or 0400%s", [count(key_files), key_absent_note]), {"keys": [k.path | some k in key_files]})

# key_files are the existing key files (referenced keys, and certificate
# files holding a private key) with their file facts.
key_files := [k |
	some x in array.concat(object.get(certfacts, "keys", []), [f | some f in files; object.get(f, "private_key_blocks", 0) > 0])
	ff := object.get(x, "file", {})
	ff.exists == true
	k := {"path": x.path, "mode": object.get(ff, "mode", "unknown"), "owner": object.get(ff, "owner", sprintf("%v", [object.get(ff, "uid", "?")])), "group": object.get(ff, "group", sprintf("%v", [object.get(ff, "gid", "?")]))}
]

loose_keys := [k | some k in key_files; not k.mode in {"0600", "0400"}]

unreadable_keys := [sprintf("%s (%s)", [x.path, x.file.error]) | some x in object.get(certfacts, "keys", []); object.get(x.file, "error", "") != ""]

absent_keys := [x.path | some x in object.get(certfacts, "keys", []); x.status == "unavailable"]

default key_absent_note := ""

key_absent_note := sprintf("; referenced but absent from this target: %s", [concat(", ", absent_keys)]) if count(absent_keys) > 0

# --- nginx (ZT-TLS-006..008) ---

# nginx_absent is the skip verdict when the facts say nginx is not there.
nginx_absent := lib.skip(sprintf("nginx is not installed (%s)", [object.get(nginx, "installed_evidence", "no evidence recorded")])) if {
	nginx.installed == false
}

nginx_need := lib.error("facts.nginx lacks servers: the nginx configuration was not modelled") if {
	not is_array(object.get(nginx, "servers", null))
}

servers := object.get(nginx, "servers", [])

# server_name_of is how messages name a server block.
server_name_of(s) := sprintf("%s:%d (%s)", [s.file, s.line, names_text(s)])

names_text(s) := concat(" ", s.server_names) if count(s.server_names) > 0

names_text(s) := "no server_name" if count(s.server_names) == 0

ports_text(s) := concat(",", [sprintf("%v", [l.port]) | some l in s.listen])

cfg_list(key) := object.get(data.config, ["tls", key], [])

is_public(s) if {
	some n in s.server_names
	some p in cfg_list("public_server_names")
	glob.match(p, [], n)
}

is_internal(s) if {
	not is_public(s)
	some n in s.server_names
	some p in cfg_list("internal_server_names")
	glob.match(p, [], n)
}

is_internal(s) if {
	not is_public(s)
	some l in s.listen
	some p in cfg_list("internal_ports")
	l.port == p
}

internal_servers := [s | some s in servers; is_internal(s)]

# verifies(s): clients must present a certificate that a configured CA
# signed ("optional" lets clients in without one).
verifies(s) if {
	object.get(s, ["ssl_verify_client", "values", 0], "off") == "on"
	ca_configured(s)
}

ca_configured(s) if object.get(s, "ssl_client_certificate", null) != null

ca_configured(s) if object.get(s, "ssl_trusted_certificate", null) != null

mtls_problem(s) := "listens without TLS" if s.ssl != true

mtls_problem(s) := sprintf("ssl_verify_client is %s", [object.get(s, ["ssl_verify_client", "values", 0], "off (not set)")]) if {
	s.ssl == true
	object.get(s, ["ssl_verify_client", "values", 0], "off") != "on"
}

mtls_problem(s) := "ssl_verify_client is on but neither ssl_client_certificate nor ssl_trusted_certificate names a CA" if {
	s.ssl == true
	object.get(s, ["ssl_verify_client", "values", 0], "off") == "on"
	not ca_configured(s)
}

no_mtls := [sprintf("%s %s", [server_name_of(s), mtls_problem(s)]) | some s in internal_servers; not verifies(s)]

# METADATA
# title: nginx verifies client certificates on internal server blocks (mTLS)
# description: >-
#   Behind the gateway every caller proves its identity: an internal nginx
#   server block (tls.internal_server_names, tls.internal_ports) must
#   listen with TLS and require a client certificate signed by a
#   configured CA.
# custom:
#   id: ZT-TLS-006
#   severity: high
#   remediation: >-
#     In each listed server block: listen ... ssl; ssl_verify_client on;
#     ssl_client_certificate /etc/nginx/client-ca.pem (the CA that issues
#     client certificates); then nginx -t && systemctl reload nginx.
#   references:
#     - NIST SP 800-53 IA-3, IA-9, SC-8
#     - NIST SP 800-207 tenet 6 (strict authentication before access)
zt_tls_006 := v if {
	v := lib.missing("nginx")
} else := v if {
	v := nginx_absent
} else := v if {
	v := nginx_need
} else := lib.fail(sprintf("%d internal server block(s) do not require client certificates: %s", [count(no_mtls), concat("; ", no_mtls)]), {"failing": no_mtls, "internal": count(internal_servers)}) if {
	count(no_mtls) > 0
} else := lib.pass(sprintf("no server block is internal by tls.internal_server_names/tls.internal_ports (%d server block(s), none matched)", [count(servers)]), {"servers": count(servers)}) if {
	count(internal_servers) == 0
} else := lib.pass(sprintf("all %d internal server block(s) require client certificates (ssl_verify_client on with a CA)", [count(internal_servers)]), {"internal": [server_name_of(s) | some s in internal_servers]})

ssl_servers := [s | some s in servers; s.ssl == true]

allowed_protocols := {"TLSv1.2", "TLSv1.3"}

# protocols_of(s) is the ssl_protocols in effect: the server's, the
# enclosing block's, or nginx's default for its version.
protocols_of(s) := s.ssl_protocols.values if object.get(s, "ssl_protocols", null) != null

protocols_of(s) := nginx.default_ssl_protocols if {
	object.get(s, "ssl_protocols", null) == null
	is_array(nginx.default_ssl_protocols)
}

protocols_origin(s) := sprintf("ssl_protocols at %s:%d", [s.ssl_protocols.file, s.ssl_protocols.line]) if object.get(s, "ssl_protocols", null) != null

protocols_origin(s) := sprintf("not set: %s", [object.get(nginx, "default_ssl_protocols_source", "nginx default")]) if object.get(s, "ssl_protocols", null) == null

unknown_default := [server_name_of(s) | some s in ssl_servers; not protocols_of(s)]

old_protocols := [sprintf("%s allows %s (%s)", [server_name_of(s), concat(" ", bad), protocols_origin(s)]) |
	some s in ssl_servers
	bad := [p | some p in protocols_of(s); not p in allowed_protocols]
	count(bad) > 0
]

# METADATA
# title: TLS is limited to TLSv1.2 and TLSv1.3
# description: >-
#   SSLv3, TLSv1 and TLSv1.1 have known weaknesses and are deprecated
#   (RFC 8996). nginx before 1.23.4 (Debian 12 ships 1.22.1) enables
#   TLSv1 and TLSv1.1 when ssl_protocols is not set.
# custom:
#   id: ZT-TLS-007
#   severity: medium
#   remediation: >-
#     Set "ssl_protocols TLSv1.2 TLSv1.3;" in the http block of
#     /etc/nginx/nginx.conf (Debian's default lists TLSv1 TLSv1.1) and in
#     any server or stream block that sets its own; nginx -t && systemctl
#     reload nginx.
#   references:
#     - CIS NGINX Benchmark 4.1.4 (only modern TLS protocols are used)
#     - NIST SP 800-52 Rev. 2 (TLS 1.2 minimum, TLS 1.3 support)
#     - NIST SP 800-53 SC-8, SC-13
#     - NIST SP 800-207 tenet 2 (all communication secured)
zt_tls_007 := v if {
	v := lib.missing("nginx")
} else := v if {
	v := nginx_absent
} else := v if {
	v := nginx_need
} else := lib.fail(sprintf("%d TLS server block(s) allow protocols older than TLSv1.2: %s", [count(old_protocols), concat("; ", old_protocols)]), {"failing": old_protocols}) if {
	count(old_protocols) > 0
} else := lib.error(sprintf("ssl_protocols is not set for %s and %s", [concat(", ", unknown_default), object.get(nginx, "default_ssl_protocols_source", "the nginx version is unknown")])) if {
	count(unknown_default) > 0
} else := lib.skip(sprintf("nginx has no server block listening with TLS (%d server block(s))", [count(servers)])) if {
	count(ssl_servers) == 0
} else := lib.pass(sprintf("all %d TLS server block(s) allow only TLSv1.2/TLSv1.3", [count(ssl_servers)]), {"servers": [sprintf("%s: %s", [server_name_of(s), concat(" ", protocols_of(s))]) | some s in ssl_servers]})

public_http := [s | some s in servers; s.context == "http"; not is_internal(s)]

rate_limited(s) if count(object.get(s, "limit_req", [])) > 0

rate_limited(s) if {
	some l in object.get(s, "locations", [])
	count(l.limit_req) > 0
}

unlimited := [server_name_of(s) | some s in public_http; not rate_limited(s)]

# METADATA
# title: nginx rate-limits public server blocks
# description: >-
#   A public endpoint without request rate limiting lets one client
#   exhaust the service or brute-force it; limit_req_zone declares the
#   budget, limit_req applies it.
# custom:
#   id: ZT-TLS-008
#   severity: low
#   remediation: >-
#     In the http block: limit_req_zone $binary_remote_addr zone=perip:10m
#     rate=10r/s; and in each listed server block (or its locations):
#     limit_req zone=perip burst=20 nodelay; then nginx -t && systemctl
#     reload nginx.
#   references:
#     - CIS NGINX Benchmark 5.2.4 (rate limiting)
#     - NIST SP 800-53 SC-5
#     - NIST SP 800-207 tenet 4 (dynamic policy)
zt_tls_008 := v if {
	v := lib.missing("nginx")
} else := v if {
	v := nginx_absent
} else := v if {
	v := nginx_need
} else := lib.fail(sprintf("%d public server block(s) have no limit_req: %s", [count(unlimited), concat("; ", unlimited)]), {"failing": unlimited, "limit_req_zones": [z.name | some z in object.get(nginx, "limit_req_zones", [])]}) if {
	count(unlimited) > 0
} else := lib.skip(sprintf("nginx has no public http server block (%d server block(s), all internal)", [count(servers)])) if {
	count(public_http) == 0
} else := lib.pass(sprintf("all %d public server block(s) apply limit_req", [count(public_http)]), {"servers": [server_name_of(s) | some s in public_http]})
