package reviewsrv

import (
	"fmt"
	"strings"
	"time"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/workday"
)

// Coercion after the scene (行政强制法 §18-§28, §34-§38, §44, §50-§54;
// 003 §3 呈批、决定、催告、送达、实施、终结 and 延期): a 查封/扣押 begun on
// the scene (the terminal recorded it with its approval and term) is
// extended by the head once with written notice (§25), its 检测、检验、检疫
// or 技术鉴定 days are not counted (§25), and it ends in a 处理决定 within
// the term (§27) or a 解除 with the goods returned by list (§28). A
// 行政决定 the party does not perform is executed after a written 催告
// (§35), the party's statement (§36) and a decision (§37): by the agency's
// own power, by 代履行 (§50-§51), or on the people's court (§53-§54); a
// building is demolished only after an announcement and the remedy
// periods (§44).
const (
	StepSeizureExtend     = "seizure_extend"      // 延长查封扣押 (§25)
	StepSeizureAppraisal  = "seizure_appraisal"   // 检测、检验、检疫、技术鉴定期间 (§25)
	StepSeizureDisposal   = "seizure_disposal"    // 处理决定：没收、销毁 (§27)
	StepSeizureRelease    = "seizure_release"     // 解除查封扣押，退还财物 (§28)
	StepObligation        = "obligation_decision" // the 行政决定 to execute (§34)
	StepCoercionReminder  = "coercion_reminder"   // 催告书 (§35)
	StepCoercionStatement = "coercion_statement"  // 陈述申辩及复核 (§36)
	StepDemolitionNotice  = "demolition_notice"   // 限期拆除公告 (§44)
	StepCoercionPerformed = "coercion_performed"  // the party performed
	StepCoerciveExecution = "coercive_execution"  // 强制执行决定 / 代履行决定 / 申请法院强制执行 (§37, §50-§54)
)

// CoercionSteps are the coercion steps in the order a case takes them.
var CoercionSteps = []string{StepSeizureExtend, StepSeizureAppraisal, StepSeizureDisposal, StepSeizureRelease,
	StepObligation, StepCoercionReminder, StepCoercionStatement, StepDemolitionNotice, StepCoercionPerformed,
	StepCoercionSuspend, StepCoercionResume, StepCoercionTerminate, StepCoercionAgreement, StepCoercionBreach, StepCoerciveExecution}

// DisposalOutcomes are the 处理决定 of §27 other than 解除 (a step of its own).
var DisposalOutcomes = map[string]string{"confiscate": "依法没收", "destroy": "依法销毁"}

// ReleaseGrounds are the grounds of 解除 (行政强制法 §28).
var ReleaseGrounds = map[string]string{
	"no_violation": "当事人没有违法行为（第二十八条第（一）项）",
	"unrelated":    "查封、扣押的场所、设施或者财物与违法行为无关（第二十八条第（二）项）",
	"not_needed":   "已对违法行为作出处理决定，不再需要查封、扣押（第二十八条第（三）项）",
	"expired":      "查封、扣押期限已经届满（第二十八条第（四）项）",
	"other":        "其他不再需要采取查封、扣押措施的情形（第二十八条第（五）项）",
}

// ExecutionWays are the routes of coercive execution after a reminder.
var ExecutionWays = map[string]string{
	"coercive_decision": "行政强制执行决定（本机关依法具有强制执行权，第三十七条）",
	"substitute":        "代履行决定（第五十条、第五十一条）",
	"court_application": "申请人民法院强制执行（第五十三条、第五十四条）",
}

