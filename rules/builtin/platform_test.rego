package ztscan.plat_test

import data.ztscan.plat

cfg := {"platform": {"encryption_required": true}}

xeon := {"status": "ok", "vendor": "GenuineIntel", "model": "Intel(R) Xeon(R) Gold 5318Y CPU @ 2.10GHz", "logical_cpus": 2, "flags": ["aes", "avx", "rdrand"], "aes": true}

crypt_lvm(mount, dev) := {"mount": mount, "fstype": "ext4", "source": "/dev/mapper/vg0-x", "device": dev, "status": "ok", "encrypted": true, "layers": [sprintf("%s (lvm vg0-x)", [dev]), "dm-0 (dm-crypt LUKS2 sda3_crypt)"]}

plain_part := {"mount": "/var/lib/docker", "fstype": "xfs", "source": "/dev/sdb1", "device": "sdb1", "status": "ok", "encrypted": false, "layers": ["sdb1 (partition)"]}

enc(root, datavols) := {"status": "ok", "source": "/proc/self/mountinfo", "root": root, "data": datavols, "crypttab": [{"name": "sda3_crypt"}]}

bare := {"status": "ok", "role": "none", "system": "none", "container": "none", "vm": "none", "evidence": []}

snap(p) := {"target": {"kind": "host"}, "facts": {"platform": object.union({"cpu": xeon, "virtualization": bare, "encryption": enc(crypt_lvm("/", "dm-1"), [])}, p)}, "collectors": [{"name": "platform", "status": "ok"}]}

offline := {"cpu": {"status": "unavailable", "reason": "offline root: the image does not know the CPU it will run on"}, "virtualization": {"status": "unavailable", "reason": "offline root: virtualization is a property of a running system"}}

test_zt_plat_001_pass if {
	v := plat.zt_plat_001 with input as snap({})
	v.status == "pass"
	v.message == "Intel(R) Xeon(R) Gold 5318Y CPU @ 2.10GHz has AES instructions (aes avx rdrand)"
}

test_zt_plat_001_fail if {
	v := plat.zt_plat_001 with input as snap({"cpu": object.union(xeon, {"model": "QEMU Virtual CPU version 2.5+", "flags": ["hypervisor"], "aes": false})})
	v.status == "fail"
	v.message == "QEMU Virtual CPU version 2.5+ has no AES instructions (flags: hypervisor)"
}

test_zt_plat_001_skip_rootfs if {
	v := plat.zt_plat_001 with input as snap(offline)
	v.status == "skip"
	contains(v.message, "does not know the CPU")
}

test_zt_plat_001_error if {
	v := plat.zt_plat_001 with input as snap({"cpu": {"status": "error", "reason": "/proc/cpuinfo: no processor entries"}})
	v.status == "error"
}

test_zt_plat_002_pass_bare_metal if {
	v := plat.zt_plat_002 with input as snap({})
	v.status == "pass"
	v.message == "bare metal: no hypervisor or container detected"
}

test_zt_plat_002_pass_vm if {
	v := plat.zt_plat_002 with input as snap({"virtualization": {"status": "ok", "role": "vm", "system": "kvm", "container": "none", "vm": "kvm", "evidence": ["cpuid hypervisor vendor KVMKVMKVM"]}})
	v.status == "pass"
	v.message == "a kvm virtual machine with its own kernel (cpuid hypervisor vendor KVMKVMKVM)"
}

test_zt_plat_002_fail_container if {
	v := plat.zt_plat_002 with input as snap({"virtualization": {"status": "ok", "role": "container", "system": "docker", "container": "docker", "vm": "kvm", "evidence": ["/.dockerenv exists", "cpuid hypervisor vendor KVMKVMKVM"]}})
	v.status == "fail"
	v.message == "runs in a docker container on kvm, sharing the kernel (/.dockerenv exists; cpuid hypervisor vendor KVMKVMKVM)"
	v.evidence.vm == "kvm"
}

test_zt_plat_002_skip_rootfs if {
	v := plat.zt_plat_002 with input as snap(offline)
	v.status == "skip"
}

test_zt_plat_002_error if {
	v := plat.zt_plat_002 with input as {"facts": {}, "collectors": [{"name": "platform", "status": "error", "error": "boom"}]}
	v.status == "error"
}

test_zt_plat_003_pass if {
	v := plat.zt_plat_003 with input as snap({"encryption": enc(crypt_lvm("/", "dm-1"), [crypt_lvm("/srv", "dm-2")])}) with data.config as cfg
	v.status == "pass"
	v.message == "encrypted: / (dm-1 (lvm vg0-x) > dm-0 (dm-crypt LUKS2 sda3_crypt)); /srv (dm-2 (lvm vg0-x) > dm-0 (dm-crypt LUKS2 sda3_crypt))"
}

test_zt_plat_003_pass_rootfs_config if {
	e := {"status": "ok", "source": "/etc/crypttab", "root": {"mount": "/", "source": "/dev/mapper/sda3_crypt", "status": "ok", "encrypted": true, "layers": ["crypttab mapping sda3_crypt"]}, "data": [], "crypttab": [{"name": "sda3_crypt"}]}
	v := plat.zt_plat_003 with input as snap({"encryption": e}) with data.config as cfg
	v.status == "pass"
	startswith(v.message, "configuration only: /etc/fstab mounts / from /dev/mapper/sda3_crypt")
}

test_zt_plat_003_fail_data if {
	v := plat.zt_plat_003 with input as snap({"encryption": enc(crypt_lvm("/", "dm-1"), [plain_part])}) with data.config as cfg
	v.status == "fail"
	v.message == "not encrypted: /var/lib/docker (sdb1 (partition))"
}

test_zt_plat_003_fail_root if {
	r := {"mount": "/", "fstype": "ext4", "source": "/dev/vda", "device": "vda", "status": "ok", "encrypted": false, "layers": ["vda (disk)"]}
	v := plat.zt_plat_003 with input as snap({"encryption": enc(r, [])}) with data.config as cfg
	v.status == "fail"
	v.message == "not encrypted: / (vda (disk))"
}

test_zt_plat_003_skip_declared if {
	v := plat.zt_plat_003 with input as snap({}) with data.config as {"platform": {"encryption_required": false}}
	v.status == "skip"
}

test_zt_plat_003_skip_overlay_root if {
	r := {"mount": "/", "fstype": "overlay", "source": "overlay", "status": "unavailable", "reason": "/ (overlay from overlay) is not on a block device this host shows", "encrypted": false, "layers": []}
	v := plat.zt_plat_003 with input as snap({"encryption": enc(r, [])}) with data.config as cfg
	v.status == "skip"
	contains(v.message, "not on a block device")
}

test_zt_plat_003_skip_image_without_crypttab if {
	v := plat.zt_plat_003 with input as snap({"encryption": {"status": "unavailable", "reason": "offline root without /etc/crypttab mappings"}}) with data.config as cfg
	v.status == "skip"
}

test_zt_plat_003_error_stack if {
	r := {"mount": "/", "status": "error", "reason": "/sys/class/block/dm-0: device stack deeper than 16 or looping", "encrypted": false, "layers": []}
	v := plat.zt_plat_003 with input as snap({"encryption": enc(r, [])}) with data.config as cfg
	v.status == "error"
}

test_zt_plat_003_error_config if {
	v := plat.zt_plat_003 with input as snap({}) with data.config as {}
	v.status == "error"
}
