package hostfs

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// withDeadline runs fn and fails the test if it has not returned within d:
// the point of these tests is that nothing ever blocks on a FIFO or device.
func withDeadline(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
	}
}

func TestNonRegularFiles(t *testing.T) {
	tr := newTestRoot(t)
	tr.mkdir(t, "/etc")
	tr.mkdir(t, "/run")
	tr.mkdir(t, "/dev")
	if err := unix.Mkfifo(filepath.Join(tr.dir, "etc/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr.link(t, "/etc/fifo", "/etc/fifo-link")
	tr.link(t, "fifo", "/etc/fifo-rel")
	ln, err := net.Listen("unix", filepath.Join(tr.dir, "run/s.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tr.link(t, "/run/s.sock", "/etc/sock-link")
	// /etc/null points at /dev/null, which resolves to ROOT/dev/null: a
	// real character device when we may create one, else nothing.
	tr.link(t, "/dev/null", "/etc/null")
	haveDev := unix.Mknod(filepath.Join(tr.dir, "dev/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))) == nil

	tests := []struct {
		name    string
		path    string
		wantErr error
		needDev bool // only when ROOT/dev/null could be created
		noDev   bool // only when it could not
	}{
		{name: "fifo", path: "/etc/fifo", wantErr: ErrNotRegular},
		{name: "fifo via absolute link", path: "/etc/fifo-link", wantErr: ErrNotRegular},
		{name: "fifo via relative link", path: "/etc/fifo-rel", wantErr: ErrNotRegular},
		{name: "socket", path: "/run/s.sock", wantErr: ErrNotRegular},
		{name: "socket via link", path: "/etc/sock-link", wantErr: ErrNotRegular},
		{name: "char device via link", path: "/etc/null", wantErr: ErrNotRegular, needDev: true},
		{name: "char device", path: "/dev/null", wantErr: ErrNotRegular, needDev: true},
		{name: "link to absent device", path: "/etc/null", wantErr: fs.ErrNotExist, noDev: true},
		{name: "directory", path: "/etc", wantErr: ErrNotRegular},
		{name: "root", path: "/", wantErr: ErrNotRegular},
	}
	for mode, h := range resolverModes(t, tr.dir) {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				if tt.needDev && !haveDev {
					t.Skip("cannot create a device node here (not root or no CAP_MKNOD)")
				}
				if tt.noDev && haveDev {
					t.Skip("ROOT/dev/null exists")
				}
				withDeadline(t, 2*time.Second, func() {
					start := time.Now()
					data, err := h.ReadFile(tt.path)
					if !errors.Is(err, tt.wantErr) {
						t.Errorf("ReadFile(%q) = %q, %v; want %v", tt.path, data, err, tt.wantErr)
					}
					if d := time.Since(start); d > 100*time.Millisecond {
						t.Errorf("ReadFile(%q) took %v", tt.path, d)
					}
					// Stat, Lstat and ReadDir must not block either.
					h.Stat(tt.path)
					h.Lstat(tt.path)
					if _, err := h.ReadDir(tt.path); err == nil && tt.wantErr != ErrNotRegular {
						t.Errorf("ReadDir(%q) succeeded", tt.path)
					}
				})
			})
		}
	}
}

// TestReadDirOfFIFO guards against opening a directory the way os.ReadDir
// does (blocking open): a FIFO given to ReadDir must fail at once.
func TestReadDirOfFIFO(t *testing.T) {
	tr := newTestRoot(t)
	if err := unix.Mkfifo(filepath.Join(tr.dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	for mode, h := range resolverModes(t, tr.dir) {
		t.Run(mode, func(t *testing.T) {
			withDeadline(t, 2*time.Second, func() {
				if _, err := h.ReadDir("/fifo"); !errors.Is(err, unix.ENOTDIR) {
					t.Errorf("ReadDir(fifo) error = %v, want ENOTDIR", err)
				}
				if m, err := h.Glob("/fifo/*"); err != nil || len(m) != 0 {
					t.Errorf("Glob(/fifo/*) = %v, %v", m, err)
				}
			})
		})
	}
}

func TestSizeCap(t *testing.T) {
	tr := newTestRoot(t)
	tr.file(t, "/etc/small", "0123456789")
	f, err := os.Create(filepath.Join(tr.dir, "etc/huge"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil { // sparse: no disk used
		t.Skipf("no sparse 1 TiB file here: %v", err)
	}
	f.Close()
	tr.link(t, "/etc/huge", "/etc/huge-link")

	tests := []struct {
		name    string
		path    string
		limit   int64 // 0: ReadFile
		want    string
		wantErr error
	}{
		{name: "sparse 1 TiB", path: "/etc/huge", wantErr: ErrTooLarge},
		{name: "sparse 1 TiB via link", path: "/etc/huge-link", wantErr: ErrTooLarge},
		{name: "limit below size", path: "/etc/small", limit: 9, wantErr: ErrTooLarge},
		{name: "limit at size", path: "/etc/small", limit: 10, want: "0123456789"},
		{name: "default limit", path: "/etc/small", want: "0123456789"},
	}
	for mode, h := range resolverModes(t, tr.dir) {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				start := time.Now()
				var got []byte
				var err error
				if tt.limit == 0 {
					got, err = h.ReadFile(tt.path)
				} else {
					got, err = h.ReadFileLimit(tt.path, tt.limit)
				}
				if d := time.Since(start); d > 100*time.Millisecond {
					t.Errorf("took %v: the cap must apply before reading", d)
				}
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) || got != nil {
						t.Fatalf("= %d bytes, %v; want %v", len(got), err, tt.wantErr)
					}
					return
				}
				if err != nil || string(got) != tt.want {
					t.Fatalf("= %q, %v; want %q", got, err, tt.want)
				}
			})
		}
	}
}

// TestProcSizeZero reads files that stat as empty but are not: the cap
// must hold while reading, not only against st_size.
func TestProcSizeZero(t *testing.T) {
	h := Live()
	fi, err := h.Stat("/proc/self/maps")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if fi.Size != 0 {
		t.Fatalf("/proc/self/maps size = %d, the test needs a size-0 file", fi.Size)
	}
	if _, err := h.ReadFileLimit("/proc/self/maps", 16); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFileLimit(/proc/self/maps, 16) error = %v, want ErrTooLarge", err)
	}
	data, err := h.ReadFile("/proc/self/status")
	if err != nil || !strings.Contains(string(data), "Name:") {
		t.Errorf("ReadFile(/proc/self/status) = %d bytes, %v", len(data), err)
	}
}

// TestProcMagicLinks: on the live host, /proc's links are followed by
// their text; /proc/self/root -> "/" must not loop forever and a pipe's
// fd link must be an error, not a read that waits for a writer.
func TestProcMagicLinks(t *testing.T) {
	h := Live()
	if _, err := h.Lstat("/proc/self/fd"); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	pipePath := "/proc/self/fd/" + strconv.Itoa(int(r.Fd()))

	deep := strings.Repeat("/proc/self/root", MaxSymlinks) + "/etc"
	withDeadline(t, 5*time.Second, func() {
		if data, err := h.ReadFile(pipePath); err == nil {
			t.Errorf("ReadFile(%s) = %q, want an error", pipePath, data)
		}
		if _, err := h.ReadDir(pipePath); err == nil {
			t.Errorf("ReadDir(%s) succeeded", pipePath)
		}
		if fi, err := h.Stat("/proc/self/root/etc"); err != nil || !fi.IsDir() {
			t.Errorf("Stat(/proc/self/root/etc) = %+v, %v", fi, err)
		}
		if _, err := h.Stat(deep); !errors.Is(err, ErrLoop) {
			t.Errorf("Stat(%d x /proc/self/root) error = %v, want ErrLoop", MaxSymlinks, err)
		}
		if _, err := h.Glob("/proc/self/root/proc/self/root/etc/*"); err != nil {
			t.Errorf("Glob through /proc/self/root: %v", err)
		}
	})
}

// TestUnreadableAsNobody checks that a file the scanner may not read is
// fs.ErrPermission. As root every file is readable, so the test re-executes
// its own binary as uid 65534 (changing the uid of one thread of a Go
// process is not safe: other threads keep the old one).
func TestUnreadableAsNobody(t *testing.T) {
	if dir := os.Getenv("HOSTFS_TEST_NOBODY_ROOT"); dir != "" {
		checkUnreadable(t, dir)
		return
	}
	tr := newTestRoot(t)
	tr.file(t, "/etc/shadow", "root:$6$secret:19000::::::\n")
	if err := os.Chmod(filepath.Join(tr.dir, "etc/shadow"), 0o600); err != nil {
		t.Fatal(err)
	}
	tr.mkdir(t, "/secret")
	tr.file(t, "/secret/key", "k")
	if err := os.Chmod(filepath.Join(tr.dir, "secret"), 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		checkUnreadable(t, tr.dir)
		return
	}
	// nobody must reach the root and the binary: open up the temp dirs.
	for _, d := range []string{filepath.Dir(tr.parent), tr.parent, tr.dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(tr.parent, "hostfs.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestUnreadableAsNobody$", "-test.v", "-test.count=1")
	cmd.Env = []string{"HOSTFS_TEST_NOBODY_ROOT=" + tr.dir}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestUnreadableAsNobody") {
		t.Fatalf("child as uid 65534: %v\n%s", err, out)
	}
}

func checkUnreadable(t *testing.T, dir string) {
	for mode, h := range resolverModes(t, dir) {
		if _, err := h.ReadFile("/etc/shadow"); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: ReadFile(0600 root file) error = %v, want fs.ErrPermission", mode, err)
		}
		// Stat needs no read permission on the file itself.
		if fi, err := h.Stat("/etc/shadow"); err != nil || fi.Perm() != "0600" {
			t.Errorf("%s: Stat(/etc/shadow) = %+v, %v", mode, fi, err)
		}
		if _, err := h.ReadFile("/secret/key"); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: ReadFile(file in 0700 dir) error = %v, want fs.ErrPermission", mode, err)
		}
		if _, err := h.ReadDir("/secret"); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: ReadDir(0700 dir) error = %v, want fs.ErrPermission", mode, err)
		}
	}
}

// TestNonRegularNeverOpened proves that ReadFile does not open what is not
// a regular file at all: a writer blocked in open(2) on a FIFO is released
// by any reader's open, so if it stays blocked, nothing opened the FIFO.
// (A device node of an image would otherwise be opened on this machine.)
func TestNonRegularNeverOpened(t *testing.T) {
	tr := newTestRoot(t)
	fifo := filepath.Join(tr.dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tr.link(t, "/fifo", "/link")
	opened := make(chan *os.File, 1)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // blocks until a reader opens
		if err == nil {
			opened <- w
		}
		close(opened)
	}()
	time.Sleep(20 * time.Millisecond) // let the writer block
	for mode, h := range resolverModes(t, tr.dir) {
		for _, p := range []string{"/fifo", "/link"} {
			if _, err := h.ReadFile(p); !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: ReadFile(%s) error = %v, want ErrNotRegular", mode, p, err)
			}
		}
	}
	select {
	case w := <-opened:
		if w != nil {
			w.Close()
		}
		t.Fatal("the FIFO's writer was released: ReadFile opened the FIFO")
	case <-time.After(50 * time.Millisecond):
	}
	// Release the writer so the goroutine ends.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if w := <-opened; w != nil {
		w.Close()
	}
}
