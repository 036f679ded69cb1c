package deadline

import (
	"testing"
	"time"

	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

var cst = time.FixedZone("CST", 8*3600)

func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cst) }

// SPEC D5 R4 R5 R8 L4 P2: every deadline, on the holiday calendar.
func TestCompute(t *testing.T) {
	cal := workday.Default()
	rs := review.Settings{Disagreement: review.LegalOfficePrevails, DeadlineWorkdays: 3, ExtensionWorkdays: 2}
	f := Facts{
		CaseID: "C1", Procedure: "penalty", Opened: at(2025, 9, 29, 9), Emergency: true,
		AV: []AV{
			{Hash: "a", Recorded: at(2025, 9, 29, 10), Uploaded: at(2025, 9, 29, 18)},
			{Hash: "b", Recorded: at(2025, 9, 29, 11)},
		},
		Review:  &review.Review{State: review.StateAgreed, Submitted: at(2025, 9, 30, 16), Answered: at(2025, 10, 10, 9)},
		Decided: at(2025, 10, 13, 15),
		Ended:   at(2025, 12, 31, 12),
	}
	tests := []struct {
		settings Settings
		kind     string
		subject  string
		due      time.Time
		now      time.Time
		state    string
	}{
		{Settings{Review: rs}, Upload, "a", at(2025, 9, 30, 10), at(2025, 10, 1, 0), StateMet},
		{Settings{Review: rs}, Upload, "b", at(2025, 9, 30, 11), at(2025, 9, 30, 11), StateOverdue},
		// 2 working days from Mon 29 Sep: Tue 30 Sep, then National Day until 8 Oct, Thu 9 Oct.
		{Settings{Upload: UploadWorkdays2, Review: rs}, Upload, "b", at(2025, 10, 10, 0), at(2025, 10, 9, 23), StateRunning},
		{Settings{Review: rs}, EmergencyStart, "", at(2025, 10, 10, 0), at(2025, 10, 10, 0), StateOverdue},
		{Settings{Review: rs}, Review, "", at(2025, 10, 12, 0), at(2025, 10, 20, 0), StateMet},
		// 7 working days from Mon 13 Oct 2025: 14..17, 20..22 Oct.
		{Settings{Review: rs}, Publication, "", at(2025, 10, 23, 0), at(2025, 10, 22, 12), StateRunning},
		{Settings{Review: rs}, Archive, "", at(2026, 1, 31, 0), at(2026, 2, 1, 0), StateOverdue},
	}
	for _, tc := range tests {
		var found *Deadline
		for _, d := range Compute(f, tc.settings, cal) {
			if d.Kind == tc.kind && d.Subject == tc.subject {
				found = &d
			}
		}
		if found == nil {
			t.Fatalf("%s %s: not computed", tc.kind, tc.subject)
		}
		if !found.Due.Equal(tc.due) || found.State(tc.now) != tc.state || found.Article == "" {
			t.Errorf("%s %s: due %s state %s, want %s %s", tc.kind, tc.subject, found.Due, found.State(tc.now), tc.due, tc.state)
		}
	}
}

func TestPublicationTwentyWorkdaysForOtherDecisions(t *testing.T) {
	ds := Compute(Facts{CaseID: "C2", Procedure: "coercion", Decided: at(2026, 9, 21, 10)}, Settings{}, workday.Default())
	if len(ds) != 1 || ds[0].Kind != Publication {
		t.Fatalf("%+v", ds)
	}
	// 20 working days from Mon 21 Sep 2026 with National Day (1-7 Oct off; Sat 10 Oct works).
	if got := ds[0].Due.Format("2006-01-02"); got != "2026-10-27" {
		t.Fatalf("due %s", got)
	}
}
