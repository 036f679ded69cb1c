package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// SPEC R6 (003 §27, §29; issue 10): the retention page shows a head what
// is due for disposal and every stored file with its rule on request; an
// officer may not see it.
func TestRetentionPage(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	e.terminalRecordedAgo(74, "patrol-retention", 0, "20260302-re7e0001", "某商店")
	page := e.as("supervisor").get("/review/retention")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "保存期满待销毁 <b>0</b> 个") || !strings.Contains(page.body, `id="retention-none"`) {
		t.Fatalf("retention page %d %s", page.StatusCode, page.body)
	}
	all := e.as("supervisor").get("/review/retention?all=1")
	if !strings.Contains(all.body, "20260302-re7e0001") || !strings.Contains(all.body, "音像记录") || !strings.Contains(all.body, "保存期限内") {
		t.Fatalf("all files: %s", all.body)
	}
	if off := e.as("officer").get("/review/retention"); off.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer sees the retention page: %d", off.StatusCode)
	}
}
