package reviewsrv

import (
	"testing"

	"lawtrace/shared/deadline"
)

// SPEC C1 D5 (issue 10): an incomplete permit application is told what to
// add, all at once, within 5 working days of receipt; told later, it
// counts as accepted from the receipt and the 20 working days of §42 run
// from that day (行政许可法 §32 ¶1(四), §42, §82).
func TestPermitSupplementNotice(t *testing.T) {
	f := newFixture(t, cstTime(2025, 9, 22, 9, 0)) // Monday before National Day
	const onTime, late = "20250922-perm0002", "20250922-perm0003"
	for _, c := range []string{onTime, late} {
		f.ingest(
			f.dev.Entry(c, "case_open", map[string]any{"procedure": "permit", "procedure_version": 2, "party": "某药房", "party_kind": "org", "officers": crew}),
			f.dev.Entry(c, "close_scene", map[string]any{}),
		)
	}
	supplement := LifeRequest{Outcome: "supplement", Content: "补正：执业药师注册证复印件；营业场所平面图", OfficeRequest: OfficeRequest{Received: "2025-09-22 09:00"}}
	f.clock.Set(cstTime(2025, 9, 26, 15, 0))
	f.refuse(officer, onTime, StepPermitAcceptance, LifeRequest{Outcome: "supplement", Content: "补正"}, "行政许可法 §32; 003 §10", "received")
	st := f.life(officer, onTime, StepPermitAcceptance, supplement)
	if a := st.Office.Permit.Acceptance; a.Late || !st.Office.Permit.AcceptedAt(nil).IsZero() {
		t.Fatalf("told in time %+v", a)
	}
	// 5 working days from Mon 22 Sep: 23-26 and Sunday 28 (worked before National Day).
	if d := f.deadlineStates(onTime)[deadline.PermitSupplement]; d.LastDay != "2025-09-28" || d.State != deadline.StateMet {
		t.Fatalf("supplement period %+v", d)
	}
	f.refuse(officer, onTime, StepPermitInterested, LifeRequest{}, "行政许可法 §32", StepPermitAcceptance)

	f.clock.Set(cstTime(2025, 9, 29, 10, 0))
	st = f.life(officer, late, StepPermitAcceptance, supplement)
	p := st.Office.Permit
	if !p.Acceptance.Late || !p.AcceptedAt(nil).Equal(cstTime(2025, 9, 22, 9, 0)) {
		t.Fatalf("told late: %+v", p.Acceptance)
	}
	ds := f.deadlineStates(late)
	if d := ds[deadline.PermitSupplement]; d.State != deadline.StateMissed {
		t.Fatalf("late supplement %+v", d)
	}
	// Deemed accepted on 22 Sep: the decision is due as if accepted that day.
	if d := ds[deadline.PermitDecision]; d.LastDay != "2025-10-24" {
		t.Fatalf("permit term from the deemed acceptance %+v", d)
	}
	f.refuse(officer, late, StepPermitAcceptance, LifeRequest{Outcome: "accepted", Number: "受〔2025〕90号"}, "", "")
	f.life(officer, late, StepPermitInterested, LifeRequest{Outcome: "told", Method: "mail", OfficeRequest: OfficeRequest{Objects: "某药房"}})
	f.verifyChains()
}
