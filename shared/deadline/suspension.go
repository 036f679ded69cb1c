package deadline

import "time"

// 中止执行 (行政强制法 §39 ¶2): execution resumes when the grounds of the
// suspension end; an execution suspended for three years and not resumed
// is not executed again (unless the law says otherwise).
const (
	SuspensionLapse = "suspension_lapse" // 行政强制法 §39 ¶2: 3 years after the suspension
	// SuspensionYears: the years after which a suspended execution is not
	// executed again (行政强制法 §39 ¶2).
	SuspensionYears = 3
)

// SuspensionLapses is the instant a suspension of suspended lapses: the end
// of the day three years on (the corresponding day, 民法典 §202, as
// addMonths counts); from then on the execution is not resumed.
func SuspensionLapses(suspended time.Time) time.Time {
	return addMonths(suspended, 12*SuspensionYears).AddDate(0, 0, 1)
}

// Suspended is an execution suspended because the party truly could not
// perform (行政强制法 §39 ¶1(一)): At the suspension, Ended its resumption
// or termination (zero while it runs). Other grounds do not lapse.
type Suspended struct {
	At, Ended time.Time
}

// suspensionDeadlines adds the three years of a suspension on the party's
// inability: when they run out the execution is not resumed.
func suspensionDeadlines(f Facts, add func(kind, subject, label, article string, start, due time.Time, verified bool, done time.Time)) {
	s := f.Suspended
	if s.At.IsZero() {
		return
	}
	due, done := SuspensionLapses(s.At), s.Ended
	if (done.IsZero() || !done.Before(due)) && f.periodOver(due) {
		done = due.Add(-time.Nanosecond) // the three years ran out: the execution lapsed, nothing is late
	}
	add(SuspensionLapse, "", "中止执行（当事人确无能力履行）满三年未恢复执行的，不再执行", "行政强制法 §39 ¶2", s.At, due, true, done)
}
