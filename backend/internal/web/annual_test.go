package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/web"
)

func init() {
	// the access rules of the annual statistics and the publicity settings (annual.go)
	for p, who := range map[string][]string{
		"GET /public/statistics":                   {""},
		"GET /public/statistics/{year}":            {""},
		"GET /public/statistics/{year}/report.pdf": {""},
		"GET /publicity/annual":                    {"supervisor", "reviewer"},
		"GET /publicity/annual/{year}":             {"supervisor", "reviewer"},
		"POST /publicity/annual/{year}/generate":   {"supervisor", "reviewer"},
		"POST /publicity/annual/{year}/approve":    {"supervisor", "reviewer"},
		"GET /admin/publicity-settings":            {"admin"},
		"POST /admin/publicity-settings":           {"admin"},
	} {
		intended[p] = who
	}
}

// SPEC P6 D5 P3 (issue 11): the year's statistics are generated from the
// data only once the year is over, reviewed, published as a page and a PDF
// with no personal data, and their deadline — 20 January by default, 31
// January as the administrator's setting (recorded in the audit log) — is
// on the monitor with the imported decisions' and the correction requests'.
func TestPublicityAnnualStatistics(t *testing.T) {
	clk := &clock{t: time.Date(2025, 6, 3, 10, 0, 0, 0, cstZone)}
	e := start(t, clk)
	ctx := context.Background()
	onSpotCase(t, e, 91, "20250603-a0000001") // a 200 yuan on-the-spot fine
	svc := web.PublicityService(e.m.Data.Store, clk.Now)
	ids := seedPublicity(t, svc)
	rv := e.as("reviewer")
	if r := rv.post("/publicity/"+itoa64(ids["呼市监罚〔2025〕102号"])+"/approve", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	if r := rv.post("/publicity/annual/2025/generate", url.Values{}); r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "尚未结束") {
		t.Fatalf("generated before the year is over: %d", r.StatusCode)
	}

	clk.Add(time.Date(2026, 1, 5, 10, 0, 0, 0, cstZone).Sub(clk.Now()))
	sup, rv, off := e.as("supervisor"), e.as("reviewer"), e.as("officer")
	mon := sup.get("/deadlines?state=")
	// each agency deadline links to the page where it is handled
	for _, want := range []string{"年度统计-2025", "公开 2025 年度行政执法总体情况数据（次年 1 月 20 日前）", "公示-" + itoa64(ids["呼市监罚〔2025〕101号"]), "年度统计数据公开",
		`href="/publicity/annual/2025"`, `href="/publicity/` + itoa64(ids["呼市监罚〔2025〕101号"]) + `"`} {
		if !strings.Contains(mon.body, want) {
			t.Errorf("monitor lacks %q", want)
		}
	}
	if o := off.get("/deadlines?state="); strings.Contains(o.body, "年度统计-2025") || strings.Contains(o.body, "公示-") {
		t.Error("an officer's monitor lists the agency's publicity deadlines")
	}
	if r := e.anonymous().get("/public/statistics/2025"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("public before review: %d", r.StatusCode)
	}
	note := "统计口径说明。联系人：张三，电话13912345678，身份证号110105199003071239。"
	if r := rv.post("/publicity/annual/2025/generate", url.Values{"note": {note}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("generate: %d %s", r.StatusCode, r.body)
	}
	pv := rv.get("/publicity/annual/2025")
	for _, want := range []string{"简易程序当场作出的行政处罚决定", "200.00", "行政复议", "待审核"} {
		if !strings.Contains(pv.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if r := e.anonymous().get("/public/statistics/2025"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("public before approval: %d", r.StatusCode)
	}
	if r := sup.post("/publicity/annual/2025/approve", url.Values{"note": {"同意"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.StatusCode, r.body)
	}
	if r := rv.post("/publicity/annual/2025/generate", url.Values{}); r.StatusCode != http.StatusConflict {
		t.Fatalf("regenerated after publication: %d", r.StatusCode)
	}

	anon := e.anonymous()
	page := anon.get("/public/statistics/2025")
	list := anon.get("/public/statistics")
	pdf := anon.get("/public/statistics/2025/report.pdf")
	if page.StatusCode != 200 || list.StatusCode != 200 || pdf.StatusCode != 200 {
		t.Fatalf("public: %d %d %d", page.StatusCode, list.StatusCode, pdf.StatusCode)
	}
	for _, r := range []response{page, list, pdf} {
		if c := r.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("a cookie on a public page: %v", c)
		}
	}
	if !strings.Contains(list.body, "/public/statistics/2025") || !strings.HasPrefix(pdf.body, "%PDF-") || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("list or PDF: %s", list.body)
	}
	for _, want := range []string{"2025 年度行政执法数据统计", "简易程序当场作出的行政处罚决定", "200.00", "未纳入统计的事项", "行政复议", "统计口径说明", "张某"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	texts := []string{page.body, list.body}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "a.pdf")
		if err := os.WriteFile(f, []byte(pdf.body), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "当场作出的行政处罚决定") || !strings.Contains(string(out), "200.00") {
			t.Errorf("PDF text: %s", out)
		}
		texts = append(texts, string(out))
		if screensDir != "" { // the first page, to look at (LAWTRACE_SCREENSHOTS=docs/screens)
			if err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", f, filepath.Join(screensDir, "public-annual-pdf")).Run(); err != nil {
				t.Error(err)
			}
		}
	}
	for _, b := range texts {
		for _, s := range []string{"13912345678", "110105199003071239", "张三"} {
			if strings.Contains(b, s) {
				t.Errorf("%q is public", s)
			}
		}
	}
	if mon := sup.get("/deadlines?kind=annual_report&state=met"); !strings.Contains(mon.body, "年度统计-2025") {
		t.Error("the published report's deadline is not met on the monitor")
	}

	// the administrator's settings, in the audit log; others may not
	adm := e.as("admin")
	if r := rv.post("/admin/publicity-settings", url.Values{"annual_due": {"01-31"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("reviewer changed the settings: %d", r.StatusCode)
	}
	if r := adm.post("/admin/publicity-settings", url.Values{"person_years": {"9"}}); r.StatusCode != http.StatusConflict {
		t.Fatalf("9 years: %d", r.StatusCode)
	}
	if r := adm.post("/admin/publicity-settings", url.Values{"person_years": {"3"}, "annual_due": {"01-31"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("settings: %d %s", r.StatusCode, r.body)
	}
	if v, _ := e.m.Data.Store.Setting(ctx, "publicity_person_years"); v != "3" {
		t.Errorf("person years %q", v)
	}
	audit, _ := e.m.Data.Store.AuditRecords(ctx, 10)
	found := false
	for _, a := range audit {
		if a.Action == "settings_publicity" && strings.Contains(a.Detail, "publicity_annual_due=01-31") && a.Username == "admin" {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit record: %+v", audit)
	}
	if q := sup.get("/publicity/annual"); !strings.Contains(q.body, "1 月 31 日前") {
		t.Errorf("the queue does not follow the setting")
	}
	if mon := sup.get("/deadlines?kind=annual_report&state="); !strings.Contains(mon.body, "次年 1 月 31 日前") {
		t.Errorf("the monitor does not follow the setting")
	}
}
