package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/chrony"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/systemd"
	"github.com/ztscan/ztscan/collectors/timedatectl"
)

// TimeFacts say which clock synchronisation daemon the target has and,
// on a live host, how far its clock is off by every source that can
// tell: chronyd, systemd-timesyncd and the kernel itself (adjtimex).
type TimeFacts struct {
	Daemons   []TimeDaemon  `json:"daemons"`
	Chrony    ChronyView    `json:"chrony"`
	Timesyncd TimesyncdView `json:"timesyncd"`
	Kernel    KernelClock   `json:"kernel"`
	Offset    ClockOffset   `json:"offset"`
}

// TimeDaemon is one synchronisation daemon ztscan knows.
type TimeDaemon struct {
	// Name is "chrony", "systemd-timesyncd", "ntp", "ntpsec" or "openntpd".
	Name      string `json:"name"`
	Installed bool   `json:"installed"`
	// InstalledEvidence is the package or file that shows it.
	InstalledEvidence string `json:"installed_evidence,omitempty"`
	// Unit is the service unit found for it ("" when none).
	Unit       string `json:"unit,omitempty"`
	Enabled    bool   `json:"enabled"`
	EnabledHow string `json:"enabled_how,omitempty"`
	// Running is null on an offline root; RunningEvidence names the
	// process (pid and comm) or the systemd state that showed it.
	Running         *bool  `json:"running"`
	RunningEvidence string `json:"running_evidence,omitempty"`
	// ConfigFiles were read; Servers are the sources they configure
	// ("server ntp.example.com", "pool 2.debian.pool.ntp.org").
	ConfigFiles []string `json:"config_files"`
	Servers     []string `json:"servers"`
	// FallbackServers: no server is configured and the daemon uses its
	// compiled-in fallback list (timesyncd).
	FallbackServers bool     `json:"fallback_servers,omitempty"`
	ConfigErrors    []string `json:"config_errors,omitempty"`
}

// ChronyView is what `chronyc -c tracking` and `-c sources` say.
type ChronyView struct {
	Part
	Tracking *chrony.Tracking `json:"tracking,omitempty"`
	Sources  []chrony.Source  `json:"sources,omitempty"`
	// Synchronised: chronyd has a reference (leap status not "Not
	// synchronised"); OffsetMS is the system clock's offset from it
	// (positive: ahead), MaxErrorMS the bound |offset| + delay/2 +
	// dispersion.
	Synchronised bool    `json:"synchronised"`
	OffsetMS     float64 `json:"offset_ms"`
	MaxErrorMS   float64 `json:"max_error_ms"`
}

// TimesyncdView is what timedatectl says of timedated and timesyncd.
type TimesyncdView struct {
	Part
	Show     *timedatectl.Show     `json:"show,omitempty"`
	Timesync *timedatectl.Timesync `json:"timesync,omitempty"`
	// Synchronised is timedated's NTPSynchronized; OffsetMS (with
	// HasOffset) the offset of timesync-status at the last reply.
	Synchronised bool    `json:"synchronised"`
	HasOffset    bool    `json:"has_offset"`
	OffsetMS     float64 `json:"offset_ms"`
	Server       string  `json:"server,omitempty"`
	Stratum      int     `json:"stratum"`
}

// KernelClock is the running kernel's own clock discipline state
// (adjtimex(2) with no modes: read only), independent of any daemon.
type KernelClock struct {
	Part
	// State is adjtimex's return: TIME_OK, TIME_INS, TIME_DEL, TIME_OOP,
	// TIME_WAIT or TIME_ERROR (clock not synchronised).
	State string `json:"state,omitempty"`
	// Synchronised: STA_UNSYNC is clear.
	Synchronised bool     `json:"synchronised"`
	StatusFlags  []string `json:"status_flags,omitempty"`
	// MaxErrorMS and EstErrorMS are the kernel's maximum and estimated
	// error; OffsetMS the PLL's remaining offset correction.
	MaxErrorMS   float64 `json:"max_error_ms"`
	EstErrorMS   float64 `json:"est_error_ms"`
	OffsetMS     float64 `json:"offset_ms"`
	FrequencyPPM float64 `json:"frequency_ppm"`
}

