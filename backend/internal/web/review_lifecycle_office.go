package web

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/shared/deadline"
	"lawtrace/shared/workday"
)

// The case's lifecycle page for coercion, permit and inspection cases
// (issue 10): the stages with their periods, the deadlines of the case,
// the form of every step the signed-in user may take now, and the office
// chain. The forms post to /review/cases/{id}/life/{step} like the
// penalty's; reviewsrv checks the role and the law and a refusal comes
// back on the page with its article.

// formField is one field of an office step's form.
type formField struct {
	Name, Label, Type string // Type: text, textarea, date, datetime, number, select, file
	Options           []option
}

// officeForm is one step's form.
type officeForm struct {
	Step, Title, Article, Button string
	Fields                       []formField
}

type officeData struct {
	Row       *BoardRow
	St        *reviewsrv.State
	Proc      string
	Stages    []stage
	Forms     []officeForm
	Deadlines []reviewsrv.Item
	Error     *reviewsrv.APIError
	In        map[string]string
}

// officeProcedures are the procedures the office page serves.
var officeProcedures = map[string]string{"coercion": "行政强制", "permit": "行政许可", "inspection": "行政检查"}

func (p *reviewPages) renderOffice(w http.ResponseWriter, r *http.Request, status int, row *BoardRow, st *reviewsrv.State, fail *reviewsrv.APIError, in map[string]string) error {
	ctx := r.Context()
	u := userOf(SessionOf(r))
	scene, err := p.svc.SceneFacts(ctx, row.ID)
	if err != nil {
		return err
	}
	cal, _, err := p.svc.Calendar(ctx)
	if err != nil {
		return err
	}
	now := p.s.cfg.Now()
	d := officeData{Row: row, St: st, Proc: officeProcedures[st.Case.Procedure], Error: fail, In: in}
	if d.In == nil {
		d.In = map[string]string{}
	}
	items, err := p.svc.Deadlines(ctx, reviewsrv.Filter{Case: row.ID})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind != deadline.Upload {
			d.Deadlines = append(d.Deadlines, it)
		}
	}
	d.Stages = officeStages(st, scene, cal)
	if st.Ended.IsZero() {
		d.Forms = officeForms(st, scene, now, u.Can(reviewsrv.Handlers), u.Can(reviewsrv.Heads))
	}
	return p.s.renderStatus(w, r, status, "lifecycle_office", "办案流程 "+row.ID, d)
}

// Field kinds, by the name LifeRequest reads.
func text(name, label string) formField   { return formField{Name: name, Label: label, Type: "text"} }
func area(name, label string) formField   { return formField{Name: name, Label: label, Type: "textarea"} }
func date(name, label string) formField   { return formField{Name: name, Label: label, Type: "date"} }
func when(name, label string) formField   { return formField{Name: name, Label: label, Type: "datetime"} }
func number(name, label string) formField { return formField{Name: name, Label: label, Type: "number"} }
func file(label string) formField         { return formField{Name: "file", Label: label, Type: "file"} }
func choose(name, label string, m map[string]string) formField {
	return formField{Name: name, Label: label, Type: "select", Options: sortedOptions(m)}
}

// method is the service (or notice) method of a form.
func method() formField {
	return formField{Name: "method", Label: "送达（告知）方式", Type: "select", Options: serviceOptions()}
}

