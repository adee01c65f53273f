package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Typed errors, so collectors can say what went wrong without parsing text.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("file too large")
	ErrLoop       = errors.New("too many levels of symbolic links")
	ErrNoExec     = errors.New("commands are never run on this target")
	ErrNotAllowed = errors.New("command not in the allow-list")
	ErrTooMany    = errors.New("too many matches")
	errMemoType   = errors.New("memoized value has another type")
)

// PathError names the target path (not the host path) an operation failed on.
type PathError struct {
	Op   string
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Op + " " + e.Path + ": " + e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

// resolver maps target paths to host paths with chroot semantics: an
// absolute symlink target restarts at root, ".." never climbs above root,
// and more than MaxSymlinks links end with ErrLoop. Every component is
// checked with Lstat, so no link can lead outside root.
type resolver struct {
	root string // host path of the target's "/", cleaned, no trailing slash ("" for "/")
}

func newResolver(root string) resolver {
	root = path.Clean(root)
	if root == "/" {
		root = ""
	}
	return resolver{root: root}
}

// host turns a resolved target path (clean, absolute) into a host path.
func (r resolver) host(targetPath string) string {
	if r.root == "" {
		return targetPath
	}
	if targetPath == "/" {
		return r.root
	}
	return r.root + targetPath
}

// resolve returns the cleaned target path of name with every symlink
// resolved inside root. With followFinal false the last component is left
// as it is (for Lstat and Readlink), unless a slash follows it: as in the
// kernel, "link/" names what the link points to, which must be a directory.
func (r resolver) resolve(name string, followFinal bool) (string, error) {
	if err := checkPath(name); err != nil {
		return "", &PathError{Op: "resolve", Path: name, Err: err}
	}
	links := 0
	resolved := "/"
	rest := name
	for rest != "" {
		var comp string
		var slash bool
		comp, rest, slash = nextComponent(rest)
		switch comp {
		case "", ".":
			continue
		case "..":
			resolved = path.Dir(resolved) // Dir("/") is "/": ".." stops at root
			continue
		}
		candidate := path.Join(resolved, comp)
		final := rest == ""
		if final && !followFinal && !slash {
			resolved = candidate
			break
		}
		fi, err := os.Lstat(r.host(candidate))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && final {
				// A missing final component is resolved; the caller's
				// operation reports "not found" with the right op.
				resolved = candidate
				break
			}
			return "", &PathError{Op: "resolve", Path: name, Err: unwrapOS(err)}
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if (!final || slash) && !fi.IsDir() {
				return "", &PathError{Op: "resolve", Path: name, Err: fmt.Errorf("%s: %w", candidate, unix.ENOTDIR)}
			}
			resolved = candidate
			continue
		}
		links++
		if links > MaxSymlinks {
			return "", &PathError{Op: "resolve", Path: name, Err: ErrLoop}
		}
		target, err := os.Readlink(r.host(candidate))
		if err != nil {
			return "", &PathError{Op: "resolve", Path: name, Err: unwrapOS(err)}
		}
		if strings.HasPrefix(target, "/") {
			resolved = "/"
		}
		switch {
		case final && slash:
			rest = target + "/" // the slash still asks for a directory
		case final:
			rest = target
		default:
			rest = target + "/" + rest
		}
	}
	return resolved, nil
}

// nextComponent splits the first component off p. slash reports whether a
// slash followed it, which matters for the last one.
func nextComponent(p string) (comp, rest string, slash bool) {
	p = strings.TrimLeft(p, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], strings.TrimLeft(p[i+1:], "/"), true
	}
	return p, "", false
}

// unwrapOS drops os.PathError's host path, which must not leak the host
// location of the root into messages about target paths.
func unwrapOS(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
