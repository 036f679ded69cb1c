package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/shared/review"
)

// penaltyCase pushes a penalty case closed on scene, crew 15010001 and
// 15010002 (the demo officers "officer" and another of that unit).
func penaltyCase(t *testing.T, e *env, seed uint64, id string) {
	t.Helper()
	tm := e.terminal(seed, "patrol-"+id)
	crew := []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}
	tm.push(t,
		tm.d.Entry(id, "case_open", map[string]any{"procedure": "penalty", "procedure_version": 1, "party": "新城区某食品有限公司", "party_kind": "org", "source": "complaint", "officers": crew}),
		tm.d.Entry(id, "inquiry_notes", map[string]any{"fields": map[string]any{"person_name": "张三", "questions_answers": "问：是否销售过期食品？答：是。"}}),
		tm.d.Entry(id, "close_scene", map[string]any{}),
	)
}

var setupHandler = reviewsrv.User{ID: "setup", Username: "officer", Name: "王强", Role: auth.Officer, OfficerCert: "15010001"}

// proposeAndSubmit records a proposal that needs review and submits it.
func proposeAndSubmit(t *testing.T, e *env, id string) {
	t.Helper()
	ctx := context.Background()
	svc := e.m.Review
	if _, err := svc.Propose(ctx, setupHandler, id, reviewsrv.ProposalRequest{Proposal: review.Proposal{Fine: 150000}, Summary: "罚款 15 万元"}); err != nil {
		t.Fatal(err)
	}
	var mats []reviewsrv.MaterialRef
	for _, m := range []string{"investigation_report", "draft_decision", "evidence"} {
		f, err := svc.Upload(ctx, setupHandler, id, m+".pdf", strings.NewReader("%PDF-1.4 "+m))
		if err != nil {
			t.Fatal(err)
		}
		mats = append(mats, reviewsrv.MaterialRef{ID: m, Files: []string{f.Hash}})
	}
	if _, err := svc.Submit(ctx, setupHandler, id, reviewsrv.SubmitRequest{Materials: mats, Explanation: reviewsrv.Explanation{BasicFacts: "销售超过保质期的食品 120 袋",
		LawAndDiscretion: "《食品安全法》第一百二十四条", OfficerQualification: "两名执法人员证件有效", InvestigationAndHearing: "放弃听证"}}); err != nil {
		t.Fatal(err)
	}
}

