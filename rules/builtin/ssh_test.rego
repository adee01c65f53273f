package ztscan.ssh_test

import data.ztscan.ssh

# The defaults of config/defaults.yaml that the SSH rules read.
cfg := {"ssh": {
	"crypto_profile": "default",
	"max_auth_tries": 3,
	"max_sessions": 2,
	"login_grace_time": 30,
	"client_alive_interval_max": 300,
	"client_alive_count_max": 3,
	"otp_pam_modules": ["pam_google_authenticator.so", "pam_oath.so", "pam_u2f.so", "pam_duo.so"],
}}

# A hardened effective configuration: every SSH rule passes on it.
good_eff := {
	"passwordauthentication": "no",
	"permitrootlogin": "no",
	"kbdinteractiveauthentication": "yes",
	"authenticationmethods": "publickey,keyboard-interactive:pam",
	"permitemptypasswords": "no",
	"maxauthtries": "3",
	"maxsessions": "2",
	"logingracetime": "30",
	"clientaliveinterval": "300",
	"clientalivecountmax": "3",
	"allowgroups": ["ssh-users"],
	"pubkeyacceptedalgorithms": "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256",
	"trustedusercakeys": "/etc/ssh/user_ca.pub",
	"loglevel": "VERBOSE",
	"strictmodes": "yes",
	"x11forwarding": "no",
	"ciphers": "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr",
	"macs": "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com",
	"kexalgorithms": "sntrup761x25519-sha512@openssh.com,curve25519-sha256,diffie-hellman-group14-sha256",
	"usepam": "yes",
	"hostkey": ["/etc/ssh/ssh_host_ed25519_key"],
}

root_file(path, mode) := {"path": path, "exists": true, "type": "regular file", "mode": mode, "uid": 0, "gid": 0, "owner": "root", "group": "root"}

good_sshd := {
	"installed": true,
	"installed_evidence": "/usr/sbin/sshd",
	"version": "9.2p1",
	"source": "sshd -T",
	"config_path": "/etc/ssh/sshd_config",
	"effective": good_eff,
	"match_blocks": [],
	"config_files": [root_file("/etc/ssh/sshd_config", "0600")],
	"host_keys": [root_file("/etc/ssh/ssh_host_ed25519_key", "0600")],
	"trusted_user_ca_keys": root_file("/etc/ssh/user_ca.pub", "0644"),
	"pam": {"status": "ok", "file": "/etc/pam.d/sshd", "modules": [
		{"type": "auth", "control": "required", "module": "pam_unix.so", "args": [], "file": "/etc/pam.d/common-auth", "line": 17},
		{"type": "auth", "control": "required", "module": "pam_google_authenticator.so", "args": [], "file": "/etc/pam.d/sshd", "line": 3},
	]},
}

snap(sshd) := {
	"schema_version": "1",
	"target": {"kind": "host"},
	"facts": {"sshd": sshd},
	"collectors": [{"name": "sshd", "status": "ok"}],
}

# replace(a, b) is a with b's top-level keys replaced (object.union would
# merge nested objects instead).
replace(a, b) := object.union(object.remove(a, object.keys(b)), b)

# with_sshd(over) is the hardened snapshot with sshd facts replaced.
with_sshd(over) := snap(replace(good_sshd, over))

# with_eff(over) is the hardened snapshot with effective keywords replaced.
with_eff(over) := with_sshd({"effective": replace(good_eff, over)})

# without(key) is the hardened snapshot lacking one effective keyword.
without(key) := with_sshd({"effective": object.remove(good_eff, [key])})

collector_failed := {
	"schema_version": "1",
	"target": {"kind": "host"},
	"facts": {},
	"collectors": [{"name": "sshd", "status": "error", "error": "/etc/ssh/sshd_config line 12: Bad configuration option: Foo"}],
}

not_installed := snap({"installed": false, "installed_evidence": "no /usr/sbin/sshd, openssh-server not installed"})

run(rule, inp) := r if {
	r := ssh[rule] with input as inp with data.config as cfg
}