// Coercion is the back office of a coercion case.
type Coercion struct {
	Extension    *OfficeFields        `json:"extension,omitempty"`
	Appraisals   []Seqd[OfficeFields] `json:"appraisals"`
	Disposal     *OfficeFields        `json:"disposal,omitempty"`
	Release      *OfficeFields        `json:"release,omitempty"`
	Obligation   *OfficeFields        `json:"obligation,omitempty"`
	Reminder     *OfficeFields        `json:"reminder,omitempty"`
	Statements   []Seqd[OfficeFields] `json:"statements"`
	Announcement *OfficeFields        `json:"announcement,omitempty"`
	Performed    *OfficeFields        `json:"performed,omitempty"`
	Execution    *OfficeFields        `json:"execution,omitempty"`
	// Suspension is the 中止、恢复、终结 of the execution (§39-§40, suspension.go).
	Suspension Suspension `json:"suspension"`
	// Seizures are the office's records on each seizure decision, by its
	// on-scene entry ("" for entries from before a case could hold several:
	// the first seizure's); Extension, Appraisals, Disposal and Release
	// above are the latest of any.
	Seizures map[string]*SeizureRecord `json:"seizures,omitempty"`
}

// SeizureRecord is what the office recorded on one seizure decision.
type SeizureRecord struct {
	Extension  *OfficeFields        `json:"extension,omitempty"`
	Appraisals []Seqd[OfficeFields] `json:"appraisals"`
	Disposal   *OfficeFields        `json:"disposal,omitempty"`
	Release    *OfficeFields        `json:"release,omitempty"`
}

// office is what the record changes in the seizure's term.
func (r *SeizureRecord) office() deadline.SeizureOffice {
	var o deadline.SeizureOffice
	if r.Extension != nil {
		o.ExtraDays = r.Extension.Days
	}
	for _, a := range r.Appraisals {
		o.AppraisalDays += a.Fields.Days
	}
	switch {
	case r.Disposal != nil:
		o.Ended = r.Disposal.At
	case r.Release != nil:
		o.Ended = r.Release.At
	}
	return o
}

// Record is the office's record on the seizure of entry (first: the
// case's first seizure, which also owns entries that name none).
func (c *Coercion) Record(entry string, first bool) *SeizureRecord {
	if r := c.Seizures[entry]; r != nil {
		return r
	}
	if r := c.Seizures[""]; first && r != nil {
		return r
	}
	return &SeizureRecord{}
}

// recordFor is the record a seizure step folds into, made on first use.
func (c *Coercion) recordFor(entry string) *SeizureRecord {
	if c.Seizures == nil {
		c.Seizures = map[string]*SeizureRecord{}
	}
	r := c.Seizures[entry]
	if r == nil {
		r = &SeizureRecord{}
		c.Seizures[entry] = r
	}
	return r
}

func (c *Coercion) apply(step string, s Seqd[OfficeFields]) string {
	f := s.Fields
	f2 := &s.Fields
	of := ""
	if f.SeizureNumber != "" {
		of = "（查封扣押决定 " + f.SeizureNumber + "）"
	}
	switch step {
	case StepSeizureExtend:
		c.Extension, c.recordFor(f.Seizure).Extension = f2, f2
		return fmt.Sprintf("负责人批准延长查封扣押期限%s %d 日（%s），已书面告知当事人（%s）", of, f.Days, f.Reasons, f.Number)
	case StepSeizureAppraisal:
		r := c.recordFor(f.Seizure)
		c.Appraisals, r.Appraisals = append(c.Appraisals, s), append(r.Appraisals, s)
		return fmt.Sprintf("%s（%s）期间 %d 日，不计入查封扣押期限%s，已书面告知当事人", f.Content, f.Institution, f.Days, of)
	case StepSeizureDisposal:
		c.Disposal, c.recordFor(f.Seizure).Disposal = f2, f2
		return "查封扣押处理决定 " + f.Number + of + "：" + DisposalOutcomes[f.Outcome] + "（" + f.Basis + "）"
	case StepSeizureRelease:
		c.Release, c.recordFor(f.Seizure).Release = f2, f2
		return "解除查封扣押 " + f.Number + of + "：" + ReleaseGrounds[f.Outcome] + "；退还 " + strings.Join(f.Objects, "、") + "，由 " + f.Recipient + " 签收"
	case StepObligation:
		c.Obligation = f2
		return "行政决定 " + f.Number + "：" + f.Content + "，履行期限至 " + f.LastDay
	case StepCoercionReminder:
		c.Reminder = f2
		return "催告书 " + f.Number + " 已送达（" + ServiceMethods[f.Method] + "）：于 " + f.LastDay + " 前" + f.Content
	case StepCoercionStatement:
		c.Statements = append(c.Statements, s)
		return "当事人陈述申辩：" + f.Content + "；复核：" + ReviewOutcomes[f.Outcome] + reasonsSuffix(f.Reasons)
	case StepDemolitionNotice:
		c.Announcement = f2
		return "限期拆除公告 " + f.Number + "：限当事人于 " + f.LastDay + " 前自行拆除"
	case StepCoercionPerformed:
		c.Performed = f2
		return "当事人已履行：" + f.Content
	case StepCoerciveExecution:
		c.Execution = f2
		return ExecutionWays[f.Outcome] + " " + f.Number
	}
	return c.Suspension.apply(step, s)
}

