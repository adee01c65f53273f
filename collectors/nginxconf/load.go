package nginxconf

import (
	"fmt"
	"path"
	"strings"
)

// Limits on hostile trees. nginx itself has no include depth limit (a
// loop runs until it exhausts file descriptors); ztscan stops earlier and
// names the loop.
const (
	MaxIncludeDepth = 16
	MaxFiles        = 4096
	// MaxDirectives bounds the expanded tree (a file included many times
	// over is parsed each time, as nginx does).
	MaxDirectives = 1 << 20
)

// Load reads the main configuration file (normally /etc/nginx/nginx.conf)
// and everything it includes. A tree nginx would refuse returns an *Error
// naming file and line.
func Load(fsys FS, mainFile string) (*Config, error) {
	if !strings.HasPrefix(mainFile, "/") {
		return nil, &Error{File: mainFile, Msg: "the main configuration file must be an absolute path"}
	}
	c := &Config{Main: mainFile, Prefix: path.Dir(mainFile)}
	l := &loader{fsys: fsys, cfg: c, dumped: map[string]bool{}}
	dirs, err := l.parseFile(mainFile, nil, 0, ctxMain)
	if err != nil {
		return nil, err
	}
	c.Directives = dirs
	if err := checkTree(c); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse parses one file's text without following includes (they stay as
// directives); for tests and fuzzing of the grammar.
func Parse(file string, data []byte) ([]*Directive, error) {
	l := &loader{noInclude: true, cfg: &Config{}, dumped: map[string]bool{}}
	return l.parseData(file, data, 0, ctxMain)
}

type loader struct {
	fsys       FS
	cfg        *Config
	dumped     map[string]bool
	stack      []string // files being parsed, for loop errors
	directives int
	noInclude  bool
}

// parseFile reads and parses file; includedBy is the include directive
// (nil for the main file), for errors.
func (l *loader) parseFile(file string, includedBy *Directive, depth int, ctx context) ([]*Directive, error) {
	for _, f := range l.stack {
		if f == file {
			return nil, &Error{File: includedBy.File, Line: includedBy.Line, Msg: fmt.Sprintf("include loop: %s includes itself through %s", file, strings.Join(l.stack, " -> "))}
		}
	}
	if depth > MaxIncludeDepth {
		return nil, &Error{File: includedBy.File, Line: includedBy.Line, Msg: fmt.Sprintf("includes nested deeper than %d", MaxIncludeDepth)}
	}
	data, err := l.fsys.ReadFile(file)
	if err != nil {
		// Located like nginx's `open() "FILE" failed ... in INCLUDER:LINE`.
		if includedBy != nil {
			return nil, &Error{File: includedBy.File, Line: includedBy.Line, Msg: fmt.Sprintf("cannot read included file %s: %v", file, err), Err: err}
		}
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot read: %v", err), Err: err}
	}
	if !l.dumped[file] {
		if len(l.cfg.Files) >= MaxFiles {
			return nil, &Error{File: file, Msg: fmt.Sprintf("more than %d configuration files", MaxFiles)}
		}
		l.dumped[file] = true
		l.cfg.Files = append(l.cfg.Files, File{Path: file, Data: data})
	}
	l.stack = append(l.stack, file)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	return l.parseData(file, data, depth, ctx)
}

// parseData parses a whole file: directives until end of file.
func (l *loader) parseData(file string, data []byte, depth int, ctx context) ([]*Directive, error) {
	lx := newLexer(file, data)
	return l.parseBlock(lx, depth, ctx, false)
}

// parseBlock is ngx_conf_parse for a file (inBlock false: ends at end of
// file) or a block (ends at "}").
func (l *loader) parseBlock(lx *lexer, depth int, ctx context, inBlock bool) ([]*Directive, error) {
	out := []*Directive{}
	for {
		words, line, rc, err := lx.next()
		if err != nil {
			return nil, err
		}
		switch rc {
		case tokBlockDone:
			if !inBlock {
				return nil, lx.errorf(`unexpected "}"`)
			}
			return out, nil
		case tokFileDone:
			if inBlock {
				return nil, lx.errorf(`unexpected end of file, expecting "}"`)
			}
			return out, nil
		}
		if l.directives++; l.directives > MaxDirectives {
			return nil, lx.errorf("more than %d directives", MaxDirectives)
		}
		d := &Directive{Name: words[0], Args: words[1:], File: lx.file, Line: line}
		if ctx.customHandler() {
			// types, map, geo, ... read "name value" pairs with their own
			// handler, which refuses blocks; include still works in them.
			if rc == tokBlockStart {
				return nil, lx.errorf(`unexpected "{"`)
			}
		} else if err := checkDirective(lx, d, rc == tokBlockStart, ctx); err != nil {
			return nil, err
		}
		if d.Name == "include" && !l.noInclude && !(ctx.customHandler() && len(d.Args) != 1) {
			if len(d.Args) != 1 {
				return nil, lx.errorf(`invalid number of arguments in "include" directive`)
			}
			inc, err := l.include(d, depth, ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, inc...)
			continue
		}
		if rc == tokBlockStart {
			d.IsBlock = true
			d.Block, err = l.parseBlock(lx, depth, ctx.enter(d), true)
			if err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
}

// include is ngx_conf_include: a path relative to the prefix, a glob when
// it has any of "*?[" (no match is fine), a plain file otherwise (it must
// exist). Included directives are parsed in the includer's context.
func (l *loader) include(d *Directive, depth int, ctx context) ([]*Directive, error) {
	name := d.Args[0]
	if !strings.HasPrefix(name, "/") {
		// ngx_conf_full_name prepends the prefix and cleans nothing:
		// "./a.conf" is dumped as "/etc/nginx/./a.conf".
		name = strings.TrimSuffix(l.cfg.Prefix, "/") + "/" + name
	}
	files := []string{name}
	if strings.ContainsAny(name, "*?[") {
		var err error
		files, err = l.fsys.Glob(name)
		if err != nil {
			return nil, &Error{File: d.File, Line: d.Line, Msg: fmt.Sprintf("include %q: %v", d.Args[0], err), Err: err}
		}
	}
	var out []*Directive
	for _, f := range files {
		dirs, err := l.parseFile(f, d, depth+1, ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, dirs...)
	}
	return out, nil
}
