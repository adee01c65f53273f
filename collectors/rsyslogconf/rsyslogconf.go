// Package rsyslogconf finds where an rsyslog configuration forwards
// messages: RainerScript action(type="omfwd"|"omrelp" ...) statements and
// legacy "@host" (UDP) / "@@host" (TCP) actions, and the include
// statements that pull in more files ($IncludeConfig, include()).
// Comments (# and /* */) never count: a commented-out forwarder is the
// most common false positive of a grep.
package rsyslogconf

import (
	"errors"
	"fmt"
	"strings"
)

// Forward is one forwarding action.
type Forward struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Module is "omfwd" or "omrelp"; Syntax is "rainerscript" or "legacy".
	Module   string `json:"module"`
	Syntax   string `json:"syntax"`
	Target   string `json:"target"`
	Port     string `json:"port,omitempty"`
	Protocol string `json:"protocol"`
	// TLS: the action (or, for legacy actions, the $ActionSendStreamDriver*
	// settings before it) selects a TLS stream driver in mode 1.
	TLS bool `json:"tls"`
	// Remote is false for loopback targets (localhost, 127.0.0.0/8, ::1).
	Remote bool `json:"remote"`
}

// Include is an include statement, in place.
type Include struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Pattern  string `json:"pattern"`
	Optional bool   `json:"optional"`
}

// Config is what one file says.
type Config struct {
	Forwards []Forward
	Includes []Include
	// Problems are statements rsyslogd would reject and skip (an omfwd
	// without a target): they forward nothing.
	Problems []string
}

// Error is a syntax error with its place.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// MaxStatementLen bounds one statement (an action() spanning a file).
const MaxStatementLen = 1 << 20

// Parse reads one rsyslog configuration file.
func Parse(file string, data []byte) (*Config, error) {
	if i := strings.IndexByte(string(data), 0); i >= 0 {
		return nil, &Error{File: file, Line: 1 + strings.Count(string(data[:i]), "\n"), Msg: "NUL byte"}
	}
	text, err := stripComments(file, string(data))
	if err != nil {
		return nil, err
	}
	c := &Config{}
	st := &legacyState{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		lineNo := i + 1
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "$") {
			c.legacyDirective(file, lineNo, line, st)
			continue
		}
		if name, at := findCall(line); name != "" {
			// a RainerScript statement may span lines: collect up to the
			// closing parenthesis
			stmt := line[at:]
			end := i
			for !balanced(stmt) {
				end++
				if end >= len(lines) || len(stmt) > MaxStatementLen {
					return nil, &Error{File: file, Line: lineNo, Msg: fmt.Sprintf("unterminated %s(", name)}
				}
				stmt += "\n" + lines[end]
			}
			params, err := parseParams(stmt[len(name):])
			if err != nil {
				return nil, &Error{File: file, Line: lineNo, Msg: fmt.Sprintf("%s(): %v", name, err)}
			}
			c.call(file, lineNo, name, params, st)
			// the rest of the last line may hold another statement; rare
			// enough (and rsyslog's own style puts one per line) to ignore
			i = end
			continue
		}
		c.legacyAction(file, lineNo, line, st)
	}
	return c, nil
}

// legacyState is the $Action... settings that apply to the legacy
// actions after them.
type legacyState struct {
	defaultDriver string
	driver        string
	driverMode    string
}

func (c *Config) legacyDirective(file string, line int, text string, st *legacyState) {
	f := strings.Fields(text)
	if len(f) < 2 {
		return
	}
	switch strings.ToLower(f[0]) {
	case "$includeconfig":
		c.Includes = append(c.Includes, Include{File: file, Line: line, Pattern: f[1]})
	case "$defaultnetstreamdriver":
		st.defaultDriver = strings.ToLower(f[1])
	case "$actionsendstreamdriver":
		st.driver = strings.ToLower(f[1])
	case "$actionsendstreamdrivermode":
		st.driverMode = f[1]
	}
}

func tlsDriver(d string) bool { return d == "gtls" || d == "ossl" || d == "mbedtls" }