// SeizureTerms are the terms of each seizure decision recorded on the
// scene, in recorded order, as the terminal and the office recorded them.
func (c *Coercion) SeizureTerms(scene SceneFacts) []deadline.Seizure {
	var out []deadline.Seizure
	for _, st := range scene {
		if st.Kind == "seizure" {
			out = append(out, deadline.SeizureOf(scene, st.Entry, c.Record(st.Entry, len(out) == 0).office()))
		}
	}
	return out
}

// Seizure is the term of the case's first seizure (Found false: none).
func (c *Coercion) Seizure(scene SceneFacts) deadline.Seizure {
	if ts := c.SeizureTerms(scene); len(ts) > 0 {
		return ts[0]
	}
	return deadline.Seizure{}
}

// open names what keeps a coercion case from closing.
func (c *Coercion) open(scene SceneFacts) []enforce.Item {
	var out []enforce.Item
	for _, t := range c.SeizureTerms(scene) {
		if t.Done.IsZero() {
			out = append(out, item(StepSeizureRelease, "查封扣押"+seizureName(t)+"尚未作出处理决定或解除", "行政强制法 §27-28"))
		}
	}
	if c.Obligation != nil && c.Performed == nil && c.Execution == nil && c.Suspension.Terminated == nil {
		out = append(out, item(StepCoerciveExecution, "行政决定尚未履行或执行", "行政强制法 §34, §37"))
	}
	return append(out, c.Suspension.open(StepCoercionResume)...)
}

