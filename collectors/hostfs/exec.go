package hostfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
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
	"sshd":                  {"/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd"},
	"nft":                   {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"},
	"iptables-save":         {"/usr/sbin/iptables-save", "/sbin/iptables-save"},
	"ip6tables-save":        {"/usr/sbin/ip6tables-save", "/sbin/ip6tables-save"},
	"iptables-legacy-save":  {"/usr/sbin/iptables-legacy-save", "/sbin/iptables-legacy-save"},
	"ip6tables-legacy-save": {"/usr/sbin/ip6tables-legacy-save", "/sbin/ip6tables-legacy-save"},
	"ip":                    {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"},
	"systemctl":             {"/usr/bin/systemctl", "/bin/systemctl"},
	"chronyc":               {"/usr/bin/chronyc", "/bin/chronyc"},
	"timedatectl":           {"/usr/bin/timedatectl", "/bin/timedatectl"},
	"wg":                    {"/usr/bin/wg", "/bin/wg"},
	"aa-status":             {"/usr/sbin/aa-status", "/sbin/aa-status"},
	"getenforce":            {"/usr/sbin/getenforce", "/sbin/getenforce"},
	"systemd-detect-virt":   {"/usr/bin/systemd-detect-virt", "/bin/systemd-detect-virt"},
}

// CommandTimeout bounds one command when the caller's context has no
// earlier deadline; WaitDelay bounds how long a child's leftover
// descendants may hold its pipes open after it was killed.
const (
	CommandTimeout = 10 * time.Second
	WaitDelay      = 2 * time.Second
	maxStderr      = 64 << 10
)

// commandEnv is the whole environment of a command: the C locale, so that
// output parses the same everywhere, and a fixed PATH for what the command
// itself runs. Nothing of ztscan's own environment leaks in.
var commandEnv = []string{"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}

// execRunner runs allow-listed binaries of this machine. The zero value is
// the live host's: Allowed, MaxOutput, WaitDelay.
type execRunner struct {
	allowed   map[string][]string // nil: Allowed
	maxOutput int                 // 0: MaxOutput
	waitDelay time.Duration       // 0: WaitDelay
}

// NewRunner is a Runner of this machine's binaries restricted to allowed
// (command name to absolute candidate paths, as Allowed; nil means
// Allowed). Tests and embedders pass their own list instead of widening
// the global one; Live uses Allowed.
func NewRunner(allowed map[string][]string) Runner {
	return execRunner{allowed: allowed}
}

// LookPath finds an allow-listed command's binary on this machine.
func LookPath(name string) (string, error) { return lookPathIn(Allowed, name) }

// lookPathIn looks name up in allowed only: $PATH is never consulted, and
// a candidate that is not an absolute path is ignored.
func lookPathIn(allowed map[string][]string, name string) (string, error) {
	candidates, ok := allowed[name]
	if !ok {
		return "", fmt.Errorf("%s: %w", name, ErrNotAllowed)
	}
	for _, p := range candidates {
		if !strings.HasPrefix(p, "/") {
			continue
		}
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w (looked in %s)", name, exec.ErrNotFound, strings.Join(candidates, ", "))
}

func (r execRunner) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	allowed, maxOutput, waitDelay := r.allowed, r.maxOutput, r.waitDelay
	if allowed == nil {
		allowed = Allowed
	}
	if maxOutput == 0 {
		maxOutput = MaxOutput
	}
	if waitDelay == 0 {
		waitDelay = WaitDelay
	}
	bin, err := lookPathIn(allowed, name)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, CommandTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	// The command leads its own process group and a timeout kills the
	// whole group, so helpers it forked die with it instead of holding
	// our pipes. WaitDelay still bounds the wait for a descendant that left
	// the group (setsid) with a pipe open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
	cmd.Env = append([]string(nil), commandEnv...)
	cmd.Dir = "/"
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	// Too much output fails the write, which closes our end of the pipe:
	// the command gets EPIPE/SIGPIPE now rather than running to its timeout.
	stdout := &cappedBuffer{limit: maxOutput, failOnOverflow: true}
	stderr := &cappedBuffer{limit: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	if stdout.overflow {
		return nil, fmt.Errorf("%s: %w: output over %d bytes", bin, ErrTooLarge, maxOutput)
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

// errOutputCap stops os/exec's copy of a command's output at the cap.
var errOutputCap = errors.New("output cap reached")

// cappedBuffer keeps at most limit bytes. Past the limit it either fails
// the write (stdout: the result is useless anyway) or keeps draining and
// drops the rest (stderr: a chatty command must not block on it).
//
// The buffer is a field, not embedded: an embedded bytes.Buffer would
// promote ReadFrom, and io.Copy (which os/exec uses) would call it and
// bypass Write, and with it the cap.
type cappedBuffer struct {
	buf            bytes.Buffer
	limit          int
	overflow       bool
	failOnOverflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); len(p) > room {
		b.overflow = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		if b.failOnOverflow {
			return 0, errOutputCap
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) Bytes() []byte  { return b.buf.Bytes() }
func (b *cappedBuffer) String() string { return b.buf.String() }
