package collectors

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

// platTree builds a target root (see testenv.Tree).
func platTree(t testing.TB, files map[string]string) string {
	t.Helper()
	return testenv.Tree(t, files)
}

// kernelClockStub is an adjtimex answering state and status.
func kernelClockStub(state int, status int32, maxerrUS, offsetUS int64) func(*unix.Timex) (int, error) {
	return func(tx *unix.Timex) (int, error) {
		tx.Status, tx.Maxerror, tx.Esterror, tx.Offset = status, maxerrUS, maxerrUS/2, offsetUS
		return state, nil
	}
}

var unsyncedKernel = kernelClockStub(unix.TIME_ERROR, unix.STA_UNSYNC, 16000000, 0)

// cmdRecording answers commands with recorded outputs, keyed by the
// command line.
type cmdRecording map[string]string

func (r cmdRecording) Run(_ context.Context, _ []byte, name string, args ...string) ([]byte, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	out, ok := r[line]
	if !ok {
		return nil, fmt.Errorf("%s: no recording", line)
	}
	if strings.HasPrefix(out, "ERR:") {
		return nil, errors.New(out[4:])
	}
	return []byte(out), nil
}

func collectTime(t *testing.T, h hostfs.Host, adj func(*unix.Timex) (int, error)) TimeFacts {
	t.Helper()
	v, err := (&TimeSync{adjtimex: adj}).Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	return v.(TimeFacts)
}

func TestTimeFixtures(t *testing.T) {
	for _, kind := range fixtureKinds {
		f := collectTime(t, hostfs.Fixture(kind, fixtureRoot("server-luks-lvm"), nil), unsyncedKernel)
		checkGolden(t, "time/server-luks-lvm-"+string(kind), f)
		c := f.Daemons[0]
		if c.Name != "chrony" || !c.Installed || !c.Enabled || c.Unit != "chrony.service" || len(c.Servers) != 3 {
			t.Errorf("%s: chrony %+v", kind, c)
		}
	}
	off := collectTime(t, hostfs.Fixture(hostfs.KindRootfs, fixtureRoot("server-luks-lvm"), nil), nil).Offset
	if off.Status != "unavailable" {
		t.Errorf("rootfs offset %+v, want unavailable", off)
	}
}

// timeHost is a live-kind target whose process list shows comms.
func timeHost(t *testing.T, r hostfs.Runner, comms ...string) hostfs.Host {
	files := map[string]string{
		"var/lib/dpkg/status": "Package: chrony\nStatus: install ok installed\nVersion: 4.3-2\nArchitecture: amd64\n\n" +
			"Package: systemd-timesyncd\nStatus: install ok installed\nVersion: 252.33-1\nArchitecture: amd64\n",
		"etc/systemd/timesyncd.conf":             "[Time]\n#NTP=\n",
		"etc/systemd/timesyncd.conf.d/site.conf": "[Time]\nNTP=ntp1.example.net\nNTP=\nNTP=ntp2.example.net ntp3.example.net\n",
		"proc/1/comm":                            "systemd\n",
	}
	for i, c := range comms {
		files[fmt.Sprintf("proc/%d/comm", 100+i)] = c + "\n"
	}
	return hostfs.Fixture(hostfs.KindHost, platTree(t, files), r)
}

func chronyRecording(tracking, sources string) cmdRecording {
	return cmdRecording{
		"chronyc -n -c tracking": mustReadFile(filepath.Join("chrony", "testdata", tracking)),
		"chronyc -n -c sources":  mustReadFile(filepath.Join("chrony", "testdata", sources)),
	}
}

func mustReadFile(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func timesyncdRecording(r cmdRecording) cmdRecording {
	td := filepath.Join("timedatectl", "testdata")
	r["timedatectl show"] = mustReadFile(filepath.Join(td, "show-synced.txt"))
	r["timedatectl show-timesync --all"] = mustReadFile(filepath.Join(td, "show-timesync.txt"))
	r["timedatectl timesync-status"] = mustReadFile(filepath.Join(td, "timesync-status.txt"))
	return r
}

func TestTimeRecordedSources(t *testing.T) {
	syncedKernel := kernelClockStub(unix.TIME_OK, unix.STA_PLL, 12000, 0)
	tests := []struct {
		name          string
		runner        cmdRecording
		comms         []string
		adj           func(*unix.Timex) (int, error)
		chrony, tsd   string // view status
		offsetSource  string
		offsetKind    string
		offsetMS      float64
		disagreements int
	}{
		{"chrony synchronised", chronyRecording("tracking-synced.csv", "sources-synced.csv"), []string{"chronyd"}, unsyncedKernel, "ok", "unavailable", "chronyc tracking", "measured", 0.000738, 0},
		{"chrony unsynchronised", chronyRecording("tracking-unsynchronised.csv", "sources-unreachable.csv"), []string{"chronyd"}, unsyncedKernel, "ok", "unavailable", "adjtimex maxerror (no synchronised source)", "max_error", 16000, 0},
		{"chronyc fails", cmdRecording{"chronyc -n -c tracking": "ERR:506 Cannot talk to daemon"}, []string{"chronyd"}, unsyncedKernel, "error", "unavailable", "adjtimex maxerror (no synchronised source)", "max_error", 16000, 0},
		{"timesyncd", timesyncdRecording(cmdRecording{}), []string{"systemd-timesyn"}, syncedKernel, "unavailable", "ok", "timedatectl timesync-status", "measured", -4.077, 0},
		{"chrony and timesyncd agree", timesyncdRecording(chronyRecording("tracking-synced.csv", "sources-synced.csv")), []string{"chronyd", "systemd-timesyn"}, syncedKernel, "ok", "ok", "chronyc tracking", "measured", 0.000738, 0},
		{"ntpd via kernel", cmdRecording{}, nil, kernelClockStub(unix.TIME_OK, unix.STA_PLL|unix.STA_NANO, 20000, 3_500_000), "unavailable", "unavailable", "adjtimex (kernel PLL offset)", "measured", 3.5, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := collectTime(t, timeHost(t, tc.runner, tc.comms...), tc.adj)
			o := f.Offset
			if f.Chrony.Status != tc.chrony || f.Timesyncd.Status != tc.tsd || o.Source != tc.offsetSource || o.Kind != tc.offsetKind || o.MS != tc.offsetMS || len(o.Disagreements) != tc.disagreements {
				t.Errorf("chrony %s (%s), timesyncd %s (%s), offset %+v", f.Chrony.Status, f.Chrony.Reason, f.Timesyncd.Status, f.Timesyncd.Reason, o)
			}
		})
	}
}