// ClockOffset is the offset ZT-TIME-002 judges: a synchronised daemon's
// measurement (chronyd first, then timesyncd), else the kernel's PLL
// offset when the kernel is synchronised, else the kernel's maximum
// error (Kind "max_error": nothing measures the clock).
type ClockOffset struct {
	Part
	MS     float64 `json:"ms"`
	Source string  `json:"source,omitempty"`
	// Kind is "measured" or "max_error".
	Kind         string              `json:"kind,omitempty"`
	Measurements []OffsetMeasurement `json:"measurements"`
	// Disagreements name measurements further apart than
	// OffsetDisagreementMS.
	Disagreements []string `json:"disagreements"`
}

// OffsetMeasurement is one source's offset of the local clock.
type OffsetMeasurement struct {
	Source string  `json:"source"`
	MS     float64 `json:"ms"`
}

// OffsetDisagreementMS: two sources further apart than this disagree. It
// is far above the jitter of sources watching the same clock (chrony and
// the kernel agree within microseconds), far below the 500 ms of
// ZT-TIME-002.
const OffsetDisagreementMS = 50

// timeDaemonSpec says how to find one daemon.
type timeDaemonSpec struct {
	name     string
	packages []string
	binaries []string
	units    []string
	comms    []string // process names (comm is cut at 15 bytes)
	config   func(hostfs.Host) timeConfig
}

var timeDaemonSpecs = []timeDaemonSpec{
	{"chrony", []string{"chrony"}, []string{"/usr/sbin/chronyd"}, []string{"chrony.service", "chronyd.service"}, []string{"chronyd"}, chronyConfig},
	{"systemd-timesyncd", []string{"systemd-timesyncd"}, []string{"/usr/lib/systemd/systemd-timesyncd", "/lib/systemd/systemd-timesyncd"}, []string{"systemd-timesyncd.service"}, []string{"systemd-timesyn"}, timesyncdConfig},
	{"ntp", []string{"ntp"}, nil, []string{"ntp.service", "ntpd.service"}, []string{"ntpd"}, func(h hostfs.Host) timeConfig { return ntpConfig(h, "/etc/ntp.conf", "/etc/ntpsec/ntp.conf") }},
	{"ntpsec", []string{"ntpsec"}, nil, []string{"ntpsec.service"}, []string{"ntpd"}, func(h hostfs.Host) timeConfig { return ntpConfig(h, "/etc/ntpsec/ntp.conf", "/etc/ntp.conf") }},
	{"openntpd", []string{"openntpd"}, nil, []string{"openntpd.service"}, []string{"openntpd", "ntpd"}, func(h hostfs.Host) timeConfig { return ntpConfig(h, "/etc/openntpd/ntpd.conf", "/etc/ntpd.conf") }},
}

// TimeSync collects TimeFacts.
type TimeSync struct {
	// adjtimex reads the kernel clock; tests replace it, since the real
	// one describes the machine running the tests.
	adjtimex func(*unix.Timex) (int, error)
}

// NewTimeSync returns the "time" collector.
func NewTimeSync() *TimeSync { return &TimeSync{adjtimex: unix.Adjtimex} }

// Name is the facts key.
func (*TimeSync) Name() string { return "time" }

// Collect finds the daemons (both kinds) and, on a live host, asks the
// running ones and the kernel.
func (c *TimeSync) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	live := h.Kind() == hostfs.KindHost
	pkgs, pkgErr := InstalledPackages(h)
	if pkgErr != nil && !errors.Is(pkgErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("installed packages: %w", pkgErr)
	}
	units, err := systemd.Load(h)
	if err != nil {
		return nil, fmt.Errorf("systemd units: %w", err)
	}
	var procs map[string]string
	if live {
		procs = processComms(h)
	}
	out := TimeFacts{}
	for _, spec := range timeDaemonSpecs {
		out.Daemons = append(out.Daemons, timeDaemon(h, spec, pkgs, units, procs, live))
	}
	if !live {
		why := "offline root: the clock of a running system"
		out.Chrony = ChronyView{Part: PartUnavailable(why)}
		out.Timesyncd = TimesyncdView{Part: PartUnavailable(why), Stratum: -1}
		out.Kernel = KernelClock{Part: PartUnavailable(why)}
		out.Offset = ClockOffset{Part: PartUnavailable("offline root: the clock offset is measured on the running host"), Measurements: []OffsetMeasurement{}, Disagreements: []string{}}
		return out, nil
	}
	out.Chrony = chronyView(ctx, h, running(out.Daemons, "chrony"))
	out.Timesyncd = timesyncdView(ctx, h, running(out.Daemons, "systemd-timesyncd"))
	out.Kernel = c.kernelClock()
	out.Offset = clockOffset(out)
	return out, nil
}

