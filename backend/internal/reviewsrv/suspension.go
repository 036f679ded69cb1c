package reviewsrv

import (
	"strings"
	"time"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
)

// 中止执行 and 终结执行 (行政强制法 §39-§40), for the execution of a
// coercion case's 行政决定 and of a penalty decision alike: the head
// suspends the execution on a ground of §39 with its evidence and a
// written notice; while it is suspended, coercive execution, 代履行 and the
// application to the court are refused; the head resumes it when the
// grounds end (§39 ¶2) — not after three years when the party truly could
// not perform (not executed again) — or terminates it on a ground of §40,
// which ends the execution and lets the case close. The agency may also
// agree with the party on how to perform (执行协议, §42: by stages); while
// the agreement runs coercive execution waits, and when the party breaks it
// the execution resumes.
const (
	StepCoercionSuspend   = "coercion_suspend"    // 中止执行 of the 行政决定 (§39)
	StepCoercionResume    = "coercion_resume"     // 恢复执行 (§39 ¶2)
	StepCoercionTerminate = "coercion_terminate"  // 终结执行 (§40)
	StepExecSuspend       = "execution_suspend"   // 中止执行 of the penalty decision (§39)
	StepExecResume        = "execution_resume"    // 恢复执行 (§39 ¶2)
	StepExecTerminate     = "execution_terminate" // 终结执行 (§40)
	StepCoercionAgreement = "coercion_agreement"  // 执行协议 (§42)
	StepCoercionBreach    = "coercion_breach"     // the party broke the agreement: execution resumes (§42)
	StepExecAgreement     = "execution_agreement" // 执行协议 of the penalty decision (§42)
	StepExecBreach        = "execution_breach"    // the party broke it (§42)
)

// SuspendGrounds are the grounds of 中止执行 (行政强制法 §39 ¶1).
var SuspendGrounds = map[string]string{
	"unable":      "当事人履行行政决定确有困难或者暂无履行能力（第三十九条第一款第（一）项）",
	"third_party": "第三人对执行标的主张权利，确有理由（第三十九条第一款第（二）项）",
	"irreparable": "执行可能造成难以弥补的损失，且中止执行不损害公共利益（第三十九条第一款第（三）项）",
	"other":       "行政机关认为需要中止执行的其他情形（第三十九条第一款第（四）项）",
}

// TerminateGrounds are the grounds of 终结执行 (行政强制法 §40), and the
// suspension of §39 ¶2 that lapsed after three years.
var TerminateGrounds = map[string]string{
	"died":      "公民死亡，无遗产可供执行，又无义务承受人（第四十条第（一）项）",
	"dissolved": "法人或者其他组织终止，无财产可供执行，又无义务承受人（第四十条第（二）项）",
	"destroyed": "执行标的灭失（第四十条第（三）项）",
	"revoked":   "据以执行的行政决定被撤销（第四十条第（四）项）",
	"other":     "行政机关认为需要终结执行的其他情形（第四十条第（五）项）",
	"lapsed":    "没有明显社会危害，当事人确无能力履行，中止执行满三年未恢复执行，不再执行（第三十九条第二款）",
}

// Suspension is the 中止、恢复、终结 of an execution replayed from the chain.
type Suspension struct {
	Suspended  *OfficeFields        `json:"suspended,omitempty"` // the open suspension
	Resumed    []Seqd[OfficeFields] `json:"resumed"`
	Terminated *OfficeFields        `json:"terminated,omitempty"`
	// Last is the latest suspension, kept after it ended at LastEnded
	// (for the deadline monitor).
	Last      *OfficeFields `json:"last,omitempty"`
	LastEnded time.Time     `json:"last_ended,omitzero"`
	// Agreement is the 执行协议 in force (§42): nil once the party broke it.
	Agreement *OfficeFields `json:"agreement,omitempty"`
}

