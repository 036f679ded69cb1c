package reviewsrv

import (
	"context"

	"encoding/json"
	"lawtrace/backend/internal/store"
	"strings"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

// Closing (结案) of a general-procedure penalty (issue 10, SPEC C7, R5,
// R9; 000-record §28-34, 003 §26): the handler's closing report and the
// head's approval. A case closed as performed is refused while its
// execution is open (the fine and the late fee not paid, a 责令改正 not
// confirmed); a case that ends otherwise — 不予处罚, 撤销立案, 移送, 终结执行 —
// states its reasons. The approval ends the case: the 30-day archive
// deadline (R5) starts and the existing archive entry meets it.
const (
	StepClosingRequest = "closing_request" // 结案报告 by the handler
	StepClosing        = "closing_signoff" // the head's approval (结案审批)
)

// ClosingWays are how a case ends.
var ClosingWays = map[string]string{
	"performed":            "决定已执行完毕",
	"not_punished":         "不予行政处罚",
	"revoked":              "撤销立案",
	"transferred":          "移送（有管辖权的机关或司法机关）",
	"execution_terminated": "终结执行",
}

// closingArticles are the rules each way of ending rests on.
var closingArticles = map[string]string{
	"performed":            "000-record §24, §28; 003 §23",
	"not_punished":         "行政处罚法 §57(1)(二)(三)",
	"revoked":              "003 §13; 000-record §28",
	"transferred":          "行政处罚法 §57(1)(四), §27",
	"execution_terminated": "行政强制法 §40",
}

// ClosingRequestFields is the handler's closing report (结案报告).
type ClosingRequestFields struct {
	By      Actor  `json:"by"`
	Way     string `json:"way"`
	Summary string `json:"summary"`
	Reasons string `json:"reasons,omitempty"`
	File    string `json:"file,omitempty"`
}

// ClosingFields is the head's decision on the closing report.
type ClosingFields struct {
	By      Actor  `json:"by"`
	Outcome string `json:"outcome"` // approve | return
	Opinion string `json:"opinion"`
	Way     string `json:"way"`
	Request int64  `json:"request_seq"`
	// ArchiveDue is the last day of the case file (R5: 30 days).
	ArchiveDue string `json:"archive_due,omitempty"`
}

func foldClosing(st *State, e ledger.Entry, d decoded, step *Step) (bool, error) {
	x := &st.Exec
	switch e.Step {
	case StepClosingRequest:
		var f ClosingRequestFields
		if err := json.Unmarshal(d.fields, &f); err != nil {
			return true, err
		}
		x.ClosingRequest = &f
		x.RequestSeq = e.Seq
		step.By, step.Summary = f.By, "结案报告（"+ClosingWays[f.Way]+"）："+f.Summary+reasonsSuffix(f.Reasons)
	case StepClosing:
		var f ClosingFields
		if err := json.Unmarshal(d.fields, &f); err != nil {
			return true, err
		}
		step.By = f.By
		if f.Outcome == "approve" {
			x.Closing = &f
			st.Ended, step.Summary = d.at, "负责人批准结案（"+ClosingWays[f.Way]+"）"+reasonsSuffix(f.Opinion)
		} else {
			x.Returned = append(x.Returned, Seqd[ClosingFields]{e.Seq, f})
			x.ClosingRequest, step.Summary = nil, "负责人退回结案报告"+reasonsSuffix(f.Opinion)
		}
	default:
		return foldRetention(st, e, d, step)
	}
	return true, nil
}

// closingGate refuses a closing the law does not allow: a case closed as
// performed with its execution open, or ended otherwise without reasons
// or against what was decided.
func closingGate(st *State, step, way, reasons string, cal *workday.Calendar, now time.Time) error {
	article, ok := closingArticles[way]
	if !ok {
		return lifeRefused(step, "000-record §28", "the report says how the case ends", "结案报告须写明结案方式", item("kind", "结案方式", "000-record §28"))
	}
	if st.Review.State == review.StateUnderReview || st.Review.State == review.StateEscalated {
		return lifeRefused(step, "000-review §5", "the legal review is open", "法制审核尚未结束，不得结案")
	}
	if open := st.Exec.Suspension.open(StepExecResume); len(open) > 0 {
		return lifeRefused(step, open[0].Article, "the execution is suspended", "执行已中止，不得结案", open...)
	}
	switch way {
	case "performed":
		// An on-the-spot decision was decided and delivered on the spot (行政处罚法 §52).
		if st.Decision == nil && !st.ExecutesOnSpot() {
			return lifeRefused(step, article, "there is no decision that was performed", "未作出行政处罚决定，不能以执行完毕结案", item(StepDecision, "行政处罚决定", "行政处罚法 §59"))
		}
		if st.Life.DecisionServed == nil && !st.ExecutesOnSpot() {
			return lifeRefused(step, "行政处罚法 §61", "the decision was never served", "决定书尚未送达当事人", item(StepDecisionServed, "决定书送达", "行政处罚法 §61"))
		}
		if es := st.ExecAt(cal, now); len(es.Open) > 0 {
			return lifeRefused(step, "000-record §24-28; 003 §23-25; 行政处罚法 §66-67, §72",
				"the execution is open: the case is closed when the decision was performed (or it ends otherwise, with reasons)",
				"决定尚未执行完毕，不得以执行完毕结案（确有其他结案情形的，写明理由）", es.Open...)
		}
	default:
		if strings.TrimSpace(reasons) == "" {
			return lifeRefused(step, article, "a case that ends otherwise states its reasons", "以"+ClosingWays[way]+"结案的，须写明理由", item("reasons", "结案理由", article))
		}
		penalised := st.Decision != nil && review.IsPenalty(st.Decision.Proposal.Measures)
		switch way {
		case "not_punished":
			if penalised {
				return lifeRefused(step, "行政处罚法 §57", "the decision imposes a penalty", "本案已作出行政处罚决定，不能以不予处罚结案")
			}
		case "revoked", "transferred":
			if st.Decision != nil {
				return lifeRefused(step, article, "the case was decided: a decided case is executed (or its decision revoked by the remedy route)",
					"本案已作出决定，不能以"+ClosingWays[way]+"结案")
			}
		case "execution_terminated":
			if st.Exec.Suspension.Terminated == nil {
				return lifeRefused(step, "行政强制法 §40", "the execution was not terminated by the head", "执行尚未经负责人批准终结",
					item(StepExecTerminate, "终结执行", "行政强制法 §40"))
			}
		}
	}
	return nil
}

// closingBuild checks the closing report or its approval.
func closingBuild(st *State, u User, step string, req LifeRequest, now time.Time, cal *workday.Calendar) (any, error) {
	x := &st.Exec
	by := actorOf(u)
	t := strings.TrimSpace
	switch step {
	case StepClosingRequest:
		if x.ClosingRequest != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "a closing report waits for the head", MessageZh: "结案报告已提交，待负责人审批"}
		}
		if blank(req.Content) {
			return nil, lifeRefused(step, "000-record §28", "the closing report summarises the case", "结案报告须写明案件办理情况", item("content", "案件办理情况", "000-record §28"))
		}
		if err := closingGate(st, step, req.Kind, req.Reasons, cal, now); err != nil {
			return nil, err
		}
		return ClosingRequestFields{By: by, Way: req.Kind, Summary: t(req.Content), Reasons: t(req.Reasons), File: req.File}, nil
	case StepClosing:
		if x.ClosingRequest == nil {
			return nil, lifeRefused(step, "000-record §34", "no closing report: the handler reports, the head approves",
				"承办人尚未提交结案报告（承办人提出、负责人审批）", item(StepClosingRequest, "结案报告", "000-record §28, §34"))
		}
		f := ClosingFields{By: by, Outcome: req.Outcome, Opinion: t(req.Opinion), Way: x.ClosingRequest.Way, Request: x.RequestSeq}
		switch req.Outcome {
		case "approve":
			// The state may have changed since the report: the gate again.
			if err := closingGate(st, step, x.ClosingRequest.Way, x.ClosingRequest.Reasons, cal, now); err != nil {
				return nil, err
			}
			if f.Opinion == "" {
				f.Opinion = "同意结案"
			}
			f.ArchiveDue = workday.AddCalendarDays(now.In(cst), 30).Format(time.DateOnly)
		case "return":
			if f.Opinion == "" {
				return nil, lifeRefused(step, "000-record §34", "a returned report says why", "退回结案报告须写明理由", item("opinion", "退回理由", "000-record §34"))
			}
		default:
			return nil, enforce.Errorf(enforce.EInvalid, "outcome must be approve or return")
		}
		return f, nil
	}
	return nil, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}

