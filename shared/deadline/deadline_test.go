package deadline

import (
	"strings"
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

func atMin(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, cst) }

// SPEC F14 F15 D5: the deadlines of on-scene steps, with their boundaries —
// in time one minute before the due instant, overdue at it and after it.
// 行政处罚法 counts its 2 and 7 days as working days (§85); the 24 hours of
// an emergency seizure are hours; the seizure term is calendar days.
func TestSceneDeadlines(t *testing.T) {
	cal := workday.Default()
	step := func(kind, entry string, at time.Time, fields map[string]string) Step {
		return Step{Kind: kind, Entry: entry, At: at, Fields: fields}
	}
	// Tue 30 Sep 2025: National Day runs 1-8 Oct, so 2 working days are 9 and 10 Oct.
	onSpot := step("on_spot_decision", "E1", atMin(2025, 9, 30, 10, 0), map[string]string{"penalty": "fine", "amount": "200", "payment": "on_spot"})
	seizure := step("seizure", "E2", atMin(2025, 9, 29, 10, 0), map[string]string{"approval": "emergency", "term_days": "30"})
	// Mon 29 Sep 2025 + 7 working days: 30 Sep, 9, 10, 11 (Saturday worked), 13, 14, 15 Oct.
	preserve := step("preserve", "E3", atMin(2025, 9, 29, 15, 0), nil)
	tests := []struct {
		name    string
		facts   Facts
		kind    string
		subject string
		due     time.Time
		now     time.Time
		state   string
	}{
		{"fine: 2 working days", Facts{Steps: []Step{onSpot}}, FineHandover, "", atMin(2025, 10, 11, 0, 0), atMin(2025, 10, 10, 23, 59), StateRunning},
		{"fine: at the deadline", Facts{Steps: []Step{onSpot}}, FineHandover, "", atMin(2025, 10, 11, 0, 0), atMin(2025, 10, 11, 0, 0), StateOverdue},
		{"fine: a minute after", Facts{Steps: []Step{onSpot}}, FineHandover, "", atMin(2025, 10, 11, 0, 0), atMin(2025, 10, 11, 0, 1), StateOverdue},
		{"fine: handed over in time", Facts{Steps: []Step{onSpot, step("fine_handover", "E4", atMin(2025, 10, 10, 23, 59), nil)}}, FineHandover, "", atMin(2025, 10, 11, 0, 0), atMin(2025, 12, 1, 0, 0), StateMet},
		{"fine: handed over a minute late", Facts{Steps: []Step{onSpot, step("fine_handover", "E4", atMin(2025, 10, 11, 0, 1), nil)}}, FineHandover, "", atMin(2025, 10, 11, 0, 0), atMin(2025, 12, 1, 0, 0), StateMissed},
		{"filing: running", Facts{Steps: []Step{onSpot}}, OnSpotFiling, "", atMin(2025, 10, 11, 0, 0), atMin(2025, 10, 10, 23, 59), StateRunning},
		{"filing: confirmed", Facts{Steps: []Step{onSpot}, Filed: atMin(2025, 10, 9, 9, 0)}, OnSpotFiling, "", atMin(2025, 10, 11, 0, 0), atMin(2025, 12, 1, 0, 0), StateMet},
		{"approval: a minute before", Facts{Steps: []Step{seizure}}, SeizureApproval, "", atMin(2025, 9, 30, 10, 0), atMin(2025, 9, 30, 9, 59), StateRunning},
		{"approval: at 24 hours", Facts{Steps: []Step{seizure}}, SeizureApproval, "", atMin(2025, 9, 30, 10, 0), atMin(2025, 9, 30, 10, 0), StateOverdue},
		{"approval: a minute after", Facts{Steps: []Step{seizure}}, SeizureApproval, "", atMin(2025, 9, 30, 10, 0), atMin(2025, 9, 30, 10, 1), StateOverdue},
		{"approval: in time (a holiday does not stop hours)", Facts{Steps: []Step{seizure, step("seizure_approval", "E5", atMin(2025, 9, 30, 9, 59), map[string]string{"result": "approved"})}}, SeizureApproval, "", atMin(2025, 9, 30, 10, 0), atMin(2025, 10, 5, 0, 0), StateMet},
		{"approval: a minute late", Facts{Steps: []Step{seizure, step("seizure_approval", "E5", atMin(2025, 9, 30, 10, 1), map[string]string{"result": "approved"})}}, SeizureApproval, "", atMin(2025, 9, 30, 10, 0), atMin(2025, 10, 5, 0, 0), StateMissed},
		// 30 calendar days from 29 Sep: the last day is 29 Oct, holidays included.
		{"term: last day", Facts{Steps: []Step{seizure}}, SeizureTerm, "", atMin(2025, 10, 30, 0, 0), atMin(2025, 10, 29, 23, 59), StateRunning},
		{"term: at the deadline", Facts{Steps: []Step{seizure}}, SeizureTerm, "", atMin(2025, 10, 30, 0, 0), atMin(2025, 10, 30, 0, 0), StateOverdue},
		{"term: extended by 30 days", Facts{Steps: []Step{seizure, step("seizure_extension", "E6", atMin(2025, 10, 20, 9, 0), map[string]string{"extra_days": "30"})}}, SeizureTerm, "", atMin(2025, 11, 29, 0, 0), atMin(2025, 11, 28, 23, 59), StateRunning},
		{"term: released", Facts{Steps: []Step{seizure, step("release", "E7", atMin(2025, 10, 29, 16, 0), nil)}}, SeizureTerm, "", atMin(2025, 10, 30, 0, 0), atMin(2025, 12, 1, 0, 0), StateMet},
		{"term: not approved, not released", Facts{Steps: []Step{seizure, step("seizure_approval", "E5", atMin(2025, 9, 29, 20, 0), map[string]string{"result": "not_approved"})}}, SeizureTerm, "", atMin(2025, 9, 29, 20, 0), atMin(2025, 9, 29, 20, 0), StateOverdue},
		{"preserve: 7 working days", Facts{Steps: []Step{preserve}}, Preservation, "E3", atMin(2025, 10, 16, 0, 0), atMin(2025, 10, 15, 23, 59), StateRunning},
		{"preserve: a minute after", Facts{Steps: []Step{preserve}}, Preservation, "E3", atMin(2025, 10, 16, 0, 0), atMin(2025, 10, 16, 0, 1), StateOverdue},
		{"preserve: decided", Facts{Steps: []Step{preserve, step("preserve_decision", "E8", atMin(2025, 10, 13, 9, 0), nil)}}, Preservation, "E3", atMin(2025, 10, 16, 0, 0), atMin(2025, 12, 1, 0, 0), StateMet},
	}
	for _, tc := range tests {
		var found *Deadline
		for _, d := range Compute(tc.facts, Settings{}, cal) {
			if d.Kind == tc.kind && d.Subject == tc.subject {
				found = &d
			}
		}
		if found == nil {
			t.Errorf("%s: %s not computed", tc.name, tc.kind)
			continue
		}
		if !found.Due.Equal(tc.due) || found.State(tc.now) != tc.state || found.Article == "" || !found.Verified {
			t.Errorf("%s: due %s state %s, want %s %s", tc.name, found.Due, found.State(tc.now), tc.due, tc.state)
		}
	}
}

