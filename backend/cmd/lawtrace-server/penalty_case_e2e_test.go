package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/server"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/syncproto"
	"lawtrace/shared/workday"
)

// settableClock is the server's clock in the penalty case: the periods of
// the law (5 and 7 working days, 15 days, 6 months) pass by setting it.
type settableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settableClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *settableClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// startServerAt runs the server of lawtrace-server (server.Open and Start,
// what `lawtrace-server --demo` runs) in this process on 127.0.0.1:0 with
// clk as its clock: the binary reads the wall clock and has no test clock,
// so this is the mechanism the lifecycle tests use. Terminals, operator
// commands, lawtrace-verify and the users' HTTP sessions are as in the
// other end-to-end tests; stop closes the server before the operator
// archives.
func startServerAt(t *testing.T, clk *settableClock) (s *srv, stop func()) {
	t.Helper()
	data := t.TempDir()
	m, err := server.Open(server.Config{DataDir: data, Listen: "127.0.0.1:0", Demo: true, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { m.Close() }) }
	t.Cleanup(stop)
	return &srv{t: t, data: data, addr: m.Addr()}, stop
}

// refusal is the JSON body of a refused step (reviewsrv.APIError).
type refusal struct {
	Code      string         `json:"error"`
	Article   string         `json:"article"`
	MessageZh string         `json:"message_zh"`
	Missing   []enforce.Item `json:"missing"`
}

// do records one step of a case as u and returns the case's state.
func (u *webUser) do(caseID, step string, body any) reviewsrv.State {
	u.t.Helper()
	var st reviewsrv.State
	if code, resp := u.api("POST", "/api/review/cases/"+caseID+"/"+step, body, &st); code != 200 {
		u.t.Fatalf("%s of %s: %d %s", step, caseID, code, resp)
	}
	return st
}

// refused records a step the law forbids and checks the refusal: 409, the
// code "refused", the article as recorded and as cited in Chinese.
func (u *webUser) refused(caseID, step string, body any, article, cited string) refusal {
	u.t.Helper()
	code, resp := u.api("POST", "/api/review/cases/"+caseID+"/"+step, body, nil)
	var r refusal
	if err := json.Unmarshal([]byte(resp), &r); err != nil || code != 409 || r.Code != enforce.ERefused || r.Article != article ||
		!strings.Contains(enforce.Cite(r.Article), cited) || r.MessageZh == "" {
		u.t.Fatalf("%s of %s: %d %s\nwant refused with %q (%s)", step, caseID, code, resp, article, cited)
	}
	return r
}

