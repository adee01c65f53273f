package sysctlconf

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Dirs are the sysctl.d directories in precedence order (sysctl.d(5));
// /lib/sysctl.d is the legacy location systemd still reads on split-/usr
// builds and that Debian packages may still use.
var Dirs = []string{"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"}

// LegacyFile is procps' traditional configuration, applied last.
const LegacyFile = "/etc/sysctl.conf"

// maxFileSize bounds one configuration file; real ones are a few KB.
const maxFileSize = 1 << 20

// maxErrorsPerFile stops a file of binary junk from flooding the facts.
const maxErrorsPerFile = 10

// Setting is the persisted value of one key and where it was set.
type Setting struct {
	Value string `json:"value"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// FileError is a problem with one file (Line 0: the whole file).
type FileError struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Result is the merged configuration for the requested keys.
type Result struct {
	// Values holds, by dotted key, each requested key that is set.
	Values map[string]Setting
	// Files lists the files read, in the order they were applied.
	Files []string
	// Errors lists syntax errors and unreadable files or directories.
	Errors []FileError
	// Incomplete is true when a file or directory could not be read, so
	// Values may lack settings the system applies.
	Incomplete bool
}

// option is one entry of systemd-sysctl's ordered option table.
type option struct {
	Line
	file string
	line int
}

// Load merges the target's sysctl.d files and reports the requested
// dotted keys.
func Load(h hostfs.Host, keys []string) Result {
	res := Result{Values: map[string]Setting{}}
	files := listFiles(h, &res)
	var opts []option
	appliedLegacy := false
	for _, f := range files {
		if real, err := realPath(h, f); err == nil && real == LegacyFile {
			appliedLegacy = true
		}
		opts = applyFile(h, f, opts, &res)
	}
	if !appliedLegacy {
		if _, err := h.Lstat(LegacyFile); err == nil {
			opts = applyFile(h, LegacyFile, opts, &res)
		}
	}
	for _, k := range keys {
		if s, ok := resolveKey(opts, SlashKey(k)); ok {
			res.Values[k] = s
		}
	}
	return res
}

// listFiles returns the surviving *.conf files sorted by file name.
func listFiles(h hostfs.Host, res *Result) []string {
	byName := map[string]string{}
	for _, dir := range Dirs {
		entries, err := h.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
				res.Errors = append(res.Errors, FileError{File: dir, Error: err.Error()})
				res.Incomplete = true
			}
			continue
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name, ".conf") || strings.HasPrefix(e.Name, ".") || e.Type.IsDir() {
				continue
			}
			if _, masked := byName[e.Name]; !masked {
				byName[e.Name] = path.Join(dir, e.Name)
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		p := byName[n]
		if target, err := h.Readlink(p); err == nil && path.Clean(target) == "/dev/null" {
			continue // masked: an empty configuration by design
		}
		out = append(out, p)
	}
	return out
}

func isNotDir(err error) bool {
	return strings.Contains(err.Error(), "not a directory")
}

// applyFile parses one file into the option table.
func applyFile(h hostfs.Host, file string, opts []option, res *Result) []option {
	data, err := h.ReadFileLimit(file, maxFileSize)
	if err != nil {
		res.Errors = append(res.Errors, FileError{File: file, Error: err.Error()})
		res.Incomplete = true
		return opts
	}
	res.Files = append(res.Files, file)
	nerr := 0
	for i, text := range strings.Split(string(data), "\n") {
		l, ok, err := ParseLine(text)
		if err != nil {
			nerr++
			switch {
			case nerr <= maxErrorsPerFile:
				res.Errors = append(res.Errors, FileError{File: file, Line: i + 1, Error: err.Error()})
			case nerr == maxErrorsPerFile+1:
				res.Errors = append(res.Errors, FileError{File: file, Line: i + 1, Error: fmt.Sprintf("more than %d errors, further ones not reported", maxErrorsPerFile)})
			}
			continue
		}
		if ok {
			opts = addOption(opts, option{Line: l, file: file, line: i + 1})
		}
	}
	return opts
}

// addOption is systemd-sysctl's table update: the same value again keeps
// the first entry, a different one replaces it and moves to the end.
func addOption(opts []option, o option) []option {
	for i, prev := range opts {
		if prev.Key != o.Key {
			continue
		}
		if prev.HasValue == o.HasValue && prev.Value == o.Value {
			opts[i].IgnoreFailure = prev.IgnoreFailure || o.IgnoreFailure
			return opts
		}
		opts = append(opts[:i], opts[i+1:]...)
		break
	}
	return append(opts, o)
}

// resolveKey finds what the table sets key (slash form) to: its concrete
// entry, else the last glob that matches it.
func resolveKey(opts []option, key string) (Setting, bool) {
	for _, o := range opts {
		if !o.IsGlob() && o.Key == key {
			if !o.HasValue {
				return Setting{}, false
			}
			return Setting{Value: o.Value, File: o.file, Line: o.line}, true
		}
	}
	var found Setting
	ok := false
	for _, o := range opts {
		if !o.IsGlob() || !o.HasValue {
			continue
		}
		if m, err := path.Match(o.Key, key); err == nil && m {
			found, ok = Setting{Value: o.Value, File: o.file, Line: o.line}, true
		}
	}
	return found, ok
}

// realPath resolves every symlink of p inside the target, so that two
// names of one file compare equal.
func realPath(h hostfs.Host, p string) (string, error) {
	resolved, rest, links := "/", p, 0
	for rest != "" {
		var comp string
		comp, rest, _ = strings.Cut(strings.TrimLeft(rest, "/"), "/")
		switch comp {
		case "", ".":
			continue
		case "..":
			resolved = path.Dir(resolved)
			continue
		}
		candidate := path.Join(resolved, comp)
		fi, err := h.Lstat(candidate)
		if err != nil {
			return "", err
		}
		if fi.Mode&fs.ModeSymlink == 0 {
			resolved = candidate
			continue
		}
		if links++; links > hostfs.MaxSymlinks {
			return "", fmt.Errorf("%s: %w", p, hostfs.ErrLoop)
		}
		target, err := h.Readlink(candidate)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			resolved = "/"
		}
		if rest != "" {
			target += "/" + rest
		}
		rest = target
	}
	return resolved, nil
}
