# SSH controls, judged on sshd's effective configuration (sshd -T
# semantics: first value wins, Include and Match applied).
package ztscan.ssh

import data.ztscan.lib

eff := input.facts.sshd.effective

# METADATA
# title: SSH password authentication is disabled
# description: >-
#   Passwords can be guessed, phished and reused; a Zero Trust server
#   accepts keys or certificates only.
# custom:
#   id: ZT-SSH-001
#   severity: critical
#   remediation: Set "PasswordAuthentication no" in /etc/ssh/sshd_config (before any Include that sets it) and reload sshd.
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.x (sshd PasswordAuthentication)
#     - NIST SP 800-53 IA-2, IA-5
#     - NIST SP 800-207 tenet 6 (strict authentication)
zt_ssh_001 := v if {
	v := lib.missing("sshd")
} else := lib.skip("sshd is not installed") if {
	input.facts.sshd.installed == false
} else := lib.pass("PasswordAuthentication is no", {"passwordauthentication": eff.passwordauthentication}) if {
	eff.passwordauthentication == "no"
} else := lib.fail(sprintf("PasswordAuthentication is %s", [eff.passwordauthentication]), {"passwordauthentication": eff.passwordauthentication}) if {
	eff.passwordauthentication
}
