package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/deadline"
)

var cstZone = time.FixedZone("CST", 8*3600)

// The personal data of the seeded decisions: none of it may reach a public
// byte (SPEC P3, 000-publicity §18, 001).
var secrets = []string{
	"110105199003071239", "110105 19900307 1239", "13912345678", "139 1234 5678", "0471-6612345", "6612345",
	"6222021234567890", "zhang.san@example.com", "海拉尔东路12号", "3单元402室", "大学西街88号", "张三", "欧阳明华", "李四", "王小明",
	"110105200903020002",
}

var leakPatterns = []*regexp.Regexp{
	// numbers standing alone (a form token's hex digits are not a phone number)
	regexp.MustCompile(`(?:^|[^0-9a-fA-F])\d{17}[\dXx](?:[^0-9a-fA-F]|$)`), regexp.MustCompile(`(?:^|[^0-9a-fA-F])1[3-9]\d{9}(?:[^0-9a-fA-F]|$)`), regexp.MustCompile(`\d{6}\s\d{8}\s\d{3}`),
}

func seedPublicity(t *testing.T, svc *publicity.Service) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	recs := []publicity.ImportRecord{
		{DecisionNumber: "呼市监罚〔2025〕101号", Kind: "penalty", Party: "张三", PartyKind: "person", PartyIDNumber: "110105199003071239",
			Facts: "当事人张三（身份证号110105 19900307 1239，手机139 1234 5678，住址：呼和浩特市新城区海拉尔东路12号3单元402室）在赛罕区大学西街88号院销售过期食品，邮箱zhang.san@example.com。",
			Basis: "《中华人民共和国食品安全法》第一百二十四条", Result: "罚款 2000 元，没收过期食品", DecidedAt: "2025-05-26"},
		{DecisionNumber: "呼市监罚〔2025〕102号", Kind: "penalty", Party: "呼和浩特市青城餐饮有限公司", PartyKind: "org",
			Facts: "当事人呼和浩特市青城餐饮有限公司（住所呼和浩特市新城区新华大街1号）未按规定公示许可证，联系人：李四，电话0471-6612345，罚款缴入账户6222021234567890。",
			Basis: "《食品经营许可管理办法》第二十六条", Result: "警告", DecidedAt: "2025-05-27"},
		{DecisionNumber: "呼市监许〔2025〕7号", Kind: "permit", Party: "欧阳明华", PartyKind: "person",
			Facts: "欧阳明华申请食品经营许可，经审查符合条件。", Basis: "《中华人民共和国行政许可法》第三十八条", Result: "准予许可", DecidedAt: "2025-05-28"},
		{DecisionNumber: "呼市监罚〔2025〕103号", Kind: "penalty", Party: "王小明", PartyKind: "person", PartyIDNumber: "110105200903020002",
			Facts: "当事人王小明销售烟花。", Basis: "《烟花爆竹安全管理条例》第三十六条", Result: "警告", DecidedAt: "2025-05-28"},
		{DecisionNumber: "呼市监检〔2025〕9号", Kind: "inspection", Party: "呼和浩特市北方化工有限公司", PartyKind: "org",
			Facts: "对北方化工配方的检查，涉及商业秘密。", Basis: "《中华人民共和国安全生产法》第六十五条", Result: "未发现问题", DecidedAt: "2025-05-20"},
	}
	ids := map[string]int64{}
	for _, rec := range recs {
		d, err := publicity.FromImport(rec, "呼和浩特市市场监督管理局")
		if err != nil {
			t.Fatalf("%s: %v", rec.DecisionNumber, err)
		}
		q, err := svc.Queue(ctx, d, publicity.Actor{Username: "operator", Role: "operator"})
		if err != nil {
			t.Fatal(err)
		}
		ids[rec.DecisionNumber] = q.ID
	}
	return ids
}

func itoa64(n int64) string { return itoa(n) }

