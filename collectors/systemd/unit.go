package systemd

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Unit is one unit as systemd would load it.
type Unit struct {
	// Name is the name asked for; ID is the unit's own name when Name is
	// an alias (sshd.service -> ssh.service), else Name.
	Name string `json:"name"`
	ID   string `json:"id"`
	// Aliases are the other names linking to this unit in unit paths.
	Aliases []string `json:"aliases,omitempty"`
	// Path is the fragment file read (after following links), empty when
	// the unit is masked.
	Path string `json:"path,omitempty"`
	// Template and Instance are set for foo@bar.service loaded from
	// foo@.service.
	Template string `json:"template,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Masked: the unit's highest-precedence file is a link to /dev/null
	// (or empty); MaskedBy is that file.
	Masked   bool   `json:"masked"`
	MaskedBy string `json:"masked_by,omitempty"`
	// DropIns are the drop-in files applied, in the order applied.
	DropIns []string `json:"drop_ins"`
	// State is what `systemctl is-enabled` prints: enabled,
	// enabled-runtime, static, disabled, indirect, alias, masked,
	// masked-runtime; "bad" when the unit file cannot be loaded.
	State string `json:"state"`
	// Enabled is true when a wants/requires/upholds link or an alias link
	// in /etc/systemd/system (or /run) pulls the unit in; EnabledHow says
	// which ("wants link", "requires link", "upholds link", "alias") and
	// EnabledLinks lists them.
	Enabled      bool     `json:"enabled"`
	EnabledHow   string   `json:"enabled_how,omitempty"`
	EnabledLinks []string `json:"enabled_links,omitempty"`
	// Error is set when the fragment or a drop-in could not be read or
	// parsed: systemd would not load the unit as written.
	Error string `json:"error,omitempty"`

	effective map[string]map[string][]Assignment
	resets    map[string]map[string]Assignment // last empty assignment per key
}

// Get is the effective value of a single-valued directive: the last
// assignment across the fragment and its drop-ins, with the file and
// line that set it. ok is false when the directive is unset or its last
// assignment is empty (which resets it to systemd's default).
func (un *Unit) Get(section, key string) (value, file string, line int, ok bool) {
	as := un.effective[section][key]
	if len(as) == 0 {
		return "", "", 0, false
	}
	a := as[len(as)-1]
	return a.Value, a.File, a.Line, true
}

// Values is the effective list of a list-valued directive
// (CapabilityBoundingSet, SystemCallFilter, ExecStart, ...): every
// assignment after the last empty one, which resets the list.
func (un *Unit) Values(section, key string) []Assignment {
	return append([]Assignment(nil), un.effective[section][key]...)
}

// LastReset is the last empty assignment of a directive ("Key="), if
// any. Most directives then return to their default, but some give the
// empty value a meaning of its own: CapabilityBoundingSet= is the empty
// capability set, the tightest bound there is.
func (un *Unit) LastReset(section, key string) (file string, line int, ok bool) {
	a, ok := un.resets[section][key]
	return a.File, a.Line, ok
}

// Sections lists the section names the unit's files define, sorted.
func (un *Unit) Sections() []string {
	out := make([]string, 0, len(un.effective))
	for s := range un.effective {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Keys lists the directives set (not reset) in a section, sorted.
func (un *Unit) Keys(section string) []string {
	var out []string
	for k, as := range un.effective[section] {
		if len(as) > 0 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Unit resolves a unit by name: ok is false when no unit path has it (nor
// its template). The result is cached; callers must not modify it.
func (u *Units) Unit(name string) (*Unit, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if un, ok := u.cache[name]; ok {
		return un, un != nil
	}
	un := u.resolve(name)
	u.cache[name] = un
	return un, un != nil
}

// splitInstance cuts "foo@bar.service" into the template "foo@.service"
// and the instance "bar"; ok is false for a name without an instance.
func splitInstance(name string) (template, instance string, ok bool) {
	at := strings.IndexByte(name, '@')
	dot := strings.LastIndexByte(name, '.')
	if at < 0 || dot < at || dot == at+1 {
		return "", "", false
	}
	return name[:at+1] + name[dot:], name[at+1 : dot], true
}

func (u *Units) resolve(name string) *Unit {
	un := &Unit{Name: name, ID: name, DropIns: []string{}, effective: map[string]map[string][]Assignment{}}
	e, found := u.entries[name]
	if !found {
		tmpl, inst, ok := splitInstance(name)
		if !ok {
			return nil
		}
		if e, found = u.entries[tmpl]; !found {
			return nil
		}
		un.Template, un.Instance = tmpl, inst
	} else if tmpl, inst, ok := splitInstance(name); ok {
		// A file for the instance itself wins over the template, but the
		// template's drop-ins still apply.
		un.Template, un.Instance = tmpl, inst
	}
	final := e.path
	if e.link {
		f, err := u.follow(e.path)
		if err != nil {
			un.Error = err.Error()
			u.setState(un, nil)
			return un
		}
		final = f
		if f != "/dev/null" {
			if t := path.Base(f); t != path.Base(e.path) && IsUnitName(t) && un.Instance == "" {
				un.ID = t
			}
		}
	}
	if final == "/dev/null" {
		un.Masked, un.MaskedBy = true, e.path
		u.setState(un, nil)
		return un
	}
	data, err := u.h.ReadFileLimit(final, maxUnitFileSize)
	if err != nil {
		un.Error = fmt.Sprintf("%s: %v", final, err)
		u.setState(un, nil)
		return un
	}
	if len(data) == 0 {
		// systemd treats an empty unit file like a link to /dev/null.
		un.Masked, un.MaskedBy = true, e.path
		u.setState(un, nil)
		return un
	}
	un.Path = final
	un.Aliases = u.aliasesOf(un)
	frag, err := Parse(final, data)
	if err != nil {
		un.Error = err.Error()
		u.setState(un, nil)
		return un
	}
	un.apply(frag)
	for _, d := range u.dropins(un) {
		if err := u.applyDropin(un, d.path, d.link); err != nil {
			un.Error = err.Error()
			break
		}
	}
	u.setState(un, frag)
	return un
}

func (u *Units) aliasesOf(un *Unit) []string {
	var out []string
	for _, a := range u.aliases[un.ID] {
		if a != un.Name {
			out = append(out, a)
		}
	}
	if un.ID != un.Name {
		out = append(out, un.ID)
	}
	sort.Strings(out)
	return out
}

// apply merges one file's sections into the effective directives: an
// empty value resets what came before.
func (un *Unit) apply(secs map[string]Section) {
	for sname, sec := range secs {
		eff := un.effective[sname]
		if eff == nil {
			eff = map[string][]Assignment{}
			un.effective[sname] = eff
		}
		for key, as := range sec {
			for _, a := range as {
				if a.Value == "" {
					eff[key] = nil
					if un.resets == nil {
						un.resets = map[string]map[string]Assignment{}
					}
					if un.resets[sname] == nil {
						un.resets[sname] = map[string]Assignment{}
					}
					un.resets[sname][key] = a
					continue
				}
				eff[key] = append(eff[key], a)
			}
		}
	}
}

func (u *Units) applyDropin(un *Unit, p string, link bool) error {
	final := p
	if link {
		f, err := u.follow(p)
		if err != nil {
			return err
		}
		final = f
	}
	if final == "/dev/null" {
		return nil // a masked drop-in hides the lower one of its name
	}
	data, err := u.h.ReadFileLimit(final, maxUnitFileSize)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	secs, err := Parse(p, data)
	if err != nil {
		return err
	}
	un.DropIns = append(un.DropIns, p)
	un.apply(secs)
	return nil
}

// dropinNames are the names whose ".d" directories apply to un, most
// specific first: the unit and its aliases, its template, its dash
// prefixes ("a-b-.service" for a-b-c.service), and the type ("service").
func dropinNames(un *Unit) []string {
	var names []string
	add := func(n string) {
		for _, x := range names {
			if x == n {
				return
			}
		}
		names = append(names, n)
	}
	for _, n := range append([]string{un.Name, un.ID}, un.Aliases...) {
		add(n)
		if tmpl, _, ok := splitInstance(n); ok {
			add(tmpl)
		}
		dot := strings.LastIndexByte(n, '.')
		prefix, suffix := n[:dot], n[dot:]
		for i := len(prefix) - 1; i > 0; i-- {
			if prefix[i] == '-' && i < len(prefix)-1 {
				add(prefix[:i+1] + suffix)
			}
		}
	}
	dot := strings.LastIndexByte(un.Name, '.')
	add(un.Name[dot+1:])
	return names
}

// dropins lists the drop-in files to apply: from every directory that
// applies, a file name taken from the first directory that has it (a
// file in /etc hides one of the same name in /usr/lib), then all sorted
// by file name, as systemd applies them.
func (u *Units) dropins(un *Unit) []entry {
	byName := map[string]entry{}
	for _, n := range dropinNames(un) {
		for _, dir := range u.dropDirs[n+".d"] {
			entries, err := u.h.ReadDir(dir)
			if err != nil {
				u.dropinProblem(dir, err)
				continue
			}
			for _, e := range entries {
				if !strings.HasSuffix(e.Name, ".conf") || e.Type.IsDir() {
					continue
				}
				if _, taken := byName[e.Name]; !taken {
					byName[e.Name] = entry{path: dir + "/" + e.Name, link: e.Type&fs.ModeSymlink != 0}
				}
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]entry, len(names))
	for i, n := range names {
		out[i] = byName[n]
	}
	return out
}

// dropinProblem records an unreadable drop-in directory (u.mu is held).
func (u *Units) dropinProblem(p string, err error) {
	if !errors.Is(err, fs.ErrNotExist) {
		u.problem(p, err)
	}
}

// setState computes what `systemctl is-enabled` says of un.
func (u *Units) setState(un *Unit, frag map[string]Section) {
	var links []Link
	for _, n := range append([]string{un.Name}, un.Aliases...) {
		links = append(links, u.links[n]...)
	}
	if un.ID != un.Name {
		links = append(links, u.links[un.ID]...)
	}
	sort.Slice(links, func(i, j int) bool { return links[i].Path < links[j].Path })
	links = dedupLinks(links)
	if un.Masked {
		un.State = "masked"
		if strings.HasPrefix(un.MaskedBy, "/run/") {
			un.State = "masked-runtime"
		}
		return
	}
	persistent := false
	for _, l := range links {
		un.EnabledLinks = append(un.EnabledLinks, l.Path)
		if !l.Runtime {
			persistent = true
		}
		if how := l.Kind + " link"; un.EnabledHow == "" || rankHow(how) < rankHow(un.EnabledHow) {
			un.EnabledHow = how
		}
	}
	if un.EnabledHow == "alias link" {
		un.EnabledHow = "alias"
	}
	switch {
	case un.ID != un.Name:
		// systemctl is-enabled names an alias as such; Enabled still
		// says whether the unit behind it is pulled in.
		un.Enabled, un.State = len(links) > 0, "alias"
	case len(links) > 0 && persistent:
		un.Enabled, un.State = true, "enabled"
	case len(links) > 0:
		un.Enabled, un.State = true, "enabled-runtime"
	case frag == nil:
		un.State = "bad"
	case !hasInstallRules(frag):
		un.State = "static"
		if len(frag["Install"]["Also"]) > 0 {
			un.State = "indirect"
		}
	default:
		un.State = "disabled"
	}
}

func rankHow(h string) int {
	switch h {
	case "wants link":
		return 0
	case "requires link":
		return 1
	case "upholds link":
		return 2
	}
	return 3
}

func dedupLinks(ls []Link) []Link {
	out := ls[:0]
	for i, l := range ls {
		if i > 0 && ls[i-1].Path == l.Path {
			continue
		}
		out = append(out, l)
	}
	return out
}

// hasInstallRules: the [Install] section can enable the unit.
func hasInstallRules(frag map[string]Section) bool {
	inst := frag["Install"]
	for _, k := range []string{"WantedBy", "RequiredBy", "UpheldBy", "Alias"} {
		for _, a := range inst[k] {
			if a.Value != "" {
				return true
			}
		}
	}
	return false
}
