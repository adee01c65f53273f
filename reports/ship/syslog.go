package ship

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// syslogDest sends RFC 5424 messages over TCP or TLS with RFC 5425
// octet-counting framing ("LEN SP MSG", no trailer), one connection per
// batch.
//
// Syslog has no acknowledgement. A batch counts as delivered when the
// receiver, after ztscan half-closes the connection (TLS close_notify,
// then nothing more from ztscan), closes its side: rsyslog and syslog-ng
// do so only after reading everything up to ztscan's end of stream. A
// receiver that never reads, or never closes, leaves the batch
// unconfirmed and spooled. confirm=write trusts a completed write instead
// (for receivers that keep half-closed connections open).
type syslogDest struct {
	addr     string
	tls      *tls.Config // nil: plain TCP
	facility int
	maxSize  int
	confirm  bool
}

// sdID is the structured-data element ztscan writes. 32473 is the private
// enterprise number RFC 5612 reserves for examples: ztscan has none of
// its own, and a receiver only needs the ID to be stable.
const sdID = "ztscan@32473"

// Syslog defaults.
const (
	syslogTLSPort     = 6514 // RFC 5425
	syslogTCPPort     = 514  // customary for syslog over TCP (RFC 6587 assigns none)
	syslogDefaultSize = 8192 // rsyslog's default maxMessageSize, RFC 5425's SHOULD
	syslogMinSize     = 2048 // RFC 5425: receivers MUST take 2048 octets
)

// facilities are RFC 5424's facility codes by their customary names.
var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "audit": 13, "alert": 14, "clock": 15,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

const defaultFacility = "local0"

func parseSyslog(u *url.URL, p *params) (destination, error) {
	if u.User != nil {
		return nil, errors.New("syslog takes no user info")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("syslog takes no path (%q)", u.Path)
	}
	d := &syslogDest{facility: facilities[defaultFacility], maxSize: syslogDefaultSize, confirm: true}
	port := syslogTCPPort
	if u.Scheme == "syslog+tls" {
		port = syslogTLSPort
	}
	addr, err := hostPort(u, port)
	if err != nil {
		return nil, err
	}
	d.addr = addr
	if u.Scheme == "syslog+tls" {
		if d.tls, err = tlsConfig(p, u.Hostname()); err != nil {
			return nil, err
		}
	} else if err := noTLSParams(p); err != nil {
		return nil, err
	}
	if v := p.get("facility"); v != "" {
		f, ok := facilities[v]
		if !ok {
			return nil, fmt.Errorf("facility=%q: want one of auth, authpriv, audit, daemon, local0..local7, user, ...", v)
		}
		d.facility = f
	}
	if v := p.get("max_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < syslogMinSize {
			return nil, fmt.Errorf("max_size=%q: want a number of octets, at least %d", v, syslogMinSize)
		}
		d.maxSize = n
	}
	switch v := p.get("confirm"); v {
	case "", "close":
	case "write":
		d.confirm = false
	default:
		return nil, fmt.Errorf("confirm=%q: want close or write", v)
	}
	return d, nil
}

func (d *syslogDest) batchBytes() int { return 4 << 20 }

func (d *syslogDest) send(ctx context.Context, batch []Event) error {
	var buf bytes.Buffer
	for _, e := range batch {
		m := d.format(e)
		buf.WriteString(strconv.Itoa(len(m)))
		buf.WriteByte(' ')
		buf.Write(m)
	}
	var dialer net.Dialer
	raw, err := dialer.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		return err
	}
	defer raw.Close()
	// The context's deadline bounds every read and write; cancelling it
	// (Ctrl-C) interrupts them.
	if dl, ok := ctx.Deadline(); ok {
		raw.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	conn := raw
	closeWrite := raw.(*net.TCPConn).CloseWrite
	if d.tls != nil {
		tc := tls.Client(raw, d.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return tlsError(err)
		}
		conn, closeWrite = tc, tc.CloseWrite
	}
	if _, err := conn.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if !d.confirm {
		return nil
	}
	if err := closeWrite(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	// Read to the receiver's end of stream: it has read all of ours.
	if _, err := io.Copy(io.Discard, conn); err != nil {
		return fmt.Errorf("receiver did not confirm the batch by closing the connection: %w", tlsError(err))
	}
	return nil
}

// tlsError marks certificate problems as final: retrying will not fix a
// CA or a name that does not match.
func tlsError(err error) error {
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	var ve *tls.CertificateVerificationError
	var alert tls.AlertError
	if errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) || errors.As(err, &ve) || errors.As(err, &alert) {
		return finalError{fmt.Errorf("tls: %w", err)}
	}
	return err
}

