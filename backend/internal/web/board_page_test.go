package web_test

import (
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lawtrace/backend/internal/store"
)

var boardRowIDs = regexp.MustCompile(`<tr id="case-([^"]+)"`)

func pageIDs(body string) []string {
	var out []string
	for _, m := range boardRowIDs.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// SPEC D1 (issue 15): the board is paged and filtered by the server — page
// size and number, party, case number, officer, stage, the days a case was
// opened — and exports the filtered cases (every page) as CSV with a BOM,
// the export a row of the access register.
func TestBoardPagingFiltersAndExport(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	tm := e.terminal(71, "一中队 9 号")
	for i := range 5 {
		tm.push(t, tm.d.Case(fmt.Sprintf("P%d", i), 1)...) // 测试商户, opened 3月2日
		clk.Add(time.Minute)
	}
	clk.Add(48 * time.Hour)
	tm.push(t, tm.open("Q1", "张三小吃店", "15010001", "15010002"))
	clk.Add(time.Minute)
	tm.push(t, tm.open("Q2", "李四五金店", "15010003", "15010004"))
	sup := e.as("supervisor")

	for _, c := range []struct {
		query string
		want  []string
		page  string
	}{
		{"size=3", []string{"Q2", "Q1", "P4"}, "第 1 / 3 页"},
		{"size=3&page=2", []string{"P3", "P2", "P1"}, "第 2 / 3 页"},
		{"size=3&page=3", []string{"P0"}, "第 3 / 3 页"},
		{"size=3&page=9", []string{"P0"}, "第 3 / 3 页"},
		{"party=" + "小吃", []string{"Q1"}, "第 1 / 1 页"},
		{"case=p3", []string{"P3"}, "第 1 / 1 页"},
		{"officer=15010003", []string{"Q2"}, "第 1 / 1 页"},
		{"from=2026-03-04", []string{"Q2", "Q1"}, "第 1 / 1 页"},
		{"to=2026-03-02&size=2", []string{"P4", "P3"}, "第 1 / 3 页"},
		{"from=2026-03-03&to=2026-03-03", nil, "第 1 / 1 页"},
	} {
		body := sup.get("/board?" + c.query).body
		if got := pageIDs(body); strings.Join(got, ",") != strings.Join(c.want, ",") || !strings.Contains(body, c.page) {
			t.Errorf("%s: rows %v, want %v (%s)", c.query, got, c.want, c.page)
		}
		if !strings.Contains(body, `<b id="sum-cases">7</b>`) {
			t.Errorf("%s: the tiles do not count every case", c.query)
		}
	}
	if body := sup.get("/board?size=3&page=2").body; !strings.Contains(body, `href="?page=3&amp;size=3"`) || !strings.Contains(body, `href="?size=3"`) {
		t.Error("page 2 lacks its links to pages 1 and 3")
	}

	resp := sup.get("/board?to=2026-03-02&size=2&format=csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(resp.body, "\ufeff案件编号,当事人") {
		t.Fatalf("export: %d %q", resp.StatusCode, resp.body[:min(60, len(resp.body))])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[1][0] != "P4" || recs[5][0] != "P0" || recs[1][1] != "测试商户" || recs[1][11] != "链与签名完好" {
		t.Fatalf("export of the filtered cases, every page: %v", recs)
	}
	// the register says what was exported, each filter value quoted once
	if regs := registerRows(t, e, store.AccessFilter{Action: store.AccessExport}); len(regs) != 1 || !strings.Contains(regs[0].Reason, "导出案件看板 5 件案件（开始日期至\"2026-03-02\"）") {
		t.Fatalf("export rows in the access register: %+v", regs)
	}

	// An officer pages and exports only the cases they are on.
	body := e.as("officer").get("/board").body
	if got := pageIDs(body); len(got) != 6 || strings.Contains(strings.Join(got, ","), "Q2") {
		t.Errorf("the officer's board: %v", got)
	}
}

// SPEC D1 (issue 15), in Chromium: the board pages and filters on the
// server — the next page, a party typed into the filter — and live updates
// follow the page: a new case goes on top of the first page, which keeps
// its size, and a case outside the filter is only counted.
func TestBrowserBoardPagingAndFilter(t *testing.T) {
	needChromium(t)
	e := start(t, nil)
	tm := e.terminal(72, "一中队 10 号")
	for i := range 4 {
		tm.push(t, tm.d.Case(fmt.Sprintf("P%d", i), 1)...)
	}
	tm.push(t, tm.open("Q1", "张三小吃店", "15010001", "15010002"))
	browser := newChromium(t, 1280, 900)
	signIn(t, browser, e.url, "supervisor", "lawtrace-supervisor")
	order := func() string {
		return eval[string](t, browser, `Array.from(document.querySelectorAll("#rows > tr")).map(function (tr) { return tr.id }).join(",")`)
	}
	live := `document.getElementById("live").getAttribute("data-state") === "live-ok" && window.ltBoard.snapshots > 0`

	must(t, browser, chromedp.Navigate(e.url+"/board?size=2"))
	waitJS(t, browser, live)
	if got := order(); got != "case-Q1,case-P3" || text(t, browser, "#page") != "第 1 / 3 页" || text(t, browser, "#sum-cases") != "5" {
		t.Fatalf("first page: %s, %s", got, text(t, browser, "#page"))
	}
	must(t, browser, chromedp.Click(chromedp.ID("next")))
	waitJS(t, browser, `location.search.indexOf("page=2") >= 0 && document.readyState === "complete"`)
	waitJS(t, browser, live)
	if got := order(); got != "case-P2,case-P1" {
		t.Fatalf("second page: %s", got)
	}

	must(t, browser, chromedp.Navigate(e.url+"/board?size=2"))
	waitJS(t, browser, live)
	tm.push(t, tm.d.Case("N1", 1)...)
	waitJS(t, browser, `document.getElementById("sum-cases").textContent === "6"`)
	if got := order(); got != "case-N1,case-Q1" {
		t.Fatalf("a new case on the first page: %s", got)
	}

	must(t, browser, chromedp.SendKeys(chromedp.CSS(`input[name="party"]`), "小吃"), chromedp.Click(chromedp.CSS(`#filters button[type="submit"]`)))
	waitJS(t, browser, `location.search.indexOf("party=") >= 0 && document.readyState === "complete"`)
	waitJS(t, browser, live)
	if got := order(); got != "case-Q1" || text(t, browser, "#shown") != "共 1 / 6 件" {
		t.Fatalf("filtered by party: %s, %s", got, text(t, browser, "#shown"))
	}
	tm.push(t, tm.d.Case("N2", 1)...)
	waitJS(t, browser, `document.getElementById("sum-cases").textContent === "7"`)
	if got := order(); got != "case-Q1" || text(t, browser, "#shown") != "共 1 / 7 件" {
		t.Fatalf("a case outside the filter arrived: %s, %s", got, text(t, browser, "#shown"))
	}
}
