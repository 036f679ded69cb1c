package deadline

import (
	"fmt"
	"time"
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
