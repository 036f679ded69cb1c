package reviewsrv

import (
	"errors"
	"testing"

	"lawtrace/shared/deadline"
	"lawtrace/shared/review"
)

// SPEC C6 D5 (issue 10): 中止执行 and 终结执行 of a coercion case's
// 行政决定 (行政强制法 §39-§40) — the head suspends on a ground with its
// evidence and written notice, coercive execution is refused while it is
// suspended, the execution resumes when the grounds end, a suspension on
// the party's inability is not resumed after three years (§39 ¶2) and
// ends in termination, after which the case closes; an execution
// agreement (§42) holds the execution until the party breaks it.
func TestCoercionSuspension(t *testing.T) {
	f := newFixture(t, cstTime(2025, 12, 1, 9, 0))
	const c = "20251201-coer0009"
	f.ingest(
		f.dev.Entry(c, "case_open", map[string]any{"procedure": "coercion", "procedure_version": 2, "party": "张某", "party_kind": "person", "officers": crew}),
		f.dev.Entry(c, "close_scene", map[string]any{}),
	)
	suspend := LifeRequest{Outcome: "third_party", Reasons: "案外人王某主张设备所有权并提交购买合同", Number: "城执中〔2025〕1号", Method: "direct", Recipient: "张某",
		File: f.upload(c, "claim.pdf", "案外人权属主张及合同")}
	f.refuse(head, c, StepCoercionSuspend, suspend, "行政强制法 §39", "") // nothing to execute yet
	f.life(head, c, StepObligation, LifeRequest{Number: "城执决〔2025〕9号", Content: "限期缴纳滞纳金", ExecRequest: ExecRequest{Deadline: "2025-12-10"},
		Basis: "《行政强制法》第四十五条", Method: "direct", Recipient: "张某"})
	f.clock.Set(cstTime(2025, 12, 11, 10, 0))
	f.life(officer, c, StepCoercionReminder, LifeRequest{Number: "城执催〔2025〕9号", Content: "缴纳滞纳金", ExecRequest: ExecRequest{Deadline: "2025-12-20"},
		File: f.upload(c, "remind.pdf", "催告书"), Method: "direct", Recipient: "张某"})
	if _, err := f.svc.Life(f.ctx, officer, c, StepCoercionSuspend, suspend); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("an officer suspends: %v", err)
	}
	f.refuse(head, c, StepCoercionSuspend, LifeRequest{Outcome: "soon"}, "行政强制法 §39", "outcome,reasons,file,number,method")
	st := f.life(head, c, StepCoercionSuspend, suspend)
	if s := st.Office.Coercion.Suspension.Suspended; s == nil || s.Outcome != "third_party" {
		t.Fatalf("suspended %+v", s)
	}
	f.clock.Set(cstTime(2025, 12, 22, 9, 0))
	court := LifeRequest{Number: "城执申〔2025〕9号", File: f.upload(c, "app.pdf", "申请书"), ExecRequest: ExecRequest{Kind: "court_application", Court: "区人民法院"}}
	f.refuse(head, c, StepCoerciveExecution, court, "行政强制法 §39", StepCoercionResume)
	f.refuse(head, c, StepOfficeClosing, LifeRequest{}, "行政强制法 §34, §37", StepCoerciveExecution+","+StepCoercionResume)
	f.refuse(head, c, StepCoercionResume, LifeRequest{}, "行政强制法 §39 ¶2", "reasons,number,method")
	f.life(head, c, StepCoercionResume, LifeRequest{Reasons: "人民法院判决驳回案外人确权请求", Number: "城执恢〔2025〕1号", Method: "direct"})
	f.refuse(head, c, StepCoercionResume, LifeRequest{}, "行政强制法 §39 ¶2", "") // not suspended

	// 行政强制法 §42: an agreement to perform by stages holds the execution;
	// the party's breach lets it resume.
	f.refuse(head, c, StepCoercionAgreement, LifeRequest{Content: "分三期缴纳"}, "行政强制法 §42", "number,reasons,file")
	f.life(head, c, StepCoercionAgreement, LifeRequest{Number: "城执协〔2025〕1号", Content: "2026 年 1 月、2 月、3 月各缴纳三分之一",
		Reasons: "分期缴纳不损害公共利益和他人合法权益", File: f.upload(c, "agree.pdf", "执行协议")})
	f.refuse(head, c, StepCoerciveExecution, court, "行政强制法 §42", StepCoercionBreach)
	f.refuse(head, c, StepCoercionBreach, LifeRequest{}, "行政强制法 §42", "reasons")
	st = f.life(head, c, StepCoercionBreach, LifeRequest{Reasons: "当事人未按期缴纳 2026 年 1 月的一期"})
	if st.Office.Coercion.Suspension.Agreement != nil {
		t.Fatal("the agreement survives its breach")
	}
	f.refuse(head, c, StepCoercionBreach, LifeRequest{Reasons: "再次"}, "行政强制法 §42", "")

	// Suspended again on the party's inability: three years later it is
	// not resumed but ends (§39 ¶2).
	unable := suspend
	unable.Outcome, unable.Reasons, unable.Number = "unable", "当事人重病住院，无收入来源", "城执中〔2025〕2号"
	f.life(head, c, StepCoercionSuspend, unable)
	f.refuse(head, c, StepCoercionTerminate, LifeRequest{Outcome: "lapsed", Reasons: "满三年"}, "行政强制法 §39 ¶2", "outcome")
	if d := f.deadlineStates(c)[deadline.SuspensionLapse]; d.LastDay != "2028-12-22" {
		t.Fatalf("suspension lapse %+v", d)
	}
	f.clock.Set(cstTime(2028, 12, 23, 9, 0))
	f.refuse(head, c, StepCoercionResume, LifeRequest{Reasons: "当事人已康复", Number: "城执恢〔2028〕1号", Method: "direct"}, "行政强制法 §39 ¶2", StepCoercionTerminate)
	st = f.life(head, c, StepCoercionTerminate, LifeRequest{Outcome: "lapsed", Reasons: "无明显社会危害，当事人确无能力履行，中止满三年", Number: "城执终〔2028〕1号",
		Method: "direct", File: f.upload(c, "poor.pdf", "困难证明")})
	if st.Office.Coercion.Suspension.Terminated == nil || st.Office.Coercion.Suspension.Suspended != nil {
		t.Fatalf("terminated %+v", st.Office.Coercion.Suspension)
	}
	if d := f.deadlineStates(c)[deadline.SuspensionLapse]; d.State != deadline.StateMet {
		t.Fatalf("suspension lapse after termination %+v", d)
	}
	f.refuse(head, c, StepCoerciveExecution, court, "行政强制法 §40", "")
	f.life(head, c, StepOfficeClosing, LifeRequest{Opinion: "终结执行"})
	f.verifyChains()
}

