// Command ztscan is a compliance scanner and audit reporter for Zero Trust
// Linux servers.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// A scan is short and allocation-heavy (compiling the rules is most of
// it): collecting garbage at Go's default pace costs a fifth of its time.
// Collect less often, under a soft memory limit that keeps the peak RSS
// near 64 MB; GOGC and GOMEMLIMIT in the environment still win.
const (
	gcPercent   = 300
	memoryLimit = 44 << 20
)

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
