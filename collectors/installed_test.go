package collectors

import (
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

func TestFindPackage(t *testing.T) {
	pkgs := map[string]Package{"sudo-ldap": {Version: "1.9"}, "sudo": {Version: "1.8"}}
	if name, p, ok := findPackage(pkgs, "sudo", "sudo-ldap"); !ok || name != "sudo" || p.Version != "1.8" {
		t.Errorf("first listed name must win: %s %v %v", name, p, ok)
	}
	if _, _, ok := findPackage(pkgs, "nginx"); ok {
		t.Error("absent package found")
	}
}

// TestFirstRegularFile: a directory or a dangling link is not the file a
// package ships; an unreadable parent is an error, not "not installed".
func TestFirstRegularFile(t *testing.T) {
	root := testenv.Tree(t, map[string]string{
		"usr/sbin/auditd/":   "",
		"usr/bin/dangling":   "->/nowhere",
		"sbin/auditd":        "ELF",
		"etc/private/thing/": "",
	})
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := firstRegularFile(h, "/usr/sbin/auditd", "/usr/bin/dangling", "/sbin/auditd"); got != "/sbin/auditd" || err != nil {
		t.Errorf("got %q %v", got, err)
	}
	if got, err := firstRegularFile(h, "/usr/bin/nope"); got != "" || err != nil {
		t.Errorf("absent: %q %v", got, err)
	}
	if _, err := firstRegularFile(h, "/sbin/auditd/x"); err == nil {
		t.Error("a path through a regular file must be an error")
	}
}