func running(ds []TimeDaemon, name string) bool {
	for _, d := range ds {
		if d.Name == name && d.Running != nil && *d.Running {
			return true
		}
	}
	return false
}

func timeDaemon(h hostfs.Host, spec timeDaemonSpec, pkgs map[string]Package, units *systemd.Units, procs map[string]string, live bool) TimeDaemon {
	d := TimeDaemon{Name: spec.name}
	for _, p := range spec.packages {
		if pk, ok := pkgs[p]; ok {
			d.Installed, d.InstalledEvidence = true, "package "+p+" "+pk.Version
			break
		}
	}
	for _, b := range spec.binaries {
		if d.Installed {
			break
		}
		if fi, err := h.Stat(b); err == nil && fi.IsRegular() {
			d.Installed, d.InstalledEvidence = true, b
		}
	}
	for _, name := range spec.units {
		if u, ok := units.Unit(name); ok && (u.Path != "" || u.Masked) {
			d.Unit = u.ID
			d.Enabled, d.EnabledHow = u.Enabled && !u.Masked, u.EnabledHow
			if u.Masked {
				d.EnabledHow = "masked by " + u.MaskedBy
			}
			break
		}
	}
	if d.Installed {
		cfg := spec.config(h)
		d.ConfigFiles, d.Servers, d.FallbackServers, d.ConfigErrors = cfg.files, cfg.servers, cfg.fallback, cfg.errs
	} else {
		d.ConfigFiles, d.Servers = []string{}, []string{}
	}
	if live {
		run := false
		// ntpd is the process name of three packages: it counts for the
		// installed one.
		if d.Installed {
			for _, comm := range spec.comms {
				if pid, ok := procs[comm]; ok {
					run, d.RunningEvidence = true, fmt.Sprintf("process %s (pid %s)", comm, pid)
					break
				}
			}
		}
		d.Running = &run
	}
	return d
}

// processComms maps each process name of the live target to its lowest
// pid, from /proc/<pid>/comm.
func processComms(h hostfs.Host) map[string]string {
	out := map[string]string{}
	entries, err := h.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range entries {
		if e.Name == "" || strings.Trim(e.Name, "0123456789") != "" {
			continue
		}
		data, err := h.ReadFileLimit("/proc/"+e.Name+"/comm", 256)
		if err != nil {
			continue // the process exited
		}
		comm := strings.TrimSpace(string(data))
		if old, ok := out[comm]; !ok || len(e.Name) < len(old) || (len(e.Name) == len(old) && e.Name < old) {
			out[comm] = e.Name
		}
	}
	return out
}

func chronyView(ctx context.Context, h hostfs.Host, isRunning bool) ChronyView {
	switch {
	case !isRunning:
		return ChronyView{Part: PartUnavailable("chronyd is not running")}
	case !h.CanRun():
		return ChronyView{Part: PartUnavailable("commands cannot run on this target")}
	}
	out, err := h.Run(ctx, "chronyc", "-n", "-c", "tracking")
	if err != nil {
		return ChronyView{Part: PartError(fmt.Errorf("chronyc -c tracking: %w", err))}
	}
	tr, err := chrony.ParseTracking(out)
	if err != nil {
		return ChronyView{Part: PartError(err)}
	}
	out, err = h.Run(ctx, "chronyc", "-n", "-c", "sources")
	if err != nil {
		return ChronyView{Part: PartError(fmt.Errorf("chronyc -c sources: %w", err))}
	}
	srcs, err := chrony.ParseSources(out)
	if err != nil {
		return ChronyView{Part: PartError(err)}
	}
	return ChronyView{Part: PartOK(), Tracking: &tr, Sources: srcs, Synchronised: tr.Synchronised(), OffsetMS: ms(tr.ClockOffset()), MaxErrorMS: ms(tr.MaxError())}
}

