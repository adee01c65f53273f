package sshdconfig

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

const (
	// maxIncludeDepth is SERVCONF_MAX_DEPTH: the main file is depth 0.
	maxIncludeDepth = 16
	sshDir          = "/etc/ssh"

	// Include flags (servconf.c SSHCFG_NEVERMATCH / SSHCFG_MATCH_ONLY).
	flagNeverMatch = 0x04
	flagMatchOnly  = 0x08
)

// includeItem is one entry of sshd's include cache: the glob as written
// (made absolute) and one file it matched; file=="" records "no match".
type includeItem struct {
	selector string
	file     string
	lines    []string
}

// parser carries the state of one pass over the configuration.
type parser struct {
	fsys     FS
	opts     *options
	conn     *ConnSpec // nil in the first pass (sshd -T without -C)
	includes *[]*includeItem
	files    *[]string
	users    *userDB

	// recording, when set, observes every applied line (used to build
	// MatchBlocks).
	recording func(op string, l *lineCtx)
	onMatch   func(criteria string, l *lineCtx)
	// curBlock is the index of the Match block lines currently belong to
	// (-1: the global section), for MatchBlocks.
	curBlock int
}

func (p *parser) parseFile(file string, lines []string, flags int, active *bool, depth int) error {
	if depth < 0 || depth > maxIncludeDepth {
		return &ConfigError{File: file, Msg: "Too many recursive configuration includes"}
	}
	for i, line := range lines {
		if err := p.processLine(line, file, i+1, active, &flags, depth); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) readConfig(file string) ([]string, error) {
	data, err := p.fsys.ReadFile(file)
	if err != nil {
		// fopen(3) succeeds on a directory and getline then reports
		// EOF, so sshd treats a directory matched by a glob as empty.
		if errors.Is(err, syscall.EISDIR) {
			return []string{""}, nil
		}
		return nil, fmt.Errorf("sshd config %s: %w", file, err)
	}
	*p.files = append(*p.files, file)
	return loadBuffer(data), nil
}

// include is the sInclude case: every argument is a glob, relative ones
// under /etc/ssh; files are parsed in glob order with the includer's
// Match state, and sshd's cache of earlier globs is reproduced.
func (p *parser) include(l *lineCtx, activep *bool, flags *int, depth int) error {
	count := 0
	for {
		arg2, ok := l.next()
		if !ok {
			break
		}
		if arg2 == "" {
			return l.errorf("keyword %s empty argument", l.keyword)
		}
		count++
		arg := arg2
		if arg2[0] != '/' && arg2[0] != '~' {
			arg = sshDir + "/" + arg2
		}
		oactive := *activep
		oblock := p.curBlock
		childFlags := 0
		switch {
		case *flags&flagMatchOnly != 0:
			childFlags = flagMatchOnly
		case !oactive:
			childFlags = flagNeverMatch
		}
		found := false
		for _, item := range *p.includes {
			if item.selector != arg {
				continue
			}
			if item.file != "" {
				if err := p.parseFile(item.file, item.lines, childFlags, activep, depth+1); err != nil {
					return err
				}
			}
			found = true
			*activep = oactive
			p.curBlock = oblock
		}
		if found {
			continue
		}
		matches, err := p.fsys.Glob(arg)
		if err != nil {
			return l.errorf("include \"%s\" glob failed", arg)
		}
		if len(matches) == 0 {
			*p.includes = append(*p.includes, &includeItem{selector: arg})
		}
		for _, m := range matches {
			lines, err := p.readConfig(m)
			if err != nil {
				return err
			}
			if err := p.parseFile(m, lines, childFlags, activep, depth+1); err != nil {
				return err
			}
			*activep = oactive
			p.curBlock = oblock
			*p.includes = append(*p.includes, &includeItem{selector: arg, file: m, lines: lines})
		}
	}
	if count == 0 {
		return l.errorf("%s missing filename argument", l.keyword)
	}
	return nil
}

// match is the sMatch case.
func (p *parser) match(l *lineCtx, activep *bool, flags *int) error {
	conn := p.conn
	if *flags&flagNeverMatch != 0 {
		conn = nil
	}
	// In the -C pass a missing attribute never matches; in the first pass
	// there is no connection at all and only "all" matches.
	ok, err := p.matchCfgLine(l.str, l, conn)
	if err != nil {
		return err
	}
	if p.onMatch != nil {
		p.onMatch(strings.TrimSpace(l.str), l)
	}
	*activep = ok && *flags&flagNeverMatch == 0
	*flags &^= flagMatchOnly
	l.args = nil
	return nil
}
