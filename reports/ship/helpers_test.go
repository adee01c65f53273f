package ship

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztscan/ztscan/facts"
	"github.com/ztscan/ztscan/reports"
	"github.com/ztscan/ztscan/rules"
)

// testReport is a report with every status, a section whose name needs
// escaping in syslog structured data, and one result whose evidence is
// far larger than a syslog message may be.
func testReport(t testing.TB) *reports.Report {
	t.Helper()
	rule := func(id, section, sev string) rules.Rule {
		return rules.Rule{ID: id, Title: "Title of " + id, Section: section, Severity: sev,
			Description: "Checks " + id, Remediation: "Fix " + id + " <now> & then", References: []string{"NIST SP 800-53 CM-6"}}
	}
	big := map[string]any{"lines": strings.Repeat("x", 20000)}
	outcomes := []rules.Outcome{
		{Rule: rule("ZT-SSH-001", "SSH", "high"), Verdict: rules.Verdict{Status: "fail", Message: "PermitRootLogin is yes", Evidence: map[string]any{"file": "/etc/ssh/sshd_config", "line": 12}}},
		{Rule: rule("ZT-SSH-002", "SSH", "medium"), Verdict: rules.Verdict{Status: "pass", Message: "ok"}},
		{Rule: rule("ZT-FW-001", "FW", "critical"), Verdict: rules.Verdict{Status: "fail", Message: "input policy accept", Evidence: big}},
		{Rule: rule("ZT-LOG-001", `we"ird]\sec`, "low"), Verdict: rules.Verdict{Status: "error", Message: "journald: facts missing"}},
		{Rule: rule("ZT-NET-001", "NET", "info"), Verdict: rules.Verdict{Status: "skip", Message: "not a router: ünïcödé"}},
	}
	return reports.Build(reports.BuildInput{
		Tool:       facts.Tool{Name: "ztscan", Version: "1.2.3"},
		Target:     facts.Target{Kind: "host", Root: "/", Hostname: "web-01.example.com", OS: facts.OS{ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)"}},
		StartedAt:  time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.UTC),
		FinishedAt: time.Date(2025, 3, 4, 5, 6, 9, 0, time.UTC),
		Collectors: []facts.CollectorStatus{{Name: "sshd", Status: "ok", DurationMS: 120}, {Name: "journald", Status: "error", Error: "boom", DurationMS: 5}},
	}, outcomes)
}

func testEvents(t testing.TB) []Event {
	t.Helper()
	ev, err := Events(testReport(t))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func mustParse(t testing.TB, raw string) *Target {
	t.Helper()
	tg, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// testPKI is a CA with a server certificate for 127.0.0.1/localhost and a
// client certificate, as PEM files.
type testPKI struct {
	CA, ServerCert, ServerKey, ClientCert, ClientKey string
	OtherCA                                          string // a CA that signed nothing here
}

func newTestPKI(t testing.TB) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, caCert, caDER := newCA(t, "ztscan test CA")
	_, _, otherDER := newCA(t, "unrelated CA")
	leaf := func(name string, usage x509.ExtKeyUsage) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage: []x509.ExtKeyUsage{usage},
			DNSNames:    []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalPKCS8PrivateKey(key)
		cp, kp := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
		writePEM(t, cp, "CERTIFICATE", der)
		writePEM(t, kp, "PRIVATE KEY", kder)
		return cp, kp
	}
	p := testPKI{CA: filepath.Join(dir, "ca.pem"), OtherCA: filepath.Join(dir, "other-ca.pem")}
	writePEM(t, p.CA, "CERTIFICATE", caDER)
	writePEM(t, p.OtherCA, "CERTIFICATE", otherDER)
	p.ServerCert, p.ServerKey = leaf("server", x509.ExtKeyUsageServerAuth)
	p.ClientCert, p.ClientKey = leaf("client", x509.ExtKeyUsageClientAuth)
	return p
}

func newCA(t testing.TB, name string) (*ecdsa.PrivateKey, *x509.Certificate, []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert, der
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// freePort is a loopback port nothing listens on (at the time of asking).
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// bodyOf decodes an event body.
func bodyOf(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %.200s", err, b)
	}
	return m
}
