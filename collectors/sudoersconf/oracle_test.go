package sudoersconf

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/internal/testenv"
)

// oracleRun is what sudo's own tools said about one case, run in a
// private mount namespace where the case's sudoers, sudoers.d and the
// test passwd and group are bind-mounted over the real ones.
type oracleRun struct {
	visudoOK  bool
	visudoOut string
	list      map[string]string // user -> sudo -l -U output
}

const oracleScript = `set -e
mount --bind "$CASE/etc/sudoers" /etc/sudoers
mount --bind "$SUDOERS_D" /etc/sudoers.d
mount --bind "$DATA/passwd" /etc/passwd
mount --bind "$DATA/group" /etc/group
set +e
"$VISUDO" -c -f /etc/sudoers >"$OUT/visudo" 2>&1
echo $? >"$OUT/visudo.rc"
for u in $USERS; do "$SUDO" -n -l -U "$u" >"$OUT/list.$u" 2>&1; done
exit 0
`

// runOracle copies the case to a root-owned 0440 tree (sudo refuses
// anything else) and asks visudo and sudo about it.
func runOracle(t *testing.T, c sudoersCase, visudo, sudo, unshare string) oracleRun {
	t.Helper()
	tmp := t.TempDir()
	caseDir := filepath.Join(tmp, "case")
	if out, err := exec.Command("cp", "-a", c.dir, caseDir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	sudoersD := filepath.Join(caseDir, "etc", "sudoers.d")
	if err := os.MkdirAll(sudoersD, 0o755); err != nil {
		t.Fatal(err)
	}
	filepath.Walk(filepath.Join(caseDir, "etc"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			os.Chmod(p, 0o440)
			os.Chown(p, 0, 0)
		}
		return nil
	})
	data, _ := filepath.Abs(casesDir)
	outDir := filepath.Join(tmp, "out")
	os.Mkdir(outDir, 0o755)
	cmd := exec.Command(unshare, "--mount", "--propagation", "private", "sh", "-c", oracleScript)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "CASE=" + caseDir, "SUDOERS_D=" + sudoersD,
		"DATA=" + data, "OUT=" + outDir, "VISUDO=" + visudo, "SUDO=" + sudo, "USERS=" + strings.Join(c.users, " ")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("unshare: %v %s", err, out)
	}
	r := oracleRun{list: map[string]string{}}
	rc, _ := os.ReadFile(filepath.Join(outDir, "visudo.rc"))
	out, _ := os.ReadFile(filepath.Join(outDir, "visudo"))
	r.visudoOK, r.visudoOut = strings.TrimSpace(string(rc)) == "0", string(out)
	for _, u := range c.users {
		b, _ := os.ReadFile(filepath.Join(outDir, "list."+u))
		r.list[u] = string(b)
	}
	return r
}

// TestOracleVisudoAndSudoList: visudo -c agrees with the parser on every
// case's validity, and for every valid case and user, the commands sudo -l
// -U lists are the parser's grants that apply to that user on this host.
func TestOracleVisudoAndSudoList(t *testing.T) {
	testenv.RequireRoot(t)
	visudo := testenv.RequireTool(t, "visudo")
	sudo := testenv.RequireTool(t, "sudo")
	unshare := testenv.RequireTool(t, "unshare")
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	hostname, _, _ = strings.Cut(hostname, ".")
	ids := loadIDs(t)
	compared := 0
	for _, c := range loadCases(t) {
		t.Run(c.name, func(t *testing.T) {
			o := runOracle(t, c, visudo, sudo, unshare)
			if o.visudoOK != c.valid {
				t.Fatalf("case.txt says valid=%v, visudo -c says %v:\n%s", c.valid, o.visudoOK, o.visudoOut)
			}
			p, err := loadCase(t, c)
			if (err == nil) != o.visudoOK {
				t.Fatalf("parser error %v; visudo -c:\n%s", err, o.visudoOut)
			}
			if err != nil {
				return
			}
			for _, u := range c.users {
				got := parserList(p, ids, u, hostname)
				want := sudoList(o.list[u])
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("user %s: parser grants differ from sudo -l (-sudo +parser):\n%s\nsudo -l said:\n%s", u, diff, o.list[u])
				}
				compared++
			}
		})
	}
	if compared < 15 {
		t.Errorf("only %d sudo -l comparisons (want at least 15)", compared)
	}
}

// testIDs are the test users' uid and groups, from passwd and group.
type testIDs struct {
	uid    map[string]string
	groups map[string][]string // user -> group names
	gids   map[string]string   // group name -> gid
}

