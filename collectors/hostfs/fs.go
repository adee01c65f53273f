package hostfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// fsHost implements Host over a directory of this machine: "/" for the
// live host, an unpacked image for a rootfs.
type fsHost struct {
	kind     Kind
	root     string
	res      resolver
	maxFile  int64
	commands Runner // nil: the target never runs anything
	inKernel bool   // resolve with openat2(RESOLVE_IN_ROOT); see open.go
	noProcFD bool   // tests: reopen as without /proc (see reopen)
	memo     memoTable
}

func (h *fsHost) memoEntry(key string) *memoValue { return h.memo.entry(key) }

// Live is the running host, read through / and allow-listed commands.
func Live() Host {
	return &fsHost{kind: KindHost, root: "/", res: newResolver("/"), maxFile: DefaultMaxFileSize, commands: execRunner{}}
}

// Rootfs is an offline root filesystem at dir. It fails when dir is not a
// directory. Nothing inside it is ever executed.
func Rootfs(dir string) (Host, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", dir, unwrapOS(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("root %s: not a directory", dir)
	}
	abs, err := absPath(dir)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", dir, err)
	}
	res := newResolver(abs)
	return &fsHost{kind: KindRootfs, root: abs, res: res, maxFile: DefaultMaxFileSize, inKernel: res.root != "" && openat2Available()}, nil
}

// Fixture is a host of the given kind whose "/" is dir and whose commands
// are answered by runner (nil: none). Tests use it to exercise live-mode
// collectors on fake /proc and /sys trees.
func Fixture(kind Kind, dir string, runner Runner) Host {
	abs, err := absPath(dir)
	if err != nil {
		abs = dir
	}
	res := newResolver(abs)
	return &fsHost{kind: kind, root: abs, res: res, maxFile: DefaultMaxFileSize, commands: runner, inKernel: res.root != "" && openat2Available()}
}

func absPath(dir string) (string, error) {
	if strings.HasPrefix(dir, "/") {
		return path.Clean(dir), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return path.Join(wd, dir), nil
}

func (h *fsHost) Kind() Kind   { return h.kind }
func (h *fsHost) Root() string { return h.root }
func (h *fsHost) CanRun() bool { return h.commands != nil }

func (h *fsHost) ReadFile(name string) ([]byte, error) {
	return h.ReadFileLimit(name, h.maxFile)
}

// ReadFileLimit first opens with O_PATH, which does not open the file
// itself, and checks with fstat that it is a regular file under the cap:
// a FIFO, socket or device is ErrNotRegular and is never opened for real.
// That matters for an image, whose device nodes may name this machine's
// devices (opening a watchdog node arms it, a tape node rewinds). Only
// then is the same inode opened for reading, without blocking.
func (h *fsHost) ReadFileLimit(name string, limit int64) ([]byte, error) {
	pathFD, err := h.openIn("read", name, unix.O_PATH, true)
	if err != nil {
		return nil, err
	}
	defer unix.Close(pathFD)
	var st unix.Stat_t
	if err := unix.Fstat(pathFD, &st); err != nil {
		return nil, &PathError{Op: "read", Path: name, Err: errnoErr(err)}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, &PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, FileType(modeFromStat(&st)))}
	}
	if st.Size > limit {
		return nil, &PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, st.Size, limit)}
	}
	fd, err := h.reopen(name, pathFD, &st)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	// Files in /proc and /sys report size 0, so the cap is also applied
	// while reading.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &PathError{Op: "read", Path: name, Err: errnoErr(unwrapOS(err))}
	}
	if int64(len(data)) > limit {
		return nil, &PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)}
	}
	return data, nil
}

// reopen opens for reading the inode that pathFD (an O_PATH descriptor of
// the regular file described by st) refers to. Through /proc/self/fd that
// is exactly that inode, whatever happened to the path since. Without
// /proc it resolves name again and refuses a different inode; what that
// cannot undo is the open itself, should a writer to the image have put a
// device in the file's place in between.
func (h *fsHost) reopen(name string, pathFD int, st *unix.Stat_t) (int, error) {
	const flags = unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOCTTY
	fd := -1
	var err error = unix.ENOENT
	if !h.noProcFD {
		fd, err = unix.Open("/proc/self/fd/"+strconv.Itoa(pathFD), flags, 0)
	}
	if errors.Is(err, unix.ENOENT) {
		fd, err = h.openIn("read", name, unix.O_RDONLY|unix.O_NONBLOCK, true)
		if err != nil {
			return -1, err
		}
	} else if err != nil {
		return -1, &PathError{Op: "read", Path: name, Err: errnoErr(err)}
	}
	var now unix.Stat_t
	if err := unix.Fstat(fd, &now); err != nil || now.Dev != st.Dev || now.Ino != st.Ino {
		unix.Close(fd)
		return -1, &PathError{Op: "read", Path: name, Err: errors.New("file replaced while being opened")}
	}
	return fd, nil
}

