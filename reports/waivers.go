package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ztscan/ztscan/rules"
)

// A waivers file is a YAML list of accepted exceptions:
//
//	- id: ZT-SSH-00?            # rule ID or glob, required
//	  reason: legacy jump host  # required
//	  expires: 2025-06-30       # YYYY-MM-DD, required; valid through that day (UTC)
//	  hosts: [bastion-*]        # optional host name globs
//	  owner: platform-team      # optional
//
// Every waiver expires, so that an exception is reviewed rather than
// forgotten. Errors name the file and line.

// maxWaiversSize bounds a waivers file; a real one is a few kilobytes.
const maxWaiversSize = 1 << 20

// dateLayout is the expires format.
const dateLayout = "2006-01-02"

// WaiverSpec is one entry of a waivers file.
type WaiverSpec struct {
	ID      string   // rule ID glob, upper-cased
	Reason  string   //
	Expires string   // YYYY-MM-DD as written
	Hosts   []string // host name globs; none = every host
	Owner   string   //
	Line    int      // line of the entry in the file
	until   time.Time
}

// WaiverFile is a parsed waivers file.
type WaiverFile struct {
	Path    string
	Waivers []WaiverSpec
}

// LoadWaivers reads and validates a waivers file.
func LoadWaivers(name string) (*WaiverFile, error) {
	data, err := readBounded(name, maxWaiversSize)
	if err != nil {
		return nil, fmt.Errorf("waivers %w", err)
	}
	return ParseWaivers(name, data)
}

// readBounded reads a regular file of at most limit bytes; errors start
// with the file name.
func readBounded(name string, limit int64) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer; the mode
	// check below then rejects it.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		// A FIFO or device would block or never end.
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	return data, nil
}

// ParseWaivers validates the YAML text of a waivers file named name.
func ParseWaivers(name string, data []byte) (*WaiverFile, error) {
	wf := &WaiverFile{Path: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return wf, nil // an empty file waives nothing
		}
		return nil, fmt.Errorf("waivers %s%s", name, yamlError(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("waivers %s:%d: a second YAML document; the file is one list of waivers", name, extra.Line)
	}
	if len(doc.Content) == 0 {
		return wf, nil
	}
	list := doc.Content[0]
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return wf, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("waivers %s:%d: want a list of waivers (- id: ..., reason: ..., expires: ...), found %s", name, list.Line, nodeKind(list))
	}
	for _, item := range list.Content {
		w, err := parseWaiver(item)
		if err != nil {
			return nil, fmt.Errorf("waivers %s:%w", name, err)
		}
		wf.Waivers = append(wf.Waivers, w)
	}
	return wf, nil
}

// lineError is an error at a line of the file; formatted as "N: msg" so
// that the caller's "waivers FILE:" prefix makes "FILE:N: msg".
func lineError(n *yaml.Node, format string, a ...any) error {
	return fmt.Errorf("%d: %s", n.Line, fmt.Sprintf(format, a...))
}

func parseWaiver(item *yaml.Node) (WaiverSpec, error) {
	w := WaiverSpec{Line: item.Line}
	if item.Kind != yaml.MappingNode {
		return w, lineError(item, "a waiver is a mapping with id, reason and expires, found %s", nodeKind(item))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(item.Content); i += 2 {
		key, val := item.Content[i], item.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			return w, lineError(key, "a waiver key must be a plain word")
		}
		if seen[key.Value] {
			return w, lineError(key, "%s given twice", key.Value)
		}
		seen[key.Value] = true
		var err error
		switch key.Value {
		case "id":
			w.ID, err = scalar(key.Value, val)
		case "reason":
			w.Reason, err = scalar(key.Value, val)
		case "expires":
			w.Expires, err = scalar(key.Value, val)
		case "owner":
			w.Owner, err = scalar(key.Value, val)
		case "hosts":
			w.Hosts, err = stringList(key.Value, val)
		default:
			err = lineError(key, "unknown key %q (known: id, reason, expires, hosts, owner)", key.Value)
		}
		if err != nil {
			return w, err
		}
	}
	return w, w.check(item, seen)
}