func timesyncdView(ctx context.Context, h hostfs.Host, isRunning bool) TimesyncdView {
	switch {
	case !isRunning:
		return TimesyncdView{Part: PartUnavailable("systemd-timesyncd is not running"), Stratum: -1}
	case !h.CanRun():
		return TimesyncdView{Part: PartUnavailable("commands cannot run on this target"), Stratum: -1}
	}
	fail := func(err error) TimesyncdView { return TimesyncdView{Part: PartError(err), Stratum: -1} }
	out, err := h.Run(ctx, "timedatectl", "show")
	if err != nil {
		return fail(fmt.Errorf("timedatectl show: %w", err))
	}
	show, err := timedatectl.ParseShow(out)
	if err != nil {
		return fail(err)
	}
	out, err = h.Run(ctx, "timedatectl", "show-timesync", "--all")
	if err != nil {
		return fail(fmt.Errorf("timedatectl show-timesync: %w", err))
	}
	ts, err := timedatectl.ParseShowTimesync(out)
	if err != nil {
		return fail(err)
	}
	out, err = h.Run(ctx, "timedatectl", "timesync-status")
	if err != nil {
		return fail(fmt.Errorf("timedatectl timesync-status: %w", err))
	}
	st, err := timedatectl.ParseTimesyncStatus(out)
	if err != nil {
		return fail(err)
	}
	v := TimesyncdView{Part: PartOK(), Show: &show, Timesync: &ts, Server: st.Server, Stratum: st.Stratum}
	v.Synchronised = show.NTPSynchronized != nil && *show.NTPSynchronized
	if st.HasOffset && st.PacketCount > 0 {
		v.HasOffset, v.OffsetMS = true, nsRound(float64(st.Offset.Nanoseconds())/1e6)
	}
	return v
}

// Kernel clock states (adjtimex's return value) and status bits.
var (
	timeStates = map[int]string{unix.TIME_OK: "TIME_OK", unix.TIME_INS: "TIME_INS", unix.TIME_DEL: "TIME_DEL", unix.TIME_OOP: "TIME_OOP", unix.TIME_WAIT: "TIME_WAIT", unix.TIME_ERROR: "TIME_ERROR"}
	timeStatus = []struct {
		bit  int32
		name string
	}{
		{unix.STA_PLL, "STA_PLL"}, {unix.STA_PPSFREQ, "STA_PPSFREQ"}, {unix.STA_PPSTIME, "STA_PPSTIME"}, {unix.STA_FLL, "STA_FLL"},
		{unix.STA_INS, "STA_INS"}, {unix.STA_DEL, "STA_DEL"}, {unix.STA_UNSYNC, "STA_UNSYNC"}, {unix.STA_FREQHOLD, "STA_FREQHOLD"},
		{unix.STA_PPSSIGNAL, "STA_PPSSIGNAL"}, {unix.STA_PPSJITTER, "STA_PPSJITTER"}, {unix.STA_PPSWANDER, "STA_PPSWANDER"}, {unix.STA_PPSERROR, "STA_PPSERROR"},
		{unix.STA_CLOCKERR, "STA_CLOCKERR"}, {unix.STA_NANO, "STA_NANO"}, {unix.STA_MODE, "STA_MODE"}, {unix.STA_CLK, "STA_CLK"},
	}
)

