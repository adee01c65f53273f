package pgconf

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/internal/testenv"
)

var update = flag.Bool("update", false, "record the PostgreSQL oracle's answers in testdata/hba/*/oracle.json")

// The oracle is PostgreSQL's own pg_hba_file_rules view: a throwaway
// cluster (initdb in a temp dir, unprivileged, unix socket only) reads
// each case's pg_hba.conf. Its answers are recorded in oracle.json beside
// each case, so the parser is compared with PostgreSQL on every run, and
// CI (which installs postgresql-15) checks the recordings are current.

// dataDirToken stands for the data directory in cases and recordings.
const dataDirToken = "/PGDATA"

// oracleRow is one row of pg_hba_file_rules in the form the parser's
// entries are compared in: address+netmask folded into normalised CIDR.
type oracleRow struct {
	Line      int      `json:"line"`
	Type      string   `json:"type,omitempty"`
	Databases []string `json:"databases,omitempty"`
	Users     []string `json:"users,omitempty"`
	Address   string   `json:"address,omitempty"`
	Method    string   `json:"method,omitempty"`
	Options   []string `json:"options,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func hbaCases(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "hba", "*"))
	if err != nil || len(dirs) < 15 {
		t.Fatalf("want at least 15 pg_hba cases, have %d (%v)", len(dirs), err)
	}
	return dirs
}

// caseFS loads a case directory as files under dataDirToken.
func caseFS(t testing.TB, dir string) memFS {
	t.Helper()
	fsys := memFS{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || fi.Name() == "oracle.json" {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		fsys[dataDirToken+"/"+filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// parserRows is what the parser says of a case, in the oracle's terms.
func parserRows(t testing.TB, dir string) []oracleRow {
	h, err := LoadHBA(caseFS(t, dir), dataDirToken+"/pg_hba.conf", HBAOptions{Version: 15})
	if err != nil {
		t.Fatal(err)
	}
	rows := []oracleRow{}
	for _, e := range h.Entries {
		r := oracleRow{Line: e.Line, Error: e.Error}
		if e.Error == "" {
			r.Type, r.Address, r.Method, r.Options = e.Type, e.Address, e.Method, e.Options
			r.Databases, r.Users = unquoteNames(e.Databases), unquoteNames(e.Users)
		}
		if len(r.Options) == 0 {
			r.Options = nil
		}
		rows = append(rows, r)
	}
	return rows
}

// unquoteNames drops the quotes facts keep on quoted keywords: the view
// shows the bare name.
func unquoteNames(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		if len(s) > 2 && s[0] == '"' && s[len(s)-1] == '"' && nameKeywords[s[1:len(s)-1]] {
			s = s[1 : len(s)-1]
		}
		out[i] = s
	}
	return out
}

// verbatimOptions are the options pg_hba_file_rules shows as written;
// the view renders the others from the parsed line (include_realm=true,
// ldapscope, clientcert implied by cert, ldapurl split up), while facts
// keep what the file says.
var verbatimOptions = map[string]bool{"map": true, "clientcert": true, "pamservice": true, "ldapserver": true, "ldapprefix": true,
	"ldapsuffix": true, "ldapbasedn": true, "ldapbinddn": true, "ldapsearchattribute": true, "ldapsearchfilter": true,
	"krb_realm": true, "radiusservers": true, "radiusidentifiers": true, "radiusports": true}

// compareRows reports the differences between PostgreSQL's rows and the
// parser's. Messages with an errno text (C library vs Go) are compared up
// to the file name. PostgreSQL 15 rejects some lines without a message
// (an empty row: bad clientcert/clientname values, radius without
// secrets): the parser must reject them too, with its own message.
func compareRows(t *testing.T, want, got []oracleRow) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("PostgreSQL has %d rows, the parser %d:\n%s", len(want), len(got), cmp.Diff(want, got))
		return
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Type == "" && w.Error == "" && g.Error != "" {
			w.Error = g.Error
		}
		for _, r := range []*oracleRow{&w, &g} {
			if strings.HasPrefix(r.Error, "could not open") {
				if j := strings.Index(r.Error, " as "); j > 0 {
					r.Error = r.Error[:j]
				}
			}
		}
		shown := map[string]bool{}
		for _, o := range w.Options {
			shown[o] = true
		}
		for _, o := range g.Options {
			if name, _, _ := strings.Cut(o, "="); verbatimOptions[name] && !shown[o] {
				t.Errorf("line %d: option %q is not in PostgreSQL's %q", g.Line, o, w.Options)
			}
		}
		w.Options, g.Options = nil, nil
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("line %d differs (-postgres +parser):\n%s", w.Line, diff)
		}
	}
}

// TestHBAMatchesRecordedOracle compares the parser with PostgreSQL 15's
// recorded pg_hba_file_rules for every case.
func TestHBAMatchesRecordedOracle(t *testing.T) {
	for _, dir := range hbaCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, "oracle.json"))
			if err != nil {
				t.Fatalf("%v (run the oracle: CI=true go test ./collectors/pgconf -run TestHBAOracleLive -update)", err)
			}
			var want []oracleRow
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			compareRows(t, want, parserRows(t, dir))
		})
	}
}

// TestHBAOracleLive asks a real PostgreSQL for every case and checks the
// recordings (with -update, rewrites them).
func TestHBAOracleLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		testenv.RequireFile(t, "/usr/lib/postgresql/15/bin/initdb")
	}
	bin := filepath.Dir(bins[len(bins)-1])
	pg := startCluster(t, bin)
	for _, dir := range hbaCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := pg.rules(t, dir)
			file := filepath.Join(dir, "oracle.json")
			if *update {
				b, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want []oracleRow
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("PostgreSQL's answer changed from %s (-recorded +now):\n%s", file, diff)
			}
		})
	}
}

type cluster struct {
	bin, data, sock string
	cred            *syscall.Credential
}

// startCluster runs initdb and pg_ctl start as an unprivileged user (the
// postgres account when the test runs as root), with ssl = on so that
// hostssl lines are judged as on a TLS-enabled server.
func startCluster(t *testing.T, bin string) *cluster {
	t.Helper()
	base, err := os.MkdirTemp("", "ztscan-pg-oracle-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	c := &cluster{bin: bin, data: filepath.Join(base, "data"), sock: filepath.Join(base, "sock")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres account: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		for _, d := range []string{base} {
			os.Chmod(d, 0o755)
			os.Chown(d, uid, gid)
		}
	}
	if err := os.Mkdir(c.sock, 0o755); err != nil {
		t.Fatal(err)
	}
	if c.cred != nil {
		os.Chown(c.sock, int(c.cred.Uid), int(c.cred.Gid))
	}
	c.run(t, "initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "--no-sync")
	writeServerCert(t, c)
	c.run(t, "pg_ctl", "-D", c.data, "-w", "-l", filepath.Join(base, "log"), "-o",
		fmt.Sprintf("-k %s -c listen_addresses='' -c ssl=on", c.sock), "start")
	t.Cleanup(func() { c.runErr("pg_ctl", "-D", c.data, "-m", "immediate", "stop") })
	return c
}

func writeServerCert(t *testing.T, c *cluster) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "oracle"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	files := map[string][]byte{
		"server.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"server.key": pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
	}
	for name, data := range files {
		p := filepath.Join(c.data, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if c.cred != nil {
			os.Chown(p, int(c.cred.Uid), int(c.cred.Gid))
		}
	}
}

func (c *cluster) command(name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	_ = cancel // the process ends well before; the context bounds a hang
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/bin:/bin"}
	cmd.Dir = "/"
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

func (c *cluster) run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := c.runErr(name, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}

func (c *cluster) runErr(name string, args ...string) ([]byte, error) {
	var out, stderr bytes.Buffer
	cmd := c.command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	if err != nil {
		return append(out.Bytes(), stderr.Bytes()...), err
	}
	return out.Bytes(), nil
}

// rules writes the case's files into the data directory (pg_hba.conf is
// re-read by the view on every query; the running server keeps the rules
// it started with) and reads pg_hba_file_rules.
func (c *cluster) rules(t *testing.T, dir string) []oracleRow {
	t.Helper()
	fsys := caseFS(t, dir)
	for p, data := range fsys {
		dst := filepath.Join(c.data, strings.TrimPrefix(p, dataDirToken+"/"))
		os.MkdirAll(filepath.Dir(dst), 0o755)
		data = bytes.ReplaceAll(data, []byte(dataDirToken), []byte(c.data))
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const q = `select coalesce(json_agg(json_build_object('line', line_number, 'type', type, 'databases', database, 'users', user_name, 'address', address, 'netmask', netmask, 'method', auth_method, 'options', options, 'error', error) order by line_number), '[]') from pg_hba_file_rules`
	out := c.run(t, "psql", "-X", "-A", "-t", "-h", c.sock, "-U", "postgres", "-d", "postgres", "-c", q)
	out = bytes.ReplaceAll(out, []byte(c.data), []byte(dataDirToken))
	var raw []struct {
		oracleRow
		Netmask *string `json:"netmask"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("psql output: %v\n%s", err, out)
	}
	rows := []oracleRow{}
	for _, r := range raw {
		row := r.oracleRow
		if r.Netmask != nil {
			a, ok1 := parseNumericHost(row.Address)
			m, ok2 := parseNumericHost(*r.Netmask)
			if !ok1 || !ok2 {
				t.Fatalf("line %d: address %q netmask %q", row.Line, row.Address, *r.Netmask)
			}
			row.Address = normalizeAddr(a, m)
		}
		rows = append(rows, row)
	}
	return rows
}