# Every rule passes on the hardened facts, errors when the collector
# failed and skips without sshd.
test_all_rules_pass_hardened if {
	every n in rule_names {
		run(n, snap(good_sshd)).status == "pass"
	}
}

test_all_rules_error_collector if {
	every n in rule_names {
		r := run(n, collector_failed)
		r.status == "error"
		contains(r.message, "line 12")
	}
}

test_all_rules_skip_not_installed if {
	every n in rule_names {
		r := run(n, not_installed)
		r.status == "skip"
		contains(r.message, "not installed")
	}
}

test_all_rules_error_no_effective if {
	# ZT-SSH-017 judges files, not keywords.
	every n in rule_names - {"zt_ssh_017"} {
		run(n, with_sshd({"effective": {}})).status == "error"
	}
}

rule_names := {sprintf("zt_ssh_%03d", [i]) | some i in numbers.range(1, 18)}

# ZT-SSH-001
test_zt_ssh_001_pass if {
	r := run("zt_ssh_001", snap(good_sshd))
	r.status == "pass"
	r.evidence.passwordauthentication == "no"
}

test_zt_ssh_001_fail_yes if {
	r := run("zt_ssh_001", with_eff({"passwordauthentication": "yes"}))
	r.status == "fail"
	r.message == "PasswordAuthentication is yes (sshd -T); must be no"
}

test_zt_ssh_001_fail_parser_origin if {
	r := run("zt_ssh_001", with_sshd({"source": "parser", "effective": replace(good_eff, {"passwordauthentication": "yes"})}))
	r.status == "fail"
	contains(r.message, "parsed from /etc/ssh/sshd_config")
	r.evidence.source == "parser"
}

test_zt_ssh_001_error_collector if {
	r := run("zt_ssh_001", collector_failed)
	r.status == "error"
	contains(r.message, "collector sshd failed")
}

test_zt_ssh_001_error_missing_key if {
	r := run("zt_ssh_001", without("passwordauthentication"))
	r.status == "error"
	contains(r.message, "passwordauthentication")
}

test_zt_ssh_001_error_collector_did_not_run if {
	r := run("zt_ssh_001", {"target": {"kind": "host"}, "facts": {}, "collectors": []})
	r.status == "error"
	contains(r.message, "did not run")
}

test_zt_ssh_001_skip_not_installed if {
	run("zt_ssh_001", not_installed).status == "skip"
}

test_zt_ssh_001_skip_unavailable if {
	inp := {"target": {"kind": "rootfs"}, "facts": {}, "collectors": [{"name": "sshd", "status": "unavailable", "error": "no sshd_config"}]}
	run("zt_ssh_001", inp).status == "skip"
}

# ZT-SSH-002
test_zt_ssh_002_pass if {
	run("zt_ssh_002", snap(good_sshd)).status == "pass"
}

test_zt_ssh_002_fail_prohibit_password if {
	r := run("zt_ssh_002", with_eff({"permitrootlogin": "prohibit-password"}))
	r.status == "fail"
	contains(r.message, "PermitRootLogin is prohibit-password")
	contains(r.message, "with a key")
}

test_zt_ssh_002_fail_yes if {
	r := run("zt_ssh_002", with_eff({"permitrootlogin": "yes"}))
	r.status == "fail"
	r.evidence.permitrootlogin == "yes"
}

test_zt_ssh_002_error_missing_key if {
	run("zt_ssh_002", without("permitrootlogin")).status == "error"
}

test_zt_ssh_002_skip_not_installed if {
	run("zt_ssh_002", not_installed).status == "skip"
}

# ZT-SSH-003
test_zt_ssh_003_pass_no if {
	r := run("zt_ssh_003", with_eff({"kbdinteractiveauthentication": "no", "authenticationmethods": "any"}))
	r.status == "pass"
	r.message == "KbdInteractiveAuthentication is no (sshd -T)"
}