// coercionBuild checks one coercion step against the law.
func coercionBuild(st *State, f OfficeFields, step string, req LifeRequest, now time.Time, cal *workday.Calendar, scene SceneFacts) (OfficeFields, error) {
	c := &st.Office.Coercion
	t := strings.TrimSpace
	f.Number, f.Content, f.Reasons, f.Basis, f.File = t(req.Number), t(req.Content), t(req.Reasons), t(req.Basis), req.File
	f.Method, f.Recipient, f.Outcome = req.Method, t(req.Recipient), req.Outcome
	at, err := parseAt(req.At, now, "时间")
	if err != nil {
		return f, err
	}
	f.At = at
	switch step {
	case StepSeizureExtend, StepSeizureAppraisal, StepSeizureDisposal, StepSeizureRelease:
		return seizureBuild(c, f, step, req, now, scene)
	case StepCoercionSuspend, StepCoercionResume, StepCoercionTerminate, StepCoercionAgreement, StepCoercionBreach:
		var open []enforce.Item
		if c.Obligation != nil && c.Performed == nil {
			open = append(open, item(StepObligation, "行政决定尚未履行", "行政强制法 §34"))
		}
		return suspensionBuild(&c.Suspension, f, step, req, now, open)
	case StepCoercionReminder, StepDemolitionNotice, StepCoerciveExecution:
		if err := c.Suspension.gate(step); err != nil {
			return f, err
		}
	}
	switch step {
	case StepObligation:
		f.Article = "行政强制法 §34"
		if c.Obligation != nil {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the decision to execute is recorded", MessageZh: "行政决定已记录"}
		}
		var miss required
		miss.need(f.Number != "", "number", "行政决定书文号", "行政强制法 §34")
		miss.need(f.Content != "", "content", "决定当事人履行的义务", "行政强制法 §34")
		last, ok := dayOf(req.Deadline)
		miss.need(ok, "deadline", "履行期限（YYYY-MM-DD）", "行政强制法 §34")
		miss.need(f.Basis != "", "basis", "作出决定的法律依据", "行政强制法 §34")
		if _, ok := ServiceMethods[f.Method]; !ok {
			miss = append(miss, item("method", "决定书送达方式", "行政强制法 §38"))
		}
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §34, §38", "the decision to execute states the obligation, its deadline and basis and how it was served", "行政决定须载明义务、履行期限、依据及送达情况", miss...)
		}
		f.LastDay = last.Format(time.DateOnly)
		return f, nil

	case StepCoercionReminder:
		f.Article = "行政强制法 §35"
		if c.Obligation == nil {
			return f, lifeRefused(step, "行政强制法 §34", "there is no decision to execute", "尚未记录需要执行的行政决定", item(StepObligation, "行政决定", "行政强制法 §34"))
		}
		if c.Reminder != nil {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the reminder was served", MessageZh: "催告书已送达"}
		}
		if c.Performed != nil {
			return f, lifeRefused(step, "行政强制法 §35", "the party performed", "当事人已履行，无需催告")
		}
		obLast, _ := dayOf(c.Obligation.LastDay)
		if at.Before(obLast.AddDate(0, 0, 1)) {
			return f, lifeRefused(step, "行政强制法 §34-35",
				"the party has until the end of "+c.Obligation.LastDay+" to perform; the reminder follows non-performance",
				"当事人在行政决定的期限（至 "+c.Obligation.LastDay+"）内不履行的，方可催告", item("at", "履行期限届满后的催告", "行政强制法 §34"))
		}
		last, ok := dayOf(req.Deadline)
		var miss required
		miss.need(f.Number != "", "number", "催告书文号", "行政强制法 §35")
		miss.need(ok && !last.Before(startOfDay(at)), "deadline", "履行义务的期限（不早于催告之日）", "行政强制法 §35(1)")
		miss.need(f.Content != "", "content", "履行义务的方式", "行政强制法 §35(2)")
		miss.need(f.File != "", "file", "书面催告书", "行政强制法 §35")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §35", "the reminder is in writing with the period, the way, the amount and the party's rights", "催告应当以书面形式作出，载明履行期限、方式、金额和当事人的陈述申辩权", miss...)
		}
		if _, err := service(f.By, "催告书 "+f.Number, at, req, step); err != nil {
			return f, err
		}
		amount, ok := cents(req.Amount)
		if !ok {
			return f, enforce.Errorf(enforce.EInvalid, "amount %v is not an amount of yuan", req.Amount)
		}
		f.AmountCents, f.LastDay, f.Due = amount, last.Format(time.DateOnly), last.AddDate(0, 0, 1)
		f.Reasons = "当事人有权进行陈述和申辩（《中华人民共和国行政强制法》第三十五条第（四）项、第三十六条）。"
		return f, nil

	case StepCoercionStatement:
		f.Article = "行政强制法 §36"
		if c.Reminder == nil {
			return f, lifeRefused(step, "行政强制法 §36", "no reminder was served", "尚未催告", item(StepCoercionReminder, "催告书", "行政强制法 §35"))
		}
		var miss required
		miss.need(f.Content != "", "content", "当事人陈述申辩的事实、理由和证据", "行政强制法 §36")
		_, ok := ReviewOutcomes[f.Outcome]
		miss.need(ok, "outcome", "复核结论（采纳、部分采纳、不予采纳）", "行政强制法 §36")
		miss.need(f.Reasons != "", "reasons", "复核理由", "行政强制法 §36")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §36", "the statement is recorded and reviewed with reasons", "应当充分听取当事人意见，记录、复核陈述申辩并写明理由", miss...)
		}
		return f, nil

	case StepDemolitionNotice:
		f.Article = "行政强制法 §44"
		if c.Obligation == nil {
			return f, lifeRefused(step, "行政强制法 §44", "no decision orders the demolition", "尚未记录限期拆除的行政决定", item(StepObligation, "限期拆除决定", "行政强制法 §44"))
		}
		last, ok := dayOf(req.Deadline)
		var miss required
		miss.need(f.Number != "", "number", "公告文号", "行政强制法 §44")
		miss.need(ok && last.After(startOfDay(at)), "deadline", "限期自行拆除的期限", "行政强制法 §44")
		miss.need(f.File != "", "file", "公告（张贴照片或公告文本）", "行政强制法 §44")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §44", "the announcement gives the party a period to demolish", "应当由行政机关予以公告，限期当事人自行拆除", miss...)
		}
		f.LastDay, f.Due = last.Format(time.DateOnly), last.AddDate(0, 0, 1)
		return f, nil

	case StepCoercionPerformed:
		f.Article = "003 §23"
		if c.Obligation == nil {
			return f, lifeRefused(step, "行政强制法 §34", "there is no decision to perform", "尚未记录需要履行的行政决定", item(StepObligation, "行政决定", "行政强制法 §34"))
		}
		var miss required
		miss.need(f.Content != "", "content", "履行情况", "003 §23")
		miss.need(f.File != "", "file", "履行情况检查记录", "003 §23")
		if len(miss) > 0 {
			return f, lifeRefused(step, "003 §23", "the performance is checked and recorded", "应当对当事人履行情况进行检查并制作检查记录", miss...)
		}
		return f, nil

	case StepCoerciveExecution:
		return executionBuild(c, f, req, cal)
	}
	return f, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}

