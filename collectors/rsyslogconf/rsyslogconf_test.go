package rsyslogconf

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func describe(fs []Forward) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%d %s/%s %s:%s %s tls=%v remote=%v", f.Line, f.Module, f.Syntax, f.Target, f.Port, f.Protocol, f.TLS, f.Remote))
	}
	return out
}

func TestParseForwards(t *testing.T) {
	for _, tc := range []struct {
		name, conf string
		want       []string
	}{
		{"legacy udp and tcp", "*.* @10.0.0.1\nauth,authpriv.* @@siem.example.net:10514;RSYSLOG_ForwardFormat\n", []string{"1 omfwd/legacy 10.0.0.1: udp tls=false remote=true", "2 omfwd/legacy siem.example.net:10514 tcp tls=false remote=true"}},
		{"legacy options and ipv6", "*.* @@(o,z9)[2001:db8::1]:514\n& @127.0.0.1:514\n", []string{"1 omfwd/legacy 2001:db8::1:514 tcp tls=false remote=true", "2 omfwd/legacy 127.0.0.1:514 udp tls=false remote=false"}},
		{"commented out", "#*.* @@remote-host:514\n# action(type=\"omfwd\" target=\"x\")\n/* *.* @@y\n action(type=\"omfwd\" target=\"z\") */\n", []string{}},
		{"rainerscript multi-line with TLS", "global(DefaultNetstreamDriver=\"gtls\")\n*.* action(type=\"omfwd\"\n  Target=\"siem.example.net\" port=\"6514\" protocol=\"tcp\" # inline comment\n  StreamDriverMode=\"1\" StreamDriverAuthMode=\"x509/name\")\n", []string{"2 omfwd/rainerscript siem.example.net:6514 tcp tls=true remote=true"}},
		{"rainerscript udp default and relp", "if $programname == 'sshd' then {\n action(type=\"omfwd\" target=\"10.1.1.1\")\n}\naction(type=\"omrelp\" target=\"relp.example.net\" port=\"2514\" tls=\"on\")\n", []string{"2 omfwd/rainerscript 10.1.1.1: udp tls=false remote=true", "4 omrelp/rainerscript relp.example.net:2514 relp tls=true remote=true"}},
		{"legacy TLS settings", "$DefaultNetstreamDriver gtls\n$ActionSendStreamDriverMode 1\n*.* @@logs.example.net:6514\n", []string{"3 omfwd/legacy logs.example.net:6514 tcp tls=true remote=true"}},
		{"local files are not forwards", "*.*;auth,authpriv.none -/var/log/syslog\n:msg, contains, \"@@x\" /var/log/x\nuser.* |/dev/xconsole\n", []string{}},
		{"a quoted # is not a comment", "action(type=\"omfwd\" target=\"a#b.example\" template=\"t\")\n", []string{"1 omfwd/rainerscript a#b.example: udp tls=false remote=true"}},
		{"legacy omrelp", "*.* :omrelp:relp.example.net:2514;RSYSLOG_ForwardFormat\n", []string{"1 omrelp/legacy relp.example.net:2514 relp tls=false remote=true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("/etc/rsyslog.conf", []byte(tc.conf))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, describe(c.Forwards)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseIncludes(t *testing.T) {
	c, err := Parse("/etc/rsyslog.conf", []byte("$IncludeConfig /etc/rsyslog.d/*.conf\ninclude(file=\"/etc/rsyslog.local\" mode=\"optional\")\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Include{{File: "/etc/rsyslog.conf", Line: 1, Pattern: "/etc/rsyslog.d/*.conf"}, {File: "/etc/rsyslog.conf", Line: 2, Pattern: "/etc/rsyslog.local", Optional: true}}
	if diff := cmp.Diff(want, c.Includes); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	for conf, want := range map[string]string{
		"*.* action(type=\"omfwd\"\n target=\"x\"\n": "/etc/rsyslog.d/x.conf:1: unterminated action(",
		"/* never closed\n*.* @@x\n":                 "/etc/rsyslog.d/x.conf:1: unterminated /* comment",
		"action(type=\"omfwd\" target=\"x)\n":        "/etc/rsyslog.d/x.conf:1: unterminated action(",
		"ok\n\x00":                                   "/etc/rsyslog.d/x.conf:2: NUL byte",
		"action(type=\"omfwd\" = \"x\")\n":           "/etc/rsyslog.d/x.conf:1: action(): expected name=value",
	} {
		_, err := Parse("/etc/rsyslog.d/x.conf", []byte(conf))
		var pe *Error
		if err == nil || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", conf, err, want)
		}
	}
}

func TestMissingTargetIsAProblem(t *testing.T) {
	c, err := Parse("/etc/rsyslog.conf", []byte("action(type=\"omfwd\" port=\"514\")\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Forwards) != 0 || len(c.Problems) != 1 {
		t.Errorf("forwards %v problems %v", c.Forwards, c.Problems)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("*.* @@(o)[::1]:514;T\n& @x\n$IncludeConfig /etc/rsyslog.d/*.conf\n"))
	f.Add([]byte("global(DefaultNetstreamDriver=\"gtls\")\nif $x then action(type=\"omfwd\" target=[\"a\",\"b\"] port=\"1\" StreamDriverMode=\"1\"\n protocol=\"tcp\")\n/* c */ # d\n"))
	f.Add([]byte("include(file=\"/x\" mode='optional')\naction(type='omrelp' target='r' tls='on')\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("/f.conf", data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Line > strings.Count(string(data), "\n")+1 {
				t.Fatalf("error without a valid place: %v", err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, fw := range c.Forwards {
			if fw.Target == "" || fw.Line < 1 || fw.Line > lines {
				t.Fatalf("bad forward %+v", fw)
			}
		}
	})
}
