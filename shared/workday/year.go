package workday

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Year is one year's official holiday schedule, as published by the General
// Office of the State Council and stored in assets/calendar/cn-YYYY.json.
type Year struct {
	Year      int               `json:"year"`
	Source    string            `json:"source"`              // the notice, e.g. 国办发明电〔2024〕12号
	Published string            `json:"published,omitempty"` // YYYY-MM-DD the notice was issued
	Note      string            `json:"note,omitempty"`      // anything an admin should know about the data
	Holidays  []Holiday         `json:"holidays"`
	Workdays  []AdjustedWorkday `json:"workdays"`
}

// Holiday is one named holiday period; every day in Days is a day off.
type Holiday struct {
	Name   string   `json:"name"`
	NameEN string   `json:"name_en,omitempty"`
	Days   []string `json:"days"` // YYYY-MM-DD
}

// AdjustedWorkday is a Saturday or Sunday that the schedule makes a working
// day (调休上班) to lengthen a holiday.
type AdjustedWorkday struct {
	Date string `json:"date"`          // YYYY-MM-DD
	For  string `json:"for,omitempty"` // the holiday it makes up for
}

// ParseYear decodes and validates one year file. Unknown fields are refused,
// so that a misspelt key cannot silently drop part of the schedule.
func ParseYear(data []byte) (Year, error) {
	var y Year
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&y); err != nil {
		return Year{}, fmt.Errorf("workday: year file is not valid: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Year{}, errors.New("workday: year file has data after the JSON object")
	}
	if err := y.Validate(); err != nil {
		return Year{}, err
	}
	return y, nil
}

// Validate checks that every date is a real YYYY-MM-DD day of y.Year, that
// every holiday is named, that adjusted working days fall on weekends and
// that no day is listed twice or as both a holiday and a working day.
func (y Year) Validate() error {
	_, err := newSchedule(y)
	return err
}

// schedule is a validated Year indexed by day.
type schedule struct {
	year     Year
	holidays map[date]string // day off -> holiday name
	workdays map[date]bool   // adjusted working days
}

func newSchedule(y Year) (*schedule, error) {
	if y.Year <= 0 {
		return nil, errors.New(`workday: year file has no "year"`)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("workday: year %d: %s", y.Year, fmt.Sprintf(format, args...))
	}
	if y.Source == "" {
		return nil, fail(`no "source" naming the State Council notice`)
	}
	if y.Published != "" {
		if _, err := parseDate(y.Published); err != nil {
			return nil, fail("published %q is not a YYYY-MM-DD date", y.Published)
		}
	}
	if len(y.Holidays) == 0 {
		return nil, fail("no holidays listed")
	}
	inYear := func(what, s string) (date, error) {
		d, err := parseDate(s)
		if err != nil {
			return date{}, fail("%s %q is not a YYYY-MM-DD date", what, s)
		}
		if d.year != y.Year {
			return date{}, fail("%s %s is not in %d", what, s, y.Year)
		}
		return d, nil
	}

	s := &schedule{year: y, holidays: map[date]string{}, workdays: map[date]bool{}}
	for i, h := range y.Holidays {
		if h.Name == "" {
			return nil, fail("holiday #%d has no name", i+1)
		}
		if len(h.Days) == 0 {
			return nil, fail("holiday %s lists no days", h.Name)
		}
		for _, day := range h.Days {
			d, err := inYear("holiday "+h.Name+" day", day)
			if err != nil {
				return nil, err
			}
			if other, dup := s.holidays[d]; dup {
				return nil, fail("day %s is listed under both %s and %s", day, other, h.Name)
			}
			s.holidays[d] = h.Name
		}
	}
	for _, w := range y.Workdays {
		d, err := inYear("adjusted workday", w.Date)
		if err != nil {
			return nil, err
		}
		if name, off := s.holidays[d]; off {
			return nil, fail("day %s is both a holiday (%s) and an adjusted workday", w.Date, name)
		}
		if !d.isWeekend() {
			return nil, fail("adjusted workday %s is a %s, not a Saturday or Sunday", w.Date, d.weekday())
		}
		if s.workdays[d] {
			return nil, fail("adjusted workday %s is listed twice", w.Date)
		}
		s.workdays[d] = true
	}
	return s, nil
}
