package reviewsrv

import (
	"strings"
	"time"

	"lawtrace/shared/enforce"
)

// The inspection after the scene (003 §3: 现场核查、签署检查意见、送达 and
// 责令改正、复查; 000-record §24; 003 §23): the result is a 责令改正 with its
// deadline, the 复查 at the deadline, and either the closing (compliant or
// corrected) or 转立案 — the hand-over into the penalty lifecycle: the
// penalty case's 立案审批 names this inspection as its source
// (RegisterRequestFields.SourceCase) and starts at the head's approval.
const (
	StepInspectionRectify  = "inspection_rectify"  // 责令改正通知书
	StepInspectionRecheck  = "inspection_recheck"  // 复查
	StepInspectionTransfer = "inspection_transfer" // 转立案
)

// InspectionSteps are the inspection steps in order.
var InspectionSteps = []string{StepInspectionRectify, StepInspectionRecheck, StepInspectionTransfer}

// RecheckResults are the results of a 复查.
var RecheckResults = map[string]string{"corrected": "已改正", "not_corrected": "未改正"}

// Inspection is the back office of an inspection case.
type Inspection struct {
	Rectify   *OfficeFields        `json:"rectify,omitempty"`
	Rechecks  []Seqd[OfficeFields] `json:"rechecks"`
	Corrected time.Time            `json:"corrected,omitzero"`
	Transfer  *OfficeFields        `json:"transfer,omitempty"`
}

func (in *Inspection) apply(step string, s Seqd[OfficeFields]) string {
	f := s.Fields
	switch step {
	case StepInspectionRectify:
		in.Rectify, in.Corrected = &f, time.Time{}
		return "责令改正 " + f.Number + "：" + f.Content + "，期限至 " + f.LastDay
	case StepInspectionRecheck:
		in.Rechecks = append(in.Rechecks, s)
		if f.Outcome == "corrected" {
			in.Corrected = f.At
		}
		return "复查（" + f.At.In(cst).Format("2006-01-02") + "）：" + RecheckResults[f.Outcome] + reasonsSuffix(f.Content)
	case StepInspectionTransfer:
		in.Transfer = &f
		return "转立案：" + f.Reasons
	}
	return step
}

// open names what keeps an inspection from closing.
func (in *Inspection) open() []enforce.Item {
	if in.Rectify != nil && in.Corrected.IsZero() {
		return []enforce.Item{item(StepInspectionRecheck, "责令改正未经复查确认已改正（逾期未改正的，转立案）", "003 §3, §23; 000-record §24")}
	}
	return nil
}

// active reports whether the office took the inspection over after the
// scene: it then ends with the head's closing or 转立案, not at the
// scene's close.
func (in *Inspection) active() bool { return in.Rectify != nil || in.Transfer != nil }

// inspectionBuild checks one inspection step.
func inspectionBuild(st *State, f OfficeFields, step string, req LifeRequest, now time.Time) (OfficeFields, error) {
	in := &st.Office.Inspection
	t := strings.TrimSpace
	f.Number, f.Content, f.Reasons, f.Basis, f.File, f.Outcome = t(req.Number), t(req.Content), t(req.Reasons), t(req.Basis), req.File, req.Outcome
	at, err := parseAt(req.At, now, "时间")
	if err != nil {
		return f, err
	}
	f.At = at
	if st.Case.SceneClosed.IsZero() {
		return f, lifeRefused(step, "003 §3, §15", "the inspection on the scene is not closed", "现场检查尚未结束（现场检查笔录、检查意见）")
	}
	switch step {
	case StepInspectionRectify:
		f.Article = "003 §3; 000-record §24"
		last, ok := dayOf(req.Deadline)
		var miss required
		miss.need(f.Number != "", "number", "责令改正通知书文号", "000-record §24")
		miss.need(f.Content != "", "content", "存在的问题及改正要求", "003 §3")
		miss.need(f.Basis != "", "basis", "责令改正的依据", "行政处罚法 §28")
		miss.need(ok && !last.Before(startOfDay(now)), "deadline", "改正期限（不早于今天）", "003 §3")
		if len(miss) > 0 {
			return f, lifeRefused(step, "003 §3; 行政处罚法 §28", "a 责令改正 states the problems, the requirement, the basis and the deadline", "责令改正须写明问题、要求、依据和期限", miss...)
		}
		f.LastDay = last.Format(time.DateOnly)
		return f, nil

	case StepInspectionRecheck:
		f.Article = "003 §3, §23; 000-record §24"
		if in.Rectify == nil {
			return f, lifeRefused(step, "003 §3", "nothing was ordered to be corrected", "未责令改正，无需复查", item(StepInspectionRectify, "责令改正", "003 §3"))
		}
		var miss required
		_, ok := RecheckResults[f.Outcome]
		miss.need(ok, "outcome", "复查结论（已改正 / 未改正）", "003 §3")
		miss.need(f.File != "", "file", "复查记录", "003 §23; 000-record §24")
		if len(miss) > 0 {
			return f, lifeRefused(step, "003 §3, §23", "the re-check is recorded with its result", "复查须制作记录并写明结论", miss...)
		}
		last, _ := dayOf(in.Rectify.LastDay)
		if f.Outcome == "not_corrected" && at.Before(last.AddDate(0, 0, 1)) {
			return f, lifeRefused(step, "003 §3; 行政处罚法 §28",
				"the party has until the end of "+in.Rectify.LastDay+" to correct", "改正期限至 "+in.Rectify.LastDay+" 届满，期限届满前不得认定未改正",
				item("at", "改正期限届满后的复查", "003 §3"))
		}
		return f, nil

	case StepInspectionTransfer:
		f.Article = "003 §3; 行政处罚法 §54"
		var miss required
		miss.need(f.Reasons != "", "reasons", "涉嫌违法的事实（转立案的理由）", "行政处罚法 §54")
		miss.need(f.Content != "", "content", "检查及复查情况", "003 §3")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政处罚法 §54; 003 §3", "转立案 states the suspected violation found", "转立案须写明发现的涉嫌违法事实", miss...)
		}
		return f, nil
	}
	return f, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}
