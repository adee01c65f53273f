package collectors

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Time daemon configuration, read from files on both target kinds: the
// servers each daemon would use.

// timeConfig is what a daemon's configuration says.
type timeConfig struct {
	files   []string
	servers []string
	// fallback is true when no server is configured and the daemon falls
	// back to servers compiled into it (timesyncd's FallbackNTP).
	fallback bool
	errs     []string
}

const maxTimeConfigFiles = 256

// read reads one configuration file; a missing file is not an
// error (ok false), anything else is recorded.
func (c *timeConfig) read(h hostfs.Host, p string) (string, bool) {
	data, err := h.ReadFileLimit(p, 1<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false
	}
	if err != nil {
		c.errs = append(c.errs, fmt.Sprintf("%s: %v", p, err))
		return "", false
	}
	c.files = append(c.files, p)
	return string(data), true
}

// chronyConfig follows chrony.conf(5): server, pool, peer and refclock
// lines are sources; include (a glob), confdir (*.conf of each
// directory, a name in an earlier directory hiding later ones) and
// sourcedir (*.sources) pull in more lines.
func chronyConfig(h hostfs.Host) timeConfig {
	var c timeConfig
	for _, main := range []string{"/etc/chrony/chrony.conf", "/etc/chrony.conf"} {
		if data, ok := c.read(h, main); ok {
			c.chronyLines(h, main, data, 0)
			break
		}
	}
	c.finish()
	return c
}

func (c *timeConfig) chronyLines(h hostfs.Host, file, data string, depth int) {
	if depth > hostfs.MaxIncludeDepth {
		c.errs = append(c.errs, fmt.Sprintf("%s: include nesting deeper than %d", file, hostfs.MaxIncludeDepth))
		return
	}
	for _, line := range strings.Split(data, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], "!") || strings.HasPrefix(f[0], ";") || strings.HasPrefix(f[0], "%") {
			continue
		}
		switch strings.ToLower(f[0]) {
		case "server", "pool", "peer":
			c.servers = append(c.servers, f[0]+" "+f[1])
		case "refclock":
			c.servers = append(c.servers, "refclock "+strings.Join(f[1:min(len(f), 3)], " "))
		case "include":
			c.chronyGlob(h, f[1], depth)
		case "confdir":
			c.chronyDirs(h, f[1:], ".conf", depth)
		case "sourcedir":
			for _, dir := range f[1:] {
				c.chronyGlob(h, path.Join(dir, "*.sources"), depth)
			}
		}
	}
}

func (c *timeConfig) chronyGlob(h hostfs.Host, pattern string, depth int) {
	matches, err := h.Glob(pattern)
	if err != nil {
		c.errs = append(c.errs, fmt.Sprintf("%s: %v", pattern, err))
		return
	}
	for _, m := range matches {
		if len(c.files) >= maxTimeConfigFiles {
			c.errs = append(c.errs, fmt.Sprintf("more than %d configuration files", maxTimeConfigFiles))
			return
		}
		if data, ok := c.read(h, m); ok {
			c.chronyLines(h, m, data, depth+1)
		}
	}
}

// chronyDirs reads *suffix files of dirs; a name seen in an earlier
// directory is skipped in later ones, as confdir does.
func (c *timeConfig) chronyDirs(h hostfs.Host, dirs []string, suffix string, depth int) {
	seen := map[string]bool{}
	var files []string
	for _, dir := range dirs {
		matches, err := h.Glob(path.Join(dir, "*"+suffix))
		if err != nil {
			c.errs = append(c.errs, fmt.Sprintf("%s: %v", dir, err))
			continue
		}
		for _, m := range matches {
			if !seen[path.Base(m)] {
				seen[path.Base(m)] = true
				files = append(files, m)
			}
		}
	}
	sort.Slice(files, func(i, j int) bool { return path.Base(files[i]) < path.Base(files[j]) })
	for _, m := range files {
		if data, ok := c.read(h, m); ok {
			c.chronyLines(h, m, data, depth+1)
		}
	}
}

// timesyncdConfig follows timesyncd.conf(5): the main file, then drop-ins
// of /etc, /run, /usr/local/lib and /usr/lib sorted by name (a name in an
// earlier directory hides later ones); in [Time] the last NTP= wins and
// an empty NTP= resets the list.
func timesyncdConfig(h hostfs.Host) timeConfig {
	var c timeConfig
	files := []string{"/etc/systemd/timesyncd.conf"}
	seen := map[string]string{}
	for _, dir := range []string{"/etc/systemd/timesyncd.conf.d", "/run/systemd/timesyncd.conf.d", "/usr/local/lib/systemd/timesyncd.conf.d", "/usr/lib/systemd/timesyncd.conf.d", "/lib/systemd/timesyncd.conf.d"} {
		matches, _ := h.Glob(dir + "/*.conf")
		for _, m := range matches {
			if _, ok := seen[path.Base(m)]; !ok {
				seen[path.Base(m)] = m
			}
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		files = append(files, seen[n])
	}
	var ntp, fallback []string
	for _, f := range files {
		data, ok := c.read(h, f)
		if !ok {
			continue
		}
		section := ""
		for _, line := range strings.Split(data, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' || line[0] == ';' {
				continue
			}
			if strings.HasPrefix(line, "[") {
				section = strings.Trim(line, "[]")
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok || section != "Time" {
				continue
			}
			switch strings.TrimSpace(k) {
			case "NTP":
				ntp = appendOrReset(ntp, v)
			case "FallbackNTP":
				fallback = appendOrReset(fallback, v)
			}
		}
	}
	for _, s := range ntp {
		c.servers = append(c.servers, "server "+s)
	}
	if len(ntp) == 0 {
		// No NTP=: timesyncd uses FallbackNTP=, else its compiled-in list
		// (Debian's and Ubuntu's builds ship one), else servers from DHCP.
		c.fallback = true
		for _, s := range fallback {
			c.servers = append(c.servers, "fallback "+s)
		}
	}
	c.finish()
	return c
}

func appendOrReset(list []string, v string) []string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return nil
	}
	return append(list, f...)
}

// ntpConfig reads ntpd's (ntp, ntpsec) or OpenNTPD's file: server, pool,
// peer (and OpenNTPD's servers) lines.
func ntpConfig(h hostfs.Host, files ...string) timeConfig {
	var c timeConfig
	for _, p := range files {
		data, ok := c.read(h, p)
		if !ok {
			continue
		}
		for _, line := range strings.Split(data, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || strings.HasPrefix(f[0], "#") {
				continue
			}
			switch f[0] {
			case "server", "servers", "pool", "peer":
				c.servers = append(c.servers, f[0]+" "+f[1])
			}
		}
		break
	}
	c.finish()
	return c
}

func (c *timeConfig) finish() {
	sort.Strings(c.files)
	if c.files == nil {
		c.files = []string{}
	}
	if c.servers == nil {
		c.servers = []string{}
	}
}
