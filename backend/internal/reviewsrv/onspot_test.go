package reviewsrv

import (
	"testing"

	"lawtrace/shared/deadline"
)

// SPEC F14 C6 C7 D5 (issue 10): the simple procedure joins at execution —
// an on-the-spot fine to be paid at the bank runs its 15 days from the
// decision delivered on the spot (行政处罚法 §52, §67), accrues 加处罚款
// (§72), is checked and closed with the head's approval; a fine collected
// on the spot has nothing to execute (§68).
func TestSimpleProcedureJoinsExecution(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 10, 0)) // Monday
	const bank, collected = "20260302-simp0001", "20260302-simp0002"
	f.ingest(
		f.dev.Entry(bank, "case_open", map[string]any{"procedure": "penalty-simple", "procedure_version": 2, "party": "李四", "party_kind": "person", "officers": crew}),
		f.dev.Entry(bank, "on_spot_decision", map[string]any{"fields": map[string]string{"penalty": "fine", "amount": "200", "payment": "bank", "bank": "工商银行"}}),
		f.dev.Entry(bank, "close_scene", map[string]any{}),
	)
	f.onSpotCase(collected)
	ds := f.deadlineStates(bank)
	if d := ds[deadline.FinePayment]; d.LastDay != "2026-03-17" || d.State != deadline.StateRunning {
		t.Fatalf("payment %+v", d)
	}
	if _, ok := ds[deadline.Archive]; ok {
		t.Fatal("a fine not paid ended the case at the scene")
	}
	f.refuse(officer, collected, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "not"}}, "行政处罚法 §52, §68", "")
	f.refuse(officer, bank, StepDecisionDraft, LifeRequest{}, "行政处罚法 §52, §68", "")
	f.clock.Set(cstTime(2026, 3, 10, 10, 0))
	f.refuse(officer, bank, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "not"}}, "行政处罚法 §67, §85", "at")
	// 18, 19 and 20 March: 3 % of 200 yuan a day.
	f.clock.Set(cstTime(2026, 3, 20, 10, 0))
	st := f.life(officer, bank, StepLateFee, LifeRequest{})
	if lf := st.Exec.LateFees[0].Fields.Amount; lf.Days != 3 || lf.Cents != 1800 {
		t.Fatalf("late fee %+v", lf)
	}
	f.refuse(officer, bank, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "paid", Amount: 200}, File: f.upload(bank, "v.pdf", "凭证")}, "行政处罚法 §72(1), §67", "status")
	f.life(officer, bank, StepPerformance, LifeRequest{ExecRequest: ExecRequest{Status: "paid", Amount: 218}, File: f.upload(bank, "v.pdf", "凭证")})
	f.life(officer, bank, StepClosingRequest, LifeRequest{Content: "罚款及加处罚款已缴清", ExecRequest: ExecRequest{Kind: "performed"}})
	// Paid after the 15 days: the payment deadline was missed, the case closes.
	st = f.life(head, bank, StepClosing, LifeRequest{Outcome: "approve"})
	if st.Ended.IsZero() || f.deadlineStates(bank)[deadline.Archive].State != deadline.StateRunning || f.deadlineStates(bank)[deadline.FinePayment].State != deadline.StateMissed {
		t.Fatalf("closed %s %+v", st.Ended, f.deadlineStates(bank))
	}
	f.verifyChains()
}
