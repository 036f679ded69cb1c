package deadline

import (
	"strings"
	"testing"
	"time"

	"lawtrace/shared/workday"
)

// SPEC C6 D5: the execution periods as the law counts them, around
// National Day 2025 and the Spring Festival 2026 — the 15 days to pay
// (行政处罚法 §67) are calendar days (§85 makes only 2, 3, 5, 7 days working
// days), the 10 days after a reminder are working days (行政强制法 §54,
// §69), months end on the corresponding day or the month's last (民法典
// §202); 加处罚款 is 3 % of the fine a day from the day after the last day
// of payment, never above the fine (行政处罚法 §72(1)).
func TestExecutionPeriods(t *testing.T) {
	cal := workday.Default()
	// §67, §85: served Tue 30 Sep 2025; 1-8 Oct are holidays but count —
	// the last day to pay is 15 Oct (working days would give 21 Oct).
	if due := PaymentDue(at(2025, 9, 30, 15)); !due.Equal(at(2025, 10, 16, 0)) {
		t.Errorf("payment due %s", due)
	}
	// 行政强制法 §54, §69: reminder served Thu 12 Feb 2026; Fri 13, the
	// adjusted Sat 14, 24-27 Feb, the adjusted Sat 28, 2-4 Mar count.
	if due, ok := ReminderEnds(cal, at(2026, 2, 12, 10)); !ok || !due.Equal(at(2026, 3, 5, 0)) {
		t.Errorf("reminder ends %s (verified %v)", due, ok)
	}
	// 行政复议法 §20, 行政诉讼法 §46: served 31 Aug 2025 — 60 days end 30 Oct,
	// 6 months end 28 Feb 2026 (no 31 Feb); the court within 3 months more
	// (行政强制法 §53), to 28 May 2026.
	if e := RemedyEnds(at(2025, 8, 31, 10)); !e.Equal(at(2026, 3, 1, 0)) {
		t.Errorf("remedy ends %s", e)
	}
	if d := CourtApplicationDue(at(2025, 8, 31, 10)); !d.Equal(at(2026, 5, 29, 0)) {
		t.Errorf("court application due %s", d)
	}
	if e, d := RemedyEnds(at(2026, 3, 16, 11)), CourtApplicationDue(at(2026, 3, 16, 11)); !e.Equal(at(2026, 9, 17, 0)) || !d.Equal(at(2026, 12, 17, 0)) {
		t.Errorf("remedy %s court %s", e, d)
	}
	// 003 §23: the check 2 working days after a correction ending Wed 30 Sep 2025 — 9, 10 Oct.
	if due, _ := RectifyCheckDue(cal, at(2025, 9, 30, 0)); !due.Equal(at(2025, 10, 11, 0)) {
		t.Errorf("rectify check due %s", due)
	}

	// 行政处罚法 §72(1): a fine of 1,000 yuan due at the end of 15 Oct 2025.
	pay := at(2025, 10, 16, 0)
	lateFees := []struct {
		name   string
		fine   int64
		at     time.Time
		days   int
		cents  int64
		capped bool
	}{
		{"last day of payment", 100000, at(2025, 10, 15, 23), 0, 0, false},
		{"first day late", 100000, at(2025, 10, 16, 8), 1, 3000, false},
		{"33 days: 99 %", 100000, at(2025, 11, 17, 12), 33, 99000, false},
		{"34 days: capped at the fine", 100000, at(2025, 11, 18, 0), 34, 100000, true},
		{"a year: still the fine", 100000, at(2026, 10, 16, 0), 366, 100000, true},
		{"rounded to the fen", 33333, at(2025, 10, 16, 8), 1, 1000, false},
	}
	for _, tc := range lateFees {
		lf := LateFeeAt(tc.fine, pay, tc.at)
		if lf.Days != tc.days || lf.Cents != tc.cents || lf.Capped != tc.capped || !lf.CapDay.Equal(at(2025, 11, 18, 0)) {
			t.Errorf("%s: %+v, want %d days %d fen capped %v", tc.name, lf, tc.days, tc.cents, tc.capped)
		}
	}

	served := at(2025, 9, 30, 15)
	decided := at(2025, 9, 29, 10)
	tests := []struct {
		name  string
		x     ExecutionFacts
		now   time.Time
		kind  string
		due   time.Time
		state string
		label string
	}{
		{"payment running", ExecutionFacts{FineCents: 100000}, at(2025, 10, 15, 12), FinePayment, at(2025, 10, 16, 0), StateRunning, "15 日内"},
		{"paid in time", ExecutionFacts{FineCents: 100000, Paid: at(2025, 10, 9, 9)}, at(2025, 10, 20, 0), FinePayment, at(2025, 10, 16, 0), StateMet, ""},
		{"payment overdue", ExecutionFacts{FineCents: 100000}, at(2025, 10, 20, 9), FinePayment, at(2025, 10, 16, 0), StateOverdue, ""},
		{"late fee accruing", ExecutionFacts{FineCents: 100000}, at(2025, 10, 20, 9), LateFee, at(2025, 11, 19, 0), StateRunning, "已计 5 日，150.00 元"},
		{"late fee capped", ExecutionFacts{FineCents: 100000}, at(2025, 12, 1, 9), LateFee, at(2025, 11, 19, 0), StateOverdue, "已达罚款数额"},
		{"reminder running", ExecutionFacts{FineCents: 100000, ReminderServed: at(2026, 2, 12, 10)}, at(2026, 3, 4, 9), ReminderPeriod, at(2026, 3, 5, 0), StateRunning, ""},
		{"reminder over", ExecutionFacts{FineCents: 100000, ReminderServed: at(2026, 2, 12, 10)}, at(2026, 3, 5, 9), ReminderPeriod, at(2026, 3, 5, 0), StateMet, ""},
		{"court application running", ExecutionFacts{FineCents: 100000}, at(2026, 4, 1, 9), CourtApplication, at(2026, 7, 1, 0), StateRunning, "3 个月内"},
		{"court applied", ExecutionFacts{FineCents: 100000, Enforced: at(2026, 4, 2, 9)}, at(2026, 8, 1, 9), CourtApplication, at(2026, 7, 1, 0), StateMet, ""},
		{"correction checked late", ExecutionFacts{RectifyLastDay: at(2025, 9, 30, 0), RectifyChecked: at(2025, 10, 13, 9)}, at(2025, 10, 20, 0), RectifyCheck, at(2025, 10, 11, 0), StateMissed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := Facts{Procedure: "penalty", Decided: decided, DecisionServed: served, Now: tc.now, Execution: tc.x}
			var found *Deadline
			for _, d := range Compute(f, Settings{}, cal) {
				if d.Kind == tc.kind {
					found = &d
				}
			}
			if found == nil {
				t.Fatalf("%s not computed", tc.kind)
			}
			if !found.Due.Equal(tc.due) || found.State(tc.now) != tc.state || !found.Verified || found.Article == "" || !strings.Contains(found.Label, tc.label) {
				t.Errorf("due %s state %s label %q, want %s %s %q", found.Due, found.State(tc.now), found.Label, tc.due, tc.state, tc.label)
			}
		})
	}
	// Paid in time: no late fee, no court application.
	for _, d := range Compute(Facts{Procedure: "penalty", Decided: decided, DecisionServed: served, Now: at(2026, 5, 1, 0), Execution: ExecutionFacts{FineCents: 100000, Paid: at(2025, 10, 9, 9)}}, Settings{}, cal) {
		if d.Kind == LateFee || d.Kind == CourtApplication {
			t.Errorf("paid in time, yet %s", d.Kind)
		}
	}
}
