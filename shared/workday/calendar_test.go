package workday

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"lawtrace/assets/calendar"
)

// cst is China Standard Time; a fixed zone so the tests need no tzdata.
var cst = time.FixedZone("CST", 8*60*60)

// day returns 00:00 CST of a YYYY-MM-DD date.
func day(s string) time.Time {
	t, err := time.ParseInLocation(dateLayout, s, cst)
	if err != nil {
		panic(err)
	}
	return t
}

// SPEC D5. Rows follow 国办发明电〔2024〕12号 (2025) and 国办发明电〔2025〕7号
// (2026); each row was checked by hand against the notice and a wall calendar.
func TestIsWorkday(t *testing.T) {
	c := Default()
	tests := []struct {
		date string
		work bool
		why  string
	}{
		// 2025 元旦: 1月1日放假1天，不调休.
		{"2025-01-01", false, "元旦"},
		{"2025-01-02", true, "Thursday after 元旦"},
		// 2025 春节: 1月28日至2月4日放假调休，1月26日（周日）、2月8日（周六）上班.
		{"2025-01-24", true, "Friday before"},
		{"2025-01-25", false, "ordinary Saturday"},
		{"2025-01-26", true, "adjusted Sunday"},
		{"2025-01-27", true, "Monday before 除夕"},
		{"2025-01-28", false, "除夕, first day"},
		{"2025-02-01", false, "Saturday within"},
		{"2025-02-03", false, "Monday within"},
		{"2025-02-04", false, "last day"},
		{"2025-02-05", true, "first day back"},
		{"2025-02-08", true, "adjusted Saturday"},
		{"2025-02-09", false, "ordinary Sunday"},
		// 2025 清明节: 4月4日至6日放假.
		{"2025-04-03", true, "Thursday before"},
		{"2025-04-04", false, "清明, Friday"},
		{"2025-04-06", false, "last day, Sunday"},
		{"2025-04-07", true, "Monday after"},
		// 2025 劳动节: 5月1日至5日放假调休，4月27日（周日）上班.
		{"2025-04-26", false, "ordinary Saturday"},
		{"2025-04-27", true, "adjusted Sunday"},
		{"2025-04-30", true, "Wednesday before"},
		{"2025-05-01", false, "first day"},
		{"2025-05-05", false, "last day, Monday"},
		{"2025-05-06", true, "Tuesday after"},
		{"2025-05-10", false, "ordinary Saturday after"},
		// 2025 端午节: 5月31日至6月2日放假.
		{"2025-05-30", true, "Friday before"},
		{"2025-05-31", false, "first day, Saturday"},
		{"2025-06-02", false, "last day, Monday"},
		{"2025-06-03", true, "Tuesday after"},
		// 2025 国庆节、中秋节: 10月1日至8日放假调休，9月28日（周日）、10月11日（周六）上班.
		{"2025-09-27", false, "ordinary Saturday"},
		{"2025-09-28", true, "adjusted Sunday"},
		{"2025-09-30", true, "Tuesday before"},
		{"2025-10-01", false, "first day"},
		{"2025-10-06", false, "中秋 itself, Monday"},
		{"2025-10-08", false, "last day, Wednesday"},
		{"2025-10-09", true, "Thursday after"},
		{"2025-10-11", true, "adjusted Saturday"},
		{"2025-10-12", false, "ordinary Sunday"},

		// 2026 元旦: 1月1日至3日放假调休，1月4日（周日）上班.
		{"2025-12-31", true, "Wednesday before"},
		{"2026-01-01", false, "元旦"},
		{"2026-01-02", false, "Friday within"},
		{"2026-01-03", false, "last day, Saturday"},
		{"2026-01-04", true, "adjusted Sunday"},
		{"2026-01-05", true, "Monday"},
		// 2026 春节: 2月15日至23日放假调休，2月14日（周六）、2月28日（周六）上班.
		{"2026-02-13", true, "Friday before"},
		{"2026-02-14", true, "adjusted Saturday"},
		{"2026-02-15", false, "first day, Sunday"},
		{"2026-02-16", false, "除夕, Monday"},
		{"2026-02-23", false, "last day, Monday"},
		{"2026-02-24", true, "first day back"},
		{"2026-02-27", true, "Friday"},
		{"2026-02-28", true, "adjusted Saturday"},
		{"2026-03-01", false, "ordinary Sunday"},
		// 2026 清明节: 4月4日至6日放假.
		{"2026-04-03", true, "Friday before"},
		{"2026-04-04", false, "first day, Saturday"},
		{"2026-04-06", false, "last day, Monday"},
		{"2026-04-07", true, "Tuesday after"},
		// 2026 劳动节: 5月1日至5日放假调休，5月9日（周六）上班.
		{"2026-04-30", true, "Thursday before"},
		{"2026-05-01", false, "first day"},
		{"2026-05-05", false, "last day, Tuesday"},
		{"2026-05-06", true, "Wednesday after"},
		{"2026-05-09", true, "adjusted Saturday"},
		{"2026-05-10", false, "ordinary Sunday"},
		// 2026 端午节: 6月19日至21日放假.
		{"2026-06-18", true, "Thursday before"},
		{"2026-06-19", false, "端午, Friday"},
		{"2026-06-21", false, "last day, Sunday"},
		{"2026-06-22", true, "Monday after"},
		// 2026 中秋节: 9月25日至27日放假; 9月20日（周日）上班 for 国庆.
		{"2026-09-19", false, "ordinary Saturday"},
		{"2026-09-20", true, "adjusted Sunday"},
		{"2026-09-24", true, "Thursday before"},
		{"2026-09-25", false, "中秋, Friday"},
		{"2026-09-27", false, "last day, Sunday"},
		{"2026-09-28", true, "Monday after"},
		// 2026 国庆节: 10月1日至7日放假调休，10月10日（周六）上班.
		{"2026-09-30", true, "Wednesday before"},
		{"2026-10-01", false, "first day"},
		{"2026-10-07", false, "last day, Wednesday"},
		{"2026-10-08", true, "Thursday after"},
		{"2026-10-10", true, "adjusted Saturday"},
		{"2026-10-11", false, "ordinary Sunday"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			work, verified := c.IsWorkday(day(tt.date))
			if work != tt.work || !verified {
				t.Errorf("IsWorkday(%s) = %v, %v; want %v, true (%s)", tt.date, work, verified, tt.work, tt.why)
			}
		})
	}
}

