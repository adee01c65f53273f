package collectors

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

func collectLogging(t *testing.T, files map[string]string) *LoggingFacts {
	t.Helper()
	root := t.TempDir()
	for p, body := range files {
		writeAuditFile(t, root, p, body)
	}
	h, err := hostfs.Rootfs(root)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewLogging().Collect(context.Background(), h)
	if err != nil {
		t.Fatal(err)
	}
	return v.(*LoggingFacts)
}

const dpkgStatusOf = "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n\n"

func dpkg(pkgs ...string) string {
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, dpkgStatusOf, p)
	}
	return b.String()
}

func TestLoggingSyslogNG(t *testing.T) {
	f := collectLogging(t, map[string]string{
		"var/lib/dpkg/status": dpkg("syslog-ng-core"),
		"etc/syslog-ng/syslog-ng.conf": `@version: 3.38
@include "scl.conf"
source s_src { system(); internal(); };
# destination d_old { tcp("old.example.net" port(514)); };
destination d_siem { network("siem.example.net" transport("tls") port(6514) tls(ca-dir("/etc/ssl/certs"))); };
destination d_unused { syslog("unused.example.net" transport("tcp")); };
destination d_local { file("/var/log/messages"); };
log { source(s_src); destination(d_siem); destination(d_local); };
@include "/etc/syslog-ng/conf.d/"
`,
		"etc/syslog-ng/scl.conf":             "# scl\n",
		"etc/syslog-ng/conf.d/relay.conf":    "log { source(s_src); destination { udp(\"10.0.0.9\" port(514)); }; };\n",
		"etc/syslog-ng/conf.d/loopback.conf": "destination d_lo { tcp(\"127.0.0.1\"); };\nlog { source(s_src); destination(d_lo); };\n",
	})
	s := f.SyslogNG
	if s.Status != "ok" || !s.Installed {
		t.Fatalf("syslog-ng = %+v", s)
	}
	var got []string
	for _, d := range s.Destinations {
		got = append(got, fmt.Sprintf("%s %s:%d %s %s:%s %s tls=%v remote=%v used=%v", d.Name, filepath.Base(d.File), d.Line, d.Driver, d.Target, d.Port, d.Transport, d.TLS, d.Remote, d.Used))
	}
	want := []string{
		"d_siem syslog-ng.conf:5 network siem.example.net:6514 tls tls=true remote=true used=true",
		"d_unused syslog-ng.conf:6 syslog unused.example.net: tcp tls=false remote=true used=false",
		"(inline at /etc/syslog-ng/conf.d/relay.conf:1) relay.conf:1 udp 10.0.0.9:514 udp tls=false remote=true used=true",
		"d_lo loopback.conf:1 tcp 127.0.0.1: tcp tls=false remote=false used=true",
	}
	sortStrings(want)
	sortStrings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestLoggingWazuh(t *testing.T) {
	f := collectLogging(t, map[string]string{
		"var/lib/dpkg/status": dpkg("wazuh-agent"),
		"var/ossec/etc/ossec.conf": `<!-- Wazuh agent -->
<ossec_config>
  <client>
    <server>
      <address>10.0.0.5</address>
      <port>1514</port>
    </server>
  </client>
  <syscheck>
    <disabled>no</disabled>
    <frequency>43200</frequency>
  </syscheck>
</ossec_config>
<ossec_config>
  <localfile><log_format>syslog</log_format></localfile>
</ossec_config>
`,
	})
	w := f.Wazuh
	if w.Status != "ok" || !w.Installed || !w.SyscheckEnabled || len(w.Managers) != 1 || w.Managers[0] != "10.0.0.5" {
		t.Errorf("wazuh = %+v", w)
	}
	off := collectLogging(t, map[string]string{
		"var/lib/dpkg/status":      dpkg("wazuh-agent"),
		"var/ossec/etc/ossec.conf": "<ossec_config><syscheck><disabled>yes</disabled></syscheck></ossec_config>",
	})
	if off.Wazuh.SyscheckEnabled || off.Wazuh.SyscheckWhere != "<syscheck><disabled>yes</disabled>" {
		t.Errorf("disabled syscheck = %+v", off.Wazuh)
	}
	bad := collectLogging(t, map[string]string{"var/lib/dpkg/status": dpkg("wazuh-agent"), "var/ossec/etc/ossec.conf": "<ossec_config><syscheck></ossec_config>"})
	if bad.Wazuh.Status != "error" || !strings.Contains(bad.Wazuh.Reason, "/var/ossec/etc/ossec.conf") {
		t.Errorf("broken ossec.conf = %+v", bad.Wazuh.Part)
	}
}

func TestLoggingRsyslogIncludes(t *testing.T) {
	loop := collectLogging(t, map[string]string{
		"var/lib/dpkg/status":  dpkg("rsyslog"),
		"etc/rsyslog.conf":     "$IncludeConfig /etc/rsyslog.d/*.conf\n",
		"etc/rsyslog.d/a.conf": "include(file=\"/etc/rsyslog.conf\")\n",
	})
	if loop.Rsyslog.Status != "error" || !strings.Contains(loop.Rsyslog.Reason, "include loop") {
		t.Errorf("include loop = %+v", loop.Rsyslog.Part)
	}
	missing := collectLogging(t, map[string]string{
		"var/lib/dpkg/status": dpkg("rsyslog"),
		"etc/rsyslog.conf":    "include(file=\"/etc/rsyslog.local\" mode=\"optional\")\ninclude(file=\"/etc/rsyslog.must\")\n",
	})
	if missing.Rsyslog.Status != "error" || !strings.Contains(missing.Rsyslog.Reason, "/etc/rsyslog.conf:2: included file /etc/rsyslog.must does not exist") {
		t.Errorf("missing include = %+v", missing.Rsyslog.Part)
	}
}

func TestLoggingJournalUploadAndAIDE(t *testing.T) {
	f := collectLogging(t, map[string]string{
		"var/lib/dpkg/status":                            dpkg("systemd-journal-remote", "aide"),
		"etc/systemd/journal-upload.conf":                "[Upload]\nURL=http://old.example.net:19532\n",
		"etc/systemd/journal-upload.conf.d/10-siem.conf": "[Upload]\nURL=https://siem.example.net:19532\n",
		"etc/aide.conf":                                  "@@define DBDIR /var/lib/aide\ndatabase=file:@@{DBDIR}/aide.db.gz\n",
		"var/lib/aide/aide.db.gz":                        "x",
		"etc/cron.d/aide":                                "# nightly check\n0 5 * * * root /usr/sbin/aide --check\n",
		"etc/cron.d/other":                               "0 1 * * * root /usr/bin/backup --no-aide-here\n",
	})
	if j := f.JournalUpload; j.URL != "https://siem.example.net:19532" || j.URLFrom != "/etc/systemd/journal-upload.conf.d/10-siem.conf:2" {
		t.Errorf("journal upload = %+v", j)
	}
	a := f.AIDE
	want := []Schedule{{Kind: "cron", Where: "/etc/cron.d/aide", Line: 2, Enabled: true}}
	if !a.Initialised || a.Database.Path != "/var/lib/aide/aide.db.gz" || a.DatabaseFrom != "/etc/aide.conf:2" || !cmp.Equal(want, a.Schedules) {
		t.Errorf("aide = %+v", a)
	}
}
