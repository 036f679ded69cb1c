package deadline

import (
	"fmt"
	"time"
)

// The day of January by which an agency publishes last year's enforcement
// statistics (行政执法总体情况有关数据, SPEC P6). 001 (事后公开) says 每年1月20日前,
// 002-publicity §9 says 每年1月31日前 (004 sets no day); the stricter is the
// default, the other an agency setting.
const (
	// AnnualReport is the kind of the deadline: an agency's, not a case's.
	AnnualReport = "annual_report"
	AnnualJan20  = "01-20" // 001, the default
	AnnualJan31  = "01-31" // 002-publicity §9
)

// AnnualDay is the day of January the setting names (20 unless it says 01-31).
func AnnualDay(setting string) int {
	if setting == AnnualJan31 {
		return 31
	}
	return 20
}

// AnnualArticle is where the chosen day comes from.
func AnnualArticle(setting string) string {
	if setting == AnnualJan31 {
		return "002-publicity §9"
	}
	return "001"
}

// Annual is the deadline of the statistics of year: it starts when the
// year is over (1 January of the next year, 00:00 China time) and ends at
// the end of the chosen day of January ("1月20日前" read as "by 20
// January", the day included — a fixed date, not a period of working days,
// so a weekend or holiday does not move it). done is when the report was
// published (zero while not).
func Annual(year int, s Settings, done time.Time) Deadline {
	day := AnnualDay(s.AnnualDue)
	start := time.Date(year+1, time.January, 1, 0, 0, 0, 0, annualZone)
	due := time.Date(year+1, time.January, day+1, 0, 0, 0, 0, annualZone)
	return Deadline{CaseID: fmt.Sprintf("年度统计-%d", year), Kind: AnnualReport, Subject: fmt.Sprint(year),
		Label:   fmt.Sprintf("公开 %d 年度行政执法总体情况数据（次年 1 月 %d 日前）", year, day),
		Article: AnnualArticle(s.AnnualDue), Start: start, Due: due, Done: done, Verified: true}
}

var annualZone = time.FixedZone("CST", 8*3600)