// seizureName names a seizure decision in the texts ("" when it has no number).
func seizureName(t deadline.Seizure) string {
	if t.Number == "" {
		return ""
	}
	return "（" + t.Number + "）"
}

// pickSeizure is the seizure decision a step names (its entry or number),
// or the only one when it names none.
func pickSeizure(terms []deadline.Seizure, want string) (deadline.Seizure, bool) {
	if want == "" && len(terms) == 1 {
		return terms[0], true
	}
	for _, t := range terms {
		if want != "" && (t.Entry == want || t.Number == want) {
			return t, true
		}
	}
	return deadline.Seizure{}, false
}

// seizureBuild checks the steps on a seizure begun on the scene; a case
// with several seizure decisions deals with each on its own (its term,
// extension, 处理决定 or 解除).
func seizureBuild(c *Coercion, f OfficeFields, step string, req LifeRequest, now time.Time, scene SceneFacts) (OfficeFields, error) {
	terms := c.SeizureTerms(scene)
	if len(terms) == 0 {
		return f, lifeRefused(step, "行政强制法 §24-25", "no seizure was recorded on the scene", "本案现场未实施查封、扣押",
			item("seizure", "现场查封扣押记录", "行政强制法 §24"))
	}
	term, ok := pickSeizure(terms, strings.TrimSpace(req.Seizure))
	if !ok {
		return f, lifeRefused(step, "行政强制法 §24-25", fmt.Sprintf("the case holds %d seizure decisions: the step names the one it acts on", len(terms)),
			fmt.Sprintf("本案有 %d 份查封扣押决定，应当写明本环节办理的是哪一份", len(terms)), item("seizure", "查封扣押决定书文号", "行政强制法 §24"))
	}
	f.Seizure, f.SeizureNumber = term.Entry, term.Number
	rec := c.Record(term.Entry, term.Entry == terms[0].Entry)
	if !term.Done.IsZero() {
		return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the seizure was released or decided", MessageZh: "查封扣押" + seizureName(term) + "已解除或已作出处理决定"}
	}
	lastDay := term.Due.Add(-time.Nanosecond).Format(time.DateOnly)
	expired := !now.Before(term.Due)
	switch step {
	case StepSeizureExtend:
		f.Article = "行政强制法 §25"
		if term.Extended {
			return f, lifeRefused(step, "行政强制法 §25", "the seizure was extended once; the law allows one extension of at most 30 days",
				"查封、扣押期限已经延长，延长期限不得超过三十日")
		}
		if expired {
			return f, lifeRefused(step, "行政强制法 §25, §28(4)", "the term ran out at the end of "+lastDay+"; it is released",
				"查封、扣押期限已于 "+lastDay+" 届满，不得延长，应当解除")
		}
		var miss required
		miss.need(req.Days >= 1 && req.Days <= deadline.SeizureMaxDays, "days", "延长天数（1–30 日）", "行政强制法 §25")
		miss.need(f.Reasons != "", "reasons", "延长理由（情况复杂）", "行政强制法 §25")
		miss.need(f.Number != "", "number", "延长查封扣押期限通知书文号", "行政强制法 §25")
		_, ok := ServiceMethods[f.Method]
		miss.need(ok, "method", "书面告知当事人的送达方式", "行政强制法 §25")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §25", "an extension is approved by the head with reasons and told to the party in writing",
				"延长查封、扣押须经行政机关负责人批准，并及时书面告知当事人、说明理由", miss...)
		}
		f.Days = req.Days
		f.Due = deadline.SeizureOf(scene, term.Entry, deadline.SeizureOffice{ExtraDays: req.Days, AppraisalDays: rec.office().AppraisalDays}).Due
		return f, nil

	case StepSeizureAppraisal:
		f.Article = "行政强制法 §25"
		if expired {
			return f, lifeRefused(step, "行政强制法 §25, §28(4)", "the term ran out at the end of "+lastDay, "查封、扣押期限已于 "+lastDay+" 届满，应当解除")
		}
		f.Institution, f.Days = strings.TrimSpace(req.Institution), req.Days
		var miss required
		miss.need(f.Content != "", "content", "检测、检验、检疫或者技术鉴定的事项", "行政强制法 §25")
		miss.need(f.Institution != "", "institution", "检测、检验、检疫或者鉴定机构", "行政强制法 §25")
		miss.need(f.Days >= 1, "days", "期间（日），应当明确", "行政强制法 §25")
		miss.need(f.File != "", "file", "书面告知当事人的告知书", "行政强制法 §25")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §25", "the appraisal's period is stated and told to the party in writing",
				"检测、检验、检疫或者技术鉴定的期间应当明确，并书面告知当事人", miss...)
		}
		o := rec.office()
		o.AppraisalDays += f.Days
		f.Due = deadline.SeizureOf(scene, term.Entry, o).Due
		return f, nil

	case StepSeizureDisposal:
		f.Article = "行政强制法 §27"
		if expired {
			return f, lifeRefused(step, "行政强制法 §27, §28(4)",
				"the 处理决定 is made within the term, which ran out at the end of "+lastDay+"; the seizure is released",
				"应当在查封、扣押期限内作出处理决定；期限已于 "+lastDay+" 届满，应当解除查封、扣押", item(StepSeizureRelease, "解除查封扣押", "行政强制法 §28"))
		}
		var miss required
		_, ok := DisposalOutcomes[f.Outcome]
		miss.need(ok, "outcome", "处理决定（没收或销毁；不予没收、销毁的应当解除）", "行政强制法 §27")
		miss.need(f.Number != "", "number", "处理决定书文号", "行政强制法 §27")
		miss.need(f.Basis != "", "basis", "没收、销毁的法律依据", "行政强制法 §27")
		miss.need(f.File != "", "file", "处理决定书", "行政强制法 §27")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §27", "the 处理决定 states the outcome and its legal basis", "处理决定须写明没收或销毁及其法律依据", miss...)
		}
		return f, nil

	case StepSeizureRelease:
		f.Article = "行政强制法 §28"
		f.Objects = lines(req.Objects)
		var miss required
		_, ok := ReleaseGrounds[f.Outcome]
		miss.need(ok, "outcome", "解除的情形", "行政强制法 §28")
		miss.need(f.Number != "", "number", "解除查封扣押决定书文号", "行政强制法 §28")
		miss.need(len(f.Objects) > 0, "objects", "退还财物清单（逐项）", "行政强制法 §28")
		miss.need(f.Recipient != "", "recipient", "签收退还财物的当事人或代理人", "行政强制法 §28")
		miss.need(f.File != "", "file", "解除决定书及退还清单（当事人签收）", "行政强制法 §28")
		if len(miss) > 0 {
			return f, lifeRefused(step, "行政强制法 §28", "the release is decided and the goods returned at once, by list", "解除查封、扣押应当作出解除决定并立即退还财物（逐项列明）", miss...)
		}
		if expired && f.Outcome != "expired" {
			f.Reasons = strings.TrimSpace(f.Reasons + " 期限已届满")
		}
		return f, nil
	}
	return f, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}

