package sshdconfig

import "slices"

// options mirrors sshd's ServerOptions. An option that the configuration
// did not set is absent from vals/arrays (sshd's -1 or NULL), so "first
// value wins" is simply "set if absent", and a Match pass can tell which
// options it set.
type options struct {
	vals   map[string]string   // single-valued options, in sshd's parsed form
	arrays map[string][]string // string-array options (AllowUsers, HostKey, ...)

	ports       []int
	listenQueue []queuedListen
	subsystems  []subsystem

	// MaxStartups and PerSourceNetBlockSize are written by sscanf straight
	// into the options each time the keyword is seen, so the last line
	// wins; maxStartupsSet records whether any line did.
	maxStartups    [3]int
	maxStartupsSet [3]bool
}

type queuedListen struct {
	addr string // "" = wildcard (only from defaults)
	port int    // 0 = every Port
	file string // where it was written, for error context
	line int
}

type subsystem struct{ name, args string }

func newOptions() *options {
	return &options{vals: map[string]string{}, arrays: map[string][]string{}}
}

func (o *options) has(op string) bool { _, ok := o.vals[op]; return ok }

// setFirst stores a value only if the option is still unset and the line
// is active: the "first value wins" rule of sshd.
func (o *options) setFirst(active bool, op, v string) {
	if active && !o.has(op) {
		o.vals[op] = v
	}
}

func (o *options) clone() *options {
	c := newOptions()
	for k, v := range o.vals {
		c.vals[k] = v
	}
	for k, v := range o.arrays {
		c.arrays[k] = slices.Clone(v)
	}
	c.ports = slices.Clone(o.ports)
	c.listenQueue = slices.Clone(o.listenQueue)
	c.subsystems = slices.Clone(o.subsystems)
	c.maxStartups = o.maxStartups
	c.maxStartupsSet = o.maxStartupsSet
	return c
}

// copyMatchSet applies what a Match pass set (src) over the global
// options (dst), as servconf.c copy_set_server_options does for -C.
func copyMatchSet(dst, src *options) {
	for _, op := range matchIntOps {
		if v, ok := src.vals[op]; ok {
			dst.vals[op] = v
		}
	}
	if v, ok := src.vals["rekeyinterval"]; ok {
		dst.vals["rekeyinterval"] = v
	}
	for _, op := range matchStrOps {
		if v, ok := src.vals[op]; ok {
			dst.vals[op] = v
		}
	}
	if v, ok := src.vals["permituserenvallowlist"]; ok {
		dst.vals["permituserenvallowlist"] = v
	}
	for _, op := range matchArrayOps {
		if v := src.arrays[op]; len(v) > 0 {
			dst.arrays[op] = slices.Clone(v)
		}
	}
	// ForceCommand and ChrootDirectory "none" clear a global setting.
	for _, op := range []string{"forcecommand", "chrootdirectory"} {
		if v, ok := dst.vals[op]; ok && equalFoldASCII(v, "none") {
			delete(dst.vals, op)
		}
	}
}
