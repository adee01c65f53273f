package sudoersconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// casesDir holds the sudoers corpus shared with the collector's tests:
// each case is a small root (etc/sudoers, its includes) and a case.txt
// saying "valid users=a,b" (the users sudo -l is asked about) or
// "invalid". passwd and group beside the cases define the test users.
const casesDir = "../testdata/sudoers"

type sudoersCase struct {
	name  string
	dir   string
	valid bool
	users []string
}

func loadCases(t testing.TB) []sudoersCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(casesDir, "*", "case.txt"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no sudoers cases: %v", err)
	}
	var out []sudoersCase
	for _, f := range dirs {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fields := strings.Fields(string(data))
		c := sudoersCase{name: filepath.Base(filepath.Dir(f)), dir: filepath.Dir(f), valid: len(fields) > 0 && fields[0] == "valid"}
		for _, fl := range fields[1:] {
			if v, ok := strings.CutPrefix(fl, "users="); ok {
				c.users = strings.Split(v, ",")
			}
		}
		out = append(out, c)
	}
	return out
}

func loadCase(t testing.TB, c sudoersCase) (*Policy, error) {
	t.Helper()
	h, err := hostfs.Rootfs(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	return Load(h, Path, Options{Hostname: "testhost"})
}

// TestCorpusValidity: the parser accepts exactly the cases recorded as
// valid, and names the file and line of what it refuses.
func TestCorpusValidity(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			p, err := loadCase(t, c)
			if c.valid && err != nil {
				t.Fatalf("parser refuses a valid case: %v", err)
			}
			if !c.valid {
				if err == nil {
					t.Fatalf("parser accepts an invalid case: %d grants", len(p.Grants))
				}
				if !strings.Contains(err.Error(), "/etc/sudoers") {
					t.Errorf("error does not name the file: %v", err)
				}
			}
		})
	}
}
