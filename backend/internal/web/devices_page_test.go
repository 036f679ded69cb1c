package web_test

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var deviceRowIDs = regexp.MustCompile(`<tr id="device-([^"]+)"`)

// SPEC D3 (issue 15): the device page is paged and filtered on the server
// (a part of the name or id, the state) and exports the filtered terminals
// as CSV with a BOM.
func TestDevicePagingFilterAndExport(t *testing.T) {
	e := start(t, nil)
	for i := range 5 {
		unit := "一中队"
		if i >= 3 {
			unit = "二中队"
		}
		tm := e.terminal(uint64(80+i), fmt.Sprintf("%s %d 号", unit, i))
		tm.push(t, tm.d.Case(fmt.Sprintf("D%d", i), 1)...)
	}
	admin := e.as("admin")
	for _, c := range []struct {
		query string
		rows  int
		page  string
	}{
		{"size=2", 2, "第 1 / 3 页"},
		{"size=2&page=3", 1, "第 3 / 3 页"},
		{"q=" + "二中队", 2, "第 1 / 1 页"},
		{"state=" + "已停用", 0, "第 1 / 1 页"},
		{"state=" + "正常" + "&size=4", 4, "第 1 / 2 页"},
	} {
		body := admin.get("/admin/devices?" + c.query).body
		if got := len(deviceRowIDs.FindAllString(body, -1)); got != c.rows || !strings.Contains(body, c.page) {
			t.Errorf("%s: %d rows, want %d (%s)", c.query, got, c.rows, c.page)
		}
	}
	resp := admin.get("/admin/devices?q=" + "一中队" + "&format=csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(resp.body, "\ufeff设备名称,设备编号") {
		t.Fatalf("export: %d %q", resp.StatusCode, resp.body[:min(60, len(resp.body))])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || !strings.HasPrefix(recs[1][0], "一中队") || recs[1][2] != "正常" {
		t.Fatalf("export of the filtered terminals: %v", recs)
	}
}

// SPEC R7 (issue 15): the access register is paged on the server, newest
// first, the filter kept in the links.
func TestRegisterPaging(t *testing.T) {
	e := start(t, nil)
	caseWithMedia(t, e)
	sup := e.as("supervisor")
	for i := range 4 {
		sup.post("/cases/C1/access", url.Values{"purpose": {"supervision"}, "reason": {fmt.Sprintf("第 %d 次督查", i)}})
	}
	rows := regexp.MustCompile(`<tr class="act-`)
	first := sup.get("/access?case=C1&size=3").body
	if n := len(rows.FindAllString(first, -1)); n != 3 || !strings.Contains(first, "第 1 / 2 页") || !strings.Contains(first, `href="?case=C1&amp;page=2&amp;size=3"`) {
		t.Fatalf("first page: %d rows", n)
	}
	second := sup.get("/access?case=C1&size=3&page=2").body
	if n := len(rows.FindAllString(second, -1)); n < 1 || !strings.Contains(second, "第 2 / 2 页") || !strings.Contains(second, "第 0 次督查") {
		t.Fatalf("second page: %d rows", n)
	}
}
