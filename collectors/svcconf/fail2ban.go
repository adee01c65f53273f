package svcconf

import (
	"fmt"
	"strings"
)

// IniSections is a parsed INI file in Python configparser's dialect:
// section -> lowercased option -> setting.
type IniSections map[string]map[string]Setting

// ParseIni reads a fail2ban configuration file: "[section]" headers,
// "key = value" or "key: value", "#" and ";" comment lines, indented
// continuation lines. An option outside a section or a line that is
// neither is an error naming file and line, as fail2ban refuses it.
func ParseIni(file string, data []byte) (IniSections, error) {
	out := IniSections{}
	section := ""
	lastKey := ""
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if section != "" && lastKey != "" {
				s := out[section][lastKey]
				s.Value = strings.TrimSpace(s.Value + "\n" + trimmed)
				out[section][lastKey] = s
				continue
			}
			return nil, fmt.Errorf("%s:%d: continuation line outside an option", file, i+1)
		}
		if trimmed[0] == '[' {
			end := strings.IndexByte(trimmed, ']')
			if end < 2 {
				return nil, fmt.Errorf("%s:%d: bad section header %q", file, i+1, trimmed)
			}
			section = trimmed[1:end]
			if out[section] == nil {
				out[section] = map[string]Setting{}
			}
			lastKey = ""
			continue
		}
		k := strings.IndexAny(trimmed, "=:")
		if k <= 0 {
			return nil, fmt.Errorf("%s:%d: not an option: %q", file, i+1, trimmed)
		}
		if section == "" {
			return nil, fmt.Errorf("%s:%d: option outside any section", file, i+1)
		}
		lastKey = strings.ToLower(strings.TrimSpace(trimmed[:k]))
		out[section][lastKey] = Setting{Value: strings.TrimSpace(trimmed[k+1:]), File: file, Line: i + 1}
	}
	return out, nil
}

// Merge lays later over base: options of later files win, per section.
func (base IniSections) Merge(later IniSections) {
	for s, opts := range later {
		if base[s] == nil {
			base[s] = map[string]Setting{}
		}
		for k, v := range opts {
			base[s][k] = v
		}
	}
}

// Bool is configparser's boolean reading; ok is false for other values.
func Bool(v string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "true", "on":
		return true, true
	case "0", "no", "false", "off":
		return false, true
	}
	return false, false
}

// JailEnabled is the "enabled" option of a jail after precedence: the
// jail's own, else [DEFAULT]'s, else false (fail2ban's default).
func JailEnabled(cfg IniSections, jail string) (enabled bool, where Setting, declared bool) {
	if s, ok := cfg[jail]["enabled"]; ok {
		v, _ := Bool(s.Value)
		return v, s, true
	}
	_, declared = cfg[jail]
	if s, ok := cfg["DEFAULT"]["enabled"]; ok {
		v, _ := Bool(s.Value)
		return v, s, declared
	}
	return false, Setting{}, declared
}
