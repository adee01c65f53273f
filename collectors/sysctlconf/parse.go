// Package sysctlconf reads persisted kernel parameters the way
// systemd-sysctl(8) applies them at boot, following sysctl.d(5).
//
// Choices, each matching systemd-sysctl unless said otherwise:
//   - Files named *.conf are collected from Dirs; a name found in an
//     earlier directory masks the same name in later ones, and a winner
//     that is a symlink to /dev/null contributes nothing. All surviving
//     files are applied in the order of their file names, whatever their
//     directory.
//   - /etc/sysctl.conf is applied last unless one of those files already
//     resolves to it (Debian's /etc/sysctl.d/99-sysctl.conf symlink), so
//     it is never applied twice. systemd itself does not read it; procps'
//     "sysctl --system" does, and Debian links it in.
//   - A line is "key = value" (spaces optional), or blank, or a comment
//     starting with '#' or ';'. There are no inline comments and no
//     continuation lines. A '-' before the key means "ignore failure".
//   - Keys are normalised as systemd does: when the first separator is
//     '/', slashes are the separators and dots belong to a name
//     (net/ipv4/conf/eth0.100/rp_filter). Results use dotted keys.
//   - A later assignment of a key replaces an earlier one; the same value
//     again keeps the earlier file and line. A bare "-key" (no '=')
//     excludes that key from every glob and cancels an earlier concrete
//     assignment of it.
//   - A key with glob characters (net.ipv4.conf.*.rp_filter) applies to
//     each requested key it matches (one component per '*', as glob(3)),
//     unless that key has a concrete assignment or exclusion anywhere;
//     among globs the last one wins.
//   - A line that is not an assignment, or whose key is empty or holds
//     spaces or control characters, is an error recorded with its file and
//     line; the merge goes on, as systemd-sysctl goes on. A file that
//     cannot be read (a FIFO, a device, no permission, too large) is an
//     error entry too; systemd would skip a FIFO silently, but one there
//     is worth reporting.
package sysctlconf

import (
	"errors"
	"fmt"
	"strings"
)

// Line is one parsed assignment of a sysctl.d file.
type Line struct {
	// Key is normalised to slash form ("net/ipv4/ip_forward").
	Key string
	// Value is the trimmed text after '='; HasValue is false for a bare
	// "-key" exclusion.
	Value    string
	HasValue bool
	// IgnoreFailure is the leading '-' of "-key = value".
	IgnoreFailure bool
}

// IsGlob reports whether the key is a pattern.
func (l Line) IsGlob() bool { return strings.ContainsAny(l.Key, "*?[") }

// ErrNotAssignment is returned for a line without '=' that is not an exclusion.
var ErrNotAssignment = errors.New("line is not an assignment")

// ParseLine parses one line. ok is false for blank and comment lines.
func ParseLine(s string) (l Line, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '#' || s[0] == ';' {
		return Line{}, false, nil
	}
	key, value, hasValue := strings.Cut(s, "=")
	if !hasValue {
		if s[0] != '-' {
			return Line{}, false, ErrNotAssignment
		}
		key = s[1:]
	} else if strings.HasPrefix(key, "-") {
		l.IgnoreFailure = true
		key = key[1:]
	}
	key = strings.TrimSpace(key)
	if err := checkKey(key); err != nil {
		return Line{}, false, err
	}
	if l.Key = normalize(key); l.Key == "" {
		return Line{}, false, fmt.Errorf("invalid key %q", shorten(key))
	}
	l.Value, l.HasValue = strings.TrimSpace(value), hasValue
	return l, true, nil
}

func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	for _, r := range key {
		if r <= ' ' || r == 0x7f || r == '\uFFFD' {
			return fmt.Errorf("invalid key %q", shorten(key))
		}
	}
	return nil
}

// shorten keeps error messages about junk readable.
func shorten(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

// normalize returns the slash form of a key, as systemd's
// sysctl_normalize: when the first separator is a dot, dots and slashes
// swap roles; then duplicate and leading slashes go.
func normalize(key string) string {
	if i := strings.IndexAny(key, "./"); i >= 0 && key[i] == '.' {
		key = swapSeparators(key)
	}
	parts := strings.Split(key, "/")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" && p != "." {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "/")
}

func swapSeparators(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch c {
		case '.':
			b[i] = '/'
		case '/':
			b[i] = '.'
		}
	}
	return string(b)
}

// SlashKey turns a dotted key ("net.ipv4.ip_forward") into its slash form,
// the path under /proc/sys.
func SlashKey(dotted string) string { return normalize(dotted) }

// DottedKey turns a slash-form key back into the dotted form facts use.
func DottedKey(slash string) string { return swapSeparators(slash) }
