package workday

import (
	"os"
	"strings"
	"testing"
)

// SPEC D5: a year file that is wrong in any way is refused with an error that
// says what is wrong, never loaded half-right.
func TestParseYearRefusals(t *testing.T) {
	const holidays = `"holidays":[{"name":"春节","days":["2025-01-28"]}]`
	tests := []struct {
		name string
		file string
		want string // part of the error message
	}{
		{"not JSON", `{"year":2025,`, "not valid"},
		{"unknown field", `{"year":2025,"source":"s","holiday":[]}`, `unknown field "holiday"`},
		{"data after the object", `{"year":2025,"source":"s",` + holidays + `} {}`, "data after the JSON object"},
		{"no year", `{"source":"s",` + holidays + `}`, `no "year"`},
		{"no source", `{"year":2025,` + holidays + `}`, `no "source"`},
		{"bad published date", `{"year":2025,"source":"s","published":"2024-11-31",` + holidays + `}`, `published "2024-11-31"`},
		{"no holidays", `{"year":2025,"source":"s","holidays":[]}`, "no holidays"},
		{"holiday without name", `{"year":2025,"source":"s","holidays":[{"name":"","days":["2025-01-28"]}]}`, "holiday #1 has no name"},
		{"holiday without days", `{"year":2025,"source":"s","holidays":[{"name":"春节","days":[]}]}`, "春节 lists no days"},
		{"impossible date", `{"year":2025,"source":"s","holidays":[{"name":"春节","days":["2025-02-30"]}]}`, `"2025-02-30" is not a YYYY-MM-DD date`},
		{"wrong date form", `{"year":2025,"source":"s","holidays":[{"name":"春节","days":["2025/01/28"]}]}`, `"2025/01/28" is not a YYYY-MM-DD date`},
		{"holiday in the wrong year", `{"year":2025,"source":"s","holidays":[{"name":"国庆节","days":["2024-10-01"]}]}`, "2024-10-01 is not in 2025"},
		{"workday in the wrong year", `{"year":2025,"source":"s",` + holidays + `,"workdays":[{"date":"2024-09-29"}]}`, "adjusted workday 2024-09-29 is not in 2025"},
		{"workday on a weekday", `{"year":2025,"source":"s",` + holidays + `,"workdays":[{"date":"2025-01-27"}]}`, "2025-01-27 is a Monday, not a Saturday or Sunday"},
		{"bad workday date", `{"year":2025,"source":"s",` + holidays + `,"workdays":[{"date":"26 Jan"}]}`, `adjusted workday "26 Jan" is not a YYYY-MM-DD date`},
		{"both holiday and workday", `{"year":2025,"source":"s","holidays":[{"name":"春节","days":["2025-02-01"]}],"workdays":[{"date":"2025-02-01"}]}`, "2025-02-01 is both a holiday (春节) and an adjusted workday"},
		{"day in two holidays", `{"year":2025,"source":"s","holidays":[{"name":"国庆节","days":["2025-10-06"]},{"name":"中秋节","days":["2025-10-06"]}]}`, "2025-10-06 is listed under both 国庆节 and 中秋节"},
		{"workday listed twice", `{"year":2025,"source":"s",` + holidays + `,"workdays":[{"date":"2025-01-26"},{"date":"2025-01-26"}]}`, "2025-01-26 is listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYear([]byte(tt.file))
			if err == nil {
				t.Fatalf("ParseYear accepted %s", tt.file)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseYearAccepts(t *testing.T) {
	data, err := os.ReadFile("testdata/admin/cn-2030.json")
	if err != nil {
		t.Fatal(err)
	}
	y, err := ParseYear(data)
	if err != nil {
		t.Fatal(err)
	}
	if y.Year != 2030 || len(y.Holidays) != 1 || y.Holidays[0].NameEN != "New Year's Day" ||
		len(y.Workdays) != 1 || y.Workdays[0].For != "元旦" || y.Published != "2029-11-01" {
		t.Errorf("decoded %+v", y)
	}
}
