package collectors

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// PlatformFacts describe what the target runs on: the CPU and its
// crypto acceleration, the virtualization around it, and whether its
// root and data filesystems sit on dm-crypt.
type PlatformFacts struct {
	CPU            CPUFacts        `json:"cpu"`
	Virtualization VirtFacts       `json:"virtualization"`
	Encryption     EncryptionFacts `json:"encryption"`
}

// CPUFacts come from /proc/cpuinfo of a running system (an image does
// not know the CPU it will run on).
type CPUFacts struct {
	Part
	Vendor string `json:"vendor,omitempty"`
	Model  string `json:"model,omitempty"`
	// Family and ModelNumber are x86's "cpu family" and "model".
	Family      string `json:"family,omitempty"`
	ModelNumber string `json:"model_number,omitempty"`
	// LogicalCPUs counts "processor" entries.
	LogicalCPUs int `json:"logical_cpus"`
	// Flags are the crypto and vector features ztscan looks at that the
	// first CPU has (x86 "flags", ARM "Features"), sorted.
	Flags []string `json:"flags"`
	// AES: the CPU has AES instructions (x86 AES-NI "aes", ARMv8 "aes").
	AES bool `json:"aes"`
}

// cpuFlagsOfInterest are reported when present.
var cpuFlagsOfInterest = map[string]bool{
	"aes": true, "vaes": true, "pclmulqdq": true, "pmull": true, "avx": true, "avx2": true, "avx512f": true,
	"rdrand": true, "rdseed": true, "sha_ni": true, "sha1": true, "sha2": true, "sha3": true, "sha512": true,
	"hypervisor": true, "rng": true,
}

// Platform collects PlatformFacts.
type Platform struct {
	// cpuid returns the hypervisor vendor of the scanning CPU; nil in
	// tests, whose fixtures are not the machine running them.
	cpuid func() (string, bool)
}

// NewPlatform returns the "platform" collector.
func NewPlatform() *Platform { return &Platform{cpuid: liveHypervisorCPUID} }

// Name is the facts key.
func (*Platform) Name() string { return "platform" }

// Collect gathers PlatformFacts; each piece carries its own status.
func (c *Platform) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	if h.Kind() == hostfs.KindRootfs {
		return PlatformFacts{
			CPU:            CPUFacts{Part: PartUnavailable("offline root: the image does not know the CPU it will run on"), Flags: []string{}},
			Virtualization: VirtFacts{Part: PartUnavailable("offline root: virtualization is a property of a running system"), Evidence: []string{}},
			Encryption:     configuredEncryption(h),
		}, nil
	}
	var cpuid func() (string, bool)
	if h.Root() == "/" {
		cpuid = c.cpuid
	}
	return PlatformFacts{
		CPU:            readCPUInfo(h),
		Virtualization: detectVirt(h, cpuid),
		Encryption:     mountedEncryption(h),
	}, nil
}

func readCPUInfo(h hostfs.Host) CPUFacts {
	data, err := h.ReadFileLimit("/proc/cpuinfo", 16<<20)
	if err != nil {
		return CPUFacts{Part: PartError(fmt.Errorf("/proc/cpuinfo: %w", err)), Flags: []string{}}
	}
	c := CPUFacts{Flags: []string{}}
	first := true
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			if strings.TrimSpace(line) == "" && c.LogicalCPUs > 0 {
				first = false
			}
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "processor" {
			if _, err := strconv.Atoi(v); err == nil {
				c.LogicalCPUs++
			}
			continue
		}
		if !first {
			continue
		}
		switch k {
		case "vendor_id", "CPU implementer":
			if c.Vendor == "" {
				c.Vendor = v
			}
		case "model name", "Hardware":
			if c.Model == "" {
				c.Model = v
			}
		case "cpu family":
			c.Family = v
		case "model":
			c.ModelNumber = v
		case "flags", "Features":
			for _, f := range strings.Fields(v) {
				if cpuFlagsOfInterest[f] {
					c.Flags = append(c.Flags, f)
				}
				if f == "aes" {
					c.AES = true
				}
			}
		}
	}
	if c.LogicalCPUs == 0 {
		return CPUFacts{Part: PartError(fmt.Errorf("/proc/cpuinfo: no processor entries")), Flags: []string{}}
	}
	sort.Strings(c.Flags)
	c.Part = PartOK()
	return c
}
