package collectors

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/rsyslogconf"
	"github.com/ztscan/ztscan/collectors/systemd"
)

// Logging collects facts.logging: file integrity monitoring (AIDE,
// Wazuh/OSSEC syscheck) and log shipping (Wazuh/OSSEC agent, rsyslog and
// syslog-ng forwarding, systemd-journal-upload).
type Logging struct{}

// NewLogging returns the "logging" collector.
func NewLogging() *Logging { return &Logging{} }

func (*Logging) Name() string { return "logging" }

// LoggingFacts is facts.logging.
type LoggingFacts struct {
	// Runtime: whether the live systemd answered (unavailable offline).
	Runtime       Part               `json:"runtime"`
	AIDE          AIDEFacts          `json:"aide"`
	Wazuh         WazuhFacts         `json:"wazuh"`
	Rsyslog       RsyslogFacts       `json:"rsyslog"`
	SyslogNG      SyslogNGFacts      `json:"syslog_ng"`
	JournalUpload JournalUploadFacts `json:"journal_upload"`
}

// loggingUnits are the units whose state the facts report.
var (
	aideTimers    = []string{"dailyaidecheck.timer", "aidecheck.timer", "aide-check.timer", "aide.timer"}
	wazuhUnits    = []string{"wazuh-agent.service", "ossec.service", "ossec-hids.service"}
	loggingUnits  = append(append(append([]string{}, aideTimers...), wazuhUnits...), "rsyslog.service", "syslog-ng.service", "systemd-journal-upload.service")
	maxConfigRead = int64(4 << 20)
)

func (*Logging) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	units, err := systemd.Load(h)
	if err != nil {
		return nil, err
	}
	pkgs, pkgErr := InstalledPackages(h)
	if pkgErr != nil && !errors.Is(pkgErr, fs.ErrNotExist) {
		pkgErr = fmt.Errorf("package database: %w", pkgErr)
	}
	states := unitStates(ctx, units, loggingUnits)
	f := &LoggingFacts{Runtime: states["rsyslog.service"].Active.Part}
	f.AIDE = collectAIDE(h, pkgs, pkgErr, states)
	f.Wazuh = collectWazuh(h, pkgs, pkgErr, states)
	f.Rsyslog = collectRsyslog(h, pkgs, pkgErr, states["rsyslog.service"])
	f.SyslogNG = collectSyslogNG(h, pkgs, pkgErr, states["syslog-ng.service"])
	f.JournalUpload = collectJournalUpload(h, pkgs, pkgErr, states["systemd-journal-upload.service"])
	return f, nil
}

// installedAny is installedBy over alternative package names.
func installedAny(h hostfs.Host, pkgs map[string]Package, pkgErr error, names []string, file string) (bool, string, error) {
	var ev string
	for _, n := range names {
		inst, e, err := installedBy(h, pkgs, pkgErr, n, file)
		if err != nil || inst {
			return inst, e, err
		}
		ev = e
	}
	if pkgErr == nil && len(names) > 1 {
		ev = fmt.Sprintf("none of the packages %s is installed", strings.Join(names, ", "))
	}
	return false, ev, nil
}

// AIDEFacts: the package, its configuration, the database it checks
// against and what runs the check.
type AIDEFacts struct {
	Part
	Installed bool   `json:"installed"`
	Evidence  string `json:"installed_evidence"`
	Config    string `json:"config,omitempty"`
	// Database is database_in of the configuration (DatabaseFrom says
	// where it was set, or "default"); Initialised: it exists as a
	// non-empty regular file (aide --init was run and its output moved
	// in place).
	Database     FileFacts `json:"database"`
	DatabaseFrom string    `json:"database_from,omitempty"`
	Initialised  bool      `json:"initialised"`
	// NewDatabasePending: aide --init wrote database_out but it was never
	// moved to database_in, so every check fails.
	NewDatabasePending bool       `json:"new_database_pending"`
	Schedules          []Schedule `json:"schedules"`
}