test_zt_ssh_003_pass_mfa_exception if {
	r := run("zt_ssh_003", snap(good_sshd))
	r.status == "pass"
	contains(r.message, "second factor")
}

test_zt_ssh_003_pass_old_keyword if {
	eff := replace(object.remove(good_eff, ["kbdinteractiveauthentication"]), {"challengeresponseauthentication": "no"})
	run("zt_ssh_003", with_sshd({"effective": eff})).status == "pass"
}

test_zt_ssh_003_fail_any if {
	r := run("zt_ssh_003", with_eff({"authenticationmethods": "any"}))
	r.status == "fail"
	contains(r.message, "\"any\"")
}

# keyboard-interactive alone in one of the lists is a password login.
test_zt_ssh_003_fail_kbd_alone_in_one_list if {
	r := run("zt_ssh_003", with_eff({"authenticationmethods": "publickey,keyboard-interactive keyboard-interactive"}))
	r.status == "fail"
}

test_zt_ssh_003_error_missing_key if {
	r := run("zt_ssh_003", without("kbdinteractiveauthentication"))
	r.status == "error"
	contains(r.message, "kbdinteractiveauthentication")
}

test_zt_ssh_003_error_missing_authenticationmethods if {
	run("zt_ssh_003", without("authenticationmethods")).status == "error"
}

test_zt_ssh_003_skip_not_installed if {
	run("zt_ssh_003", not_installed).status == "skip"
}

# ZT-SSH-004
test_zt_ssh_004_pass if {
	run("zt_ssh_004", snap(good_sshd)).status == "pass"
}

test_zt_ssh_004_fail_yes if {
	r := run("zt_ssh_004", with_eff({"permitemptypasswords": "yes"}))
	r.status == "fail"
	contains(r.message, "PermitEmptyPasswords is yes")
}

test_zt_ssh_004_error_missing_key if {
	run("zt_ssh_004", without("permitemptypasswords")).status == "error"
}

test_zt_ssh_004_skip_not_installed if {
	run("zt_ssh_004", not_installed).status == "skip"
}

# ZT-SSH-005
test_zt_ssh_005_pass if {
	r := run("zt_ssh_005", snap(good_sshd))
	r.status == "pass"
	r.message == "MaxAuthTries is 3 (sshd -T; limit 3)"
}

test_zt_ssh_005_fail_stock if {
	r := run("zt_ssh_005", with_eff({"maxauthtries": "6"}))
	r.status == "fail"
	r.message == "MaxAuthTries is 6 (sshd -T); limit 3"
	r.evidence.limit == 3
}

test_zt_ssh_005_pass_configured_limit if {
	c := replace(cfg, {"ssh": replace(cfg.ssh, {"max_auth_tries": 6})})
	r := ssh.zt_ssh_005 with input as with_eff({"maxauthtries": "6"}) with data.config as c
	r.status == "pass"
}

test_zt_ssh_005_error_not_a_number if {
	run("zt_ssh_005", with_eff({"maxauthtries": "lots"})).status == "error"
}

test_zt_ssh_005_error_config_missing if {
	r := ssh.zt_ssh_005 with input as snap(good_sshd) with data.config as {"ssh": {}}
	r.status == "error"
	contains(r.message, "ssh.max_auth_tries")
}

test_zt_ssh_005_error_config_not_a_number if {
	c := {"ssh": {"max_auth_tries": "three"}}
	r := ssh.zt_ssh_005 with input as with_eff({"maxauthtries": "6"}) with data.config as c
	r.status == "error"
}

test_zt_ssh_005_error_missing_key if {
	run("zt_ssh_005", without("maxauthtries")).status == "error"
}

test_zt_ssh_005_skip_not_installed if {
	run("zt_ssh_005", not_installed).status == "skip"
}

# ZT-SSH-006
test_zt_ssh_006_pass if {
	run("zt_ssh_006", snap(good_sshd)).status == "pass"
}

test_zt_ssh_006_fail_stock if {
	r := run("zt_ssh_006", with_eff({"maxsessions": "10"}))
	r.status == "fail"
	contains(r.message, "MaxSessions is 10")
}

