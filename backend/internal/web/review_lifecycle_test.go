package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/shared/deadline"
	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

// SPEC C1 C2 C3 C4 R9 D5: one general-procedure penalty driven in real
// Chromium from 立案 to the decision — the officer asks for 立案 with the
// complaint, the head approves it, the officer records the prior notice of
// a fine of 150,000 yuan (the hearing right of 行政处罚法 §63 appears) and its
// service, the party's statement and its 复核, the hearing request; a
// hearing officer who investigated the case is refused on screen with
// §64; the hearing is noticed 7 working days ahead and held, its record
// signed and its video uploaded; the officer proposes the decision after
// the hearing and submits it; the reviewer agrees; the head's decision
// with a collective discussion dated before the review opinion is refused
// with §57, then recorded, with the approval chain 承办人 → 审核人 → 批准人.
func TestLifecycleInChromium(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, cst)} // Monday
	e := start(t, clk)
	const id = "20260302-11fe0001"
	penaltyCase(t, e, 63, id)
	dir := t.TempDir()
	file := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("%PDF-1.4 "+name), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	type C = chromedp.CSS
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(C(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	do := func(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	signIn := func(ctx context.Context, user, password string) {
		t.Helper()
		do(ctx, "sign in as "+user, chromedp.Navigate(e.url+"/login"), chromedp.SendKeys(C(`#username`), user), chromedp.SendKeys(C(`#password`), password),
			chromedp.Click(C(`#login`)), chromedp.WaitVisible(C(`header.top nav`)))
	}
	page := "/review/cases/" + id + "/lifecycle"
	open := func(ctx context.Context) chromedp.Action[chromedp.Void] {
		return chromedp.Navigate(e.url + page)
	}
	flashed := func(ctx context.Context, want string) {
		t.Helper()
		if f := text(ctx, `.flash`); !strings.Contains(f, want) {
			t.Fatalf("flash %q, want %q", f, want)
		}
	}

	off := reviewChrome(t)
	signIn(off, "officer", "lawtrace-officer")
	// C1: the officer reaches the lifecycle page from the review page.
	do(off, "lifecycle link", chromedp.Navigate(e.url+"/review/cases/"+id), chromedp.Click(C(`#to-lifecycle`)), chromedp.WaitVisible(C(`#form-register_request`)))
	do(off, "立案 request",
		chromedp.SendKeys(C(`#reg-facts`), "消费者投诉：销售超过保质期的面包"),
		chromedp.SendKeys(C(`#reg-handler`), "涉嫌违反《食品安全法》第三十四条，建议立案调查"),
		chromedp.SendKeys(C(`#reg-unit`), "同意立案"),
		chromedp.SendKeys(C(`#reg-complainant`), "李某"),
		chromedp.SetValue(C(`#reg-channel`), "phone"),
		chromedp.SendKeys(C(`#reg-content`), "某超市货架上有过期面包"),
		chromedp.Click(C(`#submit-register_request`)), chromedp.WaitVisible(C(`.flash`)))
	flashed(off, "立案申请")

	head := reviewChrome(t)
	signIn(head, "supervisor", "lawtrace-supervisor")
	do(head, "立案 approval", open(head), chromedp.WaitVisible(C(`#form-register_approval`)), chromedp.SendKeys(C(`#reg-opinion`), "同意立案，由一中队承办"),
		chromedp.Click(C(`#submit-register_approval`)), chromedp.WaitVisible(C(`#register-result`)))
	if r := text(head, `#register-result`); !strings.Contains(r, "批准立案") || !strings.Contains(r, "张建国") {
		t.Fatalf("register result %q", r)
	}

	// C2: the prior notice, with the hearing right, and its service.
	do(off, "prior notice", open(off), chromedp.WaitVisible(C(`#form-prior_notice`)),
		chromedp.SendKeys(C(`#notice-number`), "新市监告〔2026〕7号"),
		chromedp.SendKeys(C(`#notice-facts`), "当事人销售超过保质期的面包 120 袋"),
		chromedp.SendKeys(C(`#notice-reasons`), "违反《食品安全法》第三十四条第（十）项"),
		chromedp.SendKeys(C(`#notice-basis`), "《食品安全法》第一百二十四条第一款"),
		chromedp.Click(C(`#notice-measure-fine`)),
		chromedp.SendKeys(C(`#notice-fine`), "150000"),
		chromedp.SetUploadFiles(C(`#notice-file`), []string{file("notice.pdf")}),
		chromedp.Click(C(`#submit-prior_notice`)), chromedp.WaitVisible(C(`#notice-view`)))
	if v := text(off, `#notice-view`); !strings.Contains(v, "有权要求听证") || !strings.Contains(v, "罚款 150000.00 元") || !strings.Contains(v, "五个工作日") {
		t.Fatalf("notice %q", v)
	}
	do(off, "service", chromedp.SendKeys(C(`#served-recipient`), "张三（委托代理人）"), chromedp.Click(C(`#submit-prior_notice_served`)), chromedp.WaitVisible(C(`#notice-served`)))
	// 5 working days from Mon 2 Mar: 3, 4, 5, 6, 9 Mar (行政处罚法 §64(1), §85).
	if s := text(off, `#notice-served`); !strings.Contains(s, "2026-03-09 24:00") {
		t.Fatalf("served %q", s)
	}
	// The statement and its 复核, the hearing request.
	do(off, "statement", chromedp.SetValue(C(`#statement-way`), "written"), chromedp.SendKeys(C(`#statement-content`), "面包系当日退货，尚未销售"),
		chromedp.Click(C(`#submit-statement`)), chromedp.WaitVisible(C(`#form-statement_review`)),
		chromedp.SetValue(C(`#sr-outcome`), "not_adopted"), chromedp.SendKeys(C(`#sr-reasons`), "退货面包陈列于销售货架，监控录像在卷"),
		chromedp.Click(C(`#submit-statement_review`)), chromedp.WaitNotPresent(C(`#form-statement_review`)))
	do(off, "hearing request", chromedp.Click(C(`#submit-hearing_request`)), chromedp.WaitVisible(C(`#hearing-requested`)))

	// C3 (行政处罚法 §64(4)): an investigator may not preside; refused on screen.
	do(off, "hearing notice by an investigator", chromedp.SetValue(C(`#hn-at`), "2026-03-16T09:00"), chromedp.SendKeys(C(`#hn-place`), "局三楼听证室"),
		chromedp.SendKeys(C(`#hn-officer`), "李明"), chromedp.SendKeys(C(`#hn-cert`), "15010002"), chromedp.SendKeys(C(`#hn-recorder`), "陈记录"),
		chromedp.Click(C(`#submit-hearing_notice`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(off, `#life-error`); !strings.Contains(msg, "非本案调查人员") || !strings.Contains(msg, "《中华人民共和国行政处罚法》第六十四条第（四）项") {
		t.Fatalf("refused hearing officer: %q", msg)
	}
	do(off, "hearing notice", chromedp.SetValue(C(`#hn-officer`), "刘法制"), chromedp.SetValue(C(`#hn-cert`), "15010009"),
		chromedp.Click(C(`#submit-hearing_notice`)), chromedp.WaitVisible(C(`#hearing-noticed`)))
	if n := text(off, `#hearing-noticed`); !strings.Contains(n, "公开举行") || !strings.Contains(n, "2026-03-12") {
		t.Fatalf("hearing notice %q", n)
	}
	// The hearing on Mon 16 Mar: the record signed, the video kept.
	clk.Add(14*24*time.Hour + time.Hour) // 2026-03-16 11:00: the sessions of 2 March have expired
	signIn(off, "officer", "lawtrace-officer")
	signIn(head, "supervisor", "lawtrace-supervisor")
	do(off, "hearing record", open(off), chromedp.WaitVisible(C(`#form-hearing_record`)),
		chromedp.SetValue(C(`#hh-at`), "2026-03-16T09:00"),
		chromedp.SetUploadFiles(C(`#hh-record`), []string{file("hearing-record.pdf")}),
		chromedp.SetValue(C(`#hh-signed`), "signed"),
		chromedp.SetUploadFiles(C(`#hh-av`), []string{file("hearing.mp4")}),
		chromedp.SendKeys(C(`#hh-opinion`), "事实清楚，证据确凿，建议罚款 15 万元"),
		chromedp.Click(C(`#submit-hearing_record`)), chromedp.WaitVisible(C(`#hearing-held, #life-error`)))
	if msg, _ := chromedp.Run(off, chromedp.Evaluate[string](`(document.getElementById('life-error')||{}).innerText||''`)); msg != "" {
		t.Fatalf("hearing record refused: %s", msg)
	}
	if h := text(off, `#hearing-held`); !strings.Contains(h, "已签字") || !strings.Contains(h, "音像记录 1 件") {
		t.Fatalf("hearing %q", h)
	}

	// Review (SPEC L1-L3): the officer proposes after the hearing and submits.
	do(off, "proposal", chromedp.Navigate(e.url+"/review/cases/"+id), chromedp.WaitVisible(C(`#proposal-form`)),
		chromedp.Click(C(`#measure-fine`)), chromedp.SendKeys(C(`#proposal-fine`), "150000"), chromedp.Click(C(`#proposal-hearing`)),
		chromedp.Click(C(`#proposal-submit`)), chromedp.WaitVisible(C(`#submit-form`)),
		chromedp.SetUploadFiles(C(`#file-investigation_report`), []string{file("report.pdf")}),
		chromedp.SetUploadFiles(C(`#file-draft_decision`), []string{file("draft.pdf")}),
		chromedp.SetUploadFiles(C(`#file-evidence`), []string{file("evidence.pdf")}),
		chromedp.SetUploadFiles(C(`#file-hearing_record`), []string{file("hearing-record.pdf")}),
		chromedp.SendKeys(C(`#ex-basic_facts`), "销售超过保质期的面包 120 袋"),
		chromedp.SendKeys(C(`#ex-law_and_discretion`), "《食品安全法》第一百二十四条，一般情节"),
		chromedp.SendKeys(C(`#ex-officer_qualification`), "王强、李明证件有效"),
		chromedp.SendKeys(C(`#ex-investigation_and_hearing`), "2026-03-16 举行听证，笔录在卷"),
		chromedp.Click(C(`#submit-submit`)), chromedp.WaitVisible(C(`#review-materials`)))
	if s := text(off, `#review-state`); s != "审核中" {
		t.Fatalf("review state %q", s)
	}
	// The reviewer agrees (the reviewer's page has its own Chromium test).
	var findings []review.Finding
	for _, c := range review.Checklist {
		findings = append(findings, review.Finding{Item: c.ID, OK: true})
	}
	if _, err := e.m.Review.GiveOpinion(context.Background(), reviewsrv.User{ID: "3", Username: "reviewer", Name: "周敏", Role: "reviewer"}, id,
		reviewsrv.OpinionRequest{Kind: "agree", Findings: findings}); err != nil {
		t.Fatal(err)
	}

	// C4 (行政处罚法 §57): a discussion dated before the opinion is refused.
	decide := func(date string) {
		do(head, "decision", chromedp.Navigate(e.url+"/review/cases/"+id), chromedp.WaitVisible(C(`#decision-form`)),
			chromedp.SendKeys(C(`#decision-number`), "新市监罚〔2026〕21号"),
			chromedp.SetUploadFiles(C(`#decision-file`), []string{file("decision.pdf")}),
			chromedp.SetValue(C(`#collective-date`), date),
			chromedp.SendKeys(C(`#collective-participants`), "张建国、刘副局长、陈副局长"),
			chromedp.SendKeys(C(`#collective-conclusion`), "同意罚款 15 万元"),
			chromedp.SetUploadFiles(C(`#collective-minutes`), []string{file("minutes.pdf")}),
			chromedp.Click(C(`#decision-submit`)))
	}
	decide("2026-03-13")
	do(head, "refused decision", chromedp.WaitVisible(C(`#review-error`)))
	if msg := text(head, `#review-error`); !strings.Contains(msg, "第五十七条") || !strings.Contains(msg, "法制审核意见之后") {
		t.Fatalf("refused collective discussion: %q", msg)
	}
	decide("2026-03-16")
	do(head, "decision recorded", chromedp.WaitVisible(C(`#review-decision`)))

	do(head, "lifecycle after the decision", open(head), chromedp.WaitVisible(C(`#approval-chain`)))
	chain, stages := text(head, `#approval-chain`), text(head, `#stages`)
	if !strings.Contains(chain, "承办人 王强") || !strings.Contains(chain, "审核人 周敏") || !strings.Contains(chain, "批准人 张建国") ||
		!strings.Contains(stages, "新市监罚〔2026〕21号") || !strings.Contains(text(head, `#life-deadlines`), "决定书送达") {
		t.Fatalf("after the decision: chain %q stages %q", chain, stages)
	}
	reviewScreenshot(t, head, "lifecycle.png")
	st, err := e.m.Review.State(context.Background(), id)
	if err != nil || st.Decision == nil || st.Decision.Procedure == nil || !st.Decision.Procedure.HearingHeld || st.Decision.Procedure.Statements != 1 {
		t.Fatalf("decision %+v %v", st.Decision, err)
	}

	// C4 (行政处罚法 §59): the elements of the decision document; the PDF is
	// offered on the page and carries them.
	do(off, "decision draft", open(off), chromedp.WaitVisible(C(`#form-decision_draft`)),
		chromedp.SendKeys(C(`#dd-address`), "呼和浩特市新城区某路 8 号"),
		chromedp.SendKeys(C(`#dd-evidence`), "现场检查笔录\n询问笔录\n听证笔录"),
		chromedp.SendKeys(C(`#dd-bank`), "中国工商银行新城支行"),
		chromedp.SendKeys(C(`#dd-recon`), "新城区人民政府"),
		chromedp.SendKeys(C(`#dd-court`), "新城区人民法院"),
		chromedp.Click(C(`#submit-decision_draft`)), chromedp.WaitVisible(C(`#decision-pdf`)))
	if pdf := e.as("officer").get("/review/cases/" + id + "/decision.pdf"); pdf.StatusCode != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Fatalf("decision pdf: %d %s", pdf.StatusCode, pdf.Header.Get("Content-Type"))
	}
	// C5, C6: served on Mon 16 Mar; the fine is due within 15 calendar days
	// (行政处罚法 §67, §85), by the end of 31 Mar.
	do(off, "decision served", chromedp.SendKeys(C(`#ds-recipient`), "张三（委托代理人）"), chromedp.Click(C(`#submit-decision_served`)), chromedp.WaitVisible(C(`#payment-due`)))
	if d := text(off, `#payment-due`); d != "2026-03-31 24:00" {
		t.Fatalf("payment due %q", d)
	}
	// Fri 10 Apr: 10 days late, 3 % a day — 45,000 yuan (行政处罚法 §72(1)).
	clk.Add(25 * 24 * time.Hour) // 2026-04-10 11:00
	signIn(off, "officer", "lawtrace-officer")
	signIn(head, "supervisor", "lawtrace-supervisor")
	do(off, "execution", open(off), chromedp.WaitVisible(C(`#life-execution`)))
	if lf := text(off, `#late-fee`); !strings.Contains(lf, "10 日") || !strings.Contains(lf, "45000.00 元") {
		t.Fatalf("late fee %q", lf)
	}
	// Paying the fine alone is not full performance: refused with §72.
	do(off, "paid without the late fee", chromedp.SetValue(C(`#pf-status`), "paid"), chromedp.SendKeys(C(`#pf-amount`), "150000"),
		chromedp.SetUploadFiles(C(`#pf-voucher`), []string{file("voucher1.pdf")}), chromedp.Click(C(`#submit-performance`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(off, `#life-error`); !strings.Contains(msg, "第七十二条") || !strings.Contains(msg, "195000.00") {
		t.Fatalf("refused payment %q", msg)
	}
	do(off, "partly paid", chromedp.SetValue(C(`#pf-status`), "partly"), chromedp.SetValue(C(`#pf-amount`), "150000"),
		chromedp.SetUploadFiles(C(`#pf-voucher`), []string{file("voucher1.pdf")}), chromedp.Click(C(`#submit-performance`)), chromedp.WaitVisible(C(`#exec-records li.check`)))
	do(off, "late fee", chromedp.Click(C(`#submit-late_fee`)), chromedp.WaitVisible(C(`#exec-records li.latefee`)))
	// 催告 in writing (行政强制法 §35): 10 working days to perform (§54, §69).
	do(off, "reminder", chromedp.SendKeys(C(`#rm-number`), "新市监催〔2026〕3号"), chromedp.SendKeys(C(`#rm-recipient`), "张三"),
		chromedp.SetUploadFiles(C(`#rm-file`), []string{file("reminder.pdf")}), chromedp.Click(C(`#submit-execution_reminder`)), chromedp.WaitVisible(C(`#reminder-served`)))
	remEnds, _ := deadline.ReminderEnds(workday.Default(), clk.Now())
	if r := text(off, `#reminder-served`); !strings.Contains(r, remEnds.Add(-time.Nanosecond).Format("2006-01-02")+" 24:00") || !strings.Contains(r, "45000.00 元") {
		t.Fatalf("reminder %q (ends %s)", r, remEnds)
	}
	// The party's statement on the reminder, reviewed (行政强制法 §36).
	do(off, "reply", chromedp.Click(C(`#life-execution details summary`)), chromedp.WaitVisible(C(`#rp-content`)),
		chromedp.SendKeys(C(`#rp-content`), "经营困难，请求分期缴纳"), chromedp.SetValue(C(`#rp-outcome`), "not_adopted"),
		chromedp.SendKeys(C(`#rp-reasons`), "未提出分期缴纳的书面申请及证明材料（行政处罚法第六十六条第二款）"),
		chromedp.Click(C(`#submit-execution_reply`)), chromedp.WaitVisible(C(`#exec-records li.reply`)))
	// The court is applied to only after the remedy periods (行政强制法 §53).
	clk.Add(17 * 24 * time.Hour) // 2026-04-27
	signIn(off, "officer", "lawtrace-officer")
	do(off, "early court application", open(off), chromedp.WaitVisible(C(`#form-enforcement`)), chromedp.SendKeys(C(`#en-number`), "新市监强申〔2026〕1号"),
		chromedp.SendKeys(C(`#en-court`), "新城区人民法院"), chromedp.SetUploadFiles(C(`#en-file`), []string{file("application.pdf")}),
		chromedp.Click(C(`#submit-enforcement`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(off, `#life-error`); !strings.Contains(msg, "《中华人民共和国行政强制法》第五十三条") {
		t.Fatalf("early application %q", msg)
	}
	clk.Add(time.Date(2026, 9, 18, 10, 0, 0, 0, cst).Sub(clk.Now())) // the 6 months after service ended on 16 Sep
	signIn(off, "officer", "lawtrace-officer")
	signIn(head, "supervisor", "lawtrace-supervisor")
	do(off, "court application", open(off), chromedp.WaitVisible(C(`#form-enforcement`)), chromedp.SendKeys(C(`#en-number`), "新市监强申〔2026〕1号"),
		chromedp.SendKeys(C(`#en-court`), "新城区人民法院"), chromedp.SetUploadFiles(C(`#en-file`), []string{file("application.pdf")}),
		chromedp.Click(C(`#submit-enforcement`)), chromedp.WaitVisible(C(`#enforcement-done`)))
	if lf := text(off, `#late-fee`); !strings.Contains(lf, "150000.00 元") || !strings.Contains(lf, "已达罚款数额上限") {
		t.Fatalf("capped late fee %q", lf)
	}
	// C7: closing as performed is refused while the execution is open.
	do(off, "closing refused", chromedp.SetValue(C(`#cl-kind`), "performed"), chromedp.SendKeys(C(`#cl-content`), "已申请法院强制执行"),
		chromedp.Click(C(`#submit-closing_request`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(off, `#life-error`); !strings.Contains(msg, "尚未执行完毕") || !strings.Contains(msg, "尚欠 150000.00 元") {
		t.Fatalf("closing refused %q", msg)
	}
	reviewScreenshotOf(t, off, "#life-execution", "lifecycle-execution.png")
	// The court executes: the rest is paid with its voucher; then closing.
	do(off, "paid", chromedp.SetValue(C(`#pf-status`), "paid"), chromedp.SetValue(C(`#pf-amount`), "150000"),
		chromedp.SetUploadFiles(C(`#pf-voucher`), []string{file("voucher2.pdf")}), chromedp.Click(C(`#submit-performance`)), chromedp.WaitVisible(C(`#exec-status .badge.ok`)))
	do(off, "closing report", chromedp.SetValue(C(`#cl-kind`), "performed"), chromedp.SetValue(C(`#cl-content`), "经人民法院强制执行，罚款及加处罚款已缴清"),
		chromedp.Click(C(`#submit-closing_request`)), chromedp.WaitVisible(C(`#closing-request`)))
	do(head, "closing approval", open(head), chromedp.WaitVisible(C(`#form-closing_signoff`)), chromedp.SendKeys(C(`#cl-opinion`), "同意结案"),
		chromedp.Click(C(`#submit-closing_signoff`)), chromedp.WaitVisible(C(`#closing-done`)))
	if c := text(head, `#closing-done`); !strings.Contains(c, "2026-10-18") {
		t.Fatalf("closing %q", c)
	}
	if dl := text(head, `#life-deadlines`); !strings.Contains(dl, "立卷归档：2026-") {
		t.Fatalf("archive deadline %q", dl)
	}
	// D1: the board shows the case closed.
	if b := e.as("supervisor").get("/board"); !strings.Contains(b.body, `data-stage="已结案"`) {
		t.Fatal("the board row lacks the closed state")
	}
}

// reviewScreenshotOf saves one part of the page under LAWTRACE_SCREENSHOTS.
func reviewScreenshotOf(t *testing.T, ctx context.Context, sel, name string) {
	dir := os.Getenv("LAWTRACE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// SPEC C1-C3: the lifecycle pages over HTTP — who sees which form, a head
// step refused to an officer, a refusal shown with its article in Chinese,
// an unknown step.
func TestLifecyclePagesHTTP(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	const id = "20260302-11fe0002"
	penaltyCase(t, e, 64, id)
	off, head := e.as("officer"), e.as("supervisor")
	page := "/review/cases/" + id + "/lifecycle"
	if p := off.get(page); p.StatusCode != 200 || !strings.Contains(p.body, `id="form-register_request"`) || strings.Contains(p.body, `id="form-decision_term_extend"`) {
		t.Fatalf("officer's page: %d", p.StatusCode)
	}
	if p := e.as("officer2").get(page); p.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer not on the crew: %d", p.StatusCode)
	}
	post := func(b *browser, step string, form url.Values) response {
		form.Set("csrf", b.csrf)
		return b.do("POST", "/review/cases/"+id+"/life/"+step, form, "Origin", e.url)
	}
	if r := post(off, "register_approval", url.Values{"outcome": {"register"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer approving 立案: %d", r.StatusCode)
	}
	if r := post(off, "frobnicate", url.Values{}); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown step: %d", r.StatusCode)
	}
	r := post(off, "prior_notice", url.Values{"number": {"告1"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "本案尚未经负责人批准立案") || !strings.Contains(r.body, "《中华人民共和国行政处罚法》第五十四条") {
		t.Fatalf("notice before 立案: %d", r.StatusCode)
	}
	r = post(off, "register_request", url.Values{"facts": {"投诉"}, "handler_opinion": {"建议立案"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "承办机构意见") || !strings.Contains(r.body, "投诉举报渠道") || !strings.Contains(r.body, `>投诉</textarea>`) {
		t.Fatalf("incomplete request: %d %s", r.StatusCode, r.body[strings.Index(r.body, "<main"):])
	}
	if r := post(off, "register_request", url.Values{"facts": {"投诉"}, "handler_opinion": {"建议立案"}, "unit_opinion": {"同意"}, "channel": {"online"}, "content": {"过期食品"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d %s", r.StatusCode, r.body)
	}
	if p := head.get(page); !strings.Contains(p.body, `id="form-register_approval"`) {
		t.Fatal("the head's page lacks the approval form")
	}
	if r := post(head, "register_approval", url.Values{"outcome": {"register"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approval: %d %s", r.StatusCode, r.body)
	}
	if p := head.get(page); !strings.Contains(p.body, "批准立案") || !strings.Contains(p.body, "2026-05-31 24:00") || !strings.Contains(p.body, `id="form-decision_term_extend"`) {
		t.Fatal("after 立案: the page lacks the approval, the §60 term or the extension form")
	}
	if p := head.get("/review/cases/" + id); !strings.Contains(p.body, `id="to-lifecycle"`) || !strings.Contains(p.body, "已立案") {
		t.Fatal("the review page lacks the lifecycle card")
	}
	if p := head.get("/deadlines?kind=decision_term"); !strings.Contains(p.body, id) {
		t.Fatal("the deadline monitor lacks the §60 term")
	}
	// C4 (行政处罚法 §59): the decision document is refused while it lacks
	// elements, each named; the page says what is missing.
	if r := head.get("/review/cases/" + id + "/decision.pdf"); r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "当事人的地址") || !strings.Contains(r.body, "第五十九条") {
		t.Fatalf("decision pdf without its elements: %d", r.StatusCode)
	}
	if p := off.get(page); !strings.Contains(p.body, `id="doc-missing"`) || !strings.Contains(p.body, `id="form-decision_draft"`) {
		t.Fatal("the page lacks the missing elements or the form")
	}
	// C6 — 行政处罚法 §66: no execution before a decision; an amount that is
	// not one is refused.
	if r := post(off, "performance", url.Values{"status": {"not"}}); r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "第六十六条") {
		t.Fatalf("performance before the decision: %d", r.StatusCode)
	}
	if r := post(off, "performance", url.Values{"status": {"paid"}, "amount": {"NaN"}}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("amount NaN: %d", r.StatusCode)
	}
	// C7 — 000-record §34: the head approves a closing report; an officer cannot.
	if r := post(off, "closing_signoff", url.Values{"outcome": {"approve"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer approving the closing: %d", r.StatusCode)
	}
}
