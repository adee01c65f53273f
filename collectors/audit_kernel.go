package collectors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	libaudit "github.com/elastic/go-libaudit/v2"

	"github.com/ztscan/ztscan/collectors/auditrules"
	"github.com/ztscan/ztscan/collectors/hostfs"
)

// AuditKernel is the kernel's audit interface: AUDIT_GET and
// AUDIT_LIST_RULES over netlink on the live host, a stand-in in tests.
type AuditKernel interface {
	Status() (*libaudit.AuditStatus, error)
	// Rules returns the loaded rules in the kernel's binary form.
	Rules() ([][]byte, error)
	Close() error
}

// ErrNoKernelAudit says the running kernel has no audit support
// (CONFIG_AUDIT off): the subsystem is absent, which is a fact, not an
// error to read it.
var ErrNoKernelAudit = errors.New("the kernel has no audit support")

// auditKernelTimeout bounds the netlink exchange: the kernel answers at
// once, a silence means a namespace or LSM swallowed the request.
const auditKernelTimeout = 5 * time.Second

type netlinkAudit struct{ *libaudit.AuditClient }

func (n netlinkAudit) Status() (*libaudit.AuditStatus, error) { return n.GetStatus() }
func (n netlinkAudit) Rules() ([][]byte, error)               { return n.GetRules() }

func openNetlinkAudit() (AuditKernel, error) {
	c, err := libaudit.NewAuditClient(nil)
	if err != nil {
		if errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.EAFNOSUPPORT) {
			return nil, fmt.Errorf("%w (%v)", ErrNoKernelAudit, err)
		}
		return nil, err
	}
	return netlinkAudit{c}, nil
}

// AuditKernelFacts is the kernel side, on the live host only.
type AuditKernelFacts struct {
	Part
	// Supported is false when the kernel has no audit subsystem at all.
	Supported bool `json:"supported"`
	// Enabled is the kernel's flag: 0 off, 1 on, 2 on and immutable
	// (rules and settings locked until reboot).
	Enabled     int    `json:"enabled"`
	Immutable   bool   `json:"immutable"`
	Failure     int    `json:"failure"`
	FailureMode string `json:"failure_mode,omitempty"`
	// DaemonPID is the pid of the registered audit daemon (0: none, the
	// events go to the kernel log).
	DaemonPID       uint32   `json:"daemon_pid"`
	BacklogLimit    uint32   `json:"backlog_limit"`
	Backlog         uint32   `json:"backlog"`
	Lost            uint32   `json:"lost"`
	RateLimit       uint32   `json:"rate_limit"`
	BacklogWaitTime uint32   `json:"backlog_wait_time"`
	Rules           []string `json:"rules"`
}

var failureModes = map[int]string{0: "silent", 1: "printk", 2: "panic"}

// kernelSide reads the kernel status and rules on the live host; an
// offline root has no kernel (unavailable), and a live read that fails
// (not root, no CAP_AUDIT_CONTROL, a container) is an error with the
// reason.
func (a *Audit) kernelSide(ctx context.Context, h hostfs.Host) (AuditKernelFacts, []auditrules.Rule) {
	f := AuditKernelFacts{Rules: []string{}}
	if h.Kind() != hostfs.KindHost {
		f.Part = PartUnavailable("an offline root has no running kernel: only the persisted rules are known")
		return f, nil
	}
	type result struct {
		st    *libaudit.AuditStatus
		wires [][]byte
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		k, err := a.kernel()
		if err != nil {
			r.err = err
			done <- r
			return
		}
		defer k.Close()
		if r.st, r.err = k.Status(); r.err == nil {
			r.wires, r.err = k.Rules()
		}
		done <- r
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		f.Part = PartError(fmt.Errorf("kernel audit: %w", ctx.Err()))
		return f, nil
	case <-time.After(auditKernelTimeout):
		f.Part = PartError(fmt.Errorf("kernel audit: no answer over netlink within %s", auditKernelTimeout))
		return f, nil
	}
	switch {
	case errors.Is(r.err, ErrNoKernelAudit):
		f.Part = PartOK()
		return f, []auditrules.Rule{}
	case errors.Is(r.err, syscall.EPERM) || errors.Is(r.err, syscall.EACCES):
		f.Part = PartError(fmt.Errorf("reading the kernel audit status and rules needs root (CAP_AUDIT_CONTROL): %w", r.err))
		return f, nil
	case errors.Is(r.err, syscall.ECONNREFUSED):
		f.Part = PartError(fmt.Errorf("the kernel refused the audit request (audit is only reachable from the initial user and network namespace): %w", r.err))
		return f, nil
	case r.err != nil:
		f.Part = PartError(fmt.Errorf("kernel audit: %w", r.err))
		return f, nil
	}
	rules, err := auditrules.FromWire(r.wires)
	if err != nil {
		f.Part = PartError(err)
		return f, nil
	}
	f.Part, f.Supported = PartOK(), true
	f.Enabled, f.Failure = int(r.st.Enabled), int(r.st.Failure)
	f.Immutable = r.st.Enabled == 2
	f.FailureMode = failureModes[f.Failure]
	f.DaemonPID, f.BacklogLimit, f.Backlog, f.Lost = r.st.PID, r.st.BacklogLimit, r.st.Backlog, r.st.Lost
	f.RateLimit, f.BacklogWaitTime = r.st.RateLimit, r.st.BacklogWaitTime
	for _, rl := range rules {
		f.Rules = append(f.Rules, rl.Text)
	}
	return f, rules
}

