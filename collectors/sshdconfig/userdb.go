package sshdconfig

import (
	"strconv"
	"strings"
)

// userDB is the part of the target's name service sshd consults while
// reading its configuration: users and groups for Match Group and "~",
// and /etc/services for port names. Only the files are read (an offline
// image has no NSS daemons); a file that cannot be read is empty.
type userDB struct {
	users    map[string]passwdEntry
	order    []string // user names in file order (uid lookups take the first)
	groups   []groupEntry
	services map[string]int
}

type passwdEntry struct {
	uid, gid int
	home     string
}

type groupEntry struct {
	name    string
	gid     int
	members []string
}

func (p *parser) db() *userDB {
	if p.users != nil && p.users.users != nil {
		return p.users
	}
	db := &userDB{users: map[string]passwdEntry{}, services: map[string]int{}}
	if data, err := p.fsys.ReadFile("/etc/passwd"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Split(line, ":")
			if len(f) < 7 || f[0] == "" {
				continue
			}
			uid, err1 := strconv.Atoi(f[2])
			gid, err2 := strconv.Atoi(f[3])
			if err1 != nil || err2 != nil {
				continue
			}
			if _, dup := db.users[f[0]]; !dup {
				db.users[f[0]] = passwdEntry{uid: uid, gid: gid, home: f[5]}
				db.order = append(db.order, f[0])
			}
		}
	}
	if data, err := p.fsys.ReadFile("/etc/group"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Split(line, ":")
			if len(f) < 4 || f[0] == "" {
				continue
			}
			gid, err := strconv.Atoi(f[2])
			if err != nil {
				continue
			}
			var members []string
			if f[3] != "" {
				members = strings.Split(f[3], ",")
			}
			db.groups = append(db.groups, groupEntry{name: f[0], gid: gid, members: members})
		}
	}
	if data, err := p.fsys.ReadFile("/etc/services"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			num, proto, ok := strings.Cut(f[1], "/")
			if !ok || proto != "tcp" {
				continue
			}
			port, err := strconv.Atoi(num)
			if err != nil {
				continue
			}
			for _, name := range append([]string{f[0]}, f[2:]...) {
				if _, dup := db.services[name]; !dup {
					db.services[name] = port
				}
			}
		}
	}
	if p.users == nil {
		p.users = db
	} else {
		*p.users = *db
	}
	return db
}

func (db *userDB) userByUID(uid int) (passwdEntry, bool) {
	for _, name := range db.order {
		if u := db.users[name]; u.uid == uid {
			return u, true
		}
	}
	return passwdEntry{}, false
}

// groupsOf is getgrouplist + getgrgid: the primary group first, then every
// group listing the user, by name; gids without a group entry are skipped.
func (db *userDB) groupsOf(user string, primary int) []string {
	var names []string
	seen := map[int]bool{primary: true}
	for _, g := range db.groups {
		if g.gid == primary {
			names = append(names, g.name)
			break
		}
	}
	for _, g := range db.groups {
		if seen[g.gid] {
			continue
		}
		for _, m := range g.members {
			if m == user {
				seen[g.gid] = true
				names = append(names, g.name)
				break
			}
		}
	}
	return names
}
