package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fieldSpec is one line of testdata/ecs-fields.txt or ocsf-2003-fields.txt.
type fieldSpec struct {
	name, kind string
	required   bool
	allowed    []string
}

// loadFieldSpecs reads a field list: name, type, requirement, allowed
// values, tab-separated; requirement is "yes"/"required" when the field
// must be present (when its parent object is).
func loadFieldSpecs(t *testing.T, file string, nameCol, kindCol, reqCol int) map[string]fieldSpec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]fieldSpec{}
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		s := fieldSpec{name: cols[nameCol], kind: cols[kindCol], required: cols[reqCol] == "yes" || cols[reqCol] == "required"}
		if len(cols) > 3 && cols[3] != "" {
			s.allowed = strings.Split(cols[3], ",")
		}
		specs[s.name] = s
	}
	return specs
}

// flatten turns nested objects into dotted keys; arrays are leaves.
func flatten(prefix string, v any, out map[string]any) {
	if m, ok := v.(map[string]any); ok {
		for k, c := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, c, out)
		}
		return
	}
	out[prefix] = v
}

// checkFields holds one event to a field list: every field is listed,
// of its type and allowed value; every required field whose parent
// object is present is there.
func checkFields(t *testing.T, event string, specs map[string]fieldSpec, own string) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(event))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, event)
	}
	flat := map[string]any{}
	flatten("", doc, flat)
	for key, v := range flat {
		if strings.HasPrefix(key, own) {
			continue
		}
		spec, ok := specs[key]
		if !ok {
			t.Errorf("field %s is not in the documented field list", key)
			continue
		}
		checkValue(t, key, spec, v)
	}
	for name, spec := range specs {
		if !spec.required {
			continue
		}
		if _, present := flat[name]; present {
			continue
		}
		if dot := strings.LastIndex(name, "."); dot > 0 && !hasPrefixKey(flat, name[:dot+1]) {
			continue // the optional parent object is absent
		}
		t.Errorf("required field %s missing", name)
	}
	return flat
}

func hasPrefixKey(flat map[string]any, prefix string) bool {
	for k := range flat {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func checkValue(t *testing.T, key string, spec fieldSpec, v any) {
	t.Helper()
	var values []string
	switch spec.kind {
	case "keyword", "match_only_text", "string":
		switch x := v.(type) {
		case string:
			values = []string{x}
		case []any:
			if spec.kind != "keyword" {
				t.Errorf("%s is an array, want a %s", key, spec.kind)
			}
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					t.Errorf("%s holds %T, want strings", key, e)
				}
				values = append(values, s)
			}
		default:
			t.Errorf("%s is %T, want a %s", key, v, spec.kind)
		}
	case "string_array":
		x, ok := v.([]any)
		if !ok {
			t.Errorf("%s is %T, want an array of strings", key, v)
		}
		for _, e := range x {
			if _, ok := e.(string); !ok {
				t.Errorf("%s holds %T, want strings", key, e)
			}
		}
	case "date":
		s, _ := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			t.Errorf("%s = %v is not an ISO 8601 date: %v", key, v, err)
		}
	case "float":
		if _, ok := v.(json.Number); !ok {
			t.Errorf("%s is %T, want a number", key, v)
		}
	case "integer", "long":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			t.Errorf("%s = %v, want an integer", key, v)
		}
		values = []string{n.String()}
	default:
		t.Fatalf("%s: unknown type %q in the field list", key, spec.kind)
	}
	if len(spec.allowed) > 0 {
		for _, s := range values {
			if !slices.Contains(spec.allowed, s) {
				t.Errorf("%s = %q, not one of %v", key, s, spec.allowed)
			}
		}
	}
}

func eventLines(t *testing.T, format string, r *Report) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, format, r, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != len(r.Results) {
		t.Fatalf("%s: %d lines, want one per result (%d)", format, len(lines), len(r.Results))
	}
	return lines
}

func TestECSFields(t *testing.T) {
	specs := loadFieldSpecs(t, "ecs-fields.txt", 0, 1, 2)
	r := fixtureReport(t)
	outcome := map[string]string{"pass": "success", "fail": "failure", "error": "unknown", "skip": "unknown", "waived": "unknown"}
	for i, line := range eventLines(t, "ecs", r) {
		flat := checkFields(t, line, specs, "ztscan.")
		res := r.Results[i]
		if flat["rule.id"] != res.ID || flat["event.outcome"] != outcome[res.Status] || flat["ztscan.status"] != res.Status {
			t.Errorf("%s: rule.id %v outcome %v status %v", res.ID, flat["rule.id"], flat["event.outcome"], flat["ztscan.status"])
		}
		if flat["event.kind"] != "state" || flat["event.dataset"] != "ztscan.result" || flat["agent.type"] != "ztscan" || flat["host.hostname"] != "golden-01" {
			t.Errorf("%s: %v", res.ID, flat)
		}
		// Evidence is a JSON string, so that differing shapes never
		// conflict in an index mapping.
		ev, ok := flat["ztscan.evidence"].(string)
		if !ok || json.Unmarshal([]byte(ev), &map[string]any{}) != nil {
			t.Errorf("%s: ztscan.evidence = %v, want a JSON object as a string", res.ID, flat["ztscan.evidence"])
		}
	}
}

func TestOCSFFields(t *testing.T) {
	specs := loadFieldSpecs(t, "ocsf-2003-fields.txt", 0, 2, 1)
	r := fixtureReport(t)
	for i, line := range eventLines(t, "ocsf", r) {
		flat := checkFields(t, line, specs, "unmapped.")
		res := r.Results[i]
		act, _ := flat["activity_id"].(json.Number).Int64()
		typ, _ := flat["type_uid"].(json.Number).Int64()
		if typ != 2003*100+act {
			t.Errorf("%s: type_uid %d, want class_uid*100+activity_id", res.ID, typ)
		}
		ms, _ := flat["time"].(json.Number).Int64()
		if ms != r.Scan.StartedAt.UnixMilli() {
			t.Errorf("%s: time %d, want the scan start in epoch ms", res.ID, ms)
		}
		if flat["compliance.control"] != res.ID || flat["finding_info.analytic.uid"] != res.ID {
			t.Errorf("%s: control %v", res.ID, flat["compliance.control"])
		}
		wantStatus := map[string]string{"pass": "1", "fail": "3", "error": "99", "skip": "99", "waived": "99"}[res.Status]
		if flat["compliance.status_id"].(json.Number).String() != wantStatus {
			t.Errorf("%s (%s): compliance.status_id %v, want %s", res.ID, res.Status, flat["compliance.status_id"], wantStatus)
		}
	}
}

// TestEventsFindingIDsStable: event IDs are per scan, finding IDs per
// rule and host, so a SIEM can both deduplicate a re-shipped report and
// follow one finding across scans.
func TestEventsFindingIDsStable(t *testing.T) {
	first := eventLines(t, "ocsf", fixtureReport(t))
	later := fixtureReport(t)
	later.Scan.ID = "ffffffffffffffff"
	second := eventLines(t, "ocsf", later)
	for i := range first {
		var a, b struct {
			Metadata struct{ UID string } `json:"metadata"`
			Finding  struct{ UID string } `json:"finding_info"`
		}
		json.Unmarshal([]byte(first[i]), &a)
		json.Unmarshal([]byte(second[i]), &b)
		if a.Finding.UID != b.Finding.UID || a.Metadata.UID == b.Metadata.UID {
			t.Errorf("line %d: finding %s/%s event %s/%s", i, a.Finding.UID, b.Finding.UID, a.Metadata.UID, b.Metadata.UID)
		}
	}
}
