package nftables

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ztscan/ztscan/collectors/fwmodel"
	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/internal/testenv"
)

// requireLoader: loading a ruleset into a throwaway namespace needs root,
// nft and ip (skip locally, fail in CI).
func requireLoader(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireTool(t, "nft")
	testenv.RequireTool(t, "ip")
}

func writeTree(t *testing.T, files map[string]string) hostfs.Host {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestFlatten(t *testing.T) {
	h := writeTree(t, map[string]string{
		"etc/nftables.conf":      "flush ruleset\ninclude \"nft.d/*.nft\"\ntable inet f {\n\tinclude \"./etc/chain.nft\" # comment\n}\n",
		"etc/nft.d/b.nft":        "define B = 2\n",
		"etc/nft.d/a.nft":        "define A = 1 # include \"x\" in a comment is fine\n",
		"etc/chain.nft":          "chain c { comment \"include this\"; }\n",
		"etc/nft.d/sub.dir/x.nf": "ignored\n",
	})
	f, err := Flatten(h, "/etc/nftables.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := "flush ruleset\ndefine A = 1 # include \"x\" in a comment is fine\ndefine B = 2\ntable inet f {\nchain c { comment \"include this\"; }\n}\n"
	if string(f.Text) != want {
		t.Errorf("text:\n%s\nwant:\n%s", f.Text, want)
	}
	if got := strings.Join(f.Files, ","); got != "/etc/nftables.conf,/etc/nft.d/a.nft,/etc/nft.d/b.nft,/etc/chain.nft" {
		t.Errorf("files %s", got)
	}
	if w := f.Where(5); w != "/etc/chain.nft:1" {
		t.Errorf("Where(5) = %s", w)
	}
	if got := f.Locate("/dev/stdin:5:3-7: Error: x"); got != "/etc/chain.nft:1:3-7: Error: x" {
		t.Errorf("Locate: %s", got)
	}
}

func TestFlattenErrors(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"loop":           {map[string]string{"etc/nftables.conf": "include \"/etc/a.nft\"\n", "etc/a.nft": "include \"/etc/nftables.conf\"\n"}, "include loop: /etc/nftables.conf -> /etc/a.nft -> /etc/nftables.conf"},
		"missing":        {map[string]string{"etc/nftables.conf": "include \"/etc/none.nft\"\n"}, "/etc/nftables.conf:1: include \"/etc/none.nft\": /etc/none.nft does not exist"},
		"inline include": {map[string]string{"etc/nftables.conf": "table inet f { include \"/etc/x\" }\n"}, "/etc/nftables.conf:1: include in a form"},
		"binary":         {map[string]string{"etc/nftables.conf": "table\x00"}, "/etc/nftables.conf: binary data"},
		"escape":         {map[string]string{"etc/nftables.conf": "include \"../../../../etc/passwd\"\n"}, "/etc/nftables.conf:1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Flatten(writeTree(t, tc.files), "/etc/nftables.conf")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoaderRoundTrip(t *testing.T) {
	requireLoader(t)
	data, err := os.ReadFile(filepath.Join("..", "testdata", "firewall", "named-sets.nft"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := NewLoader().JSON(context.Background(), &Flattened{Text: data})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	tb := rs.Table("inet", "filter")
	if tb == nil || len(tb.Chains["input"].Rules) != 2 || len(tb.Sets["open_ports"].Elements) != 2 {
		t.Fatalf("unexpected ruleset %+v", tb)
	}
	// A refused ruleset names the line; include left in the text is refused.
	_, err = NewLoader().JSON(context.Background(), &Flattened{Text: []byte("table inet f {\n chain c { acept; }\n}\n"), lines: []origin{{"/etc/a", 7}, {"/etc/a", 8}, {"/etc/a", 9}}})
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "/etc/a:8:") {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewLoader().JSON(context.Background(), &Flattened{Text: []byte("include \"/etc/shadow\"\n")}); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("include not refused: %v", err)
	}
}

func TestLoaderUnavailable(t *testing.T) {
	l := &Loader{runner: hostfs.NewRunner(ScannerTools), tool: func(string) (string, error) { return "", errors.New("not here") }}
	_, err := l.JSON(context.Background(), &Flattened{Text: []byte("table inet f {}\n")})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseUnknownIsUncertain(t *testing.T) {
	js := `{"nftables": [{"table": {"family": "inet", "name": "f"}},
	{"chain": {"family": "inet", "table": "f", "name": "in", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
	{"rule": {"family": "inet", "table": "f", "chain": "in", "handle": 3, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 1}}, {"accept": null}]}},
	{"rule": {"family": "inet", "table": "f", "chain": "in", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"accept": null}]}}]}`
	rs, err := Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	ex := fwmodel.Classify(rs.Evaluate(fwmodel.Packet{Family: "ipv4", L4Proto: "tcp", Dport: 22, FromNetwork: true}, fwmodel.InputHooks))
	if ex.Status != fwmodel.Uncertain || !strings.Contains(ex.Reason, "meta mark 1") {
		t.Fatalf("%+v", ex)
	}
	ex = fwmodel.Classify(rs.Evaluate(fwmodel.Packet{Family: "ipv4", L4Proto: "tcp", Dport: 80, FromNetwork: true}, fwmodel.InputHooks))
	if ex.Status != fwmodel.AcceptedFromAny {
		t.Fatalf("port 80 is accepted whatever the mark: %+v", ex)
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"nftables": [{"table": {"family": "inet", "name": "f"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse(data)
		if err != nil {
			return
		}
		for _, fam := range []string{"ipv4", "ipv6"} {
			fwmodel.Classify(rs.Evaluate(fwmodel.Packet{Family: fam, L4Proto: "tcp", Dport: 22, FromNetwork: true}, fwmodel.InputHooks))
		}
	})
}
