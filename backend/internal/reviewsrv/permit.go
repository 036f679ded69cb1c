package reviewsrv

import (
	"fmt"
	"strings"
	"time"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/workday"
)

// The permit after 受理 (行政许可法 §32, §36-§38, §42-§48; 003 §3, §10:
// 接收、受理、补正、核验、审查、决定、送达 and 延期、听证): 受理 / 一次性告知补正 /
// 不予受理 (the terminal's 受理 step counts too), the interested parties
// told (§36) and the hearing right (§47) or the hearing the law requires
// (§46) with its notice 7 days before and a presider who did not review
// the application (§48), the 20 working days to decide (§42) with one
// extension of 10 by the head told to the applicant, the days §45 does not
// count, the decision — 不予许可 with reasons and the remedy (§38) — after
// the hearing record (§48), and its service within 10 working days
// (§44).
const (
	StepPermitAcceptance    = "permit_acceptance"     // 受理 / 补正 / 不予受理 (§32)
	StepPermitInterested    = "permit_interested"     // 告知利害关系人 (§36), 告知听证权利 (§47)
	StepPermitHearingNotice = "permit_hearing_notice" // 听证通知 (§46-§48)
	StepPermitHearing       = "permit_hearing_record" // 听证笔录 (§48)
	StepPermitAppraisal     = "permit_appraisal"      // 检验、检测、鉴定、专家评审期间 (§45)
	StepPermitExtension     = "permit_extension"      // 延长 10 个工作日 (§42)
	StepPermitDecision      = "permit_decision"       // 准予 / 不予行政许可 (§37-§38)
	StepPermitService       = "permit_service"        // 送达 (§44)
)

// PermitSteps are the permit steps in the order a case takes them.
var PermitSteps = []string{StepPermitAcceptance, StepPermitInterested, StepPermitHearingNotice, StepPermitHearing, StepPermitAppraisal,
	StepPermitExtension, StepPermitDecision, StepPermitService}

// AcceptanceOutcomes are the answers to an application (行政许可法 §32).
var AcceptanceOutcomes = map[string]string{"accepted": "受理", "supplement": "一次性告知补正", "not_accepted": "不予受理"}

// PermitOutcomes are the permit decisions (§37-§38).
var PermitOutcomes = map[string]string{"grant": "准予行政许可", "deny": "不予行政许可"}

// InterestedWays are what the interested parties are told (§36, §47).
var InterestedWays = map[string]string{"told": "告知利害关系人，听取意见（第三十六条）", "hearing_right": "告知申请人、利害关系人听证权利（第四十七条）"}

// HearingKinds are why a permit hearing is held.
var HearingKinds = map[string]string{"statutory": "法律、法规、规章规定或涉及公共利益，向社会公告（第四十六条）", "requested": "申请人、利害关系人申请（第四十七条）"}

// Permit is the back office of a permit case.
type Permit struct {
	Acceptance    *OfficeFields        `json:"acceptance,omitempty"`
	NotAccepted   bool                 `json:"not_accepted,omitempty"`
	Interested    *OfficeFields        `json:"interested,omitempty"`
	HearingNotice *OfficeFields        `json:"hearing_notice,omitempty"`
	Hearing       *OfficeFields        `json:"hearing,omitempty"`
	Appraisals    []Seqd[OfficeFields] `json:"appraisals"`
	Excluded      int                  `json:"excluded_workdays"`
	Extension     *OfficeFields        `json:"extension,omitempty"`
	Decision      *OfficeFields        `json:"decision,omitempty"`
	Service       *OfficeFields        `json:"service,omitempty"`
}

