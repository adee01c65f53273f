package sysctlconf

import (
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		in   string
		want Line
		ok   bool
		err  string
	}{
		{"", Line{}, false, ""},
		{"  # comment", Line{}, false, ""},
		{"; comment", Line{}, false, ""},
		{"net.ipv4.ip_forward = 1", Line{Key: "net/ipv4/ip_forward", Value: "1", HasValue: true}, true, ""},
		{"net.ipv4.ip_forward=0", Line{Key: "net/ipv4/ip_forward", Value: "0", HasValue: true}, true, ""},
		{"\tkernel.printk = 4 4 1 7 ", Line{Key: "kernel/printk", Value: "4 4 1 7", HasValue: true}, true, ""},
		{"-net.ipv4.conf.all.rp_filter = 1", Line{Key: "net/ipv4/conf/all/rp_filter", Value: "1", HasValue: true, IgnoreFailure: true}, true, ""},
		{"-net.ipv4.conf.all.rp_filter", Line{Key: "net/ipv4/conf/all/rp_filter"}, true, ""},
		{"net/ipv4/conf/eth0.100/rp_filter = 2", Line{Key: "net/ipv4/conf/eth0.100/rp_filter", Value: "2", HasValue: true}, true, ""},
		{"net.ipv4.conf.eth0/100.rp_filter = 2", Line{Key: "net/ipv4/conf/eth0.100/rp_filter", Value: "2", HasValue: true}, true, ""},
		{"/net//ipv4/ip_forward = 1", Line{Key: "net/ipv4/ip_forward", Value: "1", HasValue: true}, true, ""},
		{"kernel.domainname =", Line{Key: "kernel/domainname", Value: "", HasValue: true}, true, ""},
		{"a = b = c", Line{Key: "a", Value: "b = c", HasValue: true}, true, ""},
		{"net.ipv4.ip_forward", Line{}, false, "not an assignment"},
		{"= 1", Line{}, false, "empty key"},
		{"-", Line{}, false, "empty key"},
		{"net ipv4 = 1", Line{}, false, "invalid key"},
		{"k\x01y = 1", Line{}, false, "invalid key"},
	}
	for _, tc := range tests {
		got, ok, err := ParseLine(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("%q: got %+v ok=%v err=%v, want %+v ok=%v", tc.in, got, ok, err, tc.want, tc.ok)
		}
	}
}

func TestKeyForms(t *testing.T) {
	if got := SlashKey("net.ipv4.conf.all.rp_filter"); got != "net/ipv4/conf/all/rp_filter" {
		t.Error(got)
	}
	if got := DottedKey("net/ipv4/conf/eth0.100/rp_filter"); got != "net.ipv4.conf.eth0/100.rp_filter" {
		t.Error(got)
	}
}

func TestResolveKey(t *testing.T) {
	var opts []option
	add := func(line, file string, n int) {
		l, ok, err := ParseLine(line)
		if err != nil || !ok {
			t.Fatalf("%q: %v", line, err)
		}
		opts = addOption(opts, option{Line: l, file: file, line: n})
	}
	add("net.ipv4.conf.*.rp_filter = 2", "a", 1)
	add("-net.ipv4.conf.all.rp_filter", "a", 2)
	add("net.ipv4.conf.default.rp_filter = 1", "a", 3)
	add("net.ipv4.conf.*.rp_filter = 0", "b", 1)
	add("x.y = 1", "b", 2)
	add("x.y = 1", "c", 9) // same value: keeps b:2
	add("z = 1", "b", 3)
	add("-z", "c", 1) // exclusion cancels the concrete assignment
	check := func(key, value, file string, line int, set bool) {
		t.Helper()
		s, ok := resolveKey(opts, SlashKey(key))
		if ok != set || (set && (s.Value != value || s.File != file || s.Line != line)) {
			t.Errorf("%s = %+v (set %v), want %s %s:%d (set %v)", key, s, ok, value, file, line, set)
		}
	}
	check("net.ipv4.conf.all.rp_filter", "", "", 0, false)
	check("net.ipv4.conf.default.rp_filter", "1", "a", 3, true)
	check("net.ipv4.conf.eth0.rp_filter", "0", "b", 1, true)
	check("x.y", "1", "b", 2, true)
	check("z", "", "", 0, false)
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"net.ipv4.ip_forward = 1", "-net.ipv4.conf.*.rp_filter", "a/b.c=d", "# x", "\x00\xff=\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, ok, err := ParseLine(s)
		if err != nil || !ok {
			return
		}
		if l.Key == "" || strings.ContainsAny(l.Key, " \t\n\x00") || strings.HasPrefix(l.Key, "/") {
			t.Fatalf("bad key %q from %q", l.Key, s)
		}
		if strings.Contains(l.Key, "//") || strings.HasSuffix(l.Key, "/") {
			t.Fatalf("empty component in %q from %q", l.Key, s)
		}
		if !l.HasValue && l.Value != "" {
			t.Fatalf("value without '=' from %q", s)
		}
	})
}
