package web_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "github.com/mattn/go-sqlite3"

	"lawtrace/backend/internal/server"
)

// publicBrowser is Chromium with a viewport of w×h CSS pixels (headless
// windows are never narrower than 500 px, so a phone is emulated).
func publicBrowser(t *testing.T, w, h int) context.Context {
	t.Helper()
	ctx := newChromium(t, max(w, 800), h)
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if w < 500 {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	must(t, ctx, chromedp.EmulateViewport(int64(w), int64(h), opts...))
	return ctx
}

// publicShot takes a full-page screenshot, and saves it as
// public-NAME.png under LAWTRACE_SCREENSHOTS when set (docs/screens when
// refreshing the documentation); a plain test run leaves the tree alone.
func publicShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := screensDir
	c, cancel := within(ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "public-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// SPEC F3 P7 (issue 11): a credential QR from a real terminal resolves on
// the portal. The real lawtrace-fieldctl enrols and syncs; the terminal keeps
// the server's signature of each officer's credential; the URL the show-ID
// screen puts in the QR code opens in Chromium on a phone, says 有效 and
// 证件签名有效; a forged signature says 无效; the admin suspends the officer
// and the page, reloaded, says 暂停使用 within a second.
func TestBrowserPublicCredentialQR(t *testing.T) {
	needChromium(t)
	e := start(t, nil)
	ctx := context.Background()
	ec, err := server.NewEnrolCode(ctx, e.m.Data, "一中队 2 号执法仪", time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	mustFieldctl(t, home, "init", "--device-name", "一中队 2 号执法仪")
	mustFieldctl(t, home, "enroll", "--server", e.m.SyncURL(), "--code", ec.Code)
	mustFieldctl(t, home, "sync")

	// The terminal's own store (app/internal/field keeps settings in its
	// SQLite file; the show-ID screen reads this setting for the QR code).
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(home, "terminal.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var sig string
	err = db.QueryRow(`SELECT value FROM settings WHERE key = 'credential_sig.15010001'`).Scan(&sig)
	db.Close()
	if err != nil || sig == "" {
		t.Fatalf("the terminal has no credential signature after sync: %q %v", sig, err)
	}
	o := officerItem(t, e, "15010001")
	// What app/internal/ui credentialPayload builds: ws://host/sync →
	// http://host/public/officers/CERT?exp=…&sig=…
	u, _ := url.Parse(e.m.SyncURL())
	u.Scheme, u.Path = "http", "/public/officers/15010001"
	u.RawQuery = url.Values{"exp": {o.Expires}, "sig": {sig}}.Encode()
	qr := u.String()

	phone := publicBrowser(t, 360, 740)
	must(t, phone, chromedp.Navigate(qr))
	waitJS(t, phone, `document.getElementById("credential-status")`)
	if got := eval[string](t, phone, `document.getElementById("credential-status").dataset.state`); got != "valid" {
		t.Fatalf("state %q", got)
	}
	if got := text(t, phone, "#sig-result"); !strings.Contains(got, "证件签名有效") {
		t.Fatalf("signature: %q", got)
	}
	// Nothing loaded from anywhere but this server, and no cookie.
	if n := eval[int](t, phone, `performance.getEntriesByType("resource").filter(r => !r.name.startsWith(location.origin)).length`); n != 0 {
		t.Errorf("%d resources from elsewhere", n)
	}
	if c := eval[string](t, phone, `document.cookie`); c != "" {
		t.Errorf("cookies %q", c)
	}
	if w := eval[int](t, phone, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the officer page is %dpx wide on a 360px phone", w)
	}
	publicShot(t, phone, "officer-phone")

	forged := strings.Replace(qr, "sig=", "sig=A", 1)
	must(t, phone, chromedp.Navigate(forged))
	waitJS(t, phone, `document.getElementById("sig-result")`)
	if got := text(t, phone, "#sig-result"); !strings.Contains(got, "证件签名无效") {
		t.Fatalf("forged signature: %q", got)
	}
	publicShot(t, phone, "officer-forged-phone")

	adm := e.as("admin")
	form := url.Values{"name": {o.Name}, "unit": {o.Unit}, "category": {o.Category}, "area": {o.Area}, "expires": {o.Expires}, "suspended": {"yes"}}
	if r := adm.post("/admin/officers/15010001", form); r.StatusCode != 303 {
		t.Fatalf("suspend: %d", r.StatusCode)
	}
	at := time.Now()
	must(t, phone, chromedp.Navigate(qr))
	waitJS(t, phone, `document.getElementById("credential-status") && document.getElementById("credential-status").dataset.state === "suspended"`)
	if d := time.Since(at); d > time.Second {
		t.Errorf("the suspension showed after %v", d)
	}
	if got := text(t, phone, "#credential-status"); !strings.Contains(got, "暂停使用") {
		t.Errorf("suspended page says %q", got)
	}
	publicShot(t, phone, "officer-suspended-phone")
}

// SPEC P1: every public page on a 360×740 phone (no sideways scrolling, the
// flowchart legible) and on a desktop, with screenshots in docs/screens.
func TestBrowserPublicPages(t *testing.T) {
	needChromium(t)
	e := start(t, nil)
	pages := []struct{ name, path string }{
		{"home", "/public/"},
		{"agency", "/public/agency"},
		{"officers", "/public/officers"},
		{"powers", "/public/powers"},
		{"procedures", "/public/procedures"},
		{"flowchart", "/public/procedures/inspection"},
		{"review", "/public/review-catalog"},
		{"guides", "/public/guides"},
		{"forms", "/public/forms"},
		{"verify", "/public/verify"},
		{"notfound", "/public/officers/99999999"},
	}
	shots := map[string]bool{"home": true, "officers": true, "flowchart": true, "guides": true, "agency": true, "notfound": true}
	for _, size := range []struct {
		name string
		w, h int
	}{{"phone", 360, 740}, {"desktop", 1280, 900}} {
		b := publicBrowser(t, size.w, size.h)
		for _, p := range pages {
			must(t, b, chromedp.Navigate(e.url+p.path))
			waitJS(t, b, `document.readyState === "complete" && document.querySelector(".pub-main")`)
			// The stylesheet applied (the brand bar is coloured).
			if bg := eval[string](t, b, `getComputedStyle(document.querySelector(".pub-top")).backgroundColor`); bg != "rgb(155, 28, 28)" {
				t.Errorf("%s %s: public.css not applied (%s)", size.name, p.path, bg)
			}
			if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > size.w {
				t.Errorf("%s %s: %dpx wide in a %dpx window", size.name, p.path, w, size.w)
			}
			if p.name == "flowchart" {
				// the boxes' text is at least 10 CSS px on a phone
				scale := eval[float64](t, b, `document.querySelector("svg.flowchart").getBoundingClientRect().width / 360`)
				if 12*scale < 10 {
					t.Errorf("%s: flowchart text %.1fpx", size.name, 12*scale)
				}
			}
			if shots[p.name] {
				publicShot(t, b, p.name+"-"+size.name)
			}
		}
		// Search on the officers page.
		must(t, b, chromedp.Navigate(e.url+"/public/officers"),
			chromedp.WaitVisible(chromedp.ID("q")),
			chromedp.SendKeys(chromedp.ID("q"), "赵"),
			chromedp.Submit(chromedp.ID("q")))
		waitJS(t, b, `location.search.includes("q=") && document.querySelectorAll(".pub-officers tbody tr").length === 1`)
		if got := text(t, b, ".pub-officers tbody"); !strings.Contains(got, "赵丽") {
			t.Errorf("search result %q", got)
		}
	}
}