func (c *TimeSync) kernelClock() KernelClock {
	adj := c.adjtimex
	if adj == nil {
		adj = unix.Adjtimex
	}
	var tx unix.Timex // Modes 0: read only, needs no privilege
	state, err := adj(&tx)
	if err != nil {
		return KernelClock{Part: PartError(fmt.Errorf("adjtimex: %w", err))}
	}
	k := KernelClock{Part: PartOK(), State: timeStates[state], StatusFlags: []string{}}
	if k.State == "" {
		k.State = fmt.Sprintf("%d", state)
	}
	for _, s := range timeStatus {
		if tx.Status&s.bit != 0 {
			k.StatusFlags = append(k.StatusFlags, s.name)
		}
	}
	k.Synchronised = tx.Status&unix.STA_UNSYNC == 0 && state != unix.TIME_ERROR
	k.MaxErrorMS = nsRound(float64(tx.Maxerror) / 1000)
	k.EstErrorMS = nsRound(float64(tx.Esterror) / 1000)
	if tx.Status&unix.STA_NANO != 0 {
		k.OffsetMS = nsRound(float64(tx.Offset) / 1e6)
	} else {
		k.OffsetMS = nsRound(float64(tx.Offset) / 1000)
	}
	k.FrequencyPPM = nsRound(float64(tx.Freq) / 65536)
	return k
}

// clockOffset picks the offset ZT-TIME-002 judges and says where
// sources disagree.
func clockOffset(f TimeFacts) ClockOffset {
	o := ClockOffset{Measurements: []OffsetMeasurement{}, Disagreements: []string{}}
	if f.Chrony.Status == "ok" && f.Chrony.Synchronised {
		o.Measurements = append(o.Measurements, OffsetMeasurement{"chronyc tracking", f.Chrony.OffsetMS})
	}
	if f.Timesyncd.Status == "ok" && f.Timesyncd.Synchronised && f.Timesyncd.HasOffset {
		o.Measurements = append(o.Measurements, OffsetMeasurement{"timedatectl timesync-status", f.Timesyncd.OffsetMS})
	}
	kernelOK := f.Kernel.Status == "ok" && f.Kernel.Synchronised
	// The kernel's bound must hold what a daemon measures.
	for _, m := range o.Measurements {
		if kernelOK && math.Abs(m.MS) > f.Kernel.MaxErrorMS+OffsetDisagreementMS {
			o.Disagreements = append(o.Disagreements, fmt.Sprintf("%s says %+.3f ms, beyond the kernel's maximum error of %.3f ms", m.Source, m.MS, f.Kernel.MaxErrorMS))
		}
	}
	// The PLL offset is what a daemon disciplining the kernel (ntpd) left
	// to correct; chronyd and timesyncd leave it at 0, so it only stands
	// in when no daemon measures.
	if kernelOK && len(o.Measurements) == 0 {
		o.Measurements = append(o.Measurements, OffsetMeasurement{"adjtimex (kernel PLL offset)", f.Kernel.OffsetMS})
	}
	for i := range o.Measurements {
		for _, b := range o.Measurements[i+1:] {
			a := o.Measurements[i]
			if math.Abs(a.MS-b.MS) > OffsetDisagreementMS {
				o.Disagreements = append(o.Disagreements, fmt.Sprintf("%s says %+.3f ms, %s says %+.3f ms", a.Source, a.MS, b.Source, b.MS))
			}
		}
	}
	sort.Strings(o.Disagreements)
	switch {
	case len(o.Measurements) > 0:
		m := o.Measurements[0]
		o.Part, o.MS, o.Source, o.Kind = PartOK(), m.MS, m.Source, "measured"
	case f.Kernel.Status == "ok":
		// Nothing synchronised measures the clock: all that is known is the
		// kernel's bound, which grows by 500 ppm from the last sync up to
		// 16 s.
		o.Part, o.MS, o.Source, o.Kind = PartOK(), f.Kernel.MaxErrorMS, "adjtimex maxerror (no synchronised source)", "max_error"
	default:
		o.Part = PartError(fmt.Errorf("no source measures the clock offset and the kernel clock could not be read: %s", f.Kernel.Reason))
	}
	return o
}

func ms(seconds float64) float64 { return nsRound(seconds * 1000) }

// nsRound rounds milliseconds to the nanosecond, so facts do not carry
// float noise.
func nsRound(v float64) float64 { return math.Round(v*1e6) / 1e6 }