func (c *Config) call(file string, line int, name string, p map[string]string, st *legacyState) {
	switch name {
	case "include":
		if p["file"] != "" {
			c.Includes = append(c.Includes, Include{File: file, Line: line, Pattern: p["file"], Optional: strings.EqualFold(p["mode"], "optional")})
		}
	case "global":
		if d := p["defaultnetstreamdriver"]; d != "" {
			st.defaultDriver = strings.ToLower(d)
		}
	case "action":
		mod := strings.ToLower(p["type"])
		if mod != "omfwd" && mod != "omrelp" {
			return
		}
		target := p["target"]
		if target == "" {
			c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: action(type=%q) without target: rsyslogd rejects it", file, line, mod))
			return
		}
		fw := Forward{File: file, Line: line, Module: mod, Syntax: "rainerscript", Target: target, Port: p["port"]}
		switch mod {
		case "omfwd":
			fw.Protocol = strings.ToLower(p["protocol"])
			if fw.Protocol == "" {
				fw.Protocol = "udp"
			}
			driver := strings.ToLower(firstNonEmpty(p["streamdriver"], p["streamdriver.name"], st.defaultDriver))
			fw.TLS = fw.Protocol == "tcp" && tlsDriver(driver) && firstNonEmpty(p["streamdrivermode"], p["streamdriver.mode"]) == "1"
		case "omrelp":
			fw.Protocol = "relp"
			fw.TLS = strings.EqualFold(p["tls"], "on")
		}
		fw.Remote = isRemote(target)
		c.Forwards = append(c.Forwards, fw)
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// legacyAction reads a selector line ("*.* @@host:514;Template"), an
// action list continuation ("& @host") or "... then @host": the action
// is the last field.
func (c *Config) legacyAction(file string, line int, text string, st *legacyState) {
	f := strings.Fields(text)
	if len(f) < 2 && !strings.HasPrefix(text, "@") {
		return
	}
	act := f[len(f)-1]
	switch {
	case strings.HasPrefix(act, "@"):
		proto := "udp"
		act = act[1:]
		if strings.HasPrefix(act, "@") {
			proto, act = "tcp", act[1:]
		}
		if strings.HasPrefix(act, "(") {
			if end := strings.IndexByte(act, ')'); end >= 0 {
				act = act[end+1:]
			}
		}
		host, port := hostPort(act)
		if host == "" {
			c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: forwarding action without a host", file, line))
			return
		}
		driver := firstNonEmpty(st.driver, st.defaultDriver)
		c.Forwards = append(c.Forwards, Forward{File: file, Line: line, Module: "omfwd", Syntax: "legacy", Target: host, Port: port, Protocol: proto,
			TLS: proto == "tcp" && tlsDriver(driver) && st.driverMode == "1", Remote: isRemote(host)})
	case strings.HasPrefix(act, ":omrelp:"):
		host, port := hostPort(strings.TrimPrefix(act, ":omrelp:"))
		if host != "" {
			c.Forwards = append(c.Forwards, Forward{File: file, Line: line, Module: "omrelp", Syntax: "legacy", Target: host, Port: port, Protocol: "relp", Remote: isRemote(host)})
		}
	}
}

// hostPort splits "host:port;Template" or "[v6]:port".
func hostPort(s string) (host, port string) {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", ""
		}
		host, s = s[1:end], s[end+1:]
		return host, strings.TrimPrefix(s, ":")
	}
	host, port, _ = strings.Cut(s, ":")
	return host, port
}

func isRemote(host string) bool {
	h := strings.ToLower(strings.Trim(host, "[]"))
	return !(h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.") || h == "localhost.localdomain")
}

// calls are the RainerScript statements whose parameters matter here.
var calls = []string{"action", "include", "global"}

// findCall finds "name(" of a known statement outside quotes, as a word.
func findCall(line string) (string, int) {
	lower := asciiLower(line)
	inQuote := byte(0)
	for i := 0; i < len(lower); i++ {
		ch := lower[i]
		if inQuote != 0 {
			if ch == '\\' {
				i++
			} else if ch == inQuote {
				inQuote = 0
			}
			continue
		}
		if ch == '"' || ch == '\'' {
			inQuote = ch
			continue
		}
		if i > 0 && (isWord(lower[i-1])) {
			continue
		}
		for _, name := range calls {
			rest := lower[i:]
			if strings.HasPrefix(rest, name) {
				after := strings.TrimLeft(rest[len(name):], " \t")
				if strings.HasPrefix(after, "(") {
					return name, i
				}
			}
		}
	}
	return "", 0
}

// asciiLower lowercases A-Z only, keeping byte offsets (strings.ToLower
// rewrites invalid UTF-8 and shifts them).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isWord(c byte) bool {
	return c == '_' || c == '.' || c == '$' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// balanced reports whether the first "(" of s has its ")" (quotes aware).
func balanced(s string) bool {
	depth, inQuote, opened := 0, byte(0), false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if inQuote != 0 {
			if ch == '\\' {
				i++
			} else if ch == inQuote {
				inQuote = 0
			}
			continue
		}
		switch ch {
		case '"', '\'':
			inQuote = ch
		case '(':
			depth++
			opened = true
		case ')':
			depth--
			if opened && depth == 0 {
				return true
			}
		}
	}
	return false
}