// suspensionKind is what a suspension step does ("" for other steps).
func suspensionKind(step string) string {
	switch step {
	case StepCoercionSuspend, StepExecSuspend:
		return "suspend"
	case StepCoercionResume, StepExecResume:
		return "resume"
	case StepCoercionTerminate, StepExecTerminate:
		return "terminate"
	case StepCoercionAgreement, StepExecAgreement:
		return "agree"
	case StepCoercionBreach, StepExecBreach:
		return "breach"
	}
	return ""
}

func (sp *Suspension) apply(step string, s Seqd[OfficeFields]) string {
	f := s.Fields
	switch suspensionKind(step) {
	case "suspend":
		sp.Suspended, sp.Last, sp.LastEnded = &s.Fields, &s.Fields, time.Time{}
		return "负责人批准中止执行 " + f.Number + "：" + SuspendGrounds[f.Outcome] + reasonsSuffix(f.Reasons) + "；中止执行通知书已送达（" + ServiceMethods[f.Method] + "）"
	case "resume":
		sp.Suspended, sp.LastEnded = nil, f.At
		sp.Resumed = append(sp.Resumed, s)
		return "中止执行的情形消失，负责人批准恢复执行 " + f.Number + "：" + f.Reasons
	case "terminate":
		if sp.Suspended != nil {
			sp.LastEnded = f.At
		}
		sp.Terminated, sp.Suspended, sp.Agreement = &s.Fields, nil, nil
		return "负责人批准终结执行 " + f.Number + "：" + TerminateGrounds[f.Outcome] + reasonsSuffix(f.Reasons)
	case "agree":
		sp.Agreement = &s.Fields
		return "与当事人达成执行协议 " + f.Number + "：" + f.Content
	case "breach":
		sp.Agreement = nil
		return "当事人不履行执行协议，恢复强制执行：" + f.Reasons
	}
	return step
}

// gate refuses a step of the execution while it is suspended (§39) or
// after it was terminated (§40).
func (sp *Suspension) gate(step string) error {
	if t := sp.Terminated; t != nil {
		return lifeRefused(step, "行政强制法 §40", "the execution was terminated", "执行已于 "+t.At.In(cst).Format(time.DateOnly)+" 终结（"+TerminateGrounds[t.Outcome]+"），不得再执行")
	}
	if a := sp.Agreement; a != nil {
		return lifeRefused(step, "行政强制法 §42", "an execution agreement is in force: coercive execution resumes when the party breaks it",
			"已与当事人达成执行协议（"+a.Number+"），执行协议应当履行；当事人不履行执行协议的，方可恢复强制执行",
			item(sibling(step, "breach"), "当事人不履行执行协议", "行政强制法 §42"))
	}
	if s := sp.Suspended; s != nil {
		return lifeRefused(step, "行政强制法 §39", "the execution is suspended",
			"执行已于 "+s.At.In(cst).Format(time.DateOnly)+" 中止（"+SuspendGrounds[s.Outcome]+"）；中止执行期间不得强制执行、代履行或申请人民法院强制执行，情形消失后应当恢复执行",
			item(sibling(step, "resume"), "恢复执行", "行政强制法 §39"))
	}
	return nil
}

// sibling is the step of kind (resume, terminate, breach) in step's chain
// (the coercion's or the penalty's execution).
func sibling(step, kind string) string {
	coercion := stepProcedure(step) == "coercion"
	switch {
	case kind == "resume" && coercion:
		return StepCoercionResume
	case kind == "resume":
		return StepExecResume
	case kind == "terminate" && coercion:
		return StepCoercionTerminate
	case kind == "terminate":
		return StepExecTerminate
	case coercion:
		return StepCoercionBreach
	}
	return StepExecBreach
}

// facts is the suspension on the party's inability the deadline monitor
// counts three years for.
func (sp *Suspension) facts() deadline.Suspended {
	if l := sp.Last; l != nil && l.Outcome == "unable" {
		return deadline.Suspended{At: l.At, Ended: sp.LastEnded}
	}
	return deadline.Suspended{}
}