test_zt_ssh_006_error_missing_key if {
	run("zt_ssh_006", without("maxsessions")).status == "error"
}

test_zt_ssh_006_skip_not_installed if {
	run("zt_ssh_006", not_installed).status == "skip"
}

# ZT-SSH-007
test_zt_ssh_007_pass if {
	run("zt_ssh_007", with_eff({"logingracetime": "20"})).status == "pass"
}

test_zt_ssh_007_fail_stock if {
	r := run("zt_ssh_007", with_eff({"logingracetime": "120"}))
	r.status == "fail"
	contains(r.message, "120")
}

test_zt_ssh_007_fail_zero_is_unlimited if {
	r := run("zt_ssh_007", with_eff({"logingracetime": "0"}))
	r.status == "fail"
	contains(r.message, "no limit")
}

test_zt_ssh_007_error_missing_key if {
	run("zt_ssh_007", without("logingracetime")).status == "error"
}

test_zt_ssh_007_skip_not_installed if {
	run("zt_ssh_007", not_installed).status == "skip"
}

# ZT-SSH-008
test_zt_ssh_008_pass if {
	r := run("zt_ssh_008", with_eff({"clientaliveinterval": "120", "clientalivecountmax": "2"}))
	r.status == "pass"
	contains(r.message, "ClientAliveInterval is 120")
}

test_zt_ssh_008_fail_interval_zero if {
	r := run("zt_ssh_008", with_eff({"clientaliveinterval": "0"}))
	r.status == "fail"
	contains(r.message, "ClientAliveInterval is 0")
}

test_zt_ssh_008_fail_interval_too_long if {
	r := run("zt_ssh_008", with_eff({"clientaliveinterval": "900"}))
	r.status == "fail"
	contains(r.message, "900 (limit 300)")
}

test_zt_ssh_008_fail_count_zero if {
	r := run("zt_ssh_008", with_eff({"clientalivecountmax": "0"}))
	r.status == "fail"
	contains(r.message, "never disconnect")
}

test_zt_ssh_008_fail_count_too_high if {
	run("zt_ssh_008", with_eff({"clientalivecountmax": "10"})).status == "fail"
}

test_zt_ssh_008_error_missing_key if {
	r := run("zt_ssh_008", without("clientalivecountmax"))
	r.status == "error"
	contains(r.message, "clientalivecountmax")
}

test_zt_ssh_008_skip_not_installed if {
	run("zt_ssh_008", not_installed).status == "skip"
}

# ZT-SSH-009
test_zt_ssh_009_pass_groups if {
	r := run("zt_ssh_009", snap(good_sshd))
	r.status == "pass"
	contains(r.message, "AllowGroups ssh-users")
	r.evidence.allowgroups == ["ssh-users"]
}

test_zt_ssh_009_pass_users if {
	eff := replace(object.remove(good_eff, ["allowgroups"]), {"allowusers": ["alice", "bob@10.0.0.0/8"]})
	r := run("zt_ssh_009", with_sshd({"effective": eff}))
	r.status == "pass"
	contains(r.message, "AllowUsers alice bob@10.0.0.0/8")
}

test_zt_ssh_009_fail_unset if {
	r := run("zt_ssh_009", without("allowgroups"))
	r.status == "fail"
	contains(r.message, "neither AllowGroups nor AllowUsers")
}

test_zt_ssh_009_fail_empty_list if {
	run("zt_ssh_009", with_eff({"allowgroups": []})).status == "fail"
}

test_zt_ssh_009_error_no_effective if {
	run("zt_ssh_009", with_sshd({"effective": {}})).status == "error"
}

test_zt_ssh_009_skip_not_installed if {
	run("zt_ssh_009", not_installed).status == "skip"
}

# ZT-SSH-010
stock_pubkey_algs := "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"

strict_cfg := replace(cfg, {"ssh": replace(cfg.ssh, {"crypto_profile": "strict"})})

