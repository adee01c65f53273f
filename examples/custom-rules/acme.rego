# Custom rules live in packages below data.ztscan (here ztscan.acme) and
# carry the same METADATA as the built-in ones. Their IDs must not start
# with ZT- (reserved for the built-in checklist).
package ztscan.acme

import data.ztscan.lib

# METADATA
# title: SSH does not accept environment variables from clients
# description: >-
#   AcceptEnv lets a client set variables such as LC_* in the server
#   session; ACME's baseline forbids all of them.
# custom:
#   id: ACME-SSH-001
#   severity: low
#   remediation: Remove every AcceptEnv line from /etc/ssh/sshd_config and its drop-ins.
#   references:
#     - ACME Linux baseline 4.2
acme_ssh_001 := v if {
	v := lib.missing("sshd")
} else := lib.skip("sshd is not installed") if {
	input.facts.sshd.installed == false
} else := lib.pass("no AcceptEnv", {}) if {
	not input.facts.sshd.effective.acceptenv
} else := lib.fail(
	sprintf("AcceptEnv passes %s", [concat(" ", input.facts.sshd.effective.acceptenv)]),
	{"acceptenv": input.facts.sshd.effective.acceptenv},
)
