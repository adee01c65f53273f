package hostfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Runner runs a named command. The live host's runner executes
// allow-listed binaries; tests substitute recorded outputs.
type Runner interface {
	Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error)
}

// Allowed maps the commands collectors may run to the absolute paths they
// are looked up at, in order. Nothing is found through $PATH, and nothing
// outside this list ever runs.
var Allowed = map[string][]string{
	"sshd":                {"/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd"},
	"nft":                 {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"},
	"iptables-save":       {"/usr/sbin/iptables-save", "/sbin/iptables-save"},
	"ip6tables-save":      {"/usr/sbin/ip6tables-save", "/sbin/ip6tables-save"},
	"ip":                  {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"},
	"systemctl":           {"/usr/bin/systemctl", "/bin/systemctl"},
	"chronyc":             {"/usr/bin/chronyc", "/bin/chronyc"},
	"timedatectl":         {"/usr/bin/timedatectl", "/bin/timedatectl"},
	"wg":                  {"/usr/bin/wg", "/bin/wg"},
	"aa-status":           {"/usr/sbin/aa-status", "/sbin/aa-status"},
	"getenforce":          {"/usr/sbin/getenforce", "/sbin/getenforce"},
	"systemd-detect-virt": {"/usr/bin/systemd-detect-virt", "/bin/systemd-detect-virt"},
}

// CommandTimeout bounds one command when the caller's context has no
// earlier deadline; WaitDelay bounds how long a child's leftover
// descendants may hold its pipes open after it was killed.
const (
	CommandTimeout = 10 * time.Second
	WaitDelay      = 2 * time.Second
	maxStderr      = 64 << 10
)

type execRunner struct{}

// LookPath finds an allow-listed command's binary on this machine.
func LookPath(name string) (string, error) {
	candidates, ok := Allowed[name]
	if !ok {
		return "", fmt.Errorf("%s: %w", name, ErrNotAllowed)
	}
	for _, p := range candidates {
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w (looked in %s)", name, exec.ErrNotFound, strings.Join(candidates, ", "))
}

func (execRunner) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	bin, err := LookPath(name)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, CommandTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = WaitDelay
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.Dir = "/"
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	stdout := &cappedBuffer{limit: MaxOutput}
	stderr := &cappedBuffer{limit: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	if stdout.overflow {
		return nil, fmt.Errorf("%s: output over %d bytes", bin, MaxOutput)
	}
	if err != nil {
		if ctx.Err() != nil {
			return stdout.Bytes(), fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), ctx.Err())
		}
		return stdout.Bytes(), &CommandError{Path: bin, Args: args, Err: err, Stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.Bytes(), nil
}

// CommandError carries a failed command's standard error, which often is
// the only useful message (sshd's "line 12: Bad configuration option").
type CommandError struct {
	Path   string
	Args   []string
	Err    error
	Stderr string
}

func (e *CommandError) Error() string {
	msg := e.Path + " " + strings.Join(e.Args, " ") + ": " + e.Err.Error()
	if e.Stderr != "" {
		msg += ": " + firstLines(e.Stderr, 3)
	}
	return msg
}
func (e *CommandError) Unwrap() error { return e.Err }

// ExitCode returns the command's exit status, or -1 when it did not exit.
func (e *CommandError) ExitCode() int {
	var ee *exec.ExitError
	if errors.As(e.Err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "; ")
}

type cappedBuffer struct {
	bytes.Buffer
	limit    int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); len(p) > room {
		b.overflow = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil // keep draining so the child does not block
	}
	return b.Buffer.Write(p)
}
