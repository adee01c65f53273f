package collectors

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// SyslogNGFacts: syslog-ng and its network destinations.
type SyslogNGFacts struct {
	Part
	Installed    bool                  `json:"installed"`
	Evidence     string                `json:"installed_evidence"`
	Service      UnitState             `json:"service"`
	Files        []string              `json:"files"`
	Destinations []SyslogNGDestination `json:"destinations"`
}

// SyslogNGDestination is one network driver of a destination. Used says
// a log path sends to it: a destination no log statement names is never
// written to.
type SyslogNGDestination struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Driver    string `json:"driver"`
	Target    string `json:"target"`
	Transport string `json:"transport,omitempty"`
	Port      string `json:"port,omitempty"`
	TLS       bool   `json:"tls"`
	Remote    bool   `json:"remote"`
	Used      bool   `json:"used"`
}

const syslogNGConf = "/etc/syslog-ng/syslog-ng.conf"

// syslogNGNetDrivers send to another host.
var syslogNGNetDrivers = map[string]bool{"network": true, "syslog": true, "tcp": true, "udp": true, "tcp6": true, "udp6": true}

func collectSyslogNG(h hostfs.Host, pkgs map[string]Package, pkgErr error, unit UnitState) SyslogNGFacts {
	f := SyslogNGFacts{Part: PartOK(), Service: unit, Files: []string{}, Destinations: []SyslogNGDestination{}}
	inst, ev, err := installedAny(h, pkgs, pkgErr, []string{"syslog-ng-core", "syslog-ng"}, "/usr/sbin/syslog-ng")
	if err != nil {
		f.Part = PartError(err)
		return f
	}
	f.Installed, f.Evidence = inst, ev
	if !inst {
		return f
	}
	var toks []sngToken
	if err := readSyslogNG(h, syslogNGConf, 0, map[string]bool{}, &f, &toks); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return f
		}
		f.Part = PartError(err)
		return f
	}
	f.Destinations = syslogNGDestinations(toks)
	return f
}

// sngToken is a word, a string or one of { } ( ) ; with its place.
type sngToken struct {
	text   string
	quoted bool
	file   string
	line   int
}

// readSyslogNG tokenizes a file, splicing @include'd files in place
// (relative to the configuration directory; a directory includes its
// files).
func readSyslogNG(h hostfs.Host, file string, depth int, seen map[string]bool, f *SyslogNGFacts, out *[]sngToken) error {
	if err := enterInclude(file, depth, seen); err != nil {
		return err
	}
	data, err := h.ReadFileLimit(file, maxConfigRead)
	if err != nil {
		return err
	}
	f.Files = append(f.Files, file)
	toks, err := sngTokenize(file, string(data))
	if err != nil {
		return err
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.quoted || t.text != "@include" {
			if !t.quoted && strings.HasPrefix(t.text, "@") {
				continue // @version and other pragmas
			}
			*out = append(*out, t)
			continue
		}
		if i+1 >= len(toks) || !toks[i+1].quoted {
			return fmt.Errorf("%s:%d: @include without a file name", t.file, t.line)
		}
		i++
		name := toks[i].text
		if !strings.HasPrefix(name, "/") {
			name = path.Join(path.Dir(syslogNGConf), name)
		}
		if st, err := h.Stat(name); err == nil && st.IsDir() {
			name += "/*"
		}
		matches, err := h.Glob(name)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", t.file, t.line, err)
		}
		for _, m := range matches {
			if st, err := h.Stat(m); err != nil || !st.IsRegular() {
				continue
			}
			if err := readSyslogNG(h, m, depth+1, seen, f, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func sngTokenize(file, s string) ([]sngToken, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, fmt.Errorf("%s: NUL byte", file)
	}
	var toks []sngToken
	line := 1
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.IndexByte("{}();", c) >= 0:
			toks = append(toks, sngToken{text: string(c), file: file, line: line})
			i++
		case c == '"' || c == '\'':
			start := line
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && c == '"' && j+1 < len(s) {
					j++
				}
				if s[j] == '\n' {
					line++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("%s:%d: unterminated string", file, start)
			}
			toks = append(toks, sngToken{text: b.String(), quoted: true, file: file, line: start})
			i = j + 1
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\r\n{}();#\"'", s[j]) < 0 {
				j++
			}
			toks = append(toks, sngToken{text: s[i:j], file: file, line: line})
			i = j
		}
	}
	return toks, nil
}