// Schedule is one thing that runs a check periodically.
type Schedule struct {
	Kind    string `json:"kind"` // "timer" or "cron"
	Where   string `json:"where"`
	Enabled bool   `json:"enabled"`
	Line    int    `json:"line,omitempty"`
}

var aideConfigs = []string{"/etc/aide/aide.conf", "/etc/aide.conf"}

var aideWord = regexp.MustCompile(`(^|[^A-Za-z0-9_-])aide(init|check|\.wrapper)?([^A-Za-z0-9_-]|$)`)

func collectAIDE(h hostfs.Host, pkgs map[string]Package, pkgErr error, states map[string]UnitState) AIDEFacts {
	f := AIDEFacts{Part: PartOK(), Schedules: []Schedule{}}
	inst, ev, err := installedAny(h, pkgs, pkgErr, []string{"aide", "aide-common"}, "/usr/bin/aide")
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed, f.Evidence = inst, ev
	if !inst {
		return f
	}
	dbIn, dbOut := "/var/lib/aide/aide.db", "/var/lib/aide/aide.db.new"
	f.DatabaseFrom = "default"
	for _, c := range aideConfigs {
		data, err := h.ReadFileLimit(c, maxConfigRead)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			f.Part = PartError(err)
			return f
		}
		f.Config = c
		in, out, line := aideDatabases(string(data))
		if in != "" {
			dbIn, f.DatabaseFrom = in, fmt.Sprintf("%s:%d", c, line)
		}
		if out != "" {
			dbOut = out
		}
		break
	}
	f.Database = DescribeFile(h, dbIn)
	if fi, err := h.Stat(dbIn); err == nil && fi.IsRegular() && fi.Size > 0 {
		f.Initialised = true
	}
	if _, err := h.Stat(dbOut); err == nil && !f.Initialised {
		f.NewDatabasePending = true
	}
	for _, t := range aideTimers {
		if st := states[t]; st.Found {
			f.Schedules = append(f.Schedules, Schedule{Kind: "timer", Where: t, Enabled: st.Enabled && !st.Masked})
		}
	}
	cron, err := cronMentions(h, aideWord)
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Schedules = append(f.Schedules, cron...)
	return f
}

// aideDatabases reads database_in (database before AIDE 0.17) and
// database_out, expanding @@define'd variables.
func aideDatabases(conf string) (in, out string, inLine int) {
	vars := map[string]string{}
	for i, line := range strings.Split(conf, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "@@define") {
			f := strings.Fields(line)
			if len(f) >= 3 {
				vars[f[1]] = f[2]
			}
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		val = strings.TrimSpace(val)
		for name, v := range vars {
			val = strings.ReplaceAll(val, "@@{"+name+"}", v)
		}
		val = strings.TrimPrefix(val, "file:")
		switch key {
		case "database_in", "database":
			in, inLine = val, i+1
		case "database_out":
			out = val
		}
	}
	return in, out, inLine
}

// cronFiles are where cron reads jobs from.
var cronFiles = []string{"/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*", "/var/spool/cron/*",
	"/etc/cron.hourly/*", "/etc/cron.daily/*", "/etc/cron.weekly/*", "/etc/cron.monthly/*"}

// cronMentions lists the cron jobs (or run-parts scripts) whose
// non-comment lines match re.
func cronMentions(h hostfs.Host, re *regexp.Regexp) ([]Schedule, error) {
	var out []Schedule
	for _, pattern := range cronFiles {
		files, err := h.Glob(pattern)
		if err != nil {
			return nil, err
		}
		for _, p := range files {
			fi, err := h.Stat(p)
			if err != nil || !fi.IsRegular() {
				continue
			}
			data, err := h.ReadFileLimit(p, maxConfigRead)
			if err != nil {
				return nil, err
			}
			for i, line := range strings.Split(string(data), "\n") {
				t := strings.TrimSpace(line)
				if t == "" || strings.HasPrefix(t, "#") || !re.MatchString(t) {
					continue
				}
				out = append(out, Schedule{Kind: "cron", Where: p, Line: i + 1, Enabled: true})
				break
			}
		}
	}
	return out, nil
}

