package systemd

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const svc = "[Unit]\nDescription=%s\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n"

func unitText(desc string) string { return strings.Replace(svc, "%s", desc, 1) }

// resolutionRoot holds every case the resolver must get right; the
// expected values were checked by hand against systemd 252's rules and,
// where it works offline, against systemctl --root / systemd-analyze.
var resolutionRoot = map[string]string{
	// override in /etc masks /usr/lib
	"usr/lib/systemd/system/over.service": unitText("vendor"),
	"etc/systemd/system/over.service":     unitText("admin"),
	// drop-ins: /etc hides /usr/lib's file of the same name; resets
	"usr/lib/systemd/system/drop.service":                     "[Service]\nExecStart=/bin/a\nCapabilityBoundingSet=CAP_NET_ADMIN\nNoNewPrivileges=no\n[Install]\nWantedBy=multi-user.target\n",
	"usr/lib/systemd/system/drop.service.d/10-vendor.conf":    "[Service]\nProtectSystem=full\nPrivateTmp=yes\n",
	"usr/lib/systemd/system/drop.service.d/20-hidden.conf":    "[Service]\nProtectHome=no\n",
	"etc/systemd/system/drop.service.d/20-hidden.conf":        "[Service]\nProtectHome=yes\n",
	"etc/systemd/system/drop.service.d/30-reset.conf":         "[Service]\nExecStart=\nExecStart=/bin/b\nCapabilityBoundingSet=\nNoNewPrivileges=yes\nPrivateTmp=\n",
	"run/systemd/system/drop.service.d/05-runtime.conf":       "[Service]\nUser=nobody\n",
	"etc/systemd/system/multi-user.target.wants/drop.service": "->/usr/lib/systemd/system/drop.service",
	"etc/systemd/system/service.d/00-top.conf":                "[Service]\nTimeoutSec=5\n",
	// masked unit
	"usr/lib/systemd/system/masked.service":  unitText("masked"),
	"etc/systemd/system/masked.service":      "->/dev/null",
	"usr/lib/systemd/system/runmask.service": unitText("runtime mask"),
	"run/systemd/system/runmask.service":     "->/dev/null",
	// instance units
	"usr/lib/systemd/system/getty@.service":                    "[Service]\nExecStart=/sbin/agetty %I\n[Install]\nWantedBy=getty.target\n",
	"usr/lib/systemd/system/getty@.service.d/10-t.conf":        "[Service]\nTTYReset=yes\n",
	"etc/systemd/system/getty@tty2.service.d/20-i.conf":        "[Service]\nTTYReset=no\n",
	"etc/systemd/system/getty.target.wants/getty@tty1.service": "->/usr/lib/systemd/system/getty@.service",
	// aliases
	"usr/lib/systemd/system/real.service":        "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=nick.service\n",
	"etc/systemd/system/nick.service":            "->/usr/lib/systemd/system/real.service",
	"usr/lib/systemd/system/vendoralias.service": "->real.service",
	// static, disabled, indirect, prefix drop-in
	"usr/lib/systemd/system/static.service":    "[Service]\nExecStart=/bin/true\n",
	"usr/lib/systemd/system/disabled.service":  unitText("disabled"),
	"usr/lib/systemd/system/also.service":      "[Service]\nExecStart=/bin/true\n[Install]\nAlso=disabled.service\n",
	"usr/lib/systemd/system/a-b-c.service":     "[Service]\nExecStart=/bin/true\n",
	"etc/systemd/system/a-.service.d/x.conf":   "[Service]\nNice=5\n",
	"etc/systemd/system/a-b-.service.d/y.conf": "[Service]\nNice=7\n",
	// link loops
	"etc/systemd/system/multi-user.target.wants/loop1.service": "->loop2.service",
	"etc/systemd/system/multi-user.target.wants/loop2.service": "->loop1.service",
	"usr/lib/systemd/system/loopy.service":                     "->loopy2.service",
	"usr/lib/systemd/system/loopy2.service":                    "->loopy.service",
	// garbage
	"usr/lib/systemd/system/nul.service":       "[Service]\nExecStart=/bin/true\x00\n",
	"usr/lib/systemd/system/empty.service":     "",
	"usr/lib/systemd/system/nosection.service": "ExecStart=/bin/true\n",
}

type want struct {
	State, Path, ID, Template, Instance, MaskedBy, EnabledHow, Error string
	Enabled, Masked                                                  bool
	DropIns                                                          []string
}

