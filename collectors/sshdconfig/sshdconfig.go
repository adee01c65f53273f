// Package sshdconfig computes what OpenSSH's `sshd -T` prints for a
// configuration tree without running sshd, so that an offline root
// filesystem (a golden image) can be audited without executing any of its
// binaries. It re-implements the parts of servconf.c that decide the
// effective configuration: tokenising, first-value-wins, Include globs,
// Match blocks (sshd -T -C), algorithm list modifiers, defaults and the
// output format.
//
// Only Debian 12's OpenSSH 9.2p1 is reproduced exactly, and it is what
// every Options.Version gets: other versions differ in defaults and
// keywords (for example 9.5 allows Subsystem in Match, 9.8 adds
// PerSourcePenalties), and their output is the 9.2p1 answer, flagged by
// Config.VersionExact() == false so callers can say so.
package sshdconfig

import (
	"fmt"
	"strings"
)

// FS is how the parser reads files; paths are absolute paths inside the
// target (e.g. "/etc/ssh/sshd_config.d/10-x.conf").
type FS interface {
	ReadFile(path string) ([]byte, error)
	Glob(pattern string) ([]string, error) // sorted results, like glob(3) with GLOB_NOCHECK off
}

// Options tune Load.
type Options struct {
	// Version is the OpenSSH version of the target, e.g. "9.2p1"; ""
	// means 9.2p1. See the package comment for other versions.
	Version string
}

// ConnSpec is a connection to evaluate Match blocks for, as
// sshd -C user=,host=,addr=,laddr=,lport=,rdomain=. An empty field is an
// attribute missing from the specification: criteria on it never match.
type ConnSpec struct{ User, Host, Addr, LocalAddr, LocalPort, RDomain string }

// MatchBlock is one Match block as written.
type MatchBlock struct {
	Criteria string // e.g. "User alice,bob Address 10.0.0.0/8"
	File     string
	Line     int
	Settings []Setting // keywords lowercased, values as sshd -T prints them
}

// Config is a loaded configuration tree.
type Config struct {
	fsys     FS
	mainFile string
	mainBuf  []string
	global   *options
	includes []*includeItem
	files    []string
	blocks   []MatchBlock
	users    *userDB
	version  string
}

const defaultVersion = "9.2p1"

// Load reads path (normally /etc/ssh/sshd_config) and its includes
// through fsys. A configuration sshd would refuse returns a *ConfigError;
// a file that cannot be read returns the FS error wrapped with its name.
func Load(fsys FS, path string, opt Options) (*Config, error) {
	c := &Config{fsys: fsys, mainFile: path, version: opt.Version, users: &userDB{}}
	if c.version == "" {
		c.version = defaultVersion
	}
	p := &parser{fsys: fsys, opts: newOptions(), includes: &c.includes, files: &c.files, users: c.users}
	lines, err := p.readConfig(path)
	if err != nil {
		return nil, err
	}
	c.mainBuf = lines
	p.curBlock = -1
	p.onMatch = func(criteria string, l *lineCtx) {
		c.blocks = append(c.blocks, MatchBlock{Criteria: criteria, File: l.file, Line: l.line})
		p.curBlock = len(c.blocks) - 1
	}
	p.recording = func(op string, l *lineCtx) {
		if p.curBlock < 0 || op == opDeprecated || op == opIgnore || op == opUnsupported {
			return
		}
		b := &c.blocks[p.curBlock]
		b.Settings = append(b.Settings, c.formatLine(op, l)...)
	}
	active := true
	if err := p.parseFile(path, lines, 0, &active, 0); err != nil {
		return nil, err
	}
	c.global = p.opts
	// Listen addresses are resolved once parsing is complete; a bad one
	// refuses the whole configuration.
	if _, err := fill(c.global.clone()); err != nil {
		return nil, err
	}
	return c, nil
}

// VersionExact reports whether Effective reproduces the target's sshd
// exactly (only 9.2p1 is modelled).
func (c *Config) VersionExact() bool {
	return strings.HasPrefix(c.version, "9.2")
}

// Files lists every file read, in order (main file, then includes).
func (c *Config) Files() []string { return append([]string(nil), c.files...) }

// MatchBlocks lists every Match block, in file order.
func (c *Config) MatchBlocks() []MatchBlock {
	out := make([]MatchBlock, len(c.blocks))
	for i, b := range c.blocks {
		out[i] = b
		out[i].Settings = append([]Setting(nil), b.Settings...)
	}
	return out
}

// Effective returns what `sshd -T` prints (conn == nil) or what
// `sshd -T -C ...` prints for conn: same lines, same order, same values.
func (c *Config) Effective(conn *ConnSpec) ([]Setting, error) {
	o := c.global.clone()
	// sshd -T always re-reads the configuration for Match blocks, with
	// an empty connection when -C is not given (only "Match all" then
	// applies, but it applies with Match precedence).
	if conn == nil {
		conn = &ConnSpec{}
	}
	if conn.LocalPort != "" {
		var files []string
		p := &parser{fsys: c.fsys, files: &files, users: c.users}
		if port := p.a2port(conn.LocalPort); port == -1 {
			return nil, fmt.Errorf("Invalid port '%s' in test mode specification lport=%s", conn.LocalPort, conn.LocalPort)
		}
	}
	{
		includes := append([]*includeItem(nil), c.includes...)
		var files []string
		p := &parser{fsys: c.fsys, opts: newOptions(), conn: conn, includes: &includes, files: &files, users: c.users}
		active := false
		if err := p.parseFile(c.mainFile, c.mainBuf, flagMatchOnly, &active, 0); err != nil {
			return nil, err
		}
		copyMatchSet(o, p.opts)
	}
	listen, err := fill(o)
	if err != nil {
		return nil, err
	}
	return dump(o, listen)
}

// formatLine renders one Match-block line as sshd -T would print that
// keyword if only this line had set it.
func (c *Config) formatLine(op string, l *lineCtx) []Setting {
	var files []string
	var includes []*includeItem
	p := &parser{fsys: c.fsys, opts: newOptions(), includes: &includes, files: &files, users: c.users}
	active := true
	flags := 0
	lc := *l
	lc.args = append([]string(nil), l.args...)
	if err := p.apply(op, &lc, &active, &flags, 0); err != nil {
		return []Setting{{Keyword: op, Value: strings.Join(l.args, " ")}}
	}
	keyword := op
	all, err := dump(p.opts, nil)
	if err != nil {
		return []Setting{{Keyword: op, Value: strings.Join(l.args, " ")}}
	}
	var out []Setting
	for _, s := range all {
		if s.Keyword == keyword {
			out = append(out, s)
		}
	}
	return out
}

// String renders settings as sshd -T output.
func String(settings []Setting) string {
	var b strings.Builder
	for _, s := range settings {
		fmt.Fprintf(&b, "%s %s\n", s.Keyword, s.Value)
	}
	return b.String()
}
