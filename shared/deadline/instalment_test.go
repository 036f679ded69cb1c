package deadline

import (
	"testing"
	"time"
)

// 行政处罚法 §66 ¶2, §72(1); 行政强制法 §45 ¶2: under approved instalments
// 加处罚款 accrues on each instalment's part unpaid that day, from the day
// after its last day, 3 % of that part a day, never above the instalment;
// instalments not yet due accrue nothing; what a late payment accrued
// before it was made stays owed.
func TestScheduleLateFee(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, cst) }
	paid := func(m time.Month, d int, yuan int64) Payment { return Payment{At: at(m, d), Cents: yuan * 100} }
	plan := Schedule{{Day: "2026-04-10", Cents: 200000}, {Day: "2026-05-10", Cents: 300000}}
	tests := []struct {
		name     string
		payments []Payment
		at       time.Time
		days     int
		cents    int64
		capped   bool
		capDay   string
	}{
		{"before the first instalment's end", nil, at(4, 10), 0, 0, false, "2026-06-13"},
		{"first missed, 1 day", nil, at(4, 11), 1, 6000, false, "2026-06-13"},
		{"first missed, 5 days: 3 % of 2,000 yuan a day, not of 5,000", nil, at(4, 15), 5, 30000, false, "2026-06-13"},
		{"first paid on time, second missed 2 days", []Payment{paid(4, 9, 2000)}, at(5, 12), 2, 18000, false, "2026-06-13"},
		{"first half paid: 1,000 yuan late 2 days", []Payment{paid(4, 1, 1000)}, at(4, 12), 2, 6000, false, "2026-06-13"},
		{"both missed: first 32 days, second 2", nil, at(5, 12), 32, 192000 + 18000, false, "2026-06-13"},
		{"first capped at its 2,000 yuan, second running", nil, at(5, 20), 40, 200000 + 90000, false, "2026-06-13"},
		{"both capped: 5,000 yuan, the unpaid sum", nil, at(6, 13), 64, 500000, true, "2026-06-13"},
		{"all paid on time", []Payment{paid(4, 9, 2000), paid(5, 9, 3000)}, at(6, 13), 0, 0, false, ""},
		{"first paid 5 days late: its 300 yuan stay owed", []Payment{paid(4, 15, 2000), paid(5, 9, 3000)}, at(6, 1), 5, 30000, false, ""},
		{"a payment counts from the next day", []Payment{paid(4, 12, 500)}, at(4, 13), 3, 6000 + 6000 + 4500, false, "2026-06-13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plan.LateFeeAt(cst, tt.payments, tt.at)
			capDay := ""
			if !got.CapDay.IsZero() {
				capDay = got.CapDay.Format(time.DateOnly)
			}
			if got.Days != tt.days || got.Cents != tt.cents || got.Capped != tt.capped || capDay != tt.capDay {
				t.Fatalf("got %d days, %d fen, capped %v, cap day %s; want %d, %d, %v, %s", got.Days, got.Cents, got.Capped, capDay, tt.days, tt.cents, tt.capped, tt.capDay)
			}
		})
	}
	// A deferral (one instalment) unpaid throughout is LateFeeAt on it.
	deferral := Schedule{{Day: "2026-04-10", Cents: 300000}}
	for _, when := range []time.Time{at(4, 10), at(4, 20), at(5, 30)} {
		want := LateFeeAt(300000, time.Date(2026, 4, 11, 0, 0, 0, 0, cst), when)
		if got := deferral.LateFeeAt(cst, nil, when); got != want {
			t.Fatalf("deferral at %s: %+v, want %+v", when.Format(time.DateOnly), got, want)
		}
	}
}
