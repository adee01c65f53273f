package sudoersconf

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any input either parses or is an *Error naming the file
// and a line inside it; never a panic or a hang.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(casesDir, "*", "etc", "sudoers"))
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(string(data))
		}
	}
	f.Add("alice ALL=(ALL:ALL) NOPASSWD: /bin/ls \\\n a\\,b, !/bin/su # c\n")
	f.Add("Defaults:%wheel,!bob env_keep+=\"A B\", !lecture\n")
	f.Add("Cmnd_Alias C = sha256:abc= /bin/x, ^/bin/re$ : D = C, !C\n")
	f.Fuzz(func(t *testing.T, data string) {
		p, err := Parse("/etc/sudoers", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error is not an *Error: %v", err)
			}
			if pe.File != "/etc/sudoers" {
				t.Fatalf("error names %q", pe.File)
			}
			return
		}
		for _, g := range p.Grants {
			if g.Principal == "" || g.Host == "" || g.Path == "" || g.Line < 1 {
				t.Fatalf("incomplete grant %+v", g)
			}
		}
	})
}