test_zt_ssh_010_pass_default_allows_rsa_sha2 if {
	r := run("zt_ssh_010", with_eff({"pubkeyacceptedalgorithms": stock_pubkey_algs}))
	r.status == "pass"
	contains(r.message, "default profile")
}

test_zt_ssh_010_pass_strict if {
	r := ssh.zt_ssh_010 with input as snap(good_sshd) with data.config as strict_cfg
	r.status == "pass"
}

test_zt_ssh_010_fail_strict_rsa_sha2 if {
	r := ssh.zt_ssh_010 with input as with_eff({"pubkeyacceptedalgorithms": stock_pubkey_algs}) with data.config as strict_cfg
	r.status == "fail"
	contains(r.message, "rsa-sha2-512")
	"rsa-sha2-256-cert-v01@openssh.com" in r.evidence.refused
	not "sk-ecdsa-sha2-nistp256@openssh.com" in r.evidence.refused
}

test_zt_ssh_010_fail_default_ssh_rsa if {
	r := run("zt_ssh_010", with_eff({"pubkeyacceptedalgorithms": "ssh-ed25519,ssh-rsa,ssh-dss"}))
	r.status == "fail"
	r.evidence.refused == ["ssh-dss", "ssh-rsa"]
}

test_zt_ssh_010_pass_old_keyword if {
	eff := replace(object.remove(good_eff, ["pubkeyacceptedalgorithms"]), {"pubkeyacceptedkeytypes": "ssh-ed25519"})
	run("zt_ssh_010", with_sshd({"effective": eff})).status == "pass"
}

test_zt_ssh_010_error_unknown_profile if {
	c := replace(cfg, {"ssh": replace(cfg.ssh, {"crypto_profile": "paranoid"})})
	r := ssh.zt_ssh_010 with input as snap(good_sshd) with data.config as c
	r.status == "error"
	contains(r.message, "paranoid")
}

test_zt_ssh_010_error_missing_key if {
	run("zt_ssh_010", without("pubkeyacceptedalgorithms")).status == "error"
}

test_zt_ssh_010_skip_not_installed if {
	run("zt_ssh_010", not_installed).status == "skip"
}

# ZT-SSH-011
test_zt_ssh_011_pass if {
	r := run("zt_ssh_011", snap(good_sshd))
	r.status == "pass"
	contains(r.message, "/etc/ssh/user_ca.pub")
}

test_zt_ssh_011_fail_none if {
	r := run("zt_ssh_011", with_sshd({"effective": replace(good_eff, {"trustedusercakeys": "none"}), "trusted_user_ca_keys": null}))
	r.status == "fail"
	contains(r.message, "TrustedUserCAKeys is none")
}

test_zt_ssh_011_fail_file_absent if {
	r := run("zt_ssh_011", with_sshd({"trusted_user_ca_keys": {"path": "/etc/ssh/user_ca.pub", "exists": false}}))
	r.status == "fail"
	contains(r.message, "does not exist")
}

test_zt_ssh_011_fail_directory if {
	f := replace(root_file("/etc/ssh/user_ca.pub", "0755"), {"type": "directory"})
	run("zt_ssh_011", with_sshd({"trusted_user_ca_keys": f})).status == "fail"
}

test_zt_ssh_011_error_no_file_facts if {
	r := run("zt_ssh_011", snap(object.remove(good_sshd, ["trusted_user_ca_keys"])))
	r.status == "error"
	contains(r.message, "trusted_user_ca_keys")
}

