package hostfs

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRootfsNeverRuns puts a binary inside the root that would leave a
// marker if run, and drives every command entry point of rootfs targets.
func TestRootfsNeverRuns(t *testing.T) {
	tr := newTestRoot(t)
	marker := filepath.Join(tr.parent, "ran")
	script := "#!/bin/sh\ntouch " + marker + "\necho ran\n"
	for _, p := range []string{"/usr/sbin/sshd", "/usr/sbin/nft", "/usr/bin/systemctl", "/bin/sh", "/usr/bin/env"} {
		tr.file(t, p, script)
		if err := os.Chmod(filepath.Join(tr.dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rootfs, err := Rootfs(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]Host{
		"Rootfs":                 rootfs,
		"Fixture without runner": Fixture(KindRootfs, tr.dir, nil),
	}
	for name, h := range hosts {
		t.Run(name, func(t *testing.T) {
			if h.CanRun() {
				t.Error("CanRun() = true")
			}
			ctx := context.Background()
			for _, cmd := range []string{"sshd", "nft", "systemctl", "/usr/sbin/sshd", "sh", "env"} {
				if out, err := h.Run(ctx, cmd, "-T"); !errors.Is(err, ErrNoExec) || out != nil {
					t.Errorf("Run(%s) = %q, %v; want ErrNoExec", cmd, out, err)
				}
				if out, err := h.RunInput(ctx, []byte("x"), cmd); !errors.Is(err, ErrNoExec) || out != nil {
					t.Errorf("RunInput(%s) = %q, %v; want ErrNoExec", cmd, out, err)
				}
			}
		})
	}
	// LookPath is about this machine, never the root.
	if p, err := LookPath("sshd"); err == nil && strings.HasPrefix(p, tr.dir) {
		t.Errorf("LookPath(sshd) = %q, inside the root", p)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a binary inside the root was executed")
	}
}

func TestRunNotAllowed(t *testing.T) {
	h := Live()
	for _, name := range []string{"sh", "/bin/sh", "/usr/sbin/sshd", "../sbin/sshd", "sshd;id", "", "bash"} {
		if _, err := h.Run(context.Background(), name); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("Run(%q) error = %v, want ErrNotAllowed", name, err)
		}
		if _, err := LookPath(name); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("LookPath(%q) error = %v, want ErrNotAllowed", name, err)
		}
	}
}

// TestLookPathIgnoresPATH puts executables named like allow-listed
// commands first in $PATH and in the working directory: none is chosen.
func TestLookPathIgnoresPATH(t *testing.T) {
	dir := t.TempDir()
	for name := range Allowed {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "tool"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Chdir(dir)
	for name := range Allowed {
		p, err := LookPath(name)
		if err == nil && (strings.HasPrefix(p, dir) || !filepath.IsAbs(p)) {
			t.Errorf("LookPath(%s) = %q: taken from $PATH or the working directory", name, p)
		}
		if err != nil && !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("LookPath(%s) error = %v, want exec.ErrNotFound", name, err)
		}
	}
	allowed := map[string][]string{"tool": {"tool", "./tool"}}
	if p, err := lookPathIn(allowed, "tool"); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("lookPathIn(relative candidates) = %q, %v; want exec.ErrNotFound", p, err)
	}
}

// testRunner allows a few of this machine's tools to exercise Run without
// widening Allowed.
func testRunner(t *testing.T) execRunner {
	allowed := map[string][]string{}
	for _, name := range []string{"sh", "env", "yes", "head", "cat", "setsid", "sleep"} {
		p, err := exec.LookPath(name) // test setup only: find the tools
		if err != nil {
			t.Skipf("no %s on this machine", name)
		}
		allowed[name] = []string{p}
	}
	return execRunner{allowed: allowed}
}

func TestRunEnvironment(t *testing.T) {
	r := testRunner(t)
	t.Setenv("ZTSCAN_SECRET", "must-not-leak")
	t.Setenv("LANG", "de_DE.UTF-8")
	out, err := r.Run(context.Background(), nil, "env")
	if err != nil {
		t.Fatal(err)
	}
	if want := "LC_ALL=C\nPATH=/usr/sbin:/usr/bin:/sbin:/bin\n"; string(out) != want {
		t.Errorf("env = %q, want exactly %q", out, want)
	}
	out, err = r.Run(context.Background(), []byte("in\n"), "cat")
	if err != nil || string(out) != "in\n" {
		t.Errorf("cat with stdin = %q, %v", out, err)
	}
	if NewRunner(nil) == nil {
		t.Error("NewRunner(nil) = nil")
	}
}

func TestRunCommandError(t *testing.T) {
	r := testRunner(t)
	out, err := r.Run(context.Background(), nil, "sh", "-c", "echo partial; echo 'line 12: Bad configuration option' >&2; exit 3")
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v, want *CommandError", err)
	}
	if ce.ExitCode() != 3 || ce.Stderr != "line 12: Bad configuration option" || string(out) != "partial\n" {
		t.Errorf("CommandError = exit %d, stderr %q, out %q", ce.ExitCode(), ce.Stderr, out)
	}
	if !strings.Contains(err.Error(), "Bad configuration option") {
		t.Errorf("message %q lacks stderr", err)
	}
}

func TestRunOutputCap(t *testing.T) {
	r := testRunner(t)
	r.maxOutput = 1 << 20
	tests := []struct {
		name    string
		args    []string
		wantErr error
		wantLen int
	}{
		// yes never stops: the cap must end it, long before any timeout.
		{name: "endless", args: []string{"yes"}, wantErr: ErrTooLarge},
		{name: "one over", args: []string{"head", "-c", strconv.Itoa(1<<20 + 1), "/dev/zero"}, wantErr: ErrTooLarge},
		{name: "at cap", args: []string{"head", "-c", strconv.Itoa(1 << 20), "/dev/zero"}, wantLen: 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			out, err := r.Run(ctx, nil, tt.args[0], tt.args[1:]...)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || out != nil {
					t.Errorf("= %d bytes, %v; want %v", len(out), err, tt.wantErr)
				}
				return
			}
			if err != nil || len(out) != tt.wantLen {
				t.Errorf("= %d bytes, %v; want %d", len(out), err, tt.wantLen)
			}
		})
	}
}

func TestRunTimeout(t *testing.T) {
	r := testRunner(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	t.Cleanup(func() {
		// The escaped grandchild of the last case: end it, by its pid.
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	tests := []struct {
		name      string
		script    string
		waitDelay time.Duration // 0: WaitDelay
		within    time.Duration
	}{
		{name: "sleeping child", script: "exec sleep 30", within: time.Second},
		// The grandchild shares the group and dies with it: no wait for
		// WaitDelay (2s), which is what it would take without group kill.
		{name: "grandchild in group", script: "sleep 30 & sleep 30", within: time.Second},
		// A grandchild in its own session keeps stdout open: WaitDelay
		// bounds the wait.
		{name: "grandchild escaped", script: "setsid sleep 10 & echo $! > " + pidFile + "; exec sleep 30", waitDelay: 300 * time.Millisecond, within: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			r := r
			r.waitDelay = tt.waitDelay
			start := time.Now()
			_, err := r.Run(ctx, nil, "sh", "-c", tt.script)
			d := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want context.DeadlineExceeded", err)
			}
			if d > tt.within {
				t.Errorf("returned after %v, want within %v", d, tt.within)
			}
		})
	}
}
