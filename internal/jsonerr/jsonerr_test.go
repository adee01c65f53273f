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
		{"{\"a\": ", "line 1: invalid JSON: unexpected end"},
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

// A streaming decoder reports truncation as an EOF, not a syntax error.
func TestDescribeTruncatedStream(t *testing.T) {
	in := "{\"a\": "
	var v struct{ A int }
	err := json.NewDecoder(strings.NewReader(in)).Decode(&v)
	if got := Describe([]byte(in), err, "snapshot"); got != "not a JSON snapshot (empty or truncated)" {
		t.Errorf("got %q", got)
	}
}
