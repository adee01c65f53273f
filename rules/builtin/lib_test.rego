package ztscan.lib_test

import data.ztscan.lib

test_int_of_decimal_string if {
	lib.int_of("42") == 42
	lib.int_of(7) == 7
}

test_int_of_refuses_non_numbers if {
	not lib.int_of("4x")
	not lib.int_of("-1")
	not lib.int_of("")
	not lib.int_of(true)
}

test_octal if {
	lib.octal("0600") == 384
	lib.octal("0400") == 256
	lib.octal("0640") == 416
	lib.octal("4755") == 2541
	lib.octal("0") == 0
}

test_octal_refuses_non_octal if {
	not lib.octal("0800")
	not lib.octal("rw-r--r--")
	not lib.octal(420)
}

test_major_minor if {
	lib.major_minor("6.1.0-13-amd64") == [6, 1]
	lib.major_minor("5.10") == [5, 10]
	lib.major_minor("10.1.2") == [10, 1]
}

# Arrays of numbers compare numerically, where strings would not.
test_major_minor_compares_numerically if {
	lib.major_minor("10.1") >= lib.major_minor("5.4")
	lib.major_minor("5.10") >= lib.major_minor("5.4")
	lib.major_minor("4.19.0-25-amd64") < lib.major_minor("5.4")
}

test_major_minor_refuses_garbage if {
	not lib.major_minor("linux")
	not lib.major_minor("6")
	not lib.major_minor("v6.1")
}

test_basename if {
	lib.basename("/lib/x86_64-linux-gnu/security/pam_oath.so") == "pam_oath.so"
	lib.basename("pam_u2f.so") == "pam_u2f.so"
}

test_config_missing_names_keys if {
	v := lib.config_missing(["ssh.max_auth_tries", "kernel.min_version"]) with data.config as {"ssh": {}}
	v.status == "error"
	contains(v.message, "ssh.max_auth_tries, kernel.min_version")
}

test_config_missing_undefined_when_set if {
	not lib.config_missing(["ssh.max_auth_tries"]) with data.config as {"ssh": {"max_auth_tries": 3}}
}

test_config_missing_false_is_set if {
	not lib.config_missing(["host.router"]) with data.config as {"host": {"router": false}}
}

test_config_missing_no_config if {
	lib.config_missing(["host.router"]).status == "error"
}

test_missing_collector_error if {
	v := lib.missing("sshd") with input as {"facts": {}, "collectors": [{"name": "sshd", "status": "error", "error": "boom"}]}
	v.status == "error"
	v.message == "collector sshd failed: boom"
}

test_missing_collector_unavailable if {
	v := lib.missing("sysctl") with input as {"facts": {}, "collectors": [{"name": "sysctl", "status": "unavailable", "error": "no /proc"}]}
	v.status == "skip"
}

test_missing_collector_did_not_run if {
	v := lib.missing("mac") with input as {"facts": {}, "collectors": []}
	v.status == "error"
}

test_missing_ok_without_facts if {
	v := lib.missing("mac") with input as {"facts": {}, "collectors": [{"name": "mac", "status": "ok"}]}
	v.status == "error"
}

test_missing_undefined_when_facts_present if {
	not lib.missing("mac") with input as {"facts": {"mac": {"x": 1}}, "collectors": [{"name": "mac", "status": "ok"}]}
}

test_part_missing if {
	lib.part_missing({"status": "error", "reason": "r"}, "x").status == "error"
	lib.part_missing({"status": "unavailable", "reason": "r"}, "x").status == "skip"
	lib.part_missing({}, "x").status == "error"
	not lib.part_missing({"status": "ok"}, "x")
}
