package collectors

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func TestKernelBuildDefaults(t *testing.T) {
	cases := []struct {
		name   string
		config string
		want   map[string]string
	}{
		{"debian", "CONFIG_MMU=y\n# CONFIG_COMPAT_BRK is not set\nCONFIG_SECURITY_DMESG_RESTRICT=y\nCONFIG_DEFAULT_TCP_CONG=\"cubic\"\n",
			map[string]string{"kernel.dmesg_restrict": "1", "kernel.randomize_va_space": "2", "net.ipv4.tcp_congestion_control": "cubic"}},
		{"compat brk", "CONFIG_MMU=y\nCONFIG_COMPAT_BRK=y\n# CONFIG_SECURITY_DMESG_RESTRICT is not set\n",
			map[string]string{"kernel.dmesg_restrict": "0", "kernel.randomize_va_space": "1"}},
		{"silent on what it does not say", "CONFIG_FOO=y\n", map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "lib/modules/6.1.0-9-amd64"), 0o755)
			os.MkdirAll(filepath.Join(root, "boot"), 0o755)
			os.WriteFile(filepath.Join(root, "boot/config-6.1.0-9-amd64"), []byte(c.config), 0o644)
			h, err := hostfs.Rootfs(root)
			if err != nil {
				t.Fatal(err)
			}
			got, src := kernelBuildDefaults(h)
			if src != "/boot/config-6.1.0-9-amd64" {
				t.Errorf("source %q", src)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	// No kernel in the image: nothing is claimed.
	h, _ := hostfs.Rootfs(t.TempDir())
	if got, src := kernelBuildDefaults(h); got != nil || src != "" {
		t.Errorf("no kernel: %v %q", got, src)
	}
}
