package collectors

import (
	"context"
	"errors"
	"io/fs"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/sysctlconf"
)

// SysctlKeys are the kernel parameters the checklist judges.
var SysctlKeys = []string{
	"net.ipv4.ip_forward",
	"net.ipv6.conf.all.forwarding",
	"net.ipv4.conf.all.accept_source_route",
	"net.ipv6.conf.all.accept_source_route",
	"net.ipv4.conf.all.rp_filter",
	"net.ipv4.conf.default.rp_filter",
	"net.ipv4.conf.all.accept_redirects",
	"net.ipv6.conf.all.accept_redirects",
	"net.ipv4.conf.all.log_martians",
	"net.ipv4.tcp_syncookies",
	"kernel.kptr_restrict",
	"kernel.dmesg_restrict",
	"kernel.randomize_va_space",
	"net.ipv4.tcp_congestion_control",
	"net.ipv4.tcp_fastopen",
	"net.ipv4.conf.default.accept_source_route",
	"net.ipv4.conf.default.accept_redirects",
	"net.ipv4.conf.all.send_redirects",
	"fs.protected_hardlinks",
	"fs.protected_symlinks",
	"kernel.yama.ptrace_scope",
	"kernel.unprivileged_bpf_disabled",
	"net.core.bpf_jit_harden",
	"fs.suid_dumpable",
}

// kernelDefaults are values every kernel build starts with, used for an
// offline root whose configuration does not set the key. Keys whose
// default depends on the build (dmesg_restrict, randomize_va_space,
// tcp_congestion_control, ...) are deliberately absent.
var kernelDefaults = map[string]string{
	// net/ipv4/devinet.c: ipv4_devconf leaves FORWARDING at 0.
	"net.ipv4.ip_forward": "0",
	// net/ipv6/addrconf.c: ipv6_devconf.forwarding = 0.
	"net.ipv6.conf.all.forwarding": "0",
	// net/ipv4/devinet.c: ipv4_devconf leaves ACCEPT_SOURCE_ROUTE at 0
	// (only ipv4_devconf_dflt, the "default" entry, sets it to 1).
	"net.ipv4.conf.all.accept_source_route": "0",
	// net/ipv6/addrconf.c: ipv6_devconf.accept_source_route = 0.
	"net.ipv6.conf.all.accept_source_route": "0",
	// net/ipv4/devinet.c: neither ipv4_devconf nor ipv4_devconf_dflt sets RP_FILTER.
	"net.ipv4.conf.all.rp_filter":     "0",
	"net.ipv4.conf.default.rp_filter": "0",
	// net/ipv4/devinet.c: ipv4_devconf sets ACCEPT_REDIRECTS to 1.
	"net.ipv4.conf.all.accept_redirects": "1",
	// net/ipv6/addrconf.c: ipv6_devconf.accept_redirects = 1.
	"net.ipv6.conf.all.accept_redirects": "1",
	// net/ipv4/devinet.c: ipv4_devconf leaves LOG_MARTIANS at 0.
	"net.ipv4.conf.all.log_martians": "0",
	// net/ipv4/tcp_ipv4.c: tcp_sk_init sets sysctl_tcp_syncookies = 1.
	"net.ipv4.tcp_syncookies": "1",
	// lib/vsprintf.c: int kptr_restrict is zero-initialised.
	"kernel.kptr_restrict": "0",
	// net/ipv4/tcp_ipv4.c: tcp_sk_init sets sysctl_tcp_fastopen = TFO_CLIENT_ENABLE (1).
	"net.ipv4.tcp_fastopen": "1",
}

// SysctlFacts are the runtime, persisted and effective values of SysctlKeys.
type SysctlFacts struct {
	Runtime   SysctlRuntime              `json:"runtime"`
	Persisted SysctlPersisted            `json:"persisted"`
	Effective map[string]EffectiveSysctl `json:"effective"`
	// KernelConfig is the offline root's kernel build config that supplied
	// build-dependent defaults, when there is one.
	KernelConfig string `json:"kernel_config,omitempty"`
}

// SysctlRuntime is what the running kernel reports under /proc/sys.
// Values are printed as "sysctl -n" prints them: the file's content
// without its final newline (multi-number values keep their tabs).
type SysctlRuntime struct {
	Part
	Values map[string]string `json:"values"`
	// Missing lists keys the running kernel does not have.
	Missing []string `json:"missing"`
	// Errors holds keys that exist but could not be read (some are
	// root-only), with the reason.
	Errors map[string]string `json:"errors,omitempty"`
}