// WazuhFacts: the Wazuh agent (or its OSSEC ancestor), its syscheck
// (file integrity) setting and the managers it reports to.
type WazuhFacts struct {
	Part
	Installed       bool      `json:"installed"`
	Evidence        string    `json:"installed_evidence"`
	Config          string    `json:"config,omitempty"`
	SyscheckEnabled bool      `json:"syscheck_enabled"`
	SyscheckWhere   string    `json:"syscheck_where,omitempty"`
	Managers        []string  `json:"managers"`
	Service         UnitState `json:"service"`
}

const ossecConf = "/var/ossec/etc/ossec.conf"

func collectWazuh(h hostfs.Host, pkgs map[string]Package, pkgErr error, states map[string]UnitState) WazuhFacts {
	f := WazuhFacts{Part: PartOK(), Managers: []string{}, Service: states[wazuhUnits[0]]}
	for _, u := range wazuhUnits {
		if states[u].Found {
			f.Service = states[u]
			break
		}
	}
	inst, ev, err := installedAny(h, pkgs, pkgErr, []string{"wazuh-agent", "ossec-hids-agent", "ossec-hids"}, ossecConf)
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed, f.Evidence = inst, ev
	if !inst {
		return f
	}
	data, err := h.ReadFileLimit(ossecConf, maxConfigRead)
	if errors.Is(err, fs.ErrNotExist) {
		return f
	}
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Config = ossecConf
	if err := parseOssecConf(data, &f); err != nil {
		f.Part = PartError(fmt.Errorf("%s: %w", ossecConf, err))
	}
	return f
}

// parseOssecConf reads the <ossec_config> blocks (the file has several
// roots, which encoding/xml's token reader accepts): syscheck is on when
// a <syscheck> block exists and its last <disabled> is not "yes".
func parseOssecConf(data []byte, f *WazuhFacts) error {
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	var stack []string
	syscheck, disabled := false, ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, strings.ToLower(t.Name.Local))
			if strings.Join(stack, "/") == "ossec_config/syscheck" {
				syscheck = true
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			text := strings.TrimSpace(string(t))
			switch strings.Join(stack, "/") {
			case "ossec_config/syscheck/disabled":
				disabled = strings.ToLower(text)
			case "ossec_config/client/server/address", "ossec_config/client/server-ip", "ossec_config/client/server-hostname":
				if text != "" {
					f.Managers = append(f.Managers, text)
				}
			}
		}
	}
	f.SyscheckEnabled = syscheck && disabled != "yes"
	switch {
	case !syscheck:
		f.SyscheckWhere = "no <syscheck> block"
	case disabled == "yes":
		f.SyscheckWhere = "<syscheck><disabled>yes</disabled>"
	default:
		f.SyscheckWhere = "<syscheck> block"
	}
	return nil
}

// RsyslogFacts: rsyslog and where it forwards to.
type RsyslogFacts struct {
	Part
	Installed bool                  `json:"installed"`
	Evidence  string                `json:"installed_evidence"`
	Service   UnitState             `json:"service"`
	Files     []string              `json:"files"`
	Forwards  []rsyslogconf.Forward `json:"forwards"`
	Problems  []string              `json:"problems"`
}

const rsyslogConf = "/etc/rsyslog.conf"

func collectRsyslog(h hostfs.Host, pkgs map[string]Package, pkgErr error, unit UnitState) RsyslogFacts {
	f := RsyslogFacts{Part: PartOK(), Service: unit, Files: []string{}, Forwards: []rsyslogconf.Forward{}, Problems: []string{}}
	inst, ev, err := installedBy(h, pkgs, pkgErr, "rsyslog", "/usr/sbin/rsyslogd")
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed, f.Evidence = inst, ev
	if !inst {
		return f
	}
	if err := readRsyslog(h, rsyslogConf, false, 0, map[string]bool{}, &f); err != nil {
		f.Part = PartError(err)
	}
	return f
}

