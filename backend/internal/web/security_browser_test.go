package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// SPEC S6 (issue 15): in a browser, the security log's filter form
// narrows the events on the server and the pager walks the pages with the
// filter kept.
func TestBrowserSecurityLogFilterAndPaging(t *testing.T) {
	needChromium(t)
	e := start(t, nil)
	recordSecurityEvents(t, e.m.Data.Store, 30, time.Date(2026, 3, 1, 0, 0, 0, 0, chinaTime))
	browser := newChromium(t, 1280, 900)
	signIn(t, browser, e.url, "admin", "lawtrace-admin")
	must(t, browser, chromedp.Navigate(e.url+"/admin/security"), chromedp.WaitVisible(chromedp.ID("security-filters")))
	if s := text(t, browser, "#security-shown"); s != "共 30 条" {
		t.Fatalf("before filtering: %q", s)
	}
	must(t, browser,
		chromedp.SetValue(`#security-filters select[name="kind"]`, "bad_entry"),
		chromedp.SetValue(`#security-filters select[name="size"]`, "20"),
		chromedp.SendKeys(`#security-filters input[name="remote"]`, "10.0.0.1"),
		chromedp.Click(`#security-filters button[type="submit"]`),
	)
	waitJS(t, browser, `location.search.includes("kind=bad_entry") && document.readyState === "complete"`)
	if s := text(t, browser, "#security-shown"); s != "共 5 条" {
		t.Fatalf("bad_entry from 10.0.0.1: %q", s)
	}
	if n := eval[int](t, browser, `document.querySelectorAll("#security-events tr[id^=security-]").length`); n != 5 {
		t.Fatalf("%d rows shown", n)
	}
	// Every address: 15 broken chains, paged by 10.
	must(t, browser,
		chromedp.Navigate(e.url+"/admin/security?kind=bad_entry&size=10"),
		chromedp.WaitVisible(chromedp.ID("security-next")),
	)
	if s := text(t, browser, "#security-page"); s != "第 1 / 2 页" {
		t.Fatalf("pager %q", s)
	}
	must(t, browser, chromedp.Click(chromedp.ID("security-next")))
	waitJS(t, browser, `location.search.includes("page=2") && document.readyState === "complete"`)
	if s := text(t, browser, "#security-page"); s != "第 2 / 2 页" {
		t.Fatalf("pager after next %q", s)
	}
	if n := eval[int](t, browser, `document.querySelectorAll("#security-events tr[id^=security-]").length`); n != 5 ||
		eval[string](t, browser, `document.querySelector('#security-filters select[name="kind"]').value`) != "bad_entry" {
		t.Fatalf("second page: %d rows, or the filter was lost", n)
	}
}