// executionBuild checks the coercive execution after the reminder (行政强制法
// §37, §44, §50-§54).
func executionBuild(c *Coercion, f OfficeFields, req LifeRequest, cal *workday.Calendar) (OfficeFields, error) {
	step := StepCoerciveExecution
	f.Article = "行政强制法 §37"
	if c.Execution != nil {
		return f, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the execution was decided or applied for", MessageZh: "已作出强制执行决定或已申请人民法院强制执行"}
	}
	if c.Performed != nil {
		return f, lifeRefused(step, "行政强制法 §37", "the party performed", "当事人已履行，不得强制执行")
	}
	if c.Reminder == nil {
		return f, lifeRefused(step, "行政强制法 §35, §37, §54", "coercive execution comes after a written reminder",
			"作出强制执行决定前，应当事先催告当事人履行义务", item(StepCoercionReminder, "催告书", "行政强制法 §35"))
	}
	if f.At.Before(c.Reminder.Due) {
		return f, lifeRefused(step, "行政强制法 §37",
			"the reminder's period runs until the end of "+c.Reminder.LastDay,
			"经催告，当事人逾期仍不履行的，方可作出强制执行决定；催告期限至 "+c.Reminder.LastDay+" 届满", item("at", "催告期限届满后", "行政强制法 §37"))
	}
	f.ReconOrgan, f.Court, f.Institution = strings.TrimSpace(req.ReconOrgan), strings.TrimSpace(req.Court), strings.TrimSpace(req.Institution)
	f.Outcome = req.Kind
	var miss required
	miss.need(f.Number != "", "number", "文书编号", "行政强制法 §37, §55")
	miss.need(f.File != "", "file", "强制执行决定书 / 代履行决定书 / 强制执行申请书", "行政强制法 §37, §51, §55")
	served := c.Obligation.At
	switch req.Kind {
	case "coercive_decision":
		miss.need(f.Basis != "", "basis", "本机关强制执行权的法律依据", "行政强制法 §13, §37(2)")
		miss.need(f.Content != "", "content", "强制执行的方式和时间", "行政强制法 §37(2)")
		miss.need(f.ReconOrgan != "" && f.Court != "", "remedy", "申请行政复议或者提起行政诉讼的途径和期限", "行政强制法 §37(2)(4)")
		if c.Announcement != nil || strings.Contains(c.Obligation.Content, "拆除") {
			if err := demolitionGate(c, f.At, served); err != nil {
				return f, err
			}
		}
	case "substitute":
		f.Article = "行政强制法 §50-51"
		miss.need(f.Institution != "", "institution", "代履行人", "行政强制法 §51(1)")
		amount, ok := cents(req.Amount)
		miss.need(ok && amount > 0, "amount", "代履行标准（费用）", "行政强制法 §51(1)")
		f.AmountCents = amount
		day, ok := dayOf(req.Deadline)
		miss.need(ok, "deadline", "代履行时间", "行政强制法 §51(1)")
		if ok {
			earliest, _ := cal.Deadline(c.Reminder.At, deadline.SubstituteReminderWorkdays)
			if day.Before(earliest) {
				return f, lifeRefused(step, "行政强制法 §51(2), §69",
					"代履行 is carried out at least 3 days after the reminder",
					"代履行三日前，应当催告当事人履行：催告于 "+c.Reminder.At.Format(time.DateOnly)+" 送达，代履行最早于 "+earliest.Format(time.DateOnly)+" 实施",
					item("deadline", "催告送达三个工作日后的代履行时间", "行政强制法 §51(2)"))
			}
			f.LastDay = day.Format(time.DateOnly)
		}
	case "court_application":
		f.Article = "行政强制法 §53-54"
		miss.need(f.Court != "", "court", "申请的人民法院", "行政强制法 §54")
		ends, _ := deadline.ReminderEnds(cal, c.Reminder.At)
		if f.At.Before(ends) {
			return f, lifeRefused(step, "行政强制法 §54, §69",
				"the court is applied to 10 working days after the reminder was served",
				"催告书送达十日后（工作日，至 "+dayText(ends)+"）当事人仍未履行的，方可申请人民法院强制执行", item("at", "催告送达十个工作日后", "行政强制法 §54"))
		}
		remedy := deadline.RemedyEnds(served)
		if f.At.Before(remedy) {
			return f, lifeRefused(step, "行政强制法 §53; 行政复议法 §20; 行政诉讼法 §46",
				"the court is applied to after the remedy periods end on "+remedy.Format(time.DateOnly),
				"当事人在法定期限内不申请行政复议或者提起行政诉讼的，自期限届满之日（"+remedy.Format(time.DateOnly)+"）起方可申请人民法院强制执行",
				item("at", "复议、诉讼期限届满后", "行政强制法 §53"))
		}
		if due := deadline.CourtApplicationDue(served); !f.At.Before(due) {
			return f, lifeRefused(step, "行政强制法 §53", "the 3 months to apply ran out at "+dayText(due),
				"申请人民法院强制执行的期限（复议、诉讼期限届满之日起三个月）已于 "+dayText(due)+" 届满")
		}
	default:
		miss = append(miss, item("kind", "强制执行方式（强制执行决定、代履行、申请人民法院强制执行）", "行政强制法 §37, §50, §53"))
	}
	if len(miss) > 0 {
		return f, lifeRefused(step, f.Article, "the execution record is incomplete", "强制执行记录不完整", miss...)
	}
	return f, nil
}