func TestResolution(t *testing.T) {
	root := tree(t, resolutionRoot)
	u := load(t, root)
	tests := map[string]want{
		"over.service": {State: "disabled", Path: "/etc/systemd/system/over.service", ID: "over.service"},
		"drop.service": {State: "enabled", Path: "/usr/lib/systemd/system/drop.service", ID: "drop.service", Enabled: true, EnabledHow: "wants link",
			DropIns: []string{"/etc/systemd/system/service.d/00-top.conf", "/run/systemd/system/drop.service.d/05-runtime.conf", "/usr/lib/systemd/system/drop.service.d/10-vendor.conf", "/etc/systemd/system/drop.service.d/20-hidden.conf", "/etc/systemd/system/drop.service.d/30-reset.conf"}},
		"masked.service":     {State: "masked", ID: "masked.service", Masked: true, MaskedBy: "/etc/systemd/system/masked.service"},
		"runmask.service":    {State: "masked-runtime", ID: "runmask.service", Masked: true, MaskedBy: "/run/systemd/system/runmask.service"},
		"getty@tty1.service": {State: "enabled", Enabled: true, EnabledHow: "wants link", ID: "getty@tty1.service", Path: "/usr/lib/systemd/system/getty@.service", Template: "getty@.service", Instance: "tty1", DropIns: []string{"/usr/lib/systemd/system/getty@.service.d/10-t.conf"}},
		"getty@tty2.service": {State: "disabled", ID: "getty@tty2.service", Path: "/usr/lib/systemd/system/getty@.service", Template: "getty@.service", Instance: "tty2", DropIns: []string{"/usr/lib/systemd/system/getty@.service.d/10-t.conf", "/etc/systemd/system/getty@tty2.service.d/20-i.conf"}},
		"real.service":       {State: "enabled", Enabled: true, EnabledHow: "alias", ID: "real.service", Path: "/usr/lib/systemd/system/real.service"},
		"nick.service":       {State: "alias", Enabled: true, EnabledHow: "alias", ID: "real.service", Path: "/usr/lib/systemd/system/real.service"},
		"static.service":     {State: "static", ID: "static.service", Path: "/usr/lib/systemd/system/static.service"},
		"disabled.service":   {State: "disabled", ID: "disabled.service", Path: "/usr/lib/systemd/system/disabled.service"},
		"also.service":       {State: "indirect", ID: "also.service", Path: "/usr/lib/systemd/system/also.service"},
		"a-b-c.service":      {State: "static", ID: "a-b-c.service", Path: "/usr/lib/systemd/system/a-b-c.service", DropIns: []string{"/etc/systemd/system/a-.service.d/x.conf", "/etc/systemd/system/a-b-.service.d/y.conf"}},
		"loopy.service":      {State: "bad", ID: "loopy.service", Error: "/usr/lib/systemd/system/loopy.service: too many levels of symbolic links"},
		"nul.service":        {State: "bad", ID: "nul.service", Path: "/usr/lib/systemd/system/nul.service", Error: "/usr/lib/systemd/system/nul.service:2: NUL byte: not a unit file"},
		"empty.service":      {State: "masked", ID: "empty.service", Masked: true, MaskedBy: "/usr/lib/systemd/system/empty.service"},
		"nosection.service":  {State: "bad", ID: "nosection.service", Path: "/usr/lib/systemd/system/nosection.service", Error: `/usr/lib/systemd/system/nosection.service:1: assignment "ExecStart" outside of any section`},
	}
	for name, w := range tests {
		if w.Path != "" && w.Error == "" && !strings.Contains(strings.Join(w.DropIns, " "), "00-top") {
			// the top-level service.d drop-in applies to every service
			w.DropIns = append([]string{"/etc/systemd/system/service.d/00-top.conf"}, w.DropIns...)
		}
		t.Run(name, func(t *testing.T) {
			un, ok := u.Unit(name)
			if !ok {
				t.Fatalf("unit not found")
			}
			got := want{State: un.State, Path: un.Path, ID: un.ID, Template: un.Template, Instance: un.Instance, MaskedBy: un.MaskedBy,
				EnabledHow: un.EnabledHow, Error: un.Error, Enabled: un.Enabled, Masked: un.Masked, DropIns: un.DropIns}
			if len(got.DropIns) == 0 {
				got.DropIns = nil
			}
			if d := cmp.Diff(w, got); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
		})
	}
	if _, ok := u.Unit("nothere.service"); ok {
		t.Error("nothere.service found")
	}
	if _, ok := u.Unit("nothere@x.service"); ok {
		t.Error("nothere@x.service found")
	}
	// the wants loop is reported, and still enables its names as systemctl does
	var loopProblem bool
	for _, p := range u.Problems() {
		if strings.Contains(p.Path, "loop1.service") && strings.Contains(p.Error, "too many levels") {
			loopProblem = true
		}
	}
	if !loopProblem {
		t.Errorf("the wants link loop is not reported: %v", u.Problems())
	}
}

