package sshdconfig

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestToMap(t *testing.T) {
	tests := []struct {
		name string
		dump string
		want map[string]any
	}{
		{
			name: "multi-valued keywords are arrays",
			dump: "port 22\nport 2222\npermitrootlogin no\nhostkey /a\nauthorizedkeysfile .ssh/a .ssh/b\npermitopen any\n",
			want: map[string]any{
				"port": []string{"22", "2222"}, "permitrootlogin": "no", "hostkey": []string{"/a"},
				"authorizedkeysfile": []string{".ssh/a", ".ssh/b"}, "permitopen": []string{"any"},
				"listenaddress": []string{}, "hostcertificate": []string{}, "allowusers": []string{},
				"denyusers": []string{}, "allowgroups": []string{}, "denygroups": []string{},
				"acceptenv": []string{}, "setenv": []string{}, "subsystem": []string{},
			},
		},
		{
			name: "unknown repeated keyword becomes an array",
			dump: "foo a\r\nfoo b\n\nBAR x y\n",
			want: map[string]any{
				"foo": []string{"a", "b"}, "bar": "x y",
				"port": []string{}, "listenaddress": []string{}, "hostkey": []string{}, "hostcertificate": []string{},
				"allowusers": []string{}, "denyusers": []string{}, "allowgroups": []string{},
				"denygroups": []string{}, "acceptenv": []string{}, "setenv": []string{}, "subsystem": []string{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ToMap(ParseDump([]byte(tt.dump)))); diff != "" {
				t.Errorf("ToMap (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLiveAndOfflineAgree: ParseDump of the parser's own rendering gives
// back the same settings, so the live (sshd -T) and offline paths build
// identical fact maps.
func TestLiveAndOfflineAgree(t *testing.T) {
	cfg, err := Load(dirFS{"testdata/corpus/debian-stock/root"}, "/etc/ssh/sshd_config", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := cfg.Effective(nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ToMap(s), ToMap(ParseDump([]byte(String(s))))); diff != "" {
		t.Error(diff)
	}
}

func TestMatchBlocksAndFiles(t *testing.T) {
	fsys := memFS{
		"/etc/ssh/sshd_config":          "Include sshd_config.d/*.conf\nMatch User alice,bob Address 10.0.0.0/8\n\tPermitRootLogin prohibit-password\n\tClientAliveInterval 1m\nMatch all\n\tAllowUsers a b\n",
		"/etc/ssh/sshd_config.d/a.conf": "PasswordAuthentication no\n",
	}
	cfg, err := Load(fsys, "/etc/ssh/sshd_config", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []MatchBlock{
		{Criteria: "User alice,bob Address 10.0.0.0/8", File: "/etc/ssh/sshd_config", Line: 2, Settings: []Setting{
			{"permitrootlogin", "without-password"}, {"clientaliveinterval", "60"}}},
		{Criteria: "all", File: "/etc/ssh/sshd_config", Line: 5, Settings: []Setting{
			{"allowusers", "a"}, {"allowusers", "b"}}},
	}
	if diff := cmp.Diff(want, cfg.MatchBlocks()); diff != "" {
		t.Errorf("MatchBlocks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/a.conf"}, cfg.Files()); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
	if !cfg.VersionExact() {
		t.Error("default version should be exact")
	}
}

// errFS returns a fixed error for one file (a FIFO refused by hostfs, a
// permission problem, ...).
type errFS struct {
	memFS
	bad string
	err error
}

func (e errFS) ReadFile(p string) ([]byte, error) {
	if p == e.bad {
		return nil, e.err
	}
	return e.memFS.ReadFile(p)
}

func TestReadErrors(t *testing.T) {
	fifo := errors.New("not a regular file")
	tests := []struct {
		name   string
		fsys   FS
		wantIs error
	}{
		{"missing main file", memFS{}, os.ErrNotExist},
		{"fifo include", errFS{memFS{"/etc/ssh/sshd_config": "Include x.conf\n", "/etc/ssh/x.conf": ""}, "/etc/ssh/x.conf", fifo}, fifo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.fsys, "/etc/ssh/sshd_config", Options{})
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("got %v, want %v", err, tt.wantIs)
			}
		})
	}
	// A directory matched by an Include glob reads as empty, as in sshd.
	dir := errFS{memFS{"/etc/ssh/sshd_config": "Include d/*\nPort 2\n", "/etc/ssh/d/sub": ""}, "/etc/ssh/d/sub", &os.PathError{Op: "read", Path: "/etc/ssh/d/sub", Err: syscall.EISDIR}}
	if _, err := Load(dir, "/etc/ssh/sshd_config", Options{}); err != nil {
		t.Fatalf("directory include: %v", err)
	}
}

func TestConfigErrorText(t *testing.T) {
	tests := []struct {
		config string
		want   string
	}{
		{"PasswordAuthentication maybe\n", `/etc/ssh/sshd_config line 1: unsupported option "maybe".`},
		{"Foo bar\n", "/etc/ssh/sshd_config: line 1: Bad configuration option: Foo"},
		{"\n\nMaxAuthTries lots\n", "/etc/ssh/sshd_config line 3: MaxAuthTries integer value invalid."},
		{"Include sshd_config\n", "Too many recursive configuration includes"},
		{"Banner\x01\n", `/etc/ssh/sshd_config line 1: no argument after keyword "Banner\001"`},
	}
	for _, tt := range tests {
		_, err := Load(memFS{"/etc/ssh/sshd_config": tt.config}, "/etc/ssh/sshd_config", Options{})
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("%q: got %v, want a *ConfigError", tt.config, err)
		}
		if ce.Error() != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.config, ce.Error(), tt.want)
		}
	}
}