// syslogNGDestinations walks the token stream: top-level "destination
// NAME { ... };" blocks hold drivers "driver("host" option(value) ...)";
// "log { ... destination(NAME); destination { ... }; };" uses them.
func syslogNGDestinations(toks []sngToken) []SyslogNGDestination {
	var out []SyslogNGDestination
	used := map[string]bool{}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.quoted {
			continue
		}
		switch {
		case t.text == "destination" && i+2 < len(toks) && toks[i+2].text == "{" && !toks[i+1].quoted && toks[i+1].text != "{":
			end := matching(toks, i+2, "{", "}")
			out = append(out, sngDrivers(toks[i+1].text, toks[i+3:end])...)
			i = end
		case t.text == "log" && i+1 < len(toks) && toks[i+1].text == "{":
			end := matching(toks, i+1, "{", "}")
			body := toks[i+2 : end]
			for j := 0; j < len(body); j++ {
				if body[j].text != "destination" || body[j].quoted || j+1 >= len(body) {
					continue
				}
				switch body[j+1].text {
				case "(":
					if j+2 < len(body) {
						used[body[j+2].text] = true
					}
				case "{":
					inner := matching(body, j+1, "{", "}")
					for _, d := range sngDrivers(fmt.Sprintf("(inline at %s:%d)", body[j].file, body[j].line), body[j+2:inner]) {
						d.Used = true
						out = append(out, d)
					}
					j = inner
				}
			}
			i = end
		}
	}
	for k := range out {
		if used[out[k].Name] {
			out[k].Used = true
		}
	}
	return out
}

// matching finds the index of the token closing the one at open (or the
// end of the stream).
func matching(toks []sngToken, open int, o, c string) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		if toks[i].quoted {
			continue
		}
		switch toks[i].text {
		case o:
			depth++
		case c:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

func sngDrivers(name string, body []sngToken) []SyslogNGDestination {
	var out []SyslogNGDestination
	for i := 0; i+1 < len(body); i++ {
		t := body[i]
		if t.quoted || !syslogNGNetDrivers[t.text] || body[i+1].text != "(" {
			continue
		}
		end := matching(body, i+1, "(", ")")
		args := body[i+2 : end]
		d := SyslogNGDestination{Name: name, File: t.file, Line: t.line, Driver: t.text}
		if len(args) > 0 && args[0].text != "(" && (args[0].quoted || len(args) == 1 || args[1].text != "(") {
			d.Target = args[0].text
		}
		for j := 0; j+2 < len(args); j++ {
			if args[j+1].text != "(" || args[j].quoted {
				continue
			}
			val := args[j+2].text
			switch args[j].text {
			case "host":
				d.Target = val
			case "transport":
				d.Transport = strings.ToLower(val)
			case "port":
				d.Port = val
			case "tls":
				d.TLS = true
			}
		}
		if d.Transport == "tls" {
			d.TLS = true
		}
		if d.Transport == "" {
			// network() and syslog() default to TCP
			d.Transport = map[bool]string{true: "udp", false: "tcp"}[t.text == "udp" || t.text == "udp6"]
		}
		d.Remote = d.Target != "" && !isLoopbackName(d.Target)
		out = append(out, d)
		i = end
	}
	return out
}

func isLoopbackName(h string) bool {
	h = strings.ToLower(strings.Trim(h, "[]"))
	return h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.") || h == "localhost.localdomain"
}
