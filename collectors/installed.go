package collectors

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Whether a subject (sshd, sudo, nginx, auditd, ...) is installed is
// decided from facts: the package database first, then a file the
// package ships (an image without a package database). These two lookups
// are shared by every collector that must tell "not installed" (skip)
// from "installed" (judge).

// findPackage returns the first of names that the package database lists.
func findPackage(pkgs map[string]Package, names ...string) (name string, p Package, ok bool) {
	for _, n := range names {
		if p, ok := pkgs[n]; ok {
			return n, p, true
		}
	}
	return "", Package{}, false
}

// firstRegularFile returns the first of paths that is a regular file on
// the target, "" when none is. A path that cannot be checked (other than
// not existing) is an error: "not installed" must not be a guess.
func firstRegularFile(h hostfs.Host, paths ...string) (string, error) {
	for _, p := range paths {
		fi, err := h.Stat(p)
		if err == nil && fi.IsRegular() {
			return p, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", nil
}

// packageEvidence is how facts say a package decided it.
func packageEvidence(name string, p Package) string {
	return fmt.Sprintf("package %s %s is installed", name, p.Version)
}
