package pamconf

import (
	"fmt"
	"path"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Dir is where Linux-PAM reads service files.
const Dir = "/etc/pam.d"

// maxFileSize bounds one pam.d file; real ones are a few KB.
const maxFileSize = 1 << 20

// allTypes is the type filter of a top-level file or an @include.
const allTypes = ""

// LoadService resolves /etc/pam.d/<service>. A missing service file is
// an error wrapping fs.ErrNotExist (libpam would fall back to "other");
// a missing included file, a syntax error, an include loop or nesting
// deeper than hostfs.MaxIncludeDepth is an error naming the files.
func LoadService(h hostfs.Host, service string) (Stack, error) {
	if service == "" || strings.Contains(service, "/") {
		return nil, fmt.Errorf("pam service %q: not a service name", service)
	}
	l := loader{h: h}
	file := path.Join(Dir, service)
	data, err := h.ReadFileLimit(file, maxFileSize)
	if err != nil {
		return nil, err
	}
	if err := l.parse(file, string(data), allTypes, ""); err != nil {
		return nil, err
	}
	if l.out == nil {
		l.out = Stack{}
	}
	return l.out, nil
}

type loader struct {
	h     hostfs.Host
	chain []string // files being read, outermost first
	out   Stack
}

// parse appends the lines of file whose type is onlyType (all when
// empty), expanding includes; substack names the enclosing substack.
func (l *loader) parse(file, data, onlyType, substack string) error {
	for _, open := range l.chain {
		if open == file {
			return fmt.Errorf("pam include loop: %s -> %s", strings.Join(l.chain, " -> "), file)
		}
	}
	if len(l.chain) >= hostfs.MaxIncludeDepth {
		return fmt.Errorf("pam includes nested deeper than %d: %s -> %s", hostfs.MaxIncludeDepth, strings.Join(l.chain, " -> "), file)
	}
	l.chain = append(l.chain, file)
	defer func() { l.chain = l.chain[:len(l.chain)-1] }()
	for _, ll := range splitLines(data) {
		e, ok, err := ParseLine(ll.text)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", file, ll.line, err)
		}
		if !ok {
			continue
		}
		if e.Include != "" {
			if err := l.include(file, ll.line, e.Include, onlyType, substack); err != nil {
				return err
			}
			continue
		}
		if onlyType != allTypes && e.Type != onlyType {
			continue
		}
		switch e.Control {
		case "include":
			err = l.include(file, ll.line, e.Module.Module, e.Type, substack)
		case "substack":
			err = l.include(file, ll.line, e.Module.Module, e.Type, e.Module.Module)
		default:
			m := e.Module
			m.File, m.Line, m.Substack = file, ll.line, substack
			l.out = append(l.out, m)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// include reads name (relative to /etc/pam.d unless absolute) and
// appends its lines of type onlyType.
func (l *loader) include(from string, line int, name, onlyType, substack string) error {
	file := name
	if !strings.HasPrefix(file, "/") {
		file = path.Join(Dir, name)
	}
	data, err := l.h.ReadFileLimit(file, maxFileSize)
	if err != nil {
		// %v, not %w: the service exists, so callers must not take this
		// for a missing service.
		return fmt.Errorf("%s:%d: include %s: %v", from, line, file, err)
	}
	return l.parse(file, string(data), onlyType, substack)
}
