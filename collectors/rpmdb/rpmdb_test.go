package rpmdb

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

var demo = Package{Name: "zt-demo", Epoch: 2, Version: "1.2", Release: "3.fc40", Arch: "noarch", SourceRPM: "zt-demo-1.2-3.fc40.src.rpm"}

// requireTool is testenv.RequireTool (skip locally, fail in CI).
func requireTool(t testing.TB, name string) string {
	t.Helper()
	return testenv.RequireTool(t, name)
}

func TestCheckedInSQLite(t *testing.T) {
	data, err := os.ReadFile("testdata/rpmdb.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pkgs, format, err := Decode(data)
	if err != nil || format != "sqlite" {
		t.Fatalf("Decode: %v (%s)", err, format)
	}
	if d := cmp.Diff([]Package{demo}, pkgs); d != "" {
		t.Error(d)
	}
	if demo.EVR() != "2:1.2-3.fc40" || demo.SourceName() != "zt-demo" {
		t.Errorf("EVR %q source %q", demo.EVR(), demo.SourceName())
	}
}

// TestSQLiteBuiltByRPM builds packages with rpmbuild, installs them into a
// fresh database with rpm --justdb, and reads it back; rpm -qa is the
// oracle.
func TestSQLiteBuiltByRPM(t *testing.T) {
	rpmbuild := requireTool(t, "rpmbuild")
	rpm := requireTool(t, "rpm")
	top, dbdir := t.TempDir(), t.TempDir()
	var rpms []string
	for i, name := range []string{"alpha", "beta-tools", "gamma"} {
		spec := filepath.Join(top, name+".spec")
		body := "Name: " + name + "\nVersion: 1." + string(rune('0'+i)) + "\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
		if i == 1 {
			body += "Epoch: 7\n"
		}
		// a long description makes the header overflow an sqlite page
		body += "%description\n" + strings.Repeat("zero trust ", 800*(i+1)) + "\n%files\n"
		if err := os.WriteFile(spec, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(rpmbuild, "--define", "_topdir "+top, "-bb", spec).CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild: %v\n%s", err, out)
		}
	}
	rpms, _ = filepath.Glob(filepath.Join(top, "RPMS", "noarch", "*.rpm"))
	if out, err := exec.Command(rpm, "--dbpath", dbdir, "--initdb").CombinedOutput(); err != nil {
		t.Fatalf("rpm --initdb: %v\n%s", err, out)
	}
	args := append([]string{"--dbpath", dbdir, "-i", "--justdb", "--nodeps"}, rpms...)
	if out, err := exec.Command(rpm, args...).CombinedOutput(); err != nil {
		t.Fatalf("rpm -i: %v\n%s", err, out)
	}
	out, err := exec.Command(rpm, "--dbpath", dbdir, "-qa", "--qf", "%{NAME} %{EVR} %{ARCH}\\n").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(out)), "\n")
	sort.Strings(want)
	h, _ := hostfs.Rootfs(dbdir)
	pkgs, format, err := Read(h, "/rpmdb.sqlite")
	if err != nil || format != "sqlite" {
		t.Fatalf("Read: %v (%s)", err, format)
	}
	var got []string
	for _, p := range pkgs {
		got = append(got, p.Name+" "+p.EVR()+" "+p.Arch)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("-rpm -qa +ztscan:\n%s", d)
	}
}

// TestBerkeleyDB reads the BDB databases of real CentOS 5 to 8 systems
// that go-rpmdb ships as test data, and compares with the `rpm -qa`
// output recorded beside them (rpmdb_testcase.go): rpm itself is the
// oracle. The module source is in the module cache whenever go.mod's
// dependencies were downloaded.
func TestBerkeleyDB(t *testing.T) {
	goBin := requireTool(t, "go")
	out, err := exec.Command(goBin, "list", "-m", "-f", "{{.Dir}}", "github.com/knqyf263/go-rpmdb").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("go-rpmdb module source not available: %v", err)
	}
	cases, err := os.ReadFile(filepath.Join(dir, "pkg", "rpmdb_testcase.go"))
	if err != nil {
		t.Skipf("go-rpmdb test cases not available: %v", err)
	}
	row := regexp.MustCompile(`^\t\t\{(\d+), "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)", "([^"]*)",`)
	vars := regexp.MustCompile(`^\t(CentOS\w+) = \[\]\*PackageInfo\{`)
	want := map[string][]string{}
	cur := ""
	for _, l := range strings.Split(string(cases), "\n") {
		if m := vars.FindStringSubmatch(l); m != nil {
			cur = m[1]
			continue
		}
		if m := row.FindStringSubmatch(l); m != nil && cur != "" {
			want[cur] = append(want[cur], m[1]+":"+m[2]+"-"+m[3]+"-"+m[4]+"."+m[5]+" "+m[6])
		}
	}
	files := map[string]string{
		"CentOS5Plain": "centos5-plain", "CentOS6Plain": "centos6-plain", "CentOS6DevTools": "centos6-devtools",
		"CentOS7Many": "centos7-many", "CentOS7Httpd24": "centos7-httpd24", "CentOS8Modularitylabel": "centos8-modularitylabel",
	}
	for v, f := range files {
		t.Run(f, func(t *testing.T) {
			if len(want[v]) == 0 {
				t.Skipf("no recorded rpm -qa for %s", v)
			}
			data, err := os.ReadFile(filepath.Join(dir, "pkg", "testdata", f, "Packages"))
			if err != nil {
				t.Skip(err)
			}
			pkgs, format, err := Decode(data)
			if err != nil || format != "bdb" {
				t.Fatalf("Decode: %v (%s)", err, format)
			}
			var got []string
			for _, p := range pkgs {
				// the recorded output has "" where rpm prints (none)
				src := strings.ReplaceAll(p.SourceRPM, "(none)", "")
				got = append(got, fmt.Sprintf("%d:%s-%s-%s.%s %s", max(p.Epoch, 0), p.Name, p.Version, p.Release, p.Arch, src))
			}
			sort.Strings(got)
			w := append([]string(nil), want[v]...)
			sort.Strings(w)
			if d := cmp.Diff(w, got); d != "" {
				t.Errorf("-rpm -qa +ztscan:\n%s", d)
			}
		})
	}
}