// officeFormDefs are the forms of every office step.
var officeFormDefs = map[string]officeForm{
	reviewsrv.StepSeizureExtend: {Title: "延长查封扣押期限（负责人批准）", Article: "行政强制法 §25", Button: "批准延长并书面告知当事人",
		Fields: []formField{number("days", "延长天数（不超过 30 日）"), text("reasons", "延长理由（情况复杂）"), text("number", "延长通知书文号"), method(), text("recipient", "受送达人"), file("延长查封扣押期限通知书")}},
	reviewsrv.StepSeizureAppraisal: {Title: "检测、检验、检疫或技术鉴定", Article: "行政强制法 §25", Button: "记录期间并书面告知",
		Fields: []formField{text("content", "事项"), text("institution", "机构"), number("days", "期间（日，不计入查封扣押期限）"), file("书面告知书")}},
	reviewsrv.StepSeizureDisposal: {Title: "处理决定：没收或销毁（负责人）", Article: "行政强制法 §27", Button: "作出处理决定",
		Fields: []formField{choose("outcome", "处理决定", reviewsrv.DisposalOutcomes), text("number", "处理决定书文号"), text("basis", "法律依据"), file("处理决定书")}},
	reviewsrv.StepSeizureRelease: {Title: "解除查封扣押并退还财物（负责人）", Article: "行政强制法 §28", Button: "解除并记录退还",
		Fields: []formField{choose("outcome", "解除的情形", reviewsrv.ReleaseGrounds), text("number", "解除决定书文号"), area("objects", "退还财物清单（每行一项）"), text("recipient", "签收人"), file("解除决定书及签收的退还清单")}},
	reviewsrv.StepObligation: {Title: "需要执行的行政决定（负责人）", Article: "行政强制法 §34", Button: "记录行政决定",
		Fields: []formField{text("number", "决定书文号"), text("content", "当事人应履行的义务"), date("deadline", "履行期限"), text("basis", "法律依据"), method(), text("recipient", "受送达人"), file("行政决定书")}},
	reviewsrv.StepCoercionReminder: {Title: "催告书", Article: "行政强制法 §35", Button: "记录催告书送达",
		Fields: []formField{when("at", "送达时间"), text("number", "催告书文号"), date("deadline", "履行义务的期限"), text("content", "履行义务的方式"), number("amount", "涉及金钱给付的金额（元）"), method(), text("recipient", "受送达人"), file("书面催告书")}},
	reviewsrv.StepCoercionStatement: {Title: "当事人陈述申辩及复核", Article: "行政强制法 §36", Button: "记录陈述申辩及复核",
		Fields: []formField{area("content", "陈述申辩的事实、理由和证据"), choose("outcome", "复核结论", reviewsrv.ReviewOutcomes), text("reasons", "复核理由")}},
	reviewsrv.StepDemolitionNotice: {Title: "限期拆除公告", Article: "行政强制法 §44", Button: "记录公告",
		Fields: []formField{text("number", "公告文号"), date("deadline", "限期自行拆除至"), file("公告（文本或张贴照片）")}},
	reviewsrv.StepCoercionPerformed: {Title: "当事人已履行", Article: "003 §23", Button: "记录履行情况",
		Fields: []formField{text("content", "履行情况"), file("履行情况检查记录")}},
	reviewsrv.StepCoerciveExecution: {Title: "强制执行（负责人）", Article: "行政强制法 §37, §44, §50-54", Button: "记录强制执行",
		Fields: []formField{choose("kind", "方式", reviewsrv.ExecutionWays), when("at", "决定或申请时间"), text("number", "文书编号"), text("basis", "强制执行权的法律依据"),
			text("content", "强制执行的方式和时间"), text("reconsideration_organ", "行政复议机关"), text("court", "人民法院（诉讼或申请执行）"), text("institution", "代履行人"),
			number("amount", "代履行费用（元）"), date("deadline", "代履行时间"), file("强制执行决定书 / 代履行决定书 / 强制执行申请书")}},

	reviewsrv.StepPermitAcceptance: {Title: "受理、一次性告知补正或不予受理", Article: "行政许可法 §32; 003 §10", Button: "记录受理情况",
		Fields: []formField{choose("outcome", "处理", reviewsrv.AcceptanceOutcomes), when("at", "受理或告知时间"), when("received", "收到申请材料时间（补正的，5 个工作日内告知）"), text("number", "受理凭证文号"), area("content", "需要补正的全部内容"), text("reasons", "不予受理的理由"), file("受理通知书 / 补正告知书 / 不予受理决定书")}},
	reviewsrv.StepPermitInterested: {Title: "告知利害关系人、听证权利", Article: "行政许可法 §36, §47", Button: "记录告知",
		Fields: []formField{choose("outcome", "告知事项", reviewsrv.InterestedWays), area("objects", "被告知人（每行一人）"), method()}},
	reviewsrv.StepPermitHearingNotice: {Title: "听证通知", Article: "行政许可法 §46-48", Button: "记录听证通知",
		Fields: []formField{choose("outcome", "听证由来", reviewsrv.HearingKinds), when("notice_date", "听证申请提出时间（依申请的）"), when("hearing_at", "听证时间"), text("place", "听证地点"), text("officer", "听证主持人（审查人员以外）"), file("听证通知书")}},
	reviewsrv.StepPermitHearing: {Title: "听证笔录", Article: "行政许可法 §48", Button: "记录听证笔录",
		Fields: []formField{when("at", "举行时间"), choose("party_signed", "听证参加人签字", map[string]string{"signed": "已确认签字", "refused": "拒绝签字（注明）"}), text("note", "拒绝签字的注明"), area("content", "听证情况及主持人意见"), file("听证笔录")}},
	reviewsrv.StepPermitAppraisal: {Title: "检验、检测、鉴定或专家评审", Article: "行政许可法 §45", Button: "记录所需时间",
		Fields: []formField{text("content", "事项"), number("days", "所需时间（工作日，不计入审查期限）"), file("书面告知申请人的告知书")}},
	reviewsrv.StepPermitExtension: {Title: "延长审查期限 10 个工作日（负责人）", Article: "行政许可法 §42", Button: "批准延长并告知申请人",
		Fields: []formField{text("reasons", "延长理由"), method()}},
	reviewsrv.StepPermitDecision: {Title: "准予或不予行政许可（负责人）", Article: "行政许可法 §37-38", Button: "作出决定",
		Fields: []formField{choose("outcome", "决定", reviewsrv.PermitOutcomes), text("number", "决定书文号"), text("content", "准予许可的内容（许可证件）"), text("reasons", "不予许可的理由"),
			text("reconsideration_organ", "行政复议机关"), text("court", "人民法院"), file("书面决定书")}},
	reviewsrv.StepPermitService: {Title: "送达行政许可决定", Article: "行政许可法 §44", Button: "记录送达",
		Fields: []formField{when("at", "送达时间"), method(), text("recipient", "受送达人"), file("送达回证")}},

	reviewsrv.StepInspectionRectify: {Title: "责令改正通知书", Article: "003 §3; 000-record §24", Button: "记录责令改正",
		Fields: []formField{text("number", "通知书文号"), area("content", "存在的问题及改正要求"), text("basis", "依据"), date("deadline", "改正期限"), file("责令改正通知书")}},
	reviewsrv.StepInspectionRecheck: {Title: "复查", Article: "003 §3, §23", Button: "记录复查",
		Fields: []formField{when("at", "复查时间"), choose("outcome", "复查结论", reviewsrv.RecheckResults), text("content", "复查情况"), file("复查记录")}},
	reviewsrv.StepInspectionTransfer: {Title: "转立案（进入行政处罚立案审批）", Article: "003 §3; 行政处罚法 §54", Button: "转立案",
		Fields: []formField{text("reasons", "涉嫌违法的事实"), area("content", "检查及复查情况")}},
	reviewsrv.StepOfficeClosing: {Title: "结案（负责人审批）", Article: "000-record §28, §34", Button: "批准结案",
		Fields: []formField{text("opinion", "负责人意见")}},
}