// SPEC D5: deadlines of n working days that run across each holiday.
func TestAddWorkdays(t *testing.T) {
	c := Default()
	tests := []struct {
		start string
		n     int
		want  string
		why   string
	}{
		{"2024-12-31", 1, "2025-01-02", "01-01 元旦 off, 01-02 Thu is 1"},
		// 2025 春节.
		{"2025-01-24", 3, "2025-02-05", "01-26 adjusted Sun 1, 01-27 Mon 2, 01-28..02-04 off, 02-05 3"},
		{"2025-01-27", 1, "2025-02-05", "the whole holiday is skipped"},
		{"2025-02-05", 3, "2025-02-08", "02-06 1, 02-07 2, 02-08 adjusted Sat 3"},
		// 2025 清明节.
		{"2025-04-03", 1, "2025-04-07", "04-04..04-06 off"},
		// 2025 劳动节.
		{"2025-04-25", 2, "2025-04-28", "04-26 Sat off, 04-27 adjusted Sun 1, 04-28 2"},
		{"2025-04-30", 2, "2025-05-07", "05-01..05-05 off, 05-06 1, 05-07 2"},
		// 2025 端午节.
		{"2025-05-29", 2, "2025-06-03", "05-30 1, 05-31..06-02 off, 06-03 2"},
		// 2025 国庆节、中秋节.
		{"2025-09-26", 3, "2025-09-30", "09-27 Sat off, 09-28 adjusted Sun 1, 09-29 2, 09-30 3"},
		{"2025-09-30", 3, "2025-10-11", "10-01..10-08 off, 10-09 1, 10-10 2, 10-11 adjusted Sat 3"},
		{"2025-09-30", 7, "2025-10-16", "P2 permit publication: ... 10-11 3, 10-12 Sun off, 10-13..10-16 4..7"},
		{"2025-09-26", 20, "2025-10-30", "the benchmark: 09-28..09-30 1..3, 10-09..10-11 4..6, then 14 weekdays"},
		// 2026 元旦.
		{"2025-12-31", 1, "2026-01-04", "01-01..01-03 off, 01-04 adjusted Sun 1"},
		// 2026 春节.
		{"2026-02-12", 2, "2026-02-14", "02-13 1, 02-14 adjusted Sat 2"},
		{"2026-02-13", 2, "2026-02-24", "02-14 1, 02-15..02-23 off, 02-24 2"},
		{"2026-02-24", 4, "2026-02-28", "02-25..02-27 1..3, 02-28 adjusted Sat 4"},
		// 2026 清明节.
		{"2026-04-03", 1, "2026-04-07", "04-04..04-06 off"},
		// 2026 劳动节.
		{"2026-04-30", 3, "2026-05-08", "05-01..05-05 off, 05-06..05-08 1..3"},
		{"2026-04-30", 4, "2026-05-09", "then 05-09 adjusted Sat 4"},
		// 2026 端午节.
		{"2026-06-18", 1, "2026-06-22", "06-19..06-21 off"},
		// 2026 中秋节.
		{"2026-09-18", 1, "2026-09-20", "09-19 Sat off, 09-20 adjusted Sun 1"},
		{"2026-09-24", 1, "2026-09-28", "09-25..09-27 off"},
		// 2026 国庆节.
		{"2026-09-30", 2, "2026-10-09", "R4 upload: 10-01..10-07 off, 10-08 1, 10-09 2"},
		{"2026-09-30", 3, "2026-10-10", "then 10-10 adjusted Sat 3"},
		// n == 0 and counting back.
		{"2025-10-04", 0, "2025-10-04", "no days counted"},
		{"2025-10-09", -1, "2025-09-30", "back over 10-08..10-01"},
		{"2025-10-13", -3, "2025-10-09", "back: 10-11 adjusted Sat 1, 10-10 2, 10-09 3"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s%+d", tt.start, tt.n), func(t *testing.T) {
			// A time late in the day: only the day counts.
			start := day(tt.start).Add(23*time.Hour + 30*time.Minute)
			due, verified := c.AddWorkdays(start, tt.n)
			if !due.Equal(day(tt.want)) || due.Location() != cst || !verified {
				t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s 00:00 CST, true (%s)",
					tt.start, tt.n, due, verified, tt.want, tt.why)
			}
		})
	}
}