// format is one RFC 5424 message:
// <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG.
// MSG is the event's JSON without a BOM (RFC 5424's MSG-ANY), which
// JSON parsers in SIEMs accept as it is.
func (d *syslogDest) format(e Event) []byte {
	header := fmt.Sprintf("<%d>1 %s %s ztscan - ztscan-%s %s ",
		d.facility*8+syslogSeverity(e), e.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
		headerField(e.Host, 255), headerField(e.Kind, 32), structuredData(e))
	body := fitBody(e.Body, d.maxSize-len(header))
	return append([]byte(header), body...)
}

// syslogSeverity maps a result to RFC 5424 severities: a failure by the
// rule's severity (critical 2 .. info 6), an evaluation error 4, the rest
// (pass, skip, waived) 6; the summary is 5 when something failed.
func syslogSeverity(e Event) int {
	if e.Kind == KindSummary {
		if e.Summary != nil && e.Summary.Fail > 0 {
			return 5
		}
		return 6
	}
	switch e.Status {
	case "fail":
		switch e.Severity {
		case "critical":
			return 2
		case "high":
			return 3
		case "medium":
			return 4
		case "low":
			return 5
		}
		return 6
	case "error":
		return 4
	}
	return 6
}

// structuredData is the one SD-ELEMENT ztscan writes.
func structuredData(e Event) string {
	var b strings.Builder
	b.WriteString("[" + sdID)
	param := func(name, value string) {
		b.WriteString(" " + name + `="` + sdEscape(value) + `"`)
	}
	if e.Kind == KindSummary {
		param("scan_id", e.ScanID)
		param("event_id", e.ID)
		if s := e.Summary; s != nil {
			param("score", strconv.FormatFloat(s.Score, 'f', -1, 64))
			param("total", strconv.Itoa(s.Total))
			param("pass", strconv.Itoa(s.Pass))
			param("fail", strconv.Itoa(s.Fail))
			param("error", strconv.Itoa(s.Error))
			param("skip", strconv.Itoa(s.Skip))
			param("waived", strconv.Itoa(s.Waived))
		}
	} else {
		param("id", e.RuleID)
		param("status", e.Status)
		param("severity", e.Severity)
		param("section", e.Section)
		param("scan_id", e.ScanID)
		param("event_id", e.ID)
	}
	b.WriteString("]")
	return b.String()
}

// sdEscape escapes a PARAM-VALUE as RFC 5424 section 6.3.3 requires ('"',
// '\' and ']' take a backslash) and keeps it valid UTF-8.
func sdEscape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		if r == '"' || r == '\\' || r == ']' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// headerField is a header field as RFC 5424 allows it: printable US-ASCII
// without spaces, at most max octets, "-" when empty.
func headerField(s string, max int) string {
	out := []byte(s)
	for i, c := range out {
		if c < 33 || c > 126 {
			out[i] = '_'
		}
	}
	if len(out) > max {
		out = out[:max]
	}
	if len(out) == 0 {
		return "-"
	}
	return string(out)
}

// fitBody keeps a message within the receiver's size limit without
// breaking its JSON (a receiver truncates an oversized message in the
// middle): the evidence goes first, then the long texts, each marked as
// truncated. A body that cannot shrink enough is sent whole.
func fitBody(body []byte, limit int) []byte {
	if len(body) <= limit {
		return body
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return body
	}
	zt, _ := doc["ztscan"].(map[string]any)
	rule, _ := doc["rule"].(map[string]any)
	cuts := []struct {
		m   map[string]any
		key string
	}{{zt, "evidence"}, {zt, "remediation"}, {rule, "description"}, {doc, "message"}}
	for _, c := range cuts {
		if c.m == nil {
			continue
		}
		s, ok := c.m[c.key].(string)
		if !ok || s == "" {
			continue
		}
		if zt != nil {
			zt["truncated"] = true
		}
		c.m[c.key] = ""
		out, err := json.Marshal(doc)
		if err != nil {
			return body
		}
		if len(out) <= limit {
			// Give back as much of the text as fits.
			room := limit - len(out) - 32
			if room > 0 && c.key != "evidence" {
				c.m[c.key] = truncateUTF8(s, room) + "..."
				if out2, err := json.Marshal(doc); err == nil && len(out2) <= limit {
					return out2
				}
				c.m[c.key] = ""
			}
			return out
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return out
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