// SPEC C6 C7 (issue 10): the same for a penalty decision's execution — no
// reminder while suspended, and a case closed as 终结执行 only after the
// head terminated the execution (行政强制法 §39-§40).
func TestPenaltySuspension(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 9, 0))
	const c = "20260302-exec0009"
	f.penaltyCase(c, "person", "")
	f.clock.Set(cstTime(2026, 3, 3, 10, 0))
	p := review.Proposal{Measures: []string{"fine"}, Fine: 5000}
	f.registered(c)
	f.noticeServed(c, p)
	f.life(officer, c, StepWaiver, LifeRequest{At: "2026-03-03", File: f.upload(c, "waiver.pdf", "放弃声明")})
	f.clock.Set(cstTime(2026, 3, 4, 10, 0))
	f.agreed(c, p)
	if err := f.decide(c, p); err != nil {
		t.Fatal(err)
	}
	f.life(officer, c, StepDecisionServed, LifeRequest{Method: "direct", Recipient: "张三", Present: true})
	f.clock.Set(cstTime(2026, 4, 1, 9, 0))
	if _, err := f.svc.Life(f.ctx, officer, c, StepExecSuspend, LifeRequest{}); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("an officer suspends: %v", err)
	}
	f.life(head, c, StepExecSuspend, LifeRequest{Outcome: "unable", Reasons: "当事人遭遇火灾，暂无履行能力", Number: "罚执中〔2026〕1号", Method: "direct", Recipient: "张三",
		File: f.upload(c, "fire.pdf", "火灾事故认定书")})
	f.refuse(officer, c, StepReminder, LifeRequest{Number: "催1"}, "行政强制法 §39", StepExecResume)
	if st, err := f.svc.State(f.ctx, c); err != nil || st.OfficeStage() != "中止执行" {
		t.Fatalf("board stage while suspended: %v", err)
	}
	closing := LifeRequest{Content: "终结执行", Reasons: "当事人死亡，无遗产", ExecRequest: ExecRequest{Kind: "execution_terminated"}}
	f.refuse(officer, c, StepClosingRequest, closing, "行政强制法 §39-40", StepExecResume)
	f.refuse(head, c, StepExecTerminate, LifeRequest{Outcome: "died"}, "行政强制法 §40", "reasons,file,number,method")
	f.life(head, c, StepExecTerminate, LifeRequest{Outcome: "died", Reasons: "当事人于 2026 年 5 月死亡，无遗产可供执行，无义务承受人", Number: "罚执终〔2026〕1号",
		Method: "announcement", File: f.upload(c, "death.pdf", "死亡证明")})
	f.refuse(officer, c, StepReminder, LifeRequest{Number: "催1"}, "行政强制法 §40", "")
	f.life(officer, c, StepClosingRequest, closing)
	if st := f.life(head, c, StepClosing, LifeRequest{Outcome: "approve"}); st.Ended.IsZero() {
		t.Fatal("not closed")
	}
	f.verifyChains()
}
