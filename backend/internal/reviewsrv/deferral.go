package reviewsrv

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// Deferral and instalments of a fine (行政处罚法 §66 ¶2; issue 10): the
// party's application with the reasons of economic difficulty, and the
// head's approval with the deferral date or the schedule (or refusal with
// reasons). Once approved, the payment period, 加处罚款 and the execution
// deadlines count from the approved dates (shared/deadline.Schedule).
const (
	StepDeferralRequest = "payment_deferral_request" // the party's application
	StepDeferral        = "payment_deferral"         // the head's approval
)

// DeferralWays are what the party asks for.
var DeferralWays = map[string]string{"deferral": "暂缓缴纳", "instalments": "分期缴纳"}

// DeferralFields is the application or the approval.
type DeferralFields struct {
	By      Actor             `json:"by"`
	Way     string            `json:"way"`
	Reasons string            `json:"reasons,omitempty"`
	File    string            `json:"file,omitempty"`
	Outcome string            `json:"outcome,omitempty"` // approval: approve | refuse
	Opinion string            `json:"opinion,omitempty"`
	Plan    deadline.Schedule `json:"schedule,omitempty"`
	// PaidBefore was paid before the approval: the schedule covers the rest.
	PaidBefore int64 `json:"paid_before_cents,omitempty"`
}

func foldDeferral(st *State, e ledger.Entry, d decoded, step *Step) (bool, error) {
	if e.Step != StepDeferralRequest && e.Step != StepDeferral {
		return false, nil
	}
	var f DeferralFields
	if err := json.Unmarshal(d.fields, &f); err != nil {
		return true, err
	}
	x := &st.Exec
	step.By = f.By
	if e.Step == StepDeferralRequest {
		x.DeferralRequest = &f
		step.Summary = "当事人申请" + DeferralWays[f.Way] + "罚款：" + f.Reasons
		return true, nil
	}
	x.DeferralRequest = nil
	if f.Outcome == "approve" {
		x.Deferral = &f
		step.Summary = "负责人批准：" + f.Plan.Label()
	} else {
		step.Summary = "负责人不予批准" + DeferralWays[f.Way] + reasonsSuffix(f.Opinion)
	}
	return true, nil
}

// paymentDue is the end of the payment period: 15 days from service
// (§67), or the approved deferral or instalment not yet covered (§66 ¶2).
func (x *Execution) paymentDue(served time.Time) time.Time {
	if x.Deferral != nil {
		return x.Deferral.Plan.Due(cst, x.PaidCents-x.Deferral.PaidBefore)
	}
	return deadline.PaymentDue(served)
}

// lateFee is the 加处罚款 accrued at at (行政处罚法 §72(1)): on the fine
// from the end of the payment period, or under an approved deferral or
// instalments on each instalment's part unpaid day by day from its own end
// (deadline.Schedule.LateFeeAt).
func (x *Execution) lateFee(es ExecStatus, at time.Time) deadline.LateFeeAmount {
	if x.Deferral != nil {
		return x.Deferral.Plan.LateFeeAt(cst, x.planPayments(), at)
	}
	return deadline.LateFeeAt(es.FineCents, es.PaymentDue, at)
}

// planPayments are the recorded payments towards the approved schedule,
// dated by their performance check: all of them less the PaidBefore paid
// before the approval (the earliest first).
func (x *Execution) planPayments() []deadline.Payment {
	skip := x.Deferral.PaidBefore
	var out []deadline.Payment
	for _, c := range x.Checks {
		amount := c.Fields.AmountCents
		before := min(skip, max(amount, 0))
		skip -= before
		if amount -= before; amount > 0 {
			out = append(out, deadline.Payment{At: c.Fields.CheckedAt, Cents: amount})
		}
	}
	return out
}