// enterInclude guards reading one more file of a syslog daemon's
// configuration: nesting deeper than hostfs.MaxIncludeDepth, or a file
// read twice (an include loop), is an error naming it.
func enterInclude(file string, depth int, seen map[string]bool) error {
	if depth > hostfs.MaxIncludeDepth {
		return fmt.Errorf("%s: includes nested deeper than %d", file, hostfs.MaxIncludeDepth)
	}
	if seen[file] {
		return fmt.Errorf("%s: included twice (include loop)", file)
	}
	seen[file] = true
	return nil
}

// readRsyslog reads one file and, in place, the files it includes.
func readRsyslog(h hostfs.Host, file string, optional bool, depth int, seen map[string]bool, f *RsyslogFacts) error {
	if err := enterInclude(file, depth, seen); err != nil {
		return err
	}
	data, err := h.ReadFileLimit(file, maxConfigRead)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	f.Files = append(f.Files, file)
	cfg, err := rsyslogconf.Parse(file, data)
	if err != nil {
		return err
	}
	f.Problems = append(f.Problems, cfg.Problems...)
	// forwards and includes interleave in file order
	fi, ii := 0, 0
	for fi < len(cfg.Forwards) || ii < len(cfg.Includes) {
		if ii >= len(cfg.Includes) || fi < len(cfg.Forwards) && cfg.Forwards[fi].Line < cfg.Includes[ii].Line {
			f.Forwards = append(f.Forwards, cfg.Forwards[fi])
			fi++
			continue
		}
		inc := cfg.Includes[ii]
		ii++
		pattern := inc.Pattern
		if !strings.HasPrefix(pattern, "/") {
			// rsyslogd runs in /
			pattern = path.Join("/", pattern)
		}
		if strings.HasSuffix(pattern, "/") {
			pattern += "*"
		}
		matches, err := h.Glob(pattern)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", inc.File, inc.Line, err)
		}
		if len(matches) == 0 && !inc.Optional && !strings.ContainsAny(pattern, "*?[") {
			return fmt.Errorf("%s:%d: included file %s does not exist", inc.File, inc.Line, pattern)
		}
		for _, m := range matches {
			if st, err := h.Stat(m); err == nil && st.IsDir() {
				continue
			}
			if err := readRsyslog(h, m, inc.Optional, depth+1, seen, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// JournalUploadFacts: systemd-journal-upload and its URL.
type JournalUploadFacts struct {
	Part
	Installed bool      `json:"installed"`
	Evidence  string    `json:"installed_evidence"`
	Service   UnitState `json:"service"`
	URL       string    `json:"url,omitempty"`
	URLFrom   string    `json:"url_from,omitempty"`
}

// journalUploadConfs in systemd's order: the main file, then drop-ins
// (a later one wins).
var journalUploadConfs = []string{"/etc/systemd/journal-upload.conf", "/usr/lib/systemd/journal-upload.conf.d/*.conf", "/etc/systemd/journal-upload.conf.d/*.conf"}

func collectJournalUpload(h hostfs.Host, pkgs map[string]Package, pkgErr error, unit UnitState) JournalUploadFacts {
	f := JournalUploadFacts{Part: PartOK(), Service: unit}
	inst, ev, err := installedBy(h, pkgs, pkgErr, "systemd-journal-remote", "/lib/systemd/systemd-journal-upload")
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed, f.Evidence = inst, ev
	if !inst {
		return f
	}
	for _, pattern := range journalUploadConfs {
		files, err := h.Glob(pattern)
		if err != nil {
			f.Part = PartError(err)
			return f
		}
		for _, p := range files {
			data, err := h.ReadFileLimit(p, maxConfigRead)
			if err != nil {
				f.Part = PartError(err)
				return f
			}
			secs, err := systemd.Parse(p, data)
			if err != nil {
				f.Part = PartError(err)
				return f
			}
			if as := secs["Upload"]["URL"]; len(as) > 0 {
				last := as[len(as)-1]
				f.URL, f.URLFrom = last.Value, fmt.Sprintf("%s:%d", last.File, last.Line)
			}
		}
	}
	return f
}
