# Filesystem (FS): mount options, world-writable system files, modes of
# sensitive configuration files.
package ztscan.fs

import data.ztscan.lib

fsf := object.get(input, ["facts", "filesystem"], {})

mounts := object.get(fsf, "mounts", {})

root := object.get(fsf, "root", {})

tmp := object.get(fsf, "tmp", {})

rootfs if input.target.kind == "rootfs"

# METADATA
# title: The root filesystem is read-only
# description: >-
#   A read-only root (with writable state on separate mounts) keeps an
#   intruder from changing binaries and configuration persistently. Sites
#   that do not require it declare filesystem.read_only_root_required: false.
# custom:
#   id: ZT-FS-001
#   severity: low
#   remediation: >-
#     Mount / with "ro" in /etc/fstab (options "ro,errors=remount-ro") and
#     move writable state (/var, /home, /srv) to their own mounts, or set
#     filesystem.read_only_root_required: false in the ztscan configuration.
#   references:
#     - NIST SP 800-53 CM-5, SI-7
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_fs_001 := v if {
	v := lib.missing("filesystem")
} else := v if {
	v := lib.config_missing(["filesystem.read_only_root_required"])
} else := lib.skip("a read-only root is declared not required (filesystem.read_only_root_required: false)") if {
	data.config.filesystem.read_only_root_required == false
} else := v if {
	v := lib.part_missing(mounts, sprintf("the mount table (%s)", [object.get(mounts, "source", "?")]))
} else := lib.skip("the image's /etc/fstab has no entry for /: the root's mount options are decided where it is deployed") if {
	rootfs
	object.get(root, "mounted", false) == false
} else := lib.error(sprintf("%s has no entry for /", [object.get(mounts, "source", "the mount table")])) if {
	object.get(root, "mounted", false) == false
} else := lib.pass(sprintf("/ is mounted read-only (%s: %s)", [root.evidence, concat(",", root.options)]), root) if {
	root.read_only == true
} else := lib.fail(sprintf("/ is mounted read-write (%s: %s)", [root.evidence, concat(",", root.options)]), root)

tmp_missing := [o | some o in ["nodev", "nosuid", "noexec"]; object.get(tmp, o, false) == false]

# PrivateTmp for services: every enabled service outside the base system
# has a private /tmp (facts from the systemd collector).
svc_facts := object.get(input, ["facts", "systemd"], {})

base_globs := object.get(data.config, ["services", "base_system"], [])

non_base := [s |
	some s in object.get(svc_facts, "services", [])
	not is_base(s.name)
]

is_base(name) if {
	some g in base_globs
	glob.match(g, [], name)
}

private_tmp(s) if lower(object.get(s, ["sandboxing", "PrivateTmp", "value"], "")) in {"yes", "true", "on", "1"}

private_tmp(s) if lower(object.get(s, ["sandboxing", "DynamicUser", "value"], "")) in {"yes", "true", "on", "1"}

all_private_tmp if {
	count(non_base) > 0
	every s in non_base {
		private_tmp(s)
	}
}

tmp_where := sprintf("%s (%s)", [tmp.source, object.get(tmp, "evidence", "")]) if tmp.source
else := "?"

# METADATA
# title: /tmp is a separate nodev,nosuid,noexec mount
# description: >-
#   /tmp on its own mount with nodev, nosuid and noexec keeps files that
#   any user can drop there from being executed or used as devices or
#   set-uid binaries; services with PrivateTmp=yes get their own /tmp
#   instead.
# custom:
#   id: ZT-FS-002
#   severity: medium
#   remediation: >-
#     Mount /tmp as tmpfs with "nodev,nosuid,noexec": a line "tmpfs /tmp
#     tmpfs defaults,nodev,nosuid,noexec,size=1G 0 0" in /etc/fstab, or
#     "cp /usr/share/systemd/tmp.mount /etc/systemd/system/", set
#     Options=mode=1777,strictatime,nosuid,nodev,noexec in it, and
#     "systemctl enable --now tmp.mount".
#   references:
#     - CIS Debian Linux 12 Benchmark 1.1.2.1.1-1.1.2.1.4 (/tmp separate, nodev, nosuid, noexec)
#     - NIST SP 800-53 CM-6, CM-7
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_fs_002 := v if {
	v := lib.missing("filesystem")
} else := v if {
	v := lib.part_missing(mounts, sprintf("the mount table (%s)", [object.get(mounts, "source", "?")]))
} else := lib.pass(sprintf("/tmp is a separate mount with nodev,nosuid,noexec (%s)", [tmp_where]), tmp) if {
	object.get(tmp, "mounted", false) == true
	count(tmp_missing) == 0
} else := lib.pass(sprintf("/tmp lacks %s, but all %d enabled services outside the base system use PrivateTmp", [tmp_gap, count(non_base)]), {"tmp": tmp, "services": [s.name | some s in non_base]}) if {
	all_private_tmp
} else := lib.fail(sprintf("/tmp is a separate mount (%s) without %s", [tmp_where, concat(",", tmp_missing)]), tmp) if {
	object.get(tmp, "mounted", false) == true
} else := lib.fail(sprintf("/tmp is not a separate mount (%s has no /tmp entry and tmp.mount is %s)", [object.get(mounts, "source", "?"), object.get(fsf, ["tmp_mount_unit", "state"], "not found")]), tmp)

