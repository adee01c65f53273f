package collectors

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// FileFacts is how facts describe a file that a control judges by its
// mode and owner. Mode is octal ("0640"); Owner and Group are names from
// the target's own /etc/passwd and /etc/group.
type FileFacts struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Type   string `json:"type,omitempty"`
	Mode   string `json:"mode,omitempty"`
	UID    uint32 `json:"uid"`
	GID    uint32 `json:"gid"`
	Owner  string `json:"owner,omitempty"`
	Group  string `json:"group,omitempty"`
	Error  string `json:"error,omitempty"`
}

// DescribeFile stats path (following links inside the target). A missing
// file is Exists=false with no error; any other failure is in Error.
func DescribeFile(h hostfs.Host, path string) FileFacts {
	ff := FileFacts{Path: path}
	fi, err := h.Stat(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			ff.Error = err.Error()
		}
		return ff
	}
	ff.Exists = true
	ff.Type = hostfs.FileType(fi.Mode)
	ff.Mode = fi.Perm()
	ff.UID, ff.GID = fi.UID, fi.GID
	names := idNamesFor(h)
	ff.Owner = names.user(fi.UID)
	ff.Group = names.group(fi.GID)
	return ff
}

// idNames maps numeric ids to names as the target itself defines them, so
// an image's files are named by the image's accounts, not this machine's.
type idNames struct {
	users, groups map[uint32]string
}

func (n *idNames) user(id uint32) string  { return n.users[id] }
func (n *idNames) group(id uint32) string { return n.groups[id] }

func idNamesFor(h hostfs.Host) *idNames {
	n, _ := hostfs.Memo(h, "id-names", func() (*idNames, error) {
		return &idNames{users: parseIDFile(h, "/etc/passwd"), groups: parseIDFile(h, "/etc/group")}, nil
	})
	return n
}

// parseIDFile reads name:x:id: lines; the first name of an id wins, as
// getpwuid(3) would return it.
func parseIDFile(h hostfs.Host, path string) map[uint32]string {
	out := map[uint32]string{}
	data, err := h.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 4)
		if len(f) < 3 || f[0] == "" || strings.HasPrefix(f[0], "#") {
			continue
		}
		id, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		if _, dup := out[uint32(id)]; !dup {
			out[uint32(id)] = f[0]
		}
	}
	return out
}
