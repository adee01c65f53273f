// Package version holds the build's version, set with
// -ldflags "-X github.com/ztscan/ztscan/internal/version.Version=v1.2.3".
package version

import "runtime/debug"

// Version is the release this binary was built from.
var Version = "dev"

// String returns Version, or the module version when built with
// `go install module@version`.
func String() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return Version
}
