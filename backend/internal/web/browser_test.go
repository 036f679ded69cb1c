package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"

	"lawtrace/shared/testtool"
)

// End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium)
// driven from Go, against a real server on loopback and the real
// lawtrace-fieldctl binary, built once in TestMain.

const chromiumPath = "/usr/bin/chromium"

var fieldctlBin string

// screensDir, when set (LAWTRACE_SCREENSHOTS=docs/screens), receives the
// screenshots of TestBrowserScreenshots.
var screensDir = os.Getenv("LAWTRACE_SCREENSHOTS")

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "lawtrace-web-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fieldctlBin = filepath.Join(dir, "lawtrace-fieldctl")
	cmd := exec.Command("go", "build", "-o", fieldctlBin, "lawtrace/app/cmd/lawtrace-fieldctl")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building lawtrace-fieldctl:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needChromium stops a browser test when Chromium is not installed: a
// skip on a developer's machine, a failure under CI=true.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		testtool.Missing(t, chromiumPath+" is not installed (apt-get install chromium fonts-noto-cjk)")
	}
}

// newChromium starts a headless Chromium with a fresh profile and returns
// a context for its first tab; more tabs come from newTab.
func newChromium(t *testing.T, width, height int) context.Context {
	t.Helper()
	needChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// newTab opens a tab in its own browser context (its own cookies), so two
// people can be signed in at once.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// within bounds one step; the browser's own context has no deadline.
func within(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

func must(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := within(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	c, cancel := within(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is truthy, across page loads
// (an evaluation during a navigation just tries again).
func waitJS(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		c, cancel := within(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](`(function(){ try { return !!(`+js+`) } catch (e) { return false } })()`))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: %v", js, last)
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	c, cancel := within(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

func signIn(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	must(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	must(t, ctx, chromedp.Click(chromedp.ID("login")))
	waitJS(t, ctx, `location.pathname !== "/login" && document.readyState === "complete"`)
}

// fieldctl runs the real terminal command line.
func fieldctl(t *testing.T, home string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(fieldctlBin, append([]string{"--home", home}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		return out.String() + errOut.String(), fmt.Errorf("lawtrace-fieldctl %s: %w: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

func mustFieldctl(t *testing.T, home string, args ...string) string {
	t.Helper()
	out, err := fieldctl(t, home, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newCase opens an inspection case on the terminal and records show_id
// with a playable recording; it returns the case id.
func newCase(t *testing.T, home, party, audioFile string) string {
	t.Helper()
	out := mustFieldctl(t, home, "case", "new", "--type", "inspection", "--party", party, "--party-kind", "org",
		"--officer", "15010001", "--officer", "15010002", "--place", "呼和浩特市新城区中山东路 88 号", "--json")
	var c struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.ID == "" {
		t.Fatalf("case new: %q %v", out, err)
	}
	mustFieldctl(t, home, "step", c.ID, "show_id", "--by", "15010001", "--attach-as", "audio="+audioFile, "--caption", "出示执法证件时的同步录音")
	return c.ID
}

// SPEC D1 D2 D3 R7 S6, end to end in Chromium: a supervisor watches the
// board; an administrator enrols a terminal from the device page; the real
// lawtrace-fieldctl enrols, records and syncs, and the board shows the case
// without a reload; the supervisor states a reason, opens the case, plays
// its recording, and the register has the view and the playback with the
// reason; the administrator revokes the terminal and its next sync is
// refused.
func TestBrowserEndToEnd(t *testing.T) {
	needChromium(t)
	e := start(t, nil)
	browser := newChromium(t, 1280, 900)
	sup := newTab(t, browser)
	adm := newTab(t, browser)

	signIn(t, sup, e.url, "supervisor", "lawtrace-supervisor")
	waitJS(t, sup, `location.pathname === "/board" && document.getElementById("live").getAttribute("data-state") === "live-ok"`)
	must(t, sup, chromedp.Evaluate[chromedp.Void](`window.__sameDocument = "yes"; undefined`))

	// The administrator makes an enrolment code on the device page.
	signIn(t, adm, e.url, "admin", "lawtrace-admin")
	must(t, adm,
		chromedp.Navigate(e.url+"/admin/devices"),
		chromedp.WaitVisible(chromedp.ID("device-name")),
		chromedp.SendKeys(chromedp.ID("device-name"), "一中队 1 号执法仪"),
		chromedp.Click(chromedp.ID("enrol")),
		chromedp.WaitVisible(chromedp.ID("enrol-code")),
	)
	code := strings.TrimSpace(text(t, adm, "#enrol-code"))
	if len(code) != 14 {
		t.Fatalf("enrolment code %q", code)
	}
	if w := eval[int](t, adm, `document.getElementById("enrol-qr").naturalWidth`); w < 100 {
		t.Fatalf("QR image width %d", w)
	}
	server := strings.TrimSpace(text(t, adm, "#enrol-server"))

	// The terminal: the real binary.
	home := t.TempDir()
	audio := filepath.Join(t.TempDir(), "statement.wav")
	if err := os.WriteFile(audio, wav(2), 0o600); err != nil {
		t.Fatal(err)
	}
	mustFieldctl(t, home, "init", "--device-name", "一中队 1 号执法仪")
	mustFieldctl(t, home, "enroll", "--server", server, "--code", code)
	mustFieldctl(t, home, "sync") // officers and procedures come down
	caseID := newCase(t, home, "新城区惠民超市", audio)
	mustFieldctl(t, home, "sync")

	// The board shows it, live.
	waitJS(t, sup, fmt.Sprintf(`document.getElementById("case-%s") !== null`, caseID))
	if eval[string](t, sup, `window.__sameDocument`) != "yes" {
		t.Fatal("the board reloaded")
	}
	row := eval[string](t, sup, fmt.Sprintf(`document.getElementById("case-%s").textContent`, caseID)) // read at once: a later update replaces the row
	for _, want := range []string{"新城区惠民超市", "行政检查", "王强", "现场核查", "权利告知"} {
		if !strings.Contains(row, want) {
			t.Errorf("board row lacks %q: %s", want, row)
		}
	}
	if n := eval[int](t, sup, `window.ltBoard.updates`); n < 1 {
		t.Fatalf("%d live updates", n)
	}

	// Open the case: first the reason, then the timeline; play the audio.
	must(t, sup, chromedp.Click(chromedp.CSS("#case-"+caseID+" a.case-link")))
	waitJS(t, sup, `document.getElementById("reason") !== null`)
	must(t, sup,
		chromedp.SendKeys(chromedp.ID("reason"), "督查现场亮证录音"),
		chromedp.Click(chromedp.ID("open-case")),
	)
	waitJS(t, sup, `document.querySelector("ol.timeline") !== null && document.querySelector("audio.player") !== null`)
	if s := text(t, sup, "#verify-summary"); !strings.Contains(s, "2/2") {
		t.Errorf("verification summary %q", s)
	}
	must(t, sup, chromedp.Evaluate[chromedp.Void](`document.querySelector("audio.player").play(); undefined`))
	waitJS(t, sup, `(function(a){ return a.currentTime > 0.2 && a.duration > 1.9 && a.duration < 2.1 })(document.querySelector("audio.player"))`)

	// The register has the view and the playback, with the reason.
	must(t, sup, chromedp.Navigate(e.url+"/access?case="+caseID), chromedp.WaitVisible(chromedp.CSS("table.register")))
	reg := text(t, sup, "table.register")
	for _, want := range []string{"查看案卷", "查看/播放文件", "督查现场亮证录音", "张建国（大队长）"} {
		if !strings.Contains(reg, want) {
			t.Errorf("register page lacks %q: %s", want, reg)
		}
	}
	recs := registerRows(t, e, store.AccessFilter{CaseID: caseID})
	if len(recs) != 2 || recs[0].Action != store.AccessView || recs[1].Action != store.AccessPlay || recs[1].Reason != "督查现场亮证录音" {
		t.Fatalf("register %+v", recs)
	}

	// The administrator suspends a credential on the officer page; the
	// terminal gets it by down-sync and refuses it on a new case (SPEC D4).
	must(t, adm,
		chromedp.Navigate(e.url+"/admin/officers/15010004"),
		chromedp.WaitVisible(chromedp.CSS("input[name=suspended]")),
		chromedp.Click(chromedp.CSS("input[name=suspended]")),
		chromedp.Click(chromedp.CSS("form.grid-form button")),
	)
	waitJS(t, adm, `document.querySelector(".flash") !== null && document.querySelector(".flash").textContent.indexOf("第 2 版") >= 0`)
	mustFieldctl(t, home, "sync")
	var officers []struct {
		Cert      string `json:"cert"`
		Suspended bool   `json:"suspended"`
	}
	if err := json.Unmarshal([]byte(mustFieldctl(t, home, "officer", "list", "--json")), &officers); err != nil {
		t.Fatal(err)
	}
	suspended := false
	for _, o := range officers {
		suspended = suspended || o.Cert == "15010004" && o.Suspended
	}
	if !suspended {
		t.Fatalf("the terminal did not get the suspension: %+v", officers)
	}
	if out, err := fieldctl(t, home, "case", "new", "--type", "inspection", "--party", "某商户", "--party-kind", "org", "--officer", "15010004"); err == nil || !strings.Contains(out, "suspended") {
		t.Fatalf("a suspended credential opened a case: %v %s", err, out)
	}

	// Revoke the terminal on the device page; its next sync is refused.
	devID := strings.Fields(mustFieldctl(t, home, "identity"))[1]
	must(t, adm,
		chromedp.Navigate(e.url+"/admin/devices"),
		chromedp.WaitVisible(chromedp.ID("device-"+devID)),
		chromedp.Click(chromedp.CSS("#device-"+devID+" details summary.danger")),
		chromedp.SendKeys(chromedp.CSS("#device-"+devID+" form.revoke input[name=reason]"), "设备遗失"),
		chromedp.Click(chromedp.CSS("#device-"+devID+" form.revoke input[name=confirm]")),
		chromedp.Click(chromedp.CSS("#device-"+devID+" form.revoke button")),
	)
	waitJS(t, adm, fmt.Sprintf(`(document.querySelector("#device-%s .state") || {}).textContent === "已停用"`, devID))
	out, err := fieldctl(t, home, "sync")
	if err == nil || !strings.Contains(strings.ToLower(out), "revoked") {
		t.Fatalf("sync after revocation: %v\n%s", err, out)
	}
	// And the board marks the case's terminal as revoked, live.
	must(t, sup, chromedp.Navigate(e.url+"/board"))
	waitJS(t, sup, fmt.Sprintf(`(document.getElementById("case-%s") || {textContent: ""}).textContent.indexOf("已停用") >= 0`, caseID))
}

// The board reconnects by itself after its connection drops, says it is
// stale meanwhile, and catches up with what was synced in between.
func TestBrowserBoardReconnects(t *testing.T) {
	needChromium(t)
	e := start(t, nil)
	browser := newChromium(t, 1280, 900)
	signIn(t, browser, e.url, "supervisor", "lawtrace-supervisor")
	waitJS(t, browser, `document.getElementById("live").getAttribute("data-state") === "live-ok"`)
	snapshots := eval[int](t, browser, `window.ltBoard.snapshots`)
	tm := e.terminal(3, "二中队 2 号")
	e.m.Web.DropLiveBoards()
	waitJS(t, browser, `document.getElementById("live").getAttribute("data-state") === "stale"`)
	if s := text(t, browser, "#live-text"); !strings.Contains(s, "可能已过时") {
		t.Fatalf("stale text %q", s)
	}
	tm.push(t, tm.d.Case("R1", 1)...)
	waitJS(t, browser, fmt.Sprintf(`window.ltBoard.snapshots > %d && document.getElementById("case-R1") !== null && document.getElementById("live").getAttribute("data-state") === "live-ok"`, snapshots))
}

// TestBrowserScreenshots renders the board, a full case timeline, the
// device page and the statistics with realistic data; with
// LAWTRACE_SCREENSHOTS=docs/screens it writes them there.
func TestBrowserScreenshots(t *testing.T) {
	needChromium(t)
	if testing.Short() {
		t.Skip("screenshots skipped in -short mode")
	}
	e := start(t, nil)
	ctx := context.Background()
	enrol := func(name string) string {
		ec, err := server.NewEnrolCode(ctx, e.m.Data, name, time.Hour, "")
		if err != nil {
			t.Fatal(err)
		}
		home := t.TempDir()
		mustFieldctl(t, home, "init", "--device-name", name)
		mustFieldctl(t, home, "enroll", "--server", e.m.SyncURL(), "--code", ec.Code)
		mustFieldctl(t, home, "sync")
		return home
	}
	// A full inspection, closed on scene, with photo, signatures and files.
	t1 := enrol("一中队 1 号执法仪")
	mustFieldctl(t, t1, "demo", "--party", "新城区惠民便利店")
	mustFieldctl(t, t1, "sync")
	// A case in progress whose recording is still on the terminal.
	audio := filepath.Join(t.TempDir(), "statement.wav")
	if err := os.WriteFile(audio, wav(2), 0o600); err != nil {
		t.Fatal(err)
	}
	t2 := enrol("一中队 2 号执法仪")
	newCase(t, t2, "鑫源副食批发部", audio)
	mustFieldctl(t, t2, "sync")
	// Another unit's terminal with a fast clock, and one whose recording
	// of two days ago never reached the server (overdue, SPEC R4).
	skewed := e.terminalSkewed(8, "二中队 3 号执法仪", 4*time.Minute)
	skewed.push(t, skewed.rechain([]string{"15010003", "15010004"}, skewed.open("20260503-2c9e10aa", "金桥农贸市场 12 号摊位", "15010003", "15010004"))...)
	e.terminalRecordedAgo(9, "二中队 2 号执法仪", 50*time.Hour, "20260501-77d0b3e1", "恒通汽车修理厂")
	var caseID string
	rows, _ := e.m.Data.Store.CaseRows(ctx, nil, time.Now())
	for _, r := range rows {
		if r.Party == "新城区惠民便利店" {
			caseID = r.ID
		}
	}

	save := func(bctx context.Context, name string) {
		t.Helper()
		c, cancel := within(bctx, 60*time.Second)
		defer cancel()
		png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if screensDir == "" {
			return
		}
		if err := os.WriteFile(filepath.Join(screensDir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", filepath.Join(screensDir, name))
	}

	b := newChromium(t, 1280, 800)
	signIn(t, b, e.url, "supervisor", "lawtrace-supervisor")
	waitJS(t, b, `document.getElementById("live").getAttribute("data-state") === "live-ok" && document.querySelectorAll("#rows tr").length === 4`)
	if fonts := eval[bool](t, b, `document.fonts.check("16px 'Noto Sans CJK SC'")`); !fonts {
		t.Log("Noto Sans CJK SC is not available to Chromium; install fonts-noto-cjk")
	}
	save(b, "web-board.png")
	must(t, b, chromedp.Navigate(e.url+"/cases/"+caseID), chromedp.WaitVisible(chromedp.ID("reason")),
		chromedp.SendKeys(chromedp.ID("reason"), "季度案卷评查"), chromedp.Click(chromedp.ID("open-case")))
	waitJS(t, b, `document.querySelector("ol.timeline") !== null && Array.prototype.every.call(document.images, function(i){ return i.complete })`)
	save(b, "web-case.png")
	must(t, b, chromedp.Navigate(e.url+"/stats"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	save(b, "web-stats.png")

	a := newChromium(t, 1280, 800)
	signIn(t, a, e.url, "admin", "lawtrace-admin")
	must(t, a, chromedp.Navigate(e.url+"/admin/devices"), chromedp.WaitVisible(chromedp.ID("device-name")),
		chromedp.SendKeys(chromedp.ID("device-name"), "三中队 1 号执法仪"), chromedp.Click(chromedp.ID("enrol")),
		chromedp.WaitVisible(chromedp.ID("enrol-code")))
	save(a, "web-devices.png")
	must(t, a, chromedp.Navigate(e.url+"/admin/security"), chromedp.WaitVisible(chromedp.ID("security-filters")))
	save(a, "web-security.png")

	r := newChromium(t, 1280, 800)
	signIn(t, r, e.url, "reviewer", demoPasswords["reviewer"])
	must(t, r, chromedp.Navigate(e.url+"/review"), chromedp.WaitVisible(chromedp.ID("review-filters")))
	save(r, "web-review-queue.png")

	tablet := newChromium(t, 800, 1280)
	signIn(t, tablet, e.url, "supervisor", "lawtrace-supervisor")
	waitJS(t, tablet, `document.getElementById("live").getAttribute("data-state") === "live-ok"`)
	save(tablet, "web-board-tablet.png")
}
