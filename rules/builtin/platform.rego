# Platform (PLAT): what the host runs on. Cheap encryption needs AES in
# the CPU, isolation needs a kernel of one's own, and data at rest needs
# dm-crypt under the filesystems.
package ztscan.plat

import data.ztscan.lib

platform := object.get(input, ["facts", "platform"], {})

cpu := object.get(platform, "cpu", {})

virt := object.get(platform, "virtualization", {})

enc := object.get(platform, "encryption", {})

# METADATA
# title: The CPU accelerates AES
# description: >-
#   The CPU has AES instructions (x86 AES-NI, the "aes" flag; ARMv8's
#   "aes" feature), so that encrypting every connection, as Zero Trust
#   asks, costs little. An image does not know its CPU: the rule skips.
# custom:
#   id: ZT-PLAT-001
#   severity: medium
#   remediation: >-
#     Run the workload on a CPU with AES instructions; in a VM, expose the
#     host's flag to the guest (libvirt <cpu mode="host-passthrough"/> or
#     "-cpu host" in QEMU, or a CPU model that includes aes).
#   references:
#     - NIST SP 800-53 SC-8 (transmission confidentiality and integrity), SC-13 (cryptographic protection)
#     - NIST SP 800-207 tenet 2 (all communication is secured regardless of network location)
zt_plat_001 := v if {
	v := lib.missing("platform")
} else := v if {
	v := lib.part_missing(cpu, "the CPU")
} else := lib.error(sprintf("the CPU could not be read: %s", [object.get(cpu, "reason", "")])) if {
	cpu.status != "ok"
} else := lib.pass(sprintf("%s has AES instructions (%s)", [cpu.model, concat(" ", cpu.flags)]), {"model": cpu.model, "flags": cpu.flags}) if {
	cpu.aes == true
} else := lib.fail(sprintf("%s has no AES instructions (flags: %s)", [object.get(cpu, "model", "the CPU"), concat(" ", object.get(cpu, "flags", []))]), {"model": object.get(cpu, "model", ""), "flags": object.get(cpu, "flags", [])})

virt_evidence := {"role": virt.role, "system": virt.system, "container": object.get(virt, "container", ""), "vm": object.get(virt, "vm", ""), "evidence": object.get(virt, "evidence", [])}

under_vm := sprintf(" on %s", [virt.vm]) if {
	not virt.vm in {"none", ""}
} else := ""

# METADATA
# title: Workloads have a kernel of their own
# description: >-
#   The host is a full virtual machine or bare metal, not a container: a
#   container shares its kernel with its neighbours, so one kernel exploit
#   crosses every boundary. Reported with the detected role and system
#   (systemd-detect-virt's logic).
# custom:
#   id: ZT-PLAT-002
#   severity: info
#   remediation: >-
#     Run workloads that need isolation in their own VM (or a sandboxed
#     runtime such as gVisor or Kata Containers) rather than a plain
#     container.
#   references:
#     - NIST SP 800-53 SC-39 (process isolation), SC-2 (separation of system and user functionality)
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_plat_002 := v if {
	v := lib.missing("platform")
} else := v if {
	v := lib.part_missing(virt, "the virtualization")
} else := lib.error(sprintf("the virtualization could not be detected: %s", [object.get(virt, "reason", "")])) if {
	virt.status != "ok"
} else := lib.fail(sprintf("runs in a %s container%s, sharing the kernel (%s)", [virt.system, under_vm, concat("; ", virt_evidence.evidence)]), virt_evidence) if {
	virt.role == "container"
} else := lib.pass(sprintf("a %s virtual machine with its own kernel (%s)", [virt.system, concat("; ", virt_evidence.evidence)]), virt_evidence) if {
	virt.role == "vm"
} else := lib.pass("bare metal: no hypervisor or container detected", virt_evidence) if {
	virt.role == "none"
} else := lib.error(sprintf("unknown virtualization role %v", [object.get(virt, "role", null)]))

required := object.get(data.config, ["platform", "encryption_required"], null)

root := object.get(enc, "root", null)

volumes := array.concat([root | root != null], object.get(enc, "data", []))

volume_text(vol) := sprintf("%s (%s)", [vol.mount, concat(" > ", vol.layers)])

plain := [volume_text(vol) | some vol in volumes; vol.status == "ok"; vol.encrypted != true]

broken := [sprintf("%s: %s", [vol.mount, object.get(vol, "reason", "")]) | some vol in volumes; vol.status == "error"]

enc_evidence := {"source": object.get(enc, "source", ""), "volumes": [{"mount": vol.mount, "encrypted": vol.encrypted, "layers": vol.layers, "status": vol.status} | some vol in volumes], "crypttab": [e.name | some e in object.get(enc, "crypttab", [])]}

# METADATA
# title: Root and data volumes are encrypted
# description: >-
#   The root filesystem and every mounted data filesystem sit on
#   dm-crypt/LUKS (directly or under LVM or RAID), followed from the mount
#   through /sys/class/block/*/slaves to a CRYPT- device-mapper target.
#   On an image, /etc/crypttab and /etc/fstab are the evidence. /boot and
#   the EFI partition are not judged.
# custom:
#   id: ZT-PLAT-003
#   severity: info
#   remediation: >-
#     Install with LUKS ("Guided - use entire disk and set up encrypted
#     LVM" in the Debian installer), or move data to a LUKS volume
#     ("cryptsetup luksFormat", an /etc/crypttab entry, then the
#     filesystem); unlock at boot with a TPM (systemd-cryptenroll
#     --tpm2-device=auto) or Clevis/Tang. Set platform.encryption_required
#     to false where encryption is provided below the host (self-encrypting
#     or cloud-encrypted disks).
#   references:
#     - NIST SP 800-53 SC-28 (protection of information at rest), SC-28(1) (cryptographic protection)
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_plat_003 := v if {
	v := lib.missing("platform")
} else := v if {
	v := lib.config_missing(["platform.encryption_required"])
} else := lib.skip("disk encryption is declared not required (platform.encryption_required: false)") if {
	required == false
} else := v if {
	v := lib.part_missing(enc, "the disk encryption")
} else := lib.error(sprintf("disk encryption could not be read: %s", [object.get(enc, "reason", "")])) if {
	enc.status != "ok"
} else := lib.error("facts.platform.encryption has no root volume") if {
	root == null
} else := v if {
	v := lib.part_missing(root, sprintf("the root filesystem's device (%s)", [root.mount]))
} else := lib.error(concat("; ", broken)) if {
	count(broken) > 0
} else := lib.fail(sprintf("not encrypted: %s", [concat("; ", plain)]), enc_evidence) if {
	count(plain) > 0
} else := lib.pass(sprintf("configuration only: /etc/fstab mounts / from %s, and /etc/crypttab maps %s (the device stack is checked on the running host)", [root.source, concat(", ", enc_evidence.crypttab)]), enc_evidence) if {
	enc.source == "/etc/crypttab"
} else := lib.pass(sprintf("encrypted: %s", [concat("; ", [volume_text(vol) | some vol in volumes; vol.status == "ok"])]), enc_evidence)
