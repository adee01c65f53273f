package reports

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ztscan/ztscan/rules"
)

func outcome(id, severity string) rules.Outcome {
	return rules.Outcome{Rule: rules.Rule{ID: id, Severity: severity}, Verdict: rules.Verdict{Status: rules.Pass}}
}

func TestSelect(t *testing.T) {
	all := []rules.Outcome{
		outcome("ZT-FW-001", "critical"), outcome("ZT-FW-007", "low"),
		outcome("ZT-SSH-001", "high"), outcome("ZT-SSH-010", "medium"),
		outcome("ZT-TUNE-001", "info"), outcome("ACME-WEB-7", "low"),
	}
	tests := []struct {
		name        string
		only, skip  []string
		minSeverity string
		want        []string
		wantErr     string
	}{
		{name: "nothing asked keeps all", want: []string{"ZT-FW-001", "ZT-FW-007", "ZT-SSH-001", "ZT-SSH-010", "ZT-TUNE-001", "ACME-WEB-7"}},
		{name: "only a glob", only: []string{"ZT-SSH-*"}, want: []string{"ZT-SSH-001", "ZT-SSH-010"}},
		{name: "only an ID and a glob, case-insensitive", only: []string{"zt-fw-001", "acme-*"}, want: []string{"ZT-FW-001", "ACME-WEB-7"}},
		{name: "skip a glob", skip: []string{"ZT-FW-*", "ZT-TUNE-001"}, want: []string{"ZT-SSH-001", "ZT-SSH-010", "ACME-WEB-7"}},
		{name: "skip wins over only", only: []string{"ZT-SSH-*"}, skip: []string{"ZT-SSH-010"}, want: []string{"ZT-SSH-001"}},
		{name: "character class", only: []string{"ZT-SSH-00[0-9]"}, want: []string{"ZT-SSH-001"}},
		{name: "empty patterns are ignored", only: []string{"", " "}, minSeverity: "high", want: []string{"ZT-FW-001", "ZT-SSH-001"}},
		{name: "minimum severity", minSeverity: "Medium", want: []string{"ZT-FW-001", "ZT-SSH-001", "ZT-SSH-010"}},
		{name: "severity filter may leave nothing", only: []string{"ZT-TUNE-*"}, minSeverity: "low", want: []string{}},
		// A typo must be an error, never an empty green report.
		{name: "only typo", only: []string{"ZT-SSH-*", "ZT-FOO-*"}, wantErr: "no rule matches --only ZT-FOO-*"},
		{name: "skip typo", skip: []string{"ZT-SHH-001"}, wantErr: "no rule matches --skip ZT-SHH-001"},
		{name: "bad glob", only: []string{"ZT-[SSH"}, wantErr: "--only ZT-[SSH: bad pattern"},
		{name: "bad severity", minSeverity: "severe", wantErr: "--severity: severity \"severe\" is not one of"},
		{name: "none is no minimum severity", minSeverity: "none", wantErr: "--severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(all, tt.only, tt.skip, tt.minSeverity)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, o := range got {
				ids = append(ids, o.Rule.ID)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("selected (-want +got):\n%s", diff)
			}
		})
	}
}
