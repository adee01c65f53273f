package ztscan.fs_test

import data.ztscan.fs

cfg := {"filesystem": {"read_only_root_required": true}, "services": {"base_system": ["ssh.service"]}}

mp(path, opts) := {
	"path": path, "mounted": true, "source": "/proc/self/mountinfo", "evidence": "/proc/self/mountinfo:3", "options": opts,
	"read_only": "ro" in opts, "nodev": "nodev" in opts, "nosuid": "nosuid" in opts, "noexec": "noexec" in opts,
}

unmounted(path) := {"path": path, "mounted": false, "options": [], "read_only": false, "nodev": false, "nosuid": false, "noexec": false}

ww(total, files, truncated) := {
	"status": "ok", "roots": ["/etc", "/usr/bin", "/usr/sbin", "/usr/lib/systemd"], "files": files, "total": total,
	"sticky_dirs": [], "sticky_total": 0, "scanned": 9000, "truncated": truncated, "truncated_reason": "stopped after 5s", "errors": [],
}

file(path, mode) := {"path": path, "exists": true, "type": "regular file", "mode": mode, "uid": 0, "gid": 0, "owner": "root", "group": "root"}

snap(kind, f) := {
	"target": {"kind": kind},
	"facts": {"filesystem": f, "systemd": {"services": [
		{"name": "ssh.service", "sandboxing": {}},
		{"name": "app.service", "sandboxing": {"PrivateTmp": {"value": "yes", "file": "/etc/x", "line": 1}}},
	]}},
	"collectors": [{"name": "filesystem", "status": "ok"}, {"name": "systemd", "status": "ok"}],
}

base := {
	"mounts": {"status": "ok", "source": "/proc/self/mountinfo", "entries": []},
	"root": mp("/", ["ro", "relatime"]),
	"tmp": mp("/tmp", ["rw", "nodev", "nosuid", "noexec"]),
	"tmp_mount_unit": {"name": "tmp.mount", "found": false, "state": ""},
	"world_writable": ww(0, [], false),
	"sensitive_files": [file("/etc/ssh/sshd_config", "0600"), file("/etc/postgresql/15/main/pg_hba.conf", "0640")],
	"open_files": {"status": "ok", "systemd_default": null, "limits": []},
}

good := snap("host", base)

with_fs(over) := snap("host", object.union(base, over))

failed := {"facts": {}, "collectors": [{"name": "filesystem", "status": "error", "error": "boom"}]}

unavailable := {"facts": {}, "collectors": [{"name": "filesystem", "status": "unavailable", "error": "n/a"}]}

test_zt_fs_001_pass if {
	v := fs.zt_fs_001 with input as good with data.config as cfg
	v.status == "pass"
	v.message == "/ is mounted read-only (/proc/self/mountinfo:3: ro,relatime)"
}

test_zt_fs_001_fail if {
	v := fs.zt_fs_001 with input as with_fs({"root": mp("/", ["rw", "relatime"])}) with data.config as cfg
	v.status == "fail"
}

test_zt_fs_001_skip_declared if {
	v := fs.zt_fs_001 with input as with_fs({"root": mp("/", ["rw"])}) with data.config as {"filesystem": {"read_only_root_required": false}}
	v.status == "skip"
}

test_zt_fs_001_skip_no_fstab_line if {
	v := fs.zt_fs_001 with input as snap("rootfs", object.union(base, {"root": unmounted("/")})) with data.config as cfg
	v.status == "skip"
}

test_zt_fs_001_error if {
	v := fs.zt_fs_001 with input as with_fs({"mounts": {"status": "error", "reason": "/proc/self/mountinfo: line 2: not a mountinfo line", "source": "/proc/self/mountinfo"}}) with data.config as cfg
	v.status == "error"
	contains(v.message, "line 2")
}

test_zt_fs_001_error_live_unmounted if {
	v := fs.zt_fs_001 with input as with_fs({"root": unmounted("/")}) with data.config as cfg
	v.status == "error"
}

test_zt_fs_002_pass if {
	v := fs.zt_fs_002 with input as good with data.config as cfg
	v.status == "pass"
}

test_zt_fs_002_pass_private_tmp if {
	v := fs.zt_fs_002 with input as with_fs({"tmp": unmounted("/tmp")}) with data.config as cfg
	v.status == "pass"
	v.message == "/tmp lacks its own mount, but all 1 enabled services outside the base system use PrivateTmp"
}

test_zt_fs_002_fail if {
	v := fs.zt_fs_002 with input as with_fs({"tmp": mp("/tmp", ["rw", "nosuid"])}) with data.config as {"services": {"base_system": ["*"]}}
	v.status == "fail"
	contains(v.message, "without nodev,noexec")
}

test_zt_fs_002_fail_not_mounted if {
	v := fs.zt_fs_002 with input as with_fs({"tmp": unmounted("/tmp")}) with data.config as {"services": {"base_system": ["*"]}}
	v.status == "fail"
	contains(v.message, "not a separate mount")
}

test_zt_fs_002_error if {
	v := fs.zt_fs_002 with input as failed with data.config as cfg
	v.status == "error"
}

test_zt_fs_002_skip if {
	v := fs.zt_fs_002 with input as unavailable with data.config as cfg
	v.status == "skip"
}

test_zt_fs_003_pass if {
	v := fs.zt_fs_003 with input as good with data.config as cfg
	v.status == "pass"
}

test_zt_fs_003_fail if {
	v := fs.zt_fs_003 with input as with_fs({"world_writable": ww(3, [{"path": "/usr/bin/evil", "type": "regular file", "mode": "0777"}], true)}) with data.config as cfg
	v.status == "fail"
	v.message == "3 world-writable entries (at least: the walk stopped after 5s): /usr/bin/evil (0777)"
}

test_zt_fs_003_error_truncated if {
	v := fs.zt_fs_003 with input as with_fs({"world_writable": ww(0, [], true)}) with data.config as cfg
	v.status == "error"
}

test_zt_fs_003_error if {
	v := fs.zt_fs_003 with input as failed with data.config as cfg
	v.status == "error"
}

test_zt_fs_003_skip if {
	v := fs.zt_fs_003 with input as unavailable with data.config as cfg
	v.status == "skip"
}

test_zt_fs_004_pass if {
	v := fs.zt_fs_004 with input as good with data.config as cfg
	v.status == "pass"
}

test_zt_fs_004_fail if {
	v := fs.zt_fs_004 with input as with_fs({"sensitive_files": [file("/etc/ssh/sshd_config", "0644"), file("/etc/wireguard/wg0.conf", "0660"), file("/etc/nftables.conf", "0400")]}) with data.config as cfg
	v.status == "fail"
	v.message == "sensitive configuration files are more open than 0640: /etc/ssh/sshd_config (0644), /etc/wireguard/wg0.conf (0660)"
}

test_zt_fs_004_skip if {
	v := fs.zt_fs_004 with input as with_fs({"sensitive_files": []}) with data.config as cfg
	v.status == "skip"
}

test_zt_fs_004_error if {
	v := fs.zt_fs_004 with input as with_fs({"sensitive_files": [{"path": "/etc/nftables.conf", "exists": false, "error": "stat /etc/nftables.conf: too many levels of symbolic links"}]}) with data.config as cfg
	v.status == "error"
}
