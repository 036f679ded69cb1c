package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// SPEC C1 C6 C7 D5 (issue 10): coercion, inspection and permit after the
// scene, driven in real Chromium. A seizure begun on the scene: the officer
// records the appraisal period (not counted, 行政强制法 §25), the head's
// extension without reasons is refused on screen with §25 and the missing
// item, then approved; the term on the page and the monitor moves; the
// head releases the goods by list (§28) and closes the case. An inspection
// is handed over (转立案) and the penalty case's 立案 request names it. A
// permit decision refusing without reasons is refused with §38.
func TestOfficeLifecycleInChromium(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, cst)} // Monday
	e := start(t, clk)
	const coer, insp, pen, perm, coer2 = "20260302-c0e00001", "20260302-1a5p0001", "20260302-9e0a0001", "20260302-9e7m0001", "20260302-c0e00002"
	tm := e.terminal(71, "patrol-office")
	crew := []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}
	open := func(id, proc string, extra ...map[string]any) {
		tm.push(t, tm.d.Entry(id, "case_open", map[string]any{"procedure": proc, "procedure_version": 2, "party": "某仓储有限公司", "party_kind": "org", "source": "inspection", "officers": crew}))
		for _, x := range extra {
			tm.push(t, tm.d.Entry(id, x["step"].(string), map[string]any{"fields": x["fields"]}))
		}
		tm.push(t, tm.d.Entry(id, "close_scene", map[string]any{}))
	}
	open(coer, "coercion", map[string]any{"step": "seizure", "fields": map[string]any{"approval": "prior", "term_days": "30"}})
	open(insp, "inspection")
	open(coer2, "coercion", map[string]any{"step": "seizure", "fields": map[string]any{"approval": "prior", "term_days": "30", "decision_number": "武市监扣〔2026〕1号"}},
		map[string]any{"step": "seizure", "fields": map[string]any{"approval": "prior", "term_days": "15", "decision_number": "武市监扣〔2026〕2号"}})
	open(perm, "permit", map[string]any{"step": "acceptance", "fields": map[string]any{"outcome": "accepted", "matter": "药品经营许可"}})
	penaltyCase(t, e, 72, pen)

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
	page := func(id string) chromedp.Action[chromedp.Void] {
		return chromedp.Navigate(e.url + "/review/cases/" + id + "/lifecycle")
	}
	// recorded waits for the step's entry on the page; when it does not
	// come, the refusal shown instead is the failure.
	recorded := func(ctx context.Context, step string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(wctx, chromedp.WaitVisible(C(`#life-steps li[data-step=`+step+`]`))); err != nil {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('life-error')||{}).innerText||''`))
			t.Fatalf("%s not recorded: %v %s", step, err, msg)
		}
	}

	off := reviewChrome(t)
	signIn(off, "officer", "lawtrace-officer")
	do(off, "appraisal", page(coer), chromedp.WaitVisible(C(`#form-seizure_appraisal`)),
		chromedp.SendKeys(C(`#seizure_appraisal-content`), "电池安全性能检验"),
		chromedp.SendKeys(C(`#seizure_appraisal-institution`), "市产品质量监督检验所"),
		chromedp.SendKeys(C(`#seizure_appraisal-days`), "10"),
		chromedp.SetUploadFiles(C(`#seizure_appraisal-file`), []string{file("appraisal.pdf")}),
		chromedp.Click(C(`#submit-seizure_appraisal`)))
	recorded(off, "seizure_appraisal")

	head := reviewChrome(t)
	signIn(head, "supervisor", "lawtrace-supervisor")
	do(head, "extension without reasons", page(coer), chromedp.WaitVisible(C(`#form-seizure_extend`)),
		chromedp.SendKeys(C(`#seizure_extend-days`), "30"), chromedp.Click(C(`#submit-seizure_extend`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(head, `#life-error`); !strings.Contains(msg, "《中华人民共和国行政强制法》第二十五条") || !strings.Contains(msg, "延长理由") || !strings.Contains(msg, "书面告知当事人") {
		t.Fatalf("refused extension: %q", msg)
	}
	do(head, "extension", chromedp.SendKeys(C(`#seizure_extend-reasons`), "案情复杂，需查明货物来源"),
		chromedp.SendKeys(C(`#seizure_extend-number`), "武市监延〔2026〕1号"), chromedp.SetValue(C(`#seizure_extend-method`), "mail"),
		chromedp.SendKeys(C(`#seizure_extend-recipient`), "仓库负责人 李某"),
		chromedp.Click(C(`#submit-seizure_extend`)))
	recorded(head, "seizure_extend")
	// 30 + 10 (not counted) + 30 days from 2 March: the last day is 11 May.
	if s := text(head, `li[data-stage=seizure]`); !strings.Contains(s, "经批准延长 30 日") || !strings.Contains(s, "2026-05-11 24:00") || !strings.Contains(s, "10 日不计入") {
		t.Fatalf("seizure stage %q", s)
	}
	if s := text(head, `#life-deadlines li[data-kind=seizure_term]`); !strings.Contains(s, "查封扣押期限") || !strings.Contains(s, "2026-05-11 24:00") {
		t.Fatalf("seizure deadline %q", s)
	}
	do(head, "release", chromedp.WaitNotPresent(C(`#form-seizure_extend`)),
		chromedp.SetValue(C(`#seizure_release-outcome`), "no_violation"), chromedp.SendKeys(C(`#seizure_release-number`), "武市监解〔2026〕1号"),
		chromedp.SendKeys(C(`#seizure_release-objects`), "电动车电池 120 组\n充电器 40 个"), chromedp.SendKeys(C(`#seizure_release-recipient`), "李某"),
		chromedp.SetUploadFiles(C(`#seizure_release-file`), []string{file("release.pdf")}),
		chromedp.Click(C(`#submit-seizure_release`)))
	recorded(head, "seizure_release")
	if s := text(head, `li[data-stage=seizure]`); !strings.Contains(s, "解除") {
		t.Fatalf("released %q", s)
	}
	do(head, "closing", chromedp.Click(C(`#submit-office_closing`)))
	recorded(head, "office_closing")
	if s := text(head, `li[data-stage=closing]`); !strings.Contains(s, "结案") || !strings.Contains(text(head, `#life-steps`), "退还 电动车电池 120 组、充电器 40 个") {
		t.Fatalf("closed %q", s)
	}
	reviewScreenshotOf(t, head, "body", "lifecycle-coercion.png")

	// 行政强制法 §24-28: two seizure decisions, each with its term on the
	// page; a release names the decision it ends and the other runs on.
	do(head, "two seizures", page(coer2), chromedp.WaitVisible(C(`li[data-stage=seizure-2]`)),
		chromedp.SetValue(C(`#seizure_release-outcome`), "unrelated"), chromedp.SendKeys(C(`#seizure_release-number`), "武市监解〔2026〕2号"),
		chromedp.SendKeys(C(`#seizure_release-objects`), "货架 3 个"), chromedp.SendKeys(C(`#seizure_release-recipient`), "李某"),
		chromedp.SetUploadFiles(C(`#seizure_release-file`), []string{file("release2.pdf")}),
		chromedp.Click(C(`#submit-seizure_release`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(head, `#life-error`); !strings.Contains(msg, "本案有 2 份查封扣押决定") || !strings.Contains(msg, "查封扣押决定书文号") {
		t.Fatalf("release without naming the seizure: %q", msg)
	}
	second, err := chromedp.Run(head, chromedp.Evaluate[string](`[...document.querySelectorAll('#seizure_release-seizure option')].find(o => o.text.startsWith('武市监扣〔2026〕2号')).value`))
	if err != nil || second == "" {
		t.Fatalf("the second seizure's option: %q %v", second, err)
	}
	do(head, "release the second", chromedp.SetValue(C(`#seizure_release-seizure`), second),
		chromedp.SetUploadFiles(C(`#seizure_release-file`), []string{file("release2.pdf")}), chromedp.Click(C(`#submit-seizure_release`)))
	recorded(head, "seizure_release")
	if s1, s2 := text(head, `li[data-stage=seizure]`), text(head, `li[data-stage=seizure-2]`); !strings.Contains(s1, "2026-04-01 24:00") || !strings.Contains(s2, "解除") {
		t.Fatalf("seizure stages %q / %q", s1, s2)
	}
	// The release prints as its decision (行政强制法 §28), from the signed entry.
	if pdf := e.as("supervisor").get("/review/cases/" + coer + "/office/3/document.pdf"); pdf.StatusCode != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Fatalf("release document: %d", pdf.StatusCode)
	}

	// 003 §3: the inspection is handed over; the penalty's 立案 request names it.
	do(off, "转立案", page(insp), chromedp.WaitVisible(C(`#form-inspection_transfer`)),
		chromedp.SendKeys(C(`#inspection_transfer-reasons`), "仓库存放无合格证电池"), chromedp.SendKeys(C(`#inspection_transfer-content`), "3 月 2 日现场检查发现"),
		chromedp.Click(C(`#submit-inspection_transfer`)), chromedp.WaitVisible(C(`li[data-stage=transfer]`)))
	do(off, "立案 from the inspection", page(pen), chromedp.WaitVisible(C(`#form-register_request`)),
		chromedp.SendKeys(C(`#reg-facts`), "行政检查发现"), chromedp.SendKeys(C(`#reg-handler`), "建议立案"), chromedp.SendKeys(C(`#reg-unit`), "同意"),
		chromedp.SetValue(C(`#reg-channel`), "transfer"), chromedp.SendKeys(C(`#reg-content`), "行政检查转立案"),
		chromedp.SendKeys(C(`#reg-source`), insp), chromedp.Click(C(`#submit-register_request`)), chromedp.WaitVisible(C(`#reg-source-case`)))
	if s := text(off, `#reg-source-case`); s != insp {
		t.Fatalf("source %q", s)
	}

	// 行政许可法 §38: a refusal without reasons and the remedy is refused on screen.
	do(head, "permit decision", page(perm), chromedp.WaitVisible(C(`#form-permit_decision`)),
		chromedp.SetValue(C(`#permit_decision-outcome`), "deny"), chromedp.SendKeys(C(`#permit_decision-number`), "不许〔2026〕1号"),
		chromedp.Click(C(`#submit-permit_decision`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(head, `#life-error`); !strings.Contains(msg, "《中华人民共和国行政许可法》第三十八条") || !strings.Contains(msg, "不予行政许可的理由") {
		t.Fatalf("refused permit decision: %q", msg)
	}
	if s := text(head, `#life-deadlines li[data-kind=permit_decision]`); !strings.Contains(s, "行政许可决定期限") {
		t.Fatalf("permit deadline %q", s)
	}
}

// SPEC F14 C6 D5 (issue 10; 行政处罚法 §52, §66-67): an on-the-spot fine to
// be paid at the bank joins the execution on the lifecycle page; the party
// applies for instalments, the head approves a schedule, and the payment
// due on the page follows the first instalment.
func TestSimpleProcedureExecutionInChromium(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, cst)} // Monday
	e := start(t, clk)
	const id = "20260302-5e7b0001"
	tm := e.terminal(73, "patrol-simple")
	tm.push(t,
		tm.d.Entry(id, "case_open", map[string]any{"procedure": "penalty-simple", "procedure_version": 2, "party": "李四", "party_kind": "person",
			"officers": []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}}),
		tm.d.Entry(id, "on_spot_decision", map[string]any{"fields": map[string]string{"penalty": "fine", "amount": "200", "payment": "bank", "bank": "工商银行"}}),
		tm.d.Entry(id, "close_scene", map[string]any{}),
	)
	p := filepath.Join(t.TempDir(), "apply.pdf")
	if err := os.WriteFile(p, []byte("%PDF-1.4 apply"), 0o644); err != nil {
		t.Fatal(err)
	}
	type C = chromedp.CSS
	do := func(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(C(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	signIn := func(ctx context.Context, user, password string) {
		t.Helper()
		do(ctx, "sign in as "+user, chromedp.Navigate(e.url+"/login"), chromedp.SendKeys(C(`#username`), user), chromedp.SendKeys(C(`#password`), password),
			chromedp.Click(C(`#login`)), chromedp.WaitVisible(C(`header.top nav`)))
	}
	page := chromedp.Navigate(e.url + "/review/cases/" + id + "/lifecycle")
	off := reviewChrome(t)
	signIn(off, "officer", "lawtrace-officer")
	do(off, "page", page, chromedp.WaitVisible(C(`#simple-note`)))
	// 15 days from the decision delivered on the spot: until 17 March.
	if d := text(off, `#payment-due`); d != "2026-03-17 24:00" {
		t.Fatalf("payment due %q", d)
	}
	do(off, "instalments applied for", chromedp.SetValue(C(`#df-kind`), "instalments"), chromedp.SendKeys(C(`#df-reasons`), "失业，无力一次缴清"),
		chromedp.SetUploadFiles(C(`#df-file`), []string{p}), chromedp.Click(C(`#submit-payment_deferral_request`)), chromedp.WaitVisible(C(`#deferral-requested`)))
	head := reviewChrome(t)
	signIn(head, "supervisor", "lawtrace-supervisor")
	do(head, "schedule", page, chromedp.WaitVisible(C(`#form-payment_deferral`)), chromedp.SendKeys(C(`#df-schedule`), "2026-04-10 100\n2026-05-10 100"),
		chromedp.Click(C(`#submit-payment_deferral`)), chromedp.WaitVisible(C(`#deferral-plan`)))
	if plan, due := text(head, `#deferral-plan`), text(head, `#payment-due`); !strings.Contains(plan, "分 2 期") || due != "2026-04-10 24:00" {
		t.Fatalf("plan %q due %q", plan, due)
	}
	// 加处罚款 under instalments runs on each instalment (行政强制法 §45).
	if lf := text(head, `#late-fee`); !strings.Contains(lf, "未到期") || !strings.Contains(lf, "每日按该期未缴数额加处 3%") || !strings.Contains(lf, "行政强制法") {
		t.Fatalf("late fee under instalments %q", lf)
	}
	reviewScreenshotOf(t, head, "#exec-status", "lifecycle-instalments.png")
	// 行政强制法 §42: an execution agreement holds the execution until the
	// party breaks it.
	do(head, "agreement", page, chromedp.WaitVisible(C(`#form-execution_agreement`)),
		chromedp.SendKeys(C(`#execution_agreement-number`), "罚执协〔2026〕1号"), chromedp.SendKeys(C(`#execution_agreement-content`), "4 月、5 月各缴纳 100 元"),
		chromedp.SendKeys(C(`#execution_agreement-reasons`), "不损害公共利益和他人合法权益"), chromedp.SetUploadFiles(C(`#execution_agreement-file`), []string{p}),
		chromedp.Click(C(`#submit-execution_agreement`)), chromedp.WaitVisible(C(`#execution-agreement`)), chromedp.WaitVisible(C(`#form-execution_breach`)))
	do(head, "breach", chromedp.SendKeys(C(`#execution_breach-reasons`), "未按协议缴纳 4 月一期"), chromedp.Click(C(`#submit-execution_breach`)),
		chromedp.WaitVisible(C(`#life-steps li[data-step=execution_breach]`)), chromedp.WaitNotPresent(C(`#execution-agreement`)))
	// 行政强制法 §39: the head suspends the execution, with its evidence;
	// the reminder is gone from the page while it is suspended and the
	// three years of §39 ¶2 are on the monitor.
	do(head, "suspension without evidence", page, chromedp.WaitVisible(C(`#form-execution_suspend`)),
		chromedp.SetValue(C(`#execution_suspend-outcome`), "unable"), chromedp.SendKeys(C(`#execution_suspend-reasons`), "当事人重病住院，无收入来源"),
		chromedp.Click(C(`#submit-execution_suspend`)), chromedp.WaitVisible(C(`#life-error`)))
	if msg := text(head, `#life-error`); !strings.Contains(msg, "《中华人民共和国行政强制法》第三十九条") || !strings.Contains(msg, "证明中止情形的证据材料") || !strings.Contains(msg, "中止执行通知书文号") {
		t.Fatalf("refused suspension: %q", msg)
	}
	do(head, "suspension", chromedp.SendKeys(C(`#execution_suspend-number`), "罚执中〔2026〕1号"), chromedp.SetValue(C(`#execution_suspend-method`), "direct"),
		chromedp.SetUploadFiles(C(`#execution_suspend-file`), []string{p}), chromedp.Click(C(`#submit-execution_suspend`)), chromedp.WaitVisible(C(`#execution-suspended`)))
	do(head, "resume offered, reminder withdrawn", chromedp.WaitVisible(C(`#form-execution_resume`)), chromedp.WaitNotPresent(C(`#form-execution_reminder`)),
		chromedp.WaitNotPresent(C(`#form-execution_suspend`)))
	if s := text(head, `#life-deadlines li[data-kind=suspension_lapse]`); !strings.Contains(s, "中止执行满三年") || !strings.Contains(s, "2029-03-02 24:00") {
		t.Fatalf("suspension deadline %q", s)
	}
	// 行政强制法 §42: no execution agreement while the execution is suspended.
	do(head, "agreement form withdrawn", chromedp.WaitNotPresent(C(`#form-execution_agreement`)))
}