// deferralBuild checks the application or the approval.
func deferralBuild(st *State, by Actor, step string, req LifeRequest, now time.Time, es ExecStatus) (any, error) {
	x := &st.Exec
	t := strings.TrimSpace
	if !es.Fine || es.PaidInFull {
		return nil, lifeRefused(step, "行政处罚法 §66", "there is no fine left to pay", "本决定无未缴清的罚款")
	}
	if es.Served.IsZero() {
		return nil, lifeRefused(step, "行政处罚法 §61, §66", "the decision was not served", "决定书尚未送达当事人", item(StepDecisionServed, "决定书送达", "行政处罚法 §61"))
	}
	if x.Deferral != nil {
		return nil, lifeRefused(step, "行政处罚法 §66", "a deferral or instalments were approved", "已批准暂缓或分期缴纳")
	}
	f := DeferralFields{By: by, Way: req.Kind, Reasons: t(req.Reasons), File: req.File, Outcome: req.Outcome, Opinion: t(req.Opinion)}
	if step == StepDeferralRequest {
		if x.DeferralRequest != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "an application waits for the head", MessageZh: "申请已提交，待负责人审批"}
		}
		var miss required
		_, ok := DeferralWays[f.Way]
		miss.need(ok, "kind", "申请事项（暂缓或分期缴纳）", "行政处罚法 §66")
		miss.need(f.Reasons != "", "reasons", "确有经济困难的情况", "行政处罚法 §66")
		miss.need(f.File != "", "file", "当事人的书面申请及证明材料", "行政处罚法 §66")
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政处罚法 §66", "the party applies in writing, stating the economic difficulty", "当事人确有经济困难的，经当事人书面申请", miss...)
		}
		return f, nil
	}
	r := x.DeferralRequest
	if r == nil {
		return nil, lifeRefused(step, "行政处罚法 §66", "the party did not apply", "当事人未申请暂缓或分期缴纳", item(StepDeferralRequest, "当事人的申请", "行政处罚法 §66"))
	}
	f.Way = r.Way
	switch f.Outcome {
	case "refuse":
		if f.Opinion == "" {
			return nil, lifeRefused(step, "行政处罚法 §66", "a refusal states its reasons", "不予批准须写明理由", item("opinion", "不予批准的理由", "行政处罚法 §66"))
		}
		return f, nil
	case "approve":
	default:
		return nil, enforce.Errorf(enforce.EInvalid, "outcome must be approve or refuse")
	}
	rest := es.FineCents - es.PaidCents
	f.PaidBefore = es.PaidCents
	today := startOfDay(now)
	plan, err := parsePlan(f.Way, req, rest)
	if err != nil {
		return nil, lifeRefused(step, "行政处罚法 §66", err.Error(), err.Error(), item("schedule", "暂缓至的日期或分期计划（每行：日期 金额）", "行政处罚法 §66"))
	}
	for i, in := range plan {
		d, _ := dayOf(in.Day)
		if d.Before(today) || i > 0 && in.Day <= plan[i-1].Day {
			return nil, lifeRefused(step, "行政处罚法 §66", "the dates are in the future and in order", "批准的缴纳日期应晚于今天并依次排列",
				item("schedule", "依次排列的缴纳日期", "行政处罚法 §66"))
		}
	}
	f.Plan = plan
	return f, nil
}

// parsePlan reads the deferral date or the instalment lines ("YYYY-MM-DD
// amount") of the approval; the instalments add up to the fine not paid.
func parsePlan(way string, req LifeRequest, rest int64) (deadline.Schedule, error) {
	if way == "deferral" {
		d, ok := dayOf(req.Deadline)
		if !ok {
			return nil, fmt.Errorf("暂缓缴纳须写明缴清日期")
		}
		return deadline.Schedule{{Day: d.Format(time.DateOnly), Cents: rest}}, nil
	}
	var plan deadline.Schedule
	var sum int64
	for _, l := range lines(req.Schedule) {
		parts := strings.Fields(l)
		if len(parts) != 2 {
			return nil, fmt.Errorf("分期计划每行写日期和金额：%s", l)
		}
		d, ok := dayOf(parts[0])
		yuan, err := strconv.ParseFloat(parts[1], 64)
		c, okc := cents(yuan)
		if !ok || err != nil || !okc || c <= 0 {
			return nil, fmt.Errorf("分期计划无法读取：%s", l)
		}
		plan = append(plan, deadline.Instalment{Day: d.Format(time.DateOnly), Cents: c})
		sum += c
	}
	if len(plan) < 2 {
		return nil, fmt.Errorf("分期缴纳至少分两期")
	}
	if sum != rest {
		return nil, fmt.Errorf("各期金额合计 %s 元，应等于未缴罚款 %s 元", deadline.Yuan(sum), deadline.Yuan(rest))
	}
	return plan, nil
}