func TestTimeDisagreement(t *testing.T) {
	r := timesyncdRecording(chronyRecording("tracking-synced.csv", "sources-synced.csv"))
	r["timedatectl timesync-status"] = strings.Replace(r["timedatectl timesync-status"], "+4.077ms", "-612.5ms", 1)
	f := collectTime(t, timeHost(t, r, "chronyd", "systemd-timesyn"), kernelClockStub(unix.TIME_OK, 0, 100000, 0))
	want := "chronyc tracking says +0.001 ms, timedatectl timesync-status says +612.500 ms"
	if len(f.Offset.Disagreements) != 2 || f.Offset.Disagreements[0] != want {
		t.Errorf("disagreements %q, want %q and the kernel bound", f.Offset.Disagreements, want)
	}
	ts := f.Daemons[1]
	if ts.Name != "systemd-timesyncd" || strings.Join(ts.Servers, ",") != "server ntp2.example.net,server ntp3.example.net" || ts.FallbackServers {
		t.Errorf("timesyncd config: %+v", ts)
	}
}

func TestTimeKernelClockLive(t *testing.T) {
	// adjtimex with no modes reads the real kernel clock without privilege.
	k := (&TimeSync{adjtimex: unix.Adjtimex}).kernelClock()
	if k.Status != "ok" || k.State == "" || k.MaxErrorMS < 0 {
		t.Fatalf("kernel clock %+v", k)
	}
	t.Logf("this machine's kernel clock: %+v", k)
}

// TestTimeLiveChronyd drives real chronyd instances that never touch the
// clock (-x): a "local stratum 8" server on 127.0.0.1 and a client of it,
// each with a private command socket, and reads the client through the
// collector with the real chronyc.
func TestTimeLiveChronyd(t *testing.T) {
	chronyd := testenv.RequireTool(t, "chronyd")
	chronyc := testenv.RequireTool(t, "chronyc")
	testenv.RequireRoot(t)
	dir, err := os.MkdirTemp("", "ztscan-chrony-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil { // chronyd refuses a socket dir others can enter
		t.Fatal(err)
	}
	port := 20000 + os.Getpid()%20000
	start := func(name, conf string) {
		p := filepath.Join(dir, name+".conf")
		conf += fmt.Sprintf("bindcmdaddress %s/%s.sock\ncmdport 0\npidfile %s/%s.pid\n", dir, name, dir, name)
		if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(chronyd, "-x", "-d", "-u", "root", "-f", p)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	start("server", fmt.Sprintf("port %d\nlocal stratum 8\nallow 127.0.0.1\n", port))
	start("client", fmt.Sprintf("port 0\nserver 127.0.0.1 port %d iburst minpoll -2 maxpoll 0\n", port))
	r := chronycRunner{bin: chronyc, sock: filepath.Join(dir, "client.sock")}
	h := timeHost(t, r, "chronyd")
	var f TimeFacts
	deadline := time.Now().Add(20 * time.Second)
	for {
		f = collectTime(t, h, unix.Adjtimex)
		if f.Chrony.Synchronised || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if f.Chrony.Status != "ok" || !f.Chrony.Synchronised || f.Chrony.Tracking.ReferenceName != "127.0.0.1" || f.Chrony.Tracking.Stratum != 9 {
		t.Fatalf("chrony view %+v (tracking %+v)", f.Chrony, f.Chrony.Tracking)
	}
	if len(f.Chrony.Sources) != 1 || f.Chrony.Sources[0].State != "selected" {
		t.Errorf("sources %+v", f.Chrony.Sources)
	}
	// Both daemons read the same clock: the offset is tiny.
	if f.Offset.Source != "chronyc tracking" || f.Offset.MS > 5 || f.Offset.MS < -5 {
		t.Errorf("offset %+v", f.Offset)
	}
	if f.Kernel.Status != "ok" {
		t.Errorf("kernel %+v", f.Kernel)
	}
}

// chronycRunner runs the real chronyc against a private socket.
type chronycRunner struct{ bin, sock string }

func (r chronycRunner) Run(ctx context.Context, _ []byte, name string, args ...string) ([]byte, error) {
	if name != "chronyc" {
		return nil, fmt.Errorf("%s: not recorded", name)
	}
	return exec.CommandContext(ctx, r.bin, append([]string{"-h", r.sock}, args...)...).Output()
}