// SysctlPersisted is what the boot-time configuration sets.
type SysctlPersisted struct {
	Part
	Values map[string]sysctlconf.Setting `json:"values"`
	Files  []string                      `json:"files"`
	Errors []sysctlconf.FileError        `json:"errors"`
}

// EffectiveSysctl is the value rules judge and where it comes from:
// "runtime", "persisted", "kernel-default" (the same in every build) or
// "kernel-config" (from the image's /boot/config-<release>).
type EffectiveSysctl struct {
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Sysctl collects SysctlFacts.
type Sysctl struct{}

// NewSysctl returns the "sysctl" collector.
func NewSysctl() *Sysctl { return &Sysctl{} }

// Name is the facts key.
func (*Sysctl) Name() string { return "sysctl" }

// Collect reads the runtime values (live host only) and the persisted
// configuration (both kinds) and derives the effective values.
func (*Sysctl) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	out := SysctlFacts{Persisted: persistedSysctl(h)}
	if h.Kind() == hostfs.KindRootfs {
		out.Runtime = SysctlRuntime{Part: PartUnavailable("offline root: no running kernel"), Values: map[string]string{}, Missing: []string{}}
	} else {
		out.Runtime = runtimeSysctl(h)
	}
	var build map[string]string
	if h.Kind() == hostfs.KindRootfs {
		build, out.KernelConfig = kernelBuildDefaults(h)
	}
	out.Effective = effectiveSysctl(h.Kind(), out.Runtime, out.Persisted, build)
	return out, nil
}

func runtimeSysctl(h hostfs.Host) SysctlRuntime {
	rt := SysctlRuntime{Values: map[string]string{}, Missing: []string{}}
	if _, err := h.Stat("/proc/sys"); err != nil {
		rt.Part = PartError(err)
		return rt
	}
	rt.Part = PartOK()
	for _, key := range SysctlKeys {
		file := "/proc/sys/" + sysctlconf.SlashKey(key)
		data, err := h.ReadFileLimit(file, 64<<10)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rt.Missing = append(rt.Missing, key)
		case err != nil:
			if rt.Errors == nil {
				rt.Errors = map[string]string{}
			}
			rt.Errors[key] = err.Error()
		default:
			rt.Values[key] = strings.TrimRight(string(data), "\n")
		}
	}
	sort.Strings(rt.Missing)
	return rt
}

func persistedSysctl(h hostfs.Host) SysctlPersisted {
	res := sysctlconf.Load(h, SysctlKeys)
	p := SysctlPersisted{Part: PartOK(), Values: res.Values, Files: res.Files, Errors: res.Errors}
	if p.Files == nil {
		p.Files = []string{}
	}
	if p.Errors == nil {
		p.Errors = []sysctlconf.FileError{}
	}
	if res.Incomplete {
		p.Part = Part{Status: "error", Reason: "some configuration could not be read (see errors): persisted values may be incomplete"}
	}
	return p
}

// effectiveSysctl is the runtime value on a live host (what the kernel
// does now); on an offline root, the persisted value, else the kernel's
// build-independent default, else nothing.
//
// The defaults that depend on the kernel build come from the image's own
// kernel config when it ships one (source "kernel-config").
func effectiveSysctl(kind hostfs.Kind, rt SysctlRuntime, p SysctlPersisted, build map[string]string) map[string]EffectiveSysctl {
	out := map[string]EffectiveSysctl{}
	for _, key := range SysctlKeys {
		if kind != hostfs.KindRootfs {
			if v, ok := rt.Values[key]; ok {
				out[key] = EffectiveSysctl{Value: v, Source: "runtime"}
			}
			continue
		}
		if s, ok := p.Values[key]; ok {
			out[key] = EffectiveSysctl{Value: s.Value, Source: "persisted"}
		} else if v, ok := kernelDefaults[key]; ok {
			out[key] = EffectiveSysctl{Value: v, Source: "kernel-default"}
		} else if v, ok := build[key]; ok {
			out[key] = EffectiveSysctl{Value: v, Source: "kernel-config"}
		}
	}
	return out
}
