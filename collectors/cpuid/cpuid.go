// Package cpuid asks the processor that runs ztscan who its hypervisor
// is (CPUID leaves 0x1 and 0x40000000), as systemd-detect-virt does: a
// guest whose firmware hides the VM (no DMI strings) is still told apart
// by the hypervisor bit and vendor signature. It describes the scanning
// machine only, so callers use it for the live host alone.
package cpuid

// Hypervisor returns the vendor signature of CPUID leaf 0x40000000
// ("KVMKVMKVM", "Microsoft Hv", ...) and whether the hypervisor-present
// bit (leaf 1, ECX bit 31) is set. On other architectures both are zero.
func Hypervisor() (vendor string, present bool) { return hypervisor() }
