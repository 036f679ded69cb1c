package web

import (
	"lawtrace/shared/enforce"
	"net/http"
	"sort"
	"time"
)

// Statistics (SPEC D6): cases by type, stage and unit, cases opened per
// week by type, entries and files per day, overdue uploads — as charts
// drawn on the server, each with its numbers.

type statsData struct {
	Tiles  []tile
	Charts []chartView
	Since  time.Time
}

type tile struct {
	Label string
	Value int
	Class string
}

type chartView struct {
	SVG   string
	Table []Bar
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.cfg.Now().In(chinaTime)
	rows, err := s.boardRows(ctx, nil)
	if err != nil {
		return err
	}
	byType, byStage, byUnit, overdueByUnit := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	open, pending, overdue, skewed, broken := 0, 0, 0, 0, 0
	// Twelve weeks, Monday to Sunday, China time.
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, chinaTime)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	firstWeek := monday.AddDate(0, 0, -7*11)
	var weekLabels []string
	for i := 0; i < 12; i++ {
		weekLabels = append(weekLabels, firstWeek.AddDate(0, 0, 7*i).Format("01-02"))
	}
	weekly := map[string][]int{}
	var typeOrder []string
	for _, row := range rows {
		byType[row.Type]++
		byStage[row.Stage]++
		for _, u := range row.Units {
			byUnit[u]++
			overdueByUnit[u] += row.Overdue
		}
		if len(row.Units) == 0 {
			byUnit["（未知单位）"]++
			overdueByUnit["（未知单位）"] += row.Overdue
		}
		if !row.SceneClosed {
			open++
		}
		pending += row.Pending
		overdue += row.Overdue
		if row.Skewed > 0 {
			skewed++
		}
		if len(row.Findings) > 0 {
			broken++
		}
		opened := row.OpenedAt
		if opened.IsZero() {
			opened = row.UpdatedAt
		}
		opened = opened.In(chinaTime)
		if !opened.Before(firstWeek) {
			week := int(opened.Sub(firstWeek).Hours() / (24 * 7))
			if week >= 0 && week < 12 {
				if weekly[row.Type] == nil {
					weekly[row.Type] = make([]int, 12)
					typeOrder = append(typeOrder, row.Type)
				}
				weekly[row.Type][week]++
			}
		}
	}
	sort.Strings(typeOrder)
	var weekSeries []Series
	for _, t := range typeOrder {
		weekSeries = append(weekSeries, Series{Name: t, Values: weekly[t]})
	}

	since := today.AddDate(0, 0, -29)
	days, err := s.st.DailyActivity(ctx, since)
	if err != nil {
		return err
	}
	byDay := map[string]int{}
	filesByDay := map[string]int{}
	for _, d := range days {
		byDay[d.Day], filesByDay[d.Day] = d.Entries, d.MediaFiles
	}
	var dayLabels []string
	entries, files := make([]int, 30), make([]int, 30)
	entriesToday := 0
	for i := 0; i < 30; i++ {
		day := since.AddDate(0, 0, i)
		key := day.Format("2006-01-02")
		dayLabels = append(dayLabels, day.Format("01-02"))
		entries[i], files[i] = byDay[key], filesByDay[key]
	}
	entriesToday = entries[29]

	officers, err := s.officerViews(r)
	if err != nil {
		return err
	}
	badCreds := 0
	for _, o := range officers {
		if o.Problem != "" {
			badCreds++
		}
	}

	d := statsData{Since: since}
	d.Tiles = []tile{
		{"案件总数", len(rows), ""}, {"现场执法进行中", open, ""}, {"今日记录条目", entriesToday, ""},
		{"待上传文件", pending, warnIf(pending > 0)}, {"逾期未上传文件", overdue, badIf(overdue > 0)},
		{"时钟偏差案件", skewed, warnIf(skewed > 0)}, {"完整性异常案件", broken, badIf(broken > 0)},
		{"执法证过期或暂停", badCreds, warnIf(badCreds > 0)},
	}
	add := func(svg string, table []Bar) { d.Charts = append(d.Charts, chartView{SVG: svg, Table: table}) }
	t := bars(byType)
	add(HBarChart("按执法类型的案件数", t), t)
	t = bars(byStage)
	add(HBarChart("按当前环节的案件数", t), t)
	t = bars(byUnit)
	add(HBarChart("按执法单位的案件数", t), t)
	add(ColumnChart("近 12 周每周新开案件数（按类型，周一起）", weekLabels, weekSeries), weekTable(weekLabels, weekSeries))
	add(ColumnChart("近 30 天每日记录条目数", dayLabels, []Series{{Name: "记录条目", Values: entries}}), dayTable(dayLabels, entries))
	add(ColumnChart("近 30 天每日上传并核验的文件数", dayLabels, []Series{{Name: "文件", Values: files}}), dayTable(dayLabels, files))
	t = bars(overdueByUnit)
	add(HBarChart("逾期未上传文件（按执法单位，"+enforce.Cite("000-record §28")+"）", t), t)
	return s.Render(w, r, "stats", "统计", d)
}

func warnIf(b bool) string {
	if b {
		return "warn"
	}
	return ""
}

func badIf(b bool) string {
	if b {
		return "bad"
	}
	return ""
}

// bars sorts counts largest first, leaving out zeros.
func bars(m map[string]int) []Bar {
	var out []Bar
	for k, v := range m {
		if v > 0 {
			out = append(out, Bar{Label: k, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Label < out[j].Label
	})
	return out
}

func weekTable(labels []string, series []Series) []Bar {
	var out []Bar
	for i, l := range labels {
		sum := 0
		for _, s := range series {
			sum += s.Values[i]
		}
		if sum > 0 {
			out = append(out, Bar{Label: "第 " + l + " 周", Value: sum})
		}
	}
	return out
}

func dayTable(labels []string, v []int) []Bar {
	var out []Bar
	for i, l := range labels {
		if v[i] > 0 {
			out = append(out, Bar{Label: l, Value: v[i]})
		}
	}
	return out
}