test_zt_ssh_011_error_stat_failed if {
	r := run("zt_ssh_011", with_sshd({"trusted_user_ca_keys": {"path": "/etc/ssh/user_ca.pub", "error": "permission denied"}}))
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_ssh_011_skip_not_installed if {
	run("zt_ssh_011", not_installed).status == "skip"
}

# ZT-SSH-012
test_zt_ssh_012_pass_verbose if {
	run("zt_ssh_012", snap(good_sshd)).status == "pass"
}

test_zt_ssh_012_pass_debug3 if {
	run("zt_ssh_012", with_eff({"loglevel": "DEBUG3"})).status == "pass"
}

test_zt_ssh_012_fail_info if {
	r := run("zt_ssh_012", with_eff({"loglevel": "INFO"}))
	r.status == "fail"
	contains(r.message, "LogLevel is INFO")
}

test_zt_ssh_012_error_missing_key if {
	run("zt_ssh_012", without("loglevel")).status == "error"
}

test_zt_ssh_012_skip_not_installed if {
	run("zt_ssh_012", not_installed).status == "skip"
}

# ZT-SSH-013
test_zt_ssh_013_pass if {
	run("zt_ssh_013", snap(good_sshd)).status == "pass"
}

test_zt_ssh_013_fail_no if {
	r := run("zt_ssh_013", with_eff({"strictmodes": "no"}))
	r.status == "fail"
	r.message == "StrictModes is no (sshd -T); must be yes"
}

test_zt_ssh_013_error_missing_key if {
	run("zt_ssh_013", without("strictmodes")).status == "error"
}

test_zt_ssh_013_skip_not_installed if {
	run("zt_ssh_013", not_installed).status == "skip"
}

# ZT-SSH-014
test_zt_ssh_014_pass if {
	run("zt_ssh_014", snap(good_sshd)).status == "pass"
}

test_zt_ssh_014_fail_yes if {
	r := run("zt_ssh_014", with_eff({"x11forwarding": "yes"}))
	r.status == "fail"
	contains(r.message, "X11Forwarding is yes")
}

test_zt_ssh_014_error_missing_key if {
	run("zt_ssh_014", without("x11forwarding")).status == "error"
}

test_zt_ssh_014_skip_not_installed if {
	run("zt_ssh_014", not_installed).status == "skip"
}

# ZT-SSH-015
test_zt_ssh_015_pass if {
	r := run("zt_ssh_015", snap(good_sshd))
	r.status == "pass"
	r.evidence.weak == {}
}

test_zt_ssh_015_pass_group14_sha256 if {
	run("zt_ssh_015", with_eff({"kexalgorithms": "curve25519-sha256,diffie-hellman-group14-sha256"})).status == "pass"
}

test_zt_ssh_015_fail_group14_sha1 if {
	r := run("zt_ssh_015", with_eff({"kexalgorithms": "curve25519-sha256,diffie-hellman-group14-sha1"}))
	r.status == "fail"
	r.evidence.weak.KexAlgorithms == ["diffie-hellman-group14-sha1"]
}

test_zt_ssh_015_fail_group_exchange_sha1 if {
	run("zt_ssh_015", with_eff({"kexalgorithms": "diffie-hellman-group-exchange-sha1"})).status == "fail"
}

test_zt_ssh_015_fail_hmac_sha1_etm if {
	r := run("zt_ssh_015", with_eff({"macs": "hmac-sha2-256-etm@openssh.com,hmac-sha1-etm@openssh.com"}))
	r.status == "fail"
	contains(r.message, "MACs hmac-sha1-etm@openssh.com")
}

test_zt_ssh_015_fail_md5 if {
	run("zt_ssh_015", with_eff({"macs": "hmac-md5"})).status == "fail"
}

test_zt_ssh_015_fail_cbc if {
	r := run("zt_ssh_015", with_eff({"ciphers": "aes256-ctr,aes128-cbc,rijndael-cbc@lysator.liu.se"}))
	r.status == "fail"
	r.evidence.weak.Ciphers == ["aes128-cbc", "rijndael-cbc@lysator.liu.se"]
}

test_zt_ssh_015_error_missing_key if {
	r := run("zt_ssh_015", without("macs"))
	r.status == "error"
	contains(r.message, "macs")
}

test_zt_ssh_015_skip_not_installed if {
	run("zt_ssh_015", not_installed).status == "skip"
}

# ZT-SSH-016
match_block(settings) := {"criteria": "User alice", "file": "/etc/ssh/sshd_config.d/50-alice.conf", "line": 4, "settings": settings}

test_zt_ssh_016_pass_no_blocks if {
	run("zt_ssh_016", snap(good_sshd)).status == "pass"
}

test_zt_ssh_016_pass_harmless_block if {
	r := run("zt_ssh_016", with_sshd({"match_blocks": [match_block({"x11forwarding": "yes", "passwordauthentication": "no"})]}))
	r.status == "pass"
	contains(r.message, "1 Match blocks")
}

test_zt_ssh_016_fail_password_reenabled if {
	r := run("zt_ssh_016", with_sshd({"match_blocks": [match_block({"passwordauthentication": "yes"})]}))
	r.status == "fail"
	r.message == "Match User alice (/etc/ssh/sshd_config.d/50-alice.conf:4) sets PasswordAuthentication yes"
	r.evidence.reenabled[0].line == 4
}

test_zt_ssh_016_fail_root_key_login_reenabled if {
	r := run("zt_ssh_016", with_sshd({"match_blocks": [match_block({"permitrootlogin": "prohibit-password"})]}))
	r.status == "fail"
	contains(r.message, "PermitRootLogin prohibit-password")
}

test_zt_ssh_016_fail_empty_passwords if {
	run("zt_ssh_016", with_sshd({"match_blocks": [match_block({"permitemptypasswords": "yes"})]})).status == "fail"
}

test_zt_ssh_016_error_no_match_facts if {
	r := run("zt_ssh_016", snap(object.remove(good_sshd, ["match_blocks"])))
	r.status == "error"
	contains(r.message, "match_blocks")
}

test_zt_ssh_016_skip_not_installed if {
	run("zt_ssh_016", not_installed).status == "skip"
}

# ZT-SSH-017
test_zt_ssh_017_pass if {
	run("zt_ssh_017", snap(good_sshd)).status == "pass"
}

test_zt_ssh_017_pass_key_0400 if {
	r := run("zt_ssh_017", with_sshd({"host_keys": [root_file("/etc/ssh/ssh_host_ed25519_key", "0400")]}))
	r.status == "pass"
}

test_zt_ssh_017_pass_keys_not_generated_yet if {
	r := run("zt_ssh_017", with_sshd({"host_keys": [{"path": "/etc/ssh/ssh_host_ed25519_key", "exists": false}]}))
	r.status == "pass"
	contains(r.message, "do not exist yet")
}

test_zt_ssh_017_fail_key_0640 if {
	r := run("zt_ssh_017", with_sshd({"host_keys": [root_file("/etc/ssh/ssh_host_ed25519_key", "0640")]}))
	r.status == "fail"
	r.message == "host key /etc/ssh/ssh_host_ed25519_key has mode 0640; must be 0600 or stricter"
}

test_zt_ssh_017_fail_key_uid_1000 if {
	f := replace(root_file("/etc/ssh/ssh_host_ed25519_key", "0600"), {"uid": 1000, "owner": "alice"})
	r := run("zt_ssh_017", with_sshd({"host_keys": [f]}))
	r.status == "fail"
	contains(r.message, "owned by alice (uid 1000)")
}

test_zt_ssh_017_fail_config_group_writable if {
	r := run("zt_ssh_017", with_sshd({"config_files": [root_file("/etc/ssh/sshd_config", "0664")]}))
	r.status == "fail"
	contains(r.message, "/etc/ssh/sshd_config has mode 0664")
}

test_zt_ssh_017_pass_config_0644 if {
	run("zt_ssh_017", with_sshd({"config_files": [root_file("/etc/ssh/sshd_config", "0644")]})).status == "pass"
}

test_zt_ssh_017_error_stat_failed if {
	r := run("zt_ssh_017", with_sshd({"host_keys": [{"path": "/etc/ssh/ssh_host_ed25519_key", "error": "permission denied"}]}))
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_ssh_017_error_no_file_facts if {
	r := run("zt_ssh_017", snap(object.remove(good_sshd, ["host_keys"])))
	r.status == "error"
	contains(r.message, "host_keys")
}

test_zt_ssh_017_skip_not_installed if {
	run("zt_ssh_017", not_installed).status == "skip"
}

# ZT-SSH-018
test_zt_ssh_018_pass if {
	r := run("zt_ssh_018", snap(good_sshd))
	r.status == "pass"
	contains(r.message, "pam_google_authenticator.so (/etc/pam.d/sshd:3)")
}

test_zt_ssh_018_fail_nullok if {
	pam := {"status": "ok", "file": "/etc/pam.d/sshd", "modules": [{"type": "auth", "control": "required", "module": "/lib/x86_64-linux-gnu/security/pam_oath.so", "args": ["nullok"], "file": "/etc/pam.d/sshd", "line": 2}]}
	r := run("zt_ssh_018", with_sshd({"pam": pam}))
	r.status == "fail"
	contains(r.message, "pam_oath.so (/etc/pam.d/sshd:2)")
	contains(r.message, "nullok")
}

test_zt_ssh_018_fail_single_factor if {
	r := run("zt_ssh_018", with_eff({"authenticationmethods": "any"}))
	r.status == "fail"
	contains(r.message, "one factor")
}

test_zt_ssh_018_fail_one_list_single if {
	run("zt_ssh_018", with_eff({"authenticationmethods": "publickey,keyboard-interactive publickey"})).status == "fail"
}

test_zt_ssh_018_fail_no_otp_module if {
	pam := {"status": "ok", "file": "/etc/pam.d/sshd", "modules": [{"type": "auth", "control": "required", "module": "pam_unix.so", "args": [], "file": "/etc/pam.d/common-auth", "line": 17}]}
	r := run("zt_ssh_018", with_sshd({"pam": pam}))
	r.status == "fail"
	contains(r.message, "loads no OTP module")
}

test_zt_ssh_018_fail_usepam_no if {
	run("zt_ssh_018", with_eff({"usepam": "no"})).status == "fail"
}

test_zt_ssh_018_error_pam_missing if {
	r := run("zt_ssh_018", snap(object.remove(good_sshd, ["pam"])))
	r.status == "error"
	contains(r.message, "pam")
}

test_zt_ssh_018_error_pam_unreadable if {
	r := run("zt_ssh_018", with_sshd({"pam": {"status": "error", "reason": "/etc/pam.d/sshd: permission denied"}}))
	r.status == "error"
	contains(r.message, "permission denied")
}

test_zt_ssh_018_error_pam_unavailable if {
	r := run("zt_ssh_018", with_sshd({"pam": {"status": "unavailable", "reason": "no /etc/pam.d/sshd"}}))
	r.status == "error"
	contains(r.message, "no /etc/pam.d/sshd")
}

test_zt_ssh_018_skip_not_installed if {
	run("zt_ssh_018", not_installed).status == "skip"
}

# AuthenticationMethods as the collector emits it: an array of method lists.
test_zt_ssh_018_pass_array_form if {
	r := run("zt_ssh_018", with_eff({"authenticationmethods": ["publickey,keyboard-interactive:pam"]}))
	r.status == "pass"
	contains(r.message, "\"publickey,keyboard-interactive:pam\"")
}

test_zt_ssh_018_fail_array_form_any if {
	run("zt_ssh_018", with_eff({"authenticationmethods": ["any"]})).status == "fail"
}

test_zt_ssh_003_pass_mfa_exception_array_form if {
	r := run("zt_ssh_003", with_eff({"kbdinteractiveauthentication": "yes", "authenticationmethods": ["publickey,keyboard-interactive"]}))
	r.status == "pass"
}

test_zt_ssh_003_fail_array_form_alternative if {
	r := run("zt_ssh_003", with_eff({"kbdinteractiveauthentication": "yes", "authenticationmethods": ["publickey,keyboard-interactive", "keyboard-interactive"]}))
	r.status == "fail"
}
