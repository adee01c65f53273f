package cpuid

import (
	"os"
	"strings"
	"testing"
)

// TestHypervisorMatchesCpuinfo: the hypervisor bit is the "hypervisor"
// flag the kernel shows in /proc/cpuinfo.
func TestHypervisorMatchesCpuinfo(t *testing.T) {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	flagged := false
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
			flagged = strings.Contains(" "+v+" ", " hypervisor ")
			break
		}
	}
	vendor, present := Hypervisor()
	if present != flagged {
		t.Errorf("cpuid hypervisor bit %v, /proc/cpuinfo flag %v", present, flagged)
	}
	if present && strings.ContainsFunc(vendor, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		t.Errorf("vendor %q has unprintable bytes", vendor)
	}
	t.Logf("hypervisor %v, vendor %q", present, vendor)
}
