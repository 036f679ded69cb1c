package deadline

import (
	"fmt"
	"math"
	"time"

	"lawtrace/shared/workday"
)

// Execution of a general-procedure penalty (issue 10, SPEC C6, D5): the
// payment period, 加处罚款, the written reminder (催告), the application to
// the people's court and the check of a 责令改正 — one place for the rules
// the lifecycle steps, the page and the deadline monitor all use.
//
// How the law counts the days: 行政处罚法 §85 makes only "二日、三日、五日、
// 七日" working days, so the 15 days of §67 are calendar days;
// 行政强制法 §69 makes "十日以内" periods working days, so the 10 days after
// a reminder (§54) are working days; months (行政诉讼法 §46, 行政强制法 §53)
// end on the corresponding day of the last month, or its last day when it
// has none (民法典 §202).
const (
	FinePayment      = "fine_payment"      // 行政处罚法 §67: 15 days from service
	LateFee          = "late_fee"          // 行政处罚法 §72(1): 3 % a day, at most the fine
	ReminderPeriod   = "reminder_period"   // 行政强制法 §35, §37, §54, §69: 10 working days after the reminder
	CourtApplication = "court_application" // 行政强制法 §53: within 3 months after the remedy periods end
	RectifyCheck     = "rectify_check"     // 003 §23, 000-record §24: the correction checked at its deadline

	// PaymentDays: the fine is paid within 15 days of service (行政处罚法 §67).
	PaymentDays = 15
	// LateFeePercent: 3 % of the fine a day (行政处罚法 §72(1)).
	LateFeePercent = 3
	// ReminderWorkdays: the party has 10 days after the reminder is served
	// before the court is asked (行政强制法 §54; working days by §69).
	ReminderWorkdays = 10
	// ReconsiderationDays: 行政复议 within 60 days (行政复议法 §20).
	ReconsiderationDays = 60
	// SuitMonths: 行政诉讼 within 6 months (行政诉讼法 §46).
	SuitMonths = 6
	// CourtApplicationMonths: the application within 3 months after the
	// remedy periods end (行政强制法 §53).
	CourtApplicationMonths = 3
	// RectifyCheckWorkdays: the law says "按期核查" without a period; the
	// check is followed up within 2 working days after the correction
	// deadline (as the 备案 and the fine's hand-over are).
	RectifyCheckWorkdays = 2
)

// PaymentDue is the instant the payment period runs out: the end of the
// 15th calendar day after the day the decision was served (行政处罚法 §67).
func PaymentDue(served time.Time) time.Time {
	return workday.AddCalendarDays(served, PaymentDays+1)
}

// Cents converts yuan to fen, rounded.
func Cents(yuan float64) int64 { return int64(math.Round(yuan * 100)) }

// Yuan prints fen as yuan with two decimals.
func Yuan(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

// LateFeeAmount is the 加处罚款 accrued at a moment (行政处罚法 §72(1)).
type LateFeeAmount struct {
	Days   int   `json:"days"`  // days charged: from the day after the payment deadline, that day counted
	Cents  int64 `json:"cents"` // 3 % of the fine a day, rounded to the fen, at most the fine
	Capped bool  `json:"capped"`
	// CapDay is the first day on which the late fee equals the fine
	// (00:00, China time): it grows no more.
	CapDay time.Time `json:"cap_day"`
}

// LateFeeAt computes 加处罚款 on a fine of fineCents whose payment period
// ran out at paymentDue, at the moment at: every calendar day from the day
// after the last day of payment (the day paymentDue begins) up to and
// including at's day is charged 3 % of the fine, and the total never goes
// above the fine (行政处罚法 §72(1)). Nothing accrues before paymentDue.
func LateFeeAt(fineCents int64, paymentDue, at time.Time) LateFeeAmount {
	capDays := int((100 + LateFeePercent - 1) / LateFeePercent) // 34: 33 days are 99 %
	out := LateFeeAmount{CapDay: workday.AddCalendarDays(paymentDue, capDays-1)}
	if fineCents <= 0 || at.Before(paymentDue) {
		return out
	}
	out.Days = calendarDays(paymentDue, at.In(paymentDue.Location())) + 1
	out.Cents = (fineCents*LateFeePercent*int64(out.Days) + 50) / 100
	if out.Cents >= fineCents {
		out.Cents, out.Capped = fineCents, true
	}
	return out
}

// calendarDays counts the calendar days from a's day to b's day.
func calendarDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// addMonths is the last day of a period of n months that starts the day
// after start: the corresponding day of the n-th month, or that month's
// last day when it has none (民法典 §202). 00:00 in start's location.
func addMonths(start time.Time, n int) time.Time {
	y, m, d := start.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, start.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, start.Location())
}

// RemedyEnds is the instant both remedy periods against a decision served
// at served have run out: 60 days for 行政复议 (行政复议法 §20) and 6 months
// for 行政诉讼 (行政诉讼法 §46) — the later is the suit.
func RemedyEnds(served time.Time) time.Time {
	suit := addMonths(served, SuitMonths).AddDate(0, 0, 1)
	if recon := workday.AddCalendarDays(served, ReconsiderationDays+1); recon.After(suit) {
		return recon
	}
	return suit
}

// CourtApplicationDue is the instant the period to apply to the people's
// court runs out: 3 months from the day the remedy periods ended
// (行政强制法 §53).
func CourtApplicationDue(served time.Time) time.Time {
	ends := RemedyEnds(served).AddDate(0, 0, -1) // the last day of the remedy periods
	return addMonths(ends, CourtApplicationMonths).AddDate(0, 0, 1)
}

