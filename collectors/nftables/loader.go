package nftables

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// ScannerTools are the binaries of the scanning machine (never of the
// image) that Loader runs, by absolute path: nft to parse a ruleset, ip to
// give it a network namespace of its own. This list is separate from
// hostfs.Allowed on purpose: an offline root has no command runner at all,
// and this is the one place a rootfs scan runs a program, always the
// scanner's own, always on text on standard input.
var ScannerTools = map[string][]string{
	"nft": {"/usr/sbin/nft", "/sbin/nft"},
	"ip":  {"/usr/sbin/ip", "/sbin/ip", "/bin/ip"},
}

// ErrUnavailable says the scanning machine cannot parse a ruleset: no nft,
// no ip, or no privilege to create a network namespace. Callers report the
// facts as unavailable, never guess.
var ErrUnavailable = errors.New("the scanning machine cannot load an nftables ruleset")

// RefusedError is nft refusing a ruleset, with its message located in the
// files the text came from.
type RefusedError struct{ Msg string }

func (e *RefusedError) Error() string { return "nft refuses the ruleset: " + e.Msg }

// Loader turns ruleset text into `nft -j list ruleset` JSON with the
// scanning machine's nft, inside a fresh, empty, throwaway network
// namespace: loading a ruleset changes the firewall of the namespace it
// runs in, so never the scanner's own.
type Loader struct {
	runner hostfs.Runner
	tool   func(name string) (string, error)
}

// NewLoader returns a Loader of the scanning machine's ScannerTools.
func NewLoader() *Loader {
	return &Loader{runner: hostfs.NewRunner(ScannerTools), tool: scannerTool}
}

var nsCounter atomic.Uint64

// JSON loads text (with no include left: see Flatten) and lists it back.
// The text goes to nft on standard input only.
func (l *Loader) JSON(ctx context.Context, f *Flattened) ([]byte, error) {
	if includeWord.Match(f.Text) {
		for i, line := range strings.Split(string(f.Text), "\n") {
			if includeWord.MatchString(codeOf(line)) {
				return nil, fmt.Errorf("%s: include left in the flattened text: refused", f.Where(i+1))
			}
		}
	}
	nft, err := l.tool("nft")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if _, err := l.tool("ip"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	ns := fmt.Sprintf("ztscan-nft-%d-%d", os.Getpid(), nsCounter.Add(1))
	if _, err := l.runner.Run(ctx, nil, "ip", "netns", "add", ns); err != nil {
		return nil, fmt.Errorf("%w: creating a network namespace: %v", ErrUnavailable, err)
	}
	defer func() {
		// The namespace goes even when ctx has expired.
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = l.runner.Run(dctx, nil, "ip", "netns", "delete", ns)
	}()
	if _, err := l.runner.Run(ctx, f.Text, "ip", "netns", "exec", ns, nft, "-f", "-"); err != nil {
		var ce *hostfs.CommandError
		if errors.As(err, &ce) && ce.Stderr != "" {
			return nil, &RefusedError{Msg: f.Locate(ce.Stderr)}
		}
		return nil, fmt.Errorf("nft -f -: %w", err)
	}
	out, err := l.runner.Run(ctx, nil, "ip", "netns", "exec", ns, nft, "-j", "list", "ruleset")
	if err != nil {
		return nil, fmt.Errorf("nft -j list ruleset: %w", err)
	}
	return out, nil
}

// scannerTool finds a ScannerTools binary of the scanning machine.
func scannerTool(name string) (string, error) {
	for _, p := range ScannerTools[name] {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on the scanning machine (looked in %s)", name, strings.Join(ScannerTools[name], ", "))
}