// demolitionGate refuses the demolition of a building before its
// announcement's period and the remedy periods ran out (行政强制法 §44).
func demolitionGate(c *Coercion, at, served time.Time) error {
	step := StepCoerciveExecution
	if c.Announcement == nil {
		return lifeRefused(step, "行政强制法 §44", "a building is demolished after an announcement with a period to demolish it oneself",
			"对违法的建筑物、构筑物、设施等需要强制拆除的，应当由行政机关予以公告，限期当事人自行拆除", item(StepDemolitionNotice, "限期拆除公告", "行政强制法 §44"))
	}
	if at.Before(c.Announcement.Due) {
		return lifeRefused(step, "行政强制法 §44", "the announced period runs until the end of "+c.Announcement.LastDay,
			"公告限期自行拆除的期限至 "+c.Announcement.LastDay+" 届满，期限届满前不得强制拆除")
	}
	if remedy := deadline.RemedyEnds(served); at.Before(remedy) {
		return lifeRefused(step, "行政强制法 §44; 行政复议法 §20; 行政诉讼法 §46",
			"the party may still apply for reconsideration or sue until "+remedy.Format(time.DateOnly),
			"当事人在法定期限内不申请行政复议或者提起行政诉讼，又不拆除的，方可依法强制拆除；期限至 "+remedy.Format(time.DateOnly)+" 届满",
			item("at", "复议、诉讼期限届满后", "行政强制法 §44"))
	}
	return nil
}