// EndCaseGate refuses the plain case_end of a registered general-procedure
// penalty: it closes with the head's approval (closing_request, then
// closing_signoff) and the execution gate.
func endCaseGate(st *State) error {
	if st.Case.Procedure == "penalty" && !st.Life.RegisteredAt.IsZero() {
		return lifeRefused(StepCaseEnd, "000-record §28, §34",
			"a registered general-procedure penalty is closed by the closing report and the head's approval",
			"适用普通程序的行政处罚案件经结案报告、负责人审批后结案", item(StepClosingRequest, "结案报告与负责人审批", "000-record §34"))
	}
	return nil
}

// OfficeStage is where a case stands in the office, for the board: "" when
// the office has not gone past the scene's stages.
func (st *State) OfficeStage() string {
	switch {
	case !st.Archived.IsZero():
		return "已归档"
	case st.Office.Inspection.Transfer != nil:
		return "已转立案"
	case !st.Ended.IsZero():
		return "已结案"
	case st.Exec.ClosingRequest != nil:
		return "结案审批"
	}
	if s := st.holdStage(); s != "" {
		return s
	}
	switch {
	case st.Decision != nil:
		return "执行"
	case st.Life.NotRegistered:
		return "不予立案"
	}
	return st.Office.stage()
}

// holdStage is the board's stage of an execution held or ended (行政强制法
// §39, §40, §42; "" when it is not).
func (st *State) holdStage() string {
	for _, sp := range []*Suspension{&st.Exec.Suspension, &st.Office.Coercion.Suspension} {
		switch {
		case sp.Terminated != nil:
			return "终结执行"
		case sp.Suspended != nil:
			return "中止执行"
		case sp.Agreement != nil:
			return "执行协议"
		}
	}
	return ""
}

// OfficeStages folds the office chains of the cases (all when ids is
// empty) into their OfficeStage, for the board's rows.
func (s *Service) OfficeStages(ctx context.Context, ids []string) (map[string]string, error) {
	recs, err := s.st.DeadlineCases(ctx, ids)
	if err != nil {
		return nil, err
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	cat, now := s.catalogFn(ctx), s.now()
	out := make(map[string]string, len(recs))
	for _, rec := range recs {
		if len(rec.Office) == 0 {
			continue
		}
		st, err := fold(store.OfficeCase{Case: rec.Case, ChainID: rec.Case.ID + store.OfficeChainSuffix, Chain: rec.Office}, cat, cal, now)
		if err != nil {
			s.log.Error("office chain does not replay", "case", rec.Case.ID, "err", err)
			continue
		}
		if stage := st.OfficeStage(); stage != "" {
			out[rec.Case.ID] = stage
		}
	}
	return out, nil
}
