package ztscan.acme_test

import data.ztscan.acme

sshd_facts(effective) := {
	"collectors": [{"name": "sshd", "status": "ok"}],
	"facts": {"sshd": {"installed": true, "effective": effective}},
}

test_acme_ssh_001_pass if {
	acme.acme_ssh_001.status == "pass" with input as sshd_facts({"passwordauthentication": "no"})
}

test_acme_ssh_001_fail if {
	r := acme.acme_ssh_001 with input as sshd_facts({"acceptenv": ["LANG", "LC_*"]})
	r.status == "fail"
	r.message == "AcceptEnv passes LANG LC_*"
}

test_acme_ssh_001_skip_not_installed if {
	r := acme.acme_ssh_001 with input as {"collectors": [{"name": "sshd", "status": "ok"}], "facts": {"sshd": {"installed": false}}}
	r.status == "skip"
}

test_acme_ssh_001_error_collector if {
	r := acme.acme_ssh_001 with input as {"collectors": [{"name": "sshd", "status": "error", "error": "boom"}], "facts": {}}
	r.status == "error"
}