// SPEC D5: outside the years the calendar holds, Monday–Friday counts and the
// answer is marked unverified.
func TestUnverifiedOutsideKnownYears(t *testing.T) {
	c := Default()
	workTests := []struct {
		date string
		work bool
	}{
		{"2027-01-01", true},  // Friday; 元旦 2027 is not in the calendar
		{"2027-01-02", false}, // Saturday
		{"2027-10-01", true},  // Friday
		{"2023-10-02", true},  // Monday; in fact 国庆 2023, but 2023 is not held
	}
	for _, tt := range workTests {
		work, verified := c.IsWorkday(day(tt.date))
		if work != tt.work || verified {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v, false", tt.date, work, verified, tt.work)
		}
	}
	if name, ok := c.Holiday(day("2027-01-01")); ok {
		t.Errorf("Holiday(2027-01-01) = %q, true; want no holiday", name)
	}

	addTests := []struct {
		start    string
		n        int
		want     string
		verified bool
	}{
		{"2026-12-30", 1, "2026-12-31", true},
		{"2026-12-31", 2, "2027-01-04", false}, // 2027-01-01 Fri 1, 01-04 Mon 2
		{"2027-03-05", 5, "2027-03-12", false},
		{"2024-01-02", -1, "2023-12-29", false}, // back across 01-01 into 2023
	}
	for _, tt := range addTests {
		due, verified := c.AddWorkdays(day(tt.start), tt.n)
		if !due.Equal(day(tt.want)) || verified != tt.verified {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s, %v", tt.start, tt.n, due, verified, tt.want, tt.verified)
		}
	}
	if n, verified := c.WorkdaysBetween(day("2026-12-30"), day("2027-01-04")); n != 3 || verified {
		t.Errorf("WorkdaysBetween into 2027 = %d, %v; want 3, false", n, verified)
	}
}

