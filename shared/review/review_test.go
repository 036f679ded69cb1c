package review

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"lawtrace/assets"
	"lawtrace/shared/enforce"
	"lawtrace/shared/workday"
)

func defaultCatalog(t *testing.T) *Catalog {
	t.Helper()
	data, err := fs.ReadFile(assets.FS, "review/catalog.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SPEC L1: the catalog decides and says which rule matched.
func TestRequires(t *testing.T) {
	c := defaultCatalog(t)
	tests := []struct {
		name string
		p    Proposal
		want []string
	}{
		{"small fine on a person, general procedure", Proposal{Procedure: "penalty", PartyKind: "person", Measures: []string{"fine"}, Fine: 500}, []string{"all-penalties"}},
		{"on-the-spot penalty", Proposal{Procedure: "penalty-simple", PartyKind: "person", Measures: []string{"fine"}, Fine: 200}, nil},
		{"large fine on an org", Proposal{Procedure: "penalty", PartyKind: "org", Measures: []string{"fine"}, Fine: 150000}, []string{"all-penalties", "large-fine"}},
		{"fine just under the org threshold", Proposal{Procedure: "penalty", PartyKind: "org", Fine: 99999.99}, []string{"all-penalties"}},
		{"person at the threshold", Proposal{Procedure: "penalty", PartyKind: "person", Fine: 10000}, []string{"all-penalties", "large-fine"}},
		{"licence revoked after a hearing", Proposal{Procedure: "penalty", PartyKind: "org", Measures: []string{"revoke_license"}, HearingHeld: true}, []string{"all-penalties", "severe-measure", "after-hearing"}},
		{"permit granted", Proposal{Procedure: "permit", PartyKind: "org"}, nil},
		{"permit denied", Proposal{Procedure: "permit", PartyKind: "org", Measures: []string{"deny_permit"}}, []string{"permit-denial"}},
		{"complex inspection decision", Proposal{Procedure: "inspection", PartyKind: "org", Flags: []string{"complex"}}, []string{"complex"}},
	}
	for _, tc := range tests {
		var got []string
		for _, m := range c.Requires(tc.p) {
			got = append(got, m.RuleID)
			if m.Article == "" || m.Why == "" {
				t.Errorf("%s: match %+v lacks article or reason", tc.name, m)
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: matched %v, want %v", tc.name, got, tc.want)
		}
	}
	c.Settings.ReviewAllPenalties = false
	if m := c.Requires(Proposal{Procedure: "penalty", PartyKind: "person", Fine: 500}); len(m) != 0 {
		t.Errorf("without the all-penalties setting a small fine matched %v", m)
	}
}

func TestParseCatalogRefusals(t *testing.T) {
	base := `"agency":"A","version":1,"settings":{"disagreement":"legal_office","deadline_workdays":3,"extension_workdays":2}`
	tests := []struct{ json, want string }{
		{`{` + base + `,"rules":[{"id":"r","title":"T","article":"a"}]}`, "has no condition"},
		{`{` + base + `,"rules":[{"id":"r","title":"T","article":"a","measures":["flog"]}]}`, `unknown measure "flog"`},
		{`{` + base + `,"rules":[{"id":"r","title":"T","article":"a","fine_at_least":{"robot":5}}]}`, "fine_at_least wants person/org"},
		{`{"agency":"A","version":1,"settings":{"disagreement":"coin","deadline_workdays":3},"rules":[]}`, "disagreement must be"},
		{`{` + base + `,"rules":[],"colour":"red"}`, "unknown field"},
	}
	for _, tc := range tests {
		if _, err := ParseCatalog([]byte(tc.json)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}

func allFindings(problem string) []Finding {
	var out []Finding
	for _, c := range Checklist {
		f := Finding{Item: c.ID, OK: c.ID != problem}
		if !f.OK {
			f.Note = "问题说明"
		}
		out = append(out, f)
	}
	return out
}

var complete = []string{"investigation_report", "proposal", "draft_decision", "evidence"}

// SPEC L2 L3 L4 L5: the review from submission to decision.
func TestReviewWorkflow(t *testing.T) {
	s := defaultCatalog(t).Settings
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.Local) }
	p := &Proposal{Procedure: "penalty", PartyKind: "org", Fine: 150000, HearingHeld: true}
	var r Review

	err := r.Apply(s, Event{Kind: "submit", At: day(2), Proposal: p, Materials: complete})
	var e *enforce.Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "missing hearing_record") || e.Article != "000-review §7-8" {
		t.Fatalf("submission without the hearing record: %v", err)
	}
	if r.State != StateNotSubmitted {
		t.Fatalf("refused submission changed the state to %s", r.State)
	}
	steps := []struct {
		e     Event
		state string
		want  string // refusal substring; "" = accepted
	}{
		{Event{Kind: "opinion", Opinion: &Opinion{Kind: "agree", Reviewer: "周律"}}, "", "not under review"},
		{Event{Kind: "submit", At: day(2), Proposal: p, Materials: append(complete, "hearing_record")}, StateUnderReview, ""},
		{Event{Kind: "opinion", Opinion: &Opinion{Kind: "agree", Reviewer: "周律", Findings: allFindings("")[:9]}}, "", "missing crime_transfer"},
		{Event{Kind: "opinion", Opinion: &Opinion{Kind: "agree", Reviewer: "周律", Findings: allFindings("evidence")}}, "", "cannot stand with problems found in evidence"},
		{Event{Kind: "opinion", Opinion: &Opinion{Kind: "supplement", Reviewer: "周律", Findings: allFindings("evidence")}}, "", "must give its reasons"},
		{Event{Kind: "opinion", Opinion: &Opinion{Kind: "supplement", Reviewer: "周律", Reasons: "缺少抽样检验报告", Findings: allFindings("evidence")}}, StateReturned, ""},
		{Event{Kind: "object", Reason: "检验报告已在案"}, "", "legal office's opinion prevails"},
		{Event{Kind: "submit", At: day(5), Proposal: p, Materials: append(complete, "hearing_record")}, StateUnderReview, ""},
		{Event{Kind: "extend", Reason: "案情复杂"}, "", "approving head"},
		{Event{Kind: "extend", Reason: "案情复杂", Approver: "局长 孙"}, StateUnderReview, ""},
		{Event{Kind: "extend", Reason: "again", Approver: "局长 孙"}, "", "already extended"},
		{Event{Kind: "opinion", Opinion: &Opinion{Kind: "agree", Reviewer: "周律", Findings: allFindings("")}}, StateAgreed, ""},
		{Event{Kind: "submit", At: day(9), Proposal: p, Materials: append(complete, "hearing_record")}, "", "can be submitted only"},
	}
	for i, st := range steps {
		before := r
		err := r.Apply(s, st.e)
		if st.want != "" {
			if err == nil || !strings.Contains(err.Error(), st.want) {
				t.Fatalf("step %d (%s): got %v, want refusal %q", i, st.e.Kind, err, st.want)
			}
			if r.State != before.State {
				t.Fatalf("step %d: refusal changed the state", i)
			}
			continue
		}
		if err != nil || r.State != st.state {
			t.Fatalf("step %d (%s): %v, state %s want %s", i, st.e.Kind, err, r.State, st.state)
		}
	}
	if r.Rounds != 2 || !r.Extended {
		t.Fatalf("rounds %d extended %v", r.Rounds, r.Extended)
	}
}

// SPEC L5: the head decides a disagreement where the agency says so.
func TestDisagreementEscalatesToHead(t *testing.T) {
	s := defaultCatalog(t).Settings
	s.Disagreement = HeadDecides
	p := &Proposal{Procedure: "penalty", PartyKind: "person", Fine: 2000}
	events := []Event{
		{Kind: "submit", Proposal: p, Materials: complete},
		{Kind: "opinion", Opinion: &Opinion{Kind: "change", Reviewer: "周律", Reasons: "裁量过重", Findings: allFindings("discretion")}},
		{Kind: "object", Reason: "已按裁量基准顶格以下"},
		{Kind: "head_decision", Approver: "局长 孙", Outcome: "agree"},
	}
	r, err := Replay(s, events)
	if err != nil || r.State != StateAgreed || !r.HeadDecided {
		t.Fatalf("%+v %v", r, err)
	}
	if err := CheckDecision([]Match{{RuleID: "all-penalties"}}, r); err != nil {
		t.Fatalf("decision after the head agreed: %v", err)
	}
}

// SPEC L5: no decision for a case that needs review without agree.
func TestCheckDecision(t *testing.T) {
	need := []Match{{RuleID: "large-fine"}}
	for _, state := range []string{StateNotSubmitted, StateUnderReview, StateReturned, StateEscalated} {
		err := CheckDecision(need, Review{State: state})
		if err == nil || !strings.Contains(err.Error(), "000-review §5, §14") {
			t.Errorf("state %s: got %v", state, err)
		}
	}
	if err := CheckDecision(nil, Review{State: StateNotSubmitted}); err != nil {
		t.Errorf("a case without review needs no opinion: %v", err)
	}
}

// SPEC L4: 3 working days, +2 when extended, on the holiday calendar.
func TestDueOnWorkingDays(t *testing.T) {
	s := defaultCatalog(t).Settings
	cal := workday.Default()
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		submitted time.Time
		extended  bool
		due       string
	}{
		// Tue 30 Sep 2025; 1-8 Oct off; 9, 10 Oct and Sat 11 Oct (adjusted) work.
		{time.Date(2025, 9, 30, 16, 0, 0, 0, cst), false, "2025-10-12"},
		// +2: Mon 13, Tue 14 Oct.
		{time.Date(2025, 9, 30, 16, 0, 0, 0, cst), true, "2025-10-15"},
		// Fri 13 Feb 2026 before Spring Festival (15-23 Feb off, Sat 14 and Sat 28 Feb work).
		{time.Date(2026, 2, 13, 9, 0, 0, 0, cst), false, "2026-02-26"},
	}
	for _, tc := range tests {
		r := Review{State: StateUnderReview, Submitted: tc.submitted, Extended: tc.extended}
		due, verified := r.Due(s, cal)
		if !verified || due.Format("2006-01-02") != tc.due {
			t.Errorf("submitted %s extended %v: due %s (verified %v), want start of %s", tc.submitted, tc.extended, due, verified, tc.due)
		}
		if !r.Overdue(s, cal, due) || r.Overdue(s, cal, due.Add(-time.Second)) {
			t.Errorf("overdue should begin exactly at %s", due)
		}
	}
}
