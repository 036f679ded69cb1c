package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lawtrace/backend/internal/web"
)

// SPEC P2 P3 (issue 11): the list of published decisions, a search and a
// decision's page on a 360×740 phone and a 1280×900 desktop in Chromium —
// the stylesheet applied, no sideways scrolling, the correction form
// reachable, no cookie, nothing from another origin, no personal data on
// the screen; screenshots docs/screens/public-decisions*.png only under
// LAWTRACE_SCREENSHOTS.
func TestBrowserPublicDecisions(t *testing.T) {
	needChromium(t)
	clk := &clock{t: time.Date(2025, 6, 3, 10, 0, 0, 0, cstZone)}
	e := start(t, clk)
	ids := seedPublicity(t, web.PublicityService(e.m.Data.Store, clk.Now))
	rv := e.as("reviewer")
	for _, n := range []string{"呼市监罚〔2025〕101号", "呼市监罚〔2025〕102号", "呼市监许〔2025〕7号"} {
		if r := rv.post("/publicity/"+itoa64(ids[n])+"/approve", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve %s: %d", n, r.StatusCode)
		}
	}
	person := "/public/decisions/" + itoa64(ids["呼市监罚〔2025〕101号"])
	for _, size := range []struct {
		name string
		w, h int
	}{{"phone", 360, 740}, {"desktop", 1280, 900}} {
		b := publicBrowser(t, size.w, size.h)
		check := func(path string) string {
			t.Helper()
			must(t, b, chromedp.Navigate(e.url+path))
			waitJS(t, b, `document.readyState === "complete" && document.querySelector("main.pub")`)
			if bg := eval[string](t, b, `getComputedStyle(document.querySelector(".pub-top")).backgroundColor`); bg != "rgb(163, 22, 27)" {
				t.Errorf("%s %s: public-decisions.css not applied (%s)", size.name, path, bg)
			}
			if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > size.w {
				t.Errorf("%s %s: %dpx wide in a %dpx window", size.name, path, w, size.w)
			}
			if n := eval[int](t, b, `performance.getEntriesByType("resource").filter(r => !r.name.startsWith(location.origin)).length`); n != 0 {
				t.Errorf("%s %s: %d resources from elsewhere", size.name, path, n)
			}
			if c := eval[string](t, b, `document.cookie`); c != "" {
				t.Errorf("%s %s: cookies %q", size.name, path, c)
			}
			body := eval[string](t, b, `document.body.innerText`)
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("%s %s shows %q", size.name, path, s)
				}
			}
			return body
		}
		list := check("/public/decisions")
		if n := eval[int](t, b, `document.querySelectorAll("#decisions li").length`); n != 3 || !strings.Contains(list, "张某") {
			t.Errorf("%s list: %d items: %s", size.name, n, list)
		}
		// the search fields are usable on a phone: at least 44 px high
		if hgt := eval[float64](t, b, `document.querySelector(".pub-search input").getBoundingClientRect().height`); hgt < 44 {
			t.Errorf("%s: search field %.0fpx high", size.name, hgt)
		}
		publicShot(t, b, "decisions-"+size.name)

		must(t, b, chromedp.SendKeys(`input[name="org"]`, "青城餐饮"), chromedp.Submit(`input[name="org"]`))
		waitJS(t, b, `location.search.includes("org=") && document.querySelectorAll("#decisions li").length === 1`)
		if got := text(t, b, "#decisions"); !strings.Contains(got, "呼和浩特市青城餐饮有限公司") {
			t.Errorf("%s search: %q", size.name, got)
		}
		// a person's name finds nothing, and is not echoed back
		must(t, b, chromedp.Navigate(e.url+"/public/decisions?org="+url.QueryEscape("张三")))
		waitJS(t, b, `document.readyState === "complete" && document.querySelector("#result-count")`)
		if got := text(t, b, "#result-count"); !strings.Contains(got, "0") || eval[string](t, b, `document.querySelector('input[name="org"]').value`) != "" {
			t.Errorf("%s: a person's name searched: %q", size.name, got)
		}

		page := check(person)
		for _, want := range []string{"呼市监罚〔2025〕101号", "张某", "［身份证号码已隐去］", "申请更正"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s decision page lacks %q", size.name, want)
			}
		}
		if vis := eval[bool](t, b, `(() => { const t = document.querySelector("textarea[name=text]"); return !!t && t.getBoundingClientRect().width > 0 && t.getBoundingClientRect().right <= window.innerWidth })()`); !vis {
			t.Errorf("%s: the correction form does not fit", size.name)
		}
		publicShot(t, b, "decisions-item-"+size.name)
	}

	// SPEC P6: the year's statistics, once published, read on a phone too
	clk.Add(time.Date(2026, 1, 5, 10, 0, 0, 0, cstZone).Sub(clk.Now()))
	rv, sup := e.as("reviewer"), e.as("supervisor")
	if r := rv.post("/publicity/annual/2025/generate", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("generate: %d", r.StatusCode)
	}
	if r := sup.post("/publicity/annual/2025/approve", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	for _, size := range []struct {
		name string
		w, h int
	}{{"phone", 360, 740}, {"desktop", 1280, 900}} {
		b := publicBrowser(t, size.w, size.h)
		must(t, b, chromedp.Navigate(e.url+"/public/statistics/2025"))
		waitJS(t, b, `document.readyState === "complete" && document.querySelector("#not-recorded")`)
		if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > size.w {
			t.Errorf("%s statistics: %dpx wide in a %dpx window", size.name, w, size.w)
		}
		if n := eval[int](t, b, `document.querySelectorAll(".annual-table").length`); n != 7 {
			t.Errorf("%s statistics: %d tables", size.name, n)
		}
		publicShot(t, b, "statistics-"+size.name)
	}
}