func TestDeadline(t *testing.T) {
	c := Default()
	start := time.Date(2025, 9, 30, 16, 45, 0, 0, cst)
	got, verified := c.Deadline(start, 3)
	want := time.Date(2025, 10, 12, 0, 0, 0, 0, cst) // the end of 10-11, the adjusted Saturday
	if !got.Equal(want) || got.Location() != cst || !verified {
		t.Errorf("Deadline = %s, %v; want %s, true", got, verified, want)
	}
	// Month and year ends roll over.
	got, _ = c.Deadline(day("2025-12-30"), 1)
	if want := day("2026-01-01"); !got.Equal(want) {
		t.Errorf("Deadline(2025-12-30, 1) = %s; want %s", got, want)
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := Default()
	tests := []struct {
		from, to string
		want     int
	}{
		{"2025-09-30", "2025-10-11", 3},
		{"2025-10-11", "2025-09-30", -3},
		{"2025-10-04", "2025-10-04", 0},
		{"2025-10-01", "2025-10-08", 0},   // all holiday
		{"2025-01-25", "2025-01-26", 1},   // the adjusted Sunday
		{"2026-02-13", "2026-02-28", 6},   // 02-14 adjusted Sat, 02-24..02-27, 02-28 adjusted Sat
		{"2024-12-31", "2025-12-31", 248}, // all of 2025
	}
	for _, tt := range tests {
		n, verified := c.WorkdaysBetween(day(tt.from), day(tt.to))
		if n != tt.want || !verified {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d, true", tt.from, tt.to, n, verified, tt.want)
		}
	}
}

// AddWorkdays and WorkdaysBetween must agree, and a deadline always lands on
// a working day, for every start day of the held years.
func TestAddWorkdaysAgreesWithWorkdaysBetween(t *testing.T) {
	c := Default()
	for d := day("2024-01-01"); d.Year() <= 2026; d = d.AddDate(0, 0, 1) {
		for _, n := range []int{1, 2, 3, 5, 7, 20} {
			due, _ := c.AddWorkdays(d, n)
			if work, _ := c.IsWorkday(due); !work {
				t.Fatalf("AddWorkdays(%s, %d) = %s, not a working day", d.Format(dateLayout), n, due.Format(dateLayout))
			}
			if got, _ := c.WorkdaysBetween(d, due); got != n {
				t.Fatalf("WorkdaysBetween(%s, AddWorkdays(…, %d) = %s) = %d", d.Format(dateLayout), n, due.Format(dateLayout), got)
			}
		}
	}
}

func TestHoliday(t *testing.T) {
	c := Default()
	tests := []struct {
		date, want string
	}{
		{"2024-02-10", "春节"},
		{"2025-01-28", "春节"},
		{"2025-04-04", "清明节"},
		{"2025-05-05", "劳动节"},
		{"2025-05-31", "端午节"},
		{"2025-10-06", "国庆节、中秋节"},
		{"2026-02-23", "春节"},
		{"2026-09-25", "中秋节"},
		{"2026-10-01", "国庆节"},
	}
	for _, tt := range tests {
		if name, ok := c.Holiday(day(tt.date)); !ok || name != tt.want {
			t.Errorf("Holiday(%s) = %q, %v; want %q, true", tt.date, name, ok, tt.want)
		}
	}
	for _, d := range []string{"2025-01-26", "2025-10-09", "2025-10-11", "2026-06-22"} {
		if name, ok := c.Holiday(day(d)); ok {
			t.Errorf("Holiday(%s) = %q, true; want no holiday", d, name)
		}
	}
}

func TestAddCalendarDays(t *testing.T) {
	start := time.Date(2025, 9, 30, 16, 45, 0, 0, cst)
	if got, want := AddCalendarDays(start, 30), day("2025-10-30"); !got.Equal(want) || got.Location() != cst {
		t.Errorf("AddCalendarDays(2025-09-30, 30) = %s; want %s", got, want)
	}
	if got, want := AddCalendarDays(day("2024-02-15"), 30), day("2024-03-16"); !got.Equal(want) {
		t.Errorf("AddCalendarDays across leap February = %s; want %s", got, want)
	}
}

func TestDefaultLoadsEmbeddedYears(t *testing.T) {
	if got, want := Default().Years(), []int{2024, 2025, 2026}; !reflect.DeepEqual(got, want) {
		t.Errorf("Default().Years() = %v; want %v", got, want)
	}
	// Each call gives the caller a calendar of its own.
	a, b := Default(), Default()
	if err := a.Add(mustParse(t, "testdata/admin/cn-2030.json")); err != nil {
		t.Fatal(err)
	}
	if got := b.Years(); len(got) != 3 {
		t.Errorf("adding to one Default calendar changed another: %v", got)
	}
}

// SPEC D5: the figures for working days per year. 2024 (251) and 2025 (248)
// are the totals reported when the notices were published; 2026 (248) is
// derived from the data entered here and only guards it against edits.
func TestYearFilesConsistent(t *testing.T) {
	wantWorkdays := map[int]int{2024: 251, 2025: 248, 2026: 248}
	names, err := embeddedNames()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(wantWorkdays) {
		t.Errorf("embedded files %v; want one per year of %v", names, wantWorkdays)
	}
	c := Default()
	for _, name := range names {
		data, err := calendar.Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		y, err := ParseYear(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if y.Published == "" || !strings.Contains(y.Source, "国办发明电") {
			t.Errorf("%s: source %q, published %q: want the notice and its date", name, y.Source, y.Published)
		}
		for _, h := range y.Holidays {
			if h.NameEN == "" {
				t.Errorf("%s: holiday %s has no English name", name, h.Name)
			}
			for _, d := range h.Days {
				if work, verified := c.IsWorkday(day(d)); work || !verified {
					t.Errorf("%s: holiday day %s is not a verified day off", name, d)
				}
				if got, _ := c.Holiday(day(d)); got != h.Name {
					t.Errorf("%s: Holiday(%s) = %q; want %q", name, d, got, h.Name)
				}
			}
		}
		for _, w := range y.Workdays {
			if work, verified := c.IsWorkday(day(w.Date)); !work || !verified {
				t.Errorf("%s: adjusted workday %s is not a verified working day", name, w.Date)
			}
		}

		count := 0
		for d := time.Date(y.Year, 1, 1, 0, 0, 0, 0, cst); d.Year() == y.Year; d = d.AddDate(0, 0, 1) {
			if work, _ := c.IsWorkday(d); work {
				count++
			}
		}
		if count != wantWorkdays[y.Year] {
			t.Errorf("%s: %d working days; want %d", name, count, wantWorkdays[y.Year])
		}
	}
}

func embeddedNames() ([]string, error) {
	entries, err := calendar.Files.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

func mustParse(t *testing.T, path string) Year {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	y, err := ParseYear(data)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// SPEC D5: an admin adds a year; nothing already held is replaced silently.
func TestAddAndReplace(t *testing.T) {
	c := Default()
	y2030 := mustParse(t, "testdata/admin/cn-2030.json")
	if err := c.Add(y2030); err != nil {
		t.Fatal(err)
	}
	if work, verified := c.IsWorkday(day("2030-01-05")); !work || !verified {
		t.Errorf("2030-01-05 (adjusted Saturday) = %v, %v; want true, true", work, verified)
	}

	y2025 := mustParse(t, "testdata/admin/cn-2030.json")
	y2025.Year, y2025.Holidays = 2025, []Holiday{{Name: "元旦", Days: []string{"2025-01-01"}}}
	y2025.Workdays = nil
	err := c.Add(y2025)
	if !errors.Is(err, ErrYearExists) || !strings.Contains(err.Error(), "2025") {
		t.Fatalf("Add(2025 again) = %v; want ErrYearExists naming 2025", err)
	}
	if work, _ := c.IsWorkday(day("2025-10-01")); work {
		t.Fatal("a refused Add changed the 2025 schedule")
	}
	if err := c.Replace(y2025); err != nil {
		t.Fatal(err)
	}
	if work, verified := c.IsWorkday(day("2025-10-01")); !work || !verified {
		t.Errorf("after Replace, 2025-10-01 = %v, %v; want the replacement's working Wednesday", work, verified)
	}

	bad := y2030
	bad.Year = 2031
	if err := c.Add(bad); err == nil || !strings.Contains(err.Error(), "is not in 2031") {
		t.Errorf("Add(invalid year) = %v; want a validation error", err)
	}
	if err := c.Replace(bad); err == nil {
		t.Error("Replace accepted an invalid year")
	}
	if got, want := c.Years(), []int{2024, 2025, 2026, 2030}; !reflect.DeepEqual(got, want) {
		t.Errorf("Years() = %v; want %v", got, want)
	}
}

func TestNew(t *testing.T) {
	y := mustParse(t, "testdata/admin/cn-2030.json")
	if _, err := New(y, y); !errors.Is(err, ErrYearExists) {
		t.Errorf("New(2030, 2030) = %v; want ErrYearExists", err)
	}
	c, err := New(y)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Years(); !reflect.DeepEqual(got, []int{2030}) {
		t.Errorf("Years() = %v", got)
	}
	var zero Calendar
	if work, verified := zero.IsWorkday(day("2025-10-01")); !work || verified {
		t.Errorf("zero Calendar: IsWorkday = %v, %v; want true, false", work, verified)
	}
	if err := zero.Add(y); err != nil {
		t.Errorf("zero Calendar: Add = %v", err)
	}
}

func TestLoad(t *testing.T) {
	c, err := Load(os.DirFS("testdata/admin"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Years(); !reflect.DeepEqual(got, []int{2030}) {
		t.Errorf("Years() = %v", got)
	}

	good, err := os.ReadFile("testdata/admin/cn-2030.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"empty folder", fstest.MapFS{}, "no *.json year files"},
		{"broken file", fstest.MapFS{"cn-2030.json": {Data: []byte(`{"year":2030}`)}}, `cn-2030.json: workday: year 2030: no "source"`},
		{"misnamed file", fstest.MapFS{"cn-2031.json": {Data: good}}, "cn-2031.json: holds year 2030, so it must be named cn-2030.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// Default's panic path: broken embedded data must stop the program loudly
// rather than yield a calendar that silently counts holidays as working days.
func TestMustLoadPanicsOnBrokenData(t *testing.T) {
	broken := fstest.MapFS{"cn-2025.json": {Data: []byte(`{"year":2025,"source":"s","holidays":[{"name":"春节","days":["2025-02-30"]}]}`)}}
	defer func() {
		r := recover()
		if msg, _ := r.(string); !strings.Contains(msg, "embedded holiday calendar is broken") || !strings.Contains(msg, "2025-02-30") {
			t.Errorf("recovered %v; want a panic naming the broken date", r)
		}
	}()
	mustLoad(broken)
	t.Error("mustLoad returned on broken data")
}

func TestConcurrentUse(t *testing.T) {
	c := Default()
	done := make(chan bool)
	go func() {
		for range 100 {
			c.AddWorkdays(day("2025-09-30"), 20)
		}
		done <- true
	}()
	if err := c.Replace(mustParse(t, "testdata/admin/cn-2030.json")); err != nil {
		t.Error(err)
	}
	<-done
}

// SPEC D5: 20 working days across National Day 2025.
func BenchmarkAddWorkdays(b *testing.B) {
	c := Default()
	start := day("2025-09-26")
	for b.Loop() {
		if due, _ := c.AddWorkdays(start, 20); due.IsZero() {
			b.Fatal("zero deadline")
		}
	}
}
