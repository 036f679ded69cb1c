package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/shared/review"

	"lawtrace/shared/testtool"
)

// reviewChrome starts Debian's Chromium headless with a fresh profile.
func reviewChrome(t *testing.T) context.Context {
	t.Helper()
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		testtool.Missing(t, "no Chromium at /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1100),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// reviewScreenshot saves the page when LAWTRACE_SCREENSHOTS names a folder
// (docs/screens when refreshing the documentation).
func reviewScreenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("LAWTRACE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// SPEC L3 L4 R7: the reviewer's page in real Chromium — the reviewer
// signs in, finds the case in the queue, states the reason for reading it
// (access register), sees the record next to the submitted materials, the
// rule that required review and the working-day deadline, and gives an
// opinion item by item. An opinion the server refuses (no reasons) comes
// back with the refusal and what the reviewer entered; with reasons the
// "supplement" opinion returns the case to the handler. The head then
// extends the review once on the same page.
func TestReviewerPageInChromium(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))} // Monday
	e := start(t, clk)
	tm := e.terminal(61, "patrol-review")
	const id = "20260302-5eed0001"
	crew := []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}
	tm.push(t,
		tm.d.Entry(id, "case_open", map[string]any{"procedure": "penalty", "procedure_version": 1, "party": "新城区某食品有限公司", "party_kind": "org", "source": "complaint", "officers": crew}),
		tm.d.Entry(id, "inquiry_notes", map[string]any{"fields": map[string]any{"person_name": "张三", "questions_answers": "问：是否销售过期食品？答：是。"}}),
		tm.d.Entry(id, "close_scene", map[string]any{}),
	)
	ctx := context.Background()
	svc := e.m.Review
	handler := reviewsrv.User{ID: "setup", Username: "officer", Name: "王强", Role: auth.Officer, OfficerCert: "15010001"}
	if _, err := svc.Propose(ctx, handler, id, reviewsrv.ProposalRequest{Proposal: review.Proposal{Fine: 150000}, Summary: "罚款 15 万元"}); err != nil {
		t.Fatal(err)
	}
	var mats []reviewsrv.MaterialRef
	for _, m := range []string{"investigation_report", "draft_decision", "evidence"} {
		f, err := svc.Upload(ctx, handler, id, m+".pdf", strings.NewReader("%PDF-1.4 "+m))
		if err != nil {
			t.Fatal(err)
		}
		mats = append(mats, reviewsrv.MaterialRef{ID: m, Files: []string{f.Hash}})
	}
	if _, err := svc.Submit(ctx, handler, id, reviewsrv.SubmitRequest{Materials: mats, Explanation: reviewsrv.Explanation{BasicFacts: "销售超过保质期的食品 120 袋",
		LawAndDiscretion: "《食品安全法》第一百二十四条", OfficerQualification: "两名执法人员证件有效", InvestigationAndHearing: "放弃听证"}}); err != nil {
		t.Fatal(err)
	}

	b := reviewChrome(t)
	type C = chromedp.CSS
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(C(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	js := func(ctx context.Context, expr string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	signIn := func(ctx context.Context, user, password string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(e.url+"/login"),
			chromedp.SendKeys(C(`#username`), user),
			chromedp.SendKeys(C(`#password`), password),
			chromedp.Click(C(`#login`)),
			chromedp.WaitVisible(C(`header.top nav`)),
		); err != nil {
			t.Fatalf("sign in as %s: %v", user, err)
		}
	}
	signIn(b, "reviewer", "lawtrace-reviewer")
	err := chromedp.Do(b,
		chromedp.Navigate(e.url+"/review"),
		chromedp.WaitVisible(C(`#review-`+id)),
		chromedp.Click(C(`#review-`+id+` a`)),
		chromedp.WaitVisible(C(`#review-reason-form`)),
		chromedp.SendKeys(C(`#review-reason`), "法制审核：审查拟作出的处罚决定"),
		chromedp.Click(C(`#review-reason-submit`)),
		chromedp.WaitVisible(C(`ol.timeline`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	state, due, rules, materials := text(b, `#review-state`), text(b, `#review-due`), text(b, `#review-rules`), text(b, `#review-materials`)
	// 3 working days from Monday 2 March: by the end of Thursday 5 March.
	if state != "审核中" || !strings.Contains(due, "2026-03-05 24:00 前") || !strings.Contains(due, "进行中") ||
		!strings.Contains(rules, "较大数额罚款") || !strings.Contains(rules, "第三条第（二）项") || !strings.Contains(materials, "调查终结报告") {
		t.Fatalf("review page: state %q\ndue %q\nrules %q\nmaterials %q", state, due, rules, materials)
	}
	reviewScreenshot(t, b, "review-case.png")

	// Every item examined, evidence marked as a problem, "supplement" —
	// but no reasons: the server refuses and the form keeps the answers.
	var steps []chromedp.Action[chromedp.Void]
	for _, c := range review.Checklist {
		sel := `#ok-` + c.ID
		if c.ID == "evidence" {
			sel = `#problem-evidence`
		}
		steps = append(steps, chromedp.Click(C(sel)))
	}
	steps = append(steps,
		chromedp.SendKeys(C(`input[name=note_evidence]`), "缺少抽样检验报告"),
		chromedp.SetValue(C(`#opinion-kind`), "supplement"),
		chromedp.Click(C(`#opinion-submit`)),
		chromedp.WaitVisible(C(`#review-error`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	errText, evidenceProblem := text(b, `#review-error`), js(b, `document.getElementById('problem-evidence').checked`)
	if !strings.Contains(errText, "应当写明理由") || !strings.Contains(errText, "第十一条") || !evidenceProblem {
		t.Fatalf("refused opinion: %q, evidence still marked %v", errText, evidenceProblem)
	}
	if err := chromedp.Do(b,
		chromedp.SendKeys(C(`#opinion-reasons`), "请补充抽样检验报告后重新送审"),
		chromedp.Click(C(`#opinion-submit`)),
		chromedp.WaitVisible(C(`.flash`)),
	); err != nil {
		t.Fatal(err)
	}
	flash, state, officeSteps := text(b, `.flash`), text(b, `#review-state`), text(b, `#office-steps`)
	formsShown := js(b, `document.getElementById('extend-form') !== null || document.getElementById('opinion-form') !== null`)
	if !strings.Contains(flash, "补充材料") || state != "已退回承办机构" || !strings.Contains(officeSteps, "审核意见：补充材料") || formsShown {
		t.Fatalf("after the opinion: flash %q state %q steps %q forms shown %v", flash, state, officeSteps, formsShown)
	}
	st, err := svc.State(ctx, id)
	if err != nil || st.Opinion == nil || st.Opinion.By.Username != "reviewer" || len(st.Opinion.Opinion.Findings) != len(review.Checklist) {
		t.Fatalf("recorded opinion %+v %v", st.Opinion, err)
	}

	// Resubmitted; the head extends the review on the page, once.
	if _, err := svc.Submit(ctx, handler, id, reviewsrv.SubmitRequest{Materials: mats, Explanation: st.Submission.Explanation}); err != nil {
		t.Fatal(err)
	}
	h := reviewChrome(t)
	signIn(h, "supervisor", "lawtrace-supervisor")
	if err := chromedp.Do(h,
		chromedp.Navigate(e.url+"/review/cases/"+id),
		chromedp.WaitVisible(C(`#extend-form`)),
		chromedp.SendKeys(C(`#extend-reason`), "案情复杂，涉及多个法律关系"),
		chromedp.Click(C(`#extend-submit`)),
		chromedp.WaitVisible(C(`.flash`)),
	); err != nil {
		t.Fatal(err)
	}
	due = text(h, `#review-due`)
	// +2 working days: Friday 6 and Monday 9 March.
	if !strings.Contains(due, "2026-03-09 24:00 前") || !strings.Contains(due, "已经负责人批准延长 2 个工作日") || js(h, `document.getElementById('extend-form') !== null`) {
		t.Fatalf("after the extension: due %q", due)
	}
	reviewScreenshot(t, h, "review-extended.png")

	// The deadline monitor lists the running review deadline (SPEC D5).
	if err := chromedp.Do(h, chromedp.Navigate(e.url+"/deadlines"), chromedp.WaitVisible(C(`#deadlines`))); err != nil {
		t.Fatal(err)
	}
	row := text(h, `#deadlines tr[data-kind=legal_review]`)
	if !strings.Contains(row, id) || !strings.Contains(row, "经负责人批准延长") || !strings.Contains(row, "2026-03-09 24:00") || !strings.Contains(row, "进行中") {
		t.Fatalf("deadline row %q", row)
	}
	reviewScreenshot(t, h, "deadlines.png")
}

// SPEC L1 L2 L5: the handler's forms in real Chromium. The head (also a
// handler) proposes a fine on the case's review page and sees the catalog
// rule that makes review required; recording the decision is refused on
// screen with the article, since the review has not agreed; a submission
// without the draft decision is refused with the missing list, and with
// every material (an uploaded file each) it goes to review.
func TestHandlerPagesInChromium(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))} // Monday
	e := start(t, clk)
	const id = "20260302-4a4d0001"
	penaltyCase(t, e, 62, id)
	dir := t.TempDir()
	file := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("%PDF-1.4 "+name), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	report, draft, evidence, decision := file("report.pdf"), file("draft.pdf"), file("evidence.pdf"), file("decision.pdf")

	b := reviewChrome(t)
	type C = chromedp.CSS
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(b, chromedp.Text(C(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	if err := chromedp.Do(b,
		chromedp.Navigate(e.url+"/login"),
		chromedp.SendKeys(C(`#username`), "supervisor"),
		chromedp.SendKeys(C(`#password`), "lawtrace-supervisor"),
		chromedp.Click(C(`#login`)),
		chromedp.WaitVisible(C(`header.top nav`)),
		chromedp.Navigate(e.url+"/review/cases/"+id),
		chromedp.WaitVisible(C(`#proposal-form`)),
	); err != nil {
		t.Fatal(err)
	}
	// Propose: a fine of 150 000 yuan.
	if err := chromedp.Do(b,
		chromedp.Click(C(`#measure-fine`)),
		chromedp.SendKeys(C(`#proposal-fine`), "150000"),
		chromedp.SendKeys(C(`#proposal-summary`), "罚款 15 万元"),
		chromedp.Click(C(`#proposal-submit`)),
		chromedp.WaitVisible(C(`#review-rules`)),
	); err != nil {
		t.Fatal(err)
	}
	if rules, head := text(`#review-rules`), text(`section.review-head`); !strings.Contains(rules, "较大数额罚款") || !strings.Contains(rules, "第三条第（二）项") || !strings.Contains(head, "需法制审核") {
		t.Fatalf("after the proposal: rules %q head %q", rules, head)
	}
	reviewScreenshot(t, b, "review-proposal.png")

	// Decide before review: refused on screen with the articles.
	if err := chromedp.Do(b,
		chromedp.SendKeys(C(`#decision-number`), "新市监罚〔2026〕12号"),
		chromedp.SetUploadFiles(C(`#decision-file`), []string{decision}),
		chromedp.Click(C(`#decision-submit`)),
		chromedp.WaitVisible(C(`#review-error`)),
	); err != nil {
		t.Fatal(err)
	}
	if msg := text(`#review-error`); !strings.Contains(msg, "第五条") || !strings.Contains(msg, "较大数额罚款") {
		t.Fatalf("refused decision: %q", msg)
	}
	if st, err := e.m.Review.State(context.Background(), id); err != nil || st.Decision != nil {
		t.Fatalf("a decision was recorded: %v", err)
	}

	// Submit without the draft decision: refused with the missing list.
	if err := chromedp.Do(b,
		chromedp.Navigate(e.url+"/review/cases/"+id),
		chromedp.WaitVisible(C(`#submit-form`)),
		chromedp.SetUploadFiles(C(`#file-investigation_report`), []string{report}),
		chromedp.SetUploadFiles(C(`#file-evidence`), []string{evidence}),
		chromedp.SendKeys(C(`#ex-basic_facts`), "销售超过保质期的食品 120 袋"),
		chromedp.SendKeys(C(`#ex-law_and_discretion`), "《食品安全法》第一百二十四条"),
		chromedp.SendKeys(C(`#ex-officer_qualification`), "两名执法人员证件有效"),
		chromedp.SendKeys(C(`#ex-investigation_and_hearing`), "当事人放弃听证"),
		chromedp.Click(C(`#submit-submit`)),
		chromedp.WaitVisible(C(`#review-error`)),
	); err != nil {
		t.Fatal(err)
	}
	kept, err := chromedp.Run(b, chromedp.Evaluate[string](`document.getElementById('ex-basic_facts').value`))
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(`#review-error`); !strings.Contains(msg, "行政执法决定书代拟稿") || strings.Contains(msg, "调查终结报告") || kept != "销售超过保质期的食品 120 袋" {
		t.Fatalf("refused submission: %q (explanation kept: %q)", msg, kept)
	}
	if err := chromedp.Do(b,
		chromedp.SetUploadFiles(C(`#file-investigation_report`), []string{report}),
		chromedp.SetUploadFiles(C(`#file-draft_decision`), []string{draft}),
		chromedp.SetUploadFiles(C(`#file-evidence`), []string{evidence}),
		chromedp.Click(C(`#submit-submit`)),
		chromedp.WaitVisible(C(`.flash`)),
	); err != nil {
		t.Fatal(err)
	}
	if state, materials := text(`#review-state`), text(`#review-materials`); state != "审核中" || !strings.Contains(materials, "行政执法决定书代拟稿") {
		t.Fatalf("after the submission: state %q materials %q", state, materials)
	}
	reviewScreenshot(t, b, "review-submitted.png")
}