func TestDirectives(t *testing.T) {
	u := load(t, tree(t, resolutionRoot))
	un, _ := u.Unit("drop.service")
	for _, c := range []struct {
		key, value, file string
		line             int
		ok               bool
	}{
		{"ExecStart", "/bin/b", "/etc/systemd/system/drop.service.d/30-reset.conf", 3, true},
		{"NoNewPrivileges", "yes", "/etc/systemd/system/drop.service.d/30-reset.conf", 5, true},
		{"ProtectSystem", "full", "/usr/lib/systemd/system/drop.service.d/10-vendor.conf", 2, true},
		{"ProtectHome", "yes", "/etc/systemd/system/drop.service.d/20-hidden.conf", 2, true},
		{"PrivateTmp", "", "", 0, false},
		{"CapabilityBoundingSet", "", "", 0, false},
		{"User", "nobody", "/run/systemd/system/drop.service.d/05-runtime.conf", 2, true},
		{"TimeoutSec", "5", "/etc/systemd/system/service.d/00-top.conf", 2, true},
	} {
		v, f, l, ok := un.Get("Service", c.key)
		if v != c.value || f != c.file || l != c.line || ok != c.ok {
			t.Errorf("Get(%s) = %q %s:%d %v, want %q %s:%d %v", c.key, v, f, l, ok, c.value, c.file, c.line, c.ok)
		}
	}
	if f, l, ok := un.LastReset("Service", "CapabilityBoundingSet"); !ok || f != "/etc/systemd/system/drop.service.d/30-reset.conf" || l != 4 {
		t.Errorf("LastReset(CapabilityBoundingSet) = %s:%d %v", f, l, ok)
	}
	if _, _, ok := un.LastReset("Service", "User"); ok {
		t.Error("LastReset(User) reports a reset that never happened")
	}
	if n := len(un.Values("Service", "ExecStart")); n != 1 {
		t.Errorf("ExecStart has %d values after the reset, want 1", n)
	}
	g2, _ := u.Unit("getty@tty2.service")
	if v, _, _, _ := g2.Get("Service", "TTYReset"); v != "no" {
		t.Errorf("instance drop-in does not override the template's: TTYReset=%q", v)
	}
	abc, _ := u.Unit("a-b-c.service")
	if v, _, _, _ := abc.Get("Service", "Nice"); v != "7" {
		t.Errorf("longer prefix drop-in does not win: Nice=%q", v)
	}
}

// TestAgainstSystemctl compares the enablement state and the files read
// with systemd's own offline tools on the same root.
func TestAgainstSystemctl(t *testing.T) {
	systemctl := requireTool(t, "systemctl")
	analyze := requireTool(t, "systemd-analyze")
	root := tree(t, resolutionRoot)
	u := load(t, root)
	for _, name := range []string{"over.service", "drop.service", "masked.service", "real.service", "nick.service", "static.service", "disabled.service", "also.service", "getty@tty1.service", "a-b-c.service", "runmask.service"} {
		un, _ := u.Unit(name)
		out, _ := exec.Command(systemctl, "--root="+root, "is-enabled", name).Output()
		if got := strings.TrimSpace(string(out)); got != un.State {
			t.Errorf("%s: systemctl is-enabled says %q, ztscan %q", name, got, un.State)
		}
	}
	// cat-config lists the fragment and the drop-ins of the unit's own
	// name (no template, prefix or type drop-ins), in order.
	for _, name := range []string{"over.service", "drop.service", "disabled.service"} {
		out, err := exec.Command(analyze, "--root="+root, "cat-config", "systemd/system/"+name).Output()
		if err != nil {
			t.Fatalf("systemd-analyze cat-config %s: %v", name, err)
		}
		var files []string
		for _, l := range strings.Split(string(out), "\n") {
			if p, ok := strings.CutPrefix(l, "# "+root); ok {
				files = append(files, p)
			}
		}
		un, _ := u.Unit(name)
		var ours []string
		if un.Path != "" {
			ours = append(ours, un.Path)
		}
		for _, d := range un.DropIns {
			if strings.Contains(d, "/"+name+".d/") {
				ours = append(ours, d)
			}
		}
		if d := cmp.Diff(files, ours); d != "" {
			t.Errorf("%s: -systemd-analyze +ztscan:\n%s", name, d)
		}
	}
}
