package review

import "testing"

// SPEC C3 (行政处罚法 §63): which intended penalties carry the hearing right.
func TestHearingRight(t *testing.T) {
	tests := []struct {
		party       string
		measures    []string
		fine, conf  float64
		other, want bool
	}{
		{"org", []string{"fine"}, 100000, 0, false, true},
		{"org", []string{"fine"}, 99999.99, 0, false, false},
		{"person", []string{"fine"}, 10000, 0, false, true},
		{"person", []string{"warning"}, 0, 0, false, false},
		{"person", []string{"confiscate"}, 0, 20000, false, true},
		{"org", []string{"revoke_license"}, 0, 0, false, true},
		{"org", []string{"suspend_business"}, 0, 0, false, true},
		{"org", []string{"warning"}, 0, 0, true, true},
	}
	for _, tc := range tests {
		if got := len(HearingRight(tc.party, tc.measures, tc.fine, tc.conf, tc.other)) > 0; got != tc.want {
			t.Errorf("%s %v %.2f %.2f %v: hearing right %v, want %v", tc.party, tc.measures, tc.fine, tc.conf, tc.other, got, tc.want)
		}
	}
	if IsPenalty([]string{"detain_property"}) || !IsPenalty([]string{"warning"}) {
		t.Error("IsPenalty")
	}
}
