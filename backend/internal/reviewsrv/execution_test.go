package reviewsrv

import (
	"strings"
	"testing"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/review"
)

// SPEC C6 C7 C5 C4: every refusal of the execution and closing steps,
// with its article (行政处罚法 §28, §59, §61, §66-67, §72; 行政强制法 §35-37,
// §53-54, §69; 003 §23; 000-record §24-28, §34).
func TestExecutionRefusals(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 9, 0))
	const c = "20260302-exec0001"
	refused := func(u User, step string, req LifeRequest, article, missing string) {
		t.Helper()
		_, err := f.svc.Life(f.ctx, u, c, step, req)
		e := asEnforce(t, err)
		if e.Code != enforce.ERefused || e.Article != article || !strings.Contains(strings.Join(e.MissingNames(), ","), missing) || e.MessageZh == "" {
			t.Fatalf("%s: %v (article %q, missing %v), want %s %s", step, err, e.Article, e.MissingNames(), article, missing)
		}
	}
	f.penaltyCase(c, "org", "")
	// 行政处罚法 §66: nothing to execute before the decision.
	refused(officer, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "not"}}, "行政处罚法 §66", StepDecision)
	// 行政处罚法 §54: the §59 elements of a case never registered.
	refused(officer, StepDecisionDraft, LifeRequest{}, "行政处罚法 §54; 003 §12", StepRegister)
	f.clock.Set(cstTime(2026, 3, 3, 10, 0))
	p := review.Proposal{Measures: []string{"fine"}, Fine: 5000}
	f.registered(c)
	f.noticeServed(c, p)
	f.life(officer, c, StepWaiver, LifeRequest{At: "2026-03-03", File: f.upload(c, "waiver.pdf", "放弃声明")})
	f.clock.Set(cstTime(2026, 3, 4, 10, 0))
	f.agreed(c, p)
	// C4 — 行政处罚法 §59: the elements of the decision document.
	refused(officer, StepDecisionDraft, LifeRequest{ExecRequest: ExecRequest{Evidence: "  \n"}}, "行政处罚法 §59", "party_address,evidence,payment_place,reconsideration_organ,court")
	if _, err := f.svc.DecisionPDF(f.ctx, officer, c, "新城区市场监督管理局"); asEnforce(t, err).Article != "行政处罚法 §59" {
		t.Fatalf("a document without its elements: %v", err)
	}
	f.life(officer, c, StepDecisionDraft, LifeRequest{ExecRequest: ExecRequest{PartyAddress: "新城区某路 8 号", Evidence: "现场检查笔录\n询问笔录",
		PaymentPlace: "中国工商银行新城支行", ReconOrgan: "新城区人民政府", Court: "新城区人民法院"}})
	if pdf, err := f.svc.DecisionPDF(f.ctx, officer, c, "新城区市场监督管理局"); err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("draft pdf: %v", err)
	}
	if err := f.decide(c, p); err != nil {
		t.Fatal(err)
	}
	// 行政处罚法 §61, §67: not performed is found only after the 15 days, which start at service.
	refused(officer, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "not"}}, "行政处罚法 §61, §67", StepDecisionServed)
	refused(officer, StepLateFee, LifeRequest{}, "行政处罚法 §61, §67", StepDecisionServed)
	refused(officer, StepReminder, LifeRequest{Number: "催1"}, "行政强制法 §34-35; 行政处罚法 §61", StepDecisionServed)
	f.life(officer, c, StepDecisionServed, LifeRequest{Method: "direct", Recipient: "张三", Present: true})
	// §61: the document served cannot change.
	refused(officer, StepDecisionDraft, LifeRequest{}, "行政处罚法 §61", "")
	refused(officer, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "not"}}, "行政处罚法 §67, §85", "at")
	// 003 §23, 000-record §24: a payment has its amount and the voucher.
	refused(officer, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "partly", Amount: 1000}}, "003 §23; 000-record §24; 行政处罚法 §67", "file")
	// 行政强制法 §35, §37, §54: execution only after a reminder.
	refused(officer, StepEnforcement, LifeRequest{ExecRequest: ExecRequest{Kind: "court_application"}}, "行政强制法 §35, §37, §54", StepReminder)
	// 003 §23: a check of a 责令改正 that was never ordered.
	refused(officer, StepRectifyCheck, LifeRequest{Outcome: "corrected"}, "003 §23; 000-record §24", StepRectifyOrder)
	// 行政处罚法 §28: a 责令改正 states what and by when.
	refused(officer, StepRectifyOrder, LifeRequest{}, "行政处罚法 §28", "content,deadline")
	f.life(officer, c, StepRectifyOrder, LifeRequest{Content: "下架并销毁过期面包", ExecRequest: ExecRequest{Deadline: "2026-03-13"}})
	// 003 §23: "not corrected" is found at the deadline, not before.
	refused(officer, StepRectifyCheck, LifeRequest{Outcome: "not_corrected", File: f.upload(c, "check.pdf", "核查")}, "003 §23; 行政处罚法 §28", "at")

	// Mon 23 Mar: 4 days late (20-23 Mar) — 600 yuan (3 % × 4 × 5,000).
	f.clock.Set(cstTime(2026, 3, 23, 10, 0))
	// 行政处罚法 §72(1): no 加处罚款 before the payment period ends (19 Mar).
	refused(officer, StepLateFee, LifeRequest{At: "2026-03-19 23:00"}, "行政处罚法 §72(1), §67", "at")
	// 行政强制法 §35: the reminder after the period; in writing.
	refused(officer, StepReminder, LifeRequest{Number: "催1", At: "2026-03-10 10:00"}, "行政强制法 §34-35; 行政处罚法 §67", "at")
	refused(officer, StepReminder, LifeRequest{Number: "催1", Method: "direct", Recipient: "张三"}, "行政强制法 §35; 000-record §25", "file")
	// 行政处罚法 §72(1): paying the fine alone is not full performance.
	refused(officer, StepPerformance, LifeRequest{File: f.upload(c, "v1.pdf", "凭证"), ExecRequest: ExecRequest{Status: "paid", Amount: 5000}}, "行政处罚法 §72(1), §67", "status")
	st := f.life(officer, c, StepLateFee, LifeRequest{})
	if lf := st.Exec.LateFees[0].Fields.Amount; lf.Days != 4 || lf.Cents != 60000 || lf.Capped {
		t.Fatalf("late fee %+v", lf)
	}
	st = f.life(officer, c, StepReminder, LifeRequest{Number: "新市监催〔2026〕1号", Method: "direct", Recipient: "张三", File: f.upload(c, "reminder.pdf", "催告书")})
	// 10 working days from Mon 23 Mar (行政强制法 §54, §69): 24-27, 30-31 Mar, 1-3 Apr, 7 Apr (4-6 Apr 清明).
	if r := st.Exec.Reminder; r.OwedCents != 560000 || !r.PerformEnds.Equal(cstTime(2026, 4, 8, 0, 0)) {
		t.Fatalf("reminder owes %d, ends %s", r.OwedCents, r.PerformEnds)
	}
	// 行政强制法 §36: the statement on the reminder is reviewed with reasons.
	refused(officer, StepReply, LifeRequest{Content: "请求减免"}, "行政强制法 §36", "outcome,reasons")
	// 行政强制法 §37, §54, §69: not before the 10 working days ran out.
	f.clock.Set(cstTime(2026, 4, 7, 18, 0))
	refused(officer, StepEnforcement, LifeRequest{At: "2026-04-07 17:00", ExecRequest: ExecRequest{Kind: "court_application"}}, "行政强制法 §37, §54, §69", "at")
	f.clock.Set(cstTime(2026, 4, 8, 9, 0))
	// 行政强制法 §53: the court after the remedy periods (6 months from 4 Mar: 4 Sep).
	refused(officer, StepEnforcement, LifeRequest{Number: "申1", File: f.upload(c, "app.pdf", "申请书"), ExecRequest: ExecRequest{Kind: "court_application", Court: "新城区人民法院"}},
		"行政强制法 §53; 行政复议法 §20; 行政诉讼法 §46", "at")
	// 行政强制法 §13, §37(2): a coercive decision names the agency's power, the way and time.
	refused(officer, StepEnforcement, LifeRequest{Number: "强1", File: f.upload(c, "dec.pdf", "决定书"), ExecRequest: ExecRequest{Kind: "coercive_decision"}},
		"行政强制法 §37, §53-55", "basis,content")
	// C7 — 000-record §24-28: not closed as performed while execution is open.
	refused(officer, StepClosingRequest, LifeRequest{Content: "结案", ExecRequest: ExecRequest{Kind: "performed"}},
		"000-record §24-28; 003 §23-25; 行政处罚法 §66-67, §72", StepPerformance)
	// Ended otherwise, with reasons; 不予处罚 contradicts a penalty decided.
	refused(officer, StepClosingRequest, LifeRequest{Content: "结案", ExecRequest: ExecRequest{Kind: "execution_terminated"}}, "行政强制法 §40", "reasons")
	refused(officer, StepClosingRequest, LifeRequest{Content: "结案", Reasons: "情节轻微", ExecRequest: ExecRequest{Kind: "not_punished"}}, "行政处罚法 §57", "")
	refused(officer, StepClosingRequest, LifeRequest{Content: "结案", Reasons: "误立", ExecRequest: ExecRequest{Kind: "revoked"}}, "003 §13; 000-record §28", "")
	// 000-record §34: the head approves a report the handler made.
	refused(head, StepClosing, LifeRequest{Outcome: "approve"}, "000-record §34", StepClosingRequest)
	if _, err := f.svc.Life(f.ctx, officer, c, StepClosing, LifeRequest{Outcome: "approve"}); err == nil {
		t.Fatal("an officer approved the closing")
	}
	// 000-record §28, §34: a plain case_end of a registered penalty.
	if _, err := f.svc.EndCase(f.ctx, officer, c, "x"); asEnforce(t, err).Article != "000-record §28, §34" {
		t.Fatalf("case_end: %v", err)
	}

	// Performed: fine + late fee at the day of payment (8 Apr: 20 days, 3,000).
	st = f.life(officer, c, StepPerformance, LifeRequest{File: f.upload(c, "v2.pdf", "凭证"), ExecRequest: ExecRequest{Status: "paid", Amount: 8000}})
	if !st.Exec.Paid.Equal(cstTime(2026, 4, 8, 9, 0)) || st.Exec.PaidCents != 800000 {
		t.Fatalf("paid %s %d", st.Exec.Paid, st.Exec.PaidCents)
	}
	refused(officer, StepClosingRequest, LifeRequest{Content: "结案", ExecRequest: ExecRequest{Kind: "performed"}},
		"000-record §24-28; 003 §23-25; 行政处罚法 §66-67, §72", StepRectifyCheck) // the correction is not checked yet
	f.life(officer, c, StepRectifyCheck, LifeRequest{Outcome: "corrected", File: f.upload(c, "check2.pdf", "核查记录")})
	f.life(officer, c, StepClosingRequest, LifeRequest{Content: "罚款及加处罚款已缴清，已改正", ExecRequest: ExecRequest{Kind: "performed"}})
	st = f.life(head, c, StepClosing, LifeRequest{Outcome: "approve"})
	if st.Ended.IsZero() || st.Exec.Closing.ArchiveDue != "2026-05-08" || st.OfficeStage() != "已结案" {
		t.Fatalf("closed %s %+v %s", st.Ended, st.Exec.Closing, st.OfficeStage())
	}
	// R5: the archive deadline runs from the closing; the archive entry meets it.
	items, err := f.svc.Deadlines(f.ctx, Filter{Case: c})
	if err != nil {
		t.Fatal(err)
	}
	k := byKind(items)
	if a := k[deadline.Archive]; a.State != deadline.StateRunning || a.LastDay != "2026-05-08" {
		t.Fatalf("archive %+v", a)
	}
	if p := k[deadline.FinePayment]; p.State != deadline.StateMissed || p.LastDay != "2026-03-19" {
		t.Fatalf("payment %+v", p)
	}
	if _, err := f.svc.Life(f.ctx, officer, c, StepPerformance, LifeRequest{}); asEnforce(t, err).Code != enforce.EConflict {
		t.Fatalf("a step after closing: %v", err)
	}
	if _, _, err := f.svc.RecordArchive(f.ctx, Archivist("档案员"), c, "案卷", "lawtrace-casefile/1"); err != nil {
		t.Fatal(err)
	}
	st, _ = f.svc.State(f.ctx, c)
	if st.OfficeStage() != "已归档" {
		t.Fatal(st.OfficeStage())
	}
	k = byKind(mustDeadlines(t, f, Filter{Case: c}))
	if k[deadline.Archive].State != deadline.StateMet {
		t.Fatalf("archive %+v", k[deadline.Archive])
	}
	f.verifyChains()
}

// SPEC C7: a case ends otherwise than by execution, with reasons — 撤销立案
// before any decision, approved by the head.
func TestClosingOtherwise(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 9, 0))
	const c = "20260302-exec0002"
	f.penaltyCase(c, "org", "")
	f.registered(c)
	f.life(officer, c, StepClosingRequest, LifeRequest{Content: "经调查，违法事实不能成立", Reasons: "现场检查的面包系退货待处理，未用于销售", ExecRequest: ExecRequest{Kind: "revoked"}})
	st := f.life(head, c, StepClosing, LifeRequest{Outcome: "return", Opinion: "补充证据"})
	if st.Exec.ClosingRequest != nil || !st.Ended.IsZero() {
		t.Fatal("a returned report closed the case")
	}
	f.life(officer, c, StepClosingRequest, LifeRequest{Content: "经调查，违法事实不能成立", Reasons: "补充监控录像证明未销售", ExecRequest: ExecRequest{Kind: "revoked"}})
	if st = f.life(head, c, StepClosing, LifeRequest{Outcome: "approve"}); st.Ended.IsZero() {
		t.Fatal("not closed")
	}
}