func init() {
	suspensionForms(coercionHolds)
	suspensionForms(penaltyHolds)
}

// holds are the steps that hold or end one execution chain (the
// coercion's or the penalty's): 中止、恢复、终结执行 (行政强制法 §39-§40) and
// the 执行协议 with its breach (§42).
type holds struct{ suspend, resume, terminate, agree, breach string }

var (
	coercionHolds = holds{reviewsrv.StepCoercionSuspend, reviewsrv.StepCoercionResume, reviewsrv.StepCoercionTerminate, reviewsrv.StepCoercionAgreement, reviewsrv.StepCoercionBreach}
	penaltyHolds  = holds{reviewsrv.StepExecSuspend, reviewsrv.StepExecResume, reviewsrv.StepExecTerminate, reviewsrv.StepExecAgreement, reviewsrv.StepExecBreach}
)

// suspensionForms adds the forms of one chain's holds.
func suspensionForms(h holds) {
	officeFormDefs[h.agree] = officeForm{Title: "执行协议（负责人）", Article: "行政强制法 §42", Button: "记录执行协议",
		Fields: []formField{text("number", "协议编号"), area("content", "协议内容（履行方式、分阶段履行的期限和数额）"), text("reasons", "不损害公共利益和他人合法权益的说明"), file("当事人签字的执行协议")}}
	officeFormDefs[h.breach] = officeForm{Title: "当事人不履行执行协议（恢复强制执行）", Article: "行政强制法 §42", Button: "记录不履行并恢复强制执行",
		Fields: []formField{when("at", "时间"), area("reasons", "不履行执行协议的事实")}}
	officeFormDefs[h.suspend] = officeForm{Title: "中止执行（负责人批准）", Article: "行政强制法 §39", Button: "批准中止执行并书面通知当事人",
		Fields: []formField{choose("outcome", "中止执行的情形", reviewsrv.SuspendGrounds), when("at", "中止时间"), area("reasons", "事实和理由"), text("number", "中止执行通知书文号"), method(),
			text("recipient", "受送达人"), file("证明中止情形的证据材料")}}
	officeFormDefs[h.resume] = officeForm{Title: "恢复执行（负责人批准）", Article: "行政强制法 §39 ¶2", Button: "批准恢复执行并书面通知当事人",
		Fields: []formField{when("at", "恢复时间"), area("reasons", "中止情形消失的事实"), text("number", "恢复执行通知书文号"), method(), text("recipient", "受送达人"), file("中止情形消失的证明材料")}}
	officeFormDefs[h.terminate] = officeForm{Title: "终结执行（负责人批准）", Article: "行政强制法 §40", Button: "批准终结执行并书面通知当事人",
		Fields: []formField{choose("outcome", "终结执行的情形", reviewsrv.TerminateGrounds), when("at", "终结时间"), area("reasons", "事实和理由"), text("number", "终结执行通知书文号"), method(),
			text("recipient", "受送达人"), file("证明终结情形的证据材料")}}
}

