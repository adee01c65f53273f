package hostfs

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// Every operation that touches a file of the target goes through openIn:
// it yields a file descriptor for the target path, and the operation then
// works on that descriptor only (fstat, read, getdents, readlinkat). Nothing
// after the open looks a path up again, so what was checked is what is read.
//
// Two ways to open, with the same semantics (chroot-style: an absolute link
// target restarts at the root, ".." stops at it, more than MaxSymlinks links
// is ErrLoop):
//
//   - openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) on a descriptor of the
//     root (Linux 5.6+): the kernel resolves the whole path inside the root
//     atomically, so a hostile image that swaps a directory for a symlink
//     while we read it still cannot lead outside.
//   - the userland resolver (resolve.go), then open(O_NOFOLLOW) of the
//     resolved host path. The final component can no longer be swapped for
//     a link (O_NOFOLLOW refuses it), but an intermediate directory can be
//     replaced by a symlink between our Lstat of it and the open. That race
//     needs someone writing to the image while ztscan scans it; it is the
//     residual risk of kernels without openat2, and of the live host, where
//     the root is "/" and there is nothing outside to escape to.
//
// The live host always uses the userland resolver: RESOLVE_IN_ROOT refuses
// /proc's magic links outright, while the resolver follows their text
// (/proc/self/root -> "/", /proc/self/fd/0 -> "pipe:[123]", which then does
// not exist), as collectors of /proc expect.

// openat2Available probes once whether the kernel has openat2. Seccomp
// profiles of older container runtimes answer unknown syscalls with EPERM
// instead of ENOSYS, so both mean "not there".
var openat2Available = sync.OnceValue(func() bool {
	fd, err := unix.Openat2(unix.AT_FDCWD, "/", &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
})

// maxEAGAIN bounds the retries of openat2 when it reports that a rename or
// mount raced with a ".." lookup (the kernel's answer is EAGAIN, retry).
const maxEAGAIN = 16

// openIn opens the target path name with flags (O_CLOEXEC is always
// added, O_NOCTTY unless O_PATH). With follow false a final symlink is
// opened itself (pass O_PATH), for Lstat and Readlink. Errors are
// *PathError naming op and the target path, wrapping fs.ErrNotExist,
// fs.ErrPermission or ErrLoop where they apply.
func (h *fsHost) openIn(op, name string, flags int, follow bool) (int, error) {
	if err := checkPath(name); err != nil {
		return -1, &PathError{Op: op, Path: name, Err: err}
	}
	flags |= unix.O_CLOEXEC
	if flags&unix.O_PATH == 0 {
		// openat2 refuses any flag but O_CLOEXEC, O_DIRECTORY and
		// O_NOFOLLOW next to O_PATH, which opens no terminal anyway.
		flags |= unix.O_NOCTTY
	}
	if h.inKernel {
		fd, err := h.openat2(name, flags, follow)
		if !errors.Is(err, unix.ENOSYS) {
			if err != nil {
				return -1, &PathError{Op: op, Path: name, Err: errnoErr(err)}
			}
			return fd, nil
		}
	}
	resolved, err := h.res.resolve(name, follow)
	if err != nil {
		var pe *PathError
		if errors.As(err, &pe) {
			pe.Op = op
		}
		return -1, err
	}
	fd, err := unix.Open(h.res.host(resolved), flags|unix.O_NOFOLLOW, 0)
	if err != nil {
		return -1, &PathError{Op: op, Path: name, Err: errnoErr(err)}
	}
	return fd, nil
}

func (h *fsHost) openat2(name string, flags int, follow bool) (int, error) {
	rootFD, err := unix.Open(h.root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(rootFD)
	if !follow {
		flags |= unix.O_NOFOLLOW
	}
	how := &unix.OpenHow{
		Flags:   uint64(flags),
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	for range maxEAGAIN {
		fd, err := unix.Openat2(rootFD, name, how)
		if err != unix.EAGAIN {
			return fd, err
		}
	}
	return -1, unix.EAGAIN
}

// checkPath refuses what no target path may be: relative, with NUL, or
// longer than the kernel accepts (PATH_MAX counts the terminating NUL), so
// that the userland resolver refuses the same paths as openat2.
func checkPath(name string) error {
	switch {
	case len(name) == 0 || name[0] != '/':
		return errors.New("path must be absolute")
	case len(name) >= unix.PathMax:
		return unix.ENAMETOOLONG
	}
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return errors.New("path contains NUL")
		}
	}
	return nil
}
