package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/store"
)

var chinaTime = time.FixedZone("CST", 8*3600)

var securityRowIDs = regexp.MustCompile(`<tr id="security-\d+"`)

// recordSecurityEvents stores n events an hour apart from the day before
// yesterday (China time): even ones refused signatures from 10.0.0.x, odd
// ones broken chains of terminal D…n.
func recordSecurityEvents(t testing.TB, st store.Backend, n int, since time.Time) {
	t.Helper()
	for i := range n {
		ev := store.SecurityEvent{At: since.Add(time.Duration(i) * time.Hour), Remote: fmt.Sprintf("10.0.0.%d", i%3), Kind: "bad_signature", Detail: fmt.Sprintf("event %d", i)}
		if i%2 == 1 {
			ev.Kind, ev.DeviceID = "bad_entry", fmt.Sprintf("D00ab%04d", i)
		}
		if err := st.RecordSecurityEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

// SPEC S6 (issue 15): the security log is paged and filtered on the server
// (kind, device, address, days) and exports the filtered events as CSV.
func TestSecurityLogPagingFilterAndExport(t *testing.T) {
	e := start(t, nil)
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, chinaTime)
	recordSecurityEvents(t, e.m.Data.Store, 30, since)
	admin := e.as("admin")
	for _, c := range []struct {
		query string
		rows  int
		page  string
		first string
	}{
		{"kind=bad_signature&size=20", 15, "第 1 / 1 页", "event 28"},
		{"kind=bad_entry&size=20&page=1", 15, "共 15 条", "event 29"},
		{"device=00AB001&size=20", 5, "第 1 / 1 页", "event 19"},
		{"remote=10.0.0.2&kind=bad_signature&size=20", 5, "共 5 条", "event 26"},
		{"from=2026-03-01&to=2026-03-01&kind=bad_signature&size=20", 12, "共 12 条", "event 22"},
		{"kind=bad_signature&size=20&page=9", 15, "第 1 / 1 页", "event 28"},
	} {
		body := admin.get("/admin/security?" + c.query).body
		if got := len(securityRowIDs.FindAllString(body, -1)); got != c.rows || !strings.Contains(body, c.page) || !strings.Contains(body, c.first) {
			t.Errorf("%s: %d rows, want %d (%s, %s)", c.query, got, c.rows, c.page, c.first)
		}
	}
	// The pages: the links keep the filter.
	first := admin.get("/admin/security?kind=bad_entry&size=20").body
	if !strings.Contains(first, "第 1 / 1 页") {
		t.Fatal("one page of broken chains")
	}
	paged := admin.get("/admin/security?size=20").body
	if !strings.Contains(paged, "第 1 / 2 页") || !strings.Contains(paged, `href="?page=2&amp;size=20"`) {
		t.Fatal("no link to the second page")
	}
	if n := len(securityRowIDs.FindAllString(admin.get("/admin/security?size=20&page=2").body, -1)); n < 10 {
		t.Fatalf("second page: %d rows", n)
	}
	if body := admin.get("/admin/security?from=2026-3-1").body; !strings.Contains(body, "日期格式应为") {
		t.Fatal("a bad day is not refused in Chinese")
	}
	resp := admin.get("/admin/security?kind=bad_entry&remote=10.0.0.1&format=csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(resp.body, "\ufeff编号,首次时间") {
		t.Fatalf("export: %d %q", resp.StatusCode, resp.body[:min(60, len(resp.body))])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[1][4] != "记录的哈希、链或签名验证失败" || recs[1][6] != "D00ab0025" || recs[1][8] != "event 25" {
		t.Fatalf("export of the filtered events: %v", recs)
	}
	if !strings.Contains(admin.get("/admin/security").body, "导出安全日志") {
		t.Fatal("the export is not among the administrators' actions")
	}
}