// suspensionShown sets which of a chain's hold forms a head may take:
// executable says a decision is left to execute.
func suspensionShown(show map[string]bool, sp *reviewsrv.Suspension, head, executable bool, h holds) {
	free := sp.Suspended == nil && sp.Terminated == nil
	show[h.suspend] = head && executable && free
	show[h.resume] = head && sp.Suspended != nil
	show[h.terminate] = head && (executable || sp.Suspended != nil) && sp.Terminated == nil
	show[h.agree] = head && executable && free && sp.Agreement == nil
	show[h.breach] = head && sp.Agreement != nil
}

// officeForms are the forms the user may take now: the handler's and, for
// a head, the head's, as far as the case's state allows them.
func officeForms(st *reviewsrv.State, scene reviewsrv.SceneFacts, now time.Time, handler, head bool) []officeForm {
	c, p, in := &st.Office.Coercion, &st.Office.Permit, &st.Office.Inspection
	show := map[string]bool{}
	var seizures []option // the open seizure decisions, when the case has several
	switch st.Case.Procedure {
	case "coercion":
		var open, inTerm, extendable bool
		terms := c.SeizureTerms(scene)
		for _, t := range terms {
			if !t.Done.IsZero() {
				continue
			}
			open, inTerm = true, inTerm || now.Before(t.Due)
			extendable = extendable || now.Before(t.Due) && !t.Extended
			if len(terms) > 1 {
				seizures = append(seizures, option{Value: t.Entry, Label: orText(t.Number, "查封扣押 "+cstText(t.Start)) + "（期限至 " + dueText(t.Due) + "）"})
			}
		}
		idle := c.Performed == nil && c.Execution == nil
		running := c.Suspension.Suspended == nil && c.Suspension.Terminated == nil && c.Suspension.Agreement == nil // 行政强制法 §39-40, §42
		show[reviewsrv.StepSeizureExtend] = head && extendable
		show[reviewsrv.StepSeizureAppraisal] = handler && inTerm
		show[reviewsrv.StepSeizureDisposal] = head && inTerm
		show[reviewsrv.StepSeizureRelease] = head && open
		show[reviewsrv.StepObligation] = head && c.Obligation == nil
		show[reviewsrv.StepCoercionReminder] = handler && c.Obligation != nil && c.Reminder == nil && idle && running
		show[reviewsrv.StepCoercionStatement] = handler && c.Reminder != nil && idle
		show[reviewsrv.StepDemolitionNotice] = handler && c.Obligation != nil && c.Announcement == nil && idle && running
		show[reviewsrv.StepCoercionPerformed] = handler && c.Obligation != nil && idle
		show[reviewsrv.StepCoerciveExecution] = head && c.Reminder != nil && idle && running
		suspensionShown(show, &c.Suspension, head, c.Obligation != nil && c.Performed == nil, coercionHolds)
	case "permit":
		accepted := !p.AcceptedAt(scene).IsZero()
		deciding := accepted && p.Decision == nil && !p.NotAccepted
		show[reviewsrv.StepPermitAcceptance] = handler && !accepted && !p.NotAccepted
		show[reviewsrv.StepPermitInterested] = handler && deciding
		show[reviewsrv.StepPermitHearingNotice] = handler && deciding && p.HearingNotice == nil
		show[reviewsrv.StepPermitHearing] = handler && p.HearingNotice != nil && p.Hearing == nil
		show[reviewsrv.StepPermitAppraisal] = handler && deciding
		show[reviewsrv.StepPermitExtension] = head && deciding && p.Extension == nil
		show[reviewsrv.StepPermitDecision] = head && deciding
		show[reviewsrv.StepPermitService] = handler && p.Decision != nil && p.Service == nil
	case "inspection":
		show[reviewsrv.StepInspectionRectify] = handler && in.Rectify == nil
		show[reviewsrv.StepInspectionRecheck] = handler && in.Rectify != nil && in.Corrected.IsZero()
		show[reviewsrv.StepInspectionTransfer] = handler
	}
	show[reviewsrv.StepOfficeClosing] = head
	var out []officeForm
	for _, step := range reviewsrv.OfficeSteps {
		if show[step] {
			f := officeFormDefs[step]
			f.Step = step
			if len(seizures) > 0 && slices.Contains(seizureSteps, step) {
				f.Fields = append([]formField{{Name: "seizure", Label: "办理的查封扣押决定", Type: "select", Options: seizures}}, f.Fields...)
			}
			out = append(out, f)
		}
	}
	return out
}

