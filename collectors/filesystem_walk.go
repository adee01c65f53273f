package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/systemd"
)

// walkWorldWritable lists world-writable entries under the roots, never
// following a symlink (a link's own mode means nothing, and a link to a
// directory elsewhere is not under the root), bounded by entry count and
// time so that a hostile tree cannot stall the scan.
func (c *Filesystem) walkWorldWritable(ctx context.Context, h hostfs.Host) WorldWritableFacts {
	maxEntries, maxTime, maxListed := c.MaxEntries, c.MaxTime, c.MaxListed
	if maxEntries <= 0 {
		maxEntries = defaultWalkEntries
	}
	if maxTime <= 0 {
		maxTime = defaultWalkTime
	}
	if maxListed <= 0 {
		maxListed = defaultWalkListed
	}
	w := WorldWritableFacts{Part: PartOK(), Roots: worldWritableRoots, Files: []WritableEntry{}, StickyDirs: []WritableEntry{}, Errors: []string{}}
	deadline := time.Now().Add(maxTime)
	stop := func() bool {
		switch {
		case w.Scanned >= maxEntries:
			w.Truncated, w.Reason = true, fmt.Sprintf("stopped after %d entries", maxEntries)
		case time.Now().After(deadline):
			w.Truncated, w.Reason = true, fmt.Sprintf("stopped after %s", maxTime)
		case ctx.Err() != nil:
			w.Truncated, w.Reason = true, ctx.Err().Error()
		}
		return w.Truncated
	}
	record := func(p string, fi hostfs.FileInfo) {
		if fi.Mode&0o002 == 0 || fi.Mode&fs.ModeSymlink != 0 {
			return
		}
		e := WritableEntry{Path: p, Type: hostfs.FileType(fi.Mode), Mode: fi.Perm()}
		if fi.IsDir() && fi.Mode&fs.ModeSticky != 0 {
			w.StickyTotal++
			if len(w.StickyDirs) < maxListed {
				w.StickyDirs = append(w.StickyDirs, e)
			}
			return
		}
		w.Total++
		if len(w.Files) < maxListed {
			w.Files = append(w.Files, e)
		}
	}
	var walk func(dir string)
	walk = func(dir string) {
		entries, err := h.ReadDir(dir)
		if err != nil {
			w.Errors = append(w.Errors, err.Error())
			return
		}
		for _, e := range entries {
			if stop() {
				return
			}
			w.Scanned++
			p := dir + "/" + e.Name
			if e.Type&fs.ModeSymlink != 0 {
				continue
			}
			fi, err := h.Lstat(p)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					w.Errors = append(w.Errors, err.Error())
				}
				continue
			}
			record(p, fi)
			if fi.IsDir() {
				walk(p)
			}
		}
	}
	for _, root := range worldWritableRoots {
		fi, err := h.Lstat(root)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			w.Errors = append(w.Errors, err.Error())
			continue
		}
		if !fi.IsDir() {
			// a root that is a link (/usr/sbin -> bin) is walked where it
			// points, which is itself a root or outside the control
			continue
		}
		record(root, fi)
		walk(root)
		if w.Truncated {
			break
		}
	}
	if len(w.Errors) > 20 {
		w.Errors = append(w.Errors[:20], fmt.Sprintf("... and %d more", len(w.Errors)-20))
	}
	return w
}

// OpenFilesFacts are the open-files limits: systemd's default for
// services and pam_limits' for login sessions.
type OpenFilesFacts struct {
	Part
	// SystemdDefault is DefaultLimitNOFILE after system.conf and
	// system.conf.d (nil: not set, systemd 252's built-in 1024:524288).
	SystemdDefault *LimitSetting `json:"systemd_default"`
	// Limits are the nofile lines of limits.conf and limits.d, in order.
	Limits []LimitSetting `json:"limits"`
}

