# Mandatory access control: SELinux or AppArmor confines services beyond
# Unix permissions.
package ztscan.mac

import data.ztscan.lib

mac := object.get(input, ["facts", "mac"], {})

se_kernel := object.get(mac, ["selinux", "kernel"], {})

se_config := object.get(mac, ["selinux", "config"], {})

aa_kernel := object.get(mac, ["apparmor", "kernel"], {})

aa_config := object.get(mac, ["apparmor", "config"], {})

rootfs if input.target.kind == "rootfs"

# Comparisons with != go through object.get: a missing fact must not make
# a "not what we want" condition silently false.

# SELinux is active in the running kernel. "unavailable" on a live host
# means no selinuxfs: not enabled.
se_enabled if {
	se_kernel.status == "ok"
	se_kernel.enabled == true
}

aa_enforce_count := object.get(aa_kernel, ["profiles", "enforce"], 0)

aa_complain_count := object.get(aa_kernel, ["profiles", "complain"], 0)

se_evidence := {"selinux": {
	"runtime_enabled": object.get(se_kernel, "enabled", null),
	"runtime_mode": object.get(se_kernel, "mode", null),
	"config_file": object.get(se_config, "file", null),
	"config_selinux": object.get(se_config, "selinux", null),
	"config_type": object.get(se_config, "selinuxtype", null),
}}

aa_evidence := {"apparmor": {
	"runtime_enabled": object.get(aa_kernel, "enabled", null),
	"profiles": object.get(aa_kernel, "profiles", null),
	"installed": object.get(aa_config, "installed", null),
	"service_enabled": object.get(aa_config, "service_enabled", null),
	"disabled_on_cmdline": object.get(aa_config, "disabled_on_cmdline", null),
	"persisted_profiles": object.get(aa_config, "profiles", null),
}}

# METADATA
# title: Mandatory access control is enforcing
# description: >-
#   SELinux (enforcing at runtime and in /etc/selinux/config) or, where
#   SELinux is not enabled, AppArmor with profiles in enforce mode confines
#   a compromised service to what its policy allows.
# custom:
#   id: ZT-MAC-001
#   severity: high
#   remediation: >-
#     SELinux: set "SELINUX=enforcing" in /etc/selinux/config and run "setenforce 1".
#     AppArmor (Debian): apt install apparmor apparmor-utils apparmor-profiles,
#     systemctl enable --now apparmor, remove apparmor=0 from the kernel command
#     line (/etc/default/grub, then update-grub), and put profiles in enforce
#     mode with "aa-enforce /etc/apparmor.d/<profile>".
#   references:
#     - CIS Debian Linux 12 Benchmark 1.3.1.1-1.3.1.4 (AppArmor installed, enabled in the bootloader, profiles enforcing)
#     - NIST SP 800-53 AC-3(3), AC-6
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_mac_001 := v if {
	v := lib.missing("mac")
} else := v if {
	rootfs
	v := offline_verdict
} else := live_verdict

live_verdict := lib.error(sprintf("SELinux runtime state could not be read: %s", [object.get(se_kernel, "reason", "no status in facts")])) if {
	not object.get(se_kernel, "status", null) in {"ok", "unavailable"}
} else := lib.pass(sprintf("SELinux is enforcing at runtime and %s says SELINUX=enforcing (type %s)", [se_config.file, object.get(se_config, "selinuxtype", "?")]), se_evidence) if {
	se_enabled
	se_kernel.mode == "enforcing"
	se_config.status == "ok"
	se_config.selinux == "enforcing"
} else := lib.fail(sprintf("SELinux is enabled but %s at runtime", [object.get(se_kernel, "mode", "in an unknown mode")]), se_evidence) if {
	se_enabled
	object.get(se_kernel, "mode", null) != "enforcing"
} else := lib.error(sprintf("SELinux is enforcing at runtime but its configuration could not be read: %s", [object.get(se_config, "reason", "no reason given")])) if {
	se_enabled
	se_config.status == "error"
} else := lib.fail(sprintf("SELinux is enforcing at runtime but %s: the next boot will not enforce", [se_config_says]), se_evidence) if {
	se_enabled
} else := lib.error(sprintf("AppArmor runtime state could not be read: %s", [object.get(aa_kernel, "reason", "no status in facts")])) if {
	object.get(aa_kernel, "status", null) != "ok"
} else := lib.pass(sprintf("SELinux is not enabled; AppArmor is enabled with %d profiles in enforce mode (%d in complain mode)", [aa_enforce_count, aa_complain_count]), aa_evidence) if {
	aa_kernel.enabled == true
	aa_enforce_count > 0
} else := lib.fail(sprintf("SELinux is not enabled; AppArmor is enabled but no profile is in enforce mode (%d in complain mode only log)", [aa_complain_count]), aa_evidence) if {
	aa_kernel.enabled == true
} else := lib.fail("neither SELinux nor AppArmor is enabled in the running kernel", object.union(se_evidence, aa_evidence))

default se_config_says := "there is no SELinux configuration file"

se_config_says := sprintf("%s says SELINUX=%s", [object.get(se_config, "file", "/etc/selinux/config"), se_config.selinux]) if {
	se_config.status == "ok"
	se_config.selinux
}

# Offline root: only the persisted configuration can be judged.
offline_verdict := lib.pass(sprintf("%s says SELINUX=enforcing (type %s)", [se_config.file, object.get(se_config, "selinuxtype", "?")]), se_evidence) if {
	se_config.status == "ok"
	se_config.selinux == "enforcing"
} else := lib.pass(sprintf("AppArmor is installed, its service is enabled, the kernel command line does not disable it and %d profiles are in enforce mode", [aa_config.profiles.enforce]), aa_evidence) if {
	aa_config.status == "ok"
	count(aa_offline_problems) == 0
} else := lib.error(sprintf("could not read the MAC configuration: %s", [concat("; ", sorted_errors)])) if {
	count(offline_errors) > 0
} else := lib.fail(sprintf("%s; AppArmor: %s", [se_config_says, concat(", ", sort(aa_offline_problems))]), object.union(se_evidence, aa_evidence))

aa_offline_problems contains "not installed" if object.get(aa_config, "installed", null) != true

aa_offline_problems contains "its service is not enabled" if {
	aa_config.installed == true
	object.get(aa_config, "service_enabled", null) != true
}

aa_offline_problems contains "disabled on the kernel command line" if {
	aa_config.installed == true
	object.get(aa_config, "disabled_on_cmdline", null) != false
}

aa_offline_problems contains sprintf("no profile in enforce mode (%v in complain mode)", [object.get(aa_config, ["profiles", "complain"], 0)]) if {
	aa_config.installed == true
	not object.get(aa_config, ["profiles", "enforce"], 0) > 0
}

offline_errors contains sprintf("SELinux configuration: %s", [object.get(se_config, "reason", "no reason given")]) if {
	se_config.status == "error"
}

offline_errors contains "SELinux configuration: no status in facts" if {
	not se_config.status
}

offline_errors contains sprintf("AppArmor configuration: %s", [object.get(aa_config, "reason", "no status in facts")]) if {
	object.get(aa_config, "status", null) != "ok"
}

sorted_errors := sort(offline_errors)