func (p *Permit) apply(step string, s Seqd[OfficeFields], at time.Time) string {
	f := s.Fields
	switch step {
	case StepPermitAcceptance:
		p.Acceptance, p.NotAccepted = &f, f.Outcome == "not_accepted"
		switch f.Outcome {
		case "supplement":
			if f.Late {
				return "一次性告知补正：" + f.Content + "（逾期告知，自 " + f.Received.In(cst).Format(time.DateOnly) + " 收到申请材料之日起即为受理，行政许可法第三十二条第一款第（四）项）"
			}
			return "一次性告知补正：" + f.Content
		case "not_accepted":
			return "不予受理：" + f.Reasons
		}
		return "受理申请（" + f.Number + "）"
	case StepPermitInterested:
		p.Interested = &f
		return InterestedWays[f.Outcome] + "：" + strings.Join(f.Objects, "、")
	case StepPermitHearingNotice:
		p.HearingNotice = &f
		return fmt.Sprintf("听证通知：%s 在%s举行，主持人 %s（%s）", f.HearingAt.In(cst).Format("2006-01-02 15:04"), f.Basis, f.Officer, HearingKinds[f.Outcome])
	case StepPermitHearing:
		p.Hearing = &f
		p.Excluded += f.Days
		return fmt.Sprintf("听证笔录（%s）：%s；听证 %d 个工作日不计入审查期限", f.Outcome, f.Content, f.Days)
	case StepPermitAppraisal:
		p.Appraisals = append(p.Appraisals, s)
		p.Excluded += f.Days
		return fmt.Sprintf("%s %d 个工作日，不计入审查期限，已书面告知申请人", f.Content, f.Days)
	case StepPermitExtension:
		p.Extension = &f
		return "负责人批准延长审查期限 10 个工作日：" + f.Reasons
	case StepPermitDecision:
		p.Decision = &f
		if f.Outcome == "deny" {
			return "不予行政许可 " + f.Number + "：" + f.Reasons
		}
		return "准予行政许可 " + f.Number + "：" + f.Content
	case StepPermitService:
		p.Service = &f
		return "行政许可决定已送达（" + ServiceMethods[f.Method] + "，" + at.Format("2006-01-02 15:04") + "）"
	}
	return step
}

// AcceptedAt is when the application was accepted: by the office, or the
// terminal's 受理 step (accepted, or corrected on the spot and accepted).
func (p *Permit) AcceptedAt(scene SceneFacts) time.Time {
	if a := p.Acceptance; a != nil && a.Outcome == "accepted" {
		return a.At
	}
	if a := p.Acceptance; a != nil && a.Outcome == "supplement" && a.Late {
		return a.Received // told too late: accepted from the receipt (§32(4))
	}
	for _, st := range scene {
		if st.Kind == "acceptance" && (st.Fields["outcome"] == "accepted" || st.Fields["outcome"] == "corrected") {
			return st.At
		}
	}
	return time.Time{}
}

// Due is when the permit must be decided (shared/deadline.PermitDue).
func (p *Permit) Due(cal *workday.Calendar, scene SceneFacts) time.Time {
	acc := p.AcceptedAt(scene)
	if acc.IsZero() {
		return time.Time{}
	}
	due, _ := deadline.PermitDue(cal, acc, p.Extension != nil, p.Excluded)
	return due
}

// open names what keeps a permit case from closing.
func (p *Permit) open() []enforce.Item {
	if p.NotAccepted {
		return nil
	}
	var out []enforce.Item
	if p.Decision == nil {
		out = append(out, item(StepPermitDecision, "尚未作出准予或不予行政许可的决定", "行政许可法 §37"))
	}
	if p.Service == nil {
		out = append(out, item(StepPermitService, "行政许可决定尚未送达", "行政许可法 §44"))
	}
	return out
}

