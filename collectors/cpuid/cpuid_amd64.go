package cpuid

import "strings"

// cpuid is implemented in cpuid_amd64.s.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func hypervisor() (string, bool) {
	_, _, ecx, _ := cpuid(1, 0)
	if ecx&(1<<31) == 0 {
		return "", false
	}
	_, b, c, d := cpuid(0x40000000, 0)
	sig := make([]byte, 0, 12)
	for _, r := range []uint32{b, c, d} {
		sig = append(sig, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	return strings.TrimRight(string(sig), "\x00"), true
}