tmp_gap := sprintf("the options %s", [concat(",", tmp_missing)]) if object.get(tmp, "mounted", false) == true
else := "its own mount"

ww := object.get(fsf, "world_writable", {})

ww_ev := {
	"roots": object.get(ww, "roots", []),
	"files": object.get(ww, "files", []),
	"total": object.get(ww, "total", null),
	"sticky_dirs": object.get(ww, "sticky_dirs", []),
	"scanned": object.get(ww, "scanned", null),
	"truncated": object.get(ww, "truncated", null),
}

# METADATA
# title: No world-writable files in system directories
# description: >-
#   No file or directory under /etc, /usr/bin, /usr/sbin or
#   /usr/lib/systemd is writable by every user: one would let any local
#   account change configuration, binaries or units that root runs.
#   Sticky world-writable directories are listed in the evidence, not
#   counted.
# custom:
#   id: ZT-FS-003
#   severity: high
#   remediation: >-
#     For each path listed: chmod o-w PATH (and check with "dpkg -S PATH" /
#     "dpkg --verify" or "rpm -Vf PATH" whether the package's file was
#     replaced). Find them all with: find /etc /usr/bin /usr/sbin
#     /usr/lib/systemd -xdev -perm -0002 ! -type l.
#   references:
#     - CIS Debian Linux 12 Benchmark 7.1.11 (world writable files and directories are secured)
#     - NIST SP 800-53 AC-3, CM-5
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_fs_003 := v if {
	v := lib.missing("filesystem")
} else := v if {
	v := lib.part_missing(ww, "the world-writable walk")
} else := lib.fail(sprintf("%d world-writable entries%s: %s", [ww.total, trunc_note, concat(", ", [sprintf("%s (%s)", [e.path, e.mode]) | some e in ww.files])]), ww_ev) if {
	ww.total > 0
} else := lib.error(sprintf("the world-writable walk %s before covering every file (%d scanned)", [object.get(ww, "truncated_reason", "stopped"), ww.scanned])) if {
	ww.truncated == true
} else := lib.error(sprintf("the world-writable walk could not read: %s", [concat("; ", ww.errors)])) if {
	count(object.get(ww, "errors", [])) > 0
} else := lib.pass(sprintf("no world-writable entry under %s (%d scanned)", [concat(", ", ww.roots), ww.scanned]), ww_ev) if {
	is_number(ww.total)
} else := lib.error("facts.filesystem.world_writable is incomplete")

trunc_note := sprintf(" (at least: the walk %s)", [ww.truncated_reason]) if ww.truncated == true
else := ""

sensitive := object.get(fsf, "sensitive_files", [])

present := [f | some f in sensitive; f.exists == true]

# too_open: any permission bit outside 0640 (group write, any other bit,
# execute, set-id or sticky).
too_open(f) if {
	m := lib.octal(f.mode)
	bits.and(m, bits.negate(416)) != 0
}

too_open(f) if not lib.octal(f.mode)

unreadable := [sprintf("%s: %s", [f.path, f.error]) | some f in sensitive; object.get(f, "error", "") != ""]

loose := [sprintf("%s (%s)", [f.path, f.mode]) | some f in present; too_open(f)]

# METADATA
# title: Sensitive configuration files are not readable by others
# description: >-
#   sshd_config, /etc/nftables.conf, WireGuard configurations and
#   PostgreSQL's pg_hba.conf are mode 0400, 0600 or 0640 (or stricter):
#   they reveal the access policy and, for WireGuard, hold private keys.
# custom:
#   id: ZT-FS-004
#   severity: medium
#   remediation: >-
#     chmod 0600 /etc/ssh/sshd_config /etc/nftables.conf /etc/wireguard/*.conf;
#     chmod 0640 /etc/postgresql/*/*/pg_hba.conf (group postgres); chown root
#     (postgres for pg_hba.conf).
#   references:
#     - CIS Debian Linux 12 Benchmark 5.1.1 (permissions on /etc/ssh/sshd_config are configured)
#     - NIST SP 800-53 AC-3, AC-6
#     - NIST SP 800-207 tenet 6 (dynamic, strictly enforced authorization)
zt_fs_004 := v if {
	v := lib.missing("filesystem")
} else := lib.error(sprintf("could not check: %s", [concat("; ", unreadable)])) if {
	count(unreadable) > 0
} else := lib.skip("none of sshd_config, /etc/nftables.conf, /etc/wireguard/*.conf, /etc/postgresql/*/*/pg_hba.conf exists") if {
	count(present) == 0
} else := lib.fail(sprintf("sensitive configuration files are more open than 0640: %s", [concat(", ", loose)]), {"files": present}) if {
	count(loose) > 0
} else := lib.pass(sprintf("%d sensitive configuration files are 0640 or stricter: %s", [count(present), concat(", ", [sprintf("%s (%s)", [f.path, f.mode]) | some f in present])]), {"files": present})
