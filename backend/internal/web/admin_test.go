package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"lawtrace/assets"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

var codeRE = regexp.MustCompile(`id="enrol-code">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})<`)
var qrRE = regexp.MustCompile(`id="enrol-qr" src="data:image/png;base64,([^"]+)"`)

// SPEC D3 S6: an enrolment code from the device page (text and QR image)
// enrols a terminal, which then shows with its key fingerprint; revoking it
// refuses its next connection; a wipe order is recorded.
func TestDevicePage(t *testing.T) {
	e := start(t, nil)
	admin := e.as("admin")
	resp := admin.post("/admin/devices/enrol", url.Values{"name": {"二中队 3 号执法仪"}, "ttl_hours": {"24"}})
	m := codeRE.FindStringSubmatch(resp.body)
	q := qrRE.FindStringSubmatch(resp.body)
	if resp.StatusCode != http.StatusOK || m == nil || q == nil {
		t.Fatalf("enrol page: %d", resp.StatusCode)
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(q[1]))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("QR image: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := simdev.New(9)
	c, err := simdev.Connect(ctx, e.m.SyncURL(), d, m[1])
	if err != nil {
		t.Fatalf("enrol with the page's code: %v", err)
	}
	c.Close()
	list := admin.get("/admin/devices")
	dev, _ := e.m.Data.Store.Device(ctx, d.ID)
	for _, want := range []string{"二中队 3 号执法仪", d.ID, dev.Fingerprint, "正常"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("device list lacks %q", want)
		}
	}
	if r := admin.post("/admin/devices/"+d.ID+"/revoke", url.Values{"reason": {"设备遗失"}}); !strings.Contains(r.Header.Get("Location"), "/admin/devices") {
		t.Fatalf("revoke without confirmation: %d", r.StatusCode)
	}
	if dev, _ := e.m.Data.Store.Device(ctx, d.ID); dev.Revoked() {
		t.Fatal("revoked without the confirmation box")
	}
	admin.post("/admin/devices/"+d.ID+"/wipe", url.Values{"reason": {"设备遗失，清除已确认数据"}, "confirm": {"yes"}})
	admin.post("/admin/devices/"+d.ID+"/revoke", url.Values{"reason": {"设备遗失"}, "confirm": {"yes"}})
	dev, _ = e.m.Data.Store.Device(ctx, d.ID)
	if !dev.Revoked() || !dev.WipePending() || dev.RevokeReason != "设备遗失" {
		t.Fatalf("device after revoke and wipe: %+v", dev)
	}
	if _, err := simdev.Connect(ctx, e.m.SyncURL(), simdev.New(9), ""); err == nil {
		t.Log("a revoked device with a wipe order may connect only to wipe")
	}
	if r := admin.get("/admin/devices"); !strings.Contains(r.body, "已停用") {
		t.Fatal("the list does not show the revocation")
	}
	audit, _ := e.m.Data.Store.AuditRecords(ctx, 10)
	if len(audit) < 3 || audit[0].Action != "device_revoke" || audit[0].Username != "admin" {
		t.Fatalf("audit %+v", audit)
	}
}

