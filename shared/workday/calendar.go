package workday

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sync"
	"time"

	"lawtrace/assets/calendar"
)

// ErrYearExists is returned by Add and New for a year the calendar already has.
var ErrYearExists = errors.New("year already in the calendar")

// Calendar answers working-day questions from the holiday schedules it holds.
// Days in a year it does not hold are treated as Monday–Friday working days
// and reported as unverified. A Calendar is safe for concurrent use; the zero
// value is an empty calendar.
//
// Every method takes the calendar day of a time.Time in that time's own
// location, so callers should pass times in China Standard Time.
type Calendar struct {
	mu    sync.RWMutex
	years map[int]*schedule
}

// New returns a calendar holding the given years, refusing invalid years and
// a year given twice.
func New(years ...Year) (*Calendar, error) {
	c := &Calendar{}
	for _, y := range years {
		if err := c.Add(y); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Default returns a new calendar holding the schedules embedded from
// assets/calendar. It panics only if that embedded data is broken.
func Default() *Calendar {
	return mustLoad(calendar.Files)
}

func mustLoad(fsys fs.FS) *Calendar {
	c, err := Load(fsys)
	if err != nil {
		panic("workday: embedded holiday calendar is broken: " + err.Error())
	}
	return c
}

// Load returns a calendar holding every cn-YYYY.json file at the top of fsys
// (for example os.DirFS of an admin's folder). Each file must be named after
// the year it holds.
func Load(fsys fs.FS) (*Calendar, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("workday: no *.json year files")
	}
	c := &Calendar{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		y, err := ParseYear(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := fmt.Sprintf("cn-%d.json", y.Year); path.Base(name) != want {
			return nil, fmt.Errorf("%s: holds year %d, so it must be named %s", name, y.Year, want)
		}
		if err := c.Add(y); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return c, nil
}

// Add validates y and adds it to the calendar. It refuses a year the calendar
// already holds (ErrYearExists); use Replace to change a year.
func (c *Calendar) Add(y Year) error {
	s, err := newSchedule(y)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.years[y.Year]; ok {
		return fmt.Errorf("workday: year %d: %w; use Replace to change it", y.Year, ErrYearExists)
	}
	c.set(s)
	return nil
}

// Replace validates y and puts it in the calendar in place of any schedule
// already held for that year.
func (c *Calendar) Replace(y Year) error {
	s, err := newSchedule(y)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set(s)
	return nil
}

// set stores s; the caller holds the write lock.
func (c *Calendar) set(s *schedule) {
	if c.years == nil {
		c.years = map[int]*schedule{}
	}
	c.years[s.year.Year] = s
}

// Years returns the years the calendar holds, in order.
func (c *Calendar) Years() []int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	years := make([]int, 0, len(c.years))
	for y := range c.years {
		years = append(years, y)
	}
	slices.Sort(years)
	return years
}

// IsWorkday reports whether d's day is a working day. In a year the calendar
// holds, it follows the schedule: holidays are off and adjusted Saturdays and
// Sundays are working days; verified is true. Outside those years it answers
// Monday–Friday with verified false.
func (c *Calendar) IsWorkday(d time.Time) (work bool, verified bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.status(dateOf(d))
}

// status is IsWorkday for a day; the caller holds the read lock.
func (c *Calendar) status(d date) (work, known bool) {
	s, ok := c.years[d.year]
	if !ok {
		return !d.isWeekend(), false
	}
	if _, off := s.holidays[d]; off {
		return false, true
	}
	if s.workdays[d] {
		return true, true
	}
	return !d.isWeekend(), true
}

// Holiday returns the name of the holiday d's day belongs to, if the
// calendar's schedule lists it as a holiday.
func (c *Calendar) Holiday(d time.Time) (name string, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	day := dateOf(d)
	s, known := c.years[day.year]
	if !known {
		return "", false
	}
	name, ok = s.holidays[day]
	return name, ok
}

// AddWorkdays returns the day on which a period of n working days from start
// ends, as administrative practice counts it: start's own day is not counted,
// counting begins the next day, and the period ends with the n-th working day.
// The result is 00:00 of that day in start's location; the deadline is the END
// of that day (see Deadline). A negative n counts back to the n-th working day
// before start; n == 0 returns start's day. verified is false if any day
// counted lies in a year the calendar does not hold.
func (c *Calendar) AddWorkdays(start time.Time, n int) (due time.Time, verified bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d, verified := dateOf(start), true
	for n > 0 {
		d = d.add(step)
		work, known := c.status(d)
		verified = verified && known
		if work {
			n--
		}
	}
	return d.at(start.Location()), verified
}

// Deadline returns the instant a period of n working days from start runs
// out: the end of the day AddWorkdays returns, that is 00:00 of the following
// day in start's location. Anything done before that instant is in time.
func (c *Calendar) Deadline(start time.Time, n int) (time.Time, bool) {
	due, verified := c.AddWorkdays(start, n)
	return dateOf(due).add(1).at(start.Location()), verified
}

// WorkdaysBetween counts the working days after from's day up to and
// including to's day. If to's day is before from's day the count is negative:
// minus the working days after to's day up to and including from's day.
// verified is false if any day counted lies in a year the calendar does not
// hold.
func (c *Calendar) WorkdaysBetween(from, to time.Time) (int, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	first, last, sign := dateOf(from), dateOf(to), 1
	if last.before(first) {
		first, last, sign = last, first, -1
	}
	count, verified := 0, true
	for d := first.add(1); !last.before(d); d = d.add(1) {
		work, known := c.status(d)
		verified = verified && known
		if work {
			count++
		}
	}
	return sign * count, verified
}

// AddCalendarDays returns 00:00, in start's location, of the day n calendar
// days after start's day, for rules counted in days rather than working days
// (such as the 30-day case-file rule, SPEC R5); the deadline is the end of
// that day. It does not move a period that ends on a holiday.
func AddCalendarDays(start time.Time, n int) time.Time {
	return dateOf(start).add(n).at(start.Location())
}