// parseParams reads `(name="value" name2='v' name3=["a","b"] ...)`.
// Names are case-insensitive, as rsyslog's.
func parseParams(s string) (map[string]string, error) {
	s = strings.TrimLeft(s, " \t\n")
	if !strings.HasPrefix(s, "(") {
		return nil, errors.New("expected (")
	}
	s = s[1:]
	out := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		if strings.HasPrefix(s, ")") {
			return out, nil
		}
		if s == "" {
			return nil, errors.New("unterminated parameter list")
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("expected name=value at %q", truncate(s, 40))
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		if strings.ContainsAny(name, " \t\n\"'()") {
			return nil, fmt.Errorf("bad parameter name %q", truncate(name, 40))
		}
		s = strings.TrimLeft(s[eq+1:], " \t\r\n")
		var val string
		var err error
		switch {
		case strings.HasPrefix(s, "["):
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, errors.New("unterminated array value")
			}
			var items []string
			for _, it := range strings.Split(s[1:end], ",") {
				items = append(items, strings.Trim(strings.TrimSpace(it), `"'`))
			}
			val, s = strings.Join(items, ","), s[end+1:]
		default:
			val, s, err = quoted(s)
			if err != nil {
				return nil, fmt.Errorf("parameter %s: %w", name, err)
			}
		}
		out[name] = val
	}
}

func quoted(s string) (val, rest string, err error) {
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		// unquoted values (numbers) run to the next blank or ")"
		end := strings.IndexAny(s, " \t\r\n)")
		if end < 0 {
			return "", "", errors.New("unterminated value")
		}
		return s[:end], s[end:], nil
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case q:
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errors.New("unterminated string")
}

// stripComments blanks # and /* */ comments outside quotes, keeping
// newlines so that line numbers stay right. A quote does not run past
// the end of its line (legacy lines are line-based), and a legacy "$"
// directive has no block comments ("$IncludeConfig /etc/rsyslog.d/*.conf").
func stripComments(file, s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	inQuote := byte(0)
	line := 1
	dollarLine := strings.HasPrefix(strings.TrimLeft(s, " \t"), "$")
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '\n' {
			line++
			inQuote = 0
			dollarLine = strings.HasPrefix(strings.TrimLeft(s[i+1:min(len(s), i+1+4096)], " \t"), "$")
			b.WriteByte(ch)
			continue
		}
		if inQuote != 0 {
			if ch == '\\' && i+1 < len(s) && s[i+1] != '\n' {
				b.WriteByte(ch)
				i++
				ch = s[i]
			} else if ch == inQuote {
				inQuote = 0
			}
			b.WriteByte(ch)
			continue
		}
		switch {
		case ch == '"' || ch == '\'':
			inQuote = ch
			b.WriteByte(ch)
		case ch == '#':
			for i+1 < len(s) && s[i+1] != '\n' {
				i++
			}
		case ch == '/' && i+1 < len(s) && s[i+1] == '*' && !dollarLine:
			start := line
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return "", &Error{File: file, Line: start, Msg: "unterminated /* comment"}
			}
			body := s[i : i+2+end+2]
			nl := strings.Count(body, "\n")
			line += nl
			b.WriteString(strings.Repeat("\n", nl))
			i += 2 + end + 1
		default:
			b.WriteByte(ch)
		}
	}
	return b.String(), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