// AuditCmdline is the audit= setting of the kernel command line: the
// running one (/proc/cmdline) on the live host, the boot loader's
// configuration on an offline root. audit=0 turns auditing off at boot
// whatever auditd does; audit=1 audits the processes started before
// auditd.
type AuditCmdline struct {
	Part
	Source       string `json:"source,omitempty"`
	Audit        string `json:"audit"`
	BacklogLimit string `json:"audit_backlog_limit,omitempty"`
}

// grubDefaults are read in the order grub-mkconfig sources them.
var grubDefaults = []string{"/etc/default/grub", "/etc/default/grub.d/*.cfg"}

func auditCmdline(h hostfs.Host) AuditCmdline {
	if h.Kind() == hostfs.KindHost {
		if data, err := h.ReadFile("/proc/cmdline"); err == nil {
			return cmdlineFacts("/proc/cmdline", string(data))
		}
	}
	if data, err := h.ReadFile("/etc/kernel/cmdline"); err == nil {
		return cmdlineFacts("/etc/kernel/cmdline", string(data))
	}
	vars := map[string]string{}
	var read []string
	for _, pattern := range grubDefaults {
		files, err := h.Glob(pattern)
		if err != nil {
			return AuditCmdline{Part: PartError(err)}
		}
		for _, p := range files {
			data, err := h.ReadFile(p)
			if err != nil {
				return AuditCmdline{Part: PartError(err)}
			}
			shellAssignments(string(data), vars)
			read = append(read, p)
		}
	}
	if len(read) == 0 {
		return AuditCmdline{Part: PartUnavailable("no /etc/kernel/cmdline and no /etc/default/grub")}
	}
	return cmdlineFacts(strings.Join(read, ", "), vars["GRUB_CMDLINE_LINUX"]+" "+vars["GRUB_CMDLINE_LINUX_DEFAULT"])
}

// cmdlineFacts takes the last audit= and audit_backlog_limit= (the kernel
// applies each parameter in order, so the last wins).
func cmdlineFacts(source, cmdline string) AuditCmdline {
	f := AuditCmdline{Part: PartOK(), Source: source}
	for _, w := range strings.Fields(cmdline) {
		if v, ok := strings.CutPrefix(w, "audit="); ok {
			f.Audit = v
		}
		if v, ok := strings.CutPrefix(w, "audit_backlog_limit="); ok {
			f.BacklogLimit = v
		}
	}
	return f
}

// shellAssignments reads NAME="value" lines of a sourced shell file,
// expanding $NAME and ${NAME} of earlier assignments (grub.d snippets
// append with GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX audit=1").
func shellAssignments(data string, vars map[string]string) {
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "export ")
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") || strings.ContainsAny(name, " \t$\"'") || name == "" {
			continue
		}
		if len(value) >= 2 && (value[0] == '"' && value[len(value)-1] == '"') {
			value = value[1 : len(value)-1]
		} else if len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'' {
			vars[name] = value[1 : len(value)-1]
			continue
		}
		vars[name] = expandShell(value, vars)
	}
}

func expandShell(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		j, name := i+1, ""
		if s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				b.WriteByte(s[i])
				continue
			}
			name, i = s[j+1:j+end], j+end
		} else {
			k := j
			for k < len(s) && (s[k] == '_' || isAlnumByte(s[k])) {
				k++
			}
			name, i = s[j:k], k-1
		}
		b.WriteString(vars[name])
	}
	return b.String()
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
