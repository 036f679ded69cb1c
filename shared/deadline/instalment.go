package deadline

import (
	"fmt"
	"time"

	"lawtrace/shared/workday"
)

// Deferral and instalments of a fine (行政处罚法 §66 ¶2): a party in real
// economic difficulty applies, the agency approves a later date or a
// schedule, and the payment period, 加处罚款 (§72(1)) and the execution
// deadlines then count from the approved dates — here, the one place.

// Instalment is one approved payment: the amount due by the end of Day.
type Instalment struct {
	Day   string `json:"day"` // YYYY-MM-DD, China time
	Cents int64  `json:"cents"`
}

// Schedule is an approved deferral (one instalment of the whole fine) or
// instalments, in date order.
type Schedule []Instalment

// DueAt is the instant the payment is overdue under the schedule given
// what was paid: the end of the day of the first instalment the payments
// do not cover (zero when all are covered), its number (1-based) and the
// amount that had to be paid by then. 加处罚款 runs from that instant.
func (s Schedule) DueAt(loc *time.Location, paidCents int64) (time.Time, int, int64) {
	var sum int64
	for i, in := range s {
		sum += in.Cents
		if paidCents < sum {
			d, err := time.ParseInLocation(time.DateOnly, in.Day, loc)
			if err != nil {
				return time.Time{}, 0, 0
			}
			return d.AddDate(0, 0, 1), i + 1, sum
		}
	}
	return time.Time{}, 0, sum
}

// End is the instant the last instalment runs out.
func (s Schedule) End(loc *time.Location) time.Time {
	if len(s) == 0 {
		return time.Time{}
	}
	d, err := time.ParseInLocation(time.DateOnly, s[len(s)-1].Day, loc)
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, 1)
}

// Due is when the payment is overdue under the schedule (DueAt), or the
// end of the last instalment once all are paid.
func (s Schedule) Due(loc *time.Location, paidCents int64) time.Time {
	if due, _, _ := s.DueAt(loc, paidCents); !due.IsZero() {
		return due
	}
	return s.End(loc)
}

// Label describes the schedule for the monitor and the page.
func (s Schedule) Label() string {
	if len(s) == 1 {
		return fmt.Sprintf("经批准暂缓缴纳罚款，至 %s 缴清", s[0].Day)
	}
	out := fmt.Sprintf("经批准分 %d 期缴纳罚款：", len(s))
	for i, in := range s {
		if i > 0 {
			out += "；"
		}
		out += fmt.Sprintf("第 %d 期 %s 前 %s 元", i+1, in.Day, Yuan(in.Cents))
	}
	return out
}

// Payment is an amount paid towards a schedule and when.
type Payment struct {
	At    time.Time
	Cents int64
}

// LateFeeAt computes 加处罚款 under the schedule at the moment at, given the
// payments towards it (they cover the earliest instalments first): each
// instalment accrues, every calendar day from the day after its last day
// up to and including at's day, 3 % of its part still unpaid that day (a
// payment counts from the day after it was made, as LateFeeAt charges the
// day of payment), and never more than the instalment (行政处罚法 §72(1);
// 行政强制法 §45 ¶2: not above the 金钱给付义务 — the amount that fell due).
// An instalment not yet due accrues nothing. For a deferral (one
// instalment) unpaid throughout, this is LateFeeAt on that instalment.
//
// The other reading of §72(1) — 3 % of the whole fine from the first
// missed instalment — charges the party for amounts the approval put off;
// it is not taken (docs/lifecycle.md). Days is the most days any
// instalment was late; CapDay is the day the last unpaid instalment's part
// reaches its cap if nothing more is paid; Capped says that no part can
// grow any more while something is unpaid.
func (s Schedule) LateFeeAt(loc *time.Location, payments []Payment, at time.Time) LateFeeAmount {
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, loc)
	day := func(t time.Time) int { return calendarDays(epoch, t.In(loc)) }
	payDays := make([]int, len(payments))
	for i, p := range payments {
		payDays[i] = day(p.At)
	}
	// paidBy is what was paid by the end of day n.
	paidBy := func(n int) int64 {
		var sum int64
		for i, p := range payments {
			if payDays[i] <= n {
				sum += p.Cents
			}
		}
		return sum
	}
	capDays := int((100 + LateFeePercent - 1) / LateFeePercent)
	atDay := day(at)
	var out LateFeeAmount
	growing, unpaid := false, false // a part can still grow; something is unpaid
	var before int64                // the sum of the instalments up to this one
	for _, in := range s {
		before += in.Cents
		last, err := time.ParseInLocation(time.DateOnly, in.Day, loc)
		if err != nil {
			continue
		}
		due := last.AddDate(0, 0, 1)
		unpaidNow := min(in.Cents, max(before-paidBy(atDay), 0))
		if unpaidNow > 0 {
			out.CapDay = workday.AddCalendarDays(due, capDays-1)
		}
		var units int64 // fen × percent, over the days it was late
		late := 0
		for d := day(due); d <= atDay; d++ {
			owing := min(in.Cents, max(before-paidBy(d-1), 0))
			if owing == 0 {
				break
			}
			late++
			units = min(units+owing*LateFeePercent, in.Cents*100)
		}
		out.Days = max(out.Days, late)
		part := min((units+50)/100, in.Cents)
		out.Cents += part
		growing = growing || unpaidNow > 0 && part < in.Cents
		unpaid = unpaid || unpaidNow > 0
	}
	out.Capped = unpaid && !growing
	return out
}
