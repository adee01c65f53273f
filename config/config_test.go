package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadOverlaysDefaults(t *testing.T) {
	p := writeConfig(t, "ssh:\n  max_auth_tries: 4\nhost:\n  router: true\n")
	cfg, err := Load(p, true)
	if err != nil {
		t.Fatal(err)
	}
	ssh := cfg.Values["ssh"].(map[string]any)
	if ssh["max_auth_tries"] != 4.0 {
		t.Errorf("max_auth_tries = %v, want 4", ssh["max_auth_tries"])
	}
	if ssh["max_sessions"] != 2.0 {
		t.Errorf("max_sessions = %v, want the default 2 kept", ssh["max_sessions"])
	}
	if cfg.Values["host"].(map[string]any)["router"] != true {
		t.Error("router not overridden")
	}
	if cfg.Source != p {
		t.Errorf("source = %q", cfg.Source)
	}
}

func TestLoadErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"unknown key", "ssh:\n  max_auth_trys: 4\n", ":2: ssh.max_auth_trys: unknown key"},
		{"wrong type", "ssh:\n  max_auth_tries: lots\n", ":2: ssh.max_auth_tries: want an integer"},
		{"bool as string", "host:\n  router: \"yes\"\n", ":2: host.router: want a boolean"},
		{"mapping expected", "ssh: 3\n", ":1: ssh: want a mapping"},
		{"list item type", "ssh:\n  otp_pam_modules: [1]\n", ":2: ssh.otp_pam_modules[]: want a string"},
		{"duplicate key", "ssh:\n  max_sessions: 1\n  max_sessions: 2\n", ":3: ssh.max_sessions: key given twice"},
		{"syntax", "ssh: [\n", "config "},
		{"top-level unknown", "sh:\n  a: 1\n", ":1: sh: unknown key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeConfig(t, c.body)
			_, err := Load(p, true)
			if err == nil {
				t.Fatalf("no error for %q", c.body)
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %s and %q", err, p, c.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if _, err := Load(missing, true); err == nil {
		t.Error("an explicit missing --config must be an error")
	}
	cfg, err := Load(missing, false)
	if err != nil || cfg.Source != "" {
		t.Errorf("the default path may be absent: %v %q", err, cfg.Source)
	}
}

func TestLoadRefusesNonRegularAndHuge(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, true); err == nil {
		t.Error("a directory must be refused")
	}
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, []byte(strings.Repeat("#", maxConfigSize+10)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(huge, true); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge file: %v", err)
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	cfg, err := Load(writeConfig(t, "# nothing\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Defaults()
	if len(cfg.Values) != len(d.Values) {
		t.Error("empty file changed the defaults")
	}
}

// TestDefaultsAreOneSchema: every default file parses, owns distinct
// top-level keys, and the merged defaults validate against themselves.
func TestDefaultsAreOneSchema(t *testing.T) {
	cfg, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ssh", "host", "kernel"} {
		if _, ok := cfg.Values[k]; !ok {
			t.Errorf("defaults lack %q", k)
		}
	}
	p := filepath.Join(t.TempDir(), "all.yaml")
	if err := os.WriteFile(p, DefaultsYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, true); err != nil {
		t.Errorf("the defaults do not validate as a user file: %v", err)
	}
}