// permitBuild checks one permit step against the law.
func permitBuild(st *State, f OfficeFields, step string, req LifeRequest, now time.Time, cal *workday.Calendar, scene SceneFacts) (OfficeFields, error) {
	p := &st.Office.Permit
	t := strings.TrimSpace
	f.Number, f.Content, f.Reasons, f.Basis, f.File = t(req.Number), t(req.Content), t(req.Reasons), t(req.Basis), req.File
	f.Method, f.Recipient, f.Outcome = req.Method, t(req.Recipient), req.Outcome
	at, err := parseAt(req.At, now, "时间")
	if err != nil {
		return f, err
	}
	f.At = at
	accepted := p.AcceptedAt(scene)
	if step == StepPermitAcceptance {
		f.Article = "行政许可法 §32; 003 §10"
		if !accepted.IsZero() || p.NotAccepted {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the application was answered", MessageZh: "已作出受理或不予受理的决定"}
		}
		var miss required
		switch f.Outcome {
		case "accepted":
			miss.need(f.Number != "", "number", "受理通知书（加盖专用印章、注明日期的书面凭证）文号", "行政许可法 §32")
		case "supplement":
			miss.need(f.Content != "", "content", "需要补正的全部内容（一次告知）", "行政许可法 §32(4)")
			received, err := parseAt(req.Received, at, "收到申请材料的时间")
			miss.need(err == nil && !blank(req.Received), "received", "收到申请材料的时间（不晚于告知之日）", "行政许可法 §32(4)")
			if len(miss) == 0 {
				// Told after the 5 working days: the law deems the application
				// accepted from the receipt; the 20 days of §42 run from it.
				f.Received = received
				f.Due, _ = deadline.PermitSupplementDue(cal, received)
				f.Late = !at.Before(f.Due)
			}
		case "not_accepted":
			miss.need(f.Reasons != "", "reasons", "不予受理的理由（不属于本机关职权范围的，告知向有关行政机关申请）", "行政许可法 §32(1)(2)")
			miss.need(f.File != "", "file", "不予受理决定书（书面凭证）", "行政许可法 §32")
		default:
			miss = append(miss, item("outcome", "受理、一次性告知补正或不予受理", "行政许可法 §32"))
		}
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政许可法 §32; 003 §10", "the answer to the application is incomplete", "受理、补正或不予受理的记录不完整", miss...)
		}
		return f, nil
	}
	if p.NotAccepted {
		return f, lifeRefused(step, "行政许可法 §32", "the application was not accepted", "申请已不予受理")
	}
	if accepted.IsZero() {
		return f, lifeRefused(step, "行政许可法 §32", "the application was not accepted (受理) yet", "申请尚未受理",
			item(StepPermitAcceptance, "受理", "行政许可法 §32"))
	}
	if p.Decision != nil && step != StepPermitService {
		return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the permit was decided", MessageZh: "已作出行政许可决定"}
	}
	due, _ := deadline.PermitDue(cal, accepted, p.Extension != nil, p.Excluded)
	switch step {
	case StepPermitInterested:
		f.Article = "行政许可法 §36, §47"
		f.Objects = lines(req.Objects)
		var miss required
		_, ok := InterestedWays[f.Outcome]
		miss.need(ok, "outcome", "告知事项（告知利害关系人或告知听证权利）", "行政许可法 §36, §47")
		miss.need(len(f.Objects) > 0, "objects", "被告知的申请人、利害关系人", "行政许可法 §36")
		_, ok = ServiceMethods[f.Method]
		miss.need(ok, "method", "告知方式", "行政许可法 §36")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政许可法 §36, §47", "the notice to the interested parties is incomplete", "告知利害关系人的记录不完整", miss...)
		}
		if f.Outcome == "hearing_right" {
			f.Due, _ = deadline.PermitHearingEnds(cal, at)
		}
		return f, nil

	case StepPermitHearingNotice:
		f.Article = "行政许可法 §46-48"
		if p.HearingNotice != nil {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the hearing was noticed", MessageZh: "已通知听证"}
		}
		hearingAt, ok := parseFuture(req.HearingAt)
		f.Officer, f.Basis = t(req.Officer), t(req.Place)
		var miss required
		miss.need(ok, "hearing_at", "听证时间", "行政许可法 §48(1)")
		miss.need(f.Basis != "", "place", "听证地点", "行政许可法 §48(1)")
		miss.need(f.Officer != "", "officer", "听证主持人（审查该申请的工作人员以外的人员）", "行政许可法 §48(3)")
		switch f.Outcome {
		case "statutory":
		case "requested":
			if p.Interested == nil || p.Interested.Outcome != "hearing_right" {
				return f, lifeRefused(step, "行政许可法 §47", "the parties were not told of the hearing right", "尚未告知申请人、利害关系人听证权利",
					item(StepPermitInterested, "告知听证权利", "行政许可法 §47"))
			}
			requested, err := parseAt(req.NoticeDate, now, "听证申请时间")
			if err != nil {
				return f, err
			}
			if !requested.Before(p.Interested.Due) {
				return f, lifeRefused(step, "行政许可法 §47", "the hearing was asked for after the 5 working days", "申请人、利害关系人应当在被告知听证权利之日起五日内提出听证申请，期限已于 "+dayText(p.Interested.Due)+" 届满")
			}
		default:
			miss = append(miss, item("kind", "听证的由来（依法举行或依申请举行）", "行政许可法 §46-47"))
		}
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政许可法 §48", "the hearing notice is incomplete", "听证通知不完整", miss...)
		}
		for _, s := range st.Steps {
			if stepProcedure(s.Step) == "permit" && s.By.Name != "" && s.By.Name == f.Officer {
				return f, lifeRefused(step, "行政许可法 §48(3)", f.Officer+" reviewed this application; the hearing is presided over by someone else",
					"听证主持人 "+f.Officer+" 参与了本申请的审查，应当由审查该行政许可申请的工作人员以外的人员担任", item("officer", "审查人员以外的听证主持人", "行政许可法 §48(3)"))
			}
		}
		earliest, _ := deadline.EarliestHearing(cal, at)
		if hearingAt.Before(earliest) {
			return f, lifeRefused(step, "行政许可法 §48(1)",
				"the parties are told 7 days before the hearing", "行政机关应当于举行听证的七日前将时间、地点通知申请人、利害关系人：听证最早于 "+earliest.Format(time.DateOnly)+" 举行",
				item("hearing_at", "通知七日后的听证时间", "行政许可法 §48(1)"))
		}
		f.HearingAt = hearingAt
		return f, nil

	case StepPermitHearing:
		f.Article = "行政许可法 §48"
		n := p.HearingNotice
		if n == nil {
			return f, lifeRefused(step, "行政许可法 §48(1)", "the hearing was not noticed", "尚未通知听证", item(StepPermitHearingNotice, "听证通知", "行政许可法 §48"))
		}
		if p.Hearing != nil {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the hearing record exists", MessageZh: "听证笔录已记录"}
		}
		if at.Before(n.HearingAt) {
			return f, lifeRefused(step, "行政许可法 §48(1)", "the hearing is held at the time noticed", "听证应当在通知的时间举行（"+n.HearingAt.In(cst).Format("2006-01-02 15:04")+"）")
		}
		f.Outcome = req.PartySigned
		var miss required
		miss.need(f.File != "", "file", "听证笔录", "行政许可法 §48(5)")
		miss.need(f.Outcome == "signed" || f.Outcome == "refused" && t(req.Note) != "", "party_signed", "听证参加人确认签字或盖章（拒绝的注明）", "行政许可法 §48(5)")
		miss.need(f.Content != "", "content", "听证情况及主持人意见", "行政许可法 §48")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政许可法 §48", "the hearing record is incomplete", "听证笔录不完整", miss...)
		}
		f.Outcome = map[string]string{"signed": "听证参加人已签字", "refused": "拒绝签字：" + t(req.Note)}[f.Outcome]
		f.Days, _ = cal.WorkdaysBetween(n.At, at)
		return f, nil

	case StepPermitAppraisal:
		f.Article = "行政许可法 §45"
		f.Days = req.Days
		var miss required
		miss.need(f.Content != "", "content", "检验、检测、检疫、鉴定或专家评审的事项", "行政许可法 §45")
		miss.need(f.Days >= 1, "days", "所需时间（工作日）", "行政许可法 §45")
		miss.need(f.File != "", "file", "书面告知申请人所需时间的告知书", "行政许可法 §45")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政许可法 §45", "the time needed is told to the applicant in writing", "所需时间不计算在审查期限内，并应当书面告知申请人", miss...)
		}
		return f, nil

	case StepPermitExtension:
		f.Article = "行政许可法 §42"
		if p.Extension != nil {
			return f, lifeRefused(step, "行政许可法 §42", "the term was extended once", "审查期限已经延长（只能延长十日）")
		}
		if !now.Before(due) {
			return f, lifeRefused(step, "行政许可法 §42", "the 20 working days ran out at "+dayText(due), "二十日审查期限已于 "+dayText(due)+" 届满，不得再延长")
		}
		var miss required
		miss.need(f.Reasons != "", "reasons", "延长的理由", "行政许可法 §42")
		_, ok := ServiceMethods[f.Method]
		miss.need(ok, "method", "告知申请人的方式", "行政许可法 §42")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政许可法 §42", "the head extends by 10 days and the reasons are told to the applicant", "经本行政机关负责人批准可以延长十日，并应当将延长期限的理由告知申请人", miss...)
		}
		f.Days = deadline.PermitExtensionWorkdays
		f.Due, _ = deadline.PermitDue(cal, accepted, true, p.Excluded)
		return f, nil

	case StepPermitDecision:
		f.Article = "行政许可法 §37-38"
		if n := p.HearingNotice; n != nil && p.Hearing == nil {
			return f, lifeRefused(step, "行政许可法 §48", "a hearing was noticed: the decision follows its record", "已决定举行听证的，行政机关应当根据听证笔录作出行政许可决定",
				item(StepPermitHearing, "听证笔录", "行政许可法 §48"))
		}
		f.ReconOrgan, f.Court = t(req.ReconOrgan), t(req.Court)
		var miss required
		miss.need(f.Number != "", "number", "决定书文号", "行政许可法 §38")
		switch f.Outcome {
		case "grant":
			miss.need(f.Content != "", "content", "准予行政许可的内容（许可证件）", "行政许可法 §38, §39")
		case "deny":
			miss.need(f.Reasons != "", "reasons", "不予行政许可的理由", "行政许可法 §38")
			miss.need(f.ReconOrgan != "", "reconsideration_organ", "申请行政复议的机关", "行政许可法 §38")
			miss.need(f.Court != "", "court", "提起行政诉讼的人民法院", "行政许可法 §38")
		default:
			miss = append(miss, item("outcome", "准予或不予行政许可", "行政许可法 §38"))
		}
		miss.need(f.File != "", "file", "书面决定书", "行政许可法 §38")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政许可法 §38", "the decision is in writing; a refusal gives reasons and the remedy", "行政许可决定应当以书面形式作出；不予许可的应当说明理由，并告知申请行政复议或者提起行政诉讼的权利", miss...)
		}
		f.Due, f.Late = due, !now.Before(due)
		return f, nil

	case StepPermitService:
		f.Article = "行政许可法 §44"
		if p.Decision == nil {
			return f, lifeRefused(step, "行政许可法 §44", "there is no decision to serve", "尚未作出行政许可决定", item(StepPermitDecision, "行政许可决定", "行政许可法 §37"))
		}
		if p.Service != nil {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the decision was served", MessageZh: "决定已送达"}
		}
		if _, err := service(f.By, "行政许可决定书", at, req, step); err != nil {
			return f, err
		}
		f.Due, _ = deadline.PermitServiceDue(cal, p.Decision.At)
		f.Late = !at.Before(f.Due)
		return f, nil
	}
	return f, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}