// docs/review.md: the office chain of a case ("CASE/office") is not a case
// of its own — not on the board, not in the statistics, not counted in
// stats.cases — and the case page shows its review steps, each verified,
// after the terminal's entries.
func TestOfficeChainIsNotACase(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	const id = "20260302-0ff1ce01"
	penaltyCase(t, e, 71, id)
	proposeAndSubmit(t, e, id)

	sup := e.as("supervisor")
	board := sup.get("/board")
	if board.StatusCode != http.StatusOK || !strings.Contains(board.body, id) {
		t.Fatalf("board: %d", board.StatusCode)
	}
	if strings.Contains(board.body, id+"/office") {
		t.Error("the board lists the office chain as a case")
	}
	stats := sup.get("/stats")
	if strings.Contains(stats.body, "/office") || strings.Contains(stats.body, "（未登记）") {
		t.Error("the statistics count the office chain as a case")
	}
	st, err := e.m.Data.Store.Stats(context.Background(), clk.Now())
	if err != nil || st.Cases != 1 {
		t.Errorf("stats.cases = %d (%v), want 1", st.Cases, err)
	}

	if r := sup.post("/cases/"+id+"/access", url.Values{"purpose": {"supervision"}, "reason": {"督查法制审核是否依法进行"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("access: %d", r.StatusCode)
	}
	page := sup.get("/cases/" + id)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("case page: %d", page.StatusCode)
	}
	i, j := strings.Index(page.body, `id="entry-3"`), strings.Index(page.body, `id="office-entries"`)
	if i < 0 || j < i {
		t.Fatalf("the case page lacks the office chain after the terminal's entries (%d, %d)", i, j)
	}
	office := page.body[j:]
	for _, want := range []string{`id="office-entry-1"`, "拟作出决定", `id="office-entry-2"`, "送法制审核", "2/2 条通过全部校验", "已验证 ✓", `href="/review/cases/` + id + `"`} {
		if !strings.Contains(office, want) {
			t.Errorf("office entries lack %q", want)
		}
	}
	if strings.Contains(office, "校验未通过") {
		t.Error("an office entry fails its checks")
	}
}

// SPEC D1 D5: a review deadline that runs out reaches an open board at
// once (the review service's deadline_state event).
func TestBoardDeadlineLive(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	const id = "20260302-dead0001"
	penaltyCase(t, e, 72, id)
	proposeAndSubmit(t, e, id)
	ctx := context.Background()
	if _, err := e.m.Review.Scan(ctx); err != nil { // the running review deadline is known
		t.Fatal(err)
	}

	sup := e.as("supervisor")
	ws, _, err := dialBoard(t, e, sup, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	snap := next(t, ws, "snapshot")
	if len(snap.Rows) != 1 || snap.Rows[0].ID != id || !strings.Contains(snap.Rows[0].HTML, `class="badge warn"`) || strings.Contains(snap.Rows[0].HTML, `class="badge bad"`) {
		t.Fatalf("snapshot %v", rowIDs(snap))
	}
	// Ten days later the review is overdue: the scan's event updates the row.
	clk.Add(10 * 24 * time.Hour)
	changes, err := e.m.Review.Scan(ctx)
	if err != nil || len(changes) == 0 {
		t.Fatalf("scan: %v %v", changes, err)
	}
	nextRow(t, ws, id, `class="badge bad"`)
}

// The server's own signer (the office chains) is a row of devices but not
// a terminal: the device page does not list it, and revoking or wiping it
// is refused by the server with a clear message.
func TestServerSignerIsNotADevice(t *testing.T) {
	e := start(t, nil)
	penaltyCase(t, e, 73, "20260302-5160e001")
	ctx := context.Background()
	if _, err := e.m.Review.Propose(ctx, setupHandler, "20260302-5160e001", reviewsrv.ProposalRequest{Proposal: review.Proposal{Fine: 150000}}); err != nil {
		t.Fatal(err)
	}
	sid := e.m.Data.ServerID()
	if _, err := e.m.Data.Store.Device(ctx, sid); err != nil {
		t.Fatalf("server signer not stored: %v", err)
	}
	admin := e.as("admin")
	list := admin.get("/admin/devices")
	if list.StatusCode != http.StatusOK || strings.Contains(list.body, sid) {
		t.Fatalf("device page lists the server signer %s", sid)
	}
	for _, action := range []string{"revoke", "wipe"} {
		r := admin.post("/admin/devices/"+sid+"/"+action, url.Values{"reason": {"误操作测试"}, "confirm": {"yes"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, "服务器自身的签名身份") {
			t.Errorf("%s of the server signer: %d", action, r.StatusCode)
		}
	}
	d, err := e.m.Data.Store.Device(ctx, sid)
	if err != nil || d.Revoked() || d.WipePending() {
		t.Fatalf("server signer changed: %+v %v", d, err)
	}
}

// The review API is mounted once, by package server on its mux with the
// web sessions and CSRF tokens (reviewsrv.Register + Authenticate), not a
// second time among the web pages' routes.
func TestReviewAPIMountedOnce(t *testing.T) {
	e := start(t, nil)
	for _, rt := range e.m.Web.Routes() {
		if strings.HasPrefix(rt.Path, "/api/") {
			t.Errorf("the web pages mount %s too", rt.Pattern())
		}
	}
	const id = "20260302-a9100001"
	penaltyCase(t, e, 74, id)
	if r := e.anonymous().get("/api/review/catalog"); r.StatusCode != http.StatusOK {
		t.Fatalf("public catalog: %d", r.StatusCode)
	}
	if r := e.anonymous().get("/api/review/cases/" + id); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous review state: %d", r.StatusCode)
	}
	off := e.as("officer")
	before := countEvents(t, e, "web_csrf")
	body := url.Values{}
	if r := off.do("POST", "/api/review/cases/"+id+"/proposal", body); r.StatusCode != http.StatusForbidden || countEvents(t, e, "web_csrf") != before+1 {
		t.Fatalf("proposal without the CSRF token: %d %s", r.StatusCode, r.body)
	}
	r := off.do("POST", "/api/review/cases/"+id+"/proposal", body, "X-CSRF-Token", off.csrf)
	if r.StatusCode == http.StatusForbidden || r.StatusCode == http.StatusUnauthorized || r.StatusCode == http.StatusNotFound || r.StatusCode == http.StatusMethodNotAllowed {
		t.Fatalf("proposal with the CSRF token: %d %s", r.StatusCode, r.body)
	}
}

// The handler's forms over HTTP: an officer on the crew proposes, an
// officer of another unit is refused; after the reviewer agrees the head
// records the decision with the document and the collective discussion
// (multipart, with the session's CSRF token).
func TestHandlerFormsHTTP(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	const id = "20260302-4a4d0002"
	penaltyCase(t, e, 75, id)
	form := url.Values{"measure": {"fine"}, "fine": {"150000"}, "summary": {"罚款 15 万元"}}
	if r := e.as("officer2").post("/review/cases/"+id+"/proposal", form); r.StatusCode != http.StatusForbidden {
		t.Fatalf("officer of another unit: %d", r.StatusCode)
	}
	off := e.as("officer")
	if r := off.post("/review/cases/"+id+"/proposal", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("proposal: %d %s", r.StatusCode, r.body)
	}
	if page := off.get("/review/cases/" + id); !strings.Contains(page.body, `id="submit-form"`) || strings.Contains(page.body, `id="decision-form"`) {
		t.Fatal("the officer's page lacks the submission form or shows the head's decision form")
	}
	ctx := context.Background()
	st, err := e.m.Review.State(ctx, id)
	if err != nil || !st.Required || st.Proposal == nil || st.Proposal.Fine != 150000 || st.Proposal.PartyKind != "org" {
		t.Fatalf("proposal %+v %v", st, err)
	}
	var mats []reviewsrv.MaterialRef
	for _, m := range []string{"investigation_report", "draft_decision", "evidence"} {
		f, err := e.m.Review.Upload(ctx, setupHandler, id, m+".pdf", strings.NewReader("%PDF-1.4 "+m))
		if err != nil {
			t.Fatal(err)
		}
		mats = append(mats, reviewsrv.MaterialRef{ID: m, Files: []string{f.Hash}})
	}
	if _, err := e.m.Review.Submit(ctx, setupHandler, id, reviewsrv.SubmitRequest{Materials: mats, Explanation: reviewsrv.Explanation{BasicFacts: "事实",
		LawAndDiscretion: "法律", OfficerQualification: "资格", InvestigationAndHearing: "放弃听证"}}); err != nil {
		t.Fatal(err)
	}
	// SPEC C1 C2: registered with the head's approval, the prior notice
	// served and the party's written waiver, as the decision gate requires.
	headUser := reviewsrv.User{ID: "2", Username: "supervisor", Name: "李局长", Role: auth.Supervisor}
	waiver, err := e.m.Review.Upload(ctx, setupHandler, id, "waiver.pdf", strings.NewReader("%PDF-1.4 waiver"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		by   reviewsrv.User
		step string
		req  reviewsrv.LifeRequest
	}{
		{setupHandler, reviewsrv.StepRegisterRequest, reviewsrv.LifeRequest{Facts: "投诉举报：销售过期食品", HandlerOpinion: "建议立案", UnitOpinion: "同意", Channel: "phone", Content: "销售过期食品"}},
		{headUser, reviewsrv.StepRegister, reviewsrv.LifeRequest{Outcome: "register", Opinion: "同意立案"}},
		{setupHandler, reviewsrv.StepNotice, reviewsrv.LifeRequest{Number: "新市监告〔2026〕13号", Facts: "销售过期食品", Reasons: "违反《食品安全法》第三十四条",
			Basis: "《食品安全法》第一百二十四条", Measures: []string{"fine"}, Fine: 150000}},
		{setupHandler, reviewsrv.StepNoticeServed, reviewsrv.LifeRequest{Method: "direct", Recipient: "当事人委托代理人"}},
		{setupHandler, reviewsrv.StepWaiver, reviewsrv.LifeRequest{File: waiver.Hash, At: clk.Now().Format("2006-01-02 15:04")}},
	} {
		if _, err := e.m.Review.Life(ctx, s.by, id, s.step, s.req); err != nil {
			t.Fatalf("%s: %v", s.step, err)
		}
	}
	var findings []review.Finding
	for _, c := range review.Checklist {
		findings = append(findings, review.Finding{Item: c.ID, OK: true})
	}
	rev := reviewsrv.User{ID: "3", Username: "reviewer", Name: "审核员", Role: auth.Reviewer}
	if _, err := e.m.Review.GiveOpinion(ctx, rev, id, reviewsrv.OpinionRequest{Kind: "agree", Findings: findings}); err != nil {
		t.Fatal(err)
	}

	sup := e.as("supervisor")
	post := func(fields map[string]string, files map[string]string) response {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		for k, v := range files {
			fw, _ := mw.CreateFormFile(k, k+".pdf")
			_, _ = fw.Write([]byte(v))
		}
		_ = mw.Close()
		req, _ := http.NewRequest("POST", e.url+"/review/cases/"+id+"/decision", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := sup.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return response{resp, string(data)}
	}
	fields := map[string]string{"csrf": sup.csrf, "document_number": "新市监罚〔2026〕13号"}
	files := map[string]string{"document_file": "%PDF-1.4 decision"}
	// Without the collective discussion: refused on the page.
	if r := post(fields, files); r.StatusCode < 400 || !strings.Contains(r.body, `id="review-error"`) || !strings.Contains(r.body, "法制审核办法（试行）》第十四条") {
		t.Fatalf("decision without the collective discussion: %d", r.StatusCode)
	}
	fields["collective_date"], fields["collective_participants"], fields["collective_conclusion"] = "2026-03-02", "李局长、张副局长", "同意处罚"
	files["collective_minutes"] = "%PDF-1.4 minutes"
	if r := post(fields, files); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d %s", r.StatusCode, r.body)
	}
	st, err = e.m.Review.State(ctx, id)
	if err != nil || st.Decision == nil || st.Decision.Document.Number != "新市监罚〔2026〕13号" || st.Decision.Collective == nil || len(st.Decision.Collective.Participants) != 2 {
		t.Fatalf("decision %+v %v", st.Decision, err)
	}
}