// ndbImage builds an ndb database holding the given header blobs, laid
// out as rpm's rpmpkg.c writes it.
func ndbImage(blobs [][]byte) []byte {
	const slotPages = 1
	img := make([]byte, slotPages*ndbPageSize)
	le := binary.LittleEndian
	le.PutUint32(img, ndbHeaderMagic)
	le.PutUint32(img[12:], slotPages)
	for off := ndbHeaderSize; off < len(img); off += 16 {
		le.PutUint32(img[off:], ndbSlotMagic)
	}
	for i, b := range blobs {
		blk := len(img) / ndbBlockSize
		n := (16 + len(b) + 15) / 16 * 16
		rec := make([]byte, n)
		le.PutUint32(rec, ndbBlobMagic)
		le.PutUint32(rec[4:], uint32(i+1))
		le.PutUint32(rec[12:], uint32(len(b)))
		copy(rec[16:], b)
		img = append(img, rec...)
		slot := img[ndbHeaderSize+16*i:]
		le.PutUint32(slot[4:], uint32(i+1))
		le.PutUint32(slot[8:], uint32(blk))
		le.PutUint32(slot[12:], uint32(n/ndbBlockSize))
	}
	return img
}

// demoBlob is the header blob of the checked-in sqlite database.
func demoBlob(t testing.TB) []byte {
	data, err := os.ReadFile("testdata/rpmdb.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := readSQLite(data)
	if err != nil || len(blobs) != 1 {
		t.Fatalf("readSQLite: %v", err)
	}
	return blobs[0]
}

func TestNDB(t *testing.T) {
	pkgs, format, err := Decode(ndbImage([][]byte{demoBlob(t)}))
	if err != nil || format != "ndb" {
		t.Fatalf("Decode: %v (%s)", err, format)
	}
	if d := cmp.Diff([]Package{demo}, pkgs); d != "" {
		t.Error(d)
	}
}

func TestNotADatabase(t *testing.T) {
	blob := demoBlob(t)
	sqlite, _ := os.ReadFile("testdata/rpmdb.sqlite")
	truncated := append([]byte(nil), sqlite[:8192]...)
	ndbBad := ndbImage([][]byte{blob})
	binary.LittleEndian.PutUint32(ndbBad[ndbHeaderSize+4+8:], 1<<30) // blob offset past the end
	badHeader := append([]byte(nil), blob...)
	binary.BigEndian.PutUint32(badHeader[4:], 1<<25) // data length past the blob
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":          {nil, "not an rpm database"},
		"text":           {[]byte(strings.Repeat("hello world\n", 100)), "not an rpm database"},
		"sqlite garbage": {append([]byte(sqliteMagic), make([]byte, 200)...), "sqlite: bad page size"},
		"sqlite cut":     {truncated, "beyond the end of the file"},
		"ndb overrun":    {ndbBad, "out of the file"},
		"bad header":     {ndbImage([][]byte{badHeader}), "not an rpm header"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := Decode(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Read names the file
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "var/lib/rpm"), 0o755)
	os.WriteFile(filepath.Join(root, "var/lib/rpm/rpmdb.sqlite"), []byte("not a database at all, just text long enough"), 0o644)
	h, _ := hostfs.Rootfs(root)
	p, err := Find(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Read(h, p)
	if err == nil || !strings.HasPrefix(err.Error(), "/var/lib/rpm/rpmdb.sqlite: ") {
		t.Errorf("error %v does not name the file", err)
	}
}

// TestCyclicSQLite points an interior page at itself: an error, not a hang.
func TestCyclicSQLite(t *testing.T) {
	img := make([]byte, 2*1024)
	copy(img, sqliteMagic)
	binary.BigEndian.PutUint16(img[16:], 1024)
	img[100] = 0x05 // page 1 interior, no cells, right child = page 1
	binary.BigEndian.PutUint32(img[108:], 1)
	done := make(chan error, 1)
	go func() { _, _, err := Decode(img); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "referenced twice") {
			t.Errorf("error %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Decode hangs on a cyclic b-tree")
	}
}

func FuzzDecode(f *testing.F) {
	sqlite, _ := os.ReadFile("testdata/rpmdb.sqlite")
	f.Add(sqlite)
	blobs, _ := readSQLite(sqlite)
	if len(blobs) == 1 {
		f.Add(ndbImage(blobs))
		f.Add(blobs[0])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		Decode(data)
		ParseHeader(data)
	})
}

func BenchmarkDecodeBDB(b *testing.B) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/knqyf263/go-rpmdb").Output()
	if err != nil {
		b.Skip(err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pkg/testdata/centos7-many/Packages"))
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
