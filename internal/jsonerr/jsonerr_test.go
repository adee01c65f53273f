package jsonerr

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "not a JSON report (empty)"},
		{"{\n  \"a\": 1,\n  oops\n}", "line 3: invalid JSON"},
		{"{\"a\": ", "not a JSON report (empty or truncated)"},
		{"{\n\"a\": \"x\"\n}", "line 2: invalid JSON"}, // type error: a is an int
	}
	for _, c := range cases {
		var v struct{ A int }
		err := json.Unmarshal([]byte(c.in), &v)
		if err == nil {
			t.Fatalf("%q decoded", c.in)
		}
		if got := Describe([]byte(c.in), err, "report"); !strings.HasPrefix(got, c.want) {
			t.Errorf("%q: got %q, want prefix %q", c.in, got, c.want)
		}
	}
}
