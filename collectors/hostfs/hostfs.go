// Package hostfs is the scan target: the live host or an offline root
// filesystem. It is the only place in ztscan that opens files or runs
// commands, so that every read goes through the same containment rules.
package hostfs

import (
	"context"
	"io/fs"
	"time"
)

// Kind names the target as reports show it in scan.target.kind.
type Kind string

const (
	KindHost   Kind = "host"
	KindRootfs Kind = "rootfs"
)

// Host is the target a collector reads. Paths are always absolute paths as
// seen from inside the target ("/etc/ssh/sshd_config"), never host paths.
type Host interface {
	// Kind says whether this is the live host or an offline root.
	Kind() Kind
	// Root is the directory the target's "/" maps to ("/" for the live host).
	Root() string
	// ReadFile reads a regular file, following symlinks inside the target.
	// Anything but a regular file is an error, and so is a file over the
	// size cap (ErrTooLarge).
	ReadFile(path string) ([]byte, error)
	// ReadFileLimit is ReadFile with its own size cap in bytes.
	ReadFileLimit(path string, limit int64) ([]byte, error)
	// Stat describes path, following symlinks inside the target.
	Stat(path string) (FileInfo, error)
	// Lstat describes path without following a final symlink.
	Lstat(path string) (FileInfo, error)
	// Readlink returns the raw target of a symlink.
	Readlink(path string) (string, error)
	// ReadDir lists a directory, sorted by name, following symlinks to it.
	ReadDir(path string) ([]DirEntry, error)
	// Glob expands a shell pattern (path.Match syntax, per component)
	// inside the target; results are sorted and capped at MaxGlobMatches.
	Glob(pattern string) ([]string, error)
	// CanRun reports whether Run may work on this target at all: false for
	// an offline root, where no binary is ever executed.
	CanRun() bool
	// Run runs an allow-listed binary of the live host (see Allowed) with
	// argv and no shell, and returns its standard output.
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
	// RunInput is Run with data on standard input.
	RunInput(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error)
}

// FileInfo is what collectors need to know of a file: type, permission
// bits and ownership, with owner names resolved inside the target.
type FileInfo struct {
	Path    string      `json:"path"`
	Mode    fs.FileMode `json:"-"`
	Size    int64       `json:"size"`
	UID     uint32      `json:"uid"`
	GID     uint32      `json:"gid"`
	ModTime time.Time   `json:"-"`
}

// IsRegular reports whether the file is a regular file.
func (fi FileInfo) IsRegular() bool { return fi.Mode.IsRegular() }

// IsDir reports whether the file is a directory.
func (fi FileInfo) IsDir() bool { return fi.Mode.IsDir() }

// Perm returns the permission bits with setuid, setgid and sticky, as the
// octal string facts use ("0640", "4755").
func (fi FileInfo) Perm() string { return OctalMode(fi.Mode) }

// DirEntry is one entry of a directory listing.
type DirEntry struct {
	Name string
	Type fs.FileMode // type bits only, as from Lstat (a symlink is ModeSymlink)
}

// Limits bound every read so that hostile input cannot exhaust the scanner.
const (
	// DefaultMaxFileSize caps ReadFile. Configuration files are small; a
	// larger file is a sign of garbage or an attack.
	DefaultMaxFileSize = 16 << 20
	// MaxSymlinks is the number of links one resolution may follow (as
	// Linux's MAXSYMLINKS); more is reported as a loop.
	MaxSymlinks = 40
	// MaxGlobMatches caps one Glob.
	MaxGlobMatches = 4096
	// MaxIncludeDepth is the include nesting parsers allow (sshd uses 16).
	MaxIncludeDepth = 16
	// MaxOutput caps what Run keeps of a command's standard output.
	MaxOutput = 32 << 20
)
