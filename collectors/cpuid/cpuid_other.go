//go:build !amd64

package cpuid

func hypervisor() (string, bool) { return "", false }