func TestSceneDeadlinesOnlyWhenTheyApply(t *testing.T) {
	at := atMin(2025, 9, 29, 10, 0)
	ds := Compute(Facts{Steps: []Step{
		{Kind: "on_spot_decision", At: at, Fields: map[string]string{"penalty": "fine", "payment": "bank"}},
		{Kind: "seizure", At: at, Fields: map[string]string{"approval": "prior", "term_days": "10"}},
	}}, Settings{}, workday.Default())
	var kinds []string
	for _, d := range ds {
		kinds = append(kinds, d.Kind)
	}
	// paid at a bank: no hand-over; approved beforehand: no 24-hour approval.
	if got := strings.Join(kinds, " "); got != OnSpotFiling+" "+SeizureTerm {
		t.Fatalf("kinds %s", got)
	}
	if !ds[1].Due.Equal(atMin(2025, 10, 10, 0, 0)) {
		t.Fatalf("10-day term due %s", ds[1].Due)
	}
}

func TestFieldsOf(t *testing.T) {
	f := FieldsOf([]byte(`{"term_days":30,"payment":"on_spot","extra_days":" 5 "}`))
	if f["term_days"] != "30" || f["payment"] != "on_spot" || f["extra_days"] != "5" {
		t.Fatalf("%v", f)
	}
}
