package sudoersconf

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// MaxFileSize bounds one sudoers file; real ones are a few KiB, and a
// larger one is garbage or an attack.
const MaxFileSize = 4 << 20

// MaxFiles bounds the files one policy may read (includedirs of includedirs).
const MaxFiles = 4096

// Options tune Load.
type Options struct {
	// Hostname replaces %h in include paths (the short host name, as sudo
	// uses it).
	Hostname string
}

type loader struct {
	h     hostfs.Host
	opts  Options
	p     *Policy
	chain []string
}

// Load reads the policy rooted at file (normally Path). A missing file
// is an error wrapping fs.ErrNotExist; a file that cannot be read (not a
// regular file, too large, unreadable), an include loop, nesting deeper
// than hostfs.MaxIncludeDepth or a line sudo would reject is an error
// naming the file (and line).
func Load(h hostfs.Host, file string, opts Options) (*Policy, error) {
	p := &Policy{aliases: map[string]*aliasDef{}, Files: []string{}, Defaults: []Default{}, Aliases: []Alias{}, Grants: []Grant{}, Warnings: []string{}}
	l := &loader{h: h, opts: opts, p: p}
	data, err := h.ReadFileLimit(file, MaxFileSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, &Error{File: file, Msg: errText(err)}
	}
	if err := l.parseFile(file, string(data)); err != nil {
		return nil, err
	}
	if err := p.resolve(); err != nil {
		return nil, err
	}
	return p, nil
}

// Parse parses one sudoers text without following includes (which are
// an error here): the fuzzers and benchmarks use it.
func Parse(name, data string) (*Policy, error) {
	p := &Policy{aliases: map[string]*aliasDef{}, Files: []string{name}, Defaults: []Default{}, Aliases: []Alias{}, Grants: []Grant{}, Warnings: []string{}}
	lines := splitLines(data)
	for i := range lines {
		inc, err := p.parseLine(name, &lines[i])
		if err != nil {
			return nil, err
		}
		if inc != nil {
			return nil, &Error{File: name, Line: inc.line, Msg: "includes are not followed by Parse"}
		}
	}
	if err := p.resolve(); err != nil {
		return nil, err
	}
	return p, nil
}

// errText is err's message without the "read PATH:" prefix hostfs adds,
// since Error names the file itself.
func errText(err error) string {
	var pe *hostfs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (l *loader) parseFile(file, data string) error {
	for _, open := range l.chain {
		if open == file {
			return &Error{File: file, Msg: "include loop: " + strings.Join(append(l.chain, file), " -> ")}
		}
	}
	if len(l.chain) >= hostfs.MaxIncludeDepth {
		return &Error{File: file, Msg: fmt.Sprintf("includes nested deeper than %d: %s", hostfs.MaxIncludeDepth, strings.Join(append(l.chain, file), " -> "))}
	}
	if len(l.p.Files) >= MaxFiles {
		return &Error{File: file, Msg: fmt.Sprintf("more than %d sudoers files", MaxFiles)}
	}
	if strings.IndexByte(data, 0) >= 0 {
		line := strings.Count(data[:strings.IndexByte(data, 0)], "\n") + 1
		return &Error{File: file, Line: line, Msg: "syntax error (NUL byte)"}
	}
	l.p.Files = append(l.p.Files, file)
	l.chain = append(l.chain, file)
	defer func() { l.chain = l.chain[:len(l.chain)-1] }()
	lines := splitLines(data)
	for i := range lines {
		inc, err := l.p.parseLine(file, &lines[i])
		if err != nil {
			return err
		}
		if inc == nil {
			continue
		}
		target := l.includePath(file, inc.path)
		if inc.dir {
			err = l.includeDir(file, inc.line, target)
		} else {
			err = l.includeFile(file, inc.line, target)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// includePath expands %h and makes a relative path relative to the
// directory of the including file (sudo 1.9.1 and later).
func (l *loader) includePath(from, p string) string {
	p = strings.ReplaceAll(p, "%h", l.opts.Hostname)
	if !strings.HasPrefix(p, "/") {
		p = path.Join(path.Dir(from), p)
	}
	return p
}

func (l *loader) includeFile(from string, line int, file string) error {
	data, err := l.h.ReadFileLimit(file, MaxFileSize)
	if err != nil {
		return &Error{File: from, Line: line, Msg: fmt.Sprintf("include %s: %s", file, errText(err))}
	}
	return l.parseFile(file, string(data))
}

// includeDir reads the files of dir in lexical order, skipping names that
// end in '~' or contain a '.' as sudo does (editor backups, package
// manager leftovers such as .dpkg-old). A missing directory is not an
// error (visudo accepts it); a FIFO, device or socket is, since ztscan
// cannot know what sudo would read from it.
func (l *loader) includeDir(from string, line int, dir string) error {
	entries, err := l.h.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return &Error{File: from, Line: line, Msg: fmt.Sprintf("includedir %s: %s", dir, errText(err))}
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name, "~") || strings.Contains(e.Name, ".") {
			continue
		}
		file := path.Join(dir, e.Name)
		fi, err := l.h.Stat(file)
		if err != nil {
			return &Error{File: file, Msg: errText(err)}
		}
		if fi.IsDir() {
			continue
		}
		if !fi.IsRegular() {
			return &Error{File: file, Msg: fmt.Sprintf("not a regular file (%s)", hostfs.FileType(fi.Mode))}
		}
		data, err := l.h.ReadFileLimit(file, MaxFileSize)
		if err != nil {
			return &Error{File: file, Msg: errText(err)}
		}
		if err := l.parseFile(file, string(data)); err != nil {
			return err
		}
	}
	return nil
}