// ReminderEnds is the instant the party's 10 working days after the
// service of the reminder run out (行政强制法 §54, §69).
func ReminderEnds(cal *workday.Calendar, served time.Time) (time.Time, bool) {
	return cal.Deadline(served, ReminderWorkdays)
}

// RectifyCheckDue is the instant the check of a correction ordered until
// the end of the day lastDay is due.
func RectifyCheckDue(cal *workday.Calendar, lastDay time.Time) (time.Time, bool) {
	return cal.Deadline(lastDay, RectifyCheckWorkdays)
}

// ExecutionFacts are what the execution deadlines run from; zero times
// mean "not yet".
type ExecutionFacts struct {
	FineCents      int64     // the fine decided
	Paid           time.Time // paid in full (with the late fee accrued)
	RectifyLastDay time.Time // the last day of a 责令改正 (00:00)
	RectifyChecked time.Time
	ReminderServed time.Time
	Enforced       time.Time // the coercive execution decision or the application to the court
	// Schedule is an approved deferral or instalments (行政处罚法 §66 ¶2);
	// PaidCents what was paid towards it (the first instalment not covered
	// is the one that counts), Payments those payments with their dates
	// (加处罚款 runs on each instalment while it is unpaid).
	Schedule  Schedule
	PaidCents int64
	Payments  []Payment
}

// executionDeadlines adds the execution deadlines of a decided and served
// penalty.
func executionDeadlines(f Facts, cal *workday.Calendar, add func(kind, subject, label, article string, start, due time.Time, verified bool, done time.Time)) {
	x := f.Execution
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	if !x.RectifyLastDay.IsZero() {
		due, ok := RectifyCheckDue(cal, x.RectifyLastDay)
		add(RectifyCheck, "", fmt.Sprintf("责令改正期限 %s 届满后核查改正情况（法律未定核查期限，按 2 个工作日督办）", x.RectifyLastDay.Format(time.DateOnly)),
			"003 §23, 000-record §24", x.RectifyLastDay, due, ok, x.RectifyChecked)
	}
	if f.DecisionServed.IsZero() || x.FineCents <= 0 {
		return
	}
	pay := PaymentDue(f.DecisionServed)
	payLabel, payArticle := "当事人自收到决定书之日起 15 日内缴纳罚款", "行政处罚法 §67, §85"
	if len(x.Schedule) > 0 {
		pay = x.Schedule.Due(f.DecisionServed.Location(), x.PaidCents)
		payLabel, payArticle = x.Schedule.Label(), "行政处罚法 §66"
	}
	add(FinePayment, "", payLabel, payArticle, f.DecisionServed, pay, true, x.Paid)
	paidLate := !x.Paid.IsZero() && !x.Paid.Before(pay)
	if x.Paid.IsZero() && !now.Before(pay) || paidLate {
		at := now
		if paidLate {
			at = x.Paid
		}
		var lf LateFeeAmount
		var label, article string
		if len(x.Schedule) > 0 {
			lf = x.Schedule.LateFeeAt(pay.Location(), x.Payments, at)
			label = fmt.Sprintf("逾期未缴的分期罚款，每日按该期未缴数额加处 3%%：已计 %d 日，%s 元（每期以该期未缴数额为上限，%s 全部达到）",
				lf.Days, Yuan(lf.Cents), lf.CapDay.Format(time.DateOnly))
			if lf.Capped {
				label = fmt.Sprintf("逾期未缴的分期罚款，加处罚款已达未缴数额 %s 元（不得超出金钱给付义务的数额），应依法催告并强制执行", Yuan(lf.Cents))
			}
			article = "行政处罚法 §66, §72(1); 行政强制法 §45"
		} else {
			lf = LateFeeAt(x.FineCents, pay, at)
			label = fmt.Sprintf("到期不缴纳罚款，每日加处罚款数额的 3%%：已计 %d 日，%s 元（上限为罚款数额 %s 元，%s 达到）",
				lf.Days, Yuan(lf.Cents), Yuan(x.FineCents), lf.CapDay.Format(time.DateOnly))
			if lf.Capped {
				label = fmt.Sprintf("到期不缴纳罚款，加处罚款已达罚款数额 %s 元（不得超出罚款数额），应依法催告并强制执行", Yuan(x.FineCents))
			}
			article = "行政处罚法 §72(1)"
		}
		add(LateFee, "", label, article, pay, workday.AddCalendarDays(lf.CapDay, 1), true, x.Paid)
	}
	if !x.ReminderServed.IsZero() {
		due, ok := ReminderEnds(cal, x.ReminderServed)
		done := x.Paid
		if done.IsZero() && !now.Before(due) {
			done = due.Add(-time.Nanosecond) // the party's period is over: nothing is late
		}
		add(ReminderPeriod, "", "催告书送达后 10 个工作日内当事人履行义务", "行政强制法 §35, §54, §69", x.ReminderServed, due, ok, done)
	}
	if x.Paid.IsZero() && !now.Before(pay) || paidLate || !x.Enforced.IsZero() {
		done := x.Enforced
		if done.IsZero() || !x.Paid.IsZero() && x.Paid.Before(done) {
			done = x.Paid
		}
		ends := RemedyEnds(f.DecisionServed)
		add(CourtApplication, "", fmt.Sprintf("复议、诉讼期限（60 日、6 个月）届满之日起 3 个月内申请人民法院强制执行（%s 起）", ends.Format(time.DateOnly)),
			"行政强制法 §53; 行政复议法 §20; 行政诉讼法 §46", ends, CourtApplicationDue(f.DecisionServed), true, done)
	}
}