// LimitSetting is one limit; Soft and Hard are numbers, -1 for infinity.
type LimitSetting struct {
	Domain string `json:"domain,omitempty"`
	Type   string `json:"type,omitempty"` // soft, hard, -
	Value  string `json:"value"`
	Soft   int64  `json:"soft"`
	Hard   int64  `json:"hard"`
	File   string `json:"file"`
	Line   int    `json:"line"`
}

// systemdConfFiles are read in systemd's order: system.conf, then the
// drop-ins of every config directory, by file name.
func systemdConfFiles(h hostfs.Host) ([]string, error) {
	files := []string{}
	for _, p := range []string{"/etc/systemd/system.conf"} {
		if _, err := h.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	byName := map[string]string{}
	var names []string
	for _, dir := range []string{"/etc/systemd/system.conf.d", "/run/systemd/system.conf.d", "/usr/local/lib/systemd/system.conf.d", "/usr/lib/systemd/system.conf.d"} {
		matches, err := h.Glob(dir + "/*.conf")
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			n := m[strings.LastIndexByte(m, '/')+1:]
			if _, ok := byName[n]; !ok {
				byName[n] = m
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	for _, n := range names {
		files = append(files, byName[n])
	}
	return files, nil
}

func readOpenFiles(h hostfs.Host) OpenFilesFacts {
	o := OpenFilesFacts{Part: PartOK(), Limits: []LimitSetting{}}
	files, err := systemdConfFiles(h)
	if err != nil {
		o.Part = PartError(err)
		return o
	}
	for _, p := range files {
		data, err := h.ReadFile(p)
		if err != nil {
			o.Part = PartError(err)
			return o
		}
		secs, err := systemd.Parse(p, data)
		if err != nil {
			o.Part = PartError(err)
			return o
		}
		for _, a := range secs["Manager"]["DefaultLimitNOFILE"] {
			if a.Value == "" {
				o.SystemdDefault = nil
				continue
			}
			soft, hard, err := parseRlimit(a.Value)
			if err != nil {
				o.Part = PartError(fmt.Errorf("%s:%d: DefaultLimitNOFILE: %w", a.File, a.Line, err))
				return o
			}
			o.SystemdDefault = &LimitSetting{Value: a.Value, Soft: soft, Hard: hard, File: a.File, Line: a.Line}
		}
	}
	limitFiles := []string{}
	if _, err := h.Stat("/etc/security/limits.conf"); err == nil {
		limitFiles = append(limitFiles, "/etc/security/limits.conf")
	}
	d, err := h.Glob("/etc/security/limits.d/*.conf")
	if err != nil {
		o.Part = PartError(err)
		return o
	}
	for _, p := range append(limitFiles, d...) {
		data, err := h.ReadFile(p)
		if err != nil {
			o.Part = PartError(err)
			return o
		}
		for i, line := range strings.Split(string(data), "\n") {
			if j := strings.IndexByte(line, '#'); j >= 0 {
				line = line[:j]
			}
			f := strings.Fields(line)
			if len(f) != 4 || f[2] != "nofile" {
				continue
			}
			n, err := parseLimitValue(f[3])
			if err != nil {
				continue // pam_limits ignores a bad value too
			}
			ls := LimitSetting{Domain: f[0], Type: f[1], Value: f[3], Soft: -2, Hard: -2, File: p, Line: i + 1}
			if f[1] == "soft" || f[1] == "-" {
				ls.Soft = n
			}
			if f[1] == "hard" || f[1] == "-" {
				ls.Hard = n
			}
			o.Limits = append(o.Limits, ls)
		}
	}
	return o
}

// parseRlimit reads systemd's "SOFT[:HARD]" with "infinity".
func parseRlimit(v string) (soft, hard int64, err error) {
	s, h, two := strings.Cut(v, ":")
	if soft, err = parseLimitValue(s); err != nil {
		return 0, 0, err
	}
	hard = soft
	if two {
		if hard, err = parseLimitValue(h); err != nil {
			return 0, 0, err
		}
	}
	return soft, hard, nil
}

func parseLimitValue(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" || s == "unlimited" || s == "-1" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a limit", s)
	}
	return n, nil
}
