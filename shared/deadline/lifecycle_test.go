package deadline

import (
	"testing"
	"time"

	"lawtrace/shared/workday"
)

// SPEC C2 C3 C4 C5 D5: the periods of a general-procedure penalty after
// the scene, in working days where 行政处罚法 §85 says so, around National
// Day 2025 and the Spring Festival 2026 (shared/workday's official calendar
// with its adjusted working days).
func TestPenaltyPeriods(t *testing.T) {
	cal := workday.Default()

	// 行政处罚法 §64(1), §85 (C2, C3): notice served Tue 30 Sep 2025; 1-8 Oct
	// are off; Thu 9, Fri 10, the adjusted Sat 11, Mon 13, Tue 14 count.
	if due, ok := HearingRequestEnds(cal, at(2025, 9, 30, 15)); !ok || !due.Equal(at(2025, 10, 15, 0)) {
		t.Errorf("hearing request period ends %s (verified %v), want the end of 14 Oct", due, ok)
	}
	// 行政处罚法 §64(2), §85 (C3): told on Thu 9 Oct 2025; 10, 11 (adjusted),
	// 13-17 Oct count: the hearing may be held from 18 Oct.
	if first, ok := EarliestHearing(cal, at(2025, 10, 9, 10)); !ok || !first.Equal(at(2025, 10, 18, 0)) {
		t.Errorf("earliest hearing %s, want 18 Oct", first)
	}
	// 行政处罚法 §60 (C4): 90 calendar days from 立案 on 30 Sep 2025 — the
	// holidays do not move it — last day 29 Dec; +30 days by extension.
	if due := DecisionDue(at(2025, 9, 30, 10), 0); !due.Equal(at(2025, 12, 30, 0)) {
		t.Errorf("decision due %s", due)
	}
	if due := DecisionDue(at(2025, 9, 30, 10), 30); !due.Equal(at(2026, 1, 29, 0)) {
		t.Errorf("extended decision due %s", due)
	}

	tests := []struct {
		name  string
		f     Facts
		kind  string
		due   time.Time
		now   time.Time
		state string
	}{
		// C4: the term runs from 立案 and is met by the decision.
		{"term running", Facts{Procedure: "penalty", Registered: at(2025, 9, 30, 10)}, DecisionTerm, at(2025, 12, 30, 0), at(2025, 12, 29, 23), StateRunning},
		{"term overdue", Facts{Procedure: "penalty", Registered: at(2025, 9, 30, 10)}, DecisionTerm, at(2025, 12, 30, 0), at(2025, 12, 30, 0), StateOverdue},
		{"term met", Facts{Procedure: "penalty", Registered: at(2025, 9, 30, 10), Decided: at(2025, 12, 29, 17)}, DecisionTerm, at(2025, 12, 30, 0), at(2026, 1, 5, 0), StateMet},
		{"term extended", Facts{Procedure: "penalty", Registered: at(2025, 9, 30, 10), ExtendedDays: 30}, DecisionTerm, at(2026, 1, 29, 0), at(2026, 1, 5, 0), StateRunning},
		// C2/C3: the party's period; a request or waiver ends it, and when
		// it runs out unanswered it is over, never overdue.
		{"period running", Facts{Procedure: "penalty", NoticeServed: at(2025, 9, 30, 15), Now: at(2025, 10, 14, 23)}, HearingRequest, at(2025, 10, 15, 0), at(2025, 10, 14, 23), StateRunning},
		{"period answered", Facts{Procedure: "penalty", NoticeServed: at(2025, 9, 30, 15), PartyAnswered: at(2025, 10, 9, 9)}, HearingRequest, at(2025, 10, 15, 0), at(2025, 10, 20, 0), StateMet},
		{"period over", Facts{Procedure: "penalty", NoticeServed: at(2025, 9, 30, 15), Now: at(2025, 10, 15, 0)}, HearingRequest, at(2025, 10, 15, 0), at(2025, 10, 15, 0), StateMet},
		// C5 (§61, §85): decided Thu 12 Feb 2026; Fri 13, the adjusted Sat 14,
		// 24-27 Feb and the adjusted Sat 28 count (15-23 Feb are off).
		{"service running", Facts{Procedure: "penalty", Decided: at(2026, 2, 12, 10)}, DecisionService, at(2026, 3, 1, 0), at(2026, 2, 28, 12), StateRunning},
		{"service by the terminal", Facts{Procedure: "penalty", Decided: at(2026, 2, 12, 10),
			Steps: []Step{{Kind: "serve", At: at(2026, 2, 13, 9), Fields: map[string]string{"document_kind": "decision"}}}}, DecisionService, at(2026, 3, 1, 0), at(2026, 3, 2, 0), StateMet},
		{"service late", Facts{Procedure: "penalty", Decided: at(2026, 2, 12, 10), DecisionServed: at(2026, 3, 2, 9)}, DecisionService, at(2026, 3, 1, 0), at(2026, 3, 2, 10), StateMissed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var found *Deadline
			for _, d := range Compute(tc.f, Settings{}, cal) {
				if d.Kind == tc.kind {
					found = &d
				}
			}
			if found == nil {
				t.Fatalf("%s not computed", tc.kind)
			}
			if !found.Due.Equal(tc.due) || found.State(tc.now) != tc.state || !found.Verified || found.Article == "" {
				t.Errorf("due %s state %s verified %v, want %s %s", found.Due, found.State(tc.now), found.Verified, tc.due, tc.state)
			}
		})
	}
	// Not before 立案, and not for other procedures.
	for _, d := range Compute(Facts{Procedure: "inspection", Registered: at(2025, 9, 30, 10)}, Settings{}, cal) {
		if d.Kind == DecisionTerm {
			t.Error("an inspection has no §60 term")
		}
	}
}

// TestSuspensionLapses: 中止执行满三年未恢复执行的，不再执行 (行政强制法
// §39 ¶2) — three years to the corresponding day, a 29 February ending on
// 28 February (民法典 §202). SPEC C6.
func TestSuspensionLapses(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	for _, tc := range []struct{ suspended, lapses string }{
		{"2026-03-10", "2029-03-11"},
		{"2028-02-29", "2031-03-01"},
		{"2026-12-31", "2030-01-01"},
	} {
		s, _ := time.ParseInLocation(time.DateOnly, tc.suspended, cst)
		got := SuspensionLapses(s.Add(15 * time.Hour)).Format(time.DateOnly)
		if got != tc.lapses {
			t.Errorf("SuspensionLapses(%s) = %s, want %s", tc.suspended, got, tc.lapses)
		}
	}
}
