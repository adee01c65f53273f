package ship

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ztscan/ztscan/internal/testenv"
)

// rsyslogd is a real rsyslog started for one test on a loopback port:
// imtcp (octet-counted framing is how it splits the stream), plain or
// with the gtls driver, writing every message it receives, exactly as
// received (%rawmsg%), as one line of out.log.
type rsyslogd struct {
	dir, out string
	port     int
	cmd      *exec.Cmd
	exited   chan struct{}
}

type rsyslogTLS struct {
	pki        testPKI
	clientAuth bool // require a client certificate signed by the CA
}

func startRsyslog(t *testing.T, port int, tlsOpt *rsyslogTLS) *rsyslogd {
	t.Helper()
	bin, err := exec.LookPath("rsyslogd")
	if err != nil { // /usr/sbin is not in every user's PATH
		bin = testenv.RequireFile(t, "/usr/sbin/rsyslogd")
	}
	if tlsOpt != nil {
		// The gtls driver is the rsyslog-gnutls package.
		if m, _ := filepath.Glob("/usr/lib/*/rsyslog/lmnsd_gtls.so"); len(m) == 0 {
			testenv.RequireFile(t, "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so")
		}
	}
	dir := t.TempDir()
	r := &rsyslogd{dir: dir, out: filepath.Join(dir, "out.log")}
	portFile := filepath.Join(dir, "port")
	input := fmt.Sprintf(`input(type="imtcp" port="%d" address="127.0.0.1" listenPortFileName=%q ruleset="raw"`, port, portFile)
	if tlsOpt != nil {
		auth := "anon"
		if tlsOpt.clientAuth {
			auth = "x509/certvalid"
		}
		input += fmt.Sprintf(` streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode=%q streamDriver.CAFile=%q streamDriver.CertFile=%q streamDriver.KeyFile=%q`,
			auth, tlsOpt.pki.CA, tlsOpt.pki.ServerCert, tlsOpt.pki.ServerKey)
	}
	input += ")"
	// maxMessageSize is left at rsyslog's default (8k): ztscan's default
	// max_size must fit it.
	conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imtcp")
template(name="raw" type="string" string="%%rawmsg%%\n")
%s
ruleset(name="raw") { action(type="omfile" file=%q template="raw") }
`, dir, input, r.out)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	r.cmd = exec.Command(bin, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	r.cmd.Stdout, r.cmd.Stderr = &stderr, &stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("rsyslogd: %v", err)
	}
	exited := make(chan struct{})
	r.exited = exited
	go func() { r.cmd.Wait(); close(exited) }()
	t.Cleanup(func() { r.stop(t) })
	deadline := time.Now().Add(15 * time.Second)
	for {
		if port != 0 {
			// rsyslog writes the port file only for port 0: probe instead.
			if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
				c.Close()
				r.port = port
				return r
			}
		} else if data, err := os.ReadFile(portFile); err == nil && len(bytes.TrimSpace(data)) > 0 {
			r.port, _ = strconv.Atoi(string(bytes.TrimSpace(data)))
			if r.port > 0 {
				return r
			}
		}
		select {
		case <-exited:
			t.Fatalf("rsyslogd exited: %s", stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd did not listen within 15s: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rsyslogd) stop(t *testing.T) {
	select {
	case <-r.exited:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
	}
}

// messages waits until out.log holds n messages (or 10 s pass) and
// returns them.
func (r *rsyslogd) messages(t *testing.T, n int) []string {
	t.Helper()
	var lines []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines = lines[:0]
		if f, err := os.Open(r.out); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			f.Close()
		}
		if len(lines) >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syslogMsg is an RFC 5424 message parsed back.
type syslogMsg struct {
	pri                                       int
	timestamp, host, app, procID, msgID, sdID string
	params                                    map[string]string
	msg                                       string
}

// parse5424 is a strict RFC 5424 parser for one message with one
// SD-ELEMENT, the shape ztscan writes.
func parse5424(s string) (syslogMsg, error) {
	var m syslogMsg
	if !strings.HasPrefix(s, "<") {
		return m, errors.New("no PRI")
	}
	end := strings.IndexByte(s, '>')
	if end < 2 || end > 4 {
		return m, errors.New("bad PRI")
	}
	pri, err := strconv.Atoi(s[1:end])
	if err != nil || pri > 191 {
		return m, errors.New("bad PRI value")
	}
	m.pri = pri
	rest := s[end+1:]
	fields := strings.SplitN(rest, " ", 7)
	if len(fields) != 7 || fields[0] != "1" {
		return m, fmt.Errorf("bad header %q", rest)
	}
	m.timestamp, m.host, m.app, m.procID, m.msgID = fields[1], fields[2], fields[3], fields[4], fields[5]
	if _, err := time.Parse(time.RFC3339Nano, m.timestamp); err != nil {
		return m, fmt.Errorf("timestamp: %v", err)
	}
	sd := fields[6]
	if !strings.HasPrefix(sd, "[") {
		return m, errors.New("no structured data")
	}
	i := 1
	for i < len(sd) && sd[i] != ' ' && sd[i] != ']' {
		i++
	}
	m.sdID = sd[1:i]
	m.params = map[string]string{}
	for i < len(sd) && sd[i] == ' ' {
		i++
		eq := strings.IndexByte(sd[i:], '=')
		if eq < 1 || i+eq+1 >= len(sd) || sd[i+eq+1] != '"' {
			return m, errors.New("bad SD-PARAM")
		}
		name := sd[i : i+eq]
		i += eq + 2
		var val strings.Builder
		for {
			if i >= len(sd) {
				return m, errors.New("unterminated PARAM-VALUE")
			}
			c := sd[i]
			if c == '\\' && i+1 < len(sd) && strings.IndexByte(`"\]`, sd[i+1]) >= 0 {
				val.WriteByte(sd[i+1])
				i += 2
				continue
			}
			if c == '"' {
				i++
				break
			}
			if c == ']' {
				return m, errors.New("unescaped ] in PARAM-VALUE")
			}
			val.WriteByte(c)
			i++
		}
		m.params[name] = val.String()
	}
	if i >= len(sd) || sd[i] != ']' {
		return m, errors.New("SD-ELEMENT not closed")
	}
	i++
	if i < len(sd) {
		if sd[i] != ' ' {
			return m, errors.New("no space before MSG")
		}
		m.msg = sd[i+1:]
	}
	return m, nil
}
