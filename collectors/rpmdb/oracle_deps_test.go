package rpmdb

// go-rpmdb is not used by ztscan (see docs/dependencies.md), but its
// repository carries real CentOS rpm databases with their `rpm -qa`
// output, which TestBerkeleyDBRealDatabases reads as an oracle. The blank
// import keeps the module in go.mod so that `go list -m` finds its source
// on every machine, CI included.
import _ "github.com/knqyf263/go-rpmdb/pkg"