func loadIDs(t *testing.T) testIDs {
	ids := testIDs{uid: map[string]string{}, groups: map[string][]string{}, gids: map[string]string{}}
	primary := map[string]string{}
	pw, err := os.ReadFile(filepath.Join(casesDir, "passwd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(pw)), "\n") {
		f := strings.Split(l, ":")
		ids.uid[f[0]], primary[f[0]] = f[2], f[3]
	}
	gr, err := os.ReadFile(filepath.Join(casesDir, "group"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(gr)), "\n") {
		f := strings.Split(l, ":")
		ids.gids[f[0]] = f[2]
		for u, g := range primary {
			if g == f[2] {
				ids.groups[u] = append(ids.groups[u], f[0])
			}
		}
		for _, m := range strings.Split(f[3], ",") {
			if m != "" {
				ids.groups[m] = append(ids.groups[m], f[0])
			}
		}
	}
	return ids
}

func (ids testIDs) matchesUser(member, user string) bool {
	switch {
	case member == "ALL" || member == user:
		return true
	case strings.HasPrefix(member, "%#"):
		for _, g := range ids.groups[user] {
			if ids.gids[g] == member[2:] {
				return true
			}
		}
	case strings.HasPrefix(member, "%"):
		for _, g := range ids.groups[user] {
			if g == member[1:] {
				return true
			}
		}
	case strings.HasPrefix(member, "#"):
		return ids.uid[user] == member[1:]
	}
	return false
}

// parserList renders the grants that apply to user on host the way the
// normalised sudo -l output looks: "(runas) TAGS OPTIONS command".
func parserList(p *Policy, ids testIDs, user, host string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, g := range p.Grants {
		if !ids.matchesUser(g.Principal, user) || anyMatch(g.PrincipalExcept, func(m string) bool { return ids.matchesUser(m, user) }) {
			continue
		}
		hostOK := func(m string) bool { return m == "ALL" || strings.EqualFold(m, host) }
		if !hostOK(g.Host) || anyMatch(g.HostExcept, hostOK) {
			continue
		}
		runas := g.RunAs
		if !g.RunAsDefault && len(g.RunAsUsers) == 0 {
			// sudo -l shows a group-only runas list as the user himself
			runas = "(" + user
			if len(g.RunAsGroups) > 0 {
				runas += " : " + strings.Join(g.RunAsGroups, ", ")
			}
			runas += ")"
		}
		line := normalLine(runas, g.Tags, g.Options, g.Command)
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out
}

func anyMatch(list []string, f func(string) bool) bool {
	for _, m := range list {
		if f(m) {
			return true
		}
	}
	return false
}

func normalLine(runas string, tags []string, opts map[string]string, cmd string) string {
	var b strings.Builder
	b.WriteString(runas)
	t := append([]string(nil), tags...)
	sort.Strings(t)
	for _, tag := range t {
		b.WriteString(" " + tag + ":")
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", strings.ToUpper(k), opts[k])
	}
	return b.String() + " " + cmd
}

var (
	runasPrefix = regexp.MustCompile(`^\(([^)]*)\)\s*`)
	tagPrefix   = regexp.MustCompile(`^([A-Z_]+):\s*`)
	optPrefix   = regexp.MustCompile(`^(ROLE|TYPE|CWD|CHROOT|NOTBEFORE|NOTAFTER|TIMEOUT)=(\S+)\s+`)
)

// sudoList normalises sudo -l -U output: wrapped lines joined, the runas
// list, tags and options that sudo prints only when they change carried
// along each line, one entry per command.
func sudoList(out string) []string {
	var lines []string
	in := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.Contains(l, " may run the following commands on "):
			in = true
		case !in:
		case strings.HasPrefix(l, "        ") && len(lines) > 0:
			lines[len(lines)-1] += " " + strings.TrimSpace(l)
		case strings.HasPrefix(l, "    "):
			lines = append(lines, strings.TrimSpace(l))
		default:
			in = false
		}
	}
	seen := map[string]bool{}
	out2 := []string{}
	for _, l := range lines {
		m := runasPrefix.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		runas := "(" + m[1] + ")"
		rest := l[len(m[0]):]
		tags := map[int]string{}
		opts := map[string]string{}
		for _, cmd := range splitUnescaped(rest) {
			cmd = strings.TrimSpace(cmd)
			for {
				if tm := tagPrefix.FindStringSubmatch(cmd); tm != nil && tagPair(tm[1]) >= 0 {
					tags[tagPair(tm[1])] = tm[1]
					cmd = cmd[len(tm[0]):]
					continue
				}
				if om := optPrefix.FindStringSubmatch(cmd); om != nil {
					opts[strings.ToLower(om[1])] = om[2]
					cmd = cmd[len(om[0]):]
					continue
				}
				break
			}
			if isAliasName(cmd) {
				// an undefined Cmnd_Alias: sudo lists it, it matches
				// nothing, and the parser makes no grant of it
				continue
			}
			var tl []string
			for _, v := range tags {
				tl = append(tl, v)
			}
			line := normalLine(runas, tl, opts, cmd)
			if !seen[line] {
				seen[line] = true
				out2 = append(out2, line)
			}
		}
	}
	sort.Strings(out2)
	return out2
}

// splitUnescaped splits a sudo -l line at ", " not preceded by a backslash.
func splitUnescaped(s string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == ',' && s[i+1] == ' ' {
			out = append(out, s[start:i])
			start = i + 2
		}
	}
	return append(out, s[start:])
}
