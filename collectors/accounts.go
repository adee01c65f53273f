package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// The account databases. Their modes and owners are facts; of shadow
// only the state of each password is kept, never the hash.
const (
	passwdFile  = "/etc/passwd"
	shadowFile  = "/etc/shadow"
	groupFile   = "/etc/group"
	gshadowFile = "/etc/gshadow"
	// maxAccountDBSize bounds one account database; real ones are KiB.
	maxAccountDBSize = 8 << 20
)

// Accounts collects local accounts, the state of their passwords, their
// SSH authorized keys, and where identities come from (nsswitch, sssd,
// PAM).
type Accounts struct{}

// NewAccounts returns the accounts collector.
func NewAccounts() *Accounts { return &Accounts{} }

func (*Accounts) Name() string { return "accounts" }

// AccountsFacts is facts.accounts.
type AccountsFacts struct {
	// Files are passwd, shadow, group and gshadow with mode and owner.
	Files []FileFacts `json:"files"`
	// Passwd and Shadow say whether each database could be read.
	Passwd Part `json:"passwd"`
	Shadow Part `json:"shadow"`
	Group  Part `json:"group"`
	// Accounts are the passwd entries merged with their shadow state.
	Accounts []Account `json:"accounts"`
	// UID0 are the names of every account with UID 0.
	UID0 []string `json:"uid0"`
	// DuplicateUIDs maps a UID shared by several names to those names.
	DuplicateUIDs map[string][]string `json:"duplicate_uids"`
	// ShadowOnly are names in /etc/shadow without a passwd entry.
	ShadowOnly []string `json:"shadow_only"`
	Groups     []Group  `json:"groups"`
	Identity   Identity `json:"identity"`
}

// Account is one passwd entry.
type Account struct {
	Name       string   `json:"name"`
	UID        uint32   `json:"uid"`
	GID        uint32   `json:"gid"`
	Home       string   `json:"home"`
	Shell      string   `json:"shell"`
	LoginShell bool     `json:"login_shell"`
	Password   Password `json:"password"`
	SSHKeys    SSHKeys  `json:"ssh_keys"`
	Line       int      `json:"line"`
}

// Password is the state of an account's password: "empty" (no password
// needed), "locked" ('!' or '*' prefix: no password login), "set", or
// "unknown" when shadow could not be read. Algorithm comes from the
// crypt(3) prefix ($y$ yescrypt, $6$ sha512, ...). Source is the file
// that decided: "shadow", or "passwd" when its field is not "x".
type Password struct {
	State     string `json:"state"`
	Algorithm string `json:"algorithm,omitempty"`
	Source    string `json:"source"`
	// LastChange is shadow's field 3 (days since 1970), MaxDays field 5.
	LastChange string `json:"last_change,omitempty"`
	MaxDays    string `json:"max_days,omitempty"`
}

// Group is one /etc/group entry (no passwords).
type Group struct {
	Name    string   `json:"name"`
	GID     uint32   `json:"gid"`
	Members []string `json:"members"`
}

func (c *Accounts) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	f := &AccountsFacts{Accounts: []Account{}, UID0: []string{}, DuplicateUIDs: map[string][]string{}, ShadowOnly: []string{}, Groups: []Group{}}
	for _, p := range []string{passwdFile, shadowFile, groupFile, gshadowFile} {
		f.Files = append(f.Files, DescribeFile(h, p))
	}
	data, err := h.ReadFileLimit(passwdFile, maxAccountDBSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, Unavailable("%s does not exist: no local accounts on this target", passwdFile)
		}
		return nil, err
	}
	accounts, err := parsePasswd(data)
	if err != nil {
		f.Passwd = PartError(fmt.Errorf("%s: %w", passwdFile, err))
	} else {
		f.Passwd = PartOK()
		f.Accounts = accounts
	}
	f.Shadow = applyShadow(h, f)
	f.Group, f.Groups = readGroups(h)
	seen := map[uint32][]string{}
	for _, a := range f.Accounts {
		seen[a.UID] = append(seen[a.UID], a.Name)
		if a.UID == 0 {
			f.UID0 = append(f.UID0, a.Name)
		}
	}
	for uid, names := range seen {
		if len(names) > 1 {
			f.DuplicateUIDs[strconv.FormatUint(uint64(uid), 10)] = names
		}
	}
	authorizedKeys(h, f.Accounts)
	f.Identity = collectIdentity(h)
	return f, nil
}

// nologinShells refuse an interactive login.
var nologinShells = map[string]bool{
	"/usr/sbin/nologin": true, "/sbin/nologin": true, "/bin/false": true, "/usr/bin/false": true,
	"/bin/sync": true, "/sbin/halt": true, "/sbin/shutdown": true, "/usr/bin/nologin": true,
}

// parsePasswd reads passwd(5) lines. A malformed line is an error naming
// the line, never its content (a legacy passwd may hold a hash).
func parsePasswd(data []byte) ([]Account, error) {
	var out []Account
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line[0] == '+' || line[0] == '-' {
			continue // NIS compat entries: the accounts live elsewhere
		}
		f := strings.Split(line, ":")
		if len(f) != 7 || f[0] == "" {
			return nil, fmt.Errorf("line %d: %d fields, want 7", i+1, len(f))
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: account %q: UID or GID is not a number", i+1, f[0])
		}
		a := Account{Name: f[0], UID: uint32(uid), GID: uint32(gid), Home: f[5], Shell: f[6], Line: i + 1}
		// an empty shell field means /bin/sh (passwd(5))
		a.LoginShell = !nologinShells[a.Shell]
		if f[1] != "x" {
			a.Password = passwordState(f[1], "passwd")
		} else {
			a.Password = Password{State: "unknown", Source: "shadow"}
		}
		out = append(out, a)
	}
	if out == nil {
		out = []Account{}
	}
	return out, nil
}