// SPEC D4 S5: officers added and changed on the page become new catalog
// versions (what terminals pull); bad input is refused with a message.
func TestOfficerPages(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	admin := e.as("admin")
	_, headBefore, _ := e.m.Data.Store.CatalogSince(ctx, 1<<62, 1)
	if r := admin.post("/admin/officers", url.Values{"name": {"钱进"}, "cert": {"15010009"}, "unit": {"市场监管综合执法大队三中队"}, "expires": {"2027-06-30"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.StatusCode, r.body)
	}
	for _, bad := range []url.Values{
		{"name": {"钱进"}, "cert": {"15010009"}, "expires": {"2027-06-30"}}, // exists
		{"name": {"钱进"}, "cert": {"../x"}, "expires": {"2027-06-30"}},     // bad number
		{"name": {"孙七"}, "cert": {"15010010"}, "expires": {"明年"}},         // bad date
		{"name": {""}, "cert": {"15010011"}, "expires": {"2027-06-30"}},   // no name
	} {
		if r := admin.post("/admin/officers", bad); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, "alert") {
			t.Errorf("officer %v: %d", bad, r.StatusCode)
		}
	}
	if r := admin.post("/admin/officers/15010009", url.Values{"name": {"钱进"}, "unit": {"市场监管综合执法大队三中队"}, "expires": {"2027-06-30"}, "suspended": {"yes"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d %s", r.StatusCode, r.body)
	}
	items, head, _ := e.m.Data.Store.CatalogSince(ctx, headBefore, 100)
	if head != headBefore+2 || len(items) != 2 || items[1].Version != 2 {
		t.Fatalf("catalog after add and suspend: head %d→%d %+v", headBefore, head, items)
	}
	var o enforce.Officer
	_ = json.Unmarshal(items[1].Body, &o)
	if !o.Suspended || o.CredentialProblem(time.Now()) == "" {
		t.Fatalf("published officer %+v", o)
	}
	page := admin.get("/admin/officers/15010009")
	if !strings.Contains(page.body, "第 2 版") || !strings.Contains(page.body, "第 1 版") || !strings.Contains(page.body, "suspended") && !strings.Contains(page.body, "暂停") {
		t.Fatal("officer page lacks its versions")
	}
	list := admin.get("/admin/officers")
	if !strings.Contains(list.body, "已暂停") || !strings.Contains(list.body, "已过期") { // 吴军's demo credential expired
		t.Fatal("officer list lacks credential states")
	}
}

// SPEC F2 D4: a new procedure version is validated before it is published;
// a published version cannot be replaced.
func TestPublishProcedure(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	admin := e.as("admin")
	base, err := assets.FS.ReadFile("procedures/inspection.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	_ = json.Unmarshal(base, &p)
	body := func(mut func(map[string]any)) string {
		var c map[string]any
		_ = json.Unmarshal(base, &c)
		mut(c)
		b, _ := json.Marshal(c)
		return string(b)
	}
	refusals := map[string]string{
		"{not json":                     "无效",
		body(func(m map[string]any) {}): "新版本号必须大于 2",
		body(func(m map[string]any) { m["version"] = 3; m["min_officers"] = 0 }):     "min_officers",
		body(func(m map[string]any) { m["version"] = 3; m["rights_text"] = "nope" }): "nope",
	}
	for b, want := range refusals {
		r := admin.post("/admin/procedures", url.Values{"kind": {"procedure"}, "body": {b}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, want) {
			t.Errorf("publish %.40s: %d, want a refusal naming %q", b, r.StatusCode, want)
		}
	}
	v2 := body(func(m map[string]any) { m["version"] = 3; m["name"] = "行政检查（2026 修订）" })
	if r := admin.post("/admin/procedures", url.Values{"kind": {"procedure"}, "body": {v2}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish v2: %d %s", r.StatusCode, r.body)
	}
	items, _, _ := e.m.Data.Store.CatalogSince(ctx, 0, 1000)
	last := items[len(items)-1]
	if last.Kind != syncproto.KindProcedure || last.Key != "inspection" || last.Version != 3 {
		t.Fatalf("newest catalog item %+v", last)
	}
	if _, err := enforce.ParseProcedure(last.Body); err != nil {
		t.Fatal(err)
	}
	page := admin.get("/admin/procedures/procedure/inspection/3")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "行政检查（2026 修订）") || !strings.Contains(page.body, "亮证") {
		t.Fatalf("version page: %d", page.StatusCode)
	}
	if list := admin.get("/admin/procedures"); !strings.Contains(list.body, "第 3 版") || !strings.Contains(list.body, "最新") {
		t.Fatal("procedure list")
	}
	// The form can start from the newest version, numbered one up.
	if f := admin.get("/admin/procedures?base=procedure/inspection"); !strings.Contains(f.body, `&#34;version&#34;: 4`) {
		t.Fatal("the form does not start from the newest version")
	}
}

// Accounts: an administrator creates them (a generated one-time password
// to be changed at first sign-in); the last administrator cannot be
// disabled; a disabled account cannot sign in.
func TestAccountPages(t *testing.T) {
	e := start(t, nil)
	admin := e.as("admin")
	if r := admin.post("/admin/accounts", url.Values{"username": {"kong"}, "name": {"孔执法"}, "role": {"officer"}}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("officer account without credential: %d", r.StatusCode)
	}
	r := admin.post("/admin/accounts", url.Values{"username": {"head2"}, "name": {"刘副局长"}, "role": {"supervisor"}})
	pw := regexp.MustCompile(`<p class="code">([^<]+)</p>`).FindStringSubmatch(r.body)
	if r.StatusCode != http.StatusOK || pw == nil {
		t.Fatalf("create: %d", r.StatusCode)
	}
	head := e.anonymous()
	resp := head.do("POST", "/login", url.Values{"username": {"head2"}, "password": {pw[1]}, "csrf": {head.loginToken()}})
	if resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("first sign-in goes to %q", resp.Header.Get("Location"))
	}
	if b := head.get("/board"); b.StatusCode != http.StatusSeeOther || b.Header.Get("Location") != "/account/password" {
		t.Fatalf("before changing the password: %d %s", b.StatusCode, b.Header.Get("Location"))
	}
	tok := csrfMeta.FindStringSubmatch(head.get("/account/password").body)[1]
	if r := head.do("POST", "/account/password", url.Values{"csrf": {tok}, "current": {pw[1]}, "new": {"head2 new password"}, "again": {"head2 new password"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.StatusCode, r.body)
	}
	e.login("head2", "head2 new password").get("/board")

	accts, _ := e.m.Data.Store.Accounts(context.Background())
	var adminID int64
	for _, a := range accts {
		if a.Username == "admin" {
			adminID = a.ID
		}
	}
	admin.post("/admin/accounts/"+itoa(adminID), url.Values{"name": {"系统管理员"}, "role": {"supervisor"}})
	if a, _ := e.m.Data.Store.Account(context.Background(), adminID); a.Role != "admin" {
		t.Fatal("the last administrator was demoted")
	}
	for _, a := range accts {
		if a.Username == "officer2" {
			admin.post("/admin/accounts/"+itoa(a.ID), url.Values{"name": {a.Name}, "role": {"officer"}, "officer_cert": {a.OfficerCert}, "disabled": {"yes"}})
		}
	}
	b := e.anonymous()
	if r := b.do("POST", "/login", url.Values{"username": {"officer2"}, "password": {"lawtrace-officer2"}, "csrf": {b.loginToken()}}); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled account signs in: %d", r.StatusCode)
	}
}

// The first start without accounts creates the administrator with a
// one-time password in the data directory; choosing a password removes it.
func TestFirstAdministrator(t *testing.T) {
	e := start(t, nil, func(c *server.Config) { c.Demo = false })
	if e.m.FirstAdminFile == "" {
		t.Fatal("no first administrator")
	}
	pw, err := os.ReadFile(e.m.FirstAdminFile)
	if err != nil {
		t.Fatal(err)
	}
	b := e.anonymous()
	resp := b.do("POST", "/login", url.Values{"username": {"admin"}, "password": {strings.TrimSpace(string(pw))}, "csrf": {b.loginToken()}})
	if resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("first sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok := csrfMeta.FindStringSubmatch(b.get("/account/password").body)[1]
	b.do("POST", "/account/password", url.Values{"csrf": {tok}, "current": {strings.TrimSpace(string(pw))}, "new": {"a much better one"}, "again": {"a much better one"}})
	if _, err := os.Stat(e.m.FirstAdminFile); !os.IsNotExist(err) {
		t.Fatalf("the one-time password file is still there: %v", err)
	}
	e.login("admin", "a much better one")
}

// D6: the statistics page draws its charts with the numbers.
func TestStatsPage(t *testing.T) {
	e := start(t, nil)
	caseWithMedia(t, e)
	tm := e.terminal(2, "二中队 1 号")
	tm.push(t, tm.d.Case("C2", 1)...)
	sup := e.as("supervisor")
	page := sup.get("/stats")
	if page.StatusCode != http.StatusOK || strings.Count(page.body, "<svg class=\"chart\"") != 7 {
		t.Fatalf("stats: %d, %d charts", page.StatusCode, strings.Count(page.body, "<svg class=\"chart\""))
	}
	for _, want := range []string{"按执法类型的案件数", "行政检查", "<b>2</b><span>案件总数</span>", "近 30 天每日记录条目数", "市场监管综合执法大队一中队"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("stats page lacks %q", want)
		}
	}
}