// check validates a parsed waiver; item locates errors about missing keys.
func (w *WaiverSpec) check(item *yaml.Node, seen map[string]bool) error {
	for _, k := range []string{"id", "reason", "expires"} {
		if !seen[k] {
			return lineError(item, "waiver lacks %s", k)
		}
	}
	w.ID = strings.ToUpper(strings.TrimSpace(w.ID))
	if w.ID == "" {
		return lineError(item, "id is empty")
	}
	if _, err := path.Match(w.ID, ""); err != nil {
		return lineError(item, "id %q is not a valid glob: %v", w.ID, err)
	}
	if strings.TrimSpace(w.Reason) == "" {
		return lineError(item, "reason is empty: say why the failure is accepted")
	}
	until, err := time.Parse(dateLayout, strings.TrimSpace(w.Expires))
	if err != nil {
		return lineError(item, "expires %q is not a date (YYYY-MM-DD)", w.Expires)
	}
	w.Expires = until.Format(dateLayout)
	// Valid through the whole of the expiry day, in UTC.
	w.until = until.AddDate(0, 0, 1)
	for _, h := range w.Hosts {
		if _, err := path.Match(strings.ToLower(h), ""); err != nil || strings.TrimSpace(h) == "" {
			return lineError(item, "hosts entry %q is not a valid glob", h)
		}
	}
	return nil
}

func scalar(key string, n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", lineError(n, "%s must be a single value, found %s", key, nodeKind(n))
	}
	return n.Value, nil
}

// stringList accepts a list of strings, or one string for a single host.
func stringList(key string, n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, lineError(n, "%s must be a list of globs, found %s", key, nodeKind(n))
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, err := scalar(key+" entry", c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias (not supported)"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an empty document"
}

// yamlError turns yaml.v3's "yaml: line N: msg" into "N: msg", so that
// errors read FILE:N.
func yamlError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		return ":" + rest
	}
	return ": " + msg
}

// matches says whether the waiver covers rule id on host.
func (w *WaiverSpec) matches(id, host string) bool {
	if !globMatch(w.ID, id) {
		return false
	}
	if len(w.Hosts) == 0 {
		return true
	}
	for _, h := range w.Hosts {
		if ok, _ := path.Match(strings.ToLower(h), strings.ToLower(host)); ok {
			return true
		}
	}
	return false
}

func (w *WaiverSpec) expiredAt(now time.Time) bool {
	return !now.Before(w.until)
}

func (w *WaiverSpec) model(file string) Waiver {
	return Waiver{
		ID: w.ID, Reason: w.Reason, Expires: w.Expires, Owner: w.Owner,
		Hosts:  append([]string(nil), w.Hosts...),
		Source: fmt.Sprintf("%s:%d", file, w.Line),
	}
}

// Apply waives the failures the file covers on the report's host, as of
// the scan's start (so re-rendering an old report gives the same verdicts),
// fills r.Waivers and recomputes the summary. The first waiver in file
// order that matches a failure waives it. An expired waiver waives nothing
// and is listed as expired; a waiver that waived nothing is listed as
// unused. Only failures are waived: an error or a skip says the control is
// unknown, which no waiver can accept.
func (wf *WaiverFile) Apply(r *Report) {
	now := r.Scan.StartedAt
	host := r.Scan.Target.Hostname
	file := wf.Path
	if file == "" {
		file = "waivers"
	}
	wr := &WaiverReport{File: wf.Path, Applied: []WaiverUse{}, Expired: []WaiverUse{}, Unused: []WaiverUse{}}
	waived := make([][]string, len(wf.Waivers))
	wouldHave := make([][]string, len(wf.Waivers))
	for i := range r.Results {
		res := &r.Results[i]
		if res.Status != rules.Fail {
			continue
		}
		for j := range wf.Waivers {
			w := &wf.Waivers[j]
			if !w.matches(res.ID, host) {
				continue
			}
			if w.expiredAt(now) {
				wouldHave[j] = append(wouldHave[j], res.ID)
				continue
			}
			model := w.model(file)
			res.Status = rules.Waived
			res.Waiver = &model
			waived[j] = append(waived[j], res.ID)
			break
		}
	}
	for j := range wf.Waivers {
		w := &wf.Waivers[j]
		use := WaiverUse{Waiver: w.model(file), Rules: []string{}}
		switch {
		case w.expiredAt(now):
			use.Rules = append(use.Rules, wouldHave[j]...)
			wr.Expired = append(wr.Expired, use)
		case len(waived[j]) > 0:
			use.Rules = append(use.Rules, waived[j]...)
			wr.Applied = append(wr.Applied, use)
		default:
			wr.Unused = append(wr.Unused, use)
		}
	}
	r.Waivers = wr
	r.Summary = Summarize(r.Results)
}