// ShadowEntry is one /etc/shadow line without its hash.
type ShadowEntry struct {
	Name     string
	Password Password
}

// ParseShadow reads shadow(5) lines, keeping only each password's state.
// A malformed line is an error naming the line number only.
func ParseShadow(data []byte) ([]ShadowEntry, error) {
	var out []ShadowEntry
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) < 2 || f[0] == "" {
			return nil, fmt.Errorf("line %d: not a shadow entry", i+1)
		}
		if f[0][0] == '+' || f[0][0] == '-' {
			continue
		}
		e := ShadowEntry{Name: f[0], Password: passwordState(f[1], "shadow")}
		if len(f) > 2 && isDecimal(f[2]) {
			e.Password.LastChange = f[2]
		}
		if len(f) > 4 && isDecimal(f[4]) {
			e.Password.MaxDays = f[4]
		}
		out = append(out, e)
	}
	return out, nil
}

func isDecimal(s string) bool {
	if s == "" || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// passwordState classifies a password field without keeping it.
func passwordState(field, source string) Password {
	p := Password{Source: source}
	switch {
	case field == "":
		p.State = "empty"
	case field[0] == '!' || field[0] == '*':
		p.State = "locked"
		p.Algorithm = hashAlgorithm(strings.TrimLeft(field, "!*"))
	default:
		p.State = "set"
		p.Algorithm = hashAlgorithm(field)
		if p.Algorithm == "" {
			// crypt(3) cannot produce this string, so no password matches
			// it: the account is locked in effect
			p.State, p.Algorithm = "locked", "invalid"
		}
	}
	return p
}

// cryptPrefixes are the crypt(3) hash prefixes (crypt(5)).
var cryptPrefixes = map[string]string{
	"y": "yescrypt", "gy": "gost-yescrypt", "7": "scrypt", "2a": "bcrypt", "2b": "bcrypt", "2x": "bcrypt",
	"2y": "bcrypt", "6": "sha512crypt", "5": "sha256crypt", "sha1": "sha1crypt", "md5": "sunmd5", "1": "md5crypt",
	"3": "nthash",
}

// hashAlgorithm names the scheme of a crypt(3) string; "" when it is
// not one.
func hashAlgorithm(h string) string {
	if h == "" {
		return ""
	}
	if h[0] == '$' {
		id, _, ok := strings.Cut(h[1:], "$")
		if !ok {
			return ""
		}
		if name, ok := cryptPrefixes[id]; ok {
			return name
		}
		return "unknown"
	}
	if h[0] == '_' && len(h) == 20 {
		return "bsdicrypt"
	}
	if len(h) == 13 && strings.Trim(h, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == "" {
		return "descrypt"
	}
	return ""
}

// applyShadow merges /etc/shadow's password states into the accounts.
func applyShadow(h hostfs.Host, f *AccountsFacts) Part {
	data, err := h.ReadFileLimit(shadowFile, maxAccountDBSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return PartUnavailable(shadowFile + " does not exist")
		}
		return PartError(err)
	}
	entries, err := ParseShadow(data)
	if err != nil {
		return PartError(fmt.Errorf("%s: %w", shadowFile, err))
	}
	byName := map[string]Password{}
	for _, e := range entries {
		if _, dup := byName[e.Name]; !dup {
			byName[e.Name] = e.Password
		}
	}
	known := map[string]bool{}
	for i := range f.Accounts {
		a := &f.Accounts[i]
		known[a.Name] = true
		if a.Password.Source != "shadow" {
			continue
		}
		if p, ok := byName[a.Name]; ok {
			a.Password = p
		} else {
			// "x" with no shadow entry: nothing matches, no password login
			a.Password = Password{State: "locked", Algorithm: "no shadow entry", Source: "shadow"}
		}
	}
	for name := range byName {
		if !known[name] {
			f.ShadowOnly = append(f.ShadowOnly, name)
		}
	}
	sort.Strings(f.ShadowOnly)
	return PartOK()
}

func readGroups(h hostfs.Host) (Part, []Group) {
	out := []Group{}
	data, err := h.ReadFileLimit(groupFile, maxAccountDBSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return PartUnavailable(groupFile + " does not exist"), out
		}
		return PartError(err), out
	}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") || line[0] == '+' || line[0] == '-' {
			continue
		}
		f := strings.Split(line, ":")
		gid, err := strconv.ParseUint(safeField(f, 2), 10, 32)
		if len(f) != 4 || f[0] == "" || err != nil {
			return PartError(fmt.Errorf("%s: line %d: not a group entry", groupFile, i+1)), []Group{}
		}
		g := Group{Name: f[0], GID: uint32(gid), Members: []string{}}
		for _, m := range strings.Split(f[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				g.Members = append(g.Members, m)
			}
		}
		out = append(out, g)
	}
	return PartOK(), out
}

func safeField(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}