// seizureSteps are the steps on one seizure decision (the form names which).
var seizureSteps = []string{reviewsrv.StepSeizureExtend, reviewsrv.StepSeizureAppraisal, reviewsrv.StepSeizureDisposal, reviewsrv.StepSeizureRelease}

// orText is s, or alt when s is empty.
func orText(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}

// officeStages is the case's progress through its procedure.
func officeStages(st *reviewsrv.State, scene reviewsrv.SceneFacts, cal *workday.Calendar) []stage {
	var s []stage
	add := func(id, name, article string, done bool, text string) {
		s = append(s, stage{ID: id, Name: name, Article: article, Done: done, Text: text})
	}
	c, p, in := &st.Office.Coercion, &st.Office.Permit, &st.Office.Inspection
	switch st.Case.Procedure {
	case "coercion":
		terms := c.SeizureTerms(scene)
		if len(terms) == 0 {
			add("seizure", "查封扣押", "行政强制法 §24-28", true, "本案现场未实施查封、扣押")
		}
		for i, t := range terms {
			id, name := "seizure", "查封扣押"
			if i > 0 {
				id = fmt.Sprintf("seizure-%d", i+1)
			}
			if len(terms) > 1 {
				name += " " + orText(t.Number, cstText(t.Start))
			}
			r := c.Record(t.Entry, i == 0)
			switch {
			case r.Disposal != nil:
				add(id, name, "行政强制法 §27", true, "已作出处理决定 "+r.Disposal.Number+"："+reviewsrv.DisposalOutcomes[r.Disposal.Outcome])
			case !t.Done.IsZero():
				add(id, name, "行政强制法 §28", true, "已于 "+cstText(t.Done)+" 解除")
			default:
				add(id, name, t.Article, false, t.Label+"：期限至 "+dueText(t.Due))
			}
		}
		switch {
		case c.Obligation == nil:
			add("obligation", "行政决定与催告", "行政强制法 §34-36", true, "无需要强制执行的行政决定")
		case c.Reminder != nil:
			add("obligation", "行政决定与催告", "行政强制法 §35", true, "已催告，履行期限至 "+c.Reminder.LastDay)
		default:
			add("obligation", "行政决定与催告", "行政强制法 §34-35", false, "决定 "+c.Obligation.Number+"，履行期限至 "+c.Obligation.LastDay)
		}
		if c.Obligation != nil {
			switch {
			case c.Performed != nil:
				add("execution", "强制执行", "行政强制法 §37", true, "当事人已履行")
			case c.Suspension.Terminated != nil:
				add("execution", "强制执行", "行政强制法 §40", true, "终结执行："+reviewsrv.TerminateGrounds[c.Suspension.Terminated.Outcome])
			case c.Suspension.Agreement != nil:
				add("execution", "强制执行", "行政强制法 §42", false, "执行协议 "+c.Suspension.Agreement.Number+" 履行中；当事人不履行的，恢复强制执行")
			case c.Suspension.Suspended != nil:
				add("execution", "强制执行", "行政强制法 §39", false, "中止执行（"+reviewsrv.SuspendGrounds[c.Suspension.Suspended.Outcome]+"），情形消失后恢复执行")
			case c.Execution != nil:
				add("execution", "强制执行", c.Execution.Article, true, reviewsrv.ExecutionWays[c.Execution.Outcome]+" "+c.Execution.Number)
			default:
				add("execution", "强制执行", "行政强制法 §37, §53", false, "逾期不履行的，催告后依法强制执行或申请人民法院强制执行")
			}
		}
	case "permit":
		acc := p.AcceptedAt(scene)
		switch {
		case p.NotAccepted:
			add("accept", "受理", "行政许可法 §32", true, "不予受理："+p.Acceptance.Reasons)
		case !acc.IsZero():
			add("accept", "受理", "行政许可法 §32", true, "于 "+cstText(acc)+" 受理")
		default:
			add("accept", "受理", "行政许可法 §32", false, "待受理或补正")
		}
		if !acc.IsZero() {
			if p.Decision != nil {
				add("decision", "审查与决定", "行政许可法 §37-38, §42", true, reviewsrv.PermitOutcomes[p.Decision.Outcome]+" "+p.Decision.Number)
			} else {
				add("decision", "审查与决定", "行政许可法 §42, §45", false, "决定期限至 "+dueText(p.Due(cal, scene)))
			}
			if p.Service != nil {
				add("service", "送达", "行政许可法 §44", true, "于 "+cstText(p.Service.At)+" 送达")
			} else {
				add("service", "送达", "行政许可法 §44", false, "决定之日起 10 个工作日内送达")
			}
		}
	case "inspection":
		add("scene", "现场检查", "003 §3, §15", !st.Case.SceneClosed.IsZero(), "现场核查、签署检查意见")
		switch {
		case in.Rectify == nil:
			add("rectify", "责令改正、复查", "003 §3", false, "未责令改正")
		case !in.Corrected.IsZero():
			add("rectify", "责令改正、复查", "003 §3", true, "复查确认已于 "+cstText(in.Corrected)+" 改正")
		default:
			add("rectify", "责令改正、复查", "003 §3", false, "责令改正期限至 "+in.Rectify.LastDay+"，届满后复查")
		}
		if in.Transfer != nil {
			add("transfer", "转立案", "行政处罚法 §54", true, "已转立案："+in.Transfer.Reasons)
		}
	}
	switch {
	case !st.Archived.IsZero():
		add("closing", "结案归档", "000-record §28", true, "已于 "+cstText(st.Archived)+" 立卷归档")
	case !st.Ended.IsZero():
		add("closing", "结案归档", "000-record §28", true, "已于 "+cstText(st.Ended)+" 结案，30 日内立卷归档")
	default:
		add("closing", "结案归档", "000-record §28, §34", false, "未结案")
	}
	return s
}
