package nftables

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Limits of Flatten: one file, the whole text and the number of files.
const (
	MaxFileSize  = 4 << 20
	MaxTotalSize = 16 << 20
	MaxFiles     = 1024
)

// DefaultIncludeDir is where nft looks up a relative include (its
// compiled-in include path on Debian); "./x" is relative to the working
// directory, "/" for nftables.service.
const DefaultIncludeDir = "/etc"

// Flattened is a ruleset file with its includes inlined.
type Flattened struct {
	Text []byte
	// Files lists the files read, in the order read.
	Files []string
	lines []origin // lines[i] is where line i+1 of Text comes from
}

type origin struct {
	file string
	line int
}

// Where names the file and line of line n (1-based) of the text.
func (f *Flattened) Where(n int) string {
	if n < 1 || n > len(f.lines) {
		return fmt.Sprintf("line %d", n)
	}
	o := f.lines[n-1]
	return fmt.Sprintf("%s:%d", o.file, o.line)
}

var (
	includeLine = regexp.MustCompile(`^\s*include\s+"([^"]*)"\s*;?\s*(#.*)?$`)
	includeWord = regexp.MustCompile(`(^|[\s;{}])include([\s"]|$)`)
)

// Flatten reads file from h and inlines its include statements, resolved
// inside the target the way nft resolves them (relative names under
// /etc, globs sorted, a missing literal file is an error). Loops, nesting
// deeper than hostfs.MaxIncludeDepth and oversized files are errors naming
// the file. An include in a form it does not inline is refused, so that
// nft, which later reads the text, never opens a path itself.
func Flatten(h hostfs.Host, file string) (*Flattened, error) {
	f := &Flattened{}
	if err := f.add(h, file, nil); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *Flattened) add(h hostfs.Host, file string, stack []string) error {
	for _, s := range stack {
		if s == file {
			return fmt.Errorf("%s: include loop: %s -> %s", file, strings.Join(stack, " -> "), file)
		}
	}
	if len(stack) > hostfs.MaxIncludeDepth {
		return fmt.Errorf("%s: includes nested deeper than %d", file, hostfs.MaxIncludeDepth)
	}
	if len(f.Files) >= MaxFiles {
		return fmt.Errorf("%s: more than %d included files", file, MaxFiles)
	}
	data, err := h.ReadFileLimit(file, MaxFileSize)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return fmt.Errorf("%s: binary data (NUL byte), not an nftables ruleset", file)
	}
	f.Files = append(f.Files, file)
	stack = append(stack, file)
	text := strings.TrimSuffix(string(data), "\n")
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if m := includeLine.FindStringSubmatch(line); m != nil {
			if err := f.include(h, file, n, m[1], stack); err != nil {
				return err
			}
			continue
		}
		if includeWord.MatchString(codeOf(line)) {
			return fmt.Errorf("%s:%d: include in a form ztscan does not resolve (write it on a line of its own)", file, n)
		}
		if len(f.Text)+len(line)+1 > MaxTotalSize {
			return fmt.Errorf("%s:%d: ruleset with its includes is over %d bytes", file, n, MaxTotalSize)
		}
		f.Text = append(f.Text, line...)
		f.Text = append(f.Text, '\n')
		f.lines = append(f.lines, origin{file, n})
	}
	return nil
}

func (f *Flattened) include(h hostfs.Host, file string, line int, name string, stack []string) error {
	target := name
	switch {
	case strings.HasPrefix(name, "/"):
	case strings.HasPrefix(name, "./"):
		target = "/" + strings.TrimPrefix(name, "./")
	default:
		target = path.Join(DefaultIncludeDir, name)
	}
	target = path.Clean(target)
	if strings.ContainsAny(target, "*?[") {
		matches, err := h.Glob(target)
		if err != nil {
			return fmt.Errorf("%s:%d: include %q: %w", file, line, name, err)
		}
		for _, m := range matches {
			if fi, err := h.Stat(m); err == nil && fi.IsDir() {
				continue
			}
			if err := f.add(h, m, stack); err != nil {
				return err
			}
		}
		return nil
	}
	if err := f.add(h, target, stack); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s:%d: include %q: %s does not exist", file, line, name, target)
		}
		return err
	}
	return nil
}

// codeOf is line without its # comment and with quoted strings emptied,
// so that a word inside a comment or a string is not taken for a keyword.
func codeOf(line string) string {
	var b strings.Builder
	inQuote := false
	for _, r := range line {
		switch {
		case r == '"':
			inQuote = !inQuote
			b.WriteRune(r)
		case inQuote:
		case r == '#':
			return b.String()
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stdinLine finds the line numbers nft gives for its standard input
// ("/dev/stdin:12:3-7: Error: ...").
var stdinLine = regexp.MustCompile(`(?m)(?:/dev/stdin|-):(\d+):(\d+(?:-\d+)?):`)

// Locate rewrites nft's messages about its standard input to name the
// file and line of the flattened text they come from.
func (f *Flattened) Locate(msg string) string {
	return stdinLine.ReplaceAllStringFunc(msg, func(m string) string {
		sub := stdinLine.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[1])
		return f.Where(n) + ":" + sub[2] + ":"
	})
}