func (h *fsHost) Stat(name string) (FileInfo, error)  { return h.stat("stat", name, true) }
func (h *fsHost) Lstat(name string) (FileInfo, error) { return h.stat("lstat", name, false) }

// stat opens with O_PATH, which needs no read permission and never opens
// the file itself (no FIFO wait, no device side effects), then fstats.
func (h *fsHost) stat(op, name string, follow bool) (FileInfo, error) {
	fd, err := h.openIn(op, name, unix.O_PATH, follow)
	if err != nil {
		return FileInfo{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return FileInfo{}, &PathError{Op: op, Path: name, Err: errnoErr(err)}
	}
	return FileInfo{
		Path: name, Mode: modeFromStat(&st), Size: st.Size,
		UID: st.Uid, GID: st.Gid, ModTime: timespecToTime(st.Mtim),
	}, nil
}

// Readlink reads the link through an O_PATH descriptor of the link itself
// (readlinkat with an empty path), so the link read is the one resolved.
func (h *fsHost) Readlink(name string) (string, error) {
	fd, err := h.openIn("readlink", name, unix.O_PATH, false)
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(fd, "", buf)
		if err != nil {
			return "", &PathError{Op: "readlink", Path: name, Err: errnoErr(err)}
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// ReadDir opens with O_DIRECTORY and O_NONBLOCK so that a FIFO or device
// is refused by the open itself; entry types come from getdents or from
// fstatat on the directory descriptor, never from a path lookup.
func (h *fsHost) ReadDir(name string) ([]DirEntry, error) {
	fd, err := h.openIn("readdir", name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NONBLOCK, true)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, &PathError{Op: "readdir", Path: name, Err: errnoErr(unwrapOS(err))}
	}
	out := make([]DirEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, DirEntry{Name: e.Name(), Type: e.Type()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Glob expands pattern component by component through ReadDir, so that
// every directory it lists is resolved inside root. Like glob(3), hidden
// names only match a pattern component that starts with a dot, unreadable
// directories are skipped, and ".." is kept as written rather than
// cleaned away: after a symlink it is the link target's parent, as in every
// other lookup ("/etc/alt/../x" is not "/etc/x" when alt is a link). A
// trailing slash matches directories only, and results keep it, as sh.
func (h *fsHost) Glob(pattern string) ([]string, error) {
	if err := checkPath(pattern); err != nil {
		return nil, &PathError{Op: "glob", Path: pattern, Err: err}
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, &PathError{Op: "glob", Path: pattern, Err: err}
	}
	matches := []string{"/"}
	for _, comp := range strings.Split(pattern, "/") {
		if comp == "" || comp == "." {
			continue
		}
		var next []string
		for _, dir := range matches {
			if !hasMeta(comp) {
				p := joinLiteral(dir, comp)
				if _, err := h.Lstat(p); err == nil {
					next = append(next, p)
				}
				continue
			}
			entries, err := h.ReadDir(dir)
			if err != nil {
				continue
			}
			for _, e := range entries {
				if strings.HasPrefix(e.Name, ".") && !strings.HasPrefix(comp, ".") {
					continue
				}
				if ok, _ := path.Match(comp, e.Name); ok {
					next = append(next, joinLiteral(dir, e.Name))
				}
			}
			if len(next) > MaxGlobMatches {
				return nil, &PathError{Op: "glob", Path: pattern, Err: fmt.Errorf("%w: more than %d", ErrTooMany, MaxGlobMatches)}
			}
		}
		matches = next
		if len(matches) == 0 {
			return nil, nil
		}
	}
	if strings.HasSuffix(pattern, "/") && len(pattern) > 1 {
		dirs := matches[:0]
		for _, m := range matches {
			if fi, err := h.Stat(m); err == nil && fi.IsDir() {
				dirs = append(dirs, m+"/")
			}
		}
		matches = dirs
	}
	sort.Strings(matches)
	if len(matches) == 0 {
		return nil, nil
	}
	return matches, nil
}

// joinLiteral appends one component to a target path without cleaning,
// so that ".." stays for the resolver to interpret.
func joinLiteral(dir, comp string) string {
	if dir == "/" {
		return "/" + comp
	}
	return dir + "/" + comp
}

func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

func (h *fsHost) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	return h.RunInput(ctx, nil, name, args...)
}

func (h *fsHost) RunInput(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	if h.commands == nil {
		return nil, fmt.Errorf("%s: %w (%s target)", name, ErrNoExec, h.kind)
	}
	return h.commands.Run(ctx, stdin, name, args...)
}

func modeFromStat(st *unix.Stat_t) fs.FileMode {
	m := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	}
	if st.Mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if st.Mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if st.Mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

func errnoErr(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case unix.ENOENT:
			return fs.ErrNotExist
		case unix.EACCES, unix.EPERM:
			return fs.ErrPermission
		case unix.ELOOP:
			return ErrLoop
		}
	}
	return err
}