func TestPublicityWorkflow(t *testing.T) { // SPEC P2 P3 P4 P5 D5, issue 11
	clk := &clock{t: time.Date(2025, 6, 3, 10, 0, 0, 0, cstZone)}
	e := start(t, clk)
	svc := web.PublicityService(e.m.Data.Store, clk.Now)
	ids := seedPublicity(t, svc)
	person, org, permit, minor, secret := ids["呼市监罚〔2025〕101号"], ids["呼市监罚〔2025〕102号"], ids["呼市监许〔2025〕7号"], ids["呼市监罚〔2025〕103号"], ids["呼市监检〔2025〕9号"]

	rv := e.as("reviewer")
	q := rv.get("/publicity")
	if !strings.Contains(q.body, "呼市监罚〔2025〕101号") || strings.Contains(q.body, "呼市监罚〔2025〕103号") {
		t.Fatalf("queue: %s", q.body)
	}
	// the minor went straight down the not-published route
	if np := rv.get("/publicity?state=not_published"); !strings.Contains(np.body, "呼市监罚〔2025〕103号") || !strings.Contains(np.body, "未成年人") {
		t.Fatalf("minor not routed: %s", np.body)
	}
	// the preview highlights what was removed
	pv := rv.get("/publicity/" + itoa64(person))
	if !strings.Contains(pv.body, `<mark class="removed"`) || !strings.Contains(pv.body, "张某") || !strings.Contains(pv.body, "已隐去的身份证号码") {
		t.Fatalf("preview: %s", pv.body)
	}
	if r := e.as("officer").get("/publicity"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("officer on the queue: %d", r.StatusCode)
	}
	// the minor can never be approved
	if r := rv.post("/publicity/"+itoa64(minor)+"/approve", url.Values{}); r.StatusCode != http.StatusConflict {
		t.Fatalf("minor approved: %d", r.StatusCode)
	}
	for _, id := range []int64{person, org, permit} {
		if r := rv.post("/publicity/"+itoa64(id)+"/approve", url.Values{"note": {"同意公开"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve %d: %d %s", id, r.StatusCode, r.body)
		}
	}
	sup := e.as("supervisor")
	if r := sup.post("/publicity/"+itoa64(secret)+"/not-publish", url.Values{"ground": {"trade_secret"}, "note": {"检查内容涉及企业配方"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("not publish: %d %s", r.StatusCode, r.body)
	}
	if h := sup.get("/publicity/" + itoa64(secret)); !strings.Contains(h.body, "涉及商业秘密") || !strings.Contains(h.body, "张建国") {
		t.Fatalf("not-published reason and approver: %s", h.body)
	}

	anon := e.anonymous()
	var public []string
	get := func(path string, want int) response {
		t.Helper()
		r := anon.get(path)
		if r.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d: %s", path, r.StatusCode, want, r.body)
		}
		if c := r.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Errorf("GET %s sets a cookie: %v", path, c)
		}
		public = append(public, r.body)
		return r
	}
	list := get("/public/decisions", 200)
	for _, want := range []string{"呼市监罚〔2025〕101号", "张某", "呼和浩特市青城餐饮有限公司", "欧阳某某"} {
		if !strings.Contains(list.body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(list.body, "呼市监检〔2025〕9号") || strings.Contains(list.body, "呼市监罚〔2025〕103号") {
		t.Error("a not-published decision is on the public list")
	}
	if strings.Index(list.body, "呼市监许〔2025〕7号") > strings.Index(list.body, "呼市监罚〔2025〕101号") {
		t.Error("list is not newest first")
	}
	orgPage := get("/public/decisions/"+itoa64(org), 200)
	if !strings.Contains(orgPage.body, "新华大街1号") || !strings.Contains(orgPage.body, "李某") {
		t.Errorf("org page: registered address kept, contact masked: %s", orgPage.body)
	}
	get("/public/decisions/"+itoa64(person), 200)
	get("/public/decisions/"+itoa64(permit), 200)
	get("/public/decisions/"+itoa64(secret), 404)
	get("/public/decisions/"+itoa64(minor), 404)
	get("/public/decisions/feed.atom", 200)
	get("/sitemap.xml", 200)
	for path, n := range map[string]int{
		"/public/decisions?org=" + url.QueryEscape("青城餐饮"):                  1,
		"/public/decisions?number=" + url.QueryEscape("呼市监罚〔2025〕101号"):     1,
		"/public/decisions?date=2025-05-28":                                 1,
		"/public/decisions?org=" + url.QueryEscape("张三"):                    0,
		"/public/decisions?number=" + url.QueryEscape("110105199003071239"): 0,
		"/public/decisions?org=" + url.QueryEscape("欧阳明华"):                  0,
		"/public/decisions?org=" + url.QueryEscape("北方化工"):                  0,
	} {
		r := get(path, 200)
		if got := strings.Count(r.body, `<li class="decision">`); got != n {
			t.Errorf("%s: %d results, want %d", path, got, n)
		}
	}

	// correction request from the public page: signed form, same origin, rate-limited
	page := anon.get("/public/decisions/" + itoa64(org))
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page.body)
	if tok == nil {
		t.Fatal("no correction form")
	}
	path := "/public/decisions/" + itoa64(org) + "/correction"
	if r := anon.do("POST", path, url.Values{"token": {tok[1]}, "text": {"执法结果应为警告并责令改正"}}, "Origin", "https://evil.example"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site correction: %d", r.StatusCode)
	}
	if r := anon.do("POST", path, url.Values{"token": {"1.abc"}, "text": {"执法结果应为警告并责令改正"}}, "Origin", e.url); r.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: %d", r.StatusCode)
	}
	if r := anon.do("POST", path, url.Values{"token": {tok[1]}, "text": {strings.Repeat("长", 1001)}}, "Origin", e.url); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("too long: %d", r.StatusCode)
	}
	r := anon.do("POST", path, url.Values{"token": {tok[1]}, "text": {"执法结果应为警告并责令改正"}, "contact": {"13800000000"}}, "Origin", e.url)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Set-Cookie") != "" {
		t.Fatalf("correction: %d %s", r.StatusCode, r.body)
	}
	for i := 0; i < 3; i++ { // with the refused long one, five posts in the hour
		anon.do("POST", path, url.Values{"token": {tok[1]}, "text": {"重复提交的更正申请"}}, "Origin", e.url)
	}
	if r := anon.do("POST", path, url.Values{"token": {tok[1]}, "text": {"重复提交的更正申请"}}, "Origin", e.url); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("rate limit: %d", r.StatusCode)
	}
	// the request has a deadline on the monitor, is answered in writing, and the correction is published as such
	items, err := svc.Deadlines(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var corr int
	for _, it := range items {
		if it.Kind == publicity.CorrectionKind && it.State(clk.Now()) == deadline.StateRunning {
			corr++
		}
	}
	if corr != 4 {
		t.Errorf("correction deadlines running: %d", corr)
	}
	cs, _ := e.m.Data.Store.Corrections(context.Background(), org, true)
	if r := rv.post("/publicity/corrections/"+itoa64(cs[0].ID)+"/answer", url.Values{"answer": {"经核实，予以更正。"}, "corrected": {"1"}, "result": {"警告，责令改正"}, "notice": {"执法结果由“警告”更正为“警告，责令改正”"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", r.StatusCode, r.body)
	}
	orgPage = get("/public/decisions/"+itoa64(org), 200)
	if !strings.Contains(orgPage.body, "警告，责令改正") || !strings.Contains(orgPage.body, "<b>更正</b>") {
		t.Errorf("correction not published: %s", orgPage.body)
	}
	if strings.Contains(orgPage.body, "13800000000") {
		t.Error("the applicant's contact is public")
	}

	// withdrawal at once with an explanation: a notice stays, not a 404
	if r := sup.post("/publicity/"+itoa64(permit)+"/withdraw", url.Values{"reason": {"revoked"}, "note": {""}}); r.StatusCode != http.StatusConflict {
		t.Fatalf("withdrawal without explanation: %d", r.StatusCode)
	}
	if r := sup.post("/publicity/"+itoa64(permit)+"/withdraw", url.Values{"reason": {"revoked"}, "note": {"原许可决定经行政复议被撤销"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %s", r.StatusCode, r.body)
	}
	wd := get("/public/decisions/"+itoa64(permit), 200)
	if !strings.Contains(wd.body, "本条公示信息已撤下") || !strings.Contains(wd.body, "经行政复议被撤销") || strings.Contains(wd.body, "欧阳") {
		t.Errorf("withdrawal notice: %s", wd.body)
	}
	if l := get("/public/decisions", 200); strings.Contains(l.body, "呼市监许〔2025〕7号") {
		t.Error("withdrawn decision still listed")
	}

	// not one byte of personal data on any public page, feed, sitemap or search
	all := strings.Join(public, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("public bytes contain %q", s)
		}
	}
	for _, re := range leakPatterns {
		if m := re.FindString(all); m != "" {
			t.Errorf("public bytes contain %q (%s)", m, re)
		}
	}

	// automatic withdrawal: a natural person's penalty after 2 years (the default setting)
	clk.Add(2*365*24*time.Hour + 48*time.Hour)
	if l := get("/public/decisions", 200); strings.Contains(l.body, "呼市监罚〔2025〕101号") || !strings.Contains(l.body, "呼市监罚〔2025〕102号") {
		t.Errorf("after 2 years: %s", l.body)
	}
	if p := get("/public/decisions/"+itoa64(person), 200); !strings.Contains(p.body, "公开期限届满") {
		t.Errorf("expired notice: %s", p.body)
	}
}

func TestPublicationDeadlines(t *testing.T) { // SPEC P2 D5: 7 working days for penalties and permits, 20 for others
	clk := &clock{t: time.Date(2025, 10, 16, 10, 0, 0, 0, cstZone)}
	e := start(t, clk)
	svc := web.PublicityService(e.m.Data.Store, clk.Now)
	ctx := context.Background()
	for _, c := range []struct{ number, kind, decided, lastDay, state string }{
		// National Day 2025: Oct 1-8 off, Sep 28 and Oct 11 working: Sep 30, Oct 9, 10, 11, 13, 14, 15
		{"罚〔2025〕1号", "penalty", "2025-09-29", "2025-10-15", deadline.StateOverdue},
		{"许〔2025〕1号", "permit", "2025-10-09", "2025-10-17", deadline.StateRunning},
		{"强〔2025〕1号", "coercion", "2025-09-29", "2025-11-03", deadline.StateRunning},
	} {
		d := publicity.Decision{Source: publicity.SourceImport, Number: c.number, Kind: c.kind, Party: "某某有限公司", PartyKind: "org",
			Facts: "事实", Basis: "依据", Result: "结果", Agency: "机关", DecidedAt: c.decided}
		q, err := svc.Queue(ctx, d, publicity.System)
		if err != nil {
			t.Fatal(err)
		}
		dl, ok := publicity.Deadline(q, nil)
		if !ok {
			t.Fatal("no deadline")
		}
		if got := dl.Due.Add(-time.Nanosecond).In(cstZone).Format(time.DateOnly); got != c.lastDay {
			t.Errorf("%s decided %s: last day %s, want %s", c.kind, c.decided, got, c.lastDay)
		}
		if dl.State(clk.Now()) != c.state {
			t.Errorf("%s: %s, want %s", c.kind, dl.State(clk.Now()), c.state)
		}
	}
	rv := e.as("reviewer")
	if q := rv.get("/publicity"); !strings.Contains(q.body, "已逾期") {
		t.Errorf("queue does not show the overdue publication")
	}
	_ = io.Discard
}