// SPEC C1-C7 R2 R5 R9 D5 L5, issue 10: a general-procedure penalty case
// from the scene to the case file. lawtrace-fieldctl records the scene
// and syncs; the handler, reviewer and head work the case over HTTP with
// their sessions and CSRF tokens: 立案 and its approval, the prior notice
// of a fine of 150,000 yuan (the hearing right), its service, the hearing
// requested within 5 working days, noticed 7 working days ahead with a
// hearing officer not of the crew, held with its record and video; legal
// review, collective discussion after the opinion, decision with its
// approval chain, service; execution: not paid, 加处罚款 at 3 % a day
// capped at the fine, 催告 and the party's reply, the application to the
// court; closing and its approval. `lawtrace-server archive` writes the
// case file and lawtrace-verify passes it, then fails each tampering
// naming the file or entry. A second case carries the decision gate's
// refusals, each with its article.
func TestPenaltyCaseEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs the binaries")
	}
	cal := workday.Default()
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, cst)
	}
	clk := &settableClock{t: at(3, 2, 10, 0)} // Monday 2 March 2026
	s, stop := startServerAt(t, clk)

	// The crew's credentials are valid at the terminal's clock too (the
	// demo's run to the end of the server's next year).
	for _, o := range [][2]string{{"王强", "15010001"}, {"李明", "15010002"}} {
		s.mustOp("officer", "add", "--name", o[0], "--cert", o[1], "--expires", "2099-12-31", "--unit", "市场监管综合执法大队一中队", "--category", "市场监管", "--area", "新城区")
	}
	// The scene: two cases on one terminal, synced (the first sync
	// measures the terminal's clock against the server's).
	tm := newTerminal(t, s, "patrol-penalty", "")
	tm.must("sync")
	caseA := tm.penaltyCase("新城区某食品有限公司")
	caseB := tm.penaltyCase("新城区某超市有限公司")
	if out := tm.must("sync"); !strings.Contains(out, "entries confirmed") {
		t.Fatalf("sync: %s", out)
	}
	if st := tm.status(); st.Outbox != 0 || st.PendingBytes != 0 {
		t.Fatalf("terminal after sync: %+v", st)
	}

	var officer, head, lawyer *webUser
	signInAll := func() { // sessions run on the server's clock: sign in again after time passes
		officer = signIn(t, s, "officer", "lawtrace-officer")
		head = signIn(t, s, "supervisor", "lawtrace-supervisor")
		lawyer = signIn(t, s, "reviewer", "lawtrace-reviewer")
	}
	signInAll()
	upload := func(caseID, name string) string { return officer.upload(caseID, name, "%PDF-1.4 "+name+" "+caseID) }
	stamp := func(t time.Time) string { return t.Format("2006-01-02 15:04") }

	for _, id := range []string{caseA, caseB} {
		st := officer.do(id, "register_request", map[string]any{"facts": "投诉举报：销售超过保质期的食品", "handler_opinion": "涉嫌违反《食品安全法》第三十四条，建议立案",
			"unit_opinion": "同意立案", "complainant": "李某", "contact": "13800000000", "channel": "phone", "content": "某公司销售过期食品"})
		if st.Life.Request == nil || !st.Life.RegisteredAt.IsZero() {
			t.Fatalf("立案 request of %s: %+v", id, st.Life)
		}
		if st = head.do(id, "register_approval", map[string]any{"outcome": "register", "opinion": "同意立案"}); st.Life.RegisteredAt.IsZero() {
			t.Fatalf("立案 approval of %s: %+v", id, st.Life)
		}
	}
	notice := func(id, number string) reviewsrv.State {
		return officer.do(id, "prior_notice", map[string]any{"number": number, "facts": "当事人销售超过保质期的食品 120 袋", "reasons": "违反《食品安全法》第三十四条第（十）项",
			"basis": "《食品安全法》第一百二十四条第一款", "measures": []string{"fine"}, "fine": 150000, "file": upload(id, "notice.pdf")})
	}
	findings := func() []review.Finding {
		var out []review.Finding
		for _, c := range review.Checklist {
			out = append(out, review.Finding{Item: c.ID, OK: true})
		}
		return out
	}
	explanation := map[string]string{"basic_facts": "当事人销售超过保质期的食品 120 袋", "law_and_discretion": "《食品安全法》第一百二十四条；裁量基准：一般情节",
		"officer_qualification": "王强 15010001、李明 15010002，执法证有效", "investigation_and_hearing": "现场检查、询问当事人"}
	materials := func(id string, ids ...string) []map[string]any {
		var out []map[string]any
		for _, m := range ids {
			out = append(out, map[string]any{"id": m, "files": []string{upload(id, m+".pdf")}})
		}
		return out
	}
	decision := func(id, number, date string) map[string]any {
		return map[string]any{"document": map[string]any{"number": number, "title": "行政处罚决定书", "file": upload(id, "decision.pdf")},
			"collective_discussion": map[string]any{"date": date, "participants": []string{"张建国", "刘副局长", "陈副局长"},
				"conclusion": "同意法制审核意见，罚款 15 万元", "minutes": upload(id, "minutes-"+date+".pdf")}}
	}

	// ---- case A: notice and its service (SPEC C2) ----
	st := notice(caseA, "新市监告〔2026〕7号")
	if n := st.Life.Notice; n == nil || !n.HearingRight || !strings.Contains(n.Rights, "五个工作日") {
		t.Fatalf("notice: %+v", st.Life.Notice)
	}
	served := clk.Now()
	st = officer.do(caseA, "prior_notice_served", map[string]any{"at": stamp(served), "method": "direct", "recipient": "张三（委托代理人）", "file": upload(caseA, "notice-proof.pdf")})
	// 5 working days from Mon 2 Mar: 3, 4, 5, 6, 9 Mar (行政处罚法 §64(1), §85).
	if want, _ := deadline.HearingRequestEnds(cal, served); !st.Life.PeriodEnds.Equal(want) || !st.Life.PeriodOK || dayText(want) != "2026-03-09 24:00" {
		t.Fatalf("period ends %s, want %s", st.Life.PeriodEnds, want)
	}

	// ---- case B: the decision gate refuses, with its article (SPEC C2-C4) ----
	notice(caseB, "新市监告〔2026〕8号")
	officer.do(caseB, "proposal", map[string]any{"proposal": map[string]any{"measures": []string{"fine"}, "fine": 150000}, "summary": "罚款 15 万元"})
	officer.do(caseB, "submit", map[string]any{"materials": materials(caseB, "investigation_report", "draft_decision", "evidence"), "explanation": explanation})
	if st := lawyer.do(caseB, "opinion", map[string]any{"kind": "agree", "findings": findings()}); st.Review.State != review.StateAgreed {
		t.Fatalf("review of %s: %+v", caseB, st.Review)
	}
	decideB := decision(caseB, "新市监罚〔2026〕8号", "2026-03-02")
	r := head.refused(caseB, "decision", decideB, "行政处罚法 §62", "第六十二条")
	if !strings.Contains(r.MessageZh, "尚未送达") || len(r.Missing) != 1 || r.Missing[0].Name != "prior_notice_served" {
		t.Fatalf("decision before the notice was served: %+v", r)
	}
	officer.do(caseB, "prior_notice_served", map[string]any{"method": "direct", "recipient": "王五（法定代表人）"})
	r = head.refused(caseB, "decision", decideB, "行政处罚法 §62, §64(1), §85", "第六十四条")
	if !strings.Contains(r.MessageZh, "2026-03-09 24:00") || !strings.Contains(r.MessageZh, "未书面放弃") {
		t.Fatalf("decision inside the 5 working days: %+v", r)
	}

	// ---- case A: the hearing (SPEC C3; 行政处罚法 §64) ----
	clk.Set(at(3, 4, 10, 0))
	signInAll()
	st = officer.do(caseA, "hearing_request", map[string]any{"at": "2026-03-04 09:30", "way": "written", "file": upload(caseA, "hearing-request.pdf")})
	if st.Life.HearingRequest == nil {
		t.Fatalf("hearing request: %+v", st.Life)
	}
	officer.do(caseB, "hearing_request", map[string]any{"at": "2026-03-04 09:45", "way": "oral"})
	hearingNotice := map[string]any{"at": stamp(clk.Now()), "hearing_at": "2026-03-16 09:00", "place": "局三楼听证室", "officer": "李明", "officer_cert": "15010002",
		"recorder": "陈记录", "method": "direct", "file": upload(caseA, "hearing-notice.pdf")}
	r = officer.refused(caseA, "hearing_notice", hearingNotice, "行政处罚法 §64(4)", "第六十四条第（四）项")
	if !strings.Contains(r.MessageZh, "非本案调查人员") {
		t.Fatalf("an investigator presiding: %+v", r)
	}
	hearingNotice["officer"], hearingNotice["officer_cert"] = "赵丽", "15010003"
	hearingNotice["hearing_at"] = "2026-03-13 09:00" // the 7th working day after Wed 4 Mar is Fri 13 Mar
	officer.refused(caseA, "hearing_notice", hearingNotice, "行政处罚法 §64(2), §85", "第六十四条第（二）项")
	hearingNotice["hearing_at"] = "2026-03-16 09:00"
	st = officer.do(caseA, "hearing_notice", hearingNotice)
	if hn := st.Life.HearingNotice; hn == nil || !hn.Public || hn.Officer != "赵丽" || hn.EarliestDay.Format(time.DateOnly) != "2026-03-14" {
		t.Fatalf("hearing notice: %+v", st.Life.HearingNotice)
	}

	clk.Set(at(3, 16, 11, 0))
	signInAll()
	// Case B: the period is over, a hearing was requested, none was held.
	r = head.refused(caseB, "decision", decideB, "行政处罚法 §65, §64", "第六十五条")
	if len(r.Missing) != 1 || r.Missing[0].Name != "hearing_record" {
		t.Fatalf("decision without the hearing record: %+v", r)
	}
	av := officer.upload(caseA, "hearing.mp4", "hearing audio and video of "+caseA+strings.Repeat(" frame", 4000))
	record := upload(caseA, "hearing-record.pdf")
	st = officer.do(caseA, "hearing_record", map[string]any{"at": "2026-03-16 09:00", "outcome": "attended", "file": record, "party_signed": "signed",
		"av": []string{av}, "opinion": "事实清楚，证据确凿，建议罚款 15 万元"})
	if h := st.Life.Hearing; h == nil || h.Attendance != "attended" || len(h.AV) != 1 {
		t.Fatalf("hearing record: %+v", st.Life.Hearing)
	}

	// ---- case A: legal review, collective discussion, decision (SPEC L1-L5, C4, R9) ----
	officer.do(caseA, "proposal", map[string]any{"proposal": map[string]any{"measures": []string{"fine"}, "fine": 150000, "hearing_held": true}, "summary": "经听证，罚款 15 万元"})
	mats := append(materials(caseA, "investigation_report", "draft_decision", "evidence"), map[string]any{"id": "hearing_record", "files": []string{record}})
	explanation["investigation_and_hearing"] = "2026-03-16 举行听证，笔录在卷"
	if st = officer.do(caseA, "submit", map[string]any{"materials": mats, "explanation": explanation}); st.Review.State != review.StateUnderReview {
		t.Fatalf("submit: %+v", st.Review)
	}
	clk.Set(at(3, 17, 10, 0))
	signInAll()
	if st = lawyer.do(caseA, "opinion", map[string]any{"kind": "agree", "findings": findings()}); st.Review.State != review.StateAgreed {
		t.Fatalf("opinion: %+v", st.Review)
	}
	r = head.refused(caseA, "decision", decision(caseA, "新市监罚〔2026〕7号", "2026-03-16"), "行政处罚法 §57, §58; 000-review §14", "第五十七条")
	if !strings.Contains(r.MessageZh, "早于法制审核意见（2026-03-17）") {
		t.Fatalf("collective discussion before the opinion: %+v", r)
	}
	st = head.do(caseA, "decision", decision(caseA, "新市监罚〔2026〕7号", "2026-03-17"))
	var chain []string
	for _, a := range st.Decision.Chain {
		chain = append(chain, a.Role+" "+a.Name)
	}
	if got := strings.Join(chain, " → "); !strings.HasPrefix(got, "承办人 王强 → 审核人 周敏 → 批准人 张建国") {
		t.Fatalf("approval chain %q", got)
	}
	if p := st.Decision.Procedure; p == nil || !p.HearingHeld || p.Notice != "新市监告〔2026〕7号" {
		t.Fatalf("procedure of the decision: %+v", st.Decision.Procedure)
	}
	officer.do(caseA, "decision_draft", map[string]any{"party_address": "呼和浩特市新城区某路 8 号", "evidence": "现场检查笔录\n询问笔录\n听证笔录",
		"payment_place": "中国工商银行新城支行", "reconsideration_organ": "新城区人民政府", "court": "新城区人民法院"})
	st = officer.do(caseA, "decision_served", map[string]any{"method": "direct", "recipient": "张三（委托代理人）", "party_present": true, "file": upload(caseA, "decision-proof.pdf")})
	// Publication within 7 working days (002-publicity §12): the reviewer
	// approves the decision on the queue page, the office chain records it.
	clk.Set(at(3, 18, 10, 0))
	signInAll()
	item := publicityLink.FindStringSubmatch(lawyer.get("/publicity"))
	if item == nil {
		t.Fatal("the decision is not in the publication queue")
	}
	if page := lawyer.form("/publicity/"+item[1]+"/approve", url.Values{"note": {"同意公开"}}); !strings.Contains(page, "已审核并公开") {
		t.Fatalf("publication approval:\n%s", page)
	}
	var pub reviewsrv.State
	if code, body := officer.api("GET", "/api/review/cases/"+caseA, nil, &pub); code != 200 || !pub.Published.Equal(clk.Now()) {
		t.Fatalf("published: %d %s", code, body)
	}
	servedDecision := st.Life.DecisionServed.ServedAt
	paymentDue := deadline.PaymentDue(servedDecision) // 15 calendar days (§67): to the end of 1 April
	if dayText(paymentDue) != "2026-04-01 24:00" {
		t.Fatalf("payment due %s", paymentDue)
	}

	// ---- case A: execution (SPEC C6; 行政处罚法 §67, §72; 行政强制法 §35-37, §53-54) ----
	clk.Set(at(4, 3, 10, 0))
	signInAll()
	officer.do(caseA, "performance", map[string]any{"status": "not", "note": "未缴纳罚款"})
	st = officer.do(caseA, "late_fee", map[string]any{"at": "2026-04-03 10:00"})
	// 2 and 3 April: 2 days × 3 % × 150,000 = 9,000 yuan.
	if lf := st.Exec.LateFees[0].Fields.Amount; lf.Days != 2 || lf.Cents != 900_000 || lf.Capped {
		t.Fatalf("late fee on 3 April: %+v", lf)
	}
	reminder := map[string]any{"number": "新市监催〔2026〕3号", "method": "direct", "recipient": "张三", "file": upload(caseA, "reminder.pdf")}
	st = officer.do(caseA, "execution_reminder", reminder)
	rem := st.Exec.Reminder
	if want, _ := deadline.ReminderEnds(cal, clk.Now()); !rem.PerformEnds.Equal(want) || rem.OwedCents != 15_900_000 || rem.LateFee.Cents != 900_000 {
		t.Fatalf("reminder: %+v, perform by %s", rem, want)
	}
	officer.do(caseA, "execution_reply", map[string]any{"content": "经营困难，请求减免加处罚款", "way": "written", "outcome": "not_adopted",
		"reasons": "加处罚款依法律规定计算，当事人未提出分期缴纳的书面申请（行政处罚法第六十六条第二款）"})
	application := map[string]any{"kind": "court_application", "number": "新市监强申〔2026〕1号", "court": "新城区人民法院", "file": upload(caseA, "application.pdf")}
	officer.refused(caseA, "enforcement", application, "行政强制法 §37, §54, §69", "第五十四条")

	clk.Set(at(4, 27, 10, 0))
	signInAll()
	officer.refused(caseA, "enforcement", application, "行政强制法 §53; 行政复议法 §20; 行政诉讼法 §46", "第五十三条")

	// The 6 months of suit after service on 17 March end on 17 September.
	clk.Set(at(9, 18, 10, 0))
	signInAll()
	for _, c := range []struct {
		day    string
		days   int
		cents  int64
		capped bool
	}{
		{"2026-05-04", 33, 14_850_000, false}, // 33 × 4,500 = 148,500 yuan
		{"2026-05-05", 34, 15_000_000, true},  // 153,000 would pass the fine: 150,000
		{"2026-09-18", 170, 15_000_000, true},
	} {
		st = officer.do(caseA, "late_fee", map[string]any{"at": c.day + " 10:00"})
		lf := st.Exec.LateFees[len(st.Exec.LateFees)-1].Fields.Amount
		if lf.Days != c.days || lf.Cents != c.cents || lf.Capped != c.capped || lf.CapDay.Format(time.DateOnly) != "2026-05-05" {
			t.Fatalf("late fee as of %s: %+v", c.day, lf)
		}
	}
	st = officer.do(caseA, "enforcement", application)
	if e := st.Exec.Enforcement; e == nil || e.OwedCents != 30_000_000 || !e.RemedyEnds.Equal(deadline.RemedyEnds(servedDecision)) {
		t.Fatalf("court application: %+v", st.Exec.Enforcement)
	}
	closing := map[string]any{"kind": "performed", "content": "经人民法院强制执行，罚款及加处罚款已缴清"}
	r = officer.refused(caseA, "closing_request", closing, "000-record §24-28; 003 §23-25; 行政处罚法 §66-67, §72", "第七十二条")
	if !strings.Contains(r.MessageZh, "尚未执行完毕") || len(r.Missing) != 1 || !strings.Contains(r.Missing[0].Zh, "尚欠 300000.00 元") {
		t.Fatalf("closing with the execution open: %+v", r)
	}
	st = officer.do(caseA, "performance", map[string]any{"status": "paid", "amount": 300000, "file": upload(caseA, "voucher.pdf"), "note": "人民法院强制执行划缴"})
	if st.Exec.Paid.IsZero() || st.Exec.PaidCents != 30_000_000 {
		t.Fatalf("paid: %+v", st.Exec)
	}
	// Closed today: the case file is due within 30 days (000-record §28)
	// and made now by the operator command, which runs on the wall clock.
	clk.Set(time.Now())
	signInAll()
	officer.do(caseA, "closing_request", closing)
	st = head.do(caseA, "closing_signoff", map[string]any{"outcome": "approve", "opinion": "同意结案"})
	if st.Ended.IsZero() || st.Exec.Closing.ArchiveDue != workday.AddCalendarDays(clk.Now().In(cst), 30).Format(time.DateOnly) {
		t.Fatalf("closing approval: ended %s, %+v", st.Ended, st.Exec.Closing)
	}
	// Case B ends by transfer (行政处罚法 §27, §57(1)(四)): no decision was made.
	officer.do(caseB, "closing_request", map[string]any{"kind": "transferred", "content": "涉嫌犯罪，移送公安机关", "reasons": "销售数量较大，涉嫌生产、销售不符合安全标准的食品罪"})
	head.do(caseB, "closing_signoff", map[string]any{"outcome": "approve"})

	var steps []string
	for _, s := range st.Steps {
		steps = append(steps, s.Step)
	}
	want := "register_request,register_approval,prior_notice,prior_notice_served,hearing_request,hearing_notice,hearing_record,decision_proposal,review_submit,review_opinion," +
		"decision,decision_draft,decision_served,decision_published,performance,late_fee,execution_reminder,execution_reply,late_fee,late_fee,late_fee,enforcement,performance,closing_request,closing_signoff"
	if got := strings.Join(steps, ","); got != want {
		t.Fatalf("office chain of %s:\n got %s\nwant %s", caseA, got, want)
	}
	stop()

	// ---- the case file (SPEC R2, R5) ----
	bundle := filepath.Join(t.TempDir(), caseA+".zip")
	if out := s.mustOp("archive", caseA, "-o", bundle, "--by", "档案员 陈静"); !strings.Contains(out, "立卷归档 recorded") {
		t.Fatalf("archive: %s", out)
	}
	out, code := runVerify(t, bundle)
	if code != 0 || !strings.Contains(out, "结论：完好") || !strings.Contains(out, caseA) {
		t.Fatalf("lawtrace-verify of the case file: exit %d\n%s", code, out)
	}
	names, files := zipFiles(t, bundle)
	var office []ledger.Entry
	if err := json.Unmarshal(files["entries/office.json"], &office); err != nil || len(office) != len(steps)+1 || office[len(office)-1].Step != "case_archived" {
		t.Fatalf("office entries in the bundle: %d, %v", len(office), err)
	}
	avFile := firstWith(names, "media/"+av)
	if avFile == "" || !bytes.Contains(files[avFile], []byte("hearing audio and video")) {
		t.Fatalf("the hearing A/V is not in the bundle as its bytes: %v", names)
	}
	var docs []string
	for _, n := range names {
		if strings.HasPrefix(n, "documents/") {
			docs = append(docs, n)
		}
	}
	if len(docs) < 2 {
		t.Fatalf("documents in the bundle: %v", docs)
	}
	s.verifyClean()
	// The deadline monitor (SPEC D5): every period of the agency met, the
	// party's periods missed (it did not pay until the court executed).
	var dls []struct{ Kind, State string }
	if err := json.Unmarshal([]byte(s.mustOp("deadlines", "--case", caseA, "--json")), &dls); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, d := range dls {
		states[d.Kind] = d.State
	}
	wantStates := map[string]string{"av_upload": "met", "hearing_request": "met", "legal_review": "met", "publication": "met", "decision_service": "met",
		"decision_term": "met", "court_application": "met", "archive": "met", "fine_payment": "missed", "reminder_period": "missed", "late_fee": "missed"}
	if !maps.Equal(states, wantStates) {
		t.Fatalf("deadlines of %s: %v, want %v", caseA, states, wantStates)
	}

	// A second case file (case B) grows the log; case A written again is
	// proven in the bigger tree.
	other := filepath.Join(t.TempDir(), caseB+".zip")
	s.mustOp("archive", caseB, "-o", other)
	if out, code := runVerify(t, other); code != 0 {
		t.Fatalf("case file of %s: exit %d\n%s", caseB, code, out)
	}
	again := filepath.Join(t.TempDir(), caseA+"-again.zip")
	if out := s.mustOp("archive", caseA, "-o", again); !strings.Contains(out, "already archived") {
		t.Fatalf("second archive of %s: %s", caseA, out)
	}
	if out, code := runVerify(t, again); code != 0 {
		t.Fatalf("case file of %s written again: exit %d\n%s", caseA, code, out)
	}
	_, againFiles := zipFiles(t, again)
	var head1, head2 syncproto.TreeHead
	json.Unmarshal(files["log/tree-head.json"], &head1)
	json.Unmarshal(againFiles["log/tree-head.json"], &head2)
	if head2.Size <= head1.Size {
		t.Fatalf("tree sizes %d then %d", head1.Size, head2.Size)
	}

	hearingSeq := office[slices.IndexFunc(office, func(e ledger.Entry) bool { return e.Step == "hearing_record" })].Seq
	for _, c := range []struct {
		name   string
		tamper func(f map[string][]byte)
		want   []string
	}{
		{"hearing video byte flipped", func(f map[string][]byte) {
			b := bytes.Clone(f[avFile])
			b[len(b)/2] ^= 0x01
			f[avFile] = b
		}, []string{avFile + "：内容与清单不符", entryName(office[hearingSeq-1]) + "：所附文件内容被改动"}},
		{"office entry removed", func(f map[string][]byte) {
			var es []json.RawMessage
			json.Unmarshal(f["entries/office.json"], &es)
			es = slices.Delete(es, int(hearingSeq)-1, int(hearingSeq))
			f["entries/office.json"], _ = json.MarshalIndent(es, "", " ")
			relist(t, f, "entries/office.json")
		}, []string{entryName(office[hearingSeq]) + "：序号不连续", "证明了案卷中没有的记录 " + office[hearingSeq-1].ID, "manifest.sig"}},
		{"PDF replaced", func(f map[string][]byte) {
			f[docs[0]] = f[docs[1]]
			relist(t, f, docs[0])
		}, []string{docs[0] + "：文书与记录", "文书被替换或改动", "manifest.sig"}},
		{"inclusion proof from another tree", func(f map[string][]byte) {
			var mine, theirs []syncproto.InclusionProof
			json.Unmarshal(f["log/proofs.json"], &mine)
			json.Unmarshal(againFiles["log/proofs.json"], &theirs)
			i := slices.IndexFunc(mine, func(p syncproto.InclusionProof) bool { return p.EntryID == office[hearingSeq-1].ID })
			j := slices.IndexFunc(theirs, func(p syncproto.InclusionProof) bool { return p.EntryID == office[hearingSeq-1].ID })
			if i < 0 || j < 0 || slices.EqualFunc(mine[i].Hashes, theirs[j].Hashes, bytes.Equal) {
				t.Fatalf("proofs of the hearing record: %d %d", i, j)
			}
			mine[i] = theirs[j] // a true proof of the same entry, in the tree of the later archive
			f["log/proofs.json"], _ = json.MarshalIndent(mine, "", " ")
			relist(t, f, "log/proofs.json")
		}, []string{entryName(office[hearingSeq-1]) + "：日志包含证明", fmt.Sprintf("不能在树头（大小 %d）下验证：证明来自另一棵日志树", head1.Size)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, f := zipFiles(t, bundle)
			c.tamper(f)
			path := filepath.Join(t.TempDir(), "tampered.zip")
			writeZip(t, path, n, f)
			out, code := runVerify(t, path)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if os.Getenv("LAWTRACE_KEEP_BUNDLE") != "" {
		_ = os.WriteFile(os.Getenv("LAWTRACE_KEEP_BUNDLE"), mustRead(t, bundle), 0o644)
	}
}

var publicityLink = regexp.MustCompile(`href="/publicity/(\d+)"`)

// form posts a page's form with the session's CSRF token and returns the
// page it leads to.
func (u *webUser) form(path string, v url.Values) string {
	u.t.Helper()
	v.Set("csrf", u.csrf)
	resp, err := u.c.PostForm(u.base+path, v)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		u.t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

// dayText is the last day of a period that ends at due, as the pages and
// refusals print it.
func dayText(due time.Time) string {
	return due.In(cst).Add(-time.Nanosecond).Format("2006-01-02") + " 24:00"
}

// entryName is how lawtrace-verify names an office entry.
func entryName(e ledger.Entry) string { return fmt.Sprintf("机关记录 #%d（%s）", e.Seq, e.ID) }
