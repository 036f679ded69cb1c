package workday

import "time"

// dateLayout is the only date form in the year files.
const dateLayout = "2006-01-02"

// date is a calendar day with no time of day and no location.
type date struct {
	year  int
	month time.Month
	day   int
}

// dateOf returns the calendar day of t in t's own location.
func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

// parseDate reads a YYYY-MM-DD date, refusing impossible days such as 2025-02-30.
func parseDate(s string) (date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return date{}, err
	}
	return dateOf(t), nil
}

// add returns the day n days after d (before it when n is negative).
func (d date) add(n int) date {
	return dateOf(time.Date(d.year, d.month, d.day+n, 0, 0, 0, 0, time.UTC))
}

// before reports whether d is an earlier day than e.
func (d date) before(e date) bool {
	if d.year != e.year {
		return d.year < e.year
	}
	if d.month != e.month {
		return d.month < e.month
	}
	return d.day < e.day
}

func (d date) weekday() time.Weekday {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC).Weekday()
}

func (d date) isWeekend() bool {
	w := d.weekday()
	return w == time.Saturday || w == time.Sunday
}

// at returns the start (00:00) of d in loc.
func (d date) at(loc *time.Location) time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, loc)
}

func (d date) String() string {
	return d.at(time.UTC).Format(dateLayout)
}
