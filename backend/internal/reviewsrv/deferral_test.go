package reviewsrv

import (
	"strings"
	"testing"

	"lawtrace/shared/deadline"
	"lawtrace/shared/review"
)

// SPEC C6 D5 (issue 10; 行政处罚法 §66 ¶2, §67, §72): the party applies for
// instalments, the head approves a schedule adding up to the fine; the
// payment period, "not performed" and 加处罚款 count from the first
// instalment not paid, and the monitor shows the schedule.
func TestInstalments(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 9, 0))
	const c = "20260302-inst0001"
	f.penaltyCase(c, "org", "")
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
	f.refuse(officer, c, StepDeferralRequest, LifeRequest{ExecRequest: ExecRequest{Kind: "instalments"}}, "行政处罚法 §61, §66", StepDecisionServed)
	f.life(officer, c, StepDecisionServed, LifeRequest{Method: "direct", Recipient: "张三", Present: true})
	f.refuse(officer, c, StepDeferralRequest, LifeRequest{ExecRequest: ExecRequest{Kind: "instalments"}}, "行政处罚法 §66", "reasons,file")
	f.refuse(head, c, StepDeferral, LifeRequest{Outcome: "approve"}, "行政处罚法 §66", StepDeferralRequest)
	f.life(officer, c, StepDeferralRequest, LifeRequest{Reasons: "疫情后经营困难，账户资金不足", File: f.upload(c, "apply.pdf", "分期缴纳申请"),
		ExecRequest: ExecRequest{Kind: "instalments"}})
	f.refuse(head, c, StepDeferral, LifeRequest{Outcome: "approve", ExecRequest: ExecRequest{Schedule: "2026-04-10 2000\n2026-05-10 2000"}}, "行政处罚法 §66", "schedule")
	st := f.life(head, c, StepDeferral, LifeRequest{Outcome: "approve", ExecRequest: ExecRequest{Schedule: "2026-04-10 2000\n2026-05-10 3000"}})
	if st.Exec.Deferral == nil || len(st.Exec.Deferral.Plan) != 2 {
		t.Fatalf("approved %+v", st.Exec.Deferral)
	}
	d := f.deadlineStates(c)[deadline.FinePayment]
	if d.LastDay != "2026-04-10" || d.Article != "行政处罚法 §66" || !strings.Contains(d.Label, "分 2 期") {
		t.Fatalf("payment deadline %+v", d)
	}
	// The 15 days of §67 have run out, the first instalment has not.
	f.clock.Set(cstTime(2026, 3, 25, 10, 0))
	f.refuse(officer, c, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "not"}}, "行政处罚法 §67, §85", "at")
	f.refuse(officer, c, StepLateFee, LifeRequest{}, "行政处罚法 §72(1), §67", "at")
	f.clock.Set(cstTime(2026, 4, 9, 10, 0))
	f.life(officer, c, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "partly", Amount: 2000}, File: f.upload(c, "v1.pdf", "第一期缴款凭证")})
	if d := f.deadlineStates(c)[deadline.FinePayment]; d.LastDay != "2026-05-10" {
		t.Fatalf("second instalment %+v", d)
	}
	// The second instalment is missed: 加处罚款 from 11 May, 3 % a day of
	// that instalment's 3,000 yuan (行政强制法 §45 ¶2), not of the whole
	// fine: 2 days, 180 yuan.
	f.clock.Set(cstTime(2026, 5, 12, 10, 0))
	st = f.life(officer, c, StepLateFee, LifeRequest{})
	if lf := st.Exec.LateFees[0].Fields.Amount; lf.Days != 2 || lf.Cents != 18000 {
		t.Fatalf("late fee %+v", lf)
	}
	if es := st.ExecAt(nil, cstTime(2026, 5, 12, 10, 0)); es.OwedCents != 300000+18000 {
		t.Fatalf("owed %d fen, want the second instalment and its late fee", es.OwedCents)
	}
	d = f.deadlineStates(c)[deadline.LateFee]
	if !strings.Contains(d.Label, "每日按该期未缴数额加处 3%：已计 2 日，180.00 元") || !strings.Contains(d.Article, "行政强制法 §45") {
		t.Fatalf("late fee on the monitor %+v", d)
	}
	f.refuse(officer, c, StepDeferralRequest, LifeRequest{ExecRequest: ExecRequest{Kind: "deferral"}}, "行政处罚法 §66", "")
}