// open names what keeps the case from closing while the execution is
// suspended.
func (sp *Suspension) open(step string) []enforce.Item {
	if sp.Suspended == nil {
		return nil
	}
	return []enforce.Item{item(step, "执行已中止，恢复执行并执行完毕或者终结执行后方可结案", "行政强制法 §39-40")}
}

// lapsed reports whether a suspension on the party's inability lapsed at
// now: not resumed, not executed again (§39 ¶2).
func (s *OfficeFields) lapsed(now time.Time) bool {
	return s.Outcome == "unable" && !now.Before(deadline.SuspensionLapses(s.At))
}

// suspensionBuild checks a 中止、恢复 or 终结 of an execution: open says
// what is left to execute (empty: nothing — performed, or no decision).
func suspensionBuild(sp *Suspension, f OfficeFields, step string, req LifeRequest, now time.Time, open []enforce.Item) (OfficeFields, error) {
	t := strings.TrimSpace
	f.Number, f.Reasons, f.File, f.Method, f.Outcome, f.Content = t(req.Number), t(req.Reasons), req.File, req.Method, req.Outcome, t(req.Content)
	at, err := parseAt(req.At, now, "时间")
	if err != nil {
		return f, err
	}
	f.At = at
	if sp.Terminated != nil {
		return f, &enforce.Error{Code: enforce.EConflict, Step: step, Article: "行政强制法 §40", Message: "the execution was terminated", MessageZh: "执行已终结"}
	}
	var miss required
	switch suspensionKind(step) {
	case "suspend":
		f.Article = "行政强制法 §39"
		if sp.Suspended != nil {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Article: f.Article, Message: "the execution is suspended", MessageZh: "执行已中止"}
		}
		if len(open) == 0 {
			return f, lifeRefused(step, f.Article, "there is nothing left to execute", "没有尚待执行的决定（未作出决定或当事人已履行），无执行可中止")
		}
		_, ok := SuspendGrounds[f.Outcome]
		miss.need(ok, "outcome", "中止执行的情形", "行政强制法 §39 ¶1")
		miss.need(f.Reasons != "", "reasons", "中止执行的事实和理由", "行政强制法 §39")
		miss.need(f.File != "", "file", "证明中止情形的证据材料", "行政强制法 §39")
		miss.need(f.Number != "", "number", "中止执行通知书文号", "行政强制法 §39")
		_, ok = ServiceMethods[f.Method]
		miss.need(ok, "method", "中止执行通知书的送达方式", "行政强制法 §39")
		if len(miss) > 0 {
			return f, lifeRefused(step, f.Article, "a suspension states its ground with evidence and is told to the party in writing",
				"中止执行须写明第三十九条规定的情形、事实和证据，经负责人批准并书面通知当事人", miss...)
		}
		f.Due = deadline.SuspensionLapses(at)
		return f, nil

	case "resume":
		f.Article = "行政强制法 §39 ¶2"
		s := sp.Suspended
		if s == nil {
			return f, lifeRefused(step, f.Article, "the execution is not suspended", "执行未中止，无需恢复")
		}
		if s.lapsed(at) {
			return f, lifeRefused(step, f.Article,
				"the suspension for the party's inability lapsed after three years on "+dayText(s.Due)+": the decision is not executed again",
				"没有明显社会危害，当事人确无能力履行，中止执行满三年（至 "+dayText(s.Due)+"）未恢复执行的，行政机关不再执行",
				item(sibling(step, "terminate"), "终结执行（中止满三年）", "行政强制法 §39 ¶2"))
		}
		miss.need(f.Reasons != "", "reasons", "中止执行的情形已经消失的事实", "行政强制法 §39 ¶2")
		miss.need(f.Number != "", "number", "恢复执行通知书文号", "行政强制法 §39 ¶2")
		_, ok := ServiceMethods[f.Method]
		miss.need(ok, "method", "恢复执行通知书的送达方式", "行政强制法 §39 ¶2")
		if len(miss) > 0 {
			return f, lifeRefused(step, f.Article, "the execution resumes when the grounds of the suspension end, told to the party in writing",
				"中止执行的情形消失后，行政机关应当恢复执行，并书面通知当事人", miss...)
		}
		return f, nil

	case "terminate":
		f.Article = "行政强制法 §40"
		if f.Outcome == "lapsed" {
			f.Article = "行政强制法 §39 ¶2"
			if s := sp.Suspended; s == nil || !s.lapsed(at) {
				return f, lifeRefused(step, f.Article, "only a suspension for the party's inability lapses, three years after it began",
					"仅当事人确无能力履行而中止执行满三年未恢复执行的，不再执行", item("outcome", "第四十条规定的终结情形", "行政强制法 §40"))
			}
		} else if len(open) == 0 && sp.Suspended == nil {
			return f, lifeRefused(step, f.Article, "there is nothing left to execute", "没有尚待执行的决定（未作出决定或当事人已履行），无执行可终结")
		}
		_, ok := TerminateGrounds[f.Outcome]
		miss.need(ok, "outcome", "终结执行的情形", "行政强制法 §40")
		miss.need(f.Reasons != "", "reasons", "终结执行的事实和理由", "行政强制法 §40")
		miss.need(f.File != "", "file", "证明终结情形的证据材料", "行政强制法 §40")
		miss.need(f.Number != "", "number", "终结执行通知书文号", "行政强制法 §40")
		_, ok = ServiceMethods[f.Method]
		miss.need(ok, "method", "终结执行通知书的送达方式", "行政强制法 §40")
		if len(miss) > 0 {
			return f, lifeRefused(step, f.Article, "a termination states its ground with evidence and is told to the party in writing",
				"终结执行须写明第四十条规定的情形、事实和证据，经负责人批准并书面通知当事人", miss...)
		}
		return f, nil

	case "agree":
		f.Article = "行政强制法 §42"
		if sp.Agreement != nil {
			return f, &enforce.Error{Code: enforce.EConflict, Step: step, Article: f.Article, Message: "an agreement is in force", MessageZh: "执行协议正在履行"}
		}
		if sp.Suspended != nil {
			return f, lifeRefused(step, "行政强制法 §39", "the execution is suspended", "执行已中止，恢复执行后方可达成执行协议", item(sibling(step, "resume"), "恢复执行", "行政强制法 §39"))
		}
		if len(open) == 0 {
			return f, lifeRefused(step, f.Article, "there is nothing left to execute", "没有尚待执行的决定（未作出决定或当事人已履行），无需执行协议")
		}
		miss.need(f.Number != "", "number", "执行协议编号", "行政强制法 §42")
		miss.need(f.Content != "", "content", "协议内容（履行方式、分阶段履行的期限和数额）", "行政强制法 §42")
		miss.need(f.Reasons != "", "reasons", "不损害公共利益和他人合法权益的说明", "行政强制法 §42")
		miss.need(f.File != "", "file", "当事人签字的执行协议", "行政强制法 §42")
		if len(miss) > 0 {
			return f, lifeRefused(step, f.Article, "an execution agreement is written, signed by the party, and harms neither the public interest nor others",
				"执行协议须在不损害公共利益和他人合法权益的情况下与当事人达成，写明履行方式和期限，由当事人签字", miss...)
		}
		return f, nil

	case "breach":
		f.Article = "行政强制法 §42"
		if sp.Agreement == nil {
			return f, lifeRefused(step, f.Article, "no execution agreement is in force", "没有正在履行的执行协议")
		}
		miss.need(f.Reasons != "", "reasons", "当事人不履行执行协议的事实", "行政强制法 §42")
		if len(miss) > 0 {
			return f, lifeRefused(step, f.Article, "the breach is recorded with its facts", "应当写明当事人不履行执行协议的事实", miss...)
		}
		return f, nil
	}
	return f, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}
