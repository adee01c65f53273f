package collectors

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// kernelBuildDefaults derives the sysctl defaults that depend on how the
// kernel was built from that kernel's config (/boot/config-<release>, as
// Debian and RHEL ship it). On an offline root this turns "unknown" into
// the value the image will actually boot with. Each entry cites the kernel
// source that sets the default.
func kernelBuildDefaults(h hostfs.Host) (values map[string]string, source string) {
	k := installedKernel(h)
	if k.Status != "ok" {
		return nil, ""
	}
	file := "/boot/config-" + k.Release
	data, err := h.ReadFile(file)
	if err != nil {
		return nil, ""
	}
	cfg := parseKconfig(data)
	values = map[string]string{}
	// security/Kconfig: SECURITY_DMESG_RESTRICT sets dmesg_restrict's
	// initial value (kernel/printk/printk.c).
	if v, ok := cfg["CONFIG_SECURITY_DMESG_RESTRICT"]; ok {
		values["kernel.dmesg_restrict"] = boolDefault(v)
	}
	// mm/memory.c: randomize_va_space = IS_ENABLED(CONFIG_COMPAT_BRK) ? 1 : 2.
	if cfg["CONFIG_COMPAT_BRK"] == "y" {
		values["kernel.randomize_va_space"] = "1"
	} else if _, hasMM := cfg["CONFIG_MMU"]; hasMM {
		values["kernel.randomize_va_space"] = "2"
	}
	// net/ipv4/Kconfig: DEFAULT_TCP_CONG names the initial congestion control.
	if v, ok := cfg["CONFIG_DEFAULT_TCP_CONG"]; ok {
		values["net.ipv4.tcp_congestion_control"] = strings.Trim(v, `"`)
	}
	return values, file
}

func boolDefault(v string) string {
	if v == "y" {
		return "1"
	}
	return "0"
}

// parseKconfig reads CONFIG_X=value lines; "# CONFIG_X is not set" lines
// are recorded as "n".
func parseKconfig(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if name, ok := strings.CutPrefix(line, "# "); ok {
			if n, ok := strings.CutSuffix(name, " is not set"); ok && strings.HasPrefix(n, "CONFIG_") {
				out[n] = "n"
			}
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "CONFIG_") {
			out[k] = v
		}
	}
	return out
}
